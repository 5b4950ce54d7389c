"""`ovk list`: select and sort a year's särskilda uppdrag, and shape them for output.

Each uppdrag carries its latest reported follow-up status (`ovk.model.followup.latest_status`,
"försenat" derived there by `is_late`); `ovk export` writes the same record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ovk.errors import UsageError
from ovk.model.entities import STATUSES, Uppdrag as UppdragEntity
from ovk.model.followup import LatestStatus, latest_status
from ovk.model.read import YearData, number_key, read_year
from ovk.model.values import check_division
from ovk.output.literal import literal
from ovk.output.terminal import Column, Terminal

SOON = dt.timedelta(days=30)  # a due date this close (or past) is marked


@dataclass(frozen=True)
class Uppdrag:
    """One särskilt uppdrag of a year, with "alla verksamheter" expanded to its divisions."""

    entity: UppdragEntity
    owners: tuple[str, ...]
    file: str  # relative to the root
    followup: LatestStatus  # the latest reported status

    @property
    def number_key(self) -> tuple[int, ...]:
        return number_key(self.entity.number)


@dataclass(frozen=True)
class Year:
    year: int
    divisions: tuple[str, ...]  # codes in the order overenskommelse.yaml lists them
    uppdrag: tuple[Uppdrag, ...]


def year_uppdrag(data: YearData) -> Year:
    """The year's uppdrag as `ovk list` and `ovk export` select and show them."""
    reports = {place: loaded.entity for place, loaded in data.reports.items()}
    uppdrag = tuple(
        Uppdrag(
            m.entity,
            data.expand(m.entity.owners),
            m.file,
            latest_status(m.entity, reports, data.codes),
        )
        for m in data.uppdrag
    )
    return Year(data.year, data.codes, uppdrag)


def load_year(root: Path, year: int) -> Year:
    return year_uppdrag(read_year(root, year))


@dataclass(frozen=True)
class Filters:
    owner: str | None = None
    lead: str | None = None
    origin: str | None = None
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    status: str | None = None  # one of STATUSES, or LATE for the late ones


# The word `--status` takes for the uppdrag that are late (never a typed status).
LATE = "försenat"
STATUS_CHOICES = (*STATUSES, LATE)


def check_status(word: str, param: str = "status") -> str:
    """`word` when `--status` takes it (a status of the model, or "försenat"), else a usage
    error naming the words it takes."""
    if word not in STATUS_CHOICES:
        raise UsageError(
            f"<{param}> {word!r} is not a status (statuses: {', '.join(STATUS_CHOICES)})", param
        )
    return word


def has_status(u: Uppdrag, word: str) -> bool:
    """Whether the uppdrag's latest reported status is `word` (or, for LATE, it is late)."""
    return u.followup.late if word == LATE else u.followup.status == word


SORT_KEYS: dict[str, Callable[[Uppdrag], Any]] = {
    "due": lambda u: (u.entity.due is None, u.entity.due or dt.date.max, u.number_key),
    "number": lambda u: u.number_key,
    "owner": lambda u: (u.owners[:1], u.number_key),
}


def select(year: Year, filters: Filters, sort: str = "due") -> list[Uppdrag]:
    """The uppdrag matching every filter, sorted; unknown codes are usage errors."""
    for param, code in (("owner", filters.owner), ("lead", filters.lead)):
        if code is not None:
            check_division(code, param, year.year, year.divisions)
    if filters.status is not None:
        check_status(filters.status)

    def matches(u: Uppdrag) -> bool:
        if filters.owner and filters.owner not in u.owners:
            return False
        if filters.lead and filters.lead != u.entity.lead:
            return False
        if filters.origin and filters.origin != u.entity.origin:
            return False
        if filters.status and not has_status(u, filters.status):
            return False
        if filters.due_before and not (u.entity.due and u.entity.due < filters.due_before):
            return False
        return not (filters.due_after and not (u.entity.due and u.entity.due > filters.due_after))

    return sorted(filter(matches, year.uppdrag), key=SORT_KEYS[sort])


def urgency(u: Uppdrag, today: dt.date) -> str | None:
    """'past' when the due date has passed, 'soon' within 30 days, else None."""
    if u.entity.due is None:
        return None
    if u.entity.due < today:
        return "past"
    return "soon" if u.entity.due - today <= SOON else None


def record(u: Uppdrag) -> dict[str, Any]:
    """The JSON object of one uppdrag (the contract in PRODUCT.md plus id, financing, followup)."""
    return {
        "year": u.entity.year,
        "number": u.entity.number,
        "title": u.entity.title,
        "origin": u.entity.origin,
        "owners": list(u.owners),
        "lead": u.entity.lead,
        "start": u.entity.start.isoformat() if u.entity.start else None,
        "due": u.entity.due.isoformat() if u.entity.due else None,
        "file": u.file,
        "id": u.entity.id,
        "financing": u.entity.financing,
        "followup": list(u.entity.followup),
        **status_record(u.followup),
    }


def status_record(latest: LatestStatus) -> dict[str, Any]:
    """The latest reported status as `ovk list` and `ovk export` write it: `status` and
    `status_occasion` (null when never reported), `late`, and per reporting division its
    latest status (`statuses`), so that a put-together status hides nothing."""
    return {
        "status": latest.status,
        "status_occasion": latest.occasion,
        "late": latest.late,
        "statuses": dict(latest.statuses),
    }


CSV_COLUMNS = (
    "year",
    "number",
    "id",
    "title",
    "origin",
    "owners",
    "lead",
    "start",
    "due",
    "financing",
    "followup",
    "status",
    "status_occasion",
    "late",
    "file",
)


# A cell starting with one of these is a formula to a spreadsheet (`=HYPERLINK(…)`, `@SUM(…)`,
# `-2+3`), or becomes one once the program strips the tab or carriage return (OWASP, "CSV
# Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A cell of text from the data, neutralised as OWASP advises against CSV injection: one
    starting like a formula gets a leading single quote, so spreadsheets show it as text
    (the csv writer quotes what needs quoting). Numbers ovk writes itself are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(value: object) -> object:
    """A value of a record as a cell: lists joined with ', ', null empty, booleans as JSON's."""
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def to_csv(uppdrag: Iterable[Uppdrag]) -> str:
    """CSV for Excel in Sweden: BOM, ';' between fields, ISO dates, lists joined with ', ',
    `late` as true or false,
    every cell from the data neutralised against formulas (`csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for u in uppdrag:
        row = record(u)
        writer.writerow([csv_cell(csv_text(v)) for v in (row[c] for c in CSV_COLUMNS)])
    return "\ufeff" + buffer.getvalue()


# --- the formats of `ovk list --format` ------------------------------------------------------

MARKS = {"past": " !", "soon": " ~", None: ""}
LEGEND = "! past due   ~ due within 30 days"
TABLE_COLUMNS = (
    Column("Nr"),
    Column("Due"),
    Column("Origin"),
    Column("Owners", wrap=True, max_width=16),
    Column("Lead"),
    Column("Status", wrap=True, max_width=24),
    Column("Title", wrap=True, grow=True),
)


def status_cell(latest: LatestStatus) -> str:
    """The status column: the latest status and its occasion, "(försenat)" when late."""
    if latest.status is None:
        return "-"
    late = f" ({LATE})" if latest.late else ""
    return f"{latest.occasion}: {latest.status}{late}"


def as_table(
    uppdrag: list[Uppdrag], today: dt.date, out: TextIO, terminal: Terminal | None
) -> None:
    """A table that fits the terminal, or tab-separated columns when piped; every cell is
    shown literally (a tab or newline in a title cannot shift a column or add a row)."""
    if not uppdrag:
        out.write("no uppdrag match\n")
        return
    rows = [
        (
            u.entity.number or "-",
            f"{u.entity.due.isoformat() if u.entity.due else '-'}{MARKS[urgency(u, today)]}",
            u.entity.origin,
            ", ".join(u.owners),
            u.entity.lead or "-",
            status_cell(u.followup),
            u.entity.title,
        )
        for u in uppdrag
    ]
    if terminal is None:
        out.write("number\tdue\torigin\towners\tlead\tstatus\ttitle\n")
        for row in rows:
            out.write("\t".join(literal(cell) for cell in row) + "\n")
    else:
        terminal.table(TABLE_COLUMNS, rows, [urgency(u, today) for u in uppdrag])
    if any(urgency(u, today) for u in uppdrag):
        out.write(LEGEND + "\n")


def as_json(uppdrag: list[Uppdrag], today: dt.date, out: TextIO, terminal: Terminal | None) -> None:
    """An array of objects (the contract in PRODUCT.md)."""
    out.write(
        json.dumps([record(u) for u in uppdrag], ensure_ascii=False, indent=2, allow_nan=False)
        + "\n"
    )


def as_csv(uppdrag: list[Uppdrag], today: dt.date, out: TextIO, terminal: Terminal | None) -> None:
    """For Excel in Sweden: BOM, ';' between fields."""
    out.write(to_csv(uppdrag))


Format = Callable[[list[Uppdrag], dt.date, TextIO, "Terminal | None"], None]
FORMATS: dict[str, Format] = {"table": as_table, "json": as_json, "csv": as_csv}
