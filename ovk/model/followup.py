"""Follow-up (uppföljning): the occasions' dates, who reports what, and what ovk derives.

The one place for this knowledge: `ovk validate`, `ovk followup` and `ovk export` call it.

- The occasions' dates: the year's overenskommelse.yaml may give, per occasion, the date its
  reports describe (`as_of`) and their `deadline`; where it does not, `as_of` is the last day
  of the period the occasion follows up (30 April, 31 August, 31 December) and the deadline
  is not set (the source names none, and ovk does not invent one).
- Who reports what: at an occasion, a division reports every uppdrag whose `followup` names
  the occasion and that it leads, or, when the uppdrag has no lead, that it owns ("alla
  verksamheter" counts for every division); every goal shared to it (`delas_till` naming it
  or "alla verksamheter"); and every indicator of those goals.
- "Försenat" is never typed: an uppdrag is late when its due date (or the reported new due
  date) is before the report's `as_of` and its status is neither `klart` nor `avbrutet`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field

from ovk.model.build import walk
from ovk.model.entities import (
    ATTENTION,
    FOLLOWUP_OCCASIONS,
    Agreement,
    FollowupReport,
    Goal,
    GoalReport,
    Indicator,
    IndicatorReport,
    Malomraden,
    Uppdrag,
    UppdragReport,
)
from ovk.model.read import expand_owners, number_key

# The date each occasion's reports describe when the agreement gives none: the last day of
# the period it follows up (January-April, January-August, the whole year), as month, day.
DEFAULT_AS_OF = {"vår": (4, 30), "delår": (8, 31), "helår": (12, 31)}
# Statuses that end an uppdrag: such an uppdrag is never late.
ENDED = ("klart", "avbrutet")
# Statuses that depart from the plan (avvikelser): each needs a comment saying why.
DEVIATIONS = ("pågår med avvikelse", "avbrutet", "vilande")
# The one assessment that needs no analysis.
MET = "uppfyllt"
# The item kinds a report holds, as `ovk followup status` names them (the model's KINDs).
ITEM_KINDS = (Uppdrag.KIND, Goal.KIND, Indicator.KIND)


@dataclass(frozen=True)
class OccasionDates:
    """When an occasion falls: the date its reports describe and their deadline (or None)."""

    occasion: str
    as_of: dt.date
    deadline: dt.date | None


def occasion_dates(agreement: Agreement) -> dict[str, OccasionDates]:
    """Every occasion's dates in the agreement's year, in the order of the year: what
    overenskommelse.yaml gives (`uppfoljning`), else the defaults."""
    out = {}
    for occasion in FOLLOWUP_OCCASIONS:
        given = agreement.uppfoljning.get(occasion)
        default = dt.date(agreement.year, *DEFAULT_AS_OF[occasion])
        as_of = given.as_of if given is not None and given.as_of is not None else default
        deadline = given.deadline if given is not None else None
        out[occasion] = OccasionDates(occasion, as_of, deadline)
    return out


def earlier_occasions(occasion: str) -> tuple[str, ...]:
    """The occasions of the year before `occasion`, the nearest first (delår: vår)."""
    return tuple(reversed(FOLLOWUP_OCCASIONS[: FOLLOWUP_OCCASIONS.index(occasion)]))


def previous_occasion(occasion: str, reported: Container[str]) -> str | None:
    """The nearest occasion before `occasion` among those `reported` (where the division has
    a report), or None: what carry-over and the comparing rules look back to."""
    return next((o for o in earlier_occasions(occasion) if o in reported), None)


# --- who reports what ------------------------------------------------------------------------


def reports_uppdrag(uppdrag: Uppdrag, occasion: str, division: str, codes: tuple[str, ...]) -> bool:
    """Whether `division` reports `uppdrag` at `occasion`: the uppdrag is followed up then,
    and the division leads it (or owns it, when it has no lead)."""
    return occasion in uppdrag.followup and reports_on(uppdrag, division, codes)


def reports_on(uppdrag: Uppdrag, division: str, codes: tuple[str, ...]) -> bool:
    """Whether `division` is the one to report `uppdrag` (at any occasion it names)."""
    if uppdrag.lead is not None:
        return uppdrag.lead == division
    return division in expand_owners(uppdrag.owners, codes)


def shared_to(goal: Goal, division: str, codes: tuple[str, ...]) -> bool:
    """Whether `goal` is shared to `division` (its `delas_till` names it or every division)."""
    return division in expand_owners(goal.delas_till, codes)


def goals(malomraden: Malomraden | None) -> list[Goal]:
    """The year's goals in number order."""
    if malomraden is None:
        return []
    found = [g for _, g in walk(malomraden, only=(Goal,)) if isinstance(g, Goal)]
    return sorted(found, key=lambda g: number_key(g.number))


def indicators(goal: Goal) -> list[Indicator]:
    """A goal's indicators in the order of its tables and rows."""
    return [row for table in goal.nyckeltal for row in table.rows]


@dataclass(frozen=True)
class Required:
    """What one division reports at one occasion, each kind in number order."""

    uppdrag: tuple[Uppdrag, ...]
    goals: tuple[Goal, ...]
    indicators: tuple[tuple[Goal, Indicator], ...]  # with the goal each belongs to

    def ids(self, kind: str) -> tuple[str, ...]:
        """The ids of one kind of item ("uppdrag", "goal" or "indicator"), in order."""
        if kind == Uppdrag.KIND:
            return tuple(u.id for u in self.uppdrag)
        if kind == Goal.KIND:
            return tuple(g.id for g in self.goals)
        return tuple(i.id for _, i in self.indicators)

    def __bool__(self) -> bool:
        return bool(self.uppdrag or self.goals or self.indicators)


@dataclass(frozen=True)
class YearItems:
    """What a year's divisions report on, read once: its uppdrag and goals in number order
    (the goals' indicators with them), for asking who reports what, report after report."""

    codes: tuple[str, ...]
    uppdrag: tuple[Uppdrag, ...]
    goals: tuple[Goal, ...]
    _shared_by_division: dict[str, tuple[tuple[Goal, ...], tuple[tuple[Goal, Indicator], ...]]] = (
        field(default_factory=dict, init=False, repr=False, compare=False)
    )

    @classmethod
    def of(
        cls, codes: tuple[str, ...], uppdrag: Iterable[Uppdrag], malomraden: Malomraden | None
    ) -> YearItems:
        ordered = sorted(uppdrag, key=lambda u: (number_key(u.number), u.id))
        return cls(codes, tuple(ordered), tuple(goals(malomraden)))

    def required(self, occasion: str, division: str) -> Required:
        """What `division` reports at `occasion`, by the rule of the follow-up contract."""
        shared, rows = self._shared(division)
        return Required(
            tuple(u for u in self.uppdrag if reports_uppdrag(u, occasion, division, self.codes)),
            shared,
            rows,
        )

    def shared(self, division: str) -> tuple[Goal, ...]:
        """The goals shared to `division`, in number order."""
        return self._shared(division)[0]

    def _shared(self, division: str) -> tuple[tuple[Goal, ...], tuple[tuple[Goal, Indicator], ...]]:
        """The goals shared to `division` and their indicators: the same at every occasion,
        so found once a division (`ovk validate` asks for each report of the year)."""
        known = self._shared_by_division.get(division)
        if known is None:
            shared = tuple(g for g in self.goals if shared_to(g, division, self.codes))
            rows = tuple((g, i) for g in shared for i in indicators(g))
            known = self._shared_by_division[division] = (shared, rows)
        return known


def required(
    codes: tuple[str, ...],
    uppdrag: Iterable[Uppdrag],
    malomraden: Malomraden | None,
    occasion: str,
    division: str,
) -> Required:
    """What `division` reports at `occasion`, by the rule of the follow-up contract."""
    return YearItems.of(codes, uppdrag, malomraden).required(occasion, division)


# --- what ovk derives ------------------------------------------------------------------------


def due_date(uppdrag: Uppdrag, entry: UppdragReport | None) -> dt.date | None:
    """The date an uppdrag is due by as reported: the new due date when one is given."""
    if entry is not None and entry.new_due is not None:
        return entry.new_due
    return uppdrag.due


def is_late(uppdrag: Uppdrag, entry: UppdragReport | None, as_of: dt.date) -> bool:
    """Försenat: due (or newly due) before `as_of`, and neither klart nor avbrutet."""
    if entry is not None and entry.status in ENDED:
        return False
    due = due_date(uppdrag, entry)
    return due is not None and due < as_of


@dataclass(frozen=True)
class LatestStatus:
    """An uppdrag's latest reported status: per reporting division the status of the latest
    occasion whose report holds one, and, across them, the one most in need of attention."""

    status: str | None  # None when no division has reported a status
    occasion: str | None  # the occasion the status is from
    late: bool  # any division's latest report finds it late (`is_late` on its as_of)
    statuses: dict[str, str]  # division → its latest status, in the order of `codes`
    occasions: dict[str, str]  # division → the occasion of that status


def latest_status(
    uppdrag: Uppdrag,
    reports: Mapping[tuple[str, str], FollowupReport],
    codes: tuple[str, ...],
) -> LatestStatus:
    """The latest status reported for `uppdrag` by the divisions that report it, from
    `reports` by (occasion, division); several divisions' statuses are put together by
    ATTENTION (the first wins), and "late" holds when any division's latest report is late."""
    statuses: dict[str, str] = {}
    occasions: dict[str, str] = {}
    late = False
    for code in codes:
        if not reports_on(uppdrag, code, codes):
            continue
        for occasion in reversed(FOLLOWUP_OCCASIONS):
            report = reports.get((occasion, code))
            entry = report.uppdrag.get(uppdrag.id) if report is not None else None
            if report is None or entry is None or entry.status is None:
                continue
            statuses[code], occasions[code] = entry.status, occasion
            late = late or is_late(uppdrag, entry, report.as_of)
            break
    if not statuses:
        return LatestStatus(None, None, False, {}, {})
    first = min(statuses, key=lambda c: ATTENTION.index(statuses[c]))
    return LatestStatus(statuses[first], occasions[first], late, statuses, occasions)


def regression(before: str | None, after: str | None) -> bool:
    """Whether a status change between two occasions is a step back (bakåtsteg): from klart
    to anything else, or from a status on plan into a deviation (from no status into one is
    a new deviation, not a step back)."""
    if before is None or before == after or after is None:
        return False
    return before == "klart" or (after in DEVIATIONS and before not in DEVIATIONS)


Entry = UppdragReport | GoalReport | IndicatorReport


def filled_in(entry: Entry | None) -> bool:
    """Whether an item of a report is filled in: an uppdrag's status, a goal's assessment,
    an indicator's outcome (or, where there is none yet, a comment saying why)."""
    if isinstance(entry, UppdragReport):
        return entry.status is not None
    if isinstance(entry, GoalReport):
        return entry.assessment is not None
    if isinstance(entry, IndicatorReport):
        return entry.value is not None or bool(entry.comment and entry.comment.strip())
    return False


def entries(report: FollowupReport, kind: str) -> Mapping[str, Entry]:
    """A report's items of one kind ("uppdrag", "goal" or "indicator") by id."""
    if kind == Uppdrag.KIND:
        return report.uppdrag
    if kind == Goal.KIND:
        return report.goals
    return report.indicators


def missing(need: Required, report: FollowupReport | None) -> list[tuple[str, str]]:
    """The required items (kind, id) that `report` has not filled in, in order."""
    out = []
    for kind in ITEM_KINDS:
        have = entries(report, kind) if report is not None else {}
        out += [(kind, i) for i in need.ids(kind) if not filled_in(have.get(i))]
    return out


@dataclass(frozen=True)
class Tally:
    """How far a report has come: per item kind what is required and what is filled in, and
    the required items not yet filled in."""

    required: dict[str, int]
    filled: dict[str, int]
    missing: list[tuple[str, str]]


def tally(need: Required, report: FollowupReport | None) -> Tally:
    """`need` counted against `report` (None: no report, nothing filled in)."""
    gaps = missing(need, report)
    required = {kind: len(need.ids(kind)) for kind in ITEM_KINDS}
    filled = {kind: required[kind] - sum(1 for k, _ in gaps if k == kind) for kind in ITEM_KINDS}
    return Tally(required, filled, gaps)


def has_text(text: str | None) -> bool:
    return bool(text and text.strip())
