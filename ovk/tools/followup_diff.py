"""`ovk followup diff`: what moved between two occasions of one year, per division.

Per division that reports at either occasion: the uppdrag whose status changed (a step back,
`regression`, and a new deviation marked), the uppdrag that became late (`is_late` against
each report's as_of), the goals whose assessment changed and the indicators whose outcome
changed. The knowledge is the model's (`ovk.model.followup`); this module compares and
shapes for output: JSON with machine keys, text and Markdown in Swedish for readers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ovk.errors import UsageError
from ovk.model import followup as fu
from ovk.model.entities import (
    FOLLOWUP_OCCASIONS,
    FollowupReport,
    GoalReport,
    IndicatorReport,
    UppdragReport,
)
from ovk.model.read import YearData, read_year
from ovk.model.spec import title_of
from ovk.model.values import check_division
from ovk.output.literal import literal
from ovk.output.markdown import escape as md_escape
from ovk.output.swedish import sv_number
from ovk.tools.followup import year_items


@dataclass(frozen=True)
class Change:
    """One item whose value moved: its id, number and title, the value before and after."""

    id: str
    number: str | None
    title: str
    before: Any
    after: Any
    regression: bool = False  # uppdrag: a step back (`ovk.model.followup.regression`)
    new_deviation: bool = False  # uppdrag: into a deviation from the plan


@dataclass
class DivisionDiff:
    division: str
    name: str
    before: bool  # a report at the first occasion
    after: bool  # a report at the second
    uppdrag: list[Change] = field(default_factory=list)
    became_late: list[Change] = field(default_factory=list)
    goals: list[Change] = field(default_factory=list)
    indicators: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Diff:
    year: int
    before: str  # the occasions compared
    after: str
    divisions: list[DivisionDiff]


@dataclass(frozen=True)
class DiffRequest:
    root: Path
    year: int
    before: str
    after: str
    division: str | None = None


def followup_diff(request: DiffRequest) -> Diff:
    """What moved from one occasion to another, per division in the agreement's order; a
    division with no report and nothing to report at either occasion is left out."""
    if request.before == request.after:
        raise UsageError("<from> and <to> name the same occasion", "from", "to")
    order = FOLLOWUP_OCCASIONS.index
    if order(request.before) > order(request.after):
        raise UsageError(
            f"<from> {request.before!r} comes after <to> {request.after!r} in the year",
            "from",
            "to",
        )
    data = read_year(request.root, request.year)
    if request.division is not None:
        check_division(request.division, "division", request.year, data.codes)
    codes = [request.division] if request.division else list(data.codes)
    out = []
    items = year_items(data)
    for code in codes:
        row = _division(data, items, request.before, request.after, code)
        if row is not None:
            out.append(row)
    return Diff(data.year, request.before, request.after, out)


def _report(data: YearData, occasion: str, code: str) -> FollowupReport | None:
    loaded = data.reports.get((occasion, code))
    return loaded.entity if loaded else None


def _division(
    data: YearData, items: fu.YearItems, before: str, after: str, code: str
) -> DivisionDiff | None:
    first, second = _report(data, before, code), _report(data, after, code)
    nothing = not (items.required(before, code) or items.required(after, code))
    if first is None and second is None and nothing:
        return None
    row = DivisionDiff(code, data.names.get(code, code), first is not None, second is not None)
    if first is None or second is None:
        return row
    for u in items.uppdrag:
        a, b = first.uppdrag.get(u.id), second.uppdrag.get(u.id)
        if a is None and b is None:
            continue
        was = a.status if a else None
        now = b.status if b else None
        if was != now:
            deviation = now in fu.DEVIATIONS and was not in fu.DEVIATIONS
            row.uppdrag.append(
                Change(u.id, u.number, u.title, was, now, fu.regression(was, now), deviation)
            )
        if b is not None and not fu.is_late(u, a, first.as_of) and fu.is_late(u, b, second.as_of):
            row.became_late.append(Change(u.id, u.number, u.title, was, now))
    for g in items.goals:
        ga, gb = first.goals.get(g.id), second.goals.get(g.id)
        if (ga or gb) and _assessment(ga) != _assessment(gb):
            row.goals.append(Change(g.id, g.number, g.title, _assessment(ga), _assessment(gb)))
        for i in fu.indicators(g):
            ia, ib = first.indicators.get(i.id), second.indicators.get(i.id)
            if (ia or ib) and _value(ia) != _value(ib):
                row.indicators.append(Change(i.id, g.number, i.title, _value(ia), _value(ib)))
    return row


def _assessment(entry: GoalReport | None) -> str | None:
    return entry.assessment if entry else None


def _value(entry: IndicatorReport | None) -> float | None:
    return entry.value if entry else None


# --- output --------------------------------------------------------------------------------


def _change(c: Change, uppdrag: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "from": c.before, "to": c.after}
    if uppdrag:
        out["regression"] = c.regression
        out["new_deviation"] = c.new_deviation
    return out


def record(diff: Diff) -> dict[str, Any]:
    """The JSON document: the occasions compared and, per division, what moved."""
    return {
        "year": diff.year,
        "from": diff.before,
        "to": diff.after,
        "divisions": [
            {
                "division": d.division,
                "report_from": d.before,
                "report_to": d.after,
                "uppdrag": [_change(c, uppdrag=True) for c in d.uppdrag],
                "became_late": [c.id for c in d.became_late],
                "goals": [_change(c) for c in d.goals],
                "indicators": [_change(c) for c in d.indicators],
            }
            for d in diff.divisions
        ],
    }


def as_json(diff: Diff, out: TextIO) -> None:
    out.write(json.dumps(record(diff), ensure_ascii=False, indent=2, allow_nan=False) + "\n")


# The Swedish words of the document; the items' labels are the model's titles.
NONE = "–"  # a value not filled in
UPPDRAG_HEADING = (
    f"{title_of(UppdragReport, 'status')} för {title_of(FollowupReport, 'uppdrag').lower()}"
)
GOAL_HEADING = f"{title_of(GoalReport, 'assessment')} av mål"
INDICATOR_HEADING = f"{title_of(IndicatorReport, 'value')} för indikatorer"
LATE_HEADING = "Blivit försenade"


def _shown(value: Any) -> str:
    if value is None:
        return NONE
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sv_number(value)
    return str(value)


def _lines(diff: Diff, esc: Callable[[object], str], markdown: bool) -> list[str]:
    h1, h2, h3 = ("# ", "## ", "### ") if markdown else ("", "", "")
    lines = [f"{h1}Uppföljning {diff.year}: från {diff.before} till {diff.after}"]
    if not diff.divisions:
        return [*lines, "", "Ingen verksamhet rapporterar vid de valda tillfällena."]
    for d in diff.divisions:
        lines += ["", f"{h2}{esc(d.division)} {esc(d.name)}"]
        missing = [o for o, has in ((diff.before, d.before), (diff.after, d.after)) if not has]
        if missing:
            lines += ["", f"Rapport saknas vid {' och '.join(missing)}; inget att jämföra."]
            continue
        moved = False
        for heading, changes in (
            (UPPDRAG_HEADING, d.uppdrag),
            (LATE_HEADING, d.became_late),
            (GOAL_HEADING, d.goals),
            (INDICATOR_HEADING, d.indicators),
        ):
            if not changes:
                continue
            moved = True
            lines += ["", f"{h3}{heading}" if markdown else f"{heading}:", ""]
            for c in changes:
                label = " ".join(p for p in (c.number, c.title) if p)
                marks = [
                    w
                    for w, on in (("bakåtsteg", c.regression), ("ny avvikelse", c.new_deviation))
                    if on
                ]
                mark = f" ({', '.join(marks)})" if marks else ""
                if heading == LATE_HEADING:
                    lines.append(f"- {esc(label)}: {esc(_shown(c.after))}")
                else:
                    lines.append(
                        f"- {esc(label)}: {esc(_shown(c.before))} → {esc(_shown(c.after))}{mark}"
                    )
        if not moved:
            lines += ["", "Inget har ändrats."]
    return lines


def as_text(diff: Diff, out: TextIO) -> None:
    """Swedish plain text, every text from the data shown literally."""
    out.write("\n".join(_lines(diff, literal, markdown=False)) + "\n")


def as_markdown(diff: Diff, out: TextIO) -> None:
    """A Swedish document for readers (GitHub Markdown), text from the data escaped."""
    out.write("\n".join(_lines(diff, md_escape, markdown=True)) + "\n")


FORMATS: dict[str, Callable[[Diff, TextIO], None]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
}
