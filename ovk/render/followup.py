"""`ovk render --followup OCCASION`: a division's follow-up report as a Swedish document, and
a Kommunstyrelsen overview of every division's.

Who reports what, the occasions' dates, lateness and what counts as filled in are the
model's (`ovk.model.followup`); this module turns one year's reports into plain views for the
templates `uppfoljning` (one division) and `uppfoljning-oversikt` (the overview), and writes
`--all`'s folder through the same `publish` (and manifest) as the agreement's site.

Every status and assessment is shown in words and with a symbol (the symbol hidden from
screen readers, the words always visible), never by colour alone; "försenat" is derived by
`is_late` and shown as a marker of its own. A report's `note` is the report's own text (what
the division says about the report as a whole), shown to every reader as "Anteckning"; it is
no transcriber's note. The document shows no transcribers' notes: they belong to the
agreement's pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ovk.errors import UsageError
from ovk.model import followup as fu
from ovk.model.entities import (
    ASSESSMENTS,
    FOLLOWUP_OCCASIONS,
    STATUSES,
    FollowupReport,
    Goal,
    GoalReport,
    Indicator,
    IndicatorReport,
    OccasionDates,
    Uppdrag,
    UppdragReport,
)
from ovk.model.kolada import ATTRIBUTION
from ovk.model.layout import report_file
from ovk.model.read import resolve_year
from ovk.model.spec import title_of
from ovk.output.swedish import sv_number
from ovk.render.build import (
    INDEX_STEM,
    PDF,
    STYLESHEET,
    Anchors,
    Outcome,
    Published,
    Renderer,
    Request,
    Source,
    View,
    agreement_view,
    check_all_output,
    check_folder,
    checked_output,
    division_label,
    document_outcome,
    file_name,
    heading,
    load_source,
    outcome,
    publish,
    site_formats,
)

# The symbol beside each word of the closed lists (the words are the model's vocabularies).
STATUS_SYMBOLS = {
    "ej påbörjat": "○",
    "pågår": "●",
    "pågår med avvikelse": "▲",
    "klart": "✓",
    "avbrutet": "✕",
    "vilande": "‖",
}
ASSESSMENT_SYMBOLS = {
    "uppfyllt": "✓",
    "delvis uppfyllt": "◐",
    "ej uppfyllt": "✕",
    "kan ej bedömas": "?",
}
NOT_FILLED = "ej ifyllt"  # an item of the report without a status, assessment or outcome
NOT_FILLED_SYMBOL = "–"
LATE = "försenat"  # derived by `is_late`, never typed
LATE_SYMBOL = "⚠"
NO_REPORT = "ingen rapport"
# The overview's columns: each status, then not filled in, then late.
COUNTED_SYMBOLS = {**STATUS_SYMBOLS, NOT_FILLED: NOT_FILLED_SYMBOL, LATE: LATE_SYMBOL}
OVERVIEW_STEM = "oversikt"
TEMPLATE = "uppfoljning"
OVERVIEW_TEMPLATE = "uppfoljning-oversikt"
INDEX_TEMPLATE = "uppfoljning-index"


def marker(word: str | None, symbols: dict[str, str]) -> View:
    """A status or an assessment as words and a symbol; not filled in: "ej ifyllt"."""
    if word is None:
        return {"word": NOT_FILLED, "symbol": NOT_FILLED_SYMBOL, "filled": False}
    return {"word": word, "symbol": symbols[word], "filled": True}


def late_marker() -> View:
    return {"word": LATE, "symbol": LATE_SYMBOL, "filled": True}


def report_stem(code: str) -> str:
    """ "uppfoljning-KLK": a division's page in --all's folder."""
    return f"uppfoljning-{code}"


def occasion_title(occasion: str, year: int) -> str:
    """ "Uppföljning delår 2026"."""
    return f"{FollowupReport.NOUN} {occasion} {year}"


# Field labels, from the model's Swedish titles.
LABELS = {
    "occasion": title_of(FollowupReport, "occasion"),
    "state": title_of(FollowupReport, "state"),
    "as_of": title_of(FollowupReport, "as_of"),
    "reported_by": title_of(FollowupReport, "reported_by"),
    "report_note": title_of(FollowupReport, "note"),
    "uppdrag": title_of(FollowupReport, "uppdrag"),
    "goals": title_of(FollowupReport, "goals"),
    "indicators": title_of(FollowupReport, "indicators"),
    "deadline": title_of(OccasionDates, "deadline"),
    "status": title_of(UppdragReport, "status"),
    "comment": title_of(UppdragReport, "comment"),
    "due": title_of(Uppdrag, "due"),
    "new_due": title_of(UppdragReport, "new_due"),
    "done_on": title_of(UppdragReport, "done_on"),
    "assessment": title_of(GoalReport, "assessment"),
    "analysis": title_of(GoalReport, "analysis"),
    "value": title_of(IndicatorReport, "value"),
    "period": title_of(IndicatorReport, "period"),
    "indicator_comment": title_of(IndicatorReport, "comment"),
    "indicator": Indicator.NOUN,
}


# --- one division's report -------------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    """One division at one occasion: what it must report and its report (or None)."""

    code: str
    need: fu.Required
    report: FollowupReport | None
    file: str | None
    as_of: dt.date  # the report's, else the occasion's


def reported(source: Source, occasion: str, code: str) -> Reported:
    need = fu.required(source.codes, source.uppdrag, source.malomraden, occasion, code)
    found = source.reports.get((occasion, code))
    dates = fu.occasion_dates(source.agreement)[occasion]
    report, file = found if found else (None, None)
    return Reported(code, need, report, file, report.as_of if report else dates.as_of)


def reporting(source: Source, occasion: str) -> list[Reported]:
    """Every division that reports at `occasion` or has a report then, in the agreement's
    order (as `ovk followup status` lists them)."""
    found = [reported(source, occasion, code) for code in source.codes]
    return [r for r in found if r.need or r.report is not None]


def uppdrag_view(u: Uppdrag, r: Reported, anchors: Anchors) -> View:
    entry = r.report.uppdrag.get(u.id) if r.report else None
    late = r.report is not None and fu.is_late(u, entry, r.as_of)
    status = entry.status if entry else None
    return {
        "id": u.id,
        "anchor": anchors("uppdrag", u.id),
        "heading": heading(u.number, u.title, u.suffix),
        "status": marker(status, STATUS_SYMBOLS),
        "deviation": status in fu.DEVIATIONS,
        "late": late_marker() if late else None,
        "comment": entry.comment if entry and fu.has_text(entry.comment) else None,
        "due": u.due,
        "new_due": entry.new_due if entry else None,
        "done_on": entry.done_on if entry else None,
    }


def outcome_text(entry: IndicatorReport | None) -> str | None:
    """An outcome as a Swedish number ("12,4", "3"), or None when there is none."""
    if entry is None or entry.value is None:
        return None
    return sv_number(entry.value, 0)


def attribution(entry: IndicatorReport | None) -> str | None:
    """ "Källa: Kolada" for an outcome `ovk followup new` took from Kolada (its `kolada` names
    the KPI), shown beside the value; None for a value a person typed, or no value."""
    if entry is None or entry.value is None or entry.kolada is None:
        return None
    return ATTRIBUTION


def goal_view(g: Goal, r: Reported, anchors: Anchors) -> View:
    entry = r.report.goals.get(g.id) if r.report else None
    wanted = set(r.need.ids(Indicator.KIND))
    tables = []
    for n, table in enumerate(g.nyckeltal, 1):
        rows = []
        for row in table.rows:
            if row.id not in wanted:
                continue
            found = r.report.indicators.get(row.id) if r.report else None
            rows.append(
                {
                    "id": row.id,
                    "nr": row.nr or "",
                    "title": row.title,
                    "cells": [row.values.get(c.key, "") for c in table.columns],
                    "value": outcome_text(found),
                    "period": found.period if found else None,
                    "attribution": attribution(found),
                    "comment": found.comment if found and fu.has_text(found.comment) else None,
                    "filled": fu.filled_in(found),
                }
            )
        if rows:
            number = f" {g.number}" if g.number else ""
            part = f", tabell {n}" if len(g.nyckeltal) > 1 else ""
            tables.append(
                {
                    "caption": f"Utfall för indikatorerna till mål{number}{part}",
                    "heading": table.heading,
                    "columns": [c.label for c in table.columns],
                    "has_nr": any(row["nr"] for row in rows),
                    "rows": rows,
                }
            )
    assessment = entry.assessment if entry else None
    return {
        "id": g.id,
        "anchor": anchors("mal", g.id),
        "heading": heading(g.number, g.title, g.suffix),
        "assessment": marker(assessment, ASSESSMENT_SYMBOLS),
        "met": assessment == fu.MET,
        "analysis": entry.analysis if entry and fu.has_text(entry.analysis) else None,
        "tables": tables,
    }


def report_view(source: Source, occasion: str, r: Reported) -> View:
    """Everything one division's follow-up document shows."""
    anchors = Anchors()
    anchors.used |= {"rapport", "uppdrag-status", "mal-bedomning"}
    report = r.report
    dates = fu.occasion_dates(source.agreement)[occasion]
    uppdrag = [uppdrag_view(u, r, anchors) for u in r.need.uppdrag]
    goals = [goal_view(g, r, anchors) for g in r.need.goals]
    title = occasion_title(occasion, source.year)
    return {
        "agreement": agreement_view(source),
        "title": title,
        "running_head": f"{title} · {r.code}",
        "occasion": occasion,
        "forecast": occasion != "helår",
        "labels": LABELS,
        "division": {"code": r.code, "name": source.names.get(r.code, r.code)},
        "report": None
        if report is None
        else {
            "state": report.state,
            "reported_by": report.reported_by if fu.has_text(report.reported_by) else None,
            "note": report.note if fu.has_text(report.note) else None,
            "file": r.file,
        },
        "expected_file": report_file(source.year, occasion, r.code),
        "as_of": r.as_of,
        "deadline": dates.deadline,
        "uppdrag": uppdrag,
        "goals": goals,
        "missing": len(fu.missing(r.need, report)),
    }


# --- the overview for Kommunstyrelsen ----------------------------------------------------------


def overview_view(source: Source, occasion: str, rows: list[Reported], fmt: str) -> View:
    """The Kommunstyrelsen overview: every division's state and counts, the late and
    deviating uppdrag, the goals not assessed uppfyllt, and who has not reported."""
    divisions, flagged, goals = [], [], []
    totals = dict.fromkeys([*STATUSES, NOT_FILLED, LATE], 0)
    for r in rows:
        view = report_view(source, occasion, r)
        href = file_name(report_stem(r.code), fmt)
        label = division_label(r.code, source)
        counts = dict.fromkeys(totals, 0)
        for u in view["uppdrag"]:
            counts[u["status"]["word"]] += 1
            if u["late"]:
                counts[LATE] += 1
            if u["late"] or u["deviation"]:
                flagged.append({**u, "division": label, "code": r.code, "href": href})
        for g in view["goals"] if r.report is not None else ():  # no report: listed above
            if not g["met"]:
                goals.append({**g, "division": label, "code": r.code, "href": href})
        for key, n in counts.items():
            totals[key] += n
        counted = fu.tally(r.need, r.report)
        divisions.append(
            {
                "code": r.code,
                "label": label,
                "href": href,
                "state": r.report.state if r.report else None,
                "as_of": r.as_of,
                "required": counted.required,
                "filled": counted.filled,
                "missing": len(counted.missing),
                "counts": [counts[k] for k in counts],
            }
        )
    title = occasion_title(occasion, source.year)
    return {
        "agreement": agreement_view(source),
        "title": title,
        "running_head": f"{title} · översikt",
        "occasion": occasion,
        "forecast": occasion != "helår",
        "labels": LABELS,
        "deadline": fu.occasion_dates(source.agreement)[occasion].deadline,
        "columns": [{"word": k, "symbol": COUNTED_SYMBOLS[k], "filled": True} for k in totals],
        "assessments": [{"word": a, "symbol": ASSESSMENT_SYMBOLS[a]} for a in ASSESSMENTS],
        "divisions": divisions,
        "totals": list(totals.values()),
        "flagged": flagged,
        "goals": goals,
        "unreported": [d for d in divisions if d["state"] is None],
        "incomplete": [d for d in divisions if d["state"] is not None and d["missing"]],
        "kinds": {
            Uppdrag.KIND: LABELS["uppdrag"],
            Goal.KIND: LABELS["goals"],
            Indicator.KIND: LABELS["indicators"],
        },
    }


# --- rendering and writing -------------------------------------------------------------------


class FollowupRenderer:
    """Renders one occasion's documents of one year in one format; `site` links them as
    --all's folder (`pdf`: the folder also holds a PDF of each document)."""

    def __init__(
        self, source: Source, occasion: str, fmt: str, site: bool = False, pdf: bool = False
    ) -> None:
        self.source, self.occasion, self.fmt, self.site, self.pdf = (
            source,
            occasion,
            fmt,
            site,
            pdf,
        )
        self.base = Renderer(source, fmt, site=site)  # the environment, provenance, stylesheet

    def _links(self, rows: Iterable[Reported]) -> View | None:
        if not self.site:
            return None
        codes = [r.code for r in rows]
        return {
            "index": file_name(INDEX_STEM, self.fmt),
            "overview": file_name(OVERVIEW_STEM, self.fmt),
            "divisions": {c: file_name(report_stem(c), self.fmt) for c in codes},
            "pdf": {
                "overview": file_name(OVERVIEW_STEM, PDF),
                "divisions": {c: file_name(report_stem(c), PDF) for c in codes},
            }
            if self.pdf
            else None,
        }

    def division(self, r: Reported, rows: Iterable[Reported] = ()) -> str:
        view = report_view(self.source, self.occasion, r)
        return self.base.render(TEMPLATE, view, self._links(rows or [r]))

    def overview(self, rows: list[Reported]) -> str:
        view = overview_view(self.source, self.occasion, rows, self.fmt)
        return self.base.render(OVERVIEW_TEMPLATE, view, self._links(rows))

    def index(self, rows: list[Reported]) -> str:
        title = occasion_title(self.occasion, self.source.year)
        view = {
            "agreement": agreement_view(self.source),
            "title": title,
            "divisions": [
                {"code": r.code, "label": division_label(r.code, self.source)} for r in rows
            ],
        }
        return self.base.render(INDEX_TEMPLATE, view, self._links(rows))


def followup_files(
    source: Source, occasion: str, formats: Iterable[str], out_dir: Path
) -> list[tuple[Path, str | bytes]]:
    """Every page of --all --followup's folder: each division's report, the overview and an
    index (and, for HTML, the stylesheet; for PDF, a PDF of each report and of the overview,
    beside its HTML page)."""
    formats = tuple(formats)
    rows = reporting(source, occasion)
    files: list[tuple[Path, str | bytes]] = []
    if PDF in formats:
        from ovk.render.pdf import html_to_pdf

        single = FollowupRenderer(source, occasion, "html")
        pages = [(report_stem(r.code), single.division(r)) for r in rows]
        pages.append((OVERVIEW_STEM, single.overview(rows)))
        files += [(out_dir / file_name(stem, PDF), html_to_pdf(html)) for stem, html in pages]
    for fmt in (f for f in formats if f != PDF):
        renderer = FollowupRenderer(
            source, occasion, fmt, site=True, pdf=PDF in formats and fmt == "html"
        )
        texts = [(report_stem(r.code), renderer.division(r, rows)) for r in rows]
        texts.append((OVERVIEW_STEM, renderer.overview(rows)))
        texts.append((INDEX_STEM, renderer.index(rows)))
        files += [(out_dir / file_name(stem, fmt), text) for stem, text in texts]
        if fmt == "html":
            files.append((out_dir / STYLESHEET, renderer.base.stylesheet()))
    return files


def render_followup_site(
    source: Source, occasion: str, formats: Iterable[str], out_dir: Path
) -> Published:
    """--all --followup's folder (see `followup_files`), written by `publish`: its manifest
    lets a later run remove the pages it no longer writes."""
    return publish(out_dir, followup_files(source, occasion, formats, out_dir))


def run(root: Path, request: Request, cwd: Path | None = None) -> Outcome:
    """`ovk render --followup`: check the request, render, write only under -o."""
    occasion = request.followup
    assert occasion is not None
    if occasion not in FOLLOWUP_OCCASIONS:
        raise UsageError(
            f"<followup> {occasion!r} is not an occasion ({', '.join(FOLLOWUP_OCCASIONS)})",
            "followup",
        )
    if request.main:
        raise UsageError(
            "<followup> renders a division's report or <all>, not <main>",
            "followup",
            "all",
            "main",
        )
    if request.notes:
        raise UsageError(
            "<notes> does not go with <followup>: a follow-up shows no transcribers' notes",
            "notes",
            "followup",
        )
    if request.years or request.all_years:
        raise UsageError("<followup> renders one year: give <year> once", "followup", "year")
    if (request.code is None) == (not request.all):
        raise UsageError("give a <code> or <all> with <followup>", "code", "all", "followup")
    check_all_output(request)
    fmt, target = checked_output(root, request, cwd)
    source = load_source(root, resolve_year(root, request.year))
    if request.all:
        assert target is not None
        check_folder(target, request)
        published = render_followup_site(source, occasion, site_formats(fmt), target)
        return outcome(published, target)
    assert request.code is not None and fmt is not None
    r = reported(source, occasion, check_reporter(source, occasion, request.code.upper()))
    warnings = []
    if r.report is None:
        where = report_file(source.year, occasion, r.code)
        warnings.append(
            f"{r.code} has no report at {occasion} {source.year} (no {where}); the document says so"
        )
    page = FollowupRenderer(source, occasion, "html" if fmt == PDF else fmt).division(r)
    return document_outcome(page, fmt, target, request, warnings)


def check_reporter(source: Source, occasion: str, code: str) -> str:
    """`code` if it is a division of the year that reports at `occasion` or has a report
    then; else a usage error."""
    if code not in source.names:
        raise UsageError(
            f"{code!r} is not a division of {source.year} (divisions: {', '.join(source.codes)})",
            "code",
        )
    if not reported(source, occasion, code).need and (occasion, code) not in source.reports:
        chosen = ", ".join(r.code for r in reporting(source, occasion)) or "none"
        raise UsageError(
            f"{code} reports nothing at {occasion} {source.year} and has no report "
            f"(divisions that report: {chosen})",
            "code",
        )
    return code
