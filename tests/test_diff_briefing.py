"""`ovk diff` as a Swedish briefing: what text and Markdown say, in whose words and order.

Tool tests run on the example tree (2026, and 2027 made from it by `ovk new year`); the data
tests read the shipped 2024 → 2026 report as the politicians it is written for would.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ovk.diff.compare import Change
from ovk.diff.report import field_label
from ovk.model.entities import DOCUMENTS, KINDS, Goal, Malomrade, Uppdrag
from ovk.model.spec import properties, reachable
from ovk.output.markdown import escape as md
from tests.conftest import REPO, run_ovk
from tests.test_diff import edit

YEAR_2027 = Path("agreements") / "2027"


def diff(root: Path, *args: str) -> str:
    result = run_ovk("--root", str(root), "diff", *args)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def changes(root: Path, *args: str) -> list[dict[str, Any]]:
    return json.loads(diff(root, *args, "--format", "json"))["changes"]  # type: ignore[no-any-return]


def moved_on(change: dict[str, Any]) -> bool:
    """A change `ovk new year` makes itself: uppdrag left behind, and the agreement's title
    (its year moved on) and diarienummer (cleared)."""
    moved = change["id"] == "agreement" and change.get("field") in {"title", "diarienummer"}
    return change["kind"] == "uppdrag" or moved


def section(report: str, heading: str) -> str:
    """The part of a report from `heading` to the next heading of the same level or above."""
    level = len(heading) - len(heading.lstrip("#"))
    start = report.index(heading + "\n") if level else report.index(heading)
    rest = report[start + len(heading) :]
    ends = [m.start() for m in re.finditer(rf"^#{{1,{level}}} ", rest, re.M)] if level else []
    return rest[: ends[0]] if ends else rest


def new_uppdrag(
    root: Path, ident: str, number: str, title: str, owners: str, lead: str = "null"
) -> None:
    """An uppdrag of 2027, made from the example's starkt-arbete-for-tillvaxt."""
    folder = root / YEAR_2027 / "uppdrag"
    text = (folder / "starkt-arbete-for-tillvaxt.yaml").read_text(encoding="utf-8")
    text = text.replace("id: starkt-arbete-for-tillvaxt", f"id: {ident}")
    text = re.sub(r"^number: .*$", f'number: "{number}"', text, flags=re.M)
    text = re.sub(r"^title: .*$", f"title: {title}", text, flags=re.M)
    text = re.sub(r"^owners: .*$", f"owners: {owners}", text, flags=re.M)
    text = re.sub(r"^lead: .*$", f"lead: {lead}", text, flags=re.M)
    (folder / f"{ident}.yaml").write_text(text, encoding="utf-8")


def with_ros(root: Path) -> None:
    """A third division in 2027, so that two owners are not every division of the year."""
    result = run_ovk(
        *("--root", str(root), "new", "division", "--year", "2027"),
        *("--code", "ROS", "--name", "Räddning och säkerhet"),
    )
    assert result.exit_code == 0, result.stderr


# --- what a source lacks, and bookkeeping --------------------------------------------------


def test_a_table_missing_in_the_new_source_is_said_so_and_its_rows_are_not_removed(
    two_year_tree: Path,
) -> None:
    klk = two_year_tree / YEAR_2027 / "divisions" / "KLK.yaml"
    edit(klk, "missing_in_source: false", "missing_in_source: true")
    edit(klk, "    - {verksamhet: Ekonomiavdelningen, belopp: 27.5}\n", "")
    edit(klk, "    - {verksamhet: HR avdelningen, belopp: 49.4}\n", "")
    edit(klk, "rows:\n", "rows: []\n")
    edit(klk, "total: {label: Summa gemensamt, belopp: 76.9}", "total: null")
    report = diff(two_year_tree, "2026", "2027", "--format", "markdown")
    said = "Ersättning KLK: tabellen saknas i underlaget för 2027"
    assert said in report
    assert "#### Saknas i underlaget" in report and "#### Borttagna" not in report
    assert "Ekonomiavdelningen" not in report and "Summa" not in report
    found = changes(two_year_tree, "2026", "2027")
    assert [(c["change"], c["id"], c.get("missing_year")) for c in found if not moved_on(c)] == [
        ("missing", "KLK/ersattning", 2027)
    ]
    assert said in diff(two_year_tree, "2026", "2027", "--stat")


def test_a_table_still_missing_in_both_years_is_no_change(two_year_tree: Path) -> None:
    for year in ("2026", "2027"):
        klk = two_year_tree / "agreements" / year / "divisions" / "KLK.yaml"
        edit(klk, "missing_in_source: false", "missing_in_source: true")
        edit(klk, "  rows:\n    - {verksamhet: Ekonomiavdelningen, belopp: 27.5}\n", "  rows:\n")
        edit(klk, "    - {verksamhet: HR avdelningen, belopp: 49.4}\n", "")
        edit(klk, "  rows:\n", "  rows: []\n")
        edit(klk, "total: {label: Summa gemensamt, belopp: 76.9}", "total: null")
    assert not [c for c in changes(two_year_tree, "2026", "2027") if not moved_on(c)]


def test_bookkeeping_is_no_change_in_the_briefing_but_is_listed_in_json(repo: Path) -> None:
    year = repo / "agreements" / "2026"
    edit(year / "uppdrag" / "okat-valdeltagande.yaml", "note: null", "note: Läst om i källan.")
    edit(year / "divisions" / "KLK.yaml", "missing_in_source: false", "missing_in_source: true")
    for output in ("text", "markdown"):
        report = diff(repo, "HEAD:2026", "2026", "--format", output)
        assert "Inga ändringar i sak; bara transkriberingens anteckningar har ändrats" in report
        assert "Anteckning" not in report and "Saknas i underlaget" not in report
    found = changes(repo, "HEAD:2026", "2026")
    assert sorted((c["field"], c["bookkeeping"]) for c in found) == [
        ("missing_in_source", True),
        ("note", True),
    ]
    result = run_ovk("--root", str(repo), "diff", "HEAD:2026", "2026", "--exit-code")
    assert result.exit_code == 1  # a corrected reading is still a difference to review


def test_a_revision_diff_of_one_year_names_its_sides_in_swedish(repo: Path) -> None:
    edit(repo / "agreements/2026/uppdrag/okat-valdeltagande.yaml", "(KS)", "(KS, KLK)")
    report = diff(repo, "HEAD:2026", "2026")
    assert report.startswith("Ändringar från 2026 i HEAD (")
    assert report.splitlines()[0].endswith(") till 2026")
    assert "Ansvar: [-(KS)-] → {+(KS, KLK)+}" in report
    assert json.loads(diff(repo, "HEAD:2026", "2026", "--format", "json"))["old"].startswith(
        "2026 at HEAD ("
    )


# --- avslutade, amounts, grouping, order ---------------------------------------------------


def test_an_uppdrag_due_in_the_old_year_and_gone_is_avslutat_with_its_date(
    two_year_tree: Path,
) -> None:
    # `ovk new year` leaves okat-valdeltagande (due 2026-12-31) behind; starkt-arbete-för-
    # tillväxt (due 2028) is carried over, and removed here although not due
    (two_year_tree / YEAR_2027 / "uppdrag" / "starkt-arbete-for-tillvaxt.yaml").unlink()
    report = diff(two_year_tree, "2026", "2027")
    ended = report.split("    Avslutade\n", 1)[1].splitlines()[0]
    assert ended.strip() == (
        "Uppdrag 2.1.3 Ökat valdeltagande (mottagare KLK; slutdatum 31 december 2026)"
    )
    removed = report.split("    Borttagna\n", 1)[1].splitlines()[0]
    assert removed.strip().startswith("Uppdrag 2.1.4 Stärkt arbete för tillväxt (")
    assert "slutdatum 31 december 2028" in removed
    found = {c["id"]: c for c in changes(two_year_tree, "2026", "2027")}
    assert (found["okat-valdeltagande"]["change"], found["okat-valdeltagande"]["due"]) == (
        "ended",
        "2026-12-31",
    )
    assert found["starkt-arbete-for-tillvaxt"]["change"] == "removed"
    markdown = diff(two_year_tree, "2026", "2027", "--format", "markdown")
    assert "| Avslutade |" in markdown and "#### Avslutade\n\n- Uppdrag 2.1.3" in markdown


def test_an_uppdrag_due_between_two_years_compared_is_avslutat_as_new_year_leaves_it(
    base_tree: Path,
) -> None:
    okat = base_tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    edit(okat, "due: 2026-12-31", "due: 2027-06-30")
    made = run_ovk("--root", str(base_tree), "new", "year", "2028", "--from", "2026")
    assert "okat-valdeltagande.yaml (due 2027-06-30)" in made.stdout  # left behind
    found = {c["id"]: c["change"] for c in changes(base_tree, "2026", "2028")}
    assert found["okat-valdeltagande"] == "ended"
    assert (
        "      Uppdrag 2.1.3 Ökat valdeltagande (mottagare KLK; slutdatum 30 juni 2027)"
        in (diff(base_tree, "2026", "2028").split("    Avslutade\n", 1)[1])
    )


def test_a_division_samrad_gone_says_which_agreement_section_holds_it_now(
    two_year_tree: Path,
) -> None:
    year = two_year_tree / YEAR_2027
    klk = year / "divisions" / "KLK.yaml"
    edit(klk, "samrad:\n  heading: 5. Samråd om investeringar\n", "samrad: null\n")
    edit(klk, "  text: [Övriga delar av KLK tar initiativ till samråd.]\n", "")
    without = diff(two_year_tree, "2026", "2027")
    assert "      Samråd om investeringar KLK\n" in without  # no shared section: only removed
    edit(
        year / "overenskommelse.yaml",
        "    sections: []\nnote: null",
        "    sections:\n      - id: samrad-om-investeringar\n        number: null\n"
        "        heading: Samråd om investeringar (KS)\n        text: [Alla samråder.]\n"
        "        sections: []\n        note: null\nnote: null",
    )
    report = diff(two_year_tree, "2026", "2027")
    assert (
        "      Samråd om investeringar KLK (2027 gäller i stället överenskommelsens avsnitt "
        "”Samråd om investeringar (KS)”)"
    ) in report.split("    Borttagna\n", 1)[1]


def test_added_and_removed_ersattning_rows_show_their_amount(two_year_tree: Path) -> None:
    klk = two_year_tree / YEAR_2027 / "divisions" / "KLK.yaml"
    edit(klk, "{verksamhet: HR avdelningen, belopp: 49.4}", "{verksamhet: Ny enhet, belopp: 12.25}")
    text = diff(two_year_tree, "2026", "2027")
    assert "Ersättning KLK › Ny enhet (12,25 mnkr)" in text.split("    Tillagda\n", 1)[1]
    assert "Ersättning KLK › HR avdelningen (49,4 mnkr)" in text.split("    Borttagna\n", 1)[1]
    rows = {
        c["change"]: c
        for c in changes(two_year_tree, "2026", "2027")
        if c["kind"] == "ersattning-row"
    }
    assert (rows["added"]["old"], rows["added"]["new"], rows["added"]["unit"]) == (
        None,
        12.25,
        "mnkr",
    )
    assert (rows["removed"]["old"], rows["removed"]["new"]) == (49.4, None)


def test_an_amount_change_has_one_decimal_and_an_exact_difference(two_year_tree: Path) -> None:
    klk = two_year_tree / YEAR_2027 / "divisions" / "KLK.yaml"
    edit(klk, "belopp: 27.5}", "belopp: 30}")
    edit(klk, "belopp: 76.9}", "belopp: 79.4}")
    report = diff(two_year_tree, "2026", "2027", "--format", "markdown")
    assert "  - Belopp: ~~27,5~~ → **30,0** mnkr (+2,5)" in report
    assert "  - Summa › Belopp: ~~76,9~~ → **79,4** mnkr (+2,5)" in report  # not +2,500000001


def test_an_uppdrag_stands_under_every_division_it_concerns_and_is_counted_there(
    two_year_tree: Path,
) -> None:
    with_ros(two_year_tree)
    new_uppdrag(two_year_tree, "delat", "3.1.1", "Delat uppdrag", "[KLK]", lead="TEK")
    new_uppdrag(two_year_tree, "for-alla", "3.1.2", "Uppdrag för alla", "[alla verksamheter]")
    report = diff(two_year_tree, "2026", "2027", "--format", "markdown")
    klk = section(report, "## KLK Kommunledningskontoret")
    tek = section(report, "## TEK Tekniska divisionen")
    common = section(report, "## Gemensamt (alla verksamheter eller hela överenskommelsen)")
    shared = "- Uppdrag 3.1.1 Delat uppdrag (mottagare KLK; huvudansvarig TEK;"
    assert shared in klk and shared in tek and shared not in common
    assert "- Uppdrag 3.1.2 Uppdrag för alla" in common
    assert "Uppdrag 3.1.2" not in klk + tek
    table = {
        line.split(" | ")[0]: line.split(" | ")[1:]
        for line in section(report, "# Ändringar från 2026 till 2027").splitlines()
        if line.startswith("| ") and "Tillagda" not in line
    }
    assert table["| TEK Tekniska divisionen"][0] == "1"  # tillagda: the uppdrag it leads
    # with --division, the shared uppdrag stands under the one division asked for
    narrowed = diff(two_year_tree, "2026", "2027", "--format", "markdown", "--division", "KLK")
    assert "## TEK" not in narrowed and shared in section(narrowed, "## KLK Kommunledningskontoret")


def test_an_uppdrag_of_every_division_of_its_year_is_common(two_year_tree: Path) -> None:
    new_uppdrag(two_year_tree, "bada", "3.1.1", "Båda verksamheterna", "[KLK, TEK]")
    report = diff(two_year_tree, "2026", "2027", "--format", "markdown")
    common = section(report, "## Gemensamt (alla verksamheter eller hela överenskommelsen)")
    assert "- Uppdrag 3.1.1 Båda verksamheterna" in common
    assert "Båda verksamheterna" not in section(report, "## KLK Kommunledningskontoret")
    assert "## TEK" not in report


def test_an_uppdrag_of_every_division_stands_also_under_the_division_that_leads_it(
    two_year_tree: Path,
) -> None:
    with_ros(two_year_tree)
    new_uppdrag(two_year_tree, "ledd", "3.1.1", "Lett av TEK", "[alla verksamheter]", lead="TEK")
    report = diff(two_year_tree, "2026", "2027", "--format", "markdown")
    entry = "- Uppdrag 3.1.1 Lett av TEK (mottagare alla verksamheter; huvudansvarig TEK;"
    assert entry in section(report, "## Gemensamt (alla verksamheter eller hela överenskommelsen)")
    assert entry in section(report, "## TEK Tekniska divisionen")
    assert entry not in section(report, "## KLK Kommunledningskontoret")
    assert "även under den" in section(report, "# Ändringar från 2026 till 2027")


def test_entries_are_ordered_by_number_then_title(two_year_tree: Path) -> None:
    for ident, number, title in [
        ("d", "7.2.2.", "Dels"),
        ("b", "6.1.3", "Bes"),
        ("c", "6.1.4", "Ces"),
        ("a", "4.2.1.", "Aes"),
        ("e", "10.1.1", "Ees"),
        ("g", "6.1.4", "Aaa samma nummer"),
    ]:
        new_uppdrag(two_year_tree, ident, number, title, "[KLK]")
    report = diff(two_year_tree, "2026", "2027")
    added = re.search(r"^    Tillagda\n((?:      .*\n)+)", report, re.M)
    assert added
    numbers = [line.split()[1:3] for line in added.group(1).splitlines()]
    assert numbers == [
        ["4.2.1.", "Aes"],
        ["6.1.3", "Bes"],
        ["6.1.4", "Aaa"],
        ["6.1.4", "Ces"],
        ["7.2.2.", "Dels"],
        ["10.1.1", "Ees"],
    ]


# --- words: the model's titles, Swedish dates ----------------------------------------------


def test_field_labels_are_the_models_swedish_titles() -> None:
    def label(kind: str, field: str, prop: str | None = None) -> str:
        return field_label(Change("changed", kind, "x", "x", (), "f", field, prop=prop or field))

    titles = {p.key: p.spec.title for p in properties(Goal)}
    assert label("goal", "onskat_resultat_heading") == titles["onskat_resultat_heading"]
    assert label("uppdrag", "due") == next(
        p.spec.title for p in properties(Uppdrag) if p.key == "due"
    )
    fokus = next(p.spec.title for p in properties(Malomrade) if p.key == "fokus")
    assert label("malomrade", "fokus.text") == f"{fokus} › Text"
    assert label("indicator", "Utfall 2025", "values") == "Värden Utfall 2025"
    assert label("goal", "place") == "Placering"


def test_every_compared_field_of_every_kind_has_a_swedish_label() -> None:
    for kind, cls in KINDS.items():
        for p in properties(cls):
            if p.spec.diff in ("value", "same-year"):
                assert field_label(Change("changed", kind, "x", "x", (), "f", p.key)) == (
                    p.spec.title
                ), (kind, p.key)


def test_a_changed_heading_of_a_goal_is_labelled_from_the_model(repo: Path) -> None:
    edit(
        repo / "agreements/2026/malomraden.yaml",
        "onskat_resultat_heading: ",
        "onskat_resultat_heading: Nytt ",
    )
    report = diff(repo, "HEAD:2026", "2026", "--format", "markdown")
    assert "  - Rubrik för önskat resultat: " in report
    assert "onskat" not in report


def test_dates_in_the_briefing_are_swedish_and_iso_in_json(two_year_tree: Path) -> None:
    upp = two_year_tree / YEAR_2027 / "uppdrag" / "starkt-arbete-for-tillvaxt.yaml"
    edit(upp, "due: 2028-12-31", "due: 2029-03-01")
    report = diff(two_year_tree, "2026", "2027", "--format", "markdown")
    assert "  - Slutdatum: ~~31 december 2028~~ → **1 mars 2029**" in report
    assert not re.search(r"\b20[0-9]{2}-[0-9]{2}-[0-9]{2}\b", report)
    [due] = [c for c in changes(two_year_tree, "2026", "2027") if c["field"] == "due"]
    assert (due["old"], due["new"]) == ("2028-12-31", "2029-03-01")


def test_a_title_change_of_the_agreement_is_a_change_not_a_rename(repo: Path) -> None:
    agreement = repo / "agreements/2026/overenskommelse.yaml"
    text = agreement.read_text(encoding="utf-8")
    title = re.search(r"^title: (.*)$", text, re.M)
    assert title
    edit(agreement, title.group(0), f"title: {title.group(1)} (reviderad)")
    report = diff(repo, "HEAD:2026", "2026", "--format", "markdown")
    assert "#### Ändrade\n\n- Överenskommelsen\n  - Titel:" in report
    assert "Omdöpta eller omnumrerade\n" not in report.split("|", 1)[0]
    assert "#### Omdöpta" not in report


# --- the overview --------------------------------------------------------------------------


def test_stat_is_the_overview_alone_in_text_markdown_and_json(two_year_tree: Path) -> None:
    with_ros(two_year_tree)
    new_uppdrag(two_year_tree, "delat", "3.1.1", "Delat uppdrag", "[KLK, TEK]")
    text = diff(two_year_tree, "2026", "2027", "--stat")
    assert "Uppdrag 3.1.1" not in text  # no detail
    lines = text.splitlines()
    assert lines[0] == "Ändringar från 2026 till 2027"
    assert any(
        line.startswith("  KLK Kommunledningskontoret") and "tillagda 1" in line for line in lines
    )
    assert any(line.startswith("  Särskilda uppdrag") for line in lines)
    full = diff(two_year_tree, "2026", "2027")
    assert full.startswith(text.rstrip("\n"))  # the report begins with the same overview
    markdown = diff(two_year_tree, "2026", "2027", "--stat", "--format", "markdown")
    assert "| KLK Kommunledningskontoret | 1 | " in markdown and "## " not in markdown
    counts = json.loads(diff(two_year_tree, "2026", "2027", "--stat", "--format", "json"))
    assert counts["divisions"]["KLK"]["added"] == 1 and counts["divisions"]["TEK"]["added"] == 1
    assert counts["categories"]["uppdrag"]["added"] == 1
    only = diff(two_year_tree, "2026", "2027", "--stat", "--only", "goals")
    assert "Särskilda uppdrag" not in only


# --- the shipped 2024 → 2026 briefing ------------------------------------------------------

ENGLISH = ("Changes", "Added", "Removed", "Changed", "Common", "renamed", "owners", "due")
ENGLISH += ("matched", "none", "added", "removed", "changed", "lead", "shared", "yes", "no")


def model_keys() -> set[str]:
    """Every YAML key of the model (every property of every entity of every file kind)."""
    return {p.key for cls in reachable(DOCUMENTS.values()) for p in properties(cls)}


@pytest.fixture(scope="module")
def briefing() -> str:
    result = run_ovk("--root", str(REPO), "diff", "2024", "2026", "--format", "markdown")
    assert result.exit_code == 0
    return str(result.stdout)


@pytest.fixture(scope="module")
def shipped_changes() -> list[dict[str, Any]]:
    result = run_ovk("--root", str(REPO), "diff", "2024", "2026", "--format", "json")
    return json.loads(result.stdout)["changes"]  # type: ignore[no-any-return]


@pytest.mark.data
def test_the_shipped_briefing_names_no_schema_property(briefing: str) -> None:
    keys = model_keys()
    assert {"onskat_resultat_heading", "missing_in_source", "delas_till", "title"} <= keys
    for key in keys:
        for shown in {key, md(key)}:
            label = re.compile(rf"(?<![\w\\-]){re.escape(shown)}:|`{re.escape(shown)}`")
            assert not label.search(briefing), key


@pytest.mark.data
def test_the_shipped_briefing_has_no_english_words_of_its_own(briefing: str) -> None:
    for word in ENGLISH:
        assert not re.search(rf"\b{word}\b", briefing), word


@pytest.mark.data
def test_the_shipped_briefing_has_no_year_change_and_no_bookkeeping(
    briefing: str, shipped_changes: list[dict[str, Any]]
) -> None:
    assert not [c for c in shipped_changes if c["kind"] == "year" or c["field"] == "year"]
    assert not [c for c in shipped_changes if c["bookkeeping"]]
    assert "År:" not in briefing and "Anteckning" not in briefing


@pytest.mark.data
def test_the_shipped_briefing_says_what_the_2026_sources_lack(
    briefing: str, shipped_changes: list[dict[str, Any]]
) -> None:
    assert "Ersättning KLK: tabellen saknas i underlaget för 2026" in briefing
    assert not [c for c in shipped_changes if c["kind"] == "ersattning-row"]
    assert "Ersättning KLK ›" not in briefing  # no 2024 row listed as removed


@pytest.mark.data
def test_every_added_or_removed_ersattning_row_of_the_shipped_years_has_an_amount(
    briefing: str, shipped_changes: list[dict[str, Any]]
) -> None:
    rows = [c for c in shipped_changes if c["kind"] == "ersattning-row"]
    for row in rows:
        if row["change"] in ("added", "removed"):
            assert isinstance(row["new" if row["change"] == "added" else "old"], float), row
            assert re.search(rf"{re.escape(md(row['label']))} \([0-9 ,]+ mnkr\)", briefing)
    assert all(
        " mnkr" in line for line in briefing.splitlines() if "- Ersättning " in line and "›" in line
    )


@pytest.mark.data
def test_every_shipped_uppdrag_stands_under_each_division_it_concerns(
    briefing: str, shipped_changes: list[dict[str, Any]]
) -> None:
    every = {"TEK", "SHB", "ROS", "KLK", "NKF", "DSO", "DU"}  # the divisions of 2024 and 2026
    uppdrag = [c for c in shipped_changes if c["kind"] == "uppdrag" and c["field"] is None]
    assert len(uppdrag) > 10
    groups = {
        m.group(1): section(briefing, m.group(0))
        for m in re.finditer(r"^## (\S+) .*$", briefing, re.M)
    }
    assert every <= set(groups), sorted(groups)
    for change in uppdrag:
        entry = f"- {md(change['label'])} ("
        if set(change["divisions"]) >= every:
            assert entry in groups["Gemensamt"]
            if change.get("lead"):  # and under the division that leads it
                assert entry in groups[change["lead"]], (change["lead"], change["label"])
            continue
        for code in change["divisions"]:
            assert entry in groups[code], (code, change["label"])


@pytest.mark.data
def test_a_moved_shipped_goal_says_where_in_the_names_of_its_areas(briefing: str) -> None:
    assert (
        "  - Placering: flyttat från ~~Hållbar utveckling~~ till "
        "**Hållbar utveckling › Social hållbarhet**"
    ) in briefing
    assert "hallbar-utveckling" not in briefing


@pytest.mark.data
def test_the_shipped_stat_fits_one_screen() -> None:
    for output in ("text", "markdown"):
        result = run_ovk("--root", str(REPO), "diff", "2024", "2026", "--stat", "--format", output)
        assert result.exit_code == 0
        assert len(result.stdout.splitlines()) <= 40, output


def readme_diff_examples() -> list[str]:
    """The README's `ovk diff` examples between the shipped years (those between git
    revisions need a history; tests/test_diff.py runs those forms on a fixture)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## Diff\n", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0].split(">", 1)[0].strip() for line in block.splitlines()]
    return [line for line in lines if re.match(r"^ovk diff 20[0-9]{2} 20[0-9]{2}\b", line)]


@pytest.mark.data
def test_the_readme_diff_examples_between_years_run_as_written() -> None:
    examples = readme_diff_examples()
    assert any("--stat" in line for line in examples) and len(examples) >= 3
    for line in examples:
        result = run_ovk("--root", str(REPO), *line.split()[1:])
        assert result.exit_code == 0, (line, result.stderr)
        assert result.stdout.strip(), line


@pytest.mark.data
def test_a_division_samrad_gone_to_the_agreement_says_where_it_now_stands(briefing: str) -> None:
    assert (
        "- Samråd om investeringar KLK (2026 gäller i stället överenskommelsens avsnitt "
        "”Samråd om investeringar (KS)”)"
    ) in briefing


def test_a_municipality_named_in_a_new_year_is_briefed_with_the_models_labels(
    two_year_tree: Path,
) -> None:
    edit(
        two_year_tree / YEAR_2027 / "overenskommelse.yaml",
        "year: 2027\n",
        'year: 2027\nmunicipality: {name: Nyköping, kolada_id: "0480"}\n',
    )
    report = diff(two_year_tree, "2026", "2027")
    assert "Kommun › Namn: [-(ingen uppgift)-] → {+Nyköping+}" in report
    assert "Kommun › Kolada-id: [-(ingen uppgift)-] → {+0480+}" in report
    found = {
        c["field"]: (c["old"], c["new"])
        for c in changes(two_year_tree, "2026", "2027")
        if c["kind"] == "agreement"
    }
    assert found["municipality.name"] == (None, "Nyköping")
    assert found["municipality.kolada_id"] == (None, "0480")
