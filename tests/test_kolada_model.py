"""The model's reading of Kolada: the cells Kolada can confirm, the numbers printed in them,
and the snapshot's format (written sorted, read back the same, anything else a DataError)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ovk.errors import DataError
from ovk.model import kolada
from ovk.model.build import build
from ovk.model.entities import Indicator, Malomraden
from ovk.output.swedish import sv_number
from ovk.yamlio.loader import load_path
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("66", 66.0),
        ("66,5", 66.5),
        ("20,0%", 20.0),
        ("1 234", 1234.0),
        ("1\u00a0234,5 kr", 1234.5),
        ("−3,5", -3.5),
        ("-2", -2.0),
        ("-", None),
        ("Neg", None),
        ("Oförändrad", None),
        ("", None),
        ("1,2,3", None),
    ],
)
def test_a_cell_prints_a_swedish_number_or_none(text: str, value: float | None) -> None:
    assert kolada.number(text) == value


@pytest.mark.parametrize(
    ("text", "value", "agrees"),
    [
        ("66,5", 66.47, True),
        ("66,5", 66.54, True),
        ("66,5", 66.44, False),
        ("60,4%", 60.35, True),  # half away from zero, as a printer rounds
        ("66", 65.5, True),
        ("66", 65.49, False),
        ("-2", -2.5, False),
        ("-3", -2.5, True),
        ("Neg", 1.0, False),
    ],
)
def test_a_printed_cell_agrees_with_kolada_at_the_precision_printed(
    text: str, value: float, agrees: bool
) -> None:
    assert kolada.agrees(text, value) is agrees


def malomraden(year: str) -> Malomraden:
    document = load_path(REPO / f"agreements/{year}/malomraden.yaml", "m").document
    assert document is not None
    return build(Malomraden, document.data)


@pytest.mark.data
def test_the_2024_indicators_name_the_14_kolada_ids_the_source_prints() -> None:
    seed = next((REPO.parent / "shared" / "seeds").glob("000_*.txt"), None)
    ids = kolada.kpi_ids(malomraden("2024"))
    assert len(ids) == 14 and all(kolada.is_kpi_id(i) for i in ids)
    if seed is not None:  # the source document, where the checkout has it beside it
        text = seed.read_text(encoding="utf-8")
        assert all(f"Kolada ({i})" in text or f"Kolada({i})" in text for i in ids)


@pytest.mark.data
def test_the_2024_nuvarde_cells_are_of_the_year_the_source_names() -> None:
    printed = list(kolada.printed_values(malomraden("2024")))
    first = printed[:3]
    assert [(p.kpi, p.period, p.gender, p.text) for p in first] == [
        ("U01405", 2022, "T", "66"),
        ("U01405", 2022, "K", "63"),
        ("U01405", 2022, "M", "69"),
    ]
    assert first[0].path[-2:] == ("values", "totalt")
    assert all(kolada.number(p.text) is not None for p in printed)
    # The 2026 agreement names no Kolada id: nothing to confirm until `ovk kolada link`.
    assert list(kolada.printed_values(malomraden("2026"))) == []


def snapshot() -> kolada.Snapshot:
    return kolada.Snapshot(
        fetched="2026-12-02T07:00:00Z",
        base_url=kolada.API,
        municipality="0480",
        periods=(2022, 2021),
        requests=("https://api.kolada.se/v3/kpi/U01405",),
        kpis={
            "U01405": kolada.Kpi(
                "U01405",
                "Invånare med bra självskattat hälsotillstånd, andel (%)",
                is_divided_by_gender=True,
                values={
                    2022: {
                        "T": kolada.Value(66.2, None, 1),
                        "K": kolada.Value(None, "Missing"),
                    }
                },
            )
        },
        unknown=("N99999",),
    )


def test_a_snapshot_is_written_sorted_and_read_back_the_same() -> None:
    text = kolada.snapshot_json(snapshot())
    assert text.endswith("\n") and json.loads(text)["periods"] == [2021, 2022]
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    again = kolada.read_snapshot(text, "kolada.json")
    assert kolada.snapshot_json(again) == text
    kpi = again.kpis["U01405"]
    assert kpi.value(2022, "T") == kolada.Value(66.2, None, 1)
    assert kpi.value(2022, "K") == kolada.Value(None, "Missing")  # never 0
    assert kpi.value(2021, "T") is None


@pytest.mark.parametrize(
    "harm",
    [
        lambda d: "{not json",
        lambda d: json.dumps({**d, "format": "other 1"}),
        lambda d: json.dumps({**d, "municipality": "480"}),
        lambda d: json.dumps({**d, "kpis": {"X1": d["kpis"]["U01405"]}}),
        lambda d: json.dumps({**d, "kpis": []}),
        lambda d: json.dumps(
            {**d, "kpis": {"U01405": {**d["kpis"]["U01405"], "values": {"2022": {"X": {}}}}}}
        ),
        lambda d: json.dumps(
            {
                **d,
                "kpis": {
                    "U01405": {**d["kpis"]["U01405"], "values": {"2022": {"T": {"value": "6"}}}}
                },
            }
        ),
        lambda d: json.dumps({k: v for k, v in d.items() if k != "fetched"}),
    ],
    ids=["json", "format", "municipality", "kpi-id", "kpis", "gender", "value", "fetched"],
)
def test_a_file_that_is_no_snapshot_is_a_data_error_naming_it(harm: object) -> None:
    data = json.loads(kolada.snapshot_json(snapshot()))
    assert callable(harm)
    with pytest.raises(DataError, match=r"^agreements/2024/kolada\.json: "):
        kolada.read_snapshot(harm(data), "agreements/2024/kolada.json")


@pytest.mark.parametrize(
    ("harm", "reason"),
    [
        (lambda d: "[" * 100_000 + "]" * 100_000, "nested too deep"),
        (lambda d: _cell(d, {"value": int("9" * 400)}), "is not a number or null"),
        (lambda d: _cell(d, {"value": True}), "is not a number or null"),
        (lambda d: _cell(d, {"value": 1, "status": 3}), "status 3 is not a string"),
        (lambda d: _cell(d, {"value": 1, "count": 1.5}), "count 1.5 is not a whole number"),
        (lambda d: json.dumps({**d, "periods": [True]}), "period True is not a year"),
        (lambda d: json.dumps({**d, "periods": [2022.5]}), "period 2022.5 is not a year"),
        (lambda d: json.dumps({**d, "periods": "2022"}), "expected a list"),
        (lambda d: _period_key(d, "2_022"), "period '2_022' is not a year"),
        (lambda d: _period_key(d, " 2022"), "period ' 2022' is not a year"),
        (lambda d: _period_key(d, "\u0662\u0660\u0662\u0662"), "is not a year"),  # Arabic digits
        (
            lambda d: json.dumps(
                {**d, "kpis": {"U01405": {**d["kpis"]["U01405"], "is_divided_by_gender": "no"}}}
            ),
            "expected true or false",
        ),
        (lambda d: json.dumps({**d, "kpis": {"U" + "1" * 5000: {}}}), "… is no Kolada KPI id"),
    ],
    ids=[
        "deep",
        "huge-int",
        "bool-value",
        "status",
        "count",
        "period-bool",
        "period-float",
        "periods-text",
        "period-underscore",
        "period-space",
        "period-digits",
        "divided",
        "long-id",
    ],
)
def test_a_hostile_snapshot_is_one_data_error_not_a_crash(harm: object, reason: str) -> None:
    """A committed kolada.json is untrusted: what Python's int() or bool() would take, or what
    would raise past the reader (RecursionError, OverflowError), is a DataError naming it,
    quoted short."""
    data = json.loads(kolada.snapshot_json(snapshot()))
    assert callable(harm)
    with pytest.raises(DataError) as raised:
        kolada.read_snapshot(harm(data), "agreements/2024/kolada.json")
    message = str(raised.value)
    assert message.startswith("agreements/2024/kolada.json: ") and reason in message
    assert len(message) < 200


def _cell(data: dict[str, Any], cell: dict[str, Any]) -> str:
    kpi = data["kpis"]["U01405"]
    return json.dumps({**data, "kpis": {"U01405": {**kpi, "values": {"2022": {"T": cell}}}}})


def _period_key(data: dict[str, Any], key: str) -> str:
    kpi = data["kpis"]["U01405"]
    values = {key: {"T": {"value": 1, "status": None, "count": 1}}}
    return json.dumps({**data, "kpis": {"U01405": {**kpi, "values": values}}})


def test_kolada_s_whole_numbers_stay_whole_and_are_shown_without_decimals() -> None:
    """Kolada writes 259 for a count and 60.4 for a share: the snapshot keeps each as written,
    so ovk shows 259 (not 259,0) wherever it shows Kolada's number."""
    assert kolada.value_of({"value": 259, "status": None, "count": 1}) == kolada.Value(259, None, 1)
    assert isinstance(kolada.value_of({"value": 259}).value, int)
    assert isinstance(kolada.value_of({"value": 60.4}).value, float)
    assert kolada.value_of({"value": None, "status": ""}) == kolada.Value(None, None, None)
    data = json.loads(kolada.snapshot_json(snapshot()))
    text = _cell(data, {"value": 259, "status": None, "count": 1})
    again = kolada.read_snapshot(text, "k")
    found = again.kpis["U01405"].value(2022, "T")
    assert found is not None and isinstance(found.value, int)
    assert '"value": 259\n' in kolada.snapshot_json(again)
    assert sv_number(found.value, 0) == "259"


@pytest.mark.parametrize(
    ("printed", "koladas"),
    [
        (
            "Invånare med bra självskattat hälsotillstånd, andel (%)",
            "invånare med bra självskattat hälsotillstånd, andel (%)",
        ),
        (
            "Invånare 16–84 år som avstår från att gå ut ensam, andel (%)",
            "Invånare 16-84 år som avstår från att gå ut ensam, andel %",
        ),
        (
            "Invånare, 0 − 19 år, med låg ekonomisk standard, andel (%)",
            "Invånare 0-19 år med låg ekonomisk standard, andel, %",
        ),
        (
            "Företagsklimat enl. ÖJ (Insikt) – Totalt NKI",
            "Företagsklimat enl ÖJ (Insikt) - Totalt NKI",
        ),
        ("Elförbrukning per m2 (kWh/ m2).", "Elförbrukning per m2, kWh/m2"),
        ("Andel%  i\u00a0tid", "andel % i tid"),
    ],
)
def test_a_title_is_kolada_s_but_for_case_spacing_dashes_and_how_its_unit_is_set_off(
    printed: str, koladas: str
) -> None:
    assert kolada.normalised_title(printed) == kolada.normalised_title(koladas)


@pytest.mark.parametrize(
    ("printed", "koladas"),
    [
        ("Sjukfrånvaro, andel (%)", "Sjukfrånvaro, dagar per anställd"),
        ("Invånare 16–84 år, andel (%)", "Invånare 18–84 år, andel (%)"),
        ("Kostnad 1,5 kr", "Kostnad 15 kr"),  # a decimal comma is not a separator
        ("Anmälda våldsbrott, antal/100 000 inv", "Anmälda brott, antal/100 000 inv"),
    ],
)
def test_a_title_with_other_words_or_numbers_is_another_title(printed: str, koladas: str) -> None:
    assert kolada.normalised_title(printed) != kolada.normalised_title(koladas)


def test_the_guess_rule_reads_the_notes_that_say_so() -> None:
    guessed = Indicator(id="a", title="A", values={}, note="The years are a guess.")
    placed = Indicator(id="a", title="A", values={}, note="placed in 2023 as a guess")
    plain = Indicator(id="a", title="A", values={}, note="Title printed over two lines.")
    assert kolada.placed_as_a_guess(guessed) and kolada.placed_as_a_guess(placed)
    assert not kolada.placed_as_a_guess(plain)
    assert not kolada.placed_as_a_guess(Indicator(id="a", title="A", values={}))


def test_a_snapshot_s_bytes_are_utf_8_with_or_without_a_bom_else_a_data_error() -> None:
    text = kolada.snapshot_json(snapshot())
    shown = "agreements/2024/kolada.json"
    plain = kolada.decode_snapshot(text.encode(), shown)
    assert kolada.decode_snapshot(b"\xef\xbb\xbf" + text.encode(), shown) == plain
    with pytest.raises(DataError, match=r"^agreements/2024/kolada\.json: not UTF-8 \(byte 0: "):
        kolada.decode_snapshot(b"\xff" + text.encode(), shown)
