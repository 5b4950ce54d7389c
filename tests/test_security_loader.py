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
from tests.conftest import BASE, Result, run_ovk

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


CASES = {
    **{f"tagged key, {name}": (text, "unsafe-tag") for name, text in TAGGED_KEYS.items()},
    **{name: (text, "tag-mismatch") for name, text in MISMATCHED.items()},
}


@pytest.mark.parametrize("name", CASES)
def test_a_tag_is_one_finding_located_where_it_is_written(name: str) -> None:
    """A tag on a key is `unsafe-tag` at the key, as on a value; a core tag on text not of
    its type is `tag-mismatch`; neither file is ever "clean" on the fast path."""
    text, rule = CASES[name]
    at = text.index("!")
    line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    assert [(r, ln, col) for r, ln, col, _ in _findings(text)] == [(rule, line, column)]
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


# --- comments stay with the entry written after them ----------------------------------------

MESSY_UPPDRAG = """\
# yaml-language-server: $schema=../../../schema/uppdrag.schema.json
year: 2026
# about the id, which formatting puts first
id: okat-valdeltagande
number: "2.1.3"
title: Ökat valdeltagande
origin: KF
text:
  - Valdeltagandet i kommunen behöver höjas.
  # about the second paragraph
  - En andra mening.
owners: [KLK]
lead: null
# about the due date
due: 2026-12-31   # end of line, kept on its line
# about the start date

start: 2026-01-01
followup: [vår, delår, helår]
note: null
# at the end of the file
"""

MESSY_DIVISION = """\
# yaml-language-server: $schema=../../../schema/division.schema.json
year: 2026
code: TEK
name: Tekniska divisionen
grunduppdrag:
  # about the title, after the number
  title: Grunduppdrag Tekniska divisionen
  # about the number
  number: null
  sections:
    - id: allmant
      # about the heading, in a list item
      heading: Allmänt
      # about the number of the section
      number: null
      text: [Divisionen deltar i arbetet med Fokus nöjd kund.]
      areas: []
      uppfoljning: []
      note: null
ersattning:
  heading: Tekniska divisionen (KS)
  # about the unit, which comes after the text
  unit: mnkr
  text: []
  missing_in_source: true
  rows: []
  total: null
  note: Ersättningstabellen var en bild i källan.
samrad: null
note: null
"""

ABOVE = {  # each comment, and the line that must come directly after it
    MESSY_UPPDRAG: {
        "# about the id, which formatting puts first": "id: okat-valdeltagande",
        "# about the second paragraph": "- En andra mening.",
        "# about the due date": "due: 2026-12-31   # end of line, kept on its line",
        "# about the start date": "",  # the blank line travels with it
        "# at the end of the file": None,  # the end of the file
    },
    MESSY_DIVISION: {
        "# about the title, after the number": "title: Grunduppdrag Tekniska divisionen",
        "# about the number": "number: null",
        "# about the heading, in a list item": "heading: Allmänt",
        "# about the number of the section": "number: null",
        "# about the unit, which comes after the text": "unit: mnkr",
    },
}
FILES = {
    MESSY_UPPDRAG: "agreements/2026/uppdrag/okat-valdeltagande.yaml",
    MESSY_DIVISION: "agreements/2026/divisions/TEK.yaml",
}


def assert_each_comment_above_its_entry(before: str, after: str) -> None:
    lines = after.splitlines()
    for comment, following in ABOVE[before].items():
        at = [n for n, line in enumerate(lines) if line.strip() == comment]
        assert len(at) == 1, comment
        below = lines[at[0] + 1] if at[0] + 1 < len(lines) else None
        assert (below if below is None else below.strip()) == following, (comment, below)
        # the same key at the same depth: the line after the comment in the original
        original = before.splitlines()
        where = next(n for n, line in enumerate(original) if line.strip() == comment)
        assert (original[where + 1] if where + 1 < len(original) else None) == below
    if before is MESSY_UPPDRAG:
        assert lines[lines.index("# about the start date") + 2] == "start: 2026-01-01"
        keys = [line.split(":")[0] for line in lines if line[:1].isalpha()]
        assert keys[:2] == ["id", "year"] and keys.index("start") < keys.index("due")


@pytest.mark.parametrize("before", list(FILES.values()), ids=["top level", "nested and in lists"])
def test_fmt_keeps_each_comment_directly_above_its_key(base_tree: Path, before: str) -> None:
    text = next(t for t, name in FILES.items() if name == before)
    path = base_tree / before
    path.write_text(text, encoding="utf-8")
    result = run_ovk("--root", str(base_tree), "fmt")
    assert result.exit_code == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert after != text  # keys were reordered
    assert_each_comment_above_its_entry(text, after)
    assert run_ovk("--root", str(base_tree), "fmt", "--check").exit_code == 0


def test_new_year_keeps_each_comment_directly_above_its_key(base_tree: Path) -> None:
    for text, name in FILES.items():
        (base_tree / name).write_text(text.replace("due: 2026-12-31", "due: 2027-12-31"))
    result = run_ovk("--root", str(base_tree), "new", "year", "2027", "--from", "2026")
    assert result.exit_code == 0, result.stderr
    for text, name in FILES.items():
        after = (base_tree / name.replace("2026", "2027", 1)).read_text(encoding="utf-8")
        moved = text.replace("due: 2026-12-31", "due: 2027-12-31").replace(
            "year: 2026", "year: 2027"
        )
        ABOVE[moved] = {
            comment: (following or "").replace("2026-12-31", "2027-12-31") or following
            for comment, following in ABOVE[text].items()
        }
        try:
            assert_each_comment_above_its_entry(moved, after)
        finally:
            del ABOVE[moved]


def test_fmt_refuses_a_comment_it_cannot_keep_above_its_key(base_tree: Path) -> None:
    path = base_tree / "agreements/2026/divisions/TEK.yaml"
    text = (BASE / "agreements/2026/divisions/TEK.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    - id: allmant\n      number: null\n",
        "    - number: null\n      # about the id, which would go first in the item\n"
        "      id: allmant\n",
    )
    path.write_text(text, encoding="utf-8")
    result = run_ovk("--root", str(base_tree), "fmt")
    assert result.exit_code == 1
    line = text.splitlines().index("      # about the id, which would go first in the item") + 1
    assert f"agreements/2026/divisions/TEK.yaml:{line}:7: cannot format:" in result.stderr
    assert path.read_text(encoding="utf-8") == text


AGREEMENT = "agreements/2026/overenskommelse.yaml"
NEW_DIVISION = ("new", "division", "--year", "2026", "--code", "ROS", "--name", "Räddning")


def _new_division(root: Path, old: str, new: str) -> tuple[str, Result]:
    """`ovk new division` after `old` became `new` in the agreement: its text and the run."""
    path = root / AGREEMENT
    text = path.read_text(encoding="utf-8").replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text, run_ovk("--root", str(root), *NEW_DIVISION)


def test_new_division_keeps_a_comment_above_the_key_after_the_list(base_tree: Path) -> None:
    _, result = _new_division(
        base_tree,
        "  - {code: TEK, name: Tekniska divisionen}\nsections:",
        "  - code: TEK\n    name: Tekniska divisionen\n# about the sections\nsections:",
    )
    assert result.exit_code == 0, result.stderr
    lines = (base_tree / AGREEMENT).read_text(encoding="utf-8").splitlines()
    assert lines[lines.index("# about the sections") + 1] == "sections:"
    assert lines[lines.index("# about the sections") - 1] == "    name: Räddning"


def test_new_division_refuses_to_drop_a_comment(base_tree: Path) -> None:
    text, result = _new_division(
        base_tree,
        "  - {code: TEK, name: Tekniska divisionen}",
        "  - {code: TEK, # the technical division\n     name: Tekniska divisionen}",
    )
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    line = text.splitlines().index("  - {code: TEK, # the technical division") + 1
    assert f"{AGREEMENT}:{line}:17: the comment 'the technical division'" in result.stderr
    assert (base_tree / AGREEMENT).read_text(encoding="utf-8") == text  # nothing written
    assert not (base_tree / "agreements/2026/divisions/ROS.yaml").exists()
