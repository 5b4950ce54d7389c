"""The loader and `fmt` against a contributor who is not trusted.

The threat: `ovk validate` is the gate a pull request must pass, and `ovk fmt` / `ovk new`
rewrite what contributors wrote. A hostile (or careless) contributor could

- hide a tag on a key (`!vault title: …`, `!!python/object:os.system title: …`), which the
  loader dropped without the `unsafe-tag` finding the same tag on a value gets, so ovk passed
  what check-jsonschema rejects;
- write a plain type's tag on text that is not of that type (`!!bool "maybe"` read as false,
  `!!null "text"` read as null), which the loader silently coerced;
- rely on `ovk fmt` / `ovk new year` moving a full-line comment written above one key onto
  another key when keys are reordered (a note above `due:` ended up above `start:`), and on
  `ovk new division` dropping comments that `fmt` refuses to drop.

Each case here failed before the fix and passes after (but the matching-tag cases, which
pin down what stays allowed): tags are findings wherever they stand
(in both loader paths; the fast path sends every tagged file to the located path), and a
comment stays directly above the key or list item it was written above, or the rewrite is
refused with the line named.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ovk.model.layout import agreement_file
from ovk.validate.engine import check_file
from ovk.yamlio.loader import _DOUBT, fast_data, load_text
from tests.conftest import BASE

UPPDRAG = "agreements/2026/uppdrag/okat-valdeltagande.yaml"
BASE_UPPDRAG = (BASE / UPPDRAG).read_text(encoding="utf-8")


def _findings(text: str) -> list[tuple[str, int, int, str]]:
    loaded = load_text(text, "x")
    return [(f.rule, f.line, f.column, f.path) for f in loaded.findings]


TAGGED_KEYS = {
    "local tag": "!vault title: x\n",
    "python tag": "!!python/object:os.system title: x\n",
    "python apply tag": "a: 1\n!!python/object/apply:os.system title: x\n",
    "nested": "a:\n  !secret b: 1\n",
    "in a list": "a:\n  - !vault b: 1\n",
}


@pytest.mark.parametrize("name", TAGGED_KEYS)
def test_a_tag_on_a_key_is_an_unsafe_tag_finding_at_the_key(name: str) -> None:
    text = TAGGED_KEYS[name]
    line = text.count("\n", 0, text.index("!")) + 1
    column = text.index("!") - text.rfind("\n", 0, text.index("!"))
    found = _findings(text)
    assert [(rule, ln, col) for rule, ln, col, _ in found] == [("unsafe-tag", line, column)]
    assert fast_data(text) is _DOUBT  # the fast path never says "clean" about it


MISMATCHED = {
    '!!bool "maybe"': 'a: !!bool "maybe"\n',
    "!!bool yes": "a: !!bool yes\n",
    '!!null "text"': 'a: !!null "text"\n',
    '!!int "x"': 'a: !!int "x"\n',
    '!!float "abc"': 'a: !!float "abc"\n',
    "!!int 1.5": "a: !!int 1.5\n",
    "!!timestamp x": "a: !!timestamp x\n",
    "!!str on a list": "a: !!str [1]\n",
    "!!seq on a mapping": "a: !!seq {b: 1}\n",
    "!!map on text": "a: !!map x\n",
    "on a key": '!!bool "maybe": 1\n',
}


@pytest.mark.parametrize("name", MISMATCHED)
def test_a_core_tag_on_text_not_of_its_type_is_a_located_finding(name: str) -> None:
    text = MISMATCHED[name]
    column = text.index("!") + 1
    assert [(rule, ln, col) for rule, ln, col, _ in _findings(text)] == [
        ("tag-mismatch", 1, column)
    ]
    assert fast_data(text) is _DOUBT


MATCHING = {
    "!!str 2026": ("a: !!str 2026\n", "2026"),
    '!!int "5"': ('a: !!int "5"\n', 5),
    "!!float 5": ("a: !!float 5\n", 5.0),
    "!!bool true": ("a: !!bool true\n", True),
    "!!null null": ("a: !!null null\n", None),
    "!!null empty": ("a: !!null\n", None),
    "!!int 0x1F": ("a: !!int 0x1F\n", 31),
    "!!str key": ("!!str 5: x\n", None),
}


@pytest.mark.parametrize("name", MATCHING)
def test_a_core_tag_that_matches_its_text_is_fine(name: str) -> None:
    text, value = MATCHING[name]
    loaded = load_text(text, "x")
    assert loaded.findings == [] and loaded.document is not None
    if name == "!!str key":
        assert loaded.document.data == {"5": "x"}
    else:
        assert loaded.document.data == {"a": value}


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (("title: ", "!vault title: "), "unsafe-tag"),
        (("title: ", "!!python/object:os.system title: "), "unsafe-tag"),
        (("lead: null", 'lead: !!null "TEK"'), "tag-mismatch"),
        (("lead: null", 'lead: !!bool "maybe"'), "tag-mismatch"),
        (("year: 2026", 'year: !!int "x"'), "tag-mismatch"),
    ],
    ids=lambda value: value[1] if isinstance(value, tuple) else value,
)
def test_validate_fails_on_either_path(tmp_path: Path, change: tuple[str, str], rule: str) -> None:
    target = tmp_path / UPPDRAG
    target.parent.mkdir(parents=True)
    target.write_text(BASE_UPPDRAG.replace(*change, 1), encoding="utf-8")
    file = agreement_file(target, tmp_path)
    line = BASE_UPPDRAG.split(change[0])[0].count("\n") + 1
    for fast in (True, False):
        found = check_file(file, tmp_path, fast=fast).findings
        assert (rule, line) in {(f.rule, f.line) for f in found}, fast
