"""Cross-file rules: what one file's schema cannot see, checked over one year folder.

The checks only see documents that passed their schema; each is built once into the model's
typed entities (`ovk.model.build`), and `walk` gives every entity with its JSON path, so a
finding is located in the file exactly where the entity stands.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Generic, TypeVar

from ovk.errors import DataError
from ovk.findings import Finding, Severity, finding, json_path
from ovk.model import followup as fu, kolada
from ovk.model.build import build, walk
from ovk.model.entities import (
    ALL_DIVISIONS,
    FOLLOWUP_OCCASIONS,
    Agreement,
    Area,
    Division,
    FollowupReport,
    Goal,
    GoalReport,
    GrunduppdragSection,
    Grundverksamhet,
    Indicator,
    IndicatorReport,
    IndicatorTable,
    Malomrade,
    Malomraden,
    Party,
    Uppdrag,
    UppdragReport,
    Verksamhetsomrade,
)
from ovk.model.spec import Entity
from ovk.model.values import OCCASION_BY_SLUG
from ovk.output.swedish import sv_number
from ovk.yamlio.loader import Document, JsonPath

T = TypeVar("T", bound=Entity)
T_co = TypeVar("T_co", bound=Entity, covariant=True)

# The entities whose ids must differ within their file.
Identified = GrunduppdragSection | Area | Malomrade | Verksamhetsomrade | Goal | Grundverksamhet
# The entities the checks look at inside a file (text blocks and indicator rows they skip).
CHECKED = (
    GrunduppdragSection,
    Area,
    Malomrade,
    Verksamhetsomrade,
    Goal,
    Grundverksamhet,
    IndicatorTable,
    Indicator,
)


@dataclass
class YearFiles:
    """The schema-valid documents of one year folder, keyed by display path."""

    year_dir: Path
    overenskommelse: tuple[str, Document] | None = None
    malomraden: tuple[str, Document] | None = None
    divisions: list[tuple[str, Document]] = field(default_factory=list)
    uppdrag: list[tuple[str, Document]] = field(default_factory=list)
    reports: list[tuple[str, Document]] = field(default_factory=list)  # follow-up reports
    # The year's Kolada snapshot, when it has one: its display path and bytes (None: it
    # could not be read, or is larger than the size cap)
    kolada: tuple[str, bytes | None] | None = None
    # Display paths of files that exist but could not be used (unreadable or schema-invalid)
    broken: set[str] = field(default_factory=set)

    @property
    def year(self) -> int:
        return int(self.year_dir.name)


class _Reporter:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(
        self,
        display: str,
        document: Document,
        path: JsonPath,
        rule: str,
        message: str,
        *,
        key: bool = False,
        severity: Severity | None = None,
    ) -> None:
        line, column = document.locate(path, key=key)
        self.findings.append(
            finding(display, line, column, rule, message, json_path(path), severity)
        )


@dataclass(frozen=True)
class Typed(Generic[T_co]):
    """One schema-valid document of a year with its typed entity."""

    display: str
    document: Document
    entity: T_co

    @cached_property
    def entities(self) -> list[tuple[JsonPath, Entity]]:
        """The entities of the document that the checks look at, with their JSON paths, in the
        file's order."""
        return list(walk(self.entity, only=CHECKED))


def _typed(cls: type[T], entry: tuple[str, Document]) -> Typed[T]:
    display, document = entry
    return Typed(display, document, build(cls, document.data))


@dataclass(frozen=True)
class Year:
    """A year folder's usable documents, typed."""

    year: int
    agreement: Typed[Agreement] | None
    malomraden: Typed[Malomraden] | None
    divisions: list[Typed[Division]]
    uppdrag: list[Typed[Uppdrag]]
    reports: list[Typed[FollowupReport]] = field(default_factory=list)

    def all(self) -> Iterator[Typed[Agreement | Malomraden | Division | Uppdrag | FollowupReport]]:
        for single in (self.agreement, self.malomraden):
            if single:
                yield single
        yield from self.divisions
        yield from self.uppdrag
        yield from self.reports


def check_year(files: YearFiles, year_display: str) -> list[Finding]:
    """Every cross-file finding of one year folder."""
    out = _Reporter()
    _check_required_files(files, year_display, out)
    year = Year(
        files.year,
        _typed(Agreement, files.overenskommelse) if files.overenskommelse else None,
        _typed(Malomraden, files.malomraden) if files.malomraden else None,
        [_typed(Division, entry) for entry in files.divisions],
        [_typed(Uppdrag, entry) for entry in files.uppdrag],
        [_typed(FollowupReport, entry) for entry in files.reports],
    )
    for file in year.all():
        if file.entity.year != year.year:
            out.add(
                file.display,
                file.document,
                ("year",),
                "year-mismatch",
                f"year {file.entity.year} in a file of folder {year.year}",
            )
    codes = _division_codes(year)
    _check_parties(year, codes, out)
    _check_divisions(year, codes, out)
    _check_uppdrag(year, codes, out)
    _check_malomraden(year, codes, out)
    _check_numbers(year, out)
    _check_occasion_dates(year, out)
    _check_reports(year, codes, files.broken, out)
    snapshot = None
    if files.kolada is not None:
        read = _snapshot(*files.kolada)
        _check_kolada(year, files.kolada[0], read, out)
        snapshot = read if isinstance(read, kolada.Snapshot) else None
    _check_kolada_outcomes(year, snapshot, out)
    return out.findings


def _check_required_files(files: YearFiles, year_display: str, out: _Reporter) -> None:
    for name, present in (
        ("overenskommelse.yaml", files.overenskommelse),
        ("malomraden.yaml", files.malomraden),
    ):
        if present is None and f"{year_display}/{name}" not in files.broken:
            out.findings.append(
                finding(year_display, 1, 1, "missing-file", f"year {files.year} has no {name}")
            )


def _division_codes(year: Year) -> set[str] | None:
    """The year's division codes, or None when overenskommelse.yaml is not usable."""
    if year.agreement is None:
        return None
    return set(year.agreement.entity.codes)


def _check_codes(
    file: Typed[Entity],
    path: JsonPath,
    values: Iterable[str],
    codes: set[str] | None,
    out: _Reporter,
) -> None:
    """Every code of a list (owners, delas_till) is a division of the year, or 'alla
    verksamheter'."""
    for index, code in enumerate(values):
        if code != ALL_DIVISIONS:
            _check_code(file, (*path, index), code, codes, out)


def _check_code(
    file: Typed[Entity], path: JsonPath, code: str, codes: set[str] | None, out: _Reporter
) -> None:
    """A code is one of the divisions in the year's overenskommelse.yaml (unknown when the
    file is not usable: nothing to report then)."""
    if codes is not None and code not in codes:
        out.add(
            file.display,
            file.document,
            path,
            "unknown-division",
            f"'{code}' is not a division of this year (divisions: {', '.join(sorted(codes))})",
        )


def _check_file_name(file: Typed[Entity], key: str, value: str, out: _Reporter) -> None:
    """The file name is the identity: a division's code, an uppdrag's id."""
    if value != Path(file.display).stem:
        out.add(
            file.display,
            file.document,
            (key,),
            "filename-id",
            f"{key} '{value}' in file {Path(file.display).name}; the file name is the {key}",
        )


def _check_parties(year: Year, codes: set[str] | None, out: _Reporter) -> None:
    """A party's code (null for Kommunstyrelsen) is one of the year's divisions."""
    if year.agreement is None:
        return
    for path, party in walk(year.agreement.entity, only=(Party,)):
        if isinstance(party, Party) and party.code is not None:
            _check_code(year.agreement, (*path, "code"), party.code, codes, out)


def _check_divisions(year: Year, codes: set[str] | None, out: _Reporter) -> None:
    for file in year.divisions:
        division = file.entity
        _check_file_name(file, "code", division.code, out)
        _check_code(file, ("code",), division.code, codes, out)
        _check_unique_ids(file, _identified(file), out)
        ersattning = division.ersattning
        if ersattning and ersattning.total and ersattning.rows:
            total = sum(row.belopp for row in ersattning.rows)
            stated = ersattning.total.belopp
            if abs(total - stated) > 0.05:
                out.add(
                    file.display,
                    file.document,
                    ("ersattning", "total", "belopp"),
                    "sum-mismatch",
                    f"rows add up to {total:.1f} {ersattning.unit}, "
                    f"the stated total is {stated:.1f}",
                )


def _identified(file: Typed[Entity]) -> list[tuple[JsonPath, Identified]]:
    """The entities whose ids must differ within the file, in the file's order."""
    return [(path, e) for path, e in file.entities if isinstance(e, Identified)]


def _check_unique_ids(
    file: Typed[Entity],
    identified: Iterable[tuple[JsonPath, Identified | Indicator]],
    out: _Reporter,
) -> None:
    first: dict[str, JsonPath] = {}
    for entity_path, entity in identified:
        path, value = (*entity_path, "id"), entity.id
        if value in first:
            line, _ = file.document.locate(first[value])
            out.add(
                file.display,
                file.document,
                path,
                "duplicate-id",
                f"id '{value}' is used twice in this file (first at line {line})",
            )
        else:
            first[value] = path


def _check_uppdrag(year: Year, codes: set[str] | None, out: _Reporter) -> None:
    places = _malomrade_places(year)
    first_by_id: dict[str, str] = {}
    for file in year.uppdrag:
        uppdrag = file.entity
        display, document = file.display, file.document
        _check_file_name(file, "id", uppdrag.id, out)
        if uppdrag.id in first_by_id:
            out.add(
                display,
                document,
                ("id",),
                "duplicate-id",
                f"uppdrag id '{uppdrag.id}' is also the id of {first_by_id[uppdrag.id]}",
            )
        else:
            first_by_id[uppdrag.id] = display
        _check_codes(file, ("owners",), uppdrag.owners, codes, out)
        lead = uppdrag.lead
        if lead is not None:
            _check_code(file, ("lead",), lead, codes, out)
            if lead not in uppdrag.owners and ALL_DIVISIONS not in uppdrag.owners:
                out.add(
                    display,
                    document,
                    ("lead",),
                    "lead-not-owner",
                    f"lead {lead} is not among the owners ({', '.join(uppdrag.owners)})",
                )
        start, due = uppdrag.start, uppdrag.due
        if start and due and due < start:
            out.add(
                display,
                document,
                ("due",),
                "end-before-start",
                f"Slutdatum {due.isoformat()} is before Startdatum {start.isoformat()}",
            )
        if due and due.year < year.year:
            out.add(
                display,
                document,
                ("due",),
                "due-outside-year",
                f"Slutdatum {due.isoformat()} is before the agreement year {year.year}",
            )
        if places is not None:
            malomrade, verksamhetsomrade = uppdrag.malomrade, uppdrag.verksamhetsomrade
            if malomrade is not None and malomrade not in places:
                out.add(
                    display,
                    document,
                    ("malomrade",),
                    "unknown-reference",
                    f"målområde '{malomrade}' is not in malomraden.yaml "
                    f"(ids: {', '.join(sorted(places))})",
                )
            elif verksamhetsomrade is not None:
                # Under its målområde when one is named, else anywhere in the year.
                allowed = places[malomrade] if malomrade else set().union(*places.values())
                if verksamhetsomrade not in allowed:
                    out.add(
                        display,
                        document,
                        ("verksamhetsomrade",),
                        "unknown-reference",
                        f"verksamhetsområde '{verksamhetsomrade}' is not in malomraden.yaml",
                    )


def _malomrade_places(year: Year) -> dict[str, set[str]] | None:
    """målområde id → its verksamhetsområde ids, or None when malomraden.yaml is unusable."""
    if year.malomraden is None:
        return None
    return {
        malomrade.id: {vo.id for vo in malomrade.verksamhetsomraden}
        for malomrade in year.malomraden.entity.malomraden
    }


def _check_malomraden(year: Year, codes: set[str] | None, out: _Reporter) -> None:
    if year.malomraden is None:
        return
    file = year.malomraden
    for path, entity in file.entities:
        if isinstance(entity, Goal):
            _check_codes(file, (*path, "delas_till"), entity.delas_till, codes, out)
        elif isinstance(entity, Grundverksamhet):
            _check_codes(file, (*path, "owners"), entity.owners, codes, out)
        elif isinstance(entity, IndicatorTable):
            _check_columns(file, path, entity, out)
    # The places (målområden, verksamhetsområden) first, then what stands in them: of a place
    # and a goal with one id, the goal is the duplicate.
    identified = _identified(file)
    identified.sort(key=lambda pair: not isinstance(pair[1], Malomrade | Verksamhetsomrade))
    _check_unique_ids(file, identified, out)
    # Indicators have ids of their own kind (follow-up reports name them), unique in the year.
    indicators = [(path, e) for path, e in file.entities if isinstance(e, Indicator)]
    _check_unique_ids(file, indicators, out)


def _check_columns(
    file: Typed[Malomraden], path: JsonPath, table: IndicatorTable, out: _Reporter
) -> None:
    """Every indicator value stands in a column of its table (else no renderer shows it)."""
    keys = [column.key for column in table.columns]
    for r, row in enumerate(table.rows):
        for key in row.values:
            if key not in keys:
                out.add(
                    file.display,
                    file.document,
                    (*path, "rows", r, "values", key),
                    "unknown-column",
                    f"value for column {key!r}, which the table does not have "
                    f"(columns: {', '.join(keys) or 'none'})",
                    key=True,
                )


def _check_numbers(year: Year, out: _Reporter) -> None:
    """Goals, uppdrag and grundverksamhet share one numbering within a year."""
    numbered: list[tuple[Typed[Entity], JsonPath, str]] = []
    if year.malomraden:
        for path, entity in year.malomraden.entities:
            if isinstance(entity, Goal | Grundverksamhet) and entity.number:
                numbered.append((year.malomraden, (*path, "number"), entity.number))
    for file in year.uppdrag:
        if file.entity.number:
            numbered.append((file, ("number",), file.entity.number))
    first: dict[str, tuple[str, Document, JsonPath]] = {}
    for where, path, number in numbered:
        key = number.rstrip(".")
        if key in first:
            # Located only now: fast-loaded documents find their lines when a finding asks.
            first_display, first_document, first_path = first[key]
            line, _ = first_document.locate(first_path)
            out.add(
                where.display,
                where.document,
                path,
                "duplicate-number",
                f"number {number} is also used by {first_display}:{line}",
            )
        else:
            first[key] = (where.display, where.document, path)


# --- the year's Kolada snapshot (kolada.json) ----------------------------------------------


def _check_kolada(
    year: Year, display: str, snapshot: kolada.Snapshot | str, out: _Reporter
) -> None:
    """The agreement against the year's Kolada snapshot (`display`): its municipality, that
    Kolada knows every id and the snapshot holds it, each KPI's title, and each printed value
    Kolada can confirm (`kolada.printed_values`). A snapshot that cannot be read (`snapshot`
    says why) is one finding."""
    if isinstance(snapshot, str):
        out.findings.append(finding(display, 1, 1, "kolada-snapshot", snapshot))
        return
    if year.agreement is not None:
        ours = year.agreement.entity.municipality
        theirs = snapshot.municipality
        if ours is not None and ours.kolada_id not in (None, theirs):
            out.add(
                year.agreement.display,
                year.agreement.document,
                ("municipality", "kolada_id"),
                "kolada-municipality",
                f"the municipality is {ours.kolada_id}, but {display} is of {theirs}",
            )
    if year.malomraden is None:
        return
    file = year.malomraden
    for item in kolada.linked(file.entity):
        for index, kpi_id in enumerate(item.kpis):
            here = (*item.path, "source", "kolada", index)
            if kpi_id in snapshot.unknown:
                unknown = f"Kolada does not know {kpi_id} (asked {snapshot.fetched})"
                out.add(file.display, file.document, here, "kolada-unknown", unknown)
            elif kpi_id not in snapshot.kpis:
                absent = f"{kpi_id} is not in {display}: fetch it again"
                out.add(
                    file.display,
                    file.document,
                    here,
                    "kolada-unknown",
                    absent,
                    severity=Severity.WARNING,
                )
        kpi = snapshot.kpis.get(item.kpis[0]) if len(item.kpis) == 1 else None
        title = item.indicator.title
        if kpi is not None and kolada.normalised_title(title) != kolada.normalised_title(kpi.title):
            out.add(
                file.display,
                file.document,
                (*item.path, "title"),
                "kolada-title",
                f"the title is '{title}', Kolada's title of {kpi.id} is '{kpi.title}': "
                "a retitled KPI may now measure something else",
            )
    for cell in kolada.printed_values(file.entity):
        kpi = snapshot.kpis.get(cell.kpi)
        if kpi is None:
            continue  # kolada-unknown says so
        mismatch = _value_mismatch(cell, kpi, snapshot)
        if mismatch is not None:
            out.add(file.display, file.document, cell.path, "kolada-value", mismatch)


def _check_kolada_outcomes(year: Year, snapshot: kolada.Snapshot | None, out: _Reporter) -> None:
    """A follow-up outcome marked as Kolada's (`kolada`, which `ovk followup new` sets when it
    takes the value from the snapshot) is one the render attributes to Kolada ("Källa:
    Kolada"), so the attribution must be true: the mark names a KPI its indicator names, and
    the value for its period is the snapshot's (a value typed over Kolada's, with the mark
    left, is not Kolada's: Kolada's terms forbid attributing other figures to it)."""
    if not year.reports or year.malomraden is None:
        return
    named = {item.indicator.id: item.kpis for item in kolada.linked(year.malomraden.entity)}
    for file in year.reports:
        for key, entry in file.entity.indicators.items():
            if entry.kolada is None:
                continue
            here = ("indicators", key, "kolada")
            kpis = named.get(key, ())
            if entry.kolada not in kpis:
                names = ", ".join(kpis) or "no Kolada KPI"
                message = f"marked as Kolada's {entry.kolada}, but indicator '{key}' names {names}"
                out.add(file.display, file.document, here, "kolada-outcome", message)
                continue
            if snapshot is None or entry.value is None or entry.kolada not in snapshot.kpis:
                continue
            kpi = snapshot.kpis[entry.kolada]
            theirs = kpi.value(entry.period, "T") if entry.period is not None else None
            if theirs is not None and theirs.value is not None:
                if math.isclose(theirs.value, entry.value, rel_tol=1e-12, abs_tol=1e-12):
                    continue
                has = f"Kolada has {sv_number(theirs.value, 0)}"
            else:
                has = "Kolada has no value"
            when = f" for {entry.period}" if entry.period is not None else ""
            message = (
                f"{sv_number(entry.value, 0)}{when} is marked as Kolada's {entry.kolada}, but "
                f"{has}: a typed value is not Kolada's (set kolada to null)"
            )
            out.add(
                file.display,
                file.document,
                here,
                "kolada-outcome",
                message,
                severity=Severity.WARNING,
            )


def _snapshot(display: str, raw: bytes | None) -> kolada.Snapshot | str:
    """The snapshot the bytes hold, or what is wrong with them."""
    if raw is None:
        return "cannot be read, or is larger than the size cap"
    try:
        return kolada.decode_snapshot(raw, display)
    except DataError as error:
        return str(error).removeprefix(f"{display}: ")


def _value_mismatch(cell: kolada.Printed, kpi: kolada.Kpi, snapshot: kolada.Snapshot) -> str | None:
    """What differs between a printed cell and Kolada's value of it, or None when they agree."""
    printed = f"printed {cell.text.strip()} for {cell.period} ({kolada.GENDER_NAMES[cell.gender]})"
    value = kpi.value(cell.period, cell.gender)
    if value is None and cell.period not in snapshot.periods:
        return f"{printed}; the snapshot was not fetched for {cell.period}: fetch it again"
    if value is None or value.value is None:
        status = f" ({value.status})" if value is not None and value.status else ""
        return f"{printed}, Kolada has no value{status}"
    if kolada.agrees(cell.text, value.value):
        return None
    return f"{printed}, Kolada has {sv_number(value.value, 0)}"


# --- follow-up reports (uppfoljning/<occasion>/<CODE>.yaml) ---------------------------------


def _check_occasion_dates(year: Year, out: _Reporter) -> None:
    """The occasions' dates the agreement gives lie in its year, in the order of the year,
    and no deadline comes before the date its reports describe."""
    if year.agreement is None:
        return
    file = year.agreement
    given = file.entity.uppfoljning
    earlier: tuple[str, dt.date] | None = None
    for occasion in FOLLOWUP_OCCASIONS:
        dates = given.get(occasion)
        if dates is None:
            continue
        here: JsonPath = ("uppfoljning", occasion)
        if dates.as_of is not None:
            if dates.as_of.year != year.year:
                out.add(
                    file.display,
                    file.document,
                    (*here, "as_of"),
                    "as-of-date",
                    f"as_of {dates.as_of.isoformat()} of {occasion} is outside the year "
                    f"{year.year}",
                )
            elif earlier is not None and dates.as_of < earlier[1]:
                out.add(
                    file.display,
                    file.document,
                    (*here, "as_of"),
                    "as-of-date",
                    f"as_of {dates.as_of.isoformat()} of {occasion} is before that of "
                    f"{earlier[0]} ({earlier[1].isoformat()})",
                )
            else:
                earlier = (occasion, dates.as_of)
        as_of = fu.occasion_dates(file.entity)[occasion].as_of
        if dates.deadline is not None and dates.deadline < as_of:
            out.add(
                file.display,
                file.document,
                (*here, "deadline"),
                "as-of-date",
                f"deadline {dates.deadline.isoformat()} of {occasion} is before its as_of "
                f"{as_of.isoformat()}",
            )


def _report_place(file: Typed[FollowupReport]) -> tuple[str | None, str]:
    """A report's occasion and division by its place: the folder and the file name."""
    path = Path(file.display)
    return OCCASION_BY_SLUG.get(path.parent.name), path.stem


def _check_reports(year: Year, codes: set[str] | None, broken: set[str], out: _Reporter) -> None:
    """Each report against its place and its year. What the year holds is judged only when
    every file it needs is usable (an unusable uppdrag file's id, say, is not unknown)."""
    if not year.reports:
        return
    usable = (
        year.agreement is not None
        and year.malomraden is not None
        and not any(Path(b).parent.name == "uppdrag" for b in broken)
    )
    ordered = tuple(year.agreement.entity.codes) if year.agreement else ()
    uppdrag = {u.entity.id: u.entity for u in year.uppdrag}
    malomraden = year.malomraden.entity if year.malomraden else None
    items = fu.YearItems.of(ordered, uppdrag.values(), malomraden)
    goals = {g.id: g for g in items.goals}
    indicators = {i.id: g for g in items.goals for i in fu.indicators(g)}
    placed = [(_report_place(r), r) for r in year.reports]  # (a Path each: once a report)
    by_place = dict(placed)
    for (occasion, division), file in placed:
        report = file.entity
        if report.occasion != occasion:
            folder = Path(file.display).parent.name
            out.add(
                file.display,
                file.document,
                ("occasion",),
                "occasion-mismatch",
                f"occasion {report.occasion} in a report of folder {folder} "
                f"({occasion or 'no occasion'})",
            )
        _check_file_name(file, "division", report.division, out)
        _check_code(file, ("division",), report.division, codes, out)
        if occasion is None:
            continue
        earlier = fu.previous_occasion(
            occasion, {o for o, d in by_place if d == division and o is not None}
        )
        previous = by_place[(earlier, division)].entity if earlier else None
        _check_report_date(file, year.year, earlier, previous, out)
        shared = {id(g) for g in items.shared(division)}
        context = _ReportContext(file, occasion, division, ordered, previous, usable, shared, out)
        for key, entry in report.uppdrag.items():
            context.uppdrag(key, entry, uppdrag.get(key))
        for key, goal_entry in report.goals.items():
            context.goal(key, goal_entry, goals.get(key))
        for key, indicator_entry in report.indicators.items():
            context.indicator(key, indicator_entry, indicators.get(key))
        if report.state == "godkänd" and usable:
            gaps = fu.missing(items.required(occasion, division), report)
            if gaps:
                shown = ", ".join(f"{kind} {ident}" for kind, ident in gaps[:3])
                more = f" and {len(gaps) - 3} more" if len(gaps) > 3 else ""
                out.add(
                    file.display,
                    file.document,
                    ("state",),
                    "report-incomplete",
                    f"a godkänd report has every required item filled in; missing: {shown}{more}",
                )


def _check_report_date(
    file: Typed[FollowupReport],
    year: int,
    earlier: str | None,
    previous: FollowupReport | None,
    out: _Reporter,
) -> None:
    as_of = file.entity.as_of
    if as_of.year != year:
        message = f"as_of {as_of.isoformat()} is outside the agreement year {year}"
    elif previous is not None and as_of < previous.as_of:
        message = (
            f"as_of {as_of.isoformat()} is before the as_of of the division's {earlier} "
            f"report ({previous.as_of.isoformat()})"
        )
    else:
        return
    out.add(file.display, file.document, ("as_of",), "as-of-date", message)


@dataclass
class _ReportContext:
    """The checks of one report's items, with what they need to know."""

    file: Typed[FollowupReport]
    occasion: str
    division: str
    codes: tuple[str, ...]
    previous: FollowupReport | None
    usable: bool  # the year's agreement, goals and uppdrag can all be judged against
    # The year's goals shared to the division, by identity (the report's entries name the
    # same objects; a Goal's hash would hash all its text): asked once an indicator.
    shared: set[int]
    out: _Reporter

    @property
    def previous_occasion(self) -> str:
        return self.previous.occasion if self.previous is not None else ""

    def add(self, path: JsonPath, rule: str, message: str, *, key: bool = False) -> None:
        self.out.add(self.file.display, self.file.document, path, rule, message, key=key)

    def unknown(self, section: str, key: str, what: str) -> None:
        if not self.usable:
            return
        self.add(
            (section, key),
            "unknown-item",
            f"'{key}' is not {what} of {self.file.entity.year}",
            key=True,
        )

    def not_required(self, section: str, key: str, why: str) -> None:
        if not self.usable:
            return
        self.add((section, key), "not-required", f"{self.division} {why}", key=True)

    def uppdrag(self, key: str, entry: UppdragReport, uppdrag: Uppdrag | None) -> None:
        here: JsonPath = ("uppdrag", key)
        as_of = self.file.entity.as_of
        status, commented = entry.status, fu.has_text(entry.comment)
        if uppdrag is None:
            self.unknown("uppdrag", key, "a särskilt uppdrag")
        elif self.occasion not in uppdrag.followup:
            followed = ", ".join(uppdrag.followup) or "none"
            self.add(
                here,
                "occasion-not-followed",
                f"uppdrag '{key}' is not followed up at {self.occasion} (followup: {followed})",
                key=True,
            )
        elif not fu.reports_on(uppdrag, self.division, self.codes):
            reporter = (
                f"its lead {uppdrag.lead} reports it"
                if uppdrag.lead
                else f"its owners are {', '.join(uppdrag.owners)}"
            )
            self.not_required("uppdrag", key, f"does not report uppdrag '{key}': {reporter}")
        if status in fu.DEVIATIONS and not commented:
            self.add(
                (*here, "status"),
                "comment-required",
                f"status '{status}' needs a comment saying why",
            )
        elif status is not None and not commented and uppdrag and fu.is_late(uppdrag, entry, as_of):
            due = fu.due_date(uppdrag, entry)
            assert due is not None
            self.add(
                (*here, "status"),
                "comment-required",
                f"uppdrag '{key}' is late (due {due.isoformat()}, before as_of "
                f"{as_of.isoformat()}) and needs a comment",
            )
        if status == "klart" and entry.done_on is None:
            self.add((*here, "status"), "done-on", "status 'klart' needs done_on, the date")
        if entry.done_on is not None and entry.done_on > as_of:
            self.add(
                (*here, "done_on"),
                "done-on",
                f"done_on {entry.done_on.isoformat()} is after as_of {as_of.isoformat()}",
            )
        due = uppdrag.due if uppdrag else None
        if entry.new_due is not None and due is not None and entry.new_due <= due:
            self.add(
                (*here, "new_due"),
                "new-due",
                f"new_due {entry.new_due.isoformat()} is not after the uppdrag's due date "
                f"{due.isoformat()}",
            )
        before = self.previous.uppdrag.get(key) if self.previous is not None else None
        went_back = before is not None and before.status == "klart"
        if went_back and status not in (None, "klart") and not commented:
            self.add(
                (*here, "status"),
                "status-regression",
                f"status goes back from 'klart' at {self.previous_occasion} to '{status}' "
                "and needs a comment saying why",
            )

    def goal(self, key: str, entry: GoalReport, goal: Goal | None) -> None:
        if goal is None:
            self.unknown("goals", key, "a goal")
        elif id(goal) not in self.shared:
            shared = ", ".join(goal.delas_till) or "no division"
            self.not_required(
                "goals", key, f"does not report goal '{key}': it is shared to {shared}"
            )
        if entry.assessment not in (None, fu.MET) and not fu.has_text(entry.analysis):
            self.add(
                ("goals", key, "assessment"),
                "comment-required",
                f"assessment '{entry.assessment}' needs an analysis",
            )

    def indicator(self, key: str, entry: IndicatorReport, goal: Goal | None) -> None:
        if goal is None:
            self.unknown("indicators", key, "an indicator")
        elif id(goal) not in self.shared:
            self.not_required(
                "indicators",
                key,
                f"does not report indicator '{key}': its goal '{goal.id}' is not shared to it",
            )
