"""The free texts of a file, found through the model (what `ovk new year` lists), and the
excerpt a line of such a list shows."""

from __future__ import annotations

import pytest

from ovk.model.entities import DOCUMENTS
from ovk.model.text import free_texts
from ovk.output.literal import excerpt
from ovk.yamlio.loader import load_path
from tests.conftest import BASE


def texts_of(kind: str, relative: str) -> dict[tuple[str | int, ...], str]:
    document = load_path(BASE / "agreements/2026" / relative, relative).document
    assert document is not None
    return dict(free_texts(document.data, DOCUMENTS[kind]))


def test_free_texts_are_what_a_reader_reads_not_ids_codes_numbers_keys_or_dates() -> None:
    found = texts_of("uppdrag", "uppdrag/starkt-arbete-for-tillvaxt.yaml")
    assert found == {
        ("title",): "Stärkt arbete för tillväxt",
        ("suffix",): "(KS)",
        ("text", 0): "Nämndöverskridande arbete behövs.",
        ("financing",): "Inom ram",
    }  # not id, number, origin, malomrade, owners, lead, start, due, followup


def test_free_texts_reach_into_goals_tables_and_nested_lists() -> None:
    goals = texts_of("malomraden", "malomraden.yaml")
    goal = ("malomraden", 0, "goals", 0)
    table = (*goal, "nyckeltal", 0)
    assert goals[("malomraden", 0, "fokus", "heading")] == "I fokus mandatperioden 2022–2026"
    assert goals[(*table, "columns", 0, "label")] == "Utfall 2023"
    assert goals[(*table, "rows", 0, "values", "2023")] == "8,1%"  # a cell as printed
    assert goals[(*table, "rows", 0, "source", "text")] == "Kolada (N00090)."
    paths = set(goals)
    assert (*table, "columns", 0, "key") not in paths  # a column key is the column's identity
    assert (*table, "rows", 0, "id") not in paths
    assert (*table, "rows", 0, "source", "kolada", 0) not in paths  # a Kolada id
    assert (*goal, "delas_till", 0) not in paths  # a code
    agreement = texts_of("overenskommelse", "overenskommelse.yaml")
    assert agreement[("sections", 0, "text", 1, "list", 1, "list", 0)] == "En inre punkt."
    assert ("divisions", 0, "code") not in agreement
    assert agreement[("divisions", 0, "name")] == "Kommunledningskontoret"


SENTENCE = (
    "Detta är en överenskommelse mellan Kommunstyrelsen och verksamheterna om den verksamhet "
    "som ska utföras under året 2026, och den följs upp vid delåret och i helåret."
)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Utfall 2026", 100, "Utfall 2026"),
        ("två\nrader  och\tflikar", 100, "två rader och flikar"),
        (SENTENCE, 60, "…som ska utföras under året 2026, och den följs upp vid…"),
        (SENTENCE, 200, SENTENCE),
    ],
)
def test_an_excerpt_is_one_line_around_the_year_cut_at_spaces(
    text: str, width: int, expected: str
) -> None:
    found = text.find("2026")
    span = (found, found + 4) if found >= 0 else None
    shown = excerpt(text, span, width)
    assert shown == expected
    assert len(shown) <= width + 2  # the two marks of the cuts


def test_an_excerpt_of_a_text_without_spaces_is_cut_at_the_width() -> None:
    assert excerpt("x" * 300, (150, 154), 100) == "…" + "x" * 100 + "…"
