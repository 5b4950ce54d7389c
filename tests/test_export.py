"""`ovk export`: ics that calendar libraries read, csv for Swedish Excel, json with a schema.

The tool's tests run on the example tree, with one title long enough to be folded; the JSON
export of each shipped year is checked against its schema by a data test."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from ovk.model import schema as schemas
from ovk.tools.export import fold
from ovk.tools.listing import load_year
from tests.conftest import REPO, checkout_env, make_tree, run_ovk, shipped_years

# Longer than an ics line, with letters of two bytes in UTF-8: folded, and read back whole.
LONG_TITLE = (
    "Ökat valdeltagande i valen till riksdag, region och kommun – även bland förstagångsväljare"
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example tree (not changed by the tests), with one long Swedish title."""
    tree = make_tree(tmp_path_factory.mktemp("export") / "repo")
    path = tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Ökat valdeltagande", f"title: {LONG_TITLE}"), "utf-8")
    return tree


def export(root: Path, *args: str) -> str:
    result = run_ovk("--root", str(root), "export", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_ics_parses_with_icalendar_and_holds_due_dates_and_followups(root: Path) -> None:
    text = export(root, "--year", "2026", "--format", "ics")
    calendar = icalendar.Calendar.from_ical(text)
    events = list(calendar.walk("VEVENT"))
    year = load_year(root, 2026)
    due = {f"2026-{u.entity.id}-due@ovk": u.entity.due for u in year.uppdrag if u.entity.due}
    assert len(due) == 2
    found = {str(e["UID"]): e.decoded("DTSTART") for e in events}
    for uid, day in due.items():
        assert found[uid] == day
    assert found["2026-uppfoljning-var@ovk"] == dt.date(2026, 4, 30)
    assert found["2026-uppfoljning-delar@ovk"] == dt.date(2026, 8, 31)
    assert found["2026-uppfoljning-helar@ovk"] == dt.date(2026, 12, 31)
    assert len(events) == len(due) + 3
    assert len(found) == len(events)  # every UID once
    assert calendar["X-WR-TIMEZONE"] == "Europe/Stockholm"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    titles = {str(e["SUMMARY"]) for e in events}
    assert any(LONG_TITLE in t for t in titles)  # folded and unfolded intact


def test_ics_is_rfc5545_shaped_and_reproducible(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "ovk.ics"
    run_ovk("--root", str(root), "export", "--format", "ics", "-o", str(target))
    raw = target.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") > 40
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\r\n " in raw  # a folded line
    assert (
        subprocess.run(
            [sys.executable, "-m", "ovk", "--root", str(root), "export", "--format", "ics"],
            capture_output=True,
            check=True,
            env=checkout_env(),
        ).stdout
        == raw
    )  # the same bytes on standard output, and nothing from the clock


def test_followup_dates_can_be_set(root: Path) -> None:
    text = export(root, "--year", "2026", "--format", "ics", "--followup-dates", "vår=05-15")
    events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    var = next(e for e in events if str(e["UID"]) == "2026-uppfoljning-var@ovk")
    assert var.decoded("DTSTART") == dt.date(2026, 5, 15)


@pytest.mark.parametrize("bad", ["höst=05-01", "vår=13-01", "vår"])
def test_bad_followup_dates_are_usage_errors(root: Path, bad: str) -> None:
    result = run_ovk("--root", str(root), "export", "--format", "ics", "--followup-dates", bad)
    assert result.exit_code == 2 and result.stderr.startswith("ovk: error: --followup-dates")


def test_fold_never_splits_a_character() -> None:
    line = "SUMMARY:" + "åäö" * 60
    folded = fold(line)
    for part in folded.encode("utf-8").split(b"\r\n"):
        assert len(part) <= 75
        part.decode("utf-8")  # whole characters only
    assert folded.replace("\r\n ", "").rstrip("\r\n") == line


def test_csv_is_for_swedish_excel(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "uppdrag.csv"
    run_ovk("--root", str(root), "export", "--year", "2026", "--format", "csv", "-o", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("year;number;id;title;")
    assert LONG_TITLE in text and "Stärkt arbete för tillväxt" in text


def export_validator() -> Draft202012Validator:
    schema = json.loads((REPO / "schema" / schemas.EXPORT_SCHEMA).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_json_is_the_whole_year_and_valid_against_its_schema(root: Path) -> None:
    document = json.loads(export(root, "--year", "2026", "--format", "json"))
    validator = export_validator()
    assert list(validator.iter_errors(document)) == []
    assert document["year"] == 2026
    assert [d["code"] for d in document["divisions"]] == [
        d["code"] for d in document["overenskommelse"]["divisions"]
    ]
    assert len(document["uppdrag"]) == len(list((root / "agreements/2026/uppdrag").glob("*.yaml")))
    document["uppdrag"][0]["owners"] = ["not a code"]
    assert list(validator.iter_errors(document))  # the embedded kind schemas do apply


@pytest.mark.data
@pytest.mark.parametrize("year", shipped_years())
def test_the_json_export_of_each_shipped_year_is_valid_against_its_schema(year: int) -> None:
    document = json.loads(export(REPO, "--year", str(year), "--format", "json"))
    assert list(export_validator().iter_errors(document)) == []


def test_export_schema_files_match_the_generator() -> None:
    expected = schemas.dumps(schemas.export_schema())
    for folder in (REPO / "schema", REPO / "ovk" / "data" / "schema"):
        assert (folder / schemas.EXPORT_SCHEMA).read_text(encoding="utf-8") == expected


def test_unknown_year_is_a_usage_error(root: Path) -> None:
    result = run_ovk("--root", str(root), "export", "--year", "1999", "--format", "json")
    assert result.exit_code == 2


def test_a_division_gets_its_own_calendar_with_the_same_uids(root: Path) -> None:
    whole = icalendar.Calendar.from_ical(export(root, "--year", "2026", "--format", "ics"))
    own = icalendar.Calendar.from_ical(
        export(root, "--year", "2026", "--format", "ics", "--owner", "TEK")
    )
    year = load_year(root, 2026)
    expected = {
        f"2026-{u.entity.id}-due@ovk" for u in year.uppdrag if "TEK" in u.owners and u.entity.due
    }
    due_uids = {str(e["UID"]) for e in own.walk("VEVENT") if str(e["UID"]).endswith("-due@ovk")}
    assert due_uids == expected and expected
    assert due_uids < {str(e["UID"]) for e in whole.walk("VEVENT")}
    result = run_ovk("--root", str(root), "export", "--format", "json", "--owner", "TEK")
    assert result.exit_code == 2


def test_check_jsonschema_accepts_the_json_export(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "ovk-2026.json"
    run_ovk("--root", str(root), "export", "--format", "json", "-o", str(target))
    result = subprocess.run(
        [
            *(sys.executable, "-m", "check_jsonschema"),
            *("--schemafile", str(REPO / "schema" / schemas.EXPORT_SCHEMA), str(target)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_csv_and_json_carry_the_latest_reported_status_as_list_does(base_tree: Path) -> None:
    from tests.test_list import listed, report, set_status

    set_status(report(base_tree, "vår"), "okat-valdeltagande", "pågår")
    set_status(report(base_tree, "delår"), "okat-valdeltagande", "pågår med avvikelse", "Sent.")
    document = json.loads(export(base_tree, "--format", "json"))
    assert list(export_validator().iter_errors(document)) == []
    listing = {
        r["id"]: {k: r[k] for k in ("status", "status_occasion", "late", "statuses")}
        for r in listed(base_tree)
    }
    assert {s.pop("id"): s for s in document["status"]} == listing
    assert listing["okat-valdeltagande"]["status"] == "pågår med avvikelse"
    assert [(r["occasion"], r["division"]) for r in document["uppfoljning"]] == [
        ("vår", "KLK"),
        ("vår", "TEK"),
        ("delår", "KLK"),
        ("delår", "TEK"),
    ]
    text = export(base_tree, "--format", "csv").lstrip("\ufeff")
    header, *rows = text.splitlines()
    assert header.endswith(";status;status_occasion;late;file")
    assert any(";pågår med avvikelse;delår;false;" in row for row in rows)
