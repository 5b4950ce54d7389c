"""`ovk fmt`: the canonical style, every comment and value kept, --check for hooks and CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovk.model.layout import agreement_file, classify, modeline_for
from ovk.tools.fmt import format_file, format_text
from ovk.yamlio.loader import load_path, load_text
from tests.conftest import AGREEMENTS, BASE, CASES, EXAMPLES as EXAMPLES_DIR, REPO, run_ovk

REAL_FILES = sorted(AGREEMENTS.rglob("*.yaml"))
EXAMPLES = sorted(BASE.rglob("*.yaml")) + [
    p
    for case in CASES
    for p in case.rglob("*.yaml")
    if p.name != "case.yaml" and classify(p.resolve())[0] is not None
]


def formatted(path: Path) -> str:
    kind, year_dir = classify(path.resolve())
    assert kind is not None and year_dir is not None
    root = year_dir.parent.parent
    modeline = modeline_for(kind, path.resolve(), root)
    return format_text(path.read_text(encoding="utf-8"), kind, modeline)


@pytest.mark.data
def test_shipped_data_is_formatted() -> None:
    result = run_ovk("--root", str(REPO), "fmt", "--check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "would reformat" not in result.stdout


@pytest.mark.data
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_round_trip_keeps_the_data_of_every_real_file(path: Path) -> None:
    before = load_path(path, path.name).document
    text = formatted(path)
    after = load_text(text, path.name).document
    assert before is not None and after is not None
    assert after.data == before.data
    assert text == path.read_text(encoding="utf-8")  # already canonical


def _formattable(path: Path) -> bool:
    """Loads cleanly, holds data, and ruamel.yaml can construct it (no impossible date)."""
    loaded = load_path(path, path.name)
    if loaded.document is None or loaded.findings or loaded.document.data is None:
        return False
    try:
        formatted(path)
    except ValueError:
        return False
    return True


FORMATTABLE = [p for p in EXAMPLES if _formattable(p)]
UNFORMATTABLE = [p for p in EXAMPLES if p not in FORMATTABLE]


@pytest.mark.parametrize("path", FORMATTABLE, ids=lambda p: p.relative_to(REPO).as_posix())
def test_round_trip_keeps_the_data_of_every_loadable_example(path: Path) -> None:
    loaded = load_path(path, path.name).document
    assert loaded is not None
    text = formatted(path)
    after = load_text(text, path.name).document
    assert after is not None and after.data == loaded.data
    assert formatted_again(text, path) == text  # idempotent


@pytest.mark.parametrize("path", UNFORMATTABLE, ids=lambda p: p.relative_to(REPO).as_posix())
def test_a_file_that_cannot_be_formatted_is_reported_and_left_alone(
    path: Path, tmp_path: Path
) -> None:
    case = next(parent for parent in path.parents if parent.parent == EXAMPLES_DIR)
    copy = tmp_path / path.relative_to(case)
    copy.parent.mkdir(parents=True)
    copy.write_bytes(path.read_bytes())
    outcome = format_file(agreement_file(copy, tmp_path), tmp_path, check=False)
    assert outcome.problem and not outcome.changed
    assert copy.read_bytes() == path.read_bytes()


def formatted_again(text: str, path: Path) -> str:
    kind, year_dir = classify(path.resolve())
    assert kind is not None and year_dir is not None
    root = year_dir.parent.parent
    return format_text(text, kind, modeline_for(kind, path.resolve(), root))


MESSY = """\
# A note above everything, kept.
year: 2026   # the year, kept
id: okat-valdeltagande
note: null
title: 'Ökat valdeltagande'
number: '2.1.3'
origin: KF
text:
- Valdeltagandet i kommunen behöver höjas.   # end of a list item
# between keys, kept
owners: [KLK]
followup:
    - vår
    - delår     # an occasion
    - helår
due: 2026-12-31
start: 2026-01-01
lead: null
okänd: behålls   # a key the schema does not know stays, last
"""


def test_fmt_orders_keys_by_the_schema_and_keeps_every_comment(base_tree: Path) -> None:
    path = base_tree / "agreements" / "2026" / "uppdrag" / "okat-valdeltagande.yaml"
    path.write_text(MESSY, encoding="utf-8")
    before = load_text(MESSY, "x").document

    result = run_ovk("--root", str(base_tree), "fmt", "--check")
    assert result.exit_code == 1
    assert result.stdout == "would reformat agreements/2026/uppdrag/okat-valdeltagande.yaml\n"
    assert path.read_text(encoding="utf-8") == MESSY  # --check changes nothing

    result = run_ovk("--root", str(base_tree), "fmt")
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    after = load_text(text, "x").document
    assert before is not None and after is not None and after.data == before.data
    for comment in (
        "# A note above everything, kept.",
        "# the year, kept",
        "# end of a list item",
        "# between keys, kept",
        "# an occasion",
        "# a key the schema does not know stays, last",
    ):
        assert comment in text, comment
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../../schema/uppdrag.schema.json"
    keys = [line.split(":")[0] for line in lines if line[:1].isalpha()]
    assert keys == [
        *("id", "year", "number", "title", "origin", "text", "owners", "lead"),
        *("start", "due", "followup", "note", "okänd"),
    ]
    assert 'number: "2.1.3"' in text and "title: Ökat valdeltagande" not in text
    assert "  - Valdeltagandet" in text and "    - delår" not in text
    assert run_ovk("--root", str(base_tree), "fmt", "--check").exit_code == 0


def test_fmt_leaves_a_broken_file_alone_and_names_it(base_tree: Path) -> None:
    path = base_tree / "agreements" / "2026" / "uppdrag" / "okat-valdeltagande.yaml"
    broken = "id: [unclosed\n"
    path.write_text(broken, encoding="utf-8")
    result = run_ovk("--root", str(base_tree), "fmt", str(path))
    assert result.exit_code == 1
    assert "agreements/2026/uppdrag/okat-valdeltagande.yaml:2:1: cannot format:" in result.stderr
    assert path.read_text(encoding="utf-8") == broken


def test_fmt_writes_only_files_that_change(base_tree: Path) -> None:
    files = sorted((base_tree / "agreements").rglob("*.yaml"))
    stamps = {p: p.stat().st_mtime_ns for p in files}
    result = run_ovk("--root", str(base_tree), "fmt")
    assert result.exit_code == 0
    assert {p: p.stat().st_mtime_ns for p in files} == stamps
    assert not list(base_tree.rglob(".*.yaml.*"))  # no temporary files left


def test_fmt_refuses_to_drop_a_comment_inside_a_flow_list(base_tree: Path) -> None:
    path = base_tree / "agreements" / "2026" / "uppdrag" / "okat-valdeltagande.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "owners: [KLK]", "owners: [KLK, # only KLK\n  ]"
    )
    path.write_text(text, encoding="utf-8")
    result = run_ovk("--root", str(base_tree), "fmt")
    assert result.exit_code == 1
    assert "okat-valdeltagande.yaml:15:15: cannot format: the comment 'only KLK'" in result.stderr
    assert path.read_text(encoding="utf-8") == text
