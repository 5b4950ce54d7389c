"""`ovk diff`: matching by identity and title, field changes, git revisions, the reports."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ovk.cli.terminal import RichTerminal
from ovk.diff.compare import diff
from ovk.diff.report import as_text
from tests.conftest import REPO, git, make_tree, run_ovk, shipped_years

REPORT = REPO / "docs" / "diff-2024-2026.md"


def changes(root: Path, *args: str) -> list[dict[str, Any]]:
    result = run_ovk("--root", str(root), "diff", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["changes"]  # type: ignore[no-any-return]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def make_four_edits(root: Path) -> None:
    """Rename an uppdrag, move a due date, delete a paragraph, add an indicator column and
    a value in it."""
    year = root / "agreements" / "2026"
    edit(
        year / "uppdrag" / "okat-valdeltagande.yaml",
        "title: Ökat valdeltagande",
        "title: Ökat valdeltagande i valen",
    )
    edit(year / "uppdrag" / "starkt-arbete-for-tillvaxt.yaml", "due: 2028-12-31", "due: 2029-06-30")
    edit(
        year / "divisions" / "KLK.yaml",
        "text: [Kommunledningskontoret medverkar i kvalitetsarbetet.]",
        "text: []",
    )
    edit(
        year / "malomraden.yaml",
        '- {key: "2024", label: Utfall 2024}',
        '- {key: "2024", label: Utfall 2024}\n              - {key: "2025", label: Utfall 2025}',
    )
    edit(year / "malomraden.yaml", '"2024": "7,9%"}', '"2024": "7,9%", "2025": "7,5%"}')


FOUR_EDITS = [
    (
        "renamed",
        "uppdrag",
        "okat-valdeltagande",
        "title",
        "Ökat valdeltagande",
        "Ökat valdeltagande i valen",
    ),
    ("changed", "uppdrag", "starkt-arbete-for-tillvaxt", "due", "2028-12-31", "2029-06-30"),
    (
        "changed",
        "area",
        "KLK/allmant/kvalitet",
        "text",
        "Kommunledningskontoret medverkar i kvalitetsarbetet.",
        "",
    ),
    (
        "changed",
        "table",
        "nykopings-kommun-ska-vara-en-attraktiv/1",
        "columns",
        "Utfall 2023\nUtfall 2024",
        "Utfall 2023\nUtfall 2024\nUtfall 2025",
    ),
    (
        "changed",
        "indicator",
        "nykopings-kommun-ska-vara-en-attraktiv/1/sjukfranvaro-andel",
        "Utfall 2025",
        None,
        "7,5%",
    ),
]


def summary(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    keys = ("change", "kind", "id", "field", "old", "new")
    return sorted(tuple(c[k] for k in keys) for c in found)


def test_a_year_compared_with_itself_has_no_differences_and_exits_0(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "diff", "2026", "2026", "--exit-code")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.endswith("\nInga ändringar.\n")


@pytest.mark.data
@pytest.mark.parametrize("year", shipped_years())
def test_a_shipped_year_compared_with_itself_has_no_differences(year: int) -> None:
    result = run_ovk("--root", str(REPO), "diff", str(year), str(year), "--exit-code")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.endswith("\nInga ändringar.\n")


def test_a_revision_compared_with_itself_exits_0(repo: Path) -> None:
    result = run_ovk("--root", str(repo), "diff", "HEAD", "HEAD", "--exit-code")
    assert result.exit_code == 0
    assert result.stdout.endswith("\nInga ändringar.\n")


def test_two_commits_report_exactly_the_four_edits(repo: Path) -> None:
    make_four_edits(repo)
    git(repo, "commit", "-q", "-am", "edits")
    found = changes(repo, "HEAD~1", "HEAD")
    assert summary(found) == sorted(FOUR_EDITS)
    assert {c["matched"] for c in found} == {"id"}


def test_a_year_at_a_revision_against_the_working_tree(repo: Path) -> None:
    make_four_edits(repo)  # not committed: the pull-request case, main:2026 against the tree
    assert summary(changes(repo, "main:2026", "2026")) == sorted(FOUR_EDITS)
    assert set(git_status(repo).splitlines()) == {
        " M agreements/2026/divisions/KLK.yaml",
        " M agreements/2026/malomraden.yaml",
        " M agreements/2026/uppdrag/okat-valdeltagande.yaml",
        " M agreements/2026/uppdrag/starkt-arbete-for-tillvaxt.yaml",
    }, "the working tree was touched"


def git_status(repo: Path) -> str:
    done = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_a_changed_due_date_exits_1_and_names_uppdrag_field_and_swedish_dates(repo: Path) -> None:
    edit(
        repo / "agreements/2026/uppdrag/starkt-arbete-for-tillvaxt.yaml",
        "due: 2028-12-31",
        "due: 2029-06-30",
    )
    git(repo, "commit", "-q", "-am", "later")
    result = run_ovk("--root", str(repo), "diff", "HEAD~1", "HEAD", "--exit-code")
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if "Slutdatum:" in line)
    assert line.strip() == "Slutdatum: [-31 december 2028-] → {+30 juni 2029+}"
    [due] = changes(repo, "HEAD~1", "HEAD")
    assert (due["field"], due["old"], due["new"]) == ("due", "2028-12-31", "2029-06-30")
    assert "Uppdrag 2.1.4 Stärkt arbete för tillväxt" in result.stdout


def test_amounts_are_shown_with_their_difference(repo: Path) -> None:
    klk = repo / "agreements/2026/divisions/KLK.yaml"
    edit(klk, "belopp: 27.5}", "belopp: 30.0}")
    edit(klk, "belopp: 76.9}", "belopp: 79.4}")
    result = run_ovk("--root", str(repo), "diff", "HEAD:2026", "2026", "--format", "markdown")
    assert "  - Belopp: ~~27,5~~ → **30,0** mnkr (+2,5)" in result.stdout
    assert "  - Summa › Belopp: ~~76,9~~ → **79,4** mnkr (+2,5)" in result.stdout
    [row] = [c for c in changes(repo, "HEAD:2026", "2026") if c["field"] == "belopp"]
    assert (row["old"], row["new"], row["delta"], row["unit"]) == (27.5, 30.0, 2.5, "mnkr")


def test_owners_changes_are_members_added_and_removed(repo: Path) -> None:
    edit(repo / "agreements/2026/uppdrag/okat-valdeltagande.yaml", "owners: [KLK]", "owners: [TEK]")
    [change] = [c for c in changes(repo, "HEAD:2026", "2026") if c["field"] == "owners"]
    assert (change["old"], change["new"]) == (["KLK"], ["TEK"])
    text = run_ovk("--root", str(repo), "diff", "HEAD:2026", "2026").stdout
    assert "Mottagare: tillagda {+TEK+} · borttagna [-KLK-]" in text


def test_a_year_added_at_a_revision_is_one_change(repo: Path) -> None:
    (repo / "agreements" / "2026").rename(repo / "agreements" / "2027")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "move")
    found = changes(repo, "HEAD~1", "HEAD")
    assert summary(found) == [
        ("added", "year", "2027", None, None, None),
        ("removed", "year", "2026", None, None, None),
    ]


def test_bad_years_and_revisions_are_one_line_usage_errors(repo: Path) -> None:
    for args in (
        ["2025", "2026"],
        ["no-such-rev", "HEAD"],
        ["HEAD", "2026"],
        ["2026", "main:2025"],
    ):
        result = run_ovk("--root", str(repo), "diff", *args)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("ovk: error:"), args


def test_revisions_outside_git_are_a_usage_error(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "diff", "HEAD", "HEAD")
    assert result.exit_code == 2
    assert "git cannot read revisions: fatal: not a git repository" in result.stderr


def test_between_years_entities_match_by_id_then_by_title(two_year_tree: Path) -> None:
    year = two_year_tree / "agreements" / "2027"
    edit(year / "divisions" / "KLK.yaml", "- id: kvalitet\n", "- id: kvalitetsarbete\n")
    edit(year / "divisions" / "KLK.yaml", "heading: Kvalitet\n", "heading: Kvalitetsarbete\n")
    edit(year / "uppdrag" / "starkt-arbete-for-tillvaxt.yaml", "note: null", "note: Ny källa.")
    created = run_ovk(
        *("--root", str(two_year_tree), "new", "division", "--year", "2027"),
        *("--code", "ROS", "--name", "Räddning och säkerhet"),
    )
    assert created.exit_code == 0, created.stderr
    found = changes(two_year_tree, "2026", "2027")
    removed = {c["id"] for c in found if c["change"] == "removed"}
    added = {c["id"] for c in found if c["change"] == "added"}
    # same id in both years: matched, not removed and added
    assert "nykopings-kommun-ska-vara-en-attraktiv" not in removed | added
    assert "starkt-arbete-for-tillvaxt" not in removed | added
    # an area whose id changed with its heading: matched by title, and says so
    [renamed] = [c for c in found if c["field"] == "heading" and c["kind"] == "area"]
    assert (renamed["id"], renamed["old_id"]) == (
        "KLK/allmant/kvalitetsarbete",
        "KLK/allmant/kvalitet",
    )
    assert renamed["matched"].startswith("title ")
    assert (renamed["old"], renamed["new"]) == ("Kvalitet", "Kvalitetsarbete")
    # a whole new division is one change, not one per paragraph
    assert "ROS" in added and not any(c["id"].startswith("ROS/") for c in found)
    # transcribers' notes speak of the source documents, not of the agreement
    assert not any(c["field"] == "note" for c in found)


@pytest.mark.data
def test_the_shipped_years_continue_goals_and_grunduppdrag_by_id_then_by_title() -> None:
    found = changes(REPO, "2024", "2026")
    removed = {c["id"] for c in found if c["change"] == "removed"}
    added = {c["id"] for c in found if c["change"] == "added"}
    # same id in both years: matched, not removed and added
    assert "tydlig-politisk-styrning-leder-till-effektiv" not in removed | added
    # a KLK area whose id changed with its heading: matched by title, and says so
    [renamed] = [
        c
        for c in found
        if c["id"] == "KLK/hr-avdelningen/lon-forman-och-pension" and c["field"] == "heading"
    ]
    assert renamed["old_id"] == "KLK/hr-avdelningen/lon-och-pension"
    assert renamed["matched"].startswith("title ")
    assert (renamed["old"], renamed["new"]) == ("Lön och pension", "Lön, förmån och pension")
    # whole divisions new in 2026 are one change each, not one per paragraph
    assert {"TEK", "SHB", "ROS", "NKF", "DSO", "DU"} <= added
    assert not any(c["id"].startswith("TEK/") for c in found)
    # transcribers' notes speak of the source documents, not of the agreement
    assert not any(c["field"] == "note" for c in found)


def test_only_and_division_narrow_the_report(repo: Path) -> None:
    make_four_edits(repo)
    found = changes(repo, "HEAD:2026", "2026", "--only", "uppdrag", "--division", "TEK")
    assert found and all(c["category"] == "uppdrag" and "TEK" in c["divisions"] for c in found)
    everything = changes(repo, "HEAD:2026", "2026")
    expected = [c for c in everything if c["category"] == "uppdrag" and "TEK" in c["divisions"]]
    assert found == expected and len(found) < len(everything)


def test_unknown_division_is_a_usage_error(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "diff", "2026", "2026", "--division", "XYZ")
    assert result.exit_code == 2
    assert "XYZ" in result.stderr and "KLK" in result.stderr


def test_markdown_makes_hostile_data_literal(repo: Path) -> None:
    hostile = "<script>alert(1)</script> | [länk](http://x) **fet** {{ 7*7 }}"
    edit(
        repo / "agreements/2026/uppdrag/okat-valdeltagande.yaml",
        "title: Ökat valdeltagande",
        f"title: '{hostile}'",
    )
    report = run_ovk(
        "--root", str(repo), "diff", "HEAD:2026", "2026", "--format", "markdown"
    ).stdout
    assert "<script>" not in report
    assert "\\<script\\>" in report
    assert "\\| \\[länk\\](http://x) \\*\\*fet\\*\\*" in report
    # every table row keeps its cells: a name and one count per status
    rows = [line for line in report.splitlines() if line.startswith("| ")]
    assert rows
    for line in rows:
        assert line.count(" | ") == 5, line


def test_word_diff_marks_only_the_changed_words(repo: Path) -> None:
    edit(
        repo / "agreements/2026/uppdrag/okat-valdeltagande.yaml",
        "Valdeltagandet i kommunen behöver höjas.",
        "Valdeltagandet i hela kommunen behöver höjas tydligt.",
    )
    text = run_ovk("--root", str(repo), "diff", "HEAD:2026", "2026").stdout
    assert (
        "Beskrivning: Valdeltagandet i {+hela+} kommunen behöver [-höjas.-] {+höjas tydligt.+}"
        in text
    )


@pytest.mark.data
def test_the_committed_2024_2026_report_is_current() -> None:
    """docs/diff-2024-2026.md is `ovk diff 2024 2026 --format markdown`; regenerate with
    `ovk diff 2024 2026 --format markdown > docs/diff-2024-2026.md`."""
    result = run_ovk("--root", str(REPO), "diff", "2024", "2026", "--format", "markdown")
    assert result.exit_code == 0
    assert REPORT.read_text(encoding="utf-8") == result.stdout


def test_a_root_below_the_top_of_the_repository_reads_its_own_folder(tmp_path: Path) -> None:
    top = tmp_path / "top"
    root = make_tree(top / "kommun")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "base")
    make_four_edits(root)
    assert summary(changes(root, "main:2026", "2026")) == sorted(FOUR_EDITS)


def test_invalid_data_is_a_located_error_not_a_crash(repo: Path) -> None:
    (repo / "agreements/2026/uppdrag/broken.yaml").write_text("x: [\n", encoding="utf-8")
    result = run_ovk("--root", str(repo), "diff", "HEAD:2026", "2026")
    assert result.exit_code == 2  # 1 is only "differences" (--exit-code)
    assert result.stderr == (
        "ovk: error: agreements/2026/uppdrag/broken.yaml:2:1 is not valid; "
        "run 'ovk validate' for details\n"
    )


def test_terminal_output_shows_rich_markup_in_data_literally(repo: Path) -> None:
    edit(
        repo / "agreements/2026/uppdrag/okat-valdeltagande.yaml",
        "title: Ökat valdeltagande",
        "title: '[bold]Ökat[/bold] valdeltagande'",
    )
    out = io.StringIO()
    as_text(diff(repo, "HEAD:2026", "2026"), out, RichTerminal(out))
    assert "[bold]Ökat[/bold] valdeltagande" in out.getvalue()
