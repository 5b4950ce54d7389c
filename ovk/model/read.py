"""Reading a year: layout → safe loader → schema → typed entities, for every command.

Files are read through the safe loader and checked against their kind's schema
(`ovk.model.conformance`); a file that does not conform is a DataError naming its first
finding, so commands can trust the shapes. Reading never goes through validation or its
cache: `ovk validate` is one more consumer of the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from ovk.errors import DataError, UsageError
from ovk.model.build import build
from ovk.model.conformance import load_checked
from ovk.model.entities import (
    ALL_DIVISIONS,
    Agreement,
    Division,
    FollowupReport,
    Malomraden,
    Uppdrag,
)
from ovk.model.layout import (
    AGREEMENTS,
    Member,
    YearMembers,
    agreement_file,
    schema_dir,
    year_dirs,
    year_members,
)
from ovk.model.spec import Entity

T = TypeVar("T", bound=Entity)


def number_key(number: str | None) -> tuple[int, ...]:
    """Sorts "2.1.10" after "2.1.9"; what has no number sorts last."""
    if not number:
        return (10**9,)
    return tuple(int(part) for part in number.rstrip(".").split("."))


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
    """The data of one agreement file that conforms to its schema, else a DataError."""
    return read_file(agreement_file(path, root), root)


def read_file(file: Member, root: Path) -> Any:
    """The data of one member of a year that conforms to its schema, else a DataError."""
    if file.kind is None:
        raise DataError(f"{file.display} is not part of the agreements layout")
    checked = load_checked(file, schema_dir(root))
    if not checked.conforms or checked.document is None:
        broken = [f for f in checked.findings if f.severity == "error"]
        where = broken[0] if broken else None
        location = f"{where.file}:{where.line}:{where.column}" if where else file.display
        raise DataError(f"{location} is not valid; run 'ovk validate' for details")
    return checked.document.data


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """One file of a year read: its entity, its data as read (for export) and its path."""

    entity: T
    data: dict[str, Any]
    file: str  # relative to the root


def read_member(cls: type[T], member: Member, root: Path) -> Loaded[T]:
    data = read_file(member, root)
    return Loaded(build(cls, data), data, member.display)


@dataclass(frozen=True)
class YearData:
    """Every file of one year folder, read, schema-checked and typed."""

    year: int
    agreement: Loaded[Agreement]
    malomraden: Loaded[Malomraden] | None  # None when the folder has no malomraden.yaml
    divisions: dict[str, Loaded[Division]]  # by file name (the code), in file-name order
    uppdrag: tuple[Loaded[Uppdrag], ...]  # in file-name order (the id)
    # The follow-up reports by their place: (occasion, division code) from the folder and
    # the file name, in the order of the year's occasions, then by code.
    reports: dict[tuple[str, str], Loaded[FollowupReport]] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        """The year's division codes, in the order overenskommelse.yaml lists them."""
        return self.agreement.entity.codes

    @property
    def names(self) -> dict[str, str]:
        return self.agreement.entity.names

    def expand(self, owners: tuple[str, ...]) -> tuple[str, ...]:
        """Owner codes with "alla verksamheter" replaced by every division of the year."""
        return expand_owners(owners, self.codes)


def expand_owners(owners: tuple[str, ...] | list[str], codes: tuple[str, ...]) -> tuple[str, ...]:
    """Owner codes with "alla verksamheter" replaced by every division of the year."""
    if ALL_DIVISIONS in owners:
        return codes
    return tuple(owners)


def read_year(root: Path, year: int) -> YearData:
    """Read every file of a year folder; a file that does not conform, or a layout problem
    (a link out of the repository, …), is a DataError."""
    members = year_members(root, root / AGREEMENTS / str(year))
    members.check()
    malomraden = members.one("malomraden")
    return YearData(
        year,
        read_member(Agreement, agreement_member(members), root),
        read_member(Malomraden, malomraden, root) if malomraden else None,
        {m.stem: read_member(Division, m, root) for m in members.of("division")},
        tuple(read_member(Uppdrag, m, root) for m in members.of("uppdrag")),
        {
            (m.occasion, m.stem): read_member(FollowupReport, m, root)
            for m in members.of("uppfoljning")
            if m.occasion is not None
        },
    )


def agreement_member(members: YearMembers) -> Member:
    found = members.one("overenskommelse")
    if found is None:
        raise DataError(f"{members.display}/overenskommelse.yaml is missing; run 'ovk validate'")
    return found
