"""Follow-up reports (uppföljning): the file kind, who reports what, lateness, `ovk followup
new` and `ovk followup status`, and what validate, fmt, diff and `ovk new year` do with them.

The tool's tests run on the example tree; the "Done when" scenario of the issue runs on a
copy of the shipped agreements (marked `data`). The shipped agreements hold no reports."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ovk.model import followup as fu
from ovk.model.entities import Uppdrag, UppdragReport
from tests.conftest import AGREEMENTS, REPO, git, run_ovk

DELAR = "agreements/2026/uppfoljning/delar"
VAR = "agreements/2026/uppfoljning/var"


def ovk(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_ovk("--root", str(root), *args)


def findings(root: Path) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    result = ovk(root, "validate", "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def load(path: Path) -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def fill(path: Path, **replace: str) -> None:
    """Replace text in a report (the first occurrence of each), as a person editing it."""
    text = path.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def status_json(root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    result = ovk(root, "followup", "status", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# --- the model: lateness and who reports what -------------------------------------------------


def _uppdrag(due: dt.date | None, **kw: object) -> Uppdrag:
    values: dict[str, object] = {
        "id": "u",
        "year": 2026,
        "number": "1.1",
        "title": "U",
        "origin": "KS",
        "text": (),
        "owners": ("KLK",),
        "lead": None,
        "start": None,
        "due": due,
        "followup": ("vår", "delår", "helår"),
    }
    values.update(kw)
    return Uppdrag(**values)  # type: ignore[arg-type]


AS_OF = dt.date(2026, 8, 31)


@pytest.mark.parametrize(
    ("due", "entry", "late"),
    [
        (dt.date(2026, 6, 30), UppdragReport(status="pågår"), True),
        (dt.date(2026, 6, 30), UppdragReport(status=None), True),
        (dt.date(2026, 6, 30), None, True),
        (dt.date(2026, 6, 30), UppdragReport(status="klart"), False),
        (dt.date(2026, 6, 30), UppdragReport(status="avbrutet"), False),
        (dt.date(2026, 6, 30), UppdragReport(status="vilande"), True),
        (dt.date(2026, 6, 30), UppdragReport(status="pågår", new_due=dt.date(2026, 10, 1)), False),
        (dt.date(2026, 8, 31), UppdragReport(status="pågår"), False),
        (dt.date(2026, 12, 31), UppdragReport(status="pågår", new_due=dt.date(2026, 8, 1)), True),
        (None, UppdragReport(status="pågår"), False),
    ],
)
def test_late_is_derived_from_the_due_date_new_due_and_status(
    due: dt.date | None, entry: UppdragReport | None, late: bool
) -> None:
    assert fu.is_late(_uppdrag(due), entry, AS_OF) is late


def test_the_lead_reports_an_uppdrag_else_every_owner() -> None:
    codes = ("KLK", "TEK", "SHB")
    led = _uppdrag(None, owners=("alla verksamheter",), lead="TEK")
    owned = _uppdrag(None, owners=("alla verksamheter",))
    spring_only = _uppdrag(None, owners=("KLK",), followup=("vår",))
    assert [fu.reports_uppdrag(led, "delår", c, codes) for c in codes] == [False, True, False]
    assert [fu.reports_uppdrag(owned, "delår", c, codes) for c in codes] == [True, True, True]
    assert fu.reports_uppdrag(spring_only, "vår", "KLK", codes)
    assert not fu.reports_uppdrag(spring_only, "delår", "KLK", codes)


def test_occasion_dates_default_to_the_end_of_each_period_without_a_deadline(
    base_tree: Path,
) -> None:
    from ovk.model.read import read_year

    dates = fu.occasion_dates(read_year(base_tree, 2026).agreement.entity)
    assert {o: (d.as_of, d.deadline) for o, d in dates.items()} == {
        "vår": (dt.date(2026, 4, 30), None),
        "delår": (dt.date(2026, 8, 31), None),
        "helår": (dt.date(2026, 12, 31), None),
    }


def _agreement_dates(root: Path, text: str) -> None:
    path = root / "agreements/2026/overenskommelse.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("note: null", text), "utf-8")


def test_the_agreement_may_give_an_occasions_dates_and_new_and_export_use_them(
    base_tree: Path,
) -> None:
    _agreement_dates(
        base_tree,
        "uppfoljning:\n  delår: {as_of: 2026-09-15, deadline: 2026-09-30}\nnote: null",
    )
    assert findings(base_tree) == (0, [])
    assert (
        ovk(base_tree, "followup", "new", "--occasion", "delår", "--division", "KLK").exit_code == 0
    )
    assert load(base_tree / DELAR / "KLK.yaml")["as_of"] == dt.date(2026, 9, 15)
    ics = ovk(base_tree, "export", "--format", "ics").stdout
    assert "DTSTART;VALUE=DATE:20260915" in ics and "DTSTART;VALUE=DATE:20260430" in ics
    deadline = ics.split("UID:2026-uppfoljning-delar-deadline@ovk", 1)[1].split("END:VEVENT")[0]
    assert "DTSTART;VALUE=DATE:20260930" in deadline
    assert "SUMMARY:Sista dag för rapport: Delårsrapport 2026" in deadline
    assert ics.count("-deadline@ovk") == 1  # vår and helår have none
    overridden = ovk(base_tree, "export", "--format", "ics", "--followup-dates", "delår=10-01")
    assert "DTSTART;VALUE=DATE:20261001" in overridden.stdout
    assert "DTSTART;VALUE=DATE:20260915" not in overridden.stdout
    markdown = ovk(base_tree, "followup", "status", "--format", "markdown").stdout
    assert "Sista dag för rapport: 30 september 2026." in markdown


def test_an_occasion_deadline_before_its_as_of_is_a_located_finding(base_tree: Path) -> None:
    _agreement_dates(base_tree, "uppfoljning:\n  vår:\n    deadline: 2026-04-01\nnote: null")
    code, found = findings(base_tree)
    assert code == 1
    assert [(f["rule"], f["file"], f["line"]) for f in found] == [
        ("as-of-date", "agreements/2026/overenskommelse.yaml", 23)
    ]


def test_an_unknown_occasion_in_the_agreement_is_a_schema_finding(base_tree: Path) -> None:
    _agreement_dates(base_tree, "uppfoljning:\n  sommar: {as_of: 2026-06-30}\nnote: null")
    code, found = findings(base_tree)
    assert code == 1 and [f["rule"] for f in found] == ["schema"]


# --- ovk followup new ------------------------------------------------------------------------


def test_followup_new_writes_every_required_item_with_its_title_as_a_comment(
    base_tree: Path,
) -> None:
    result = ovk(
        base_tree, "followup", "new", "--year", "2026", "--occasion", "delår", "--division", "KLK"
    )
    assert (result.exit_code, result.stdout) == (0, f"created {DELAR}/KLK.yaml\n")
    path = base_tree / DELAR / "KLK.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "# yaml-language-server: $schema=../../../../schema/uppfoljning.schema.json\n"
    )
    assert "  # 2.1.3 Ökat valdeltagande\n  okat-valdeltagande:\n" in text
    assert "  # 2.1.1 Nyköpings kommun ska vara en attraktiv arbetsgivare" in text
    data = load(path)
    assert data["state"] == "utkast" and data["as_of"] == dt.date(2026, 8, 31)
    # The lead, TEK, reports starkt-arbete-for-tillvaxt; KLK reports what it owns alone.
    assert list(data["uppdrag"]) == ["okat-valdeltagande"]
    assert data["uppdrag"]["okat-valdeltagande"] == {
        "status": None,
        "comment": None,
        "new_due": None,
        "done_on": None,
    }
    assert list(data["goals"]) == ["nykopings-kommun-ska-vara-en-attraktiv"]
    assert list(data["indicators"]) == ["sjukfranvaro-andel"]
    assert findings(base_tree) == (0, [])
    assert ovk(base_tree, "fmt", "--check").exit_code == 0


def test_followup_new_takes_the_occasions_folder_name_too(base_tree: Path) -> None:
    result = ovk(base_tree, "followup", "new", "--occasion", "var", "--division", "TEK")
    assert result.exit_code == 0, result.stderr
    data = load(base_tree / VAR / "TEK.yaml")
    assert data["occasion"] == "vår"
    # starkt-arbete-for-tillvaxt is followed up at delår and helår only.
    assert data["uppdrag"] == {}


def test_an_unknown_occasion_or_division_is_a_usage_error(base_tree: Path) -> None:
    bad = ovk(base_tree, "followup", "new", "--occasion", "sommar", "--division", "KLK")
    assert bad.exit_code == 2 and "sommar" in bad.stderr
    unknown = ovk(base_tree, "followup", "new", "--occasion", "delår", "--division", "XYZ")
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "ovk: error: --division 'XYZ' is not a division of 2026 (divisions: KLK, TEK)\n"
    )
    neither = ovk(base_tree, "followup", "new", "--occasion", "delår")
    assert neither.exit_code == 2 and "--division" in neither.stderr


def test_followup_new_never_overwrites_a_report(base_tree: Path) -> None:
    assert (
        ovk(base_tree, "followup", "new", "--occasion", "delår", "--division", "KLK").exit_code == 0
    )
    path = base_tree / DELAR / "KLK.yaml"
    fill(path, **{"status: null": "status: pågår"})
    before = path.read_bytes()
    again = ovk(base_tree, "followup", "new", "--occasion", "delår", "--division", "KLK")
    assert again.exit_code == 2
    assert again.stderr == (
        f"ovk: error: {DELAR}/KLK.yaml exists; ovk followup new never overwrites it\n"
    )
    assert path.read_bytes() == before


def test_followup_new_all_writes_each_reporting_division_and_skips_existing_ones(
    base_tree: Path,
) -> None:
    assert (
        ovk(base_tree, "followup", "new", "--occasion", "delår", "--division", "KLK").exit_code == 0
    )
    before = (base_tree / DELAR / "KLK.yaml").read_bytes()
    result = ovk(base_tree, "followup", "new", "--occasion", "delår", "--all")
    assert result.exit_code == 0
    assert result.stdout == f"created {DELAR}/TEK.yaml\n"
    assert result.stderr == f"skipped {DELAR}/KLK.yaml: it exists\n"
    assert (base_tree / DELAR / "KLK.yaml").read_bytes() == before
    assert list(load(base_tree / DELAR / "TEK.yaml")["uppdrag"]) == ["starkt-arbete-for-tillvaxt"]


def test_followup_new_carries_status_and_comment_over_from_the_previous_occasion(
    base_tree: Path,
) -> None:
    assert (
        ovk(base_tree, "followup", "new", "--occasion", "vår", "--division", "KLK").exit_code == 0
    )
    fill(
        base_tree / VAR / "KLK.yaml",
        **{
            "status: null": "status: pågår med avvikelse",
            "comment: null": "comment: Valnämnden har inte beslutat ännu.",
        },
    )
    assert findings(base_tree) == (0, [])
    result = ovk(base_tree, "followup", "new", "--occasion", "helår", "--division", "KLK")
    assert result.exit_code == 0, result.stdout
    carried = load(base_tree / "agreements/2026/uppfoljning/helar/KLK.yaml")
    assert carried["uppdrag"]["okat-valdeltagande"] == {
        "status": "pågår med avvikelse",
        "comment": "Valnämnden har inte beslutat ännu.",
        "new_due": None,
        "done_on": None,
    }
    assert carried["goals"]["nykopings-kommun-ska-vara-en-attraktiv"]["assessment"] is None
    assert findings(base_tree) == (0, [])


def test_a_title_with_line_breaks_stays_inside_its_comment(base_tree: Path) -> None:
    path = base_tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("title: Ökat valdeltagande", 'title: "Ökat\\nstate: godkänd"'), "utf-8"
    )
    assert (
        ovk(base_tree, "followup", "new", "--occasion", "delår", "--division", "KLK").exit_code == 0
    )
    written = (base_tree / DELAR / "KLK.yaml").read_text(encoding="utf-8")
    assert "  # 2.1.3 Ökat\\nstate: godkänd\n" in written
    assert load(base_tree / DELAR / "KLK.yaml")["state"] == "utkast"


def test_a_carried_status_that_is_now_late_is_reported_after_writing(base_tree: Path) -> None:
    uppdrag = base_tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    text = uppdrag.read_text(encoding="utf-8")
    uppdrag.write_text(text.replace("due: 2026-12-31", "due: 2026-06-30"), "utf-8")
    assert (
        ovk(base_tree, "followup", "new", "--occasion", "vår", "--division", "KLK").exit_code == 0
    )
    fill(base_tree / VAR / "KLK.yaml", **{"status: null": "status: pågår"})
    assert findings(base_tree) == (0, [])  # not late at vår (as_of 30 April)
    result = ovk(base_tree, "followup", "new", "--occasion", "delår", "--division", "KLK")
    assert result.exit_code == 1
    assert f"{DELAR}/KLK.yaml:11:13: comment-required uppdrag 'okat-valdeltagande' is late" in (
        result.stdout
    )
    assert load(base_tree / DELAR / "KLK.yaml")["uppdrag"]["okat-valdeltagande"]["status"] == (
        "pågår"
    )


# --- ovk validate on reports ---------------------------------------------------------------


def _new(root: Path, occasion: str = "delår", division: str = "KLK") -> Path:
    result = ovk(root, "followup", "new", "--occasion", occasion, "--division", division)
    assert result.exit_code == 0, result.stdout
    folder = {"vår": VAR, "delår": DELAR, "helår": "agreements/2026/uppfoljning/helar"}
    return root / folder[occasion] / f"{division}.yaml"


def test_a_late_uppdrag_with_a_status_needs_a_comment(base_tree: Path) -> None:
    uppdrag = base_tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    text = uppdrag.read_text(encoding="utf-8")
    uppdrag.write_text(text.replace("due: 2026-12-31", "due: 2026-06-30"), "utf-8")
    path = _new(base_tree)
    assert findings(base_tree) == (0, [])  # a new report, nothing filled in, validates
    fill(path, **{"status: null": "status: pågår"})
    code, found = findings(base_tree)
    assert code == 1
    assert [(f["rule"], f["line"], f["message"]) for f in found] == [
        (
            "comment-required",
            11,
            "uppdrag 'okat-valdeltagande' is late (due 2026-06-30, before as_of 2026-08-31) "
            "and needs a comment",
        )
    ]
    fill(path, **{"comment: null": "comment: Försenat av valet."})
    assert findings(base_tree) == (0, [])


def test_done_on_after_as_of_and_an_assessment_without_analysis_are_findings(
    base_tree: Path,
) -> None:
    path = _new(base_tree)
    fill(
        path,
        **{
            "status: null": "status: klart",
            "done_on: null": "done_on: 2026-09-01",
            "assessment: null": "assessment: delvis uppfyllt",
        },
    )
    code, found = findings(base_tree)
    assert code == 1
    assert sorted((f["rule"], f["line"]) for f in found) == [
        ("comment-required", 18),
        ("done-on", 14),
    ]


def test_as_of_before_the_previous_reports_is_a_finding(base_tree: Path) -> None:
    _new(base_tree, "vår")
    path = _new(base_tree, "delår")
    fill(path, **{"as_of: 2026-08-31": "as_of: 2026-03-31"})
    code, found = findings(base_tree)
    assert code == 1
    assert [(f["rule"], f["line"]) for f in found] == [("as-of-date", 5)]
    assert "before the as_of of the division's vår report (2026-04-30)" in found[0]["message"]


def test_an_outcome_that_is_not_a_finite_number_is_a_finding(base_tree: Path) -> None:
    path = _new(base_tree)
    fill(path, **{"value: null": "value: .nan"})
    code, found = findings(base_tree)
    assert (code, [f["rule"] for f in found]) == (1, ["non-finite-number"])
    fill(path, **{"value: .nan": 'value: "12"'})
    code, found = findings(base_tree)
    assert (code, [f["rule"] for f in found]) == (1, ["schema"])


def test_the_division_and_year_of_a_report_equal_its_place(base_tree: Path) -> None:
    path = _new(base_tree)
    fill(path, **{"division: KLK": "division: TEK", "year: 2026": "year: 2027"})
    code, found = findings(base_tree)
    assert code == 1
    assert sorted(f["rule"] for f in found) == ["filename-id", "year-mismatch"]


def test_a_yaml_file_beside_the_occasion_folders_is_not_part_of_the_layout(
    base_tree: Path,
) -> None:
    path = _new(base_tree)
    shutil.copyfile(path, base_tree / "agreements/2026/uppfoljning/KLK.yaml")
    (base_tree / "agreements/2026/uppfoljning/sommar").mkdir()
    shutil.copyfile(path, base_tree / "agreements/2026/uppfoljning/sommar/KLK.yaml")
    code, found = findings(base_tree)
    assert code == 0
    assert [(f["rule"], f["file"]) for f in found] == [
        ("unknown-file", "agreements/2026/uppfoljning/KLK.yaml"),
        ("unknown-file", "agreements/2026/uppfoljning/sommar/KLK.yaml"),
    ]


def test_fmt_puts_a_reports_keys_in_the_models_order_keeping_its_comments(
    base_tree: Path,
) -> None:
    path = _new(base_tree)
    formatted = path.read_text(encoding="utf-8")
    shuffled = formatted.replace(
        "    status: null\n    comment: null\n", "    comment: null\n    status: null\n", 1
    ).replace("year: 2026\noccasion: delår\n", "occasion: delår\nyear: 2026\n")
    path.write_text(shuffled, encoding="utf-8")
    assert ovk(base_tree, "fmt", "--check").exit_code == 1
    assert ovk(base_tree, "fmt").exit_code == 0
    assert path.read_text(encoding="utf-8") == formatted


# --- ovk followup status -----------------------------------------------------------------------


def _fill_all(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: null", "status: pågår").replace(
        "assessment: null", "assessment: uppfyllt"
    )
    path.write_text(text.replace("value: null", "value: 4.5"), encoding="utf-8")


def test_followup_status_counts_required_and_reported_items_per_division(
    base_tree: Path,
) -> None:
    path = _new(base_tree)
    one = {"uppdrag": 1, "goals": 1, "indicators": 1}
    none = {"uppdrag": 0, "goals": 0, "indicators": 0}

    def row(division: str, state: str | None, uppdrag: str) -> dict:  # type: ignore[type-arg]
        missing = [
            {"kind": "uppdrag", "id": uppdrag},
            {"kind": "goal", "id": "nykopings-kommun-ska-vara-en-attraktiv"},
            {"kind": "indicator", "id": "sjukfranvaro-andel"},
        ]
        return {
            "year": 2026,
            "occasion": "delår",
            "division": division,
            "state": state,
            "required": one,
            "reported": none,
            "missing": missing,
            "late": [],
        }

    assert status_json(base_tree, "--occasion", "delår") == [
        row("KLK", "utkast", "okat-valdeltagande"),
        row("TEK", None, "starkt-arbete-for-tillvaxt"),
    ]
    _fill_all(path)
    rows = status_json(base_tree, "--occasion", "delar", "--division", "KLK")
    assert [(r["division"], r["reported"], r["missing"]) for r in rows] == [
        ("KLK", {"uppdrag": 1, "goals": 1, "indicators": 1}, [])
    ]
    done = ovk(
        base_tree, "followup", "status", "--division", "KLK", "--occasion", "delår", "--exit-code"
    )
    assert done.exit_code == 0
    assert ovk(base_tree, "followup", "status", "--occasion", "delår", "--exit-code").exit_code == 1


def test_followup_status_lists_late_uppdrag_and_deviations(base_tree: Path) -> None:
    uppdrag = base_tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    text = uppdrag.read_text(encoding="utf-8")
    uppdrag.write_text(text.replace("due: 2026-12-31", "due: 2026-06-30"), "utf-8")
    path = _new(base_tree)
    fill(
        path,
        **{"status: null": "status: vilande", "comment: null": "comment: Pausat till hösten."},
    )
    assert status_json(base_tree, "--occasion", "delår", "--division", "KLK")[0]["late"] == [
        "okat-valdeltagande"
    ]
    table = ovk(base_tree, "followup", "status", "--occasion", "delår", "--division", "KLK")
    assert table.stdout.splitlines() == [
        "occasion\tdivision\tstate\tuppdrag\tgoals\tindicators\tmissing\tlate\tdeviations",
        "delår\tKLK\tutkast\t1/1\t0/1\t0/1\t2\tokat-valdeltagande\tokat-valdeltagande (vilande)",
    ]
    markdown = ovk(base_tree, "followup", "status", "--format", "markdown").stdout
    assert markdown.startswith("# Uppföljning 2026: läget\n")
    assert "| KLK Kommunledningskontoret | utkast | 31 augusti 2026 | 1 av 1 |" in markdown
    assert "Sista dag för rapport: inte angiven." in markdown
    assert "- TEK: uppdrag starkt-arbete-for-tillvaxt, mål" in markdown


# --- other commands ------------------------------------------------------------------------


def test_a_new_year_does_not_take_the_follow_up_reports_over(base_tree: Path) -> None:
    _new(base_tree, "vår")
    result = ovk(base_tree, "new", "year", "2027", "--from", "2026")
    assert result.exit_code == 0, result.stdout
    assert not (base_tree / "agreements/2027/uppfoljning").exists()
    assert (base_tree / VAR / "KLK.yaml").is_file()


def test_a_status_edited_after_a_commit_shows_in_ovk_diff(repo: Path) -> None:
    path = _new(repo)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "KLK delår")
    fill(path, **{"status: null": "status: pågår med avvikelse", "comment: null": "comment: Sent."})
    result = ovk(repo, "diff", "HEAD:2026", "2026")
    assert result.exit_code == 0, result.stderr
    assert "Uppföljning delår KLK › Status för uppdrag okat-valdeltagande" in result.stdout
    assert "Status" in result.stdout and "pågår med avvikelse" in result.stdout
    stat = ovk(repo, "diff", "HEAD:2026", "2026", "--only", "uppfoljning", "--format", "json")
    changes = json.loads(stat.stdout)
    assert stat.exit_code == 0 and "okat-valdeltagande" in json.dumps(changes)


# --- the "Done when", on a copy of the shipped agreements ------------------------------


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(AGREEMENTS, root / "agreements")
    shutil.copytree(REPO / "schema", root / "schema")
    assert not list((root / "agreements").rglob("uppfoljning"))  # the source has no reports
    return root


def _expected_klk_delar(root: Path) -> tuple[list[str], list[str], set[str]]:
    """What KLK reports at delår 2026, read from the files plainly (not through ovk)."""
    malomraden = load(root / "agreements/2026/malomraden.yaml")
    goals = []
    for area in malomraden["malomraden"]:
        for place in [area, *area["verksamhetsomraden"]]:
            goals += [
                g for g in place["goals"] if {"KLK", "alla verksamheter"} & set(g["delas_till"])
            ]
    indicators = {r["id"] for g in goals for t in g["nyckeltal"] for r in t["rows"]}
    return [g["id"] for g in goals], [], indicators


@pytest.mark.data
def test_done_when_followup_new_validate_and_status_on_the_shipped_2026(
    shipped_copy: Path,
) -> None:
    root = shipped_copy
    result = ovk(
        root, "followup", "new", "--year", "2026", "--occasion", "delår", "--division", "KLK"
    )
    assert (result.exit_code, result.stdout) == (0, f"created {DELAR}/KLK.yaml\n")
    path = root / DELAR / "KLK.yaml"
    data = load(path)
    # KLK leads none; it reports what it owns of the uppdrag without a lead (alla
    # verksamheter included), in number order.
    assert list(data["uppdrag"]) == [
        "implementera-handlingsplan-mans-vald-mot-kvinnor",
        "utred-forbattringsatgarder-hallbara-resurs-och-materialfloden",
        "okat-valdeltagande",
        "utveckla-forbattrad-upphandlings-och-inkopsprocess",
        "forebyggande-och-kunskapsbaserad-socialtjanst",
        "omstallningen-till-ny-socialtjanstlag",
        "starkt-arbete-mot-valfardsbrottslighet",
        "divisionsspecifik-krigsorganisation",
    ]
    goals, _, indicators = _expected_klk_delar(root)
    assert sorted(data["goals"]) == sorted(goals) and len(goals) == 6
    assert set(data["indicators"]) == indicators
    assert ovk(root, "validate").exit_code == 0

    _fill_all(path)
    fill(path, **{"status: pågår": "status: pågår med avvikelse"})
    code, found = findings(root)
    assert code == 1
    assert [(f["rule"], f["file"], f["line"]) for f in found] == [
        ("comment-required", f"{DELAR}/KLK.yaml", 11)
    ]
    fill(path, **{"comment: null": "comment: Handlingsplanen är försenad."})
    assert findings(root) == (0, [])

    fill(path, **{"status: pågår\n": "status: försenat\n"})
    code, found = findings(root)
    assert (code, [(f["rule"], f["line"]) for f in found]) == (1, [("schema", 17)])
    fill(path, **{"status: försenat\n": "status: pågår\n"})
    fill(path, **{"  okat-valdeltagande:": "  okat-valdeltagandet:"})
    code, found = findings(root)
    assert code == 1
    assert [(f["rule"], f["line"]) for f in found] == [("unknown-item", 22)]
    fill(path, **{"  okat-valdeltagandet:": "  okat-valdeltagande:"})
    assert findings(root) == (0, [])

    rows = status_json(root, "--year", "2026", "--occasion", "delår")
    assert [(r["division"], r["state"], bool(r["missing"])) for r in rows] == [
        ("TEK", None, True),
        ("SHB", None, True),
        ("ROS", None, True),
        ("KLK", "utkast", False),
        ("NKF", None, True),
        ("DSO", None, True),
        ("DU", None, True),
    ]
    klk = next(r for r in rows if r["division"] == "KLK")
    assert klk["required"] == klk["reported"] == {"uppdrag": 8, "goals": 6, "indicators": 32}
    status = ("followup", "status", "--year", "2026", "--occasion", "delår", "--exit-code")
    assert ovk(root, *status).exit_code == 1
    assert ovk(root, *status, "--division", "KLK").exit_code == 0


def test_two_years_are_compared_without_their_follow_up_reports(base_tree: Path) -> None:
    _new(base_tree, "delår")
    assert ovk(base_tree, "new", "year", "2027", "--from", "2026").exit_code == 0
    result = ovk(base_tree, "diff", "2026", "2027", "--only", "uppfoljning", "--exit-code")
    assert result.exit_code == 0, result.stdout


def test_a_reports_cache_key_follows_the_report_schema(tmp_path: Path) -> None:
    from ovk.validate.cache import Cache
    from tests.conftest import make_tree

    root = make_tree(tmp_path / "repo")
    edited = tmp_path / "edited-schema"  # (a schema is read once per process: another folder)
    shutil.copytree(root / "schema", edited)
    schema = edited / "uppfoljning.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("Per datum", "Per dag"), "utf-8")
    cache = Cache.open(tmp_path / "cache", root)
    assert cache is not None
    with cache:
        before = cache.key("uppfoljning", root / "schema", b"year: 2026\n")
        assert before != cache.key("uppdrag", root / "schema", b"year: 2026\n")
        assert cache.key("uppfoljning", edited, b"year: 2026\n") != before


def test_a_report_is_not_judged_against_a_goal_file_that_cannot_be_read(base_tree: Path) -> None:
    _new(base_tree)
    malomraden = base_tree / "agreements/2026/malomraden.yaml"
    malomraden.write_text(malomraden.read_text(encoding="utf-8") + "unknown_key: 1\n", "utf-8")
    code, found = findings(base_tree)
    # The broken file's own finding, and no unknown-item for every goal of the report.
    assert (code, [(f["rule"], f["file"]) for f in found]) == (
        1,
        [("schema", "agreements/2026/malomraden.yaml")],
    )


def test_a_goal_and_its_indicators_not_shared_to_the_division_are_not_required(
    base_tree: Path,
) -> None:
    _new(base_tree)  # the goal is shared to every division: KLK reports it
    assert findings(base_tree) == (0, [])
    malomraden = base_tree / "agreements/2026/malomraden.yaml"
    text = malomraden.read_text(encoding="utf-8")
    malomraden.write_text(text.replace("delas_till: [alla verksamheter]", "delas_till: [TEK]"))
    _, found = findings(base_tree)  # (warnings)
    assert [(f["file"], f["rule"], f["path"], f["message"]) for f in found] == [
        (
            f"{DELAR}/KLK.yaml",
            "not-required",
            "$.goals.nykopings-kommun-ska-vara-en-attraktiv",
            "KLK does not report goal 'nykopings-kommun-ska-vara-en-attraktiv': "
            "it is shared to TEK",
        ),
        (
            f"{DELAR}/KLK.yaml",
            "not-required",
            "$.indicators.sjukfranvaro-andel",
            "KLK does not report indicator 'sjukfranvaro-andel': its goal "
            "'nykopings-kommun-ska-vara-en-attraktiv' is not shared to it",
        ),
    ]
