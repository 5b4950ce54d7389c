"""`ovk diff`: what changed between two agreement years, entity by entity.

A year is read into a forest of entities (the agreement and its sections, målområden, goals
with their indicators, grundverksamhet, each division with its grunduppdrag, ersättning and
samråd, each särskilt uppdrag). Two forests are matched top-down by stable identity (`id`,
division `code`); across different years what is left is matched by title similarity, since
an entity's id was made from its title when first written. Matched entities are compared
field by field; what has no partner is added or removed (its children with it).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovk.diff import revisions
from ovk.errors import DataError, UsageError
from ovk.model.layout import AGREEMENTS
from ovk.model.read import available_years, expand_owners, read_year

SIMILAR = 0.6  # title similarity from which two entities of different years are the same one
CONTEXT_WORDS = 6  # unchanged words kept on each side of a change in a long text
PARAGRAPH_SIMILAR = 0.5  # word similarity from which a rewritten paragraph is shown word by word
MAX_PAIRINGS = 2500  # paragraph pairs compared in one replaced run before giving up on pairing

# Fields whose values are sets of codes or words: reported as members added and removed.
MEMBER_FIELDS = frozenset({"owners", "delas_till", "followup", "parties", "divisions", "kolada"})

# Compared between revisions of one year, not between years: transcribers' notes (they speak
# of two different source documents) and printed row numbers of indicator tables.
SAME_YEAR_FIELDS = frozenset({"note", "nr"})

# Which `--only` category each entity kind belongs to.
CATEGORIES = {
    "agreement": "agreement",
    "section": "agreement",
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
}
ONLY_CHOICES = ("uppdrag", "goals", "grunduppdrag", "ekonomi", "agreement")


@dataclass(frozen=True)
class Text:
    """A text field: its paragraphs (list items and headings flattened to lines)."""

    paragraphs: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class Members:
    """A field whose value is a set of codes or words (owners, delas_till, followup …)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Values:
    """An indicator's values: (column label, value as printed) in column order."""

    cells: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return " · ".join(f"{label} {value}" for label, value in self.cells)


Value = str | int | float | bool | None | Text | Members | Values


@dataclass
class Entity:
    """One comparable thing of a year, with its own fields and the entities inside it."""

    kind: str
    id: str  # unique among its siblings of the same kind
    label: str  # for people: "Uppdrag 2.1.3 Ökat valdeltagande"
    title: str | None  # what title similarity compares
    divisions: tuple[str, ...]
    file: str
    fields: dict[str, Value]
    children: list[Entity] = field(default_factory=list)
    unit: str | None = None  # for numeric fields (ersättning: mnkr)
    summary: str | None = None  # shown with an entity that is added or removed


@dataclass(frozen=True)
class Change:
    """One difference: an entity added or removed, or one field of a matched entity changed."""

    change: str  # added | removed | changed | renamed | renumbered
    kind: str
    id: str  # path of ids from the top entity: "KLK/ekonomiavdelningen/redovisningsprocessen"
    label: str
    divisions: tuple[str, ...]
    file: str
    field: str | None = None
    old: Value = None
    new: Value = None
    matched: str | None = None  # "id", or "title 87%" when matched by similarity
    old_id: str | None = None  # the old side's id path when it differs
    unit: str | None = None
    summary: str | None = None  # an added or removed entity in brief (owners, due date)

    @property
    def category(self) -> str:
        return CATEGORIES[self.kind]


@dataclass(frozen=True)
class Comparison:
    old_label: str
    new_label: str
    changes: tuple[Change, ...]
    division_names: dict[str, str]


# --- what is compared: years of the working tree, revisions, or a year at a revision -------

YEAR = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True)
class Side:
    root: Path
    year: int | None  # None: every year of the revision
    label: str
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
        return [Change(change, "year", str(year), f"Year {year}", (), path)]
    before, old_names = year_entities(old.root, old_year)
    after, new_names = year_entities(new.root, new_year)
    names.update(old_names)
    names.update(new_names)
    return compare(before, after, fuzzy=old_year != new_year)


def _side(root: Path, spec: str, stack: ExitStack) -> Side:
    if YEAR.match(spec) and (root / AGREEMENTS / spec).is_dir():
        return Side(root, int(spec), spec, must_exist=True)
    rev, colon, year = spec.rpartition(":")
    if colon and YEAR.match(year) and revisions.is_revision(root, rev):
        return Side(
            _exported(root, rev, stack),
            int(year),
            f"{year} at {revisions.describe(root, rev)}",
            False,
        )
    if revisions.is_revision(root, spec):
        return Side(_exported(root, spec, stack), None, revisions.describe(root, spec), False)
    years = ", ".join(map(str, available_years(root))) or "none"
    raise UsageError(f"{spec!r} is neither a year (years: {years}) nor a git revision")


def _exported(root: Path, rev: str, stack: ExitStack) -> Path:
    folder = Path(stack.enter_context(revisions.temporary_root()))
    return revisions.export(root, rev, folder)


# --- reading a year into entities ----------------------------------------------------------


def year_entities(root: Path, year: int) -> tuple[list[Entity], dict[str, str]]:
    """The forest of one year folder, and the year's division names by code."""
    data = read_year(root, year)
    names = data.names
    codes = tuple(names)
    folder = f"{AGREEMENTS}/{year}"
    if data.malomraden is None:
        raise DataError(f"{folder}/malomraden.yaml is missing; run 'ovk validate' for details")
    forest = [_agreement(data.agreement.data, f"{folder}/overenskommelse.yaml")]
    forest.extend(_malomraden(data.malomraden.data, codes, f"{folder}/malomraden.yaml"))
    forest.extend(_division(d.data, d.file) for d in data.divisions.values())
    forest.extend(_uppdrag(u.data, codes, u.file) for u in data.uppdrag)
    return forest, names


def _agreement(data: dict[str, Any], file: str) -> Entity:
    def section(node: dict[str, Any]) -> Entity:
        heading = _numbered(node.get("number"), node["heading"] or node["id"])
        return Entity(
            "section",
            node["id"],
            f"Avsnitt {heading}",
            node["heading"],
            (),
            file,
            _fields(node, "number", "heading", "text", "note"),
            [section(child) for child in node.get("sections", [])],
        )

    fields = _fields(data, "year", "title", "diarienummer", "note")
    fields["parties"] = Members(tuple(p["name"] for p in data["parties"]))
    fields["divisions"] = Members(tuple(f"{d['code']} {d['name']}" for d in data["divisions"]))
    return Entity(
        "agreement",
        "overenskommelse",
        "Överenskommelse",
        "overenskommelse",
        (),
        file,
        fields,
        [section(s) for s in data["sections"]],
    )


def _malomraden(data: dict[str, Any], codes: tuple[str, ...], file: str) -> Iterator[Entity]:
    """Målområden with their verksamhetsområden; goals and grundverksamhet stand on their own
    (with their place as a field), so a goal that moves between areas is still matched."""
    for area in data["malomraden"]:
        children = [
            Entity(
                "verksamhetsomrade",
                sub["id"],
                f"Verksamhetsområde {sub['title']}",
                sub["title"],
                (),
                file,
                _fields(sub, "title", "fokus", "text", "note"),
            )
            for sub in area["verksamhetsomraden"]
        ]
        yield Entity(
            "malomrade",
            area["id"],
            f"Målområde {_numbered(area.get('number'), area['title'])}",
            area["title"],
            (),
            file,
            _fields(area, "number", "title", "fokus", "text", "note"),
            children,
        )
        places = [
            (area["id"], area),
            *((f"{area['id']}/{s['id']}", s) for s in area["verksamhetsomraden"]),
        ]
        for place, container in places:
            for goal in container["goals"]:
                yield _goal(goal, place, codes, file)
            for entry in container.get("grundverksamhet", []):
                fields = _fields(entry, "number", "title", "suffix", "owners", "text")
                fields.update(_fields(entry, "followup", "note"))
                fields["place"] = place
                yield Entity(
                    "grundverksamhet",
                    entry["id"],
                    f"Grundverksamhet {_numbered(entry['number'], entry['title'])}",
                    entry["title"],
                    expand_owners(entry["owners"], codes),
                    file,
                    fields,
                )


def _goal(goal: dict[str, Any], place: str, codes: tuple[str, ...], file: str) -> Entity:
    fields = _fields(
        goal,
        "number",
        "level",
        "title",
        "suffix",
        "text",
        "onskat_resultat_heading",
        "onskat_resultat",
        "kompletterande_heading",
        "kompletterande",
        "delas_till",
        "note",
    )
    fields["place"] = place
    indicators = []
    for table in goal["nyckeltal"]:
        labels = {column["key"]: column["label"] for column in table["columns"]}
        for row in table["rows"]:
            values = _fields(row, "nr", "kategori", "unit")
            values["values"] = Values(
                tuple((labels.get(key, key), value) for key, value in row["values"].items())
            )
            source = row.get("source") or {"text": None, "kolada": []}
            values["source"] = source["text"]
            values["kolada"] = Members(tuple(source["kolada"]))
            values["note"] = row.get("note")
            values["table"] = table.get("heading")
            values["ansvarig"] = table.get("ansvarig")
            indicators.append(
                Entity(
                    "indicator",
                    row["title"],
                    f"Indikator {row['title']}",
                    row["title"],
                    (),
                    file,
                    values,
                )
            )
    divisions = expand_owners(goal["delas_till"], codes)
    for indicator in indicators:
        indicator.divisions = divisions
    return Entity(
        "goal",
        goal["id"],
        f"Mål {_numbered(goal['number'], goal['title'])}",
        goal["title"],
        divisions,
        file,
        fields,
        indicators,
        summary=f"shared to {', '.join(goal['delas_till'])}" if goal["delas_till"] else None,
    )


def _division(data: dict[str, Any], file: str) -> Entity:
    code = data["code"]
    own = (code,)
    grunduppdrag = data["grunduppdrag"]
    sections = [
        Entity(
            "grunduppdrag",
            section["id"],
            f"Grunduppdrag {code} › {section['heading']}",
            section["heading"],
            own,
            file,
            _fields(section, "number", "heading", "text", "uppfoljning", "note"),
            [
                Entity(
                    "area",
                    area["id"],
                    f"Grunduppdrag {code} › {section['heading']} › {area['heading']}",
                    area["heading"],
                    own,
                    file,
                    _fields(area, "heading", "text", "uppfoljning", "note"),
                )
                for area in section["areas"]
            ],
        )
        for section in grunduppdrag["sections"]
    ]
    children = sections
    ersattning = data.get("ersattning")
    if ersattning is not None:
        unit = ersattning["unit"]
        fields = _fields(ersattning, "heading", "text", "unit", "missing_in_source", "note")
        total = ersattning.get("total")
        fields["total"] = total["belopp"] if total else None
        fields["total label"] = total["label"] if total else None
        rows = [
            Entity(
                "ersattning-row",
                row["verksamhet"],
                f"Ersättning {code} › {row['verksamhet']}",
                row["verksamhet"],
                own,
                file,
                {"belopp": row["belopp"]},
                unit=unit,
            )
            for row in ersattning["rows"]
        ]
        children.append(
            Entity(
                "ersattning",
                "ersattning",
                f"Ersättning {code}",
                "ersattning",
                own,
                file,
                fields,
                rows,
                unit,
            )
        )
    if data.get("samrad") is not None:
        children.append(
            Entity(
                "samrad",
                "samrad",
                f"Samråd om investeringar {code}",
                "samrad",
                own,
                file,
                _fields(data["samrad"], "heading", "text"),
            )
        )
    fields = _fields(data, "name", "note")
    fields["grunduppdrag number"] = grunduppdrag.get("number")
    fields["grunduppdrag title"] = grunduppdrag["title"]
    label = f"{code} {data['name']}: grunduppdrag, ersättning and samråd"
    return Entity("division", code, label, code, own, file, fields, children)


def _uppdrag(data: dict[str, Any], codes: tuple[str, ...], file: str) -> Entity:
    fields = _fields(
        data,
        "number",
        "title",
        "suffix",
        "origin",
        "malomrade",
        "verksamhetsomrade",
        "text",
        "kompletterande_heading",
        "kompletterande",
        "owners",
        "lead",
        "mottagare",
        "financing",
        "rapportering",
        "start",
        "due",
        "followup",
        "note",
    )
    owners = expand_owners(data["owners"], codes)
    brief = [f"owners {', '.join(data['owners'])}"]
    brief += [f"lead {data['lead']}"] if data["lead"] else []
    brief += [f"due {data['due']}"] if data["due"] else []
    return Entity(
        "uppdrag",
        data["id"],
        f"Uppdrag {_numbered(data['number'], data['title'])}",
        data["title"],
        owners,
        file,
        fields,
        summary="; ".join(brief),
    )


def _numbered(number: str | None, title: str) -> str:
    return f"{number} {title}" if number else title


def _fields(data: dict[str, Any], *names: str) -> dict[str, Value]:
    """The named fields of a mapping as comparable values (absent fields are None)."""
    out: dict[str, Value] = {}
    for name in names:
        value = data.get(name)
        if isinstance(value, dict):  # fokus {heading, text}: one text with its heading first
            value = [value["heading"], *value.get("text", [])] if "heading" in value else [value]
        if name in MEMBER_FIELDS and isinstance(value, list):
            out[name] = Members(tuple(str(v) for v in value))
        elif isinstance(value, list):
            out[name] = Text(tuple(text_lines(value)))
        else:
            out[name] = value
    return out


def text_lines(blocks: Iterable[Any], depth: int = 0) -> Iterator[str]:
    """The paragraphs of a text (see docs/model.md: strings, lists, headings, tables)."""
    for block in blocks:
        if isinstance(block, str):
            yield ("  " * (depth - 1) + "• " if depth else "") + block
        elif "list" in block:
            yield from text_lines(block["list"], depth + 1)
        elif "heading" in block:
            yield block["heading"]
        elif "table" in block:
            table = block["table"]
            yield " | ".join(table["columns"])
            for row in table["rows"]:
                yield " | ".join(row)


# --- matching and comparing ----------------------------------------------------------------


def compare(old: list[Entity], new: list[Entity], fuzzy: bool) -> list[Change]:
    """Every change between two forests; `fuzzy` also matches by title (different years)."""
    changes: list[Change] = []
    _compare_siblings(old, new, "", "", fuzzy, changes)
    return changes


def _compare_siblings(
    old: list[Entity],
    new: list[Entity],
    old_path: str,
    new_path: str,
    fuzzy: bool,
    out: list[Change],
) -> None:
    for a, b, how in _match(old, new, fuzzy):
        if a is None:
            assert b is not None
            out.append(_whole("added", b, new_path + b.id))
        elif b is None:
            out.append(_whole("removed", a, old_path + a.id))
        else:
            a_path, b_path = old_path + a.id, new_path + b.id
            out.extend(_field_changes(a, b, a_path, b_path, how, fuzzy))
            _compare_siblings(a.children, b.children, a_path + "/", b_path + "/", fuzzy, out)


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


def _whole(change: str, entity: Entity, path: str) -> Change:
    return Change(
        change,
        entity.kind,
        path,
        entity.label,
        entity.divisions,
        entity.file,
        unit=entity.unit,
        summary=entity.summary,
    )


def _field_changes(
    a: Entity, b: Entity, a_path: str, b_path: str, how: str, fuzzy: bool
) -> Iterator[Change]:
    for name, old, new in _changed_fields(a.fields, b.fields, fuzzy):
        change = {"title": "renamed", "heading": "renamed", "number": "renumbered"}.get(
            name, "changed"
        )
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
        )


def _changed_fields(
    old: dict[str, Value], new: dict[str, Value], fuzzy: bool
) -> Iterator[tuple[str, Value, Value]]:
    """(field, old, new) for each field that differs; indicator values column by column
    when the two tables share columns, else as a whole (2024's Nuvärde/Jämförvärde columns
    against 2026's Utfall per year)."""
    for name in dict.fromkeys([*new, *old]):
        before, after = old.get(name), new.get(name)
        if before == after or (fuzzy and name in SAME_YEAR_FIELDS):
            continue
        if isinstance(before, Values) and isinstance(after, Values):
            cells_before, cells_after = dict(before.cells), dict(after.cells)
            if cells_before.keys() & cells_after.keys():
                for label in dict.fromkeys([*cells_after, *cells_before]):
                    if cells_before.get(label) != cells_after.get(label):
                        yield label, cells_before.get(label), cells_after.get(label)
                continue
        yield name, before, after


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
