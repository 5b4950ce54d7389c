"""`ovk.model.build`: the converters made once per class build what the plain, generic
reading of the model builds (the dataclass constructors, every type looked at anew), and
`walk` visits what a plain recursive walk visits, in the same order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from ovk.model.build import JsonPath, build, walk
from ovk.model.conformance import schema_accepts
from ovk.model.entities import (
    DOCUMENTS,
    Agreement,
    Area,
    Division,
    Goal,
    GrunduppdragSection,
    IndicatorTable,
    ListBlock,
    Malomraden,
)
from ovk.model.layout import classify
from ovk.model.spec import Entity, is_entity, properties, union_members, unwrap
from ovk.yamlio.loader import fast_load_bytes
from tests.conftest import AGREEMENTS, EXAMPLES, REPO


def documents() -> list[tuple[Path, type[Entity], Any]]:
    """Every schema-valid file of the example tree and of the shipped agreements."""
    found = []
    paths = [*sorted(EXAMPLES.rglob("*.y*ml")), *sorted(AGREEMENTS.rglob("*.y*ml"))]
    for path in paths:
        kind, _ = classify(path)
        if kind is None:
            continue
        loaded = fast_load_bytes(path.read_bytes())  # None: the examples of broken files
        if loaded is not None and schema_accepts(kind, REPO / "schema", loaded.data):
            found.append((path, DOCUMENTS[kind], loaded.data))
    return found


DOCUMENTS_READ = documents()
CASES = [
    pytest.param(
        c,
        d,
        id=p.relative_to(REPO).as_posix(),
        marks=[pytest.mark.data] if p.is_relative_to(AGREEMENTS) else [],
    )
    for p, c, d in DOCUMENTS_READ
]


def reference(tp: Any, value: Any) -> Any:
    """The model read plainly: each type looked at anew, each entity through its constructor."""
    inner, _ = unwrap(tp)
    if is_entity(inner):
        present = (p for p in properties(inner) if p.key in value)
        return inner(**{p.name: reference(p.type, value[p.key]) for p in present})
    alternatives = union_members(inner)
    if alternatives is not None:
        if value is None:
            return None
        for alternative in alternatives:
            candidate, _ = unwrap(alternative)
            if is_entity(candidate):
                keys = {p.key for p in properties(candidate)}
                required = {p.key for p in properties(candidate) if p.required}
                if isinstance(value, Mapping) and required <= set(value) <= keys:
                    return reference(alternative, value)
            elif isinstance(value, dt.date | str if candidate is dt.date else candidate):
                return reference(alternative, value)
        raise AssertionError(f"nothing fits {value!r}")
    if inner is dt.date:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if inner is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if typing.get_origin(inner) is tuple:
        return tuple(reference(typing.get_args(inner)[0], v) for v in value)
    if typing.get_origin(inner) in (Mapping, dict):
        return {k: reference(typing.get_args(inner)[1], v) for k, v in value.items()}
    return value


def reference_walk(entity: Entity, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Entity]]:
    yield path, entity
    for field in dataclasses.fields(entity):  # type: ignore[arg-type]
        key = next(p.key for p in properties(type(entity)) if p.name == field.name)
        yield from _reference_values(getattr(entity, field.name), (*path, key))


def _reference_values(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, Entity]]:
    if isinstance(value, Entity):
        yield from reference_walk(value, path)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _reference_values(item, (*path, index))


def test_the_examples_have_documents_of_every_kind() -> None:
    examples = [cls for path, cls, _ in DOCUMENTS_READ if path.is_relative_to(EXAMPLES)]
    assert set(examples) == set(DOCUMENTS.values())


@pytest.mark.parametrize(("cls", "data"), CASES)
def test_build_makes_what_the_constructors_make(cls: type[Entity], data: Any) -> None:
    built = build(cls, data)
    assert built == reference(cls, data)
    assert repr(built) == repr(reference(cls, data))  # the same values, of the same types
    for _, entity in walk(built):
        fields = {f.name for f in dataclasses.fields(entity)}  # type: ignore[arg-type]
        assert set(vars(entity)) == fields  # every attribute set, defaults included


@pytest.mark.parametrize(("cls", "data"), CASES)
def test_walk_visits_every_entity_in_the_files_order(cls: type[Entity], data: Any) -> None:
    built = build(cls, data)
    everything = list(reference_walk(built))
    assert list(walk(built)) == everything
    only = (GrunduppdragSection, Area, Goal, IndicatorTable)
    assert list(walk(built, only=only)) == [(p, e) for p, e in everything if isinstance(e, only)]


def test_walk_starts_at_a_path_and_finds_nested_lists() -> None:
    text = ["a", {"list": ["b", {"list": ["c"]}]}]
    data = {"year": 2026, "text": text, "malomraden": []}
    found = list(walk(build(Malomraden, data), ("x",), only=(ListBlock,)))
    assert [path for path, _ in found] == [("x", "text", 1), ("x", "text", 1, "list", 1)]


def test_a_missing_property_is_the_constructors_error() -> None:
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'sections'"):
        build(Division, {"year": 2026, "code": "KLK", "name": "K", "grunduppdrag": {"title": "t"}})


def test_a_missing_property_inside_a_list_is_the_items_constructors_error() -> None:
    data = {"year": 2026, "text": [], "malomraden": [{"id": "x"}]}
    with pytest.raises(TypeError, match=r"Malomrade.__init__\(\) missing 3 required"):
        build(Malomraden, data)


def test_a_key_the_model_does_not_know_is_left_out() -> None:
    grunduppdrag = {"title": "t", "sections": []}
    data = {"year": 2026, "code": "KLK", "name": "K", "grunduppdrag": grunduppdrag}
    unknown = {**data, "extra": 1, "grunduppdrag": {"extra": 2, **grunduppdrag}}
    assert repr(build(Division, unknown)) == repr(build(Division, data))
    assert repr(build(Division, data)) == repr(reference(Division, data))


def test_optional_properties_left_out_take_their_defaults_and_maps_are_new_each_time() -> None:
    data = {"year": 2026, "title": "Ö", "parties": [], "divisions": [], "sections": []}
    first, second = build(Agreement, data), build(Agreement, data)
    assert first.uppfoljning == {} and first.municipality is None and first.note is None
    assert first.uppfoljning is not second.uppfoljning
    assert repr(first) == repr(reference(Agreement, data))
