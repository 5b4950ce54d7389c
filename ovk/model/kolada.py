"""Kolada in the model: what a year's indicators ask of Kolada, and the snapshot of its answers.

Kolada (https://kolada.se, API v3) is the national database of municipal key figures (KPIs).
An indicator names the KPIs it comes from in `source.kolada` (the 2024 agreement prints them:
"Kolada (U01405). Nuvärde avser 2022."). `ovk kolada fetch` asks Kolada about every such id
and commits its answers, one snapshot per year folder (`agreements/<year>/kolada.json`, see
`SNAPSHOT`), so that `ovk validate` can check the agreement against Kolada offline, and a
refresh is a reviewable diff. This module is the one reading of both: which cells of which
indicators Kolada can confirm (`printed_values`), the numbers printed in them (`number`), and
the snapshot's format (`Snapshot`, `read_snapshot`, `snapshot_json`).

Terms of use: data shown from Kolada must say "Källa: Kolada" (`ATTRIBUTION`); figures ovk
computes from it must not be attributed to Kolada.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovk.errors import DataError, short_repr
from ovk.model.build import walk
from ovk.model.entities import Indicator, IndicatorTable, Malomraden
from ovk.model.layout import (
    AGREEMENTS,
    SNAPSHOT as SNAPSHOT,  # in a year folder (the layout names it)
)
from ovk.model.vocabulary import KOLADA_PATTERN, MUNICIPALITY_ID_PATTERN
from ovk.yamlio.loader import JsonPath

ATTRIBUTION = "Källa: Kolada"
FORMAT = "ovk-kolada 1"
API = "https://api.kolada.se/v3"  # the public API's base URL (`OVK_KOLADA_URL` replaces it)


def snapshot_file(year: int) -> str:
    """Where a year's snapshot stands, relative to the root: `agreements/2024/kolada.json`."""
    return f"{AGREEMENTS}/{year}/{SNAPSHOT}"


# The columns of a 2024-style table that hold the KPI's value for one gender ("Nuvärde
# Totalt/Kvinnor/Män"), by column key, and Kolada's gender codes.
GENDER_COLUMNS = {"totalt": "T", "kvinnor": "K", "man": "M"}
GENDERS = ("T", "K", "M")
GENDER_NAMES = {"T": "totalt", "K": "kvinnor", "M": "män"}  # as messages name them
# "Nuvärde avser 2022": the year (Kolada's period) the printed values are of.
_NUVARDE = re.compile(r"Nuvärde avser (\d{4})")
_YEAR_COLUMN = re.compile(r"^\d{4}$")  # a 2026-style column: the outcome (Utfall) of that year
_KPI = re.compile(KOLADA_PATTERN)
_MUNICIPALITY = re.compile(MUNICIPALITY_ID_PATTERN)


def is_kpi_id(text: str) -> bool:
    return bool(_KPI.fullmatch(text))


def is_municipality_id(text: str) -> bool:
    return bool(_MUNICIPALITY.fullmatch(text))


# -- what the agreement asks of Kolada ---------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """An indicator that names Kolada KPIs, and where it stands."""

    path: JsonPath  # of the indicator in malomraden.yaml
    indicator: Indicator
    kpis: tuple[str, ...]


@dataclass(frozen=True)
class Printed:
    """One cell of an indicator that Kolada can confirm: the KPI's value for a year (Kolada's
    period) and a gender, as printed."""

    path: JsonPath  # of the cell in malomraden.yaml
    indicator: Indicator
    kpi: str
    period: int
    gender: str  # T, K or M
    text: str  # the cell as printed: '66,5', '20,0%'


def linked(malomraden: Malomraden) -> Iterator[Linked]:
    """Every indicator of the year's goals that names Kolada KPIs, in the file's order."""
    for path, row in walk(malomraden, only=(Indicator,)):
        assert isinstance(row, Indicator)
        if row.source is not None and row.source.kolada:
            yield Linked(path, row, row.source.kolada)


@dataclass(frozen=True)
class Unlinked:
    """An indicator that names no Kolada KPI (`source` null, or `source.kolada` empty), with
    the year columns of its table (a 2026-style "Utfall 2023 … 2026"), in order."""

    path: JsonPath  # of the indicator in malomraden.yaml
    indicator: Indicator
    years: tuple[int, ...]
    columns: tuple[str, ...]  # every column key of its table, in order


def unlinked(malomraden: Malomraden) -> Iterator[Unlinked]:
    """Every indicator of the year's goals that names no Kolada KPI, in the file's order."""
    for path, table in walk(malomraden, only=(IndicatorTable,)):
        assert isinstance(table, IndicatorTable)
        keys = tuple(column.key for column in table.columns)
        years = tuple(int(key) for key in keys if _YEAR_COLUMN.match(key))
        for index, row in enumerate(table.rows):
            if row.source is None or not row.source.kolada:
                yield Unlinked((*path, "rows", index), row, years, keys)


# A row whose values the source printed without their years, and that were put in columns
# anyway, says so in its note: "placed in the earliest column (2023) as a guess", "The years
# are a guess". Only such a row's values may be moved to the years Kolada confirms.
_GUESS = re.compile(r"\ba guess\b", re.IGNORECASE)


def placed_as_a_guess(indicator: Indicator) -> bool:
    """Whether the indicator's note says its values stand in their columns as a guess."""
    return indicator.note is not None and bool(_GUESS.search(indicator.note))


@dataclass(frozen=True)
class Link:
    """What `ovk kolada link --write` changes in one indicator: the KPI it names from now on,
    the values moved to other columns (from key → to key), and the note added saying so."""

    path: JsonPath  # of the indicator in malomraden.yaml
    kpi: str
    moves: Mapping[str, str]
    note: str
    columns: tuple[str, ...] = ()  # its table's column keys, in order (the values' order)


def kpi_ids(malomraden: Malomraden) -> list[str]:
    """The Kolada ids the year's indicators name, each once, sorted."""
    return sorted({kpi for item in linked(malomraden) for kpi in item.kpis})


def printed_values(malomraden: Malomraden) -> Iterator[Printed]:
    """The cells Kolada can confirm, of indicators that name exactly one KPI: in a table of
    Nuvärde columns (totalt, kvinnor, man) the year the source names ("Nuvärde avser 2022"),
    in a table of year columns ("Utfall 2024") that year, for all (T). A cell that prints no
    number ('-', 'Neg') is none."""
    for item in linked(malomraden):
        if len(item.kpis) != 1:
            continue  # which KPI a cell is of is not said
        (kpi,) = item.kpis
        source = item.indicator.source
        said = _NUVARDE.search(source.text) if source is not None else None
        for key, text in item.indicator.values.items():
            if number(text) is None:
                continue
            cell = (*item.path, "values", key)
            if key in GENDER_COLUMNS and said:
                yield Printed(
                    cell, item.indicator, kpi, int(said.group(1)), GENDER_COLUMNS[key], text
                )
            elif _YEAR_COLUMN.match(key):
                yield Printed(cell, item.indicator, kpi, int(key), "T", text)


_NUMBER = re.compile(r"^([-+−]?)(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:,(\d+))?\s*(%|kr)?$")


def number(text: str) -> float | None:
    """The number a cell prints, in Swedish form ('66,5', '20,0%', '1 234', '−3'), or None
    for a cell that prints none ('-', 'Neg', 'Oförändrad')."""
    match = _NUMBER.match(text.strip())
    if match is None:
        return None
    sign, whole, decimals, _ = match.groups()
    value = float(re.sub(r"[ \u00a0]", "", whole) + (f".{decimals}" if decimals else ""))
    return -value if sign in ("-", "−") else value


def decimals(text: str) -> int:
    """How many decimals a printed number shows ('66,5' → 1, '66' → 0)."""
    match = _NUMBER.match(text.strip())
    return len(match.group(3) or "") if match else 0


def agrees(text: str, value: float) -> bool:
    """Whether the printed cell is Kolada's `value` at the precision printed (66,5 is 66.47
    and 66.54, not 66.4): the printer rounds, so the value rounded half away from zero to the
    printed decimals must be the printed number."""
    printed = number(text)
    if printed is None or not math.isfinite(value):
        return False
    scale = 10 ** decimals(text)
    rounded = math.floor(abs(value) * scale + 0.5 + 1e-9) / scale
    return math.isclose(math.copysign(rounded, value), printed, abs_tol=1e-9)


# Dashes, minus signs and hyphens a title may be printed with: one is as good as another.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
# Punctuation that only separates (a comma or full stop before a space or at the end,
# parentheses, colons, semicolons): "andel (%)", "andel, %" and "andel %" are one title.
_SEPARATORS = re.compile(r"[,.](?=\s|$)|[():;]")


def normalised_title(title: str) -> str:
    """A title as compared with Kolada's: case, spacing, dashes (– − -) and separating
    punctuation do not count, nor how a trailing unit is set off ("andel (%)", "andel, %",
    "andel %", "andel%"), nor a trailing full stop; the words and numbers, in their order, do.
    `ovk validate` (rule kolada-title) and `ovk kolada link` compare titles so."""
    text = unicodedata.normalize("NFKC", title).translate(_DASHES).casefold()
    text = _SEPARATORS.sub(" ", text)
    text = re.sub(r"\s*([-/])\s*", r"\1", text)  # "0 – 19 år" is "0–19 år", "kWh/ m2" "kWh/m2"
    text = re.sub(r"\s*%", " %", text)  # "andel%" is "andel %"
    return " ".join(text.split())


# -- the snapshot --------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """Kolada's value of a KPI for one period and gender; `value` None when Kolada has none
    (a status such as "Missing" says why): never read as 0."""

    value: float | None
    status: str | None = None
    count: int | None = None


@dataclass(frozen=True)
class Kpi:
    """What Kolada says of one KPI: its metadata, and its values for the municipality."""

    id: str
    title: str
    description: str = ""
    operating_area: str = ""
    is_divided_by_gender: bool = False
    municipality_type: str = ""
    publication_date: str = ""
    values: Mapping[int, Mapping[str, Value]] = field(default_factory=dict)  # period → gender

    def value(self, period: int, gender: str) -> Value | None:
        return self.values.get(period, {}).get(gender)


@dataclass(frozen=True)
class Snapshot:
    """One year folder's `kolada.json`: Kolada's answers about the year's KPIs."""

    fetched: str  # when, UTC, ISO 8601 ('2026-12-02T07:00:00Z')
    base_url: str  # the API asked
    municipality: str  # its four-digit id
    periods: tuple[int, ...]  # the years asked for
    requests: tuple[str, ...]  # the URLs asked, in order
    kpis: Mapping[str, Kpi]  # by id
    unknown: tuple[str, ...] = ()  # ids asked for that Kolada does not know


def snapshot_json(snapshot: Snapshot) -> str:
    """The text of a snapshot file: JSON, keys sorted, two-space indent, so that a refresh is a
    reviewable diff of what Kolada revised."""
    kpis = {
        kpi.id: {
            "title": kpi.title,
            "description": kpi.description,
            "operating_area": kpi.operating_area,
            "is_divided_by_gender": kpi.is_divided_by_gender,
            "municipality_type": kpi.municipality_type,
            "publication_date": kpi.publication_date,
            "values": {
                str(period): {
                    gender: {"value": v.value, "status": v.status, "count": v.count}
                    for gender, v in sorted(by_gender.items())
                }
                for period, by_gender in sorted(kpi.values.items())
            },
        }
        for kpi in snapshot.kpis.values()
    }
    content = {
        "format": FORMAT,
        "source": "Kolada",
        "fetched": snapshot.fetched,
        "base_url": snapshot.base_url,
        "municipality": snapshot.municipality,
        "periods": sorted(snapshot.periods),
        "requests": list(snapshot.requests),
        "kpis": kpis,
        "unknown": sorted(snapshot.unknown),
    }
    return json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def read_snapshot(text: str, shown: str) -> Snapshot:
    """The snapshot a `kolada.json` holds (`shown`: its path, for the error), or a DataError
    naming what is wrong with it."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise DataError(f"{shown}: not JSON ({error})") from None
    except RecursionError:
        raise DataError(f"{shown}: not JSON (nested too deep)") from None
    try:
        return _snapshot(data)
    except (KeyError, TypeError, ValueError) as error:
        raise DataError(f"{shown}: not a Kolada snapshot of ovk ({error})") from None


def _snapshot(data: Any) -> Snapshot:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"format is not {FORMAT!r}")
    kpis = {}
    for kpi_id, item in _mapping(data["kpis"]).items():
        if not is_kpi_id(kpi_id):
            raise ValueError(f"{short_repr(kpi_id)} is no Kolada KPI id")
        item = _mapping(item)
        values: dict[int, dict[str, Value]] = {}
        for period, by_gender in _mapping(item.get("values", {})).items():
            values[_period(period)] = {
                _gender(gender): value_of(cell) for gender, cell in _mapping(by_gender).items()
            }
        kpis[kpi_id] = Kpi(
            kpi_id,
            _text(item["title"]),
            _text(item.get("description", "")),
            _text(item.get("operating_area", "")),
            _boolean(item.get("is_divided_by_gender", False)),
            _text(item.get("municipality_type", "")),
            _text(item.get("publication_date", "")),
            values,
        )
    municipality = _text(data["municipality"])
    if not is_municipality_id(municipality):
        raise ValueError(f"municipality {short_repr(municipality)} is no four-digit Kolada id")
    return Snapshot(
        _text(data["fetched"]),
        _text(data["base_url"]),
        municipality,
        tuple(_period(p) for p in _list(data.get("periods", []))),
        tuple(_text(u) for u in _list(data.get("requests", []))),
        kpis,
        tuple(_text(u) for u in _list(data.get("unknown", []))),
    )


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, found {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {type(value).__name__}")
    return value


def _gender(value: str) -> str:
    if value not in GENDERS:
        raise ValueError(f"gender {short_repr(value)} is not T, K or M")
    return value


def value_of(cell: Any) -> Value:
    """A value cell as Kolada's API and the snapshot write it (`{"value", "status", "count"}`),
    read strictly: `value` a finite number or null, kept as written (Kolada's 259 stays 259,
    not 259.0, so it is shown as Kolada shows it), `status` a string or null (an empty one is
    none), `count` a whole number or null. A ValueError names what is not; the client and
    the snapshot's reader both read a cell so."""
    if not isinstance(cell, dict):
        raise ValueError("a value is not an object")
    value, status, count = cell.get("value"), cell.get("status"), cell.get("count")
    if value is not None and not _finite(value):
        raise ValueError(f"value {short_repr(value)} is not a number or null")
    if status is not None and not isinstance(status, str):
        raise ValueError(f"status {short_repr(status)} is not a string")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise ValueError(f"count {short_repr(count)} is not a whole number")
    return Value(value, status or None, count)


def _finite(value: Any) -> bool:
    """A JSON number a float can hold: not a boolean, NaN or an infinity, and no whole number
    too large for a float (999…9 of 400 digits)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _period(value: Any) -> int:
    """A period (a year) as the snapshot writes it: a JSON whole number or, as a key, four
    ASCII digits; nothing else ('2_022', ' 2022', true, 2022.5) is read as one."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}", value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return value
    raise ValueError(f"period {short_repr(value)} is not a year")


# -- the snapshot in follow-up -------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """An indicator's outcome as Kolada gives it: the KPI, its value for all (T), the period."""

    kpi: str
    value: float
    period: int


def outcome(kpi: Kpi, year: int) -> Outcome | None:
    """The KPI's value for all (T) in the latest period, not after `year`, for which the
    snapshot has a value; None when it has none (a null value, status "Missing", is never 0
    and never taken)."""
    for period in sorted(kpi.values, reverse=True):
        here = kpi.value(period, "T")
        if period <= year and here is not None and here.value is not None:
            return Outcome(kpi.id, here.value, period)
    return None


def outcomes(malomraden: Malomraden, snapshot: Snapshot, year: int) -> dict[str, Outcome]:
    """By indicator id, the outcome Kolada gives each indicator that names exactly one KPI
    (with more, which one the outcome is of is not said) and that the snapshot has a value
    for (`outcome`)."""
    out: dict[str, Outcome] = {}
    for item in linked(malomraden):
        if len(item.kpis) != 1 or item.kpis[0] not in snapshot.kpis:
            continue
        found = outcome(snapshot.kpis[item.kpis[0]], year)
        if found is not None:
            out[item.indicator.id] = found
    return out


SNAPSHOT_MAX_BYTES = 50_000_000  # a real one is a few KB: a larger one is not read


def load_snapshot(root: Path, year: int) -> Snapshot | None:
    """The year's committed snapshot, or None when it has none; one that is no regular file
    (a link is not read, a folder), over SNAPSHOT_MAX_BYTES, not UTF-8 or no snapshot of ovk
    is a DataError naming it. `followup new` and `ovk kolada diff` read it so."""
    file = snapshot_file(year)
    path = root / file
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DataError(f"{file} cannot be read ({error.strerror or error})") from None
    if not stat.S_ISREG(status.st_mode):
        raise DataError(f"{file} is not a regular file (a link is not read)")
    if status.st_size > SNAPSHOT_MAX_BYTES:
        raise DataError(f"{file} is larger than {SNAPSHOT_MAX_BYTES:,} bytes")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{file} cannot be read ({error.strerror or error})") from None
    return decode_snapshot(raw, file)


def decode_snapshot(raw: bytes, shown: str) -> Snapshot:
    """The snapshot a `kolada.json`'s bytes hold (UTF-8, a BOM allowed), or a DataError naming
    what is wrong with them; `load_snapshot` and validate's rules read the bytes so."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"{shown}: not UTF-8 (byte {error.start}: {error.reason})") from None
    return read_snapshot(text, shown)
