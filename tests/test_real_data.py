"""The shipped agreements: valid for ovk and for check-jsonschema, and faithful to the seeds.

Every test here is a data test (`pytest -m "not data"` leaves them out)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from ovk.model.layout import classify
from ovk.model.schema import KINDS
from ovk.yamlio.loader import load_path
from tests.conftest import AGREEMENTS, REPO, run_ovk
from tests.test_examples import check_jsonschema_failures

pytestmark = pytest.mark.data

SEEDS = REPO / "tests" / "data" / "seeds"


def load(relative: str) -> Any:
    document = load_path(AGREEMENTS / relative, relative).document
    assert document is not None
    return document.data


def test_shipped_agreements_validate_clean() -> None:
    result = run_ovk("--root", str(REPO), "validate", "--strict", "--no-cache")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.endswith("file(s) valid\n")


def test_check_jsonschema_accepts_every_shipped_file_with_its_modeline_schema() -> None:
    by_kind: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for path in AGREEMENTS.rglob("*.yaml"):
        kind, _ = classify(path.resolve())
        assert kind is not None, path
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        schema = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert schema == (REPO / "schema" / KINDS[kind]).resolve()
        by_kind[kind].append(path.resolve())
    assert check_jsonschema_failures(by_kind, REPO / "schema") == set()


# --- faithfulness: every line of the seed text is somewhere in the year's YAML ---------------

# Lines the model holds as structure rather than text: labels of the printed layout, table
# header rows, page numbers, and numbered source lists whose numbers became row numbers.
STRUCTURAL = re.compile(
    r"^(Uppföljning:?|VERKSAMHETSOMRÅDE|MÅL KF|INDIKATOR|GRUNDVERKSAMHET"
    r"|SÄRSKILT UPPDRAG (KF|NÄMND)|Titel( Utfall \d{4})+|\d+\. Målområde .+|Verksamhetsområde .+"
    r"|Kommunfullmäktiges mål KFs önskade resultat 2024-2026 på|Totalt Kvinnor Män"
    r"|.+ Nuvärde Jämför-|Särskilda uppdrag Beskrivning Mottagar|\d+/\d+)$"
)


DERIVED = {"unit", "kolada"}  # readings of the printed text, not printed text themselves


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in DERIVED:
                yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, float):
        yield f"{value:.1f}".replace(".", ",")  # amounts are printed with a decimal comma


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("•", " ")).strip()


def corpus(files: list[str]) -> str:
    parts: list[str] = []
    for relative in files:
        parts.extend(strings(load(relative)))
    return normalise(" ".join(parts)).replace(" ", "")


def placed(line: str, corpus: str) -> bool:
    """The line's words stand in the YAML, allowing for a glued left-column heading (two parts),
    a line-end hyphen and a source-list number that became a row number."""
    squeezed = line.replace(" ", "")
    if squeezed.rstrip("-") in corpus:
        return True
    words = line.split(" ")
    if re.fullmatch(r"\d+\.", words[0]) and "".join(words[1:]) in corpus:
        return True
    return any(
        "".join(words[:k]) in corpus and "".join(words[k:]) in corpus for k in range(1, len(words))
    )


SEED_2024 = "000_bb714ca2407689ad.txt"
SEED_2026 = "001_cafd86e176d861e0.txt"
UPPDRAG_2024 = [f"2024/uppdrag/{p.name}" for p in sorted((AGREEMENTS / "2024/uppdrag").glob("*"))]
UPPDRAG_2026 = [f"2026/uppdrag/{p.name}" for p in sorted((AGREEMENTS / "2026/uppdrag").glob("*"))]
ERSATTNING_2026 = [f"2026/divisions/{c}.yaml" for c in ("TEK", "SHB", "NKF", "KLK", "ROS")]
# Each span of a seed (first and last lines) and the files that must hold every line of it.
SPANS = {
    "2024 KLK grunduppdrag": (SEED_2024, [(1, 926)], ["2024/divisions/KLK.yaml"]),
    "2024 målområden": (SEED_2024, [(927, 1488)], ["2024/malomraden.yaml"]),
    "2024 särskilda uppdrag": (
        SEED_2024,
        [(1489, 1712), (1751, 1769)],
        ["2024/overenskommelse.yaml", *UPPDRAG_2024],
    ),
    "2024 KLK ekonomi och samråd": (SEED_2024, [(1713, 1750)], ["2024/divisions/KLK.yaml"]),
    "2026 agreement": (SEED_2026, [(1, 197)], ["2026/overenskommelse.yaml", *ERSATTNING_2026]),
    "2026 målområden and uppdrag": (
        SEED_2026,
        [(198, 1276)],
        ["2026/malomraden.yaml", *UPPDRAG_2026],
    ),
    "2026 NKF": (SEED_2026, [(1277, 1416)], ["2026/divisions/NKF.yaml"]),
    "2026 SHB": (SEED_2026, [(1417, 1747)], ["2026/divisions/SHB.yaml"]),
    "2026 TEK": (SEED_2026, [(1748, 2081)], ["2026/divisions/TEK.yaml"]),
    "2026 KLK": (SEED_2026, [(2082, 3171)], ["2026/divisions/KLK.yaml"]),
    "2026 ROS": (SEED_2026, [(3172, 3280)], ["2026/divisions/ROS.yaml"]),
    "2026 DU": (SEED_2026, [(3281, 3371)], ["2026/divisions/DU.yaml"]),
    "2026 DSO": (SEED_2026, [(3372, 3445)], ["2026/divisions/DSO.yaml"]),
}
PAGE_HEADER = re.compile(r"^KK25/566 Bilaga")


def test_spans_cover_both_seeds_without_gaps() -> None:
    for seed in (SEED_2024, SEED_2026):
        total = len((SEEDS / seed).read_text(encoding="utf-8").splitlines())
        covered = sorted(r for s, ranges, _ in SPANS.values() if s == seed for r in ranges)
        assert covered[0][0] == 1
        assert covered[-1][1] >= total
        assert all(a[1] + 1 == b[0] for a, b in pairwise(covered))


@pytest.mark.parametrize("span", SPANS)
def test_every_line_of_the_seed_span_is_in_its_files(span: str) -> None:
    seed, ranges, files = SPANS[span]
    lines = (SEEDS / seed).read_text(encoding="utf-8").splitlines()
    held = corpus(files)
    missing = []
    for first, last in ranges:
        for number in range(first, min(last, len(lines)) + 1):
            line = normalise(lines[number - 1])
            skip = not line or STRUCTURAL.match(line) or PAGE_HEADER.match(line)
            if not skip and not placed(line, held):
                missing.append(f"{number}: {line}")
    assert missing == []


# --- counts, checked by hand against the seed spans -------------------------------------------


def count_blocks(blocks: list[Any]) -> tuple[int, int]:
    """(paragraphs, list items) in a list of text blocks."""
    paragraphs = items = 0
    for block in blocks:
        if isinstance(block, str):
            paragraphs += 1
        elif "list" in block:
            for item in block["list"]:
                if isinstance(item, str):
                    items += 1
                else:
                    items += count_blocks([item])[1]
    return paragraphs, items


def division_counts(relative: str) -> dict[str, int]:
    data = load(relative)
    sections = data["grunduppdrag"]["sections"]
    areas = [area for section in sections for area in section["areas"]]
    paragraphs = items = 0
    for holder in [*sections, *areas]:
        for key in ("text", "uppfoljning"):
            p, i = count_blocks(holder.get(key) or [])
            paragraphs, items = paragraphs + p, items + i
    return {
        "sections": len(sections),
        "areas": len(areas),
        "paragraphs": paragraphs,
        "list_items": items,
    }


def test_2024_klk_grunduppdrag_counts() -> None:
    counts = division_counts("2024/divisions/KLK.yaml")
    assert counts == {"sections": 7, "areas": 28, "paragraphs": 139, "list_items": 92}
    headings = [s["heading"] for s in load("2024/divisions/KLK.yaml")["grunduppdrag"]["sections"]]
    assert headings == [
        "Allmänt",
        "Gemensamt för KLKs verksamheter",
        "Ekonomiavdelningen",
        "HR-avdelningen",
        "Kommunikation och Kundservice",
        "IT-avdelningen",
        "Kommunledningskansliet",
    ]


def test_2024_ersattning_adds_up_to_204_6() -> None:
    ersattning = load("2024/divisions/KLK.yaml")["ersattning"]
    assert len(ersattning["rows"]) == 6
    assert round(sum(row["belopp"] for row in ersattning["rows"]), 1) == 204.6
    assert ersattning["total"] == {"label": "Summa gemensamt", "belopp": 204.6}


def goals(year: int) -> list[dict[str, Any]]:
    data = load(f"{year}/malomraden.yaml")
    found = []
    for malomrade in data["malomraden"]:
        found.extend(malomrade["goals"])
        for vo in malomrade["verksamhetsomraden"]:
            found.extend(vo["goals"])
    return found


def test_2024_goals_indicators_and_uppdrag_counts() -> None:
    year_goals = goals(2024)
    assert len(year_goals) == 8
    assert sum(len(t["rows"]) for g in year_goals for t in g["nyckeltal"]) == 30
    uppdrag = sorted(p.stem for p in (AGREEMENTS / "2024" / "uppdrag").glob("*.yaml"))
    assert len(uppdrag) == 8
    assert "kartlaggning-gallande-taxor" in uppdrag


def test_2024_kolada_ids_are_kept() -> None:
    ids = {
        kpi
        for g in goals(2024)
        for t in g["nyckeltal"]
        for row in t["rows"]
        if row.get("source")
        for kpi in row["source"]["kolada"]
    }
    assert {"U01405", "N00712", "N66077", "N07403", "U01420"} <= ids


def test_json_format_is_an_array_of_findings(tmp_path: Path) -> None:
    result = run_ovk("--root", str(REPO), "validate", "--format", "json", "--no-cache")
    assert json.loads(result.stdout) == []


DIVISION_COUNTS_2026 = {
    "NKF": {"sections": 3, "areas": 12, "paragraphs": 22, "list_items": 3},
    "SHB": {"sections": 7, "areas": 20, "paragraphs": 65, "list_items": 12},
    "TEK": {"sections": 11, "areas": 14, "paragraphs": 75, "list_items": 15},
    "KLK": {"sections": 7, "areas": 31, "paragraphs": 107, "list_items": 153},
    "ROS": {"sections": 3, "areas": 16, "paragraphs": 21, "list_items": 3},
    "DU": {"sections": 1, "areas": 8, "paragraphs": 11, "list_items": 3},
    "DSO": {"sections": 1, "areas": 7, "paragraphs": 12, "list_items": 3},
}


@pytest.mark.parametrize("code", DIVISION_COUNTS_2026)
def test_2026_grunduppdrag_counts(code: str) -> None:
    assert division_counts(f"2026/divisions/{code}.yaml") == DIVISION_COUNTS_2026[code]


def test_2026_goals_indicators_uppdrag_and_grundverksamhet() -> None:
    year_goals = goals(2026)
    assert [g["number"] for g in year_goals] == [
        "1.1.1",
        "1.1.3",
        "1.1.4",
        "2.1.1",
        "2.1.2",
        "4.1.1",
        "4.1.2",
        "6.1.1",
        "6.1.2",
        "7.1.1",
    ]
    assert sum(len(t["rows"]) for g in year_goals for t in g["nyckeltal"]) == 38
    numbers = sorted(
        load(f"2026/uppdrag/{p.name}")["number"]
        for p in (AGREEMENTS / "2026" / "uppdrag").glob("*.yaml")
    )
    assert numbers == [
        "1.1.2",
        "1.1.5",
        "1.2.1",
        "2.1.3",
        "2.1.4",
        "2.1.5",
        "2.2.1.",
        "4.2.1.",
        "5.1.3",
        "5.2.1.",
        "6.1.3",
        "6.1.4",
        "7.1.2",
        "7.1.3",
        "7.2.1.",
        "7.2.2.",
    ]
    data = load("2026/malomraden.yaml")
    entries = [e["number"] for m in data["malomraden"] for e in m["grundverksamhet"]]
    entries += [
        e["number"]
        for m in data["malomraden"]
        for vo in m["verksamhetsomraden"]
        for e in vo["grundverksamhet"]
    ]
    assert sorted(entries) == [
        "2.2.2.",
        "2.2.3.",
        "2.2.4.",
        "2.2.5.",
        "2.2.6.",
        "4.2.2.",
        "6.2.1.",
        "7.2.3.",
    ]


def test_2026_compensation_tables_are_recorded_as_missing() -> None:
    for code in ("TEK", "SHB", "NKF", "KLK", "ROS"):
        ersattning = load(f"2026/divisions/{code}.yaml")["ersattning"]
        assert ersattning["missing_in_source"] is True
        assert ersattning["rows"] == []
    for code in (
        "DSO",
        "DU",
    ):  # "Ersättning … till Division social omsorg och Division Utbildning ges ej."
        assert load(f"2026/divisions/{code}.yaml")["ersattning"] is None


def test_transcription_notes_page_lists_every_note() -> None:
    from tests.transcription_notes import markdown

    page = (REPO / "docs" / "transcription.md").read_text(encoding="utf-8")
    assert page == markdown(), "run: python -m tests.transcription_notes > docs/transcription.md"
    assert page.count("\n| `agreements/") > 150


@pytest.mark.parametrize(("year", "seed"), [("2024", SEED_2024), ("2026", SEED_2026)])
def test_the_transcribed_years_name_nykoping_as_their_sources_do(year: str, seed: str) -> None:
    # Both sources are Nyköpings kommun's; 0480 is its code in Kolada and at SCB.
    agreement = load(f"{year}/overenskommelse.yaml")
    assert agreement["municipality"] == {"name": "Nyköping", "kolada_id": "0480"}
    assert "Nyköpings kommun" in (SEEDS / seed).read_text(encoding="utf-8")
