"""The fast path (C parser, jsonschema-rs) and the located path (ruamel.yaml round-trip,
jsonschema) agree: same data, same verdicts, same findings, over every example file, the real
agreements (the cases marked `data`) and the YAML Test Suite. The fast path may only ever say
"clean"."""

from __future__ import annotations

import math
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest

from ovk.model import conformance
from ovk.model.conformance import schema_accepts, schema_validator
from ovk.model.layout import agreement_file
from ovk.validate.engine import check_file, validate
from ovk.yamlio.loader import (
    _DOUBT,
    Document,
    decode,
    duplicate_findings,
    fast_data,
    fast_load,
    fast_load_bytes,
    load_text,
)
from tests.conftest import AGREEMENTS, BASE, CASES, EXAMPLES, REPO, make_tree

SUITE = REPO / "tests" / "data" / "yaml-test-suite"
REAL_FILES = sorted(AGREEMENTS.rglob("*.yaml"))
YAML_FILES = sorted([*EXAMPLES.rglob("*.yaml"), *REAL_FILES, *SUITE.glob("*/*.yaml")])


def data_marked(paths: list[Path]) -> list[Any]:
    """The paths as parameters, those of the shipped agreements marked `data`."""
    return [
        pytest.param(p, marks=pytest.mark.data, id=str(p.relative_to(REPO)))
        if p.is_relative_to(AGREEMENTS)
        else pytest.param(p, id=str(p.relative_to(REPO)))
        for p in paths
    ]


def same(a: Any, b: Any) -> bool:
    """Equal with equal types all the way down (1, 1.0 and True are three values here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def test_the_corpus_is_there() -> None:
    assert len([p for p in YAML_FILES if not p.is_relative_to(AGREEMENTS)]) > 450


@pytest.mark.parametrize("source", data_marked(YAML_FILES))
def test_fast_data_is_the_located_data(source: Path) -> None:
    text = decode(source.read_bytes(), "x")
    if not isinstance(text, str):
        return  # not UTF-8: neither path reads it
    fast = fast_data(text)
    if fast is _DOUBT:
        return  # the located path judges alone
    located = load_text(text, "x")
    assert located.document is not None and not located.findings, "fast path accepted it"
    assert same(fast, located.document.data)
    marked = Document(None)
    marked_data = fast_data(text, marked)
    if marked_data is not _DOUBT:  # with locations it may doubt more (empty values)
        assert same(marked_data, fast)
        assert marked.values == located.document.values
        assert marked.keys == located.document.keys


@pytest.mark.parametrize("source", data_marked(YAML_FILES))
def test_fast_data_reads_duplicate_keys_as_the_located_loader(source: Path) -> None:
    text = decode(source.read_bytes(), "x")
    if not isinstance(text, str):
        return
    marked = Document(None)
    data = fast_data(text, marked, duplicates=True)
    if data is _DOUBT:
        return
    located = load_text(text, "x")
    assert located.document is not None
    assert same(data, located.document.data)
    assert (marked.values, marked.keys) == (located.document.values, located.document.keys)
    assert duplicate_findings(marked, "x") == located.findings


DUPLICATES = {
    "one": "a: 1\na: 2\n",
    "thrice": "a: 1\nb: 2\na: 3\na: [4]\n",
    "a map passed over": "a: {x: 1}\nb: 2\na: {x: 2, x: 3, y: [1, {z: 1}]}\nc: 3\n",
    "in a list": "b:\n  - y: 1\n    y: [2]\n    z: 3\n  - q\n",
    "numbers as text": "1: a\n'1': b\n",
    "nested": "a:\n  b:\n    c: 1\n    c: 2\n  b: 3\n",
}


@pytest.mark.parametrize("text", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_a_duplicate_key_is_read_past_with_the_located_loaders_data_locations_and_findings(
    text: str,
) -> None:
    marked = Document(None)
    data = fast_data(text, marked, duplicates=True)
    located = load_text(text, "x")
    assert located.document is not None and located.findings
    assert {f.rule for f in located.findings} == {"duplicate-key"}
    assert same(data, located.document.data)
    assert (marked.values, marked.keys) == (located.document.values, located.document.keys)
    assert duplicate_findings(marked, "x") == located.findings
    assert fast_data(text) is _DOUBT  # without `duplicates` it stays a doubt
    document = fast_load_bytes(text.encode(), duplicates=True)
    assert document is not None and document.duplicates == marked.duplicates


def test_a_duplicate_key_s_file_is_checked_on_the_fast_path_with_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path / "repo", None)
    target = next((root / "agreements").rglob("uppdrag/*.yaml"))
    text = target.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    target.write_text(text + title.replace("title:", "title: ") + "\n", encoding="utf-8")
    file = agreement_file(target, root)
    located = check_file(file, root, fast=False).findings
    assert [f.rule for f in located] == ["duplicate-key"]

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the located loader was asked")

    monkeypatch.setattr(conformance, "load_bytes", refused)
    monkeypatch.setattr(conformance, "load_path", refused)
    assert check_file(file, root, fast=True).findings == located


@pytest.mark.parametrize("case", [None, *CASES], ids=lambda c: c.name if c else "_base")
def test_fast_and_located_validate_agree_on_each_example(tmp_path: Path, case: Path | None) -> None:
    root = make_tree(tmp_path / "repo", case)
    fast = validate(root, fast=True)
    located = validate(root, fast=False)
    assert fast.findings == located.findings
    assert fast.files_checked == located.files_checked


@pytest.mark.data
def test_fast_and_located_validate_agree_on_the_real_agreements() -> None:
    assert validate(REPO, fast=True) == validate(REPO, fast=False)


@pytest.mark.parametrize("source", sorted(SUITE.glob("*/*.yaml"))[::3], ids=lambda p: p.parent.name)
def test_fast_and_located_check_agree_on_suite_inputs(tmp_path: Path, source: Path) -> None:
    target = tmp_path / "agreements" / "2026" / "uppdrag" / "case.yaml"
    target.parent.mkdir(parents=True)
    target.write_bytes(source.read_bytes())
    file = agreement_file(target, tmp_path)
    assert check_file(file, tmp_path, fast=True).findings == (
        check_file(file, tmp_path, fast=False).findings
    )


def test_fast_load_refuses_what_only_the_located_path_may_judge(tmp_path: Path) -> None:
    doubtful = {
        "anchor": "a: &x 1\nb: 2\n",
        "alias": "a: &x 1\nb: *x\n",
        "tag": "a: !!str 1\n",
        "local tag": "a: !vault x\n",
        "tag on a key": "!vault a: x\n",
        "core tag on a key": "!!str a: x\n",
        "duplicate key": "a: 1\na: 2\n",
        "merge key": "<<: {a: 1}\n",
        "list as key": "? [a]\n: 1\n",
        "two documents": "a: 1\n---\nb: 2\n",
        "directive": "%YAML 1.2\n---\na: 1\n",
        "YAML 1.1": "%YAML 1.1\n---\na: yes\n",
        "deep": "".join(" " * i + "a:\n" for i in range(100)),
        "syntax": "a: [1\n",
        "tab": "a:\n\t- b\n",
    }
    for name, text in doubtful.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        assert fast_load(path) is None, name
    for name, raw in {
        "latin-1": "a: Ö\n".encode("latin-1"),
        "utf-16": "a: 1\n".encode("utf-16"),
    }.items():
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(raw)
        assert fast_load(path) is None, name
    (tmp_path / "big.yaml").write_text("a: 1\n", encoding="utf-8")
    assert fast_load(tmp_path / "big.yaml", max_bytes=3) is None


@pytest.mark.parametrize(
    "text",
    ["k: x\x85y\n", "x\x85y: v\n", "- x\u2028y\n", "k: x\u2029y\n", "\ufeff\ufeffk: v\n"],
    ids=["NEL", "NEL in a key", "line separator", "paragraph separator", "a second BOM"],
)
def test_what_ruamel_yaml_reads_as_a_line_break_is_left_to_the_located_path(text: str) -> None:
    # libyaml keeps these characters in the text; ruamel.yaml's own parser breaks the line
    # there (or drops the BOM), so the C parser's data would not be the located loader's.
    located = load_text(text, "x")
    assert located.document is not None
    assert fast_data(text) is _DOUBT


def test_yaml_1_2_scalars_on_the_fast_path() -> None:
    data = fast_data(
        "a: yes\nb: no\nc: on\nd: 0158\ne: 0o17\nf: 1_000\ng: 2026-02-30\nh: ~\ni: true\n"
        "j: 1:30\nl: '012'\nm: 1.5\nn: 1e3\n"
    )
    assert same(
        data,
        {
            "a": "yes",
            "b": "no",
            "c": "on",
            "d": 158,
            "e": 15,
            "f": 1000,
            "g": "2026-02-30",
            "h": None,
            "i": True,
            "j": "1:30",
            "l": "012",
            "m": 1.5,
            "n": 1000.0,
        },
    )


@pytest.mark.parametrize("written", [".nan", ".NaN", ".inf", "-.Inf", "+.INF", "1e999", "-1e999"])
def test_the_fast_path_leaves_a_non_finite_number_to_the_located_path(written: str) -> None:
    text = f"a: 1\nb: [2, {written}]\n"
    assert fast_data(text) is _DOUBT
    assert fast_data(text, Document(None)) is _DOUBT
    assert fast_data(text.replace(written, "3.5")) == {"a": 1, "b": [2, 3.5]}


def test_only_the_fast_paths_documents_are_known_to_hold_finite_numbers() -> None:
    # non_finite_findings walks the data of every other document for NaN and infinity.
    for located in (False, True):
        document = fast_load_bytes(b"a: 1.5\nb: [1e3]\n", located=located)
        assert document is not None and document.finite
    loaded = load_text("a: 1.5\nb: .nan\n", "x").document
    assert loaded is not None and not loaded.finite


# Values where two validators could part: jsonschema-rs may be stricter than jsonschema
# (then the located path judges), never more lenient.
EDGE_VALUES: list[Any] = [
    True,
    False,
    0,
    1,
    -1,
    2**70,
    -(2**70),
    1.0,
    1.5,
    math.inf,
    math.nan,
    None,
    "",
    "KLK",
    "klk",
    "KLK\n",
    "abc-def\n",
    "2026-12-31",
    "2026-12-31\n",
    "2026-02-30",
    "2026-1-01",
    "２０２６-01-01",
    "2026-12-31T00:00:00",
    "1.1.3",
    "1.1.3\n",
    "U01405",
    "U01405\n",
    [],
    {},
    ["KLK"],
    ["KLK", "KLK"],
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        found.extend(_paths(value, (*path, key)))
    return found


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = deepcopy(data)
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


BASE_FILES = sorted((BASE / "agreements").rglob("*.yaml"))


@pytest.mark.parametrize("source", BASE_FILES, ids=lambda p: p.name)
def test_jsonschema_rs_never_accepts_what_jsonschema_rejects(source: Path) -> None:
    file = agreement_file(source, BASE)
    assert file.kind is not None
    directory = REPO / "schema"
    document = load_text(source.read_text(encoding="utf-8"), "x").document
    assert document is not None
    reference = schema_validator(file.kind, directory)
    assert schema_accepts(file.kind, directory, document.data)
    checked = 0
    for path in _paths(document.data):
        for value in EDGE_VALUES:
            data = _replaced(document.data, path, value)
            if schema_accepts(file.kind, directory, data):
                assert reference.is_valid(data), (path, value)
                checked += 1
    assert checked


def test_a_process_pool_gives_the_same_report(two_year_tree: Path) -> None:
    broken = "agreements/2026/uppdrag/starkt-arbete-for-tillvaxt.yaml"  # 2027 stays clean
    case = next(c for c in CASES if c.name == "duplicate-number")
    (two_year_tree / broken).write_bytes((case / broken).read_bytes())
    report = validate(two_year_tree, workers=1)
    assert report.findings
    assert validate(two_year_tree, workers=2) == report


@pytest.mark.data
def test_a_process_pool_gives_the_same_report_on_the_real_agreements() -> None:
    assert validate(REPO, workers=2) == validate(REPO, workers=1)


BREAKS = {
    "first key dropped": lambda text: "\n".join(
        line for n, line in enumerate(text.split("\n")) if n != 1
    ),
    "null in a list": lambda text: text.replace(": null", ": [null]", 1),
    "unknown key": lambda text: text + "zzz: 1\n",
}


@pytest.mark.parametrize("source", data_marked([*BASE_FILES, *REAL_FILES]))
def test_schema_findings_are_located_alike_on_broken_files(tmp_path: Path, source: Path) -> None:
    for name, change in BREAKS.items():
        target = tmp_path / source.relative_to(BASE if source.is_relative_to(BASE) else REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(change(source.read_text(encoding="utf-8")), encoding="utf-8")
        file = agreement_file(target, tmp_path)
        fast = check_file(file, tmp_path, fast=True).findings
        assert fast == check_file(file, tmp_path, fast=False).findings, name
        assert fast or name == "null in a list"


def test_progress_is_told_each_year_folder(two_year_tree: Path) -> None:
    calls: list[tuple[int, int]] = []
    report = validate(two_year_tree, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) == 2
    assert calls[-1] == (report.files_checked, report.files_checked)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
