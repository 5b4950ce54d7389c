"""`ovk diff`: what changed between two agreement years, entity by entity.

A year is read into a forest of entities (the agreement and its sections, målområden, goals
with their indicators, grundverksamhet, each division with its grunduppdrag, ersättning and
samråd, each särskilt uppdrag). Two forests are matched top-down by stable identity (`id`,
division `code`); across different years what is left is matched by title similarity, since
an entity's id was made from its title when first written. Matched entities are compared
field by field; what has no partner is added or removed (its children with it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from ovk.diff import revisions
from ovk.diff.forest import Entity, Members, Text, Value, Values, year_forest
from ovk.errors import DataError, UsageError
from ovk.model.entities import NUMBER_PATTERN, SAMRAD_SECTION, FollowupReport, ended_before
from ovk.model.layout import AGREEMENTS
from ovk.model.read import available_years, number_key, read_year

SIMILAR = 0.6  # title similarity from which two entities of different years are the same one
CONTEXT_WORDS = 6  # unchanged words kept on each side of a change in a long text
PARAGRAPH_SIMILAR = 0.5  # word similarity from which a rewritten paragraph is shown word by word
MAX_PAIRINGS = 2500  # paragraph pairs compared in one replaced run before giving up on pairing

# Which `--only` category each entity kind belongs to.
CATEGORIES = {
    "agreement": "agreement",
    "section": "agreement",
    "malomraden": "goals",
    "table": "goals",
    "malomrade": "goals",
    "verksamhetsomrade": "goals",
    "goal": "goals",
    "indicator": "goals",
    "grundverksamhet": "grunduppdrag",
    "division": "grunduppdrag",
    "grunduppdrag": "grunduppdrag",
    "area": "grunduppdrag",
    "ersattning": "ekonomi",
    "ersattning-row": "ekonomi",
    "samrad": "ekonomi",
    "uppdrag": "uppdrag",
    "year": "agreement",
    "occasion": "agreement",
    "uppfoljning": "uppfoljning",
    "uppdrag-status": "uppfoljning",
    "goal-assessment": "uppfoljning",
    "indicator-outcome": "uppfoljning",
}
YEAR_BOUND = FollowupReport.KIND  # compared between revisions of one year only
ONLY_CHOICES = ("uppdrag", "goals", "grunduppdrag", "ekonomi", "agreement", "uppfoljning")


Rank = tuple[tuple[int, ...], str]  # how entries are ordered: by number, then title
UNRANKED: Rank = (number_key(None), "")


@dataclass(frozen=True)
class Change:
    """One difference: an entity added, removed or ended, or one field of a matched entity
    changed, or a matched entity whose source lacks it on one side."""

    # added | removed | ended (removed, its due date in the old year) | changed | renamed |
    # renumbered | missing (one side's source lacks it: its contents are not compared)
    change: str
    kind: str
    id: str  # path of ids from the top entity: "KLK/ekonomiavdelningen/redovisningsprocessen"
    label: str
    divisions: tuple[str, ...]
    file: str
    field: str | None = None
    old: Value = None  # a removed entity's amount (an ersättning row), else its field's value
    new: Value = None
    matched: str | None = None  # "id", or "title 87%" when matched by similarity
    old_id: str | None = None  # the old side's id path when it differs
    unit: str | None = None
    summary: str | None = None  # an added or removed entity in brief (owners, due date)
    prop: str | None = None  # the model property `field` belongs to (an indicator's values)
    bookkeeping: bool = False  # a transcriber's bookkeeping (the model's "same-year" fields)
    every: bool = False  # it concerns every division of its year
    lead: str | None = None  # the division that leads it
    due: dt.date | None = None  # an added, removed or ended entity's due date
    similarity: int | None = None  # percent, when matched by title
    missing_year: int | None = None  # the year whose source lacks the entity ("missing")
    rank: Rank = UNRANKED  # its top entity's number and title

    @property
    def category(self) -> str:
        return CATEGORIES[self.kind]


@dataclass(frozen=True)
class Label:
    """One side of a comparison: a year, a revision, or a year at a revision."""

    year: int | None
    revision: str | None = None  # "main (3f2a9c1)"

    def __str__(self) -> str:
        if self.revision is None:
            return str(self.year)
        return self.revision if self.year is None else f"{self.year} at {self.revision}"


@dataclass(frozen=True)
class Comparison:
    old: Label
    new: Label
    changes: tuple[Change, ...]
    division_names: dict[str, str]
    division: str | None = None  # the one division the changes were narrowed to, if any

    @property
    def old_label(self) -> str:
        return str(self.old)

    @property
    def new_label(self) -> str:
        return str(self.new)


# --- what is compared: years of the working tree, revisions, or a year at a revision -------

YEAR = re.compile(r"^[0-9]{4}$")
NUMBER = re.compile(NUMBER_PATTERN)


@dataclass(frozen=True)
class Side:
    root: Path
    year: int | None  # None: every year of the revision
    label: Label
    must_exist: bool  # a year of the working tree must exist; at a revision it may be new


def diff(root: Path, old_spec: str, new_spec: str) -> Comparison:
    """Compare OLD with NEW: two years, two git revisions, or REV:YEAR with a year."""
    with ExitStack() as stack:
        old, new = _side(root, old_spec, stack), _side(root, new_spec, stack)
        if (old.year is None) != (new.year is None):
            raise UsageError(
                f"cannot compare {old_spec!r} with {new_spec!r}: compare two years, two "
                "revisions, or REV:YEAR with a year (e.g. origin/main:2026 2026)"
            )
        if old.year is not None and new.year is not None:
            pairs = [(old.year, new.year)]
        else:
            years = sorted({*available_years(old.root), *available_years(new.root)})
            pairs = [(y, y) for y in years]
        changes: list[Change] = []
        names: dict[str, str] = {}
        for old_year, new_year in pairs:
            changes.extend(_compare_years(old, old_year, new, new_year, names))
        return Comparison(old.label, new.label, tuple(changes), names)


def _compare_years(
    old: Side, old_year: int, new: Side, new_year: int, names: dict[str, str]
) -> list[Change]:
    have_old = old_year in available_years(old.root)
    have_new = new_year in available_years(new.root)
    for side, year, have in ((old, old_year, have_old), (new, new_year, have_new)):
        # a year may be new or gone at a revision; a year of the tree, or two different
        # years, must be there
        if not have and (side.must_exist or old_year != new_year):
            years = ", ".join(map(str, available_years(side.root))) or "none"
            raise UsageError(f"no agreement for {year} in {side.label} (years: {years})")
    if not have_old and not have_new:
        raise UsageError(f"no agreement for {new_year} in {old.label} or {new.label}")
    if not (have_old and have_new):
        change, year = ("added", new_year) if have_new else ("removed", old_year)
        path = f"{AGREEMENTS}/{year}"
        return [Change(change, "year", str(year), f"Överenskommelsen {year}", (), path)]
    before, old_names = year_entities(old.root, old_year)
    after, new_names = year_entities(new.root, new_year)
    names.update(old_names)
    names.update(new_names)
    if old_year == new_year:
        return compare(before, after, fuzzy=False)
    # A follow-up report speaks of its own year (a new year starts without any): two years'
    # reports are not compared, and one year's are neither added nor removed by the other.
    before, after = ([e for e in side if e.kind != YEAR_BOUND] for side in (before, after))
    found = compare(before, after, True, (old_year, new_year))
    shared = _find(after, "section", SAMRAD_SECTION)
    return [_moved_samrad(_ended(c, new_year), shared, new_year) for c in found]


def _find(forest: list[Entity], kind: str, ident: str) -> Entity | None:
    for entity in forest:
        if entity.kind == kind and entity.id == ident:
            return entity
        found = _find(entity.children, kind, ident)
        if found is not None:
            return found
    return None


def _moved_samrad(change: Change, shared: Entity | None, new_year: int) -> Change:
    """A division's own samråd gone where the new year's agreement has the shared one (which
    the bilaga then shows): said so, as the reader of the bilaga will find it."""
    if change.change != "removed" or change.kind != "samrad" or shared is None:
        return change
    where = f"{new_year} gäller i stället överenskommelsens avsnitt ”{shared.title}”"
    return dataclasses.replace(change, summary=where)


def _ended(change: Change, new_year: int) -> Change:
    """A removed entity that was due before the new year started had ended by then."""
    if change.change == "removed" and ended_before(change.due, new_year):
        return dataclasses.replace(change, change="ended")
    return change


def _side(root: Path, spec: str, stack: ExitStack) -> Side:
    if YEAR.match(spec) and (root / AGREEMENTS / spec).is_dir():
        return Side(root, int(spec), Label(int(spec)), must_exist=True)
    years = ", ".join(map(str, available_years(root))) or "none"
    rev, colon, year = spec.rpartition(":")
    try:
        at_year = bool(colon and YEAR.match(year) and revisions.is_revision(root, rev))
        whole = not at_year and revisions.is_revision(root, spec)
    except revisions.GitError as error:  # git's own words, not "no such revision"
        raise UsageError(
            f"{spec!r} is not a year (years: {years}), and git cannot read revisions: {error}"
        ) from None
    if at_year:
        label = Label(int(year), revisions.describe(root, rev))
        return Side(_exported(root, rev, stack), int(year), label, False)
    if whole:
        label = Label(None, revisions.describe(root, spec))
        return Side(_exported(root, spec, stack), None, label, False)
    hint = " (this clone is shallow: its history ends early)" if revisions.shallow(root) else ""
    raise UsageError(f"{spec!r} is neither a year (years: {years}) nor a git revision{hint}")


def _exported(root: Path, rev: str, stack: ExitStack) -> Path:
    folder = Path(stack.enter_context(revisions.temporary_root()))
    return revisions.export(root, rev, folder)


# --- reading a year into entities ----------------------------------------------------------


def year_entities(root: Path, year: int) -> tuple[list[Entity], dict[str, str]]:
    """The forest of one year folder, and the year's division names by code."""
    data = read_year(root, year)
    if data.malomraden is None:
        shown = f"{AGREEMENTS}/{year}/malomraden.yaml"
        raise DataError(f"{shown} is missing; run 'ovk validate' for details")
    return year_forest(data), data.names


# --- matching and comparing ----------------------------------------------------------------


def compare(
    old: list[Entity], new: list[Entity], fuzzy: bool, years: tuple[int, int] | None = None
) -> list[Change]:
    """Every change between two forests; `fuzzy` also matches by title (different years,
    `years` old and new: then what one side's source lacks is said so, not compared)."""
    walk = _Walk(fuzzy, years, [])
    walk.siblings(old, new, "", "", None)
    return walk.out


@dataclass
class _Walk:
    fuzzy: bool
    years: tuple[int, int] | None
    out: list[Change]

    def siblings(
        self,
        old: list[Entity],
        new: list[Entity],
        old_path: str,
        new_path: str,
        rank: Rank | None,
    ) -> None:
        for a, b, how in _match(old, new, self.fuzzy):
            entity = b if b is not None else a
            assert entity is not None
            top = rank or _rank(entity)
            if a is None:
                assert b is not None
                self.out.append(_whole("added", b, new_path + b.id, top))
            elif b is None:
                self.out.append(_whole("removed", a, old_path + a.id, top))
            else:
                self.pair(a, b, old_path + a.id, new_path + b.id, how, top)

    def pair(self, a: Entity, b: Entity, a_path: str, b_path: str, how: str, rank: Rank) -> None:
        lacking: Entity | None = None
        if self.years is not None and a.missing_in_source != b.missing_in_source:
            lacking = a if a.missing_in_source else b
            self.out.append(
                Change(
                    "missing",
                    b.kind,
                    b_path,
                    b.label,
                    b.divisions or a.divisions,
                    b.file,
                    every=b.every,
                    lead=b.lead,
                    missing_year=self.years[0] if lacking is a else self.years[1],
                    rank=rank,
                )
            )
        self.out.extend(_field_changes(a, b, a_path, b_path, how, self.fuzzy, rank, lacking))
        if lacking is None:  # what a source lacks is unknown, neither removed nor added
            self.siblings(a.children, b.children, a_path + "/", b_path + "/", rank)


def _rank(entity: Entity) -> Rank:
    """By number (natural order: 4.2.1 before 6.1.3), then title; a number that is not one
    (in data not yet validated) sorts with what has none."""
    number = entity.number if entity.number and NUMBER.match(entity.number) else None
    return number_key(number), _normal(entity.title)


def _match(
    old: list[Entity], new: list[Entity], fuzzy: bool
) -> list[tuple[Entity | None, Entity | None, str]]:
    """Pairs in the new side's order, removed ones after; by id first, then by title."""
    by_key = dict(zip(_keys(old), old, strict=True))
    partner: dict[int, tuple[Entity, str]] = {}
    for key, b in zip(_keys(new), new, strict=True):
        a = by_key.get(key)
        if a is not None:
            partner[id(b)] = (a, "id")
    if fuzzy:
        taken = {id(a) for a, _ in partner.values()}
        left_old = [a for a in old if id(a) not in taken]
        left_new = [b for b in new if id(b) not in partner]
        for a, b, ratio in _similar_pairs(left_old, left_new):
            partner[id(b)] = (a, f"title {round(ratio * 100)}%")
    pairs: list[tuple[Entity | None, Entity | None, str]] = []
    for b in new:
        if id(b) in partner:
            a, how = partner[id(b)]
            pairs.append((a, b, how))
        else:
            pairs.append((None, b, ""))
    matched_old = {id(a) for a, _ in partner.values()}
    pairs.extend((a, None, "") for a in old if id(a) not in matched_old)
    return pairs


def _keys(entities: list[Entity]) -> Iterator[tuple[str, str, int]]:
    """(kind, id, n): the n-th sibling with that id, so a repeated id still pairs one to one."""
    seen: dict[tuple[str, str], int] = {}
    for e in entities:
        n = seen[(e.kind, e.id)] = seen.get((e.kind, e.id), 0) + 1
        yield e.kind, e.id, n


def _similar_pairs(old: list[Entity], new: list[Entity]) -> list[tuple[Entity, Entity, float]]:
    """Greedy best-first pairs of the same kind whose titles are at least SIMILAR alike."""
    candidates = []
    for a in old:
        for b in new:
            old_title, new_title = _normal(a.title), _normal(b.title)
            if a.kind != b.kind or not old_title or not new_title:
                continue
            matcher = difflib.SequenceMatcher(None, old_title, new_title, autojunk=False)
            if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                ratio = matcher.ratio()
                if ratio >= SIMILAR:
                    candidates.append((ratio, a, b))
    candidates.sort(key=lambda c: -c[0])
    used: set[int] = set()
    pairs = []
    for ratio, a, b in candidates:
        if id(a) not in used and id(b) not in used:
            used.update((id(a), id(b)))
            pairs.append((a, b, ratio))
    return pairs


def _normal(title: str | None) -> str:
    return re.sub(r"[\W_]+", " ", (title or "").casefold()).strip()


def _whole(change: str, entity: Entity, path: str, rank: Rank) -> Change:
    return Change(
        change,
        entity.kind,
        path,
        entity.label,
        entity.divisions,
        entity.file,
        old=entity.amount if change == "removed" else None,
        new=entity.amount if change == "added" else None,
        unit=entity.unit,
        summary=entity.summary,
        every=entity.every,
        lead=entity.lead,
        due=entity.due,
        rank=rank,
    )


RENAMING = {"title": "renamed", "heading": "renamed", "number": "renumbered"}


def _field_changes(
    a: Entity,
    b: Entity,
    a_path: str,
    b_path: str,
    how: str,
    fuzzy: bool,
    rank: Rank,
    lacking: Entity | None = None,
) -> Iterator[Change]:
    bookkeeping = a.same_year | b.same_year
    skip = set(bookkeeping if fuzzy else ())
    if lacking is not None:  # what the source lacks is not shown as emptied or filled in
        other = b if lacking is a else a
        skip |= {name for name in other.fields if _empty(lacking.fields.get(name))}
    similarity = int(how.removeprefix("title ").rstrip("%")) if how.startswith("title ") else None
    for name, prop, old, new in _changed_fields(a.fields, b.fields, skip):
        change = "changed"
        if name in RENAMING and b.named and not _empty(old) and not _empty(new):
            change = RENAMING[name]
        yield Change(
            change,
            b.kind,
            b_path,
            b.label,
            b.divisions or a.divisions,
            b.file,
            name,
            old,
            new,
            how,
            a_path if a_path != b_path else None,
            b.unit,
            prop=prop,
            bookkeeping=name in bookkeeping,
            every=b.every if b.divisions else a.every,
            lead=b.lead or a.lead,
            similarity=similarity,
            rank=rank,
        )


def _empty(value: Value) -> bool:
    return value is None or value == "" or value in (Text(()), Members(()), Values(()))


def _changed_fields(
    old: dict[str, Value], new: dict[str, Value], skip: set[str]
) -> Iterator[tuple[str, str, Value, Value]]:
    """(field, property, old, new) for each field that differs; indicator values column by
    column (the field is the column's label) when the two tables share columns, else as a
    whole (2024's Nuvärde/Jämförvärde columns against 2026's Utfall per year)."""
    for name in dict.fromkeys([*new, *old]):
        before, after = old.get(name), new.get(name)
        if before == after or name in skip or (_empty(before) and _empty(after)):
            continue  # (an empty list and an absent one are the same)
        if isinstance(before, Values) and isinstance(after, Values):
            cells_before, cells_after = dict(before.cells), dict(after.cells)
            if cells_before.keys() & cells_after.keys():
                for label in dict.fromkeys([*cells_after, *cells_before]):
                    if cells_before.get(label) != cells_after.get(label):
                        yield label, name, cells_before.get(label), cells_after.get(label)
                continue
        yield name, name, before, after


# --- narrowing -----------------------------------------------------------------------------


def narrow(changes: Iterable[Change], only: str | None, division: str | None) -> list[Change]:
    """The changes of one category and/or touching one division."""
    return [
        c
        for c in changes
        if (only is None or c.category == only) and (division is None or division in c.divisions)
    ]


# --- showing text changes ------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A run of words in a text change: kept ("equal"), "delete"d or "insert"ed."""

    op: str
    text: str


def text_changes(old: Text | None, new: Text | None) -> list[list[Piece]]:
    """Changed paragraphs, each as word pieces; unchanged paragraphs are left out and long
    unchanged runs inside a changed paragraph are cut to a few words of context."""
    a = old.paragraphs if old else ()
    b = new.paragraphs if new else ()
    out: list[list[Piece]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "delete":
            out.extend([Piece("delete", p)] for p in a[i1:i2])
        elif op == "insert":
            out.extend([Piece("insert", p)] for p in b[j1:j2])
        else:
            for before, after in _pair_paragraphs(a[i1:i2], b[j1:j2]):
                if before is None:
                    out.append([Piece("insert", after or "")])
                elif after is None:
                    out.append([Piece("delete", before)])
                else:
                    out.append(word_changes(before, after))
    return out


def _pair_paragraphs(
    old: tuple[str, ...], new: tuple[str, ...]
) -> list[tuple[str | None, str | None]]:
    """Old and new paragraphs of a replaced run paired with their most similar partner in
    order (as difflib's ndiff does), so an edited paragraph shows word by word and a
    rewritten one as deleted and inserted."""
    best, at = PARAGRAPH_SIMILAR, None
    if len(old) * len(new) <= MAX_PAIRINGS:
        for i, before in enumerate(old):
            for j, after in enumerate(new):
                matcher = difflib.SequenceMatcher(
                    None, before.split(), after.split(), autojunk=False
                )
                if (
                    matcher.real_quick_ratio() > best
                    and matcher.quick_ratio() > best
                    and (ratio := matcher.ratio()) > best
                ):
                    best, at = ratio, (i, j)
    if at is None:
        return [*((p, None) for p in old), *((None, p) for p in new)]
    i, j = at
    return [
        *_pair_paragraphs(old[:i], new[:j]),
        (old[i], new[j]),
        *_pair_paragraphs(old[i + 1 :], new[j + 1 :]),
    ]


def word_changes(old: str, new: str) -> list[Piece]:
    """A word-by-word diff of two strings, with long unchanged runs shortened."""
    a, b = old.split(), new.split()
    pieces: list[Piece] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            words = a[i1:i2]
            first, last = n == 0, n == len(opcodes) - 1
            keep_head = 0 if first else CONTEXT_WORDS
            keep_tail = 0 if last else CONTEXT_WORDS
            if len(words) > keep_head + keep_tail + 1:
                head = words[:keep_head]
                tail = words[len(words) - keep_tail :] if keep_tail else []
                words = [*head, "…", *tail]
            pieces.append(Piece("equal", " ".join(words)))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("delete", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("insert", " ".join(b[j1:j2])))
    return pieces
