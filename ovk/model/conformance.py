"""Does a file's data conform to its kind's schema? Located schema findings, and a fast "yes".

Reading a year (list, render, diff, export) and `ovk validate` both ask this; the model owns
the answer so that reading never goes through validation. jsonschema is the judge of every
finding; jsonschema-rs only ever answers "nothing to report", about 100 times faster.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from ovk.errors import DataError, short_repr
from ovk.findings import Finding, finding, json_path
from ovk.model.layout import Member, schema_dir
from ovk.model.vocabulary import KINDS
from ovk.yamlio.loader import (
    DEFAULT_MAX_BYTES,
    Document,
    LoadResult,
    duplicate_findings,
    fast_load_bytes,
    load_bytes,
    load_path,
    read_capped,
)

# Rules whose findings mean "a standard validator given the schema rejects this file too".
SCHEMA_VERDICT_RULES = frozenset(
    {
        "file-size",
        "encoding",
        "yaml-syntax",
        "duplicate-key",
        "unsafe-tag",
        "tag-mismatch",
        "alias",
        "nesting-depth",
        "schema",
    }
)


# Rules whose findings mean that ovk cannot use the data although a standard validator
# accepts it: JSON Schema's "number" takes NaN and infinity, which no amount can be.
UNREADABLE_RULES = frozenset({"non-finite-number"})
# What makes a file not conform: every command refuses to read it.
NOT_CONFORMING_RULES = SCHEMA_VERDICT_RULES | UNREADABLE_RULES


@dataclass
class Checked:
    """A file read through the safe loader and checked against its schema."""

    document: Document | None
    findings: list[Finding]

    @property
    def conforms(self) -> bool:
        return self.document is not None and not any(
            f.rule in NOT_CONFORMING_RULES for f in self.findings
        )


def load_checked(
    file: Member,
    schemas: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    fast: bool = True,
    raw: bytes | None = None,
) -> Checked:
    """Load one file of a known kind and check it against the schema of its kind.

    With `fast`, a file the C parser reads without doubt and its schema accepts needs no
    locations; every other file takes the located path, which alone makes findings. Either
    way a number that is not finite (`.nan`, `.inf`, `1e999`) is a located finding.
    """
    checked = _load_checked(file, schemas, max_bytes, fast=fast, raw=raw)
    if checked.document is not None:
        checked.findings.extend(non_finite_findings(checked.document, file.display))
    return checked


def _load_checked(
    file: Member, schemas: Path, max_bytes: int, *, fast: bool, raw: bytes | None
) -> Checked:
    assert file.kind is not None
    loaded: LoadResult | None = None
    if fast:
        raw = read_capped(file.path, max_bytes) if raw is None else raw
        quick = fast_load_bytes(raw, duplicates=True) if raw is not None else None
        if raw is not None and quick is not None:
            if not quick.duplicates and schema_accepts(file.kind, schemas, quick.data):
                return _readable(Checked(quick, []), file, schemas)
            # Findings to locate: the C parser's marks are the located loader's. A duplicate
            # key's document is located already.
            located = quick if quick.duplicates else fast_load_bytes(raw, located=True)
            if located is not None:
                loaded = LoadResult(located, duplicate_findings(located, file.display))
    if loaded is None:  # the bytes read (or given: a file not written yet), else the file's
        loaded = (
            load_path(file.path, file.display, max_bytes)
            if raw is None
            else load_bytes(raw, file.display, max_bytes)
        )
    findings = list(loaded.findings)
    if loaded.document is not None:
        findings.extend(schema_findings(loaded.document, file.display, file.kind, schemas))
    return _readable(Checked(loaded.document, findings), file, schemas)


# The schemas generated from the model, as shipped in the package (a test keeps them equal).
MODEL_SCHEMAS = schema_dir(None)


def _readable(checked: Checked, file: Member, schemas: Path) -> Checked:
    """`checked`, with the model's own schema findings when the repository's schema (which a
    municipality may edit) accepted what the model cannot read: what conforms, ovk can read."""
    assert file.kind is not None
    document = checked.document
    if document is None or not checked.conforms or not _departs(file.kind, schemas):
        return checked
    if schema_accepts(file.kind, MODEL_SCHEMAS, document.data):
        return checked
    own = schema_findings(document, file.display, file.kind, MODEL_SCHEMAS)
    note = " (ovk's model; the repository's schema/ allows it)"
    return Checked(
        document, [*checked.findings, *(replace(f, message=f.message + note) for f in own)]
    )


SCHEMA_MAX_BYTES = 1024 * 1024  # ovk's largest schema is a small fraction of this


@cache
def schema_bytes(kind: str, directory: Path) -> bytes:
    """The bytes of the schema of `kind` in `directory`. The repository's schema/ is data: a
    schema file must be a regular file, not a link (which could lead out of the repository, or
    to a device that never ends), and not larger than SCHEMA_MAX_BYTES; else a DataError."""
    path = directory / KINDS[kind]
    fix = "regenerate it with 'ovk schema -o schema/'"
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise DataError(f"{path} is not a regular file (a link or a device); {fix}")
        with open(path, "rb") as handle:  # (not a link: lstat said so)
            data = handle.read(SCHEMA_MAX_BYTES + 1)
    except OSError as error:
        raise DataError(f"{path} cannot be read ({error.strerror or error}); {fix}") from None
    if len(data) > SCHEMA_MAX_BYTES:
        raise DataError(f"{path} is larger than {SCHEMA_MAX_BYTES:,} bytes; {fix}")
    return data


@cache
def _departs(kind: str, schemas: Path) -> bool:
    """Whether the schema of `kind` in `schemas` is not the model's own."""
    if schemas == MODEL_SCHEMAS:
        return False
    return schema_bytes(kind, schemas) != schema_bytes(kind, MODEL_SCHEMAS)


@cache
def load_schema(kind: str, directory: Path) -> Any:
    """The schema of one file kind from `directory` (the repository's own schema/ is data a
    municipality may edit): a file that is no draft 2020-12 JSON Schema is a DataError."""
    path = directory / KINDS[kind]
    fix = "regenerate it with 'ovk schema -o schema/'"
    try:
        schema = json.loads(schema_bytes(kind, directory).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise DataError(f"{path} cannot be read as JSON ({error}); {fix}") from None
    if _departs(kind, directory):  # the model's own schemas are known to be sound
        # jsonschema only here: a run whose files all conform never imports it.
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            raise DataError(f"{path} is not a JSON Schema ({error.message}); {fix}") from None
    return schema


@cache
def schema_validator(kind: str, directory: Path) -> Any:
    """A draft 2020-12 validator for one file kind, with format checking (dates) on."""
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(load_schema(kind, directory), format_checker=FormatChecker())


@cache
def fast_validator(kind: str, directory: Path) -> Any:
    """jsonschema-rs's validator for one file kind (dates checked), built once per run."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(load_schema(kind, directory), validate_formats=True)


def schema_accepts(kind: str, directory: Path, data: Any) -> bool:
    """True only when the schema surely accepts `data` (False: let jsonschema judge).

    jsonschema-rs answers about 100 times faster than jsonschema; it is never the judge of a
    finding, only of "nothing to report", and tests/test_fast_path.py shows it never accepts
    what jsonschema rejects.
    """
    try:
        return bool(fast_validator(kind, directory).is_valid(data))
    except Exception:  # a value it cannot represent (a huge integer, …): jsonschema judges
        return False


@cache
def quick_acceptor(kind: str, schemas: Path) -> Callable[[Any], bool]:
    """For data remembered from an earlier run (a cache entry, say): True only when it surely
    conforms as `load_checked` would let it through with no finding, i.e. the schema of
    `kind` in `schemas` accepts it, and the model's own where that one departs. Made once
    per kind and folder, so each answer is one call of the fast validator."""
    own = fast_validator(kind, schemas)
    model = fast_validator(kind, MODEL_SCHEMAS) if _departs(kind, schemas) else None

    def accepts(data: Any) -> bool:
        try:
            return bool(own.is_valid(data)) and (model is None or bool(model.is_valid(data)))
        except Exception:  # a value it cannot represent: not surely accepted
            return False

    return accepts


def schema_findings(document: Document, display: str, kind: str, schemas: Path) -> list[Finding]:
    """The schema findings of one loaded document, each located at its value (or key)."""
    from jsonschema.exceptions import best_match
    from referencing.exceptions import Unresolvable

    validator = schema_validator(kind, schemas)
    try:
        errors = list(validator.iter_errors(document.data))
    except Unresolvable as unresolvable:  # a $ref to nowhere, met only while validating
        raise DataError(
            f"{schemas / KINDS[kind]} refers to what it does not hold ({unresolvable}); "
            "regenerate it with 'ovk schema -o schema/'"
        ) from None
    found = []
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            # The branch the value is meant for says what is wrong: a mapping where null or
            # a mapping may stand is told about its own key, not that it is not null.
            fitting = [e for e in error.context if e.validator != "type" or e.relative_path]
            error = best_match(fitting or error.context)
        path = tuple(error.absolute_path)
        key = False
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            path, key = (*path, extra[0]) if extra else path, True
        line, column = document.locate(path, key=key)
        message = (
            "the file is empty; expected a mapping" if document.data is None else describe(error)
        )
        found.append(finding(display, line, column, "schema", message, json_path(path)))
    return found


def non_finite_findings(document: Document, display: str) -> list[Finding]:
    """A finding at each number of the data that is not finite: YAML reads `.nan`, `.inf`
    and `1e999` as floats the schema's "number" accepts, but no sum can be checked with one
    and JSON cannot hold it."""
    found: list[Finding] = []
    if document.finite or not _has_non_finite(document.data):  # the common case, no paths
        return found

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, float):
            if not math.isfinite(node):
                where = ".".join(str(p) for p in path) or "the file"
                written = ".nan" if math.isnan(node) else ("-.inf" if node < 0 else ".inf")
                line, column = document.locate(path)
                message = f"{where}: {written} is not a finite number"
                found.append(
                    finding(display, line, column, "non-finite-number", message, json_path(path))
                )
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(document.data, ())
    return found


def _has_non_finite(data: Any) -> bool:
    """Whether `data` holds a float that is not finite (about 20 µs for an agreement file,
    so every file, however it was read, is checked)."""
    stack = [data]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif isinstance(node, float) and not math.isfinite(node):
            return True
    return False


def describe(error: Any) -> str:
    """A short message for a schema error (jsonschema's own repeats whole objects)."""
    where = ".".join(str(p) for p in error.absolute_path) or "the file"
    instance = error.instance
    match error.validator:
        case "additionalProperties":
            extra = sorted(set(instance) - set(error.schema.get("properties", {})))
            allowed = ", ".join(error.schema.get("properties", {}))
            return f"unknown key '{extra[0] if extra else '?'}' in {where} (allowed: {allowed})"
        case "required":
            return str(error.message).replace("property", f"key in {where}")
        case "type":
            return f"{where}: expected {_types(error.validator_value)}, got {_json_type(instance)}"
        case "enum":
            choices = ", ".join("null" if c is None else str(c) for c in error.validator_value)
            return f"{where}: {short_repr(instance)} is not one of {choices}"
        case "format":
            shown = short_repr(instance)
            return f"{where}: {shown} is not a valid {error.validator_value} (YYYY-MM-DD)"
        case "pattern":
            return f"{where}: {short_repr(instance)} does not match {error.validator_value}"
        case _:
            return f"{where}: {short_repr(str(error.message), 160)}"


def _types(value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    return " or ".join(names)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)
