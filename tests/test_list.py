"""`ovk list`: filters, sorting, the JSON contract, Swedish-Excel CSV and the table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from ovk.cli.terminal import RichTerminal
from ovk.tools.listing import Filters, as_table, load_year, select
from tests.conftest import REPO, run_ovk

ALL = ["KLK", "TEK"]  # the divisions of the base example's year


def listed(root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    result = run_ovk("--root", str(root), "list", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_json_has_the_contract_fields_and_expands_alla_verksamheter(base_tree: Path) -> None:
    rows = listed(base_tree, "--sort", "number")
    assert rows == [
        {
            "year": 2026,
            "number": "2.1.3",
            "title": "Ökat valdeltagande",
            "origin": "KF",
            "owners": ["KLK"],
            "lead": None,
            "start": "2026-01-01",
            "due": "2026-12-31",
            "file": "agreements/2026/uppdrag/okat-valdeltagande.yaml",
            "id": "okat-valdeltagande",
            "financing": None,
            "followup": ["vår", "delår", "helår"],
            "status": None,
            "status_occasion": None,
            "late": False,
            "statuses": {},
        },
        {
            "year": 2026,
            "number": "2.1.4",
            "title": "Stärkt arbete för tillväxt",
            "origin": "KF",
            "owners": ALL,
            "lead": "TEK",
            "start": "2026-01-01",
            "due": "2028-12-31",
            "file": "agreements/2026/uppdrag/starkt-arbete-for-tillvaxt.yaml",
            "id": "starkt-arbete-for-tillvaxt",
            "financing": "Inom ram",
            "followup": ["delår", "helår"],
            "status": None,
            "status_occasion": None,
            "late": False,
            "statuses": {},
        },
    ]


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--owner", "TEK"], ["starkt-arbete-for-tillvaxt"]),  # through "alla verksamheter"
        (["--owner", "KLK"], ["okat-valdeltagande", "starkt-arbete-for-tillvaxt"]),
        (["--lead", "TEK"], ["starkt-arbete-for-tillvaxt"]),
        (["--origin", "KS"], []),
        (["--due-before", "2027-01-01"], ["okat-valdeltagande"]),
        (["--due-after", "2027-01-01"], ["starkt-arbete-for-tillvaxt"]),
    ],
)
def test_filters(base_tree: Path, args: list[str], ids: list[str]) -> None:
    assert [row["id"] for row in listed(base_tree, *args)] == ids


def test_sort_by_due_puts_the_earliest_first(base_tree: Path) -> None:
    assert [row["due"] for row in listed(base_tree, "--sort", "due")] == [
        "2026-12-31",
        "2028-12-31",
    ]


def test_csv_is_for_swedish_excel(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "list", "--format", "csv", "--sort", "number")
    assert result.stdout.startswith("\ufeffyear;number;id;title;")
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][3] == "Ökat valdeltagande"
    assert rows[2][5] == "KLK, TEK"
    assert rows[2][8] == "2028-12-31"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "XYZ"], "--owner 'XYZ' is not a division of 2026 (divisions: KLK, TEK)"),
        (["--lead", "DU"], "--lead 'DU' is not a division of 2026 (divisions: KLK, TEK)"),
        (["--year", "2031"], "no agreement for 2031 (years: 2026)"),
        (["--due-before", "2026-02-30"], "--due-before '2026-02-30' is not a date; use YYYY-MM-DD"),
    ],
)
def test_bad_values_are_usage_errors(base_tree: Path, args: list[str], message: str) -> None:
    result = run_ovk("--root", str(base_tree), "list", *args)
    assert (result.exit_code, result.stderr) == (2, f"ovk: error: {message}\n")


def test_empty_result_says_so(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "list", "--origin", "KS")
    assert (result.exit_code, result.stdout) == (0, "no uppdrag match\n")
    assert listed(base_tree, "--origin", "KS") == []


def test_invalid_data_is_reported_not_crashed_on(base_tree: Path) -> None:
    target = base_tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace("due: 2026-12-31", "due: 2026-02-30")
    )
    result = run_ovk("--root", str(base_tree), "list")
    assert result.exit_code == 1
    assert "okat-valdeltagande.yaml:21:6 is not valid; run 'ovk validate'" in result.stderr


def test_table_marks_past_and_soon_due_dates(base_tree: Path) -> None:
    chosen = select(load_year(base_tree, 2026), Filters())
    out = io.StringIO()
    as_table(chosen, dt.date(2026, 12, 15), out, None)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("2.1.3\t2026-12-31 ~\t")
    assert lines[2].startswith("2.1.4\t2028-12-31\t")
    out = io.StringIO()
    as_table(chosen, dt.date(2027, 1, 2), out, None)
    assert "2026-12-31 !" in out.getvalue()
    assert out.getvalue().endswith("! past due   ~ due within 30 days\n")


def test_rich_table_fits_80_columns_without_truncating_numbers_or_dates(base_tree: Path) -> None:
    for code in ("SHB", "NKF", "ROS", "DSO", "DU"):  # "alla verksamheter" is seven owners
        created = run_ovk(
            *("--root", str(base_tree), "new", "division", "--year", "2026"),
            *("--code", code, "--name", f"Division {code}"),
        )
        assert created.exit_code == 0, created.stderr
    path = base_tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    text = path.read_text(encoding="utf-8")
    long_title = (
        "Ökat valdeltagande genom information och samverkan med föreningar och studieförbund"
    )
    text = text.replace('number: "2.1.3"', 'number: "2.2.1."')
    text = text.replace("title: Ökat valdeltagande", f"title: {long_title} i hela kommunen")
    path.write_text(text, encoding="utf-8")
    chosen = select(load_year(base_tree, 2026), Filters())
    out = io.StringIO()
    as_table(chosen, dt.date(2026, 11, 24), out, RichTerminal(out))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    for u in chosen:
        assert (
            f"{u.entity.number} " in text
            and u.entity.due is not None
            and u.entity.due.isoformat() in text
        )
    assert "…" not in text


@pytest.mark.data
def test_real_2026_list_for_klk() -> None:
    rows = listed(REPO, "--year", "2026", "--owner", "KLK", "--sort", "number")
    assert [row["number"] for row in rows] == [
        "1.1.2",
        "1.1.5",
        "2.1.3",
        "2.1.4",
        "2.1.5",
        "5.1.3",
        "5.2.1.",
        "7.2.1.",
        "7.2.2.",
    ]


# --- the latest reported follow-up status -----------------------------------------------------

OKAT = "agreements/2026/uppdrag/okat-valdeltagande.yaml"
TILLVAXT = "agreements/2026/uppdrag/starkt-arbete-for-tillvaxt.yaml"


def report(root: Path, occasion: str, division: str = "KLK") -> Path:
    """A division's report at an occasion as `ovk followup new` writes it (made when absent)."""
    slug = {"vår": "var", "delår": "delar", "helår": "helar"}[occasion]
    path = root / f"agreements/2026/uppfoljning/{slug}/{division}.yaml"
    if not path.exists():
        result = run_ovk(
            "--root",
            str(root),
            "followup",
            "new",
            "--year",
            "2026",
            "--occasion",
            occasion,
            "--all",
        )
        # exit 1 when a carried status is now late without a comment: the test fills it in
        assert result.exit_code in (0, 1) and path.is_file(), result.stderr
    return path


def set_status(path: Path, uppdrag: str, status: str, comment: str = "null", **more: str) -> None:
    """Fill in one uppdrag's entry of a report as a person editing the YAML would."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  {uppdrag}:\n")
    end = text.index("done_on:", start)
    end = text.index("\n", end)
    entry = (
        f"  {uppdrag}:\n    status: {status}\n    comment: {comment}\n"
        f"    new_due: {more.get('new_due', 'null')}\n    done_on: {more.get('done_on', 'null')}"
    )
    path.write_text(text[:start] + entry + text[end:], encoding="utf-8")


def by_id(root: Path, *args: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {row["id"]: row for row in listed(root, *args)}


def set_due(root: Path, file: str, due: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("due: 2026-12-31", f"due: {due}"), encoding="utf-8")


def test_the_status_is_the_latest_occasions_that_holds_one(base_tree: Path) -> None:
    assert by_id(base_tree)["okat-valdeltagande"]["status"] is None  # never reported
    set_status(report(base_tree, "vår"), "okat-valdeltagande", "pågår")
    row = by_id(base_tree)["okat-valdeltagande"]
    assert (row["status"], row["status_occasion"], row["late"]) == ("pågår", "vår", False)
    assert row["statuses"] == {"KLK": "pågår"}
    # delår is written with the status carried over; emptied, vår's status is still the latest
    set_status(report(base_tree, "delår"), "okat-valdeltagande", "null")
    assert by_id(base_tree)["okat-valdeltagande"]["status_occasion"] == "vår"
    set_status(report(base_tree, "delår"), "okat-valdeltagande", "pågår med avvikelse", "Sent.")
    row = by_id(base_tree)["okat-valdeltagande"]
    assert (row["status"], row["status_occasion"]) == ("pågår med avvikelse", "delår")


def test_status_filter_shows_the_uppdrag_with_that_latest_status(base_tree: Path) -> None:
    set_status(report(base_tree, "delår"), "okat-valdeltagande", "pågår med avvikelse", "Sent.")
    set_status(report(base_tree, "delår", "TEK"), "starkt-arbete-for-tillvaxt", "pågår")
    chosen = listed(base_tree, "--status", "pågår med avvikelse")
    assert [r["id"] for r in chosen] == ["okat-valdeltagande"]
    assert [r["id"] for r in listed(base_tree, "--status", "pågår")] == [
        "starkt-arbete-for-tillvaxt"
    ]
    assert listed(base_tree, "--status", "klart") == []
    table = run_ovk("--root", str(base_tree), "list", "--status", "pågår med avvikelse").stdout
    assert table.splitlines()[0] == "number\tdue\torigin\towners\tlead\tstatus\ttitle"
    assert "\tdelår: pågår med avvikelse\tÖkat valdeltagande" in table


def test_late_is_derived_against_the_reports_as_of_and_filtered_by_forsenat(
    base_tree: Path,
) -> None:
    set_due(base_tree, OKAT, "2026-06-30")  # after vår's as_of (30 April), before delår's
    set_status(report(base_tree, "vår"), "okat-valdeltagande", "pågår")
    assert by_id(base_tree)["okat-valdeltagande"]["late"] is False
    assert listed(base_tree, "--status", "försenat") == []
    set_status(report(base_tree, "delår"), "okat-valdeltagande", "pågår", "Försenat av val.")
    row = by_id(base_tree)["okat-valdeltagande"]
    assert (row["status"], row["late"]) == ("pågår", True)
    assert [r["id"] for r in listed(base_tree, "--status", "försenat")] == ["okat-valdeltagande"]
    table = run_ovk("--root", str(base_tree), "list", "--status", "försenat").stdout
    assert "\tdelår: pågår (försenat)\t" in table
    # a new due date after as_of, or klart, is not late
    set_status(
        report(base_tree, "delår"),
        "okat-valdeltagande",
        "pågår",
        "Nytt datum.",
        new_due="2026-10-31",
    )
    assert by_id(base_tree)["okat-valdeltagande"]["late"] is False
    set_status(report(base_tree, "delår"), "okat-valdeltagande", "klart", done_on="2026-08-15")
    assert by_id(base_tree)["okat-valdeltagande"]["late"] is False


def test_an_uppdrag_owned_by_several_without_a_lead_shows_the_status_most_in_need(
    base_tree: Path,
) -> None:
    path = base_tree / TILLVAXT
    path.write_text(path.read_text(encoding="utf-8").replace("lead: TEK", "lead: null"), "utf-8")
    set_status(report(base_tree, "delår", "TEK"), "starkt-arbete-for-tillvaxt", "pågår")
    set_status(
        report(base_tree, "delår", "KLK"), "starkt-arbete-for-tillvaxt", "vilande", "Pausat."
    )
    row = by_id(base_tree)["starkt-arbete-for-tillvaxt"]
    assert row["statuses"] == {"KLK": "vilande", "TEK": "pågår"}
    assert (row["status"], row["status_occasion"]) == ("vilande", "delår")
    assert [r["id"] for r in listed(base_tree, "--status", "vilande")] == [
        "starkt-arbete-for-tillvaxt"
    ]
    assert listed(base_tree, "--status", "pågår") == []  # put together, not each division's


def test_an_unknown_status_word_is_a_usage_error_naming_the_valid_ones(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "list", "--status", "sen")
    assert result.exit_code == 2
    assert "'sen' is not one of ej påbörjat, pågår, pågår med avvikelse" in result.stderr
    assert "försenat" in result.stderr and "Traceback" not in result.stderr


def test_csv_has_status_occasion_and_late(base_tree: Path) -> None:
    set_status(report(base_tree, "vår"), "okat-valdeltagande", "pågår")
    result = run_ovk("--root", str(base_tree), "list", "--format", "csv", "--sort", "number")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=";"))
    assert [(r["status"], r["status_occasion"], r["late"]) for r in rows] == [
        ("pågår", "vår", "false"),
        ("", "", "false"),
    ]


@pytest.mark.data
def test_done_when_list_status_shows_a_deviating_uppdrag_of_the_shipped_2026(
    tmp_path: Path,
) -> None:
    import shutil

    from tests.conftest import AGREEMENTS

    root = tmp_path / "repo"
    shutil.copytree(AGREEMENTS, root / "agreements")
    shutil.copytree(REPO / "schema", root / "schema")
    klk = report(root, "delår", "KLK")
    set_status(klk, "okat-valdeltagande", "pågår med avvikelse", "Kampanjen flyttas.")
    assert run_ovk("--root", str(root), "validate").exit_code == 0
    result = run_ovk(
        "--root", str(root), "list", "--year", "2026", "--status", "pågår med avvikelse"
    )
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "\t" in line]  # no legend
    assert len(rows) == 2 and "\tdelår: pågår med avvikelse\tÖkat valdeltagande" in rows[1]
