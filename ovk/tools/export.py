"""`ovk export`: a year's agreement for calendars (ics), spreadsheets (csv) and programs (json).

The ics calendar is written here, by hand, to RFC 5545: CRLF line endings, lines folded at
75 octets, text escaped, all-day events, and UIDs that depend only on the year and the ids in
the data, so a subscribed calendar updates its events instead of duplicating them. The output
depends only on the data (DTSTAMP is fixed per year, or taken from SOURCE_DATE_EPOCH), so two
exports of the same commit are byte for byte the same.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovk.errors import UsageError
from ovk.model.entities import FOLLOWUP_OCCASIONS, Agreement
from ovk.model.followup import occasion_dates
from ovk.model.read import YearData, read_year
from ovk.model.spec import title_of
from ovk.model.values import occasion_slug
from ovk.output.literal import literal
from ovk.tools.listing import (
    SORT_KEYS,
    Filters,
    Uppdrag,
    Year,
    load_year,
    select,
    status_record,
    to_csv,
    year_uppdrag,
)

FOLLOWUP_NAMES = {"vår": "Våruppföljning", "delår": "Delårsrapport", "helår": "Helårsuppföljning"}
UID_DOMAIN = "ovk"
DEADLINE_TITLE = title_of(Agreement, "uppfoljning.deadline")
TIMEZONE = "Europe/Stockholm"
PRODID = "-//ovk//överenskommelse om verksamhet//SV"

# Central European time as the IANA zone has it since 1996: CEST from the last Sunday of
# March, CET from the last Sunday of October.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TIMEZONE}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def parse_followup_dates(text: str | None, dates: Mapping[str, dt.date]) -> dict[str, dt.date]:
    """`vår=04-30,delår=08-31,helår=12-31` (any subset) over `dates` (the occasions' as_of
    dates of the year, `ovk.model.followup.occasion_dates`), as dates in that year."""
    out = dict(dates)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        occasion, _, month_day = part.partition("=")
        occasion = occasion.strip()
        if occasion not in FOLLOWUP_OCCASIONS:
            raise UsageError(
                f"<followup-dates>: unknown occasion {occasion!r} "
                f"(occasions: {', '.join(FOLLOWUP_OCCASIONS)})",
                "followup-dates",
            )
        try:
            month, day = (int(n) for n in month_day.strip().split("-"))
            out[occasion] = dt.date(dates[occasion].year, month, day)
        except ValueError:
            raise UsageError(
                f"<followup-dates>: {part.strip()!r} is not occasion=MM-DD", "followup-dates"
            ) from None
    return out


# --- ics ---------------------------------------------------------------------------------------


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def escape_text(text: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 asks: a line break (CRLF, LF or a bare
    CR) as `\\n`, and every other control character (which TEXT may not hold; a bare CR would
    start a content line of its own) made visible as ovk.output.literal does, then `\\`, `;`
    and `,` escaped."""
    return "\\n".join(
        literal(line).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        for line in _LINE_BREAK.split(text)
    )


def fold(line: str) -> str:
    """One content line folded at 75 octets (never inside a UTF-8 character), CRLF ended."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts) + "\r\n"


def _event(uid: str, day: dt.date, summary: str, description: str, stamp: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _label(u: Uppdrag) -> str:
    return f"{u.entity.number} {u.entity.title}" if u.entity.number else u.entity.title


def _dtstamp(year: int) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        return f"{moment:%Y%m%dT%H%M%SZ}"
    return f"{year}0101T000000Z"


def to_ics(
    year: Year,
    followup_dates: Mapping[str, dt.date],
    deadlines: Mapping[str, dt.date | None] | None = None,
) -> str:
    """The year's uppdrag due dates and follow-up occasions (and the occasions' report
    deadlines, where the agreement gives them) as an iCalendar (RFC 5545) text."""
    stamp = _dtstamp(year.year)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'Överenskommelse om verksamhet {year.year}')}",
        f"X-WR-TIMEZONE:{TIMEZONE}",
        *VTIMEZONE,
    ]
    for u in sorted(year.uppdrag, key=SORT_KEYS["number"]):
        if u.entity.due is None:
            continue
        description = "\n".join(
            [
                f"Särskilt uppdrag ({u.entity.origin}): {_label(u)}",
                f"Mottagare: {', '.join(u.owners) or '-'}",
                f"Huvudansvarig: {u.entity.lead or '-'}",
                f"Startdatum: {u.entity.start.isoformat() if u.entity.start else '-'}",
                f"Uppföljning: {', '.join(u.entity.followup) or '-'}",
                f"Fil: {u.file}",
            ]
        )
        lines += _event(
            f"{year.year}-{u.entity.id}-due@{UID_DOMAIN}",
            u.entity.due,
            f"Slutdatum: {_label(u)}",
            description,
            stamp,
        )
    for occasion in FOLLOWUP_OCCASIONS:
        reporting = [
            u
            for u in sorted(year.uppdrag, key=SORT_KEYS["number"])
            if occasion in u.entity.followup
        ]
        description = "\n".join(
            [
                f"{FOLLOWUP_NAMES[occasion]} {year.year} av överenskommelsen om verksamhet.",
                "Särskilda uppdrag som följs upp:" if reporting else "",
                *(f"- {_label(u)} ({', '.join(u.owners)})" for u in reporting),
            ]
        ).rstrip("\n")
        lines += _event(
            f"{year.year}-uppfoljning-{occasion_slug(occasion)}@{UID_DOMAIN}",
            followup_dates[occasion],
            f"{FOLLOWUP_NAMES[occasion]} {year.year}",
            description,
            stamp,
        )
        deadline = (deadlines or {}).get(occasion)
        if deadline is not None:
            name = f"{FOLLOWUP_NAMES[occasion]} {year.year}"
            lines += _event(
                f"{year.year}-uppfoljning-{occasion_slug(occasion)}-deadline@{UID_DOMAIN}",
                deadline,
                f"{DEADLINE_TITLE}: {name}",
                f"{DEADLINE_TITLE} i {name.lower()} (agreements/{year.year}/uppfoljning/"
                f"{occasion_slug(occasion)}/).",
                stamp,
            )
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)


# --- csv and json ------------------------------------------------------------------------------


def to_export_csv(year: Year) -> str:
    """The year's uppdrag as `ovk list --format csv` writes them (BOM, ';'), by number."""
    return to_csv(sorted(year.uppdrag, key=SORT_KEYS["number"]))


def year_document(root: Path, year: int) -> dict[str, Any]:
    """Every file of the year folder as one document (see schema/export.schema.json)."""
    data = read_year(root, year)
    ordered = [data.divisions[c] for c in data.codes if c in data.divisions]
    ordered += [f for c, f in data.divisions.items() if c not in data.codes]
    return {
        "year": year,
        "overenskommelse": data.agreement.data,
        "malomraden": data.malomraden.data if data.malomraden else None,
        "divisions": [f.data for f in ordered],
        "uppdrag": [f.data for f in data.uppdrag],
        "uppfoljning": [f.data for f in data.reports.values()],
        "status": [
            {"id": u.entity.id, **status_record(u.followup)}
            for u in sorted(year_uppdrag(data).uppdrag, key=SORT_KEYS["number"])
        ],
    }


def to_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


@dataclass(frozen=True)
class Request:
    """What `ovk export` was asked for."""

    root: Path
    year: int
    followup_dates: str | None = None
    owner: str | None = None


def _uppdrag(request: Request, data: YearData | None = None) -> Year:
    loaded = year_uppdrag(data) if data else load_year(request.root, request.year)
    if request.owner is None:
        return loaded
    chosen = select(loaded, Filters(owner=request.owner), "number")
    return Year(loaded.year, loaded.divisions, tuple(chosen))


def export_json(request: Request) -> str:
    if request.owner is not None:
        raise UsageError("<owner> applies to ics and csv; json holds the whole year", "owner")
    return to_json(year_document(request.root, request.year))


def export_csv(request: Request) -> str:
    return to_export_csv(_uppdrag(request))


def export_ics(request: Request) -> str:
    data = read_year(request.root, request.year)
    as_of = {o: d.as_of for o, d in occasion_dates(data.agreement.entity).items()}
    dates = parse_followup_dates(request.followup_dates, as_of)
    deadlines = {o: d.deadline for o, d in occasion_dates(data.agreement.entity).items()}
    return to_ics(_uppdrag(request, data), dates, deadlines)


# The formats of `ovk export --format`; ics and csv can be narrowed to the uppdrag of one
# division (`owner`), with the same UIDs.
FORMATS: dict[str, Callable[[Request], str]] = {
    "ics": export_ics,
    "csv": export_csv,
    "json": export_json,
}


def export(
    root: Path,
    year: int,
    output_format: str,
    followup_dates: str | None = None,
    owner: str | None = None,
) -> str:
    """The year's export in `output_format` (a key of FORMATS) as text."""
    return FORMATS[output_format](Request(root, year, followup_dates, owner))
