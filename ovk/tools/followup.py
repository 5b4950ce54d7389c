"""`ovk followup`: write a division's follow-up report, and tell who has reported what.

Who reports what, the occasions' dates and what "late" means are the model's
(`ovk.model.followup`); this module writes the report files (through the round-trip writer,
atomically, never over an existing file) and shapes the status for output.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ovk.errors import UsageError
from ovk.model import followup as fu, kolada
from ovk.model.build import skeleton
from ovk.model.entities import (
    FOLLOWUP_OCCASIONS,
    FollowupReport,
    Goal,
    GoalReport,
    Indicator,
    IndicatorReport,
    OccasionDates,
    Uppdrag,
    UppdragReport,
)
from ovk.model.layout import modeline_for, name_taken, report_file
from ovk.model.read import YearData, read_year
from ovk.model.spec import title_of
from ovk.model.values import OCCASION_BY_SLUG, OCCASION_SLUGS, check_division
from ovk.output.literal import literal
from ovk.output.markdown import escape as md_escape
from ovk.output.swedish import sv_date
from ovk.output.terminal import Column, Terminal
from ovk.yamlio.atomic import write_atomically
from ovk.yamlio.loader import dump_round_trip

# The occasions as `--occasion` takes them: the word (vår) or its folder's slug (var).
OCCASION_CHOICES = (*FOLLOWUP_OCCASIONS, *OCCASION_SLUGS.values())


def occasion_of(text: str, param: str = "occasion") -> str:
    """The occasion `text` names (vår, delår, helår, or the slugs var, delar, helar)."""
    if text in FOLLOWUP_OCCASIONS:
        return text
    if text in OCCASION_BY_SLUG:
        return OCCASION_BY_SLUG[text]
    raise UsageError(
        f"<{param}> {text!r} is not an occasion (occasions: {', '.join(OCCASION_CHOICES)})", param
    )


def report_path(root: Path, year: int, occasion: str, division: str) -> Path:
    """Where a division's report at an occasion stands: the contract's place."""
    return root / report_file(year, occasion, division)


def year_items(data: YearData) -> fu.YearItems:
    """What the divisions of the year `data` holds report on."""
    return fu.YearItems.of(
        data.codes,
        (u.entity for u in data.uppdrag),
        data.malomraden.entity if data.malomraden else None,
    )


def required_of(data: YearData, occasion: str, division: str) -> fu.Required:
    """What `division` reports at `occasion` of the year `data` holds."""
    return year_items(data).required(occasion, division)


def previous_report(data: YearData, occasion: str, division: str) -> FollowupReport | None:
    """The division's report at the nearest earlier occasion that has one, if any."""
    reported = {o for o, code in data.reports if code == division}
    earlier = fu.previous_occasion(occasion, reported)
    return data.reports[(earlier, division)].entity if earlier else None


# --- ovk followup new ------------------------------------------------------------------------


def _label(number: str | None, title: str) -> str:
    """An item's title as its comment line: number and title, on one line, shown literally."""
    return literal(" ".join(p for p in (number, title) if p))


def _entries(items: Sequence[tuple[str, str, dict[str, Any]]]) -> Any:
    """A map of id → entry, each with its label as a comment line above it."""
    from ruamel.yaml.comments import CommentedMap

    out = CommentedMap()
    for ident, label, values in items:
        out[ident] = values
        out.yaml_set_comment_before_after_key(ident, before=label, indent=2)
    return out


def report_text(
    data: YearData,
    occasion: str,
    division: str,
    modeline: str,
    from_kolada: Mapping[str, kolada.Outcome] | None = None,
) -> str:
    """The text of a new report, `modeline` (`modeline_for`) first: every required item in
    number order, its title a comment above it, values null, state utkast, as_of the
    occasion's; status and comment (and the dates that go with them) carried over from the
    division's previous report; an indicator's value and period taken from the year's Kolada
    snapshot where `from_kolada` (`kolada.outcomes`) has one, with the KPI it is of."""
    need = required_of(data, occasion, division)
    as_of = fu.occasion_dates(data.agreement.entity)[occasion].as_of
    previous = previous_report(data, occasion, division)
    uppdrag = []
    for u in need.uppdrag:
        before = previous.uppdrag.get(u.id) if previous else None
        entry = _carried(before)
        uppdrag.append((u.id, _label(u.number, u.title), skeleton(UppdragReport, entry)))
    goals = [(g.id, _label(g.number, g.title), skeleton(GoalReport, {})) for g in need.goals]
    indicators = [
        (i.id, _label(g.number, i.title), _outcome((from_kolada or {}).get(i.id)))
        for g, i in need.indicators
    ]
    document = skeleton(
        FollowupReport,
        {
            "year": data.year,
            "occasion": occasion,
            "division": division,
            "as_of": as_of,
            "state": "utkast",
            "uppdrag": _entries(uppdrag),
            "goals": _entries(goals),
            "indicators": _entries(indicators),
        },
    )
    return dump_round_trip(document, modeline)


def _outcome(found: kolada.Outcome | None) -> dict[str, Any]:
    """A new report's entry for an indicator: Kolada's outcome, marked with its KPI, when the
    snapshot gives one; else empty, without the `kolada` key (as before snapshots)."""
    if found is None:
        entry = skeleton(IndicatorReport, {})
        del entry["kolada"]
        return entry
    return skeleton(
        IndicatorReport, {"value": found.value, "period": found.period, "kolada": found.kpi}
    )


def _carried(before: UppdragReport | None) -> dict[str, Any]:
    """What a new report takes over from the previous one for an uppdrag: its status and
    comment, with the new due date, and the date it was done when it is klart."""
    if before is None:
        return {}
    carried: dict[str, Any] = {"status": before.status, "comment": before.comment}
    carried["new_due"] = before.new_due
    if before.status == "klart":
        carried["done_on"] = before.done_on
    return carried


@dataclass
class Written:
    """What `ovk followup new` did: the files written and, with --all, those left alone."""

    written: list[Path]
    skipped: list[Path]


def new_reports(root: Path, year: int, occasion: str, division: str | None, every: bool) -> Written:
    """Write one division's report at an occasion (or, with `every`, each division's that
    reports then); never over an existing file: alone a usage error, with `every` skipped."""
    if (division is None) == (not every):
        raise UsageError("name a <division>, or give <all> for every division", "division", "all")
    data = read_year(root, year)
    if division is not None:
        check_division(division, "division", year, data.codes)
        codes = [division]
    else:
        items = year_items(data)
        codes = [c for c in data.codes if items.required(occasion, c)]
    snapshot = kolada.load_snapshot(root, year)
    goals = data.malomraden.entity if data.malomraden else None
    from_kolada = kolada.outcomes(goals, snapshot, year) if snapshot and goals else {}
    result = Written([], [])
    for code in codes:
        path = report_path(root, year, occasion, code)
        taken = name_taken(path)
        if taken is not None:
            if not every:
                shown = taken.relative_to(root).as_posix()
                raise UsageError(f"{shown} exists; ovk followup new never overwrites it")
            result.skipped.append(taken)
            continue
        modeline = modeline_for("uppfoljning", path, root)
        text = report_text(data, occasion, code, modeline, from_kolada)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)
        result.written.append(path)
    return result


# --- ovk followup status ---------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One division's follow-up at one occasion: what it must report, and what it has."""

    year: int
    occasion: str
    division: str
    name: str
    state: str | None  # the report's, or None without a file
    required: dict[str, int]  # by item kind: uppdrag, goals, indicators
    reported: dict[str, int]
    missing: list[tuple[str, str]]  # (kind, id)
    late: list[str]  # uppdrag ids
    deviations: list[tuple[str, str]]  # (uppdrag id, status)
    file: str | None
    as_of: dt.date  # the report's, else the occasion's
    deadline: dt.date | None  # the occasion's, when the agreement gives one


COUNT_KEYS = {Uppdrag.KIND: "uppdrag", Goal.KIND: "goals", Indicator.KIND: "indicators"}


def progress(data: YearData, items: fu.YearItems, occasion: str, division: str) -> Progress:
    need = items.required(occasion, division)
    loaded = data.reports.get((occasion, division))
    report = loaded.entity if loaded else None
    counted = fu.tally(need, report)
    gaps = counted.missing
    required = {COUNT_KEYS[k]: n for k, n in counted.required.items()}
    reported = {COUNT_KEYS[k]: n for k, n in counted.filled.items()}
    late: list[str] = []
    deviations: list[tuple[str, str]] = []
    dates = fu.occasion_dates(data.agreement.entity)[occasion]
    if report is not None:
        for u in need.uppdrag:
            entry = report.uppdrag.get(u.id)
            if entry is None:
                continue
            if fu.is_late(u, entry, report.as_of):
                late.append(u.id)
            if entry.status in fu.DEVIATIONS:
                deviations.append((u.id, entry.status))
    return Progress(
        data.year,
        occasion,
        division,
        data.names.get(division, division),
        report.state if report else None,
        required,
        reported,
        gaps,
        late,
        deviations,
        loaded.file if loaded else None,
        report.as_of if report else dates.as_of,
        dates.deadline,
    )


@dataclass(frozen=True)
class StatusRequest:
    root: Path
    year: int
    occasion: str | None = None
    division: str | None = None


def status(request: StatusRequest) -> list[Progress]:
    """Every division and occasion chosen, in the order of the year and of the agreement's
    divisions; a division with nothing to report and no file at an occasion is left out."""
    data = read_year(request.root, request.year)
    if request.division is not None:
        check_division(request.division, "division", request.year, data.codes)
    occasions = [request.occasion] if request.occasion else list(FOLLOWUP_OCCASIONS)
    codes = [request.division] if request.division else list(data.codes)
    rows = []
    items = year_items(data)
    for occasion in occasions:
        for code in codes:
            row = progress(data, items, occasion, code)
            if any(row.required.values()) or row.state is not None:
                rows.append(row)
    return rows


def record(row: Progress) -> dict[str, Any]:
    """The JSON object of one division and occasion (the contract in PRODUCT.md)."""
    return {
        "year": row.year,
        "occasion": row.occasion,
        "division": row.division,
        "state": row.state,
        "required": row.required,
        "reported": row.reported,
        "missing": [{"kind": kind, "id": ident} for kind, ident in row.missing],
        "late": row.late,
    }


def as_json(rows: list[Progress], out: TextIO, terminal: Terminal | None) -> None:
    out.write(
        json.dumps([record(r) for r in rows], ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    )


def _counts(row: Progress, key: str) -> str:
    return f"{row.reported[key]}/{row.required[key]}"


TABLE_COLUMNS = (
    Column("Occasion"),
    Column("Division"),
    Column("State"),
    Column("Uppdrag"),
    Column("Goals"),
    Column("Indicators"),
    Column("Missing"),
    Column("Late", wrap=True, max_width=30),
    Column("Deviations", wrap=True, grow=True),
)


def _cells(row: Progress) -> tuple[str, ...]:
    return (
        row.occasion,
        row.division,
        row.state or "no report",
        _counts(row, "uppdrag"),
        _counts(row, "goals"),
        _counts(row, "indicators"),
        str(len(row.missing)),
        ", ".join(row.late) or "-",
        ", ".join(f"{i} ({s})" for i, s in row.deviations) or "-",
    )


def as_table(rows: list[Progress], out: TextIO, terminal: Terminal | None) -> None:
    """A table that fits the terminal (reported/required per kind; a row with late uppdrag
    marked, and named in its column), or tab-separated columns when piped; every cell shown
    literally."""
    if not rows:
        out.write("no division reports at the chosen occasions\n")
        return
    cells = [_cells(r) for r in rows]
    if terminal is None:
        out.write(
            "occasion\tdivision\tstate\tuppdrag\tgoals\tindicators\tmissing\tlate\tdeviations\n"
        )
        for row in cells:
            out.write("\t".join(literal(c) for c in row) + "\n")
    else:
        terminal.table(TABLE_COLUMNS, cells, ["past" if r.late else None for r in rows])


KIND_WORDS = {Uppdrag.KIND: "uppdrag", Goal.KIND: "mål", Indicator.KIND: "indikator"}


def as_markdown(rows: list[Progress], out: TextIO, terminal: Terminal | None) -> None:
    """The follow-up status as a Swedish document for readers (GitHub Markdown)."""
    if not rows:
        out.write("Ingen verksamhet rapporterar vid de valda tillfällena.\n")
        return
    year = rows[0].year
    out.write(f"# Uppföljning {year}: läget\n")
    for occasion in dict.fromkeys(r.occasion for r in rows):
        chosen = [r for r in rows if r.occasion == occasion]
        deadline = chosen[0].deadline
        out.write(f"\n## {occasion.capitalize()}\n\n")
        when = sv_date(deadline) if deadline else "inte angiven"
        out.write(f"{title_of(OccasionDates, 'deadline')}: {when}.\n\n")
        headers = [
            *(title_of(FollowupReport, k) for k in ("division", "state", "as_of")),
            *(title_of(FollowupReport, k) for k in ("uppdrag", "goals", "indicators")),
            "Saknas",
            "Försenade",
            "Avvikelser",
        ]
        out.write("| " + " | ".join(headers) + " |\n")
        out.write("|" + " --- |" * len(headers) + "\n")
        for r in chosen:
            cells = [
                f"{r.division} {r.name}",
                r.state or "ingen rapport",
                sv_date(r.as_of),
                f"{r.reported['uppdrag']} av {r.required['uppdrag']}",
                f"{r.reported['goals']} av {r.required['goals']}",
                f"{r.reported['indicators']} av {r.required['indicators']}",
                str(len(r.missing)),
                ", ".join(r.late) or "–",
                ", ".join(f"{i} ({s})" for i, s in r.deviations) or "–",
            ]
            out.write("| " + " | ".join(md_escape(c) for c in cells) + " |\n")
        lagging = [r for r in chosen if r.missing]
        if lagging:
            out.write("\nSaknas:\n\n")
            for r in lagging:
                items = ", ".join(f"{KIND_WORDS[k]} {i}" for k, i in r.missing)
                out.write(f"- {md_escape(r.division)}: {md_escape(items)}\n")


Format = Callable[[list[Progress], TextIO, "Terminal | None"], None]
FORMATS: dict[str, Format] = {"table": as_table, "json": as_json, "markdown": as_markdown}


def any_missing(rows: list[Progress]) -> bool:
    """Whether anything required is missing (what `--exit-code` exits 1 for)."""
    return any(r.missing for r in rows)
