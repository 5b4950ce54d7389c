"""The agreement model as the commands use it: a year's divisions and särskilda uppdrag.

Files are read through the same loader and schema check as `ovk validate`; a file that does
not pass is a DataError (the user runs validate to see why), so the model can trust shapes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovk.errors import DataError, UsageError
from ovk.model.layout import AGREEMENTS, Member, agreement_file, year_dirs, year_members
from ovk.model.schema import ALL_DIVISIONS
from ovk.validate.engine import SCHEMA_VERDICT_RULES, check_file


@dataclass(frozen=True)
class Uppdrag:
    """One särskilt uppdrag, with "alla verksamheter" expanded to the year's divisions."""

    id: str
    year: int
    number: str | None
    title: str
    origin: str
    owners: tuple[str, ...]
    lead: str | None
    start: dt.date | None
    due: dt.date | None
    financing: str | None
    followup: tuple[str, ...]
    file: str  # relative to the root

    @property
    def number_key(self) -> tuple[int, ...]:
        return number_key(self.number)


def number_key(number: str | None) -> tuple[int, ...]:
    """Sorts "2.1.10" after "2.1.9"; what has no number sorts last."""
    if not number:
        return (10**9,)
    return tuple(int(part) for part in number.rstrip(".").split("."))


@dataclass(frozen=True)
class Year:
    year: int
    divisions: tuple[str, ...]  # codes in the order overenskommelse.yaml lists them
    uppdrag: tuple[Uppdrag, ...]


def available_years(root: Path) -> list[int]:
    return [int(d.name) for d in year_dirs(root)]


def resolve_year(root: Path, year: int | None) -> int:
    """The requested year if it exists, else the latest; a usage error names the valid ones."""
    years = available_years(root)
    if not years:
        raise UsageError(f"no year folders under {root / AGREEMENTS}")
    if year is None:
        return years[-1]
    if year not in years:
        raise UsageError(f"no agreement for {year} (years: {', '.join(map(str, years))})")
    return year


def read(path: Path, root: Path) -> Any:
    """The data of one agreement file that passes its schema, else a DataError."""
    result = check_file(agreement_file(path, root), root)
    broken = [f for f in result.findings if f.rule in SCHEMA_VERDICT_RULES]
    if result.document is None or broken:
        where = broken[0] if broken else None
        location = f"{where.file}:{where.line}:{where.column}" if where else str(path)
        raise DataError(f"{location} is not valid; run 'ovk validate' for details")
    return result.document.data


@dataclass(frozen=True)
class YearFile:
    data: dict[str, Any]
    file: str  # relative to the root


@dataclass(frozen=True)
class YearData:
    """Every file of one year folder, read and schema-checked (diff, render and export)."""

    year: int
    agreement: dict[str, Any]
    malomraden: dict[str, Any] | None  # None when the folder has no malomraden.yaml
    divisions: dict[str, YearFile]  # by file name (the code), in file-name order
    uppdrag: tuple[YearFile, ...]  # in file-name order (the id)


def read_year(root: Path, year: int) -> YearData:
    """Read every file of a year folder; a file that is not schema-valid, or a layout problem
    (a link out of the repository, …), is a DataError."""
    members = year_members(root, root / AGREEMENTS / str(year))
    members.check()

    def read_file(member: Member) -> YearFile:
        return YearFile(read(member.path, root), member.display)

    malomraden = members.one("malomraden")
    return YearData(
        year,
        read(members.path("overenskommelse"), root),
        read(malomraden.path, root) if malomraden else None,
        {m.stem: read_file(m) for m in members.of("division")},
        tuple(read_file(m) for m in members.of("uppdrag")),
    )


def load_year(root: Path, year: int) -> Year:
    members = year_members(root, root / AGREEMENTS / str(year))
    members.check()
    agreement = read(members.path("overenskommelse"), root)
    divisions = tuple(division["code"] for division in agreement["divisions"])
    uppdrag = tuple(
        _uppdrag(read(m.path, root), divisions, m.display) for m in members.of("uppdrag")
    )
    return Year(year, divisions, uppdrag)


def expand_owners(owners: list[str], divisions: tuple[str, ...]) -> tuple[str, ...]:
    """Owner codes with "alla verksamheter" replaced by every division of the year."""
    if ALL_DIVISIONS in owners:
        return divisions
    return tuple(owners)


def _uppdrag(data: dict[str, Any], divisions: tuple[str, ...], file: str) -> Uppdrag:
    return Uppdrag(
        id=data["id"],
        year=data["year"],
        number=data["number"],
        title=data["title"],
        origin=data["origin"],
        owners=expand_owners(data["owners"], divisions),
        lead=data["lead"],
        start=_date(data["start"]),
        due=_date(data["due"]),
        financing=data.get("financing"),
        followup=tuple(data["followup"]),
        file=file,
    )


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
