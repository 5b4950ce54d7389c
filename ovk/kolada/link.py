"""What `ovk kolada link` proposes: Kolada ids for the indicators the source left unlinked.

The 2026 agreement prints no Kolada ids, but its indicator titles are Kolada's titles word for
word. For each indicator that names no KPI (`ovk.model.kolada.unlinked`), the KPI of Kolada's
catalogue whose title is the indicator's under `normalised_title` is proposed: exactly one such
KPI is a proposal, several are ambiguous (listed, never linked), none is nothing. Never a guess
where the match is not exact.

A row whose values the source printed without their years and that were put in columns as a
guess (`placed_as_a_guess`) gets a year for each value only when Kolada's value of the
proposed KPI for the municipality agrees with the printed number (`agrees`, at the printed
precision) in exactly one of the table's years, each value in its own year; otherwise the
values stay where they stand and the list says why.

The proposals are a `Link` each; `ovk.tools.link` writes them (`--write`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ovk.kolada import KoladaError
from ovk.kolada.online import client, municipality_id, read_year
from ovk.model.kolada import (
    ATTRIBUTION,
    Kpi,
    Link,
    Unlinked,
    Value,
    agrees,
    decimals,
    normalised_title,
    number,
    placed_as_a_guess,
    unlinked,
)
from ovk.model.layout import AGREEMENTS, year_members
from ovk.output.literal import literal
from ovk.output.swedish import sv_number
from ovk.yamlio.loader import load_text

LINKED = "Kolada id {kpi} linked by ovk kolada link: exact title match."
MOVED = "Value {text} moved from {old} to {new} by ovk kolada link: Kolada's {new} value equals it."
KEPT = "Value {text} kept in {new} by ovk kolada link: Kolada's {new} value equals it."


@dataclass(frozen=True)
class Proposal:
    """One indicator to link: where its title stands, the KPI, and the year of each guessed
    value Kolada confirms (column key → year; empty when none was asked or found)."""

    file: str
    line: int
    title: str
    kpi: str
    years: Mapping[str, int]
    texts: Mapping[str, str]  # column key → the cell as printed
    link: Link


@dataclass
class Linking:
    """What `ovk kolada link` found for a year: the proposals, then the doubts (a title of
    several KPIs, a guessed value no single year of Kolada agrees with), as lines."""

    file: str
    unlinked: int
    proposals: list[Proposal] = field(default_factory=list)
    doubts: list[tuple[int, str]] = field(default_factory=list)  # (line, the line shown)
    asked: bool = False  # whether Kolada was asked (its data is shown: the attribution)


def propose(root: Path, year: int) -> Linking:
    """Ask Kolada's catalogue (and, for guessed values, its values) about the year's
    indicators that name no KPI."""
    agreement, malomraden = read_year(root, year)
    member = year_members(root, root / AGREEMENTS / str(year)).one("malomraden")
    if malomraden is None or member is None:
        raise KoladaError(f"{AGREEMENTS}/{year}/malomraden.yaml is missing: nothing to link")
    rows = list(unlinked(malomraden))
    result = Linking(member.display, len(rows))
    if not rows:
        return result
    document = load_text(member.path.read_text(encoding="utf-8-sig"), member.display).document
    assert document is not None  # it was read and built above

    def line(row: Unlinked) -> int:
        return document.locate((*row.path, "title"))[0]

    with client() as kolada:
        titled = _by_title(kolada.catalogue())
        result.asked = True
        matched: list[tuple[Unlinked, str]] = []
        for row in rows:
            found = titled.get(normalised_title(row.indicator.title), [])
            if len(found) > 1:
                ids = ", ".join(kpi.id for kpi in found)
                said = (
                    f"{literal(row.indicator.title)}: ambiguous, {len(found)} KPIs of Kolada "
                    f"have this title ({ids}); not linked"
                )
                result.doubts.append((line(row), f"{member.display}:{line(row)}: {said}"))
            elif found:
                matched.append((row, found[0].id))
        guessed = [(row, kpi) for row, kpi in matched if placed_as_a_guess(row.indicator)]
        live: Mapping[tuple[str, int, str], Value] = {}
        if guessed:
            municipality = municipality_id(agreement, year)
            kpis = sorted({kpi for _, kpi in guessed})
            periods = sorted({y for row, _ in guessed for y in row.years})
            if periods:
                live = kolada.values(kpis, municipality, periods).live
    for row, kpi in matched:
        years: dict[str, int] = {}
        if placed_as_a_guess(row.indicator):
            placed, doubt = _placed(row, kpi, live)
            if doubt is not None:
                result.doubts.append((line(row), f"{member.display}:{line(row)}: {doubt}"))
            years = placed
        result.proposals.append(_proposal(member.display, line(row), row, kpi, years))
    result.doubts.sort()
    return result


def _by_title(catalogue: list[Kpi]) -> dict[str, list[Kpi]]:
    titled: dict[str, list[Kpi]] = {}
    for kpi in catalogue:
        titled.setdefault(normalised_title(kpi.title), []).append(kpi)
    return titled


def _placed(
    row: Unlinked, kpi: str, live: Mapping[tuple[str, int, str], Value]
) -> tuple[dict[str, int], str | None]:
    """The year of each of the row's values that Kolada's values of `kpi` (all, T) confirm,
    or no years and the doubt in words."""
    title = literal(row.indicator.title)
    values = row.indicator.values
    placed: dict[str, int] = {}
    if not row.years:
        return {}, f"{title}: its table has no year columns; no year proposed"
    for key, text in values.items():
        if not key.isdigit() or number(text) is None:
            return {}, f"{title}: {shown(text)} in {key} is no number of a year; left as it is"
        agreeing = [
            year
            for year in row.years
            if (value := live.get((kpi, year, "T"))) is not None
            and value.value is not None
            and agrees(text, value.value)
        ]
        if len(agreeing) != 1:
            which = (
                f"several years ({', '.join(map(str, agreeing))})"
                if agreeing
                else f"no year ({row.years[0]}–{row.years[-1]})"
            )
            return {}, (
                f"{title}: {shown(text)} agrees with {which} of {kpi} in Kolada; "
                f"left in {key}, no year proposed"
            )
        placed[key] = agreeing[0]
    if len(set(placed.values())) != len(placed):
        return {}, f"{title}: two values agree with the same year of {kpi}; no year proposed"
    return placed, None


def _proposal(file: str, line: int, row: Unlinked, kpi: str, years: Mapping[str, int]) -> Proposal:
    texts = dict(row.indicator.values)
    notes = [LINKED.format(kpi=kpi)]
    for key, year in years.items():
        said = MOVED if key != str(year) else KEPT
        notes.append(said.format(text=texts[key], old=key, new=year))
    moves = {key: str(year) for key, year in years.items() if key != str(year)}
    link = Link(row.path, kpi, moves, " ".join(notes), row.columns)
    return Proposal(file, line, row.indicator.title, kpi, dict(years), texts, link)


def shown(text: str) -> str:
    """A printed cell as the list shows it: a Swedish number with its unit ('60,4 %')."""
    value = number(text)
    if value is None:
        return f"'{literal(text)}'"
    unit = text.strip()
    suffix = " %" if unit.endswith("%") else " kr" if unit.endswith("kr") else ""
    places = decimals(text)
    return sv_number(round(value) if places == 0 else value, places) + suffix


def report(found: Linking, written: str | None = None) -> Iterator[str]:
    """The lines `ovk kolada link` prints: one per proposal, the doubts, what was written,
    then the attribution."""
    if not found.unlinked:
        yield f"{found.file}: every indicator names a Kolada id; nothing to link"
        return
    for proposal in found.proposals:
        years = "".join(
            f", {shown(proposal.texts[key])} = {year}" for key, year in proposal.years.items()
        )
        yield f"{proposal.file}:{proposal.line}: {literal(proposal.title)} → {proposal.kpi}{years}"
    yield from (shown for _, shown in found.doubts)
    if not found.proposals:
        yield (
            f"{found.file}: no title of the {found.unlinked} indicator(s) without a Kolada id "
            "is exactly one KPI's title in Kolada; nothing to link"
        )
    elif written is not None:
        yield f"wrote {written}: {len(found.proposals)} indicator(s) linked"
    else:
        yield f"{len(found.proposals)} proposal(s); write them with --write"
    if found.asked:
        yield ATTRIBUTION
