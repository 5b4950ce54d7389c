"""`ovk kolada link`: Kolada ids proposed for the 2026 indicators by exact title, and years for
the values the source printed without theirs, against a local Kolada (pytest-httpserver)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from ovk.kolada import client as kolada_client
from ovk.model import kolada
from ovk.model.build import build
from ovk.model.entities import Indicator, Malomraden
from ovk.yamlio.loader import load_path
from tests.conftest import REPO, run_ovk
from tests.test_kolada_fetch import FAST, FakeKolada, cell, one_line_error

# End to end on a copy of the shipped agreements (2026 prints no Kolada id): data tests.
pytestmark = pytest.mark.data

FILE = "agreements/2026/malomraden.yaml"
HEALTH = "Invånare med bra självskattat hälsotillstånd, andel (%)"  # 2026 prints 60,4% in 2023
POOR = "Invånare, 0-19 år, med låg ekonomisk standard, andel (%)"  # 20,0% in 2023
ASSAULT = "Anmälda misshandelsbrott mot kvinna, inomhus, bekant med offret, antal/100 000 inv"
ALONE = "Invånare 16-84 år som avstår från att gå ut ensam, andel (%)"
OBESE = "4-åringar med övervikt/obesitas, andel (%)"
COMMENT = "# reviewed by the controller, 2026-11-30"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kolada_client, "DEFAULT", FAST)


@pytest.fixture
def root(tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's agreements and schemas (2026 names no Kolada id), with a
    comment of its own line and one at a line's end, pointed at the local Kolada."""
    target = tmp_path / "repo"
    shutil.copytree(REPO / "agreements", target / "agreements")
    shutil.copytree(REPO / "schema", target / "schema")
    path = target / FILE
    text = path.read_text(encoding="utf-8")
    health = "                  - id: invanare-med-bra-sjalvskattat-halsotillstand-andel\n"
    assert health in text
    text = text.replace(health, f"                  {COMMENT}\n{health}", 1)
    text = text.replace("    title: Social hållbarhet\n", "    title: Social hållbarhet  # KS\n")
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("OVK_KOLADA_URL", httpserver.url_for("/v3"))
    return target


def catalogue(server: HTTPServer) -> FakeKolada:
    """Kolada's catalogue, three KPIs a page: exact titles for some 2026 indicators (one set
    with other dashes, spacing and commas), one title of two KPIs, one near miss; values for
    Nyköping that make some guessed columns' years unique and one not."""
    return FakeKolada(
        server,
        {
            "N00900": "Sjukfrånvaro, andel (%)",
            "U01405": HEALTH,
            "N00001": "Invånare 0 – 19 år med låg ekonomisk standard, andel (%)",
            "N00004": ASSAULT,
            "U00002": ALONE,
            "U00003": "invånare 16–84 år som avstår från att gå ut ensam, andel %",
            "U00005": "4-åringar med övervikt, andel (%)",  # not OBESE's title
        },
        {
            ("U01405", 2023): [cell(58.0)],
            ("U01405", 2024): [cell(60.42), cell(62.0, "K")],
            ("U01405", 2025): [cell(None, status="Missing")],
            ("N00001", 2024): [cell(20.0)],
            ("N00001", 2025): [cell(19.96)],  # 20,0 too: two years agree, none is proposed
            ("N00004", 2024): [cell(259.0)],
            ("N00004", 2025): [cell(139.0)],
        },
        page_size=3,
    )


def link(root: Path, *args: str) -> Any:
    return run_ovk("--root", str(root), "kolada", "link", "--year", "2026", *args)


def indicator(root: Path, title: str) -> Indicator:
    document = load_path(root / FILE, FILE).document
    assert document is not None
    malomraden = build(Malomraden, document.data)
    found = [u.indicator for u in kolada.unlinked(malomraden) if u.indicator.title == title]
    found += [i.indicator for i in kolada.linked(malomraden) if i.indicator.title == title]
    assert len(found) == 1
    return found[0]


def title_line(root: Path, title: str) -> int:
    lines = (root / FILE).read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.endswith(f"title: {title}"))


def test_link_proposes_ids_by_exact_title_and_the_year_kolada_confirms(
    httpserver: HTTPServer, root: Path
) -> None:
    served = catalogue(httpserver)
    before = (root / FILE).read_bytes()
    result = link(root)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    health, poor, assault = (title_line(root, t) for t in (HEALTH, POOR, ASSAULT))
    assert lines[:3] == [
        f"{FILE}:{poor}: {POOR} → N00001",
        f"{FILE}:{health}: {HEALTH} → U01405, 60,4 % = 2024",
        f"{FILE}:{assault}: {ASSAULT} → N00004, 259 = 2024, 139 = 2025",
    ]
    alone = title_line(root, ALONE)
    assert lines[3:5] == [
        f"{FILE}:{poor}: {POOR}: 20,0 % agrees with several years (2024, 2025) of N00001 in "
        "Kolada; left in 2023, no year proposed",
        f"{FILE}:{alone}: {ALONE}: ambiguous, 2 KPIs of Kolada have this title "
        "(U00002, U00003); not linked",
    ]
    assert lines[5:] == ["3 proposal(s); write them with --write", "Källa: Kolada"]
    assert not any(OBESE in line for line in lines)  # a near title is no match
    assert (root / FILE).read_bytes() == before  # nothing written without --write
    # the catalogue by every page, then the values of the guessed rows' KPIs for Nyköping
    assert served.paths[:3] == ["/v3/kpi"] * 3
    data = "/v3/data/kpi/N00001,N00004,U01405/municipality/0480/year/2023,2024,2025,2026"
    assert served.paths[3:] and set(served.paths[3:]) == {data}


def test_write_links_moves_the_confirmed_values_keeps_comments_and_validates(
    httpserver: HTTPServer, root: Path
) -> None:
    catalogue(httpserver)
    result = link(root, "--write")
    assert result.exit_code == 0, result.stderr
    assert f"wrote {FILE}: 3 indicator(s) linked" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == "Källa: Kolada"
    text = (root / FILE).read_text(encoding="utf-8")
    assert f"                  {COMMENT}\n" in text
    assert "    title: Social hållbarhet  # KS\n" in text
    assert text.startswith("# yaml-language-server: $schema=../../schema/malomraden.schema.json\n")

    health = indicator(root, HEALTH)
    assert health.source is not None and health.source.kolada == ("U01405",)
    assert health.source.text == ""  # the source printed none: none is invented
    assert dict(health.values) == {"2024": "60,4%"}
    assert health.note == (
        "Only one value printed, without its column; placed in the earliest column (2023) as a "
        "guess. Kolada id U01405 linked by ovk kolada link: exact title match. Value 60,4% "
        "moved from 2023 to 2024 by ovk kolada link: Kolada's 2024 value equals it."
    )
    assault = indicator(root, ASSAULT)
    assert list(assault.values.items()) == [("2024", "259"), ("2025", "139")]
    poor = indicator(root, POOR)  # linked, its value left where it stood
    assert poor.source is not None and poor.source.kolada == ("N00001",)
    assert dict(poor.values) == {"2023": "20,0%"}
    assert poor.note is not None and poor.note.endswith("exact title match.")
    alone = indicator(root, ALONE)  # ambiguous: never written
    assert alone.source is None
    assert (
        'source:\n                      text: ""\n                      kolada: [U01405]\n' in text
    )

    checked = run_ovk("--root", str(root), "validate", "--strict")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    again = run_ovk("--root", str(root), "fmt", "--check")
    assert again.exit_code == 0, again.stdout + again.stderr


def test_a_second_link_after_write_proposes_nothing_more(
    httpserver: HTTPServer, root: Path
) -> None:
    catalogue(httpserver)
    assert link(root, "--write").exit_code == 0
    written = (root / FILE).read_bytes()
    result = link(root, "--write")
    assert result.exit_code == 0, result.stderr
    assert f"{FILE}: no title of the" in result.stdout  # the rest match no KPI exactly
    assert "ambiguous" in result.stdout
    assert (root / FILE).read_bytes() == written


def test_link_without_the_municipality_s_kolada_id_exits_2_in_one_line(
    httpserver: HTTPServer, root: Path
) -> None:
    catalogue(httpserver)
    agreement = root / "agreements/2026/overenskommelse.yaml"
    text = agreement.read_text(encoding="utf-8")
    agreement.write_text(text.replace(', kolada_id: "0480"', ""), encoding="utf-8")
    before = (root / FILE).read_bytes()
    line = one_line_error(link(root, "--write"))
    assert "overenskommelse.yaml names no Kolada id of the municipality" in line
    assert (root / FILE).read_bytes() == before


def test_link_with_kolada_stopped_exits_2_in_one_line_and_writes_nothing(
    httpserver: HTTPServer, root: Path
) -> None:
    before = (root / FILE).read_bytes()
    httpserver.stop()
    try:
        line = one_line_error(link(root, "--write"))
    finally:
        httpserver.start()
    assert line.startswith("ovk: error: Kolada: http://")
    assert (root / FILE).read_bytes() == before


def test_a_source_with_text_and_no_id_keeps_its_text_and_gets_the_id(
    httpserver: HTTPServer, root: Path
) -> None:
    title = "Andel (%) 4 åringar med övervikt/obesitas Nyköping"  # 2024: text, kolada: []
    served = FakeKolada(httpserver, {"U00010": title, "U01405": HEALTH}, {})
    file = "agreements/2024/malomraden.yaml"
    result = run_ovk("--root", str(root), "kolada", "link", "--year", "2024", "--write")
    assert result.exit_code == 0, result.stderr
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.endswith(f"title: {title}"))
    assert result.stdout.splitlines()[0] == f"{file}:{line}: {title} → U00010"
    assert (
        "                  text: Nyköpings elevhälsa, källa ska justeras. Nuvärde avser 2022."
        in lines
    )
    assert "                  kolada: [U00010]" in lines
    assert served.paths == ["/v3/kpi"]  # no guessed value: no values asked
    checked = run_ovk("--root", str(root), "validate", "agreements/2024")
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_a_title_with_control_characters_is_shown_literally(
    httpserver: HTTPServer, root: Path
) -> None:
    hostile = "Invånare med bra självskattat hälsotillstånd\u202e, andel (%)"
    path = root / FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"title: {HEALTH}\n", f'title: "{hostile}"\n'), "utf-8")
    FakeKolada(httpserver, {"U01405": hostile}, {("U01405", 2024): [cell(60.4)]})
    result = link(root)
    assert result.exit_code == 0, result.stderr
    assert "\u202e" not in result.stdout
    shown = "Invånare med bra självskattat hälsotillstånd\\u202e, andel (%) → U01405, 60,4 % = 2024"
    assert any(line.endswith(shown) for line in result.stdout.splitlines())


def test_a_write_that_would_not_validate_is_refused_and_nothing_written(
    httpserver: HTTPServer, root: Path
) -> None:
    # A snapshot of 2026 that says Kolada does not know U01405: linking it is an error
    # (kolada-unknown), so validate's checks refuse the write.
    stale = kolada.Snapshot(
        fetched="2026-11-01T00:00:00Z",
        base_url="https://api.kolada.se/v3",
        municipality="0480",
        periods=(2026,),
        requests=(),
        kpis={},
        unknown=("U01405",),
    )
    (root / "agreements/2026/kolada.json").write_text(kolada.snapshot_json(stale), "utf-8")
    catalogue(httpserver)
    before = (root / FILE).read_bytes()
    result = link(root, "--write")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "would not validate" in result.stderr and "nothing was written" in result.stderr
    assert "kolada-unknown" in result.stderr
    assert (root / FILE).read_bytes() == before
