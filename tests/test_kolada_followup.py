"""`ovk followup new` with the year's Kolada snapshot, on a copy of the real 2024: each
indicator that names one KPI gets Kolada's value for all (T) in the latest period up to the
year that has one, its period, and the KPI it is of (`kolada`); a Missing value, an indicator
that names no KPI and a value a person typed stay as they are; the rendered report says
"Källa: Kolada" beside exactly those values. Without a snapshot the report is as before; and
after `ovk kolada fetch` from a local Kolada (pytest-httpserver) its answers are taken."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from ovk.model import kolada
from ovk.yamlio.loader import load_path
from tests.conftest import run_ovk

# The local Kolada of fetch's tests and their fixtures (`api`: OVK_KOLADA_URL set to it;
# `_fast`: no pauses), and the validate tests' copy of the real repository.
from tests.test_kolada_fetch import FakeKolada, _fast, api, cell  # noqa: F401
from tests.test_kolada_validate import malomraden, repository

pytestmark = pytest.mark.data

YEAR = 2024
FOLDER = f"agreements/{YEAR}/uppfoljning/helar"
HALSA = "invanare-med-bra-sjalvskattat-halsotillstand-andel"  # U01405
VALD = "anmalda-valdsbrott-antal-100-000-inv"  # N07403
AVFALL = "insamlat-kommunalt-avfall-totalt-kg-invanare"  # U07801
KASSA = "kassalikviditet-kommunen"  # N03105


def value(number: float | None, status: str | None = None) -> dict[str, kolada.Value]:
    return {"T": kolada.Value(number, status, 1)}


def snapshot(root: Path) -> dict[str, Any]:
    """A snapshot of every KPI the year names: 2024's value 10 + its index, except that
    U01405 has 2024 Missing and 2023 a value, N07403 has only Missing values, and N03105
    has a value for 2025 (after the year) and 2022. Returns what each indicator should get."""
    kpis = {}
    expected: dict[str, Any] = {}
    for index, item in enumerate(kolada.linked(malomraden(root))):
        (kpi,) = item.kpis
        values = {2024: value(10.0 + index), 2023: value(1.5)}
        want: tuple[float, int] | None = (10.0 + index, 2024)
        if kpi == "U01405":
            values = {2024: value(None, "Missing"), 2023: value(63.25)}
            want = (63.25, 2023)
        elif kpi == "N07403":
            values = {2024: value(None, "Missing"), 2023: value(None, "Missing")}
            want = None
        elif kpi == "N03105":
            values = {2025: value(999.0), 2022: value(150.5)}
            want = (150.5, 2022)
        kpis[kpi] = kolada.Kpi(kpi, item.indicator.title, values=values)
        expected[item.indicator.id] = (kpi, want)
    data = kolada.Snapshot("2026-12-02T07:00:00Z", kolada.API, "0480", (2022, 2023, 2024), (), kpis)
    (root / kolada.snapshot_file(YEAR)).write_text(kolada.snapshot_json(data), encoding="utf-8")
    return expected


def new_reports(root: Path) -> dict[str, dict[str, Any]]:
    result = run_ovk(
        "--root", str(root), "followup", "new", "--year", str(YEAR), "--occasion", "helår", "--all"
    )
    assert result.exit_code == 0, result.stderr
    out: dict[str, dict[str, Any]] = {}
    for path in sorted((root / FOLDER).glob("*.yaml")):
        document = load_path(path, path.name).document
        assert document is not None
        for ident, entry in (document.data.get("indicators") or {}).items():
            out[ident] = dict(entry)
    return out


def test_followup_new_takes_value_period_and_kpi_from_the_snapshot_for_linked_indicators(
    tmp_path: Path,
) -> None:
    root = repository(tmp_path)
    expected = snapshot(root)
    entries = new_reports(root)
    assert set(expected) <= set(entries)  # every linked indicator is reported by someone
    for ident, (kpi, want) in expected.items():
        entry = entries[ident]
        if want is None:  # only Missing: left null, never 0, not marked
            assert entry == {"value": None, "period": None, "comment": None}, ident
        else:
            assert entry == {
                "value": want[0],
                "period": want[1],
                "comment": None,
                "kolada": kpi,
            }, ident
    assert entries[HALSA]["period"] == 2023  # 2024 Missing: the latest period with a value
    assert entries[KASSA]["period"] == 2022  # 2025 is after the agreement's year
    assert entries[VALD]["value"] is None
    unlinked = set(entries) - set(expected)
    assert unlinked  # 2024 has indicators without a Kolada id
    for ident in unlinked:
        assert entries[ident] == {"value": None, "period": None, "comment": None}, ident
    assert run_ovk("--root", str(root), "validate").exit_code == 0


def test_without_a_snapshot_followup_new_writes_what_it_wrote_before(tmp_path: Path) -> None:
    root = repository(tmp_path)
    entries = new_reports(root)
    assert entries
    assert all(e == {"value": None, "period": None, "comment": None} for e in entries.values())
    assert "kolada" not in "".join(p.read_text() for p in (root / FOLDER).glob("*.yaml"))


def test_a_broken_snapshot_is_one_line_and_exit_1_invalid_data_and_no_report(
    tmp_path: Path,
) -> None:
    root = repository(tmp_path)
    (root / kolada.snapshot_file(YEAR)).write_text("{", encoding="utf-8")
    result = run_ovk(
        "--root", str(root), "followup", "new", "--year", str(YEAR), "--occasion", "helår", "--all"
    )
    assert result.exit_code == 1  # invalid data (DataError), as a broken YAML file
    assert "kolada.json" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (root / FOLDER).exists() or not list((root / FOLDER).glob("*.yaml"))


def division_of(root: Path, indicator: str) -> str:
    for path in sorted((root / FOLDER).glob("*.yaml")):
        if re.search(rf"^  {re.escape(indicator)}:", path.read_text(), re.MULTILINE):
            return path.stem
    raise AssertionError(indicator)


def rendered(root: Path, code: str, form: str) -> str:
    result = run_ovk(
        "--root", str(root), "render", code, "--year", str(YEAR), "--followup", "helår",
        "--format", form,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout  # type: ignore[no-any-return]


@pytest.mark.parametrize("form", ["md", "html"])
def test_the_report_says_kalla_kolada_beside_kolada_values_only(tmp_path: Path, form: str) -> None:
    root = repository(tmp_path)
    expected = snapshot(root)
    new_reports(root)
    # A controller types an outcome over one Kolada value and clears its mark.
    code = division_of(root, AVFALL)
    path = root / FOLDER / f"{code}.yaml"
    text = path.read_text()
    entry = re.compile(
        rf"(  {AVFALL}:\n    value: )[^\n]*(\n    period: )[^\n]*(\n.*?)    kolada: U07801\n",
        re.DOTALL,
    )
    assert entry.search(text)
    path.write_text(entry.sub(r"\g<1>512.0\g<2>2024\g<3>", text, count=1))
    titles = {x.indicator.id: x.indicator.title for x in kolada.linked(malomraden(root))}
    from_kolada = {i for i, (_, want) in expected.items() if want is not None} - {AVFALL}
    marked: set[str] = set()
    for code in sorted({division_of(root, i) for i in expected}):
        page = rendered(root, code, form)
        rows = page.split("<tr>") if form == "html" else page.splitlines()
        attributed = [row for row in rows if kolada.ATTRIBUTION in row]
        for ident in expected:
            shown = html.escape(titles[ident]) if form == "html" else titles[ident]
            ours = [row for row in rows if shown in row and ("<th" in row or "|" in row)]
            if division_of(root, ident) != code:
                continue
            assert len(ours) == 1, ident
            if kolada.ATTRIBUTION in ours[0]:
                marked.add(ident)
        # Only the indicators' rows say it, once each; no heading, total or footer does.
        assert all(row.count(kolada.ATTRIBUTION) == 1 for row in attributed)
        assert len(attributed) == len([i for i in from_kolada if division_of(root, i) == code])
    assert marked == from_kolada


def test_a_whole_number_from_kolada_is_written_and_shown_whole(tmp_path: Path) -> None:
    """Kolada's 403 (kg per invånare) is `value: 403` in the report and 403 on the page, not
    403.0 and 403,0."""
    root = repository(tmp_path)
    snapshot(root)
    path = root / kolada.snapshot_file(YEAR)
    data = kolada.read_snapshot(path.read_text(encoding="utf-8"), "k")
    whole = {2024: value(403)}
    kpis = {**data.kpis, "U07801": replace(data.kpis["U07801"], values=whole)}
    path.write_text(kolada.snapshot_json(replace(data, kpis=kpis)), encoding="utf-8")
    new_reports(root)
    code = division_of(root, AVFALL)
    report = (root / FOLDER / f"{code}.yaml").read_text(encoding="utf-8")
    assert f"  {AVFALL}:\n    value: 403\n    period: 2024\n" in report
    title = next(
        x.indicator.title for x in kolada.linked(malomraden(root)) if x.indicator.id == AVFALL
    )
    (row,) = [line for line in rendered(root, code, "md").splitlines() if title in line]
    assert f"| 403 ({kolada.ATTRIBUTION}) |" in row


def test_followup_new_leaves_an_existing_report_with_a_typed_value_as_it_is(
    tmp_path: Path,
) -> None:
    root = repository(tmp_path)
    new_reports(root)  # without a snapshot: every outcome empty
    path = root / FOLDER / "KLK.yaml"
    typed = re.sub(rf"(  {HALSA}:\n    value: )null", r"\g<1>70.0", path.read_text(), count=1)
    assert f"{HALSA}:\n    value: 70.0" in typed
    path.write_text(typed)
    snapshot(root)
    result = run_ovk(
        "--root", str(root), "followup", "new", "--year", str(YEAR), "--occasion", "helår",
        "--division", "KLK",
    )  # fmt: skip
    assert result.exit_code == 2 and "never overwrites" in result.stderr
    assert new_reports(root)  # --all: every report there already, each skipped
    assert path.read_text() == typed


@pytest.mark.usefixtures("api")
def test_followup_new_after_kolada_fetch_from_a_local_kolada_takes_its_answers(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    root = repository(tmp_path)
    linked = {x.indicator.id: x.kpis[0] for x in kolada.linked(malomraden(root))}
    titles = {x.kpis[0]: x.indicator.title for x in kolada.linked(malomraden(root))}
    values: dict[tuple[str, int], list[Any]] = {}
    for n, kpi in enumerate(sorted(titles)):
        values[(kpi, 2023)] = [cell(20.0 + n), cell(1.0, "K")]
        values[(kpi, 2024)] = [cell(40.5 + n), cell(2.0, "K")]
    values[("U01405", 2024)] = [cell(None, status="Missing")]
    values[("N07403", 2023)] = [cell(None, status="Missing")]
    values[("N07403", 2024)] = [cell(None, status="Missing")]
    FakeKolada(httpserver, titles, values)
    fetched = run_ovk("--root", str(root), "kolada", "fetch", "--year", str(YEAR))
    assert fetched.exit_code == 0, fetched.stderr
    entries = new_reports(root)
    for n, kpi in enumerate(sorted(titles)):
        (ident,) = [i for i, k in linked.items() if k == kpi]
        got = (entries[ident]["value"], entries[ident]["period"], entries[ident].get("kolada"))
        if kpi == "U01405":
            assert got == (20.0 + n, 2023, kpi)  # 2024 Missing: 2023's, for all (T)
        elif kpi == "N07403":
            assert got == (None, None, None)  # Missing every year: not filled, never 0
        else:
            assert got == (40.5 + n, 2024, kpi)


def report_with(root: Path, ident: str) -> Path:
    """The first new helår report that holds the indicator `ident`."""
    for path in sorted((root / FOLDER).glob("*.yaml")):
        if f"  {ident}:" in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no report holds {ident}")


def kolada_findings(root: Path) -> list[str]:
    result = run_ovk("--root", str(root), "validate", "--format", "github")
    return [line for line in result.stdout.splitlines() if "kolada-outcome" in line]


def test_a_value_typed_over_kolada_s_with_the_mark_left_is_a_located_warning(
    tmp_path: Path,
) -> None:
    root = repository(tmp_path)
    snapshot(root)
    new_reports(root)
    assert kolada_findings(root) == []  # as followup new wrote them: Kolada's own values
    path = report_with(root, HALSA)
    text = path.read_text(encoding="utf-8")
    typed = re.sub(r"(  " + HALSA + r":\n    value: )63\.25", r"\g<1>70.5", text)
    assert typed != text
    path.write_text(typed, encoding="utf-8")
    (finding,) = kolada_findings(root)
    assert finding.startswith("::warning ")
    assert f"file={path.relative_to(root).as_posix()}" in finding
    assert "70,5 for 2023 is marked as Kolada's U01405, but Kolada has 63,25" in finding
    line = next(n for n, t in enumerate(typed.splitlines(), 1) if t.strip() == "kolada: U01405")
    assert f"line={line}," in finding


def test_an_outcome_marked_with_a_kpi_its_indicator_does_not_name_is_an_error(
    tmp_path: Path,
) -> None:
    root = repository(tmp_path)
    snapshot(root)
    new_reports(root)
    path = report_with(root, HALSA)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("kolada: U01405", "kolada: N07403", 1), encoding="utf-8")
    (finding,) = kolada_findings(root)
    assert finding.startswith("::error ")
    assert f"marked as Kolada's N07403, but indicator '{HALSA}' names U01405" in finding
