"""Diff is derived from the model: every leaf value of every file is compared.

The leaves are found by walking each file's data alongside the model's types (not by listing
fields), each is changed in turn, and the changed file's entities are compared with the
original's: every change must be reported, except where the model says "not compared".
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from ovk.diff.compare import Change, compare
from ovk.diff.forest import member_forest
from ovk.model.build import build
from ovk.model.entities import DOCUMENTS
from ovk.model.read import Loaded, read_year
from ovk.model.spec import FieldSpec, entity_types, is_entity, properties, union_members, unwrap
from tests.conftest import REPO, run_ovk, shipped_years

JsonPath = tuple[str | int, ...]


Leaf = tuple[JsonPath, Any, Any, FieldSpec | None]


def leaves(tp: Any, value: Any, path: JsonPath, spec: FieldSpec | None) -> Iterator[Leaf]:
    """(path, value, type, spec of the property it belongs to) for every leaf of `value`."""
    inner, _ = unwrap(tp)
    if is_entity(inner):
        for p in properties(inner):
            if p.key in value:
                yield from leaves(p.type, value[p.key], (*path, p.key), p.spec)
        return
    alternatives = union_members(inner)
    if alternatives is not None:
        if value is None:
            yield path, None, inner, spec
            return
        for alternative in alternatives:
            alt, _ = unwrap(alternative)
            if is_entity(alt) and isinstance(value, Mapping):
                if set(value) <= {p.key for p in properties(alt)}:
                    yield from leaves(alternative, value, path, spec)
                    return
            elif alt is not type(None) and not is_entity(alt) and _fits(alt, value):
                yield from leaves(alternative, value, path, spec)
                return
        raise AssertionError(f"no alternative fits {value!r} at {path}")
    origin = typing.get_origin(inner)
    if origin is tuple:
        item = typing.get_args(inner)[0]
        for index, element in enumerate(value):
            yield from leaves(item, element, (*path, index), spec)
    elif origin in (Mapping, dict):
        for key, element in value.items():
            yield (*path, key), element, typing.get_args(inner)[1], spec
    else:
        yield path, value, inner, spec


def _fits(tp: Any, value: Any) -> bool:
    if typing.get_origin(tp) is tuple:
        return isinstance(value, list)
    if tp is dt.date:
        return isinstance(value, str)
    return isinstance(value, tp)


def changed(value: Any, tp: Any) -> Any:
    """A different value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if tp is dt.date or (value is None and dt.date in (union_members(tp) or ())):
        day = dt.date.fromisoformat(value) if value else dt.date(2026, 1, 1)
        return (day + dt.timedelta(days=1)).isoformat()
    if value is None:
        return "ändrad"
    return f"{value} ändrad"


def set_at(data: Any, path: JsonPath, value: Any) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def mutations(member: Loaded[Any]) -> Iterator[tuple[JsonPath, Loaded[Any]]]:
    """Each leaf of one file changed in turn, as a new member of the same file."""
    cls = type(member.entity)
    data = copy.deepcopy(member.data)  # changed in place, one leaf at a time, then restored
    for path, value, tp, spec in list(leaves(cls, data, (), None)):
        if spec is not None and spec.diff == "ignored":
            continue
        if value is None and any(entity_types(tp)):
            continue  # a missing object, not a value: adding one is adding an entity
        set_at(data, path, changed(value, tp))
        yield path, Loaded(build(cls, data), data, member.file)
        set_at(data, path, value)


def reported(
    member: Loaded[Any], codes: tuple[str, ...]
) -> Iterator[tuple[JsonPath, list[Change]]]:
    before = member_forest(member, codes)
    for path, mutated in mutations(member):
        yield path, compare(before, member_forest(mutated, codes), fuzzy=False)


def year_members(root: Path, year: int) -> Iterator[Loaded[Any]]:
    data = read_year(root, year)
    yield data.agreement
    if data.malomraden is not None:
        yield data.malomraden
    yield from data.divisions.values()
    yield from data.uppdrag


def unreported(root: Path, year: int) -> list[str]:
    data = read_year(root, year)
    missing = []
    count = 0
    for member in year_members(root, year):
        for path, changes in reported(member, data.codes):
            count += 1
            if not changes:
                missing.append(f"{member.file}: {'.'.join(map(str, path))}")
    assert count > 0
    return missing


def test_every_leaf_of_the_example_tree_is_compared(base_tree: Path) -> None:
    assert unreported(base_tree, 2026) == []


@pytest.mark.data
@pytest.mark.parametrize("year", shipped_years())
def test_every_leaf_of_the_shipped_agreements_is_compared(year: int) -> None:
    assert unreported(REPO, year) == []


def test_the_year_is_never_a_change(base_tree: Path) -> None:
    data = read_year(base_tree, 2026)
    member = data.uppdrag[0]
    moved = copy.deepcopy(member.data)
    moved["year"] = 2027
    other = Loaded(build(type(member.entity), moved), moved, member.file)
    assert compare(member_forest(member, data.codes), member_forest(other, data.codes), False) == []


def test_every_property_has_a_diff_role_and_children_hold_entities() -> None:
    seen: set[type[Any]] = set()

    def visit(cls: type[Any]) -> None:
        if cls in seen:
            return
        seen.add(cls)
        for p in properties(cls):
            kinds = list(entity_types(p.type))
            if p.spec.diff in ("children", "hoisted"):
                assert kinds and all(c.KIND for c in kinds), f"{cls.__name__}.{p.name}"
            for c in kinds:
                visit(c)

    for cls in DOCUMENTS.values():
        visit(cls)
    assert len(seen) > 20


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        ("malomraden.yaml", "heading: ", "heading: Ny ", "Rubrik"),
        ("divisions/KLK.yaml", "name: ", "name: Ny ", "Namn"),
        ("overenskommelse.yaml", "code: KLK", "code: TEK", "Parter"),
    ],
)
def test_diff_at_a_revision_names_a_change_the_old_diff_missed(
    base_tree: Path, file: str, old: str, new: str, field: str
) -> None:
    git(base_tree, "init", "-q")
    git(base_tree, "add", "-A")
    git(base_tree, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x")
    path = base_tree / "agreements" / "2026" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_ovk("--root", str(base_tree), "diff", "HEAD:2026", "2026", "--exit-code")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert f"{field}:" in result.stdout


BOOKKEEPING = {"year", "note", "missing_in_source", "nr"}


def _field_names(changes: list[Change]) -> set[str]:
    return {(c.field or "").rsplit(".", 1)[-1] for c in changes}


def test_bookkeeping_is_a_change_within_a_year_but_not_between_years(base_tree: Path) -> None:
    data = read_year(base_tree, 2026)
    member = data.uppdrag[0]
    noted = copy.deepcopy(member.data)
    noted["note"] = "A corrected reading."
    other = Loaded(build(type(member.entity), noted), noted, member.file)
    before, after = member_forest(member, data.codes), member_forest(other, data.codes)
    assert _field_names(compare(before, after, fuzzy=False)) == {"note"}
    assert compare(before, after, fuzzy=True) == []


@pytest.mark.data
def test_the_shipped_years_report_no_year_and_no_bookkeeping() -> None:
    result = run_ovk("--root", str(REPO), "diff", "2024", "2026", "--format", "json")
    assert result.exit_code == 0
    changes = json.loads(result.stdout)["changes"]
    assert changes
    fields = {(c["field"] or "").rsplit(".", 1)[-1] for c in changes}
    assert not fields & BOOKKEEPING
