"""Cross-file rules: what one file's schema cannot see, checked over one year folder.

The checks only see documents that passed their schema; each is built once into the model's
typed entities (`ovk.model.build`), and `walk` gives every entity with its JSON path, so a
finding is located in the file exactly where the entity stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Generic, TypeVar

from ovk.findings import Finding, finding, json_path
from ovk.model.build import build, walk
from ovk.model.entities import (
    ALL_DIVISIONS,
    Agreement,
    Area,
    Division,
    Goal,
    GrunduppdragSection,
    Grundverksamhet,
    Indicator,
    IndicatorTable,
    Malomrade,
    Malomraden,
    Party,
    Uppdrag,
    Verksamhetsomrade,
)
from ovk.model.spec import Entity
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
    ) -> None:
        line, column = document.locate(path, key=key)
        self.findings.append(finding(display, line, column, rule, message, json_path(path)))


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

    def all(self) -> Iterator[Typed[Agreement | Malomraden | Division | Uppdrag]]:
        for single in (self.agreement, self.malomraden):
            if single:
                yield single
        yield from self.divisions
        yield from self.uppdrag


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
