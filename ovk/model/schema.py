"""The JSON Schemas (draft 2020-12) of the four agreement file kinds, generated from the model.

The entities of `ovk.model.entities` are the one definition; this module turns each file
kind's root entity into a self-contained schema (internal `$defs` only, so any standard
validator can use it offline, given just the file named in an agreement file's modeline).
The schemas are written into `schema/` (the repository's editable copies) and
`ovk/data/schema/` (the copies shipped in the wheel); a test keeps both in sync.

Regenerate with `python -m ovk.model.schema`.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ovk.model.entities import DATE_PATTERN, DOCUMENTS, FOLLOWUP_OCCASIONS, STATUSES
from ovk.model.spec import is_entity, properties, union_members, unwrap
from ovk.model.vocabulary import KINDS as KINDS, SCHEMA_BASE_URI as SCHEMA_BASE_URI

Schema = dict[str, Any]

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


class _Builder:
    """Builds one document's schema, collecting the `$defs` it refers to."""

    def __init__(self) -> None:
        self.defs: dict[str, Schema] = {}

    def entity(self, cls: type[Any], title: str, description: str) -> Schema:
        """A closed object: unknown keys are schema findings (typos never pass silently)."""
        props: dict[str, Schema] = {}
        for p in properties(cls):
            props[p.key] = self.typed(p.type, p.spec.title, p.spec.description, p.spec.schema)
        return {
            "title": title,
            "description": description,
            "type": "object",
            "properties": props,
            "required": [p.key for p in properties(cls) if p.required],
            "additionalProperties": False,
        }

    def typed(
        self, tp: Any, title: str | None, description: str | None, extra: Mapping[str, Any]
    ) -> Schema:
        """The schema of a value of type `tp`; `title` and `description` override its Doc."""
        inner, doc = unwrap(tp)
        if doc is not None and doc.name is not None:  # shared: labelled only where it is used
            self.define(doc.name, lambda: self.typed(inner, doc.title, doc.description, doc.schema))
            return self.labelled(title, description, {"$ref": f"#/$defs/{doc.name}"})
        title = title or (doc.title if doc else None)
        description = description or (doc.description if doc else None)
        extra = {**(doc.schema if doc else {}), **extra}
        if is_entity(inner) and inner.DEF is not None:
            self.define(inner.DEF, lambda: self.entity(inner, inner.TITLE, inner.DESCRIPTION))
            return self.labelled(title, description, {"$ref": f"#/$defs/{inner.DEF}"})
        if is_entity(inner):
            return self.entity(inner, title or inner.TITLE, description or inner.DESCRIPTION)
        alternatives = union_members(inner)
        if alternatives is not None:
            rest = [a for a in alternatives if a is not type(None)]
            nullable = len(rest) < len(alternatives)
            if nullable and len(rest) == 1 and self.scalar(rest[0]) is not None:
                kind, more = self.scalar(rest[0])  # type: ignore[misc]
                return self.labelled(title, description, {"type": [kind, "null"], **more, **extra})
            branches = [{"type": "null"}] if nullable else []
            branches += [self.typed(a, None, None, {}) for a in rest]
            return self.labelled(title, description, {"anyOf": branches, **extra})
        scalar = self.scalar(inner)
        if scalar is not None:
            kind, more = scalar
            return self.labelled(title, description, {"type": kind, **more, **extra})
        origin = typing.get_origin(inner)
        if origin is tuple:
            item = typing.get_args(inner)[0]
            return self.labelled(
                title,
                description,
                {"type": "array", "items": self.typed(item, None, None, {}), **extra},
            )
        if origin in (Mapping, dict):
            value = typing.get_args(inner)[1]
            return self.labelled(
                title,
                description,
                {"type": "object", **extra, "additionalProperties": self.typed(value, "", "", {})},
            )
        raise TypeError(f"no schema for {tp!r}")

    @staticmethod
    def scalar(tp: Any) -> tuple[str, dict[str, Any]] | None:
        if tp is dt.date:
            return "string", {"format": "date", "pattern": DATE_PATTERN}
        kind = _SCALARS.get(tp)
        return (kind, {}) if kind else None

    @staticmethod
    def labelled(title: str | None, description: str | None, schema: Schema) -> Schema:
        head = {"title": title, "description": description} if title and description else {}
        return {**head, **schema}

    def define(self, name: str, make: Any) -> None:
        if name not in self.defs:
            self.defs[name] = {}  # a placeholder first: recursive types refer to themselves
            self.defs[name] = make()


def build(kind: str) -> Schema:
    """The root schema of one file kind, from its root entity."""
    cls = DOCUMENTS[kind]
    builder = _Builder()
    body = builder.entity(cls, cls.TITLE, cls.DESCRIPTION)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE_URI + KINDS[kind],
        **body,
        "$defs": builder.defs,
    }


@cache
def _built(kind: str) -> Schema:
    return build(kind)


def build_all() -> dict[str, Schema]:
    """Every file kind's schema, keyed by kind (a fresh copy: callers may change it)."""
    return {kind: json.loads(json.dumps(_built(kind), allow_nan=False)) for kind in KINDS}


def year() -> Schema:
    """The schema of an agreement year, as every file kind has it."""
    return build_all()["uppdrag"]["properties"]["year"]  # type: ignore[no-any-return]


def field(title: str, description: str, **schema: Any) -> Schema:
    """A property schema with the title and description every field carries."""
    return {"title": title, "description": description, **schema}


def array_of(title: str, description: str, items: Schema) -> Schema:
    return field(title, description, type="array", items=items)


EXPORT_SCHEMA = "export.schema.json"


def export_schema() -> Schema:
    """The schema of `ovk export --format json`: a whole year in one document.

    The four file kinds' schemas are embedded as resources of their own (`$defs`, each with
    its `$id`), so this file alone validates an export, offline, in any 2020-12 validator.
    """
    kinds = build_all()

    def kind_ref(kind: str, title: str, description: str) -> Schema:
        return field(title, description, **{"$ref": KINDS[kind]})

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE_URI + EXPORT_SCHEMA,
        "title": "Överenskommelse om verksamhet (export)",
        "description": "One year's agreement as one document: every file of the year folder.",
        "type": "object",
        "properties": {
            "year": year(),
            "overenskommelse": kind_ref(
                "overenskommelse", "Överenskommelse", "The data of overenskommelse.yaml."
            ),
            "malomraden": field(
                "Målområden och mål",
                "The data of malomraden.yaml, or null when the year has none.",
                anyOf=[{"type": "null"}, {"$ref": KINDS["malomraden"]}],
            ),
            "divisions": array_of(
                "Verksamheter",
                "The data of divisions/<CODE>.yaml, in the order of the agreement's divisions.",
                {"$ref": KINDS["division"]},
            ),
            "uppdrag": array_of(
                "Särskilda uppdrag",
                "The data of uppdrag/<id>.yaml, by id.",
                {"$ref": KINDS["uppdrag"]},
            ),
            "uppfoljning": array_of(
                "Uppföljning",
                "The data of uppfoljning/<occasion>/<CODE>.yaml, in the order of the year's "
                "occasions, then by code.",
                {"$ref": KINDS["uppfoljning"]},
            ),
            "status": array_of(
                "Senast rapporterad status",
                "Per uppdrag, by number, its latest reported status as `ovk list` gives it.",
                latest_status_schema(),
            ),
        },
        "required": [
            "year",
            "overenskommelse",
            "malomraden",
            "divisions",
            "uppdrag",
            "uppfoljning",
            "status",
        ],
        "additionalProperties": False,
        "$defs": kinds,
    }


def latest_status_schema() -> Schema:
    """One uppdrag's latest reported status (`ovk.model.followup.latest_status`), as `ovk list
    --format json` and `ovk export --format json` write it."""
    status = {"enum": [*STATUSES, None]}
    occasion = {"enum": [*FOLLOWUP_OCCASIONS, None]}
    return {
        "type": "object",
        "properties": {
            "id": field("Id", "The uppdrag's id.", type="string"),
            "status": field("Status", "The latest reported status, or null.", **status),
            "status_occasion": field(
                "Uppföljningstillfälle", "The occasion it is from, or null.", **occasion
            ),
            "late": field("Försenat", "Derived: late by that report's as_of.", type="boolean"),
            "statuses": field(
                "Status per verksamhet",
                "Each reporting division's latest status, by code.",
                type="object",
                additionalProperties={"enum": list(STATUSES)},
            ),
        },
        "required": ["id", "status", "status_occasion", "late", "statuses"],
        "additionalProperties": False,
    }


# Every schema ovk publishes, by the name `ovk schema` takes: the four kinds and the export.
SCHEMA_FILES = {**KINDS, "export": EXPORT_SCHEMA}


def all_schema_files() -> dict[str, Schema]:
    """File name → schema, for every schema ovk publishes (the four kinds and the export)."""
    files = {KINDS[kind]: schema for kind, schema in build_all().items()}
    files[EXPORT_SCHEMA] = export_schema()
    return {name: files[name] for name in SCHEMA_FILES.values()}


def dumps(schema: Schema) -> str:
    """The canonical text of a schema file."""
    return json.dumps(schema, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schema_files().items():
        path = directory / name
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    package_dir = Path(__file__).parents[1] / "data" / "schema"
    for target in (package_dir, Path(__file__).parents[2] / "schema"):
        for path in write_all(target):
            print(path)
