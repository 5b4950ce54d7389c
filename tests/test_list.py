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
