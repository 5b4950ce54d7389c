"""What `ovk kolada fetch` and `ovk kolada diff` do: ask Kolada about a year's KPIs.

`fetch` asks Kolada about every KPI id the year's indicators name (`ovk.model.kolada`) for
the municipality of `overenskommelse.yaml`, for the periods the printed values are of and
the year and the two before it, and writes the year's snapshot (`agreements/<year>/
kolada.json`) atomically, sorted, only once every answer is in: offline or on any error the
snapshot stays as it was. `diff` asks again what Kolada revised since the snapshot was
fetched (`from_date`) and compares it with the snapshot: values changed, added or removed,
KPIs retitled or gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ovk.errors import DataError
from ovk.kolada import KoladaError
from ovk.model.entities import Agreement, Malomraden
from ovk.model.kolada import (
    ATTRIBUTION,
    Kpi,
    Snapshot,
    Value,
    kpi_ids,
    load_snapshot,
    printed_values,
    snapshot_file,
    snapshot_json,
)
from ovk.model.layout import AGREEMENTS, year_members
from ovk.model.read import agreement_member, read_member
from ovk.output.literal import literal
from ovk.output.swedish import sv_number
from ovk.yamlio.atomic import write_atomically

if TYPE_CHECKING:
    from ovk.kolada.client import Client, Key


def client() -> Client:
    """A client of the configured Kolada (`OVK_KOLADA_URL`, else the public API); a one-line
    error when httpx, the optional extra, is not installed."""
    try:
        from ovk.kolada.client import Client
    except ModuleNotFoundError as error:
        if error.name != "httpx":
            raise
        raise KoladaError(
            "ovk kolada needs httpx, which is not installed: pip install 'ovk[kolada]'"
        ) from None
    return Client()


# -- fetch ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """A snapshot written: where (relative to the root), and what it holds."""

    file: str
    snapshot: Snapshot

    def summary(self) -> str:
        """'wrote agreements/2024/kolada.json: 14 KPIs, 3 periods, 1 unknown (N99999)'."""
        snapshot = self.snapshot
        unknown = (
            f", {len(snapshot.unknown)} unknown ({', '.join(snapshot.unknown)})"
            if snapshot.unknown
            else ""
        )
        return (
            f"wrote {self.file}: {len(snapshot.kpis)} KPIs, "
            f"{len(snapshot.periods)} periods{unknown}"
        )


def fetch(root: Path, year: int, now: dt.datetime | None = None) -> Fetched:
    """Ask Kolada about the year's KPIs and write the year's snapshot."""
    agreement, malomraden = read_year(root, year)
    ids = kpi_ids(malomraden) if malomraden is not None else []
    if not ids:
        raise KoladaError(
            f"{AGREEMENTS}/{year}/malomraden.yaml names no Kolada KPI (an indicator's "
            "source.kolada); add the ids, or let 'ovk kolada link' propose them"
        )
    municipality = municipality_id(agreement, year)
    asked = {p.period for p in printed_values(malomraden)} if malomraden else set()
    periods = sorted(asked | {year - 2, year - 1, year})
    with client() as kolada:
        metadata = kolada.kpis(ids)
        values = kolada.values(sorted(metadata), municipality, periods) if metadata else None
        base, requests = kolada.base, tuple(kolada.requests)
    live = values.live if values is not None else {}
    snapshot = Snapshot(
        fetched=_stamp(now),
        base_url=base,
        municipality=municipality,
        periods=tuple(periods),
        requests=requests,
        kpis={kpi_id: replace(kpi, values=_of(live, kpi_id)) for kpi_id, kpi in metadata.items()},
        unknown=tuple(sorted(set(ids) - set(metadata))),
    )
    file = snapshot_file(year)
    write_atomically(root / file, snapshot_json(snapshot))
    return Fetched(file, snapshot)


def read_year(root: Path, year: int) -> tuple[Agreement, Malomraden | None]:
    members = year_members(root, root / AGREEMENTS / str(year))
    members.check()
    agreement = read_member(Agreement, agreement_member(members), root).entity
    found = members.one("malomraden")
    return agreement, read_member(Malomraden, found, root).entity if found else None


def municipality_id(agreement: Agreement, year: int) -> str:
    municipality = agreement.municipality
    if municipality is None or municipality.kolada_id is None:
        raise KoladaError(
            f"{AGREEMENTS}/{year}/overenskommelse.yaml names no Kolada id of the municipality: "
            'add municipality: {name: …, kolada_id: "0480"} (its four-digit id in Kolada)'
        )
    return municipality.kolada_id


def _of(live: Mapping[Key, Value], kpi_id: str) -> dict[int, dict[str, Value]]:
    values: dict[int, dict[str, Value]] = {}
    for (kpi, period, gender), value in live.items():
        if kpi == kpi_id:
            values.setdefault(period, {})[gender] = value
    return values


def _stamp(now: dt.datetime | None) -> str:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- diff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueRevision:
    """A value Kolada revised: `old` None when it is new, `new` None when Kolada removed it."""

    kpi: str
    period: int
    gender: str
    old: Value | None
    new: Value | None


@dataclass(frozen=True)
class KpiRevision:
    """A KPI Kolada retitled: `old` None when the snapshot's Kolada did not know it, `new`
    None when Kolada no longer does."""

    kpi: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Revisions:
    """What Kolada revised since a snapshot was fetched."""

    file: str
    since: str  # the snapshot's fetch date, YYYY-MM-DD (Kolada's from_date)
    kpis: tuple[KpiRevision, ...]
    values: tuple[ValueRevision, ...]

    def __bool__(self) -> bool:
        return bool(self.kpis or self.values)


def revisions(root: Path, year: int) -> Revisions:
    """Ask Kolada what it revised since the year's snapshot was fetched."""
    file = snapshot_file(year)
    try:
        snapshot = load_snapshot(root, year)
    except DataError as error:
        raise KoladaError(str(error)) from None
    if snapshot is None:
        raise KoladaError(f"{file} does not exist; run 'ovk kolada fetch --year {year}' first")
    try:
        since = dt.date.fromisoformat(snapshot.fetched[:10]).isoformat()
    except ValueError:
        raise KoladaError(f"{file}: fetched {snapshot.fetched!r} is no date") from None
    with client() as kolada:
        metadata = kolada.kpis([*snapshot.kpis, *snapshot.unknown])
        still = sorted(set(snapshot.kpis) & set(metadata))
        fresh = (
            kolada.values(still, snapshot.municipality, snapshot.periods, from_date=since)
            if still and snapshot.periods
            else None
        )
    kpis = [
        KpiRevision(kpi_id, old.title if old else None, new.title if new else None)
        for kpi_id in sorted({*snapshot.kpis, *metadata})
        for old, new in [(snapshot.kpis.get(kpi_id), metadata.get(kpi_id))]
        if (old.title if old else None) != (new.title if new else None)
    ]
    values: list[ValueRevision] = []
    if fresh is not None:
        for key, value in fresh.live.items():
            before = _value(snapshot.kpis, key)
            if before is None or (before.value, before.status) != (value.value, value.status):
                values.append(ValueRevision(*key, before, value))
        for key in fresh.deleted:
            before = _value(snapshot.kpis, key)
            if before is not None:
                values.append(ValueRevision(*key, before, None))
    values.sort(key=lambda r: (r.kpi, r.period, "TKM".index(r.gender)))
    return Revisions(file, since, tuple(kpis), tuple(values))


def _value(kpis: Mapping[str, Kpi], key: Key) -> Value | None:
    kpi = kpis.get(key[0])
    return kpi.value(key[1], key[2]) if kpi is not None else None


def report(found: Revisions) -> Iterator[str]:
    """The lines `ovk kolada diff` prints: one per revision, then the attribution."""
    count = len(found.kpis) + len(found.values)
    if not found:
        yield f"{found.file}: no revisions in Kolada since {found.since}"
    else:
        yield f"{found.file}: {count} revision(s) in Kolada since {found.since}:"
    for kpi in found.kpis:  # a KPI added (not known at the fetch), removed, or retitled
        what = "retitled" if kpi.old is not None and kpi.new is not None else "KPI"
        yield f"  {kpi.kpi}: {what} {_revised(_quoted(kpi.old), _quoted(kpi.new))}"
    for value in found.values:
        where = f"  {value.kpi} {value.period} {value.gender}:"
        yield f"{where} {_revised(_shown(value.old), _shown(value.new))}"
    yield ATTRIBUTION


def _revised(old: str | None, new: str | None) -> str:
    """One revision in words: 'added X', 'removed (was X)' or 'X → Y'."""
    if old is None:
        return f"added {new}"
    if new is None:
        return f"removed (was {old})"
    return f"{old} → {new}"


def _quoted(title: str | None) -> str | None:
    return None if title is None else f"'{literal(title)}'"


def _shown(value: Value | None) -> str | None:
    """A value as the diff shows it: a Swedish number, or no value and Kolada's status."""
    if value is None:
        return None
    if value.value is None:
        return f"no value ({literal(value.status)})" if value.status else "no value"
    number = sv_number(value.value, 0)
    return f"{number} ({literal(value.status)})" if value.status else number
