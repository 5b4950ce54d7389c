"""How `ovk diff` is shown: a Swedish briefing as text (coloured on a terminal) or GitHub
Markdown, or JSON with machine keys.

The briefing reads the changes one way for both formats: an overview of counts (also alone,
as `--stat`), then a group per division (an entity that concerns several divisions stands
under each of them; what concerns every division, or none, under "Gemensamt"), within it a
section per kind of content and per status (tillagda, avslutade, borttagna, …), entries by
number and title. Field labels are the model's Swedish titles; dates and amounts are written
as in the bilagor. Transcription bookkeeping (the model's "same-year" fields: notes,
`missing_in_source`, printed row numbers) is no change in the briefing; JSON lists it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from ovk.diff.compare import (
    CATEGORIES,
    ONLY_CHOICES,
    Change,
    Comparison,
    Label,
    Piece,
    text_changes,
    word_changes,
)
from ovk.diff.forest import (
    PLACE,
    Amount,
    Date,
    Members,
    Place,
    Text,
    Value,
    Values,
    field_title,
)
from ovk.model.entities import KINDS, FollowupReport
from ovk.output.literal import literal
from ovk.output.markdown import escape as md
from ovk.output.swedish import NBSP, sv_date, sv_number
from ovk.output.terminal import Terminal

COMMON = ""  # the group of changes that concern every division, the whole agreement or none
COMMON_TITLE = "Gemensamt (alla verksamheter eller hela överenskommelsen)"
# The statuses counted, in the order the briefing shows them, and their Swedish names.
STATUSES = ("added", "ended", "removed", "renamed", "changed")
STATUS_NAMES = {
    "added": "Tillagda",
    "ended": "Avslutade",
    "removed": "Borttagna",
    "renamed": "Omdöpta eller omnumrerade",
    "changed": "Ändrade",
    "missing": "Saknas i underlaget",
}
SECTIONS = (*STATUSES, "missing")
STATUS_STYLES = {"ended": "removed", "missing": "changed"}  # else the status is its style
CATEGORY_NAMES = {
    "uppdrag": "Särskilda uppdrag",
    "goals": "Målområden, mål och indikatorer",
    "grunduppdrag": "Grunduppdrag",
    "ekonomi": "Ersättning och samråd",
    "agreement": "Överenskommelsen",
    "uppfoljning": FollowupReport.TITLE,
}
NOTHING = "(ingen uppgift)"  # a value that is absent on one side
LONG_STRING = 8  # words from which a changed string is shown word by word
LEGEND = "Borttagna ord är ~~överstrukna~~, tillagda ord **feta**."
GROUPING = (
    "Ett uppdrag eller mål som gäller flera verksamheter står under var och en av dem och "
    "räknas där; det som gäller alla verksamheter eller hela överenskommelsen står under "
    "Gemensamt och, när en verksamhet är huvudansvarig, även under den."
)


def sv_label(label: Label) -> str:
    """One side of the comparison in Swedish: "2026", "2026 i main (3f2a9c1)"."""
    if label.revision is None:
        return str(label.year)
    return label.revision if label.year is None else f"{label.year} i {label.revision}"


def title_line(comparison: Comparison) -> str:
    return f"Ändringar från {sv_label(comparison.old)} till {sv_label(comparison.new)}"


@dataclass(frozen=True)
class EntityChanges:
    """The changes of one entity: its own status and one line per changed field."""

    first: Change
    fields: tuple[Change, ...]
    order: int  # its place in the comparison's changes (the documents' order)

    @property
    def status(self) -> str:
        if self.first.change in ("added", "removed", "ended", "missing"):
            return self.first.change
        if any(c.change in ("renamed", "renumbered") for c in self.fields):
            return "renamed"
        return "changed"

    @property
    def category(self) -> str:
        return CATEGORIES[self.first.kind]


def briefed(changes: tuple[Change, ...] | list[Change]) -> list[Change]:
    """The changes a briefing shows: all but transcription bookkeeping."""
    return [c for c in changes if not c.bookkeeping]


def entities(changes: tuple[Change, ...] | list[Change]) -> list[EntityChanges]:
    """Consecutive changes of the same entity gathered (diff yields them together)."""
    out: list[EntityChanges] = []
    for change in changes:
        if (
            out
            and (out[-1].first.kind, out[-1].first.id) == (change.kind, change.id)
            and (change.field is not None)
        ):
            last = out[-1]
            out[-1] = EntityChanges(last.first, (*last.fields, change), last.order)
        else:
            fields = (change,) if change.field is not None else ()
            out.append(EntityChanges(change, fields, len(out)))
    return out


def group_keys(change: Change, division: str | None) -> list[str]:
    """The groups an entity stands in: each division it concerns, or the common group (and,
    when it has one, the division that leads it, whose summary should not miss it)."""
    if change.every or not change.divisions:
        return [COMMON, *([change.lead] if change.lead and division is None else [])]
    keys = list(dict.fromkeys(change.divisions))
    return [division] if division in keys else keys


def _sort_key(item: EntityChanges) -> tuple[Any, ...]:
    category = ONLY_CHOICES.index(item.category)
    return category, SECTIONS.index(item.status), item.first.rank, item.order


def groups(comparison: Comparison) -> list[tuple[str, list[EntityChanges]]]:
    """Entities by group (common first, then divisions in the agreement's order), each group
    by category, status, number and title."""
    grouped: dict[str, list[EntityChanges]] = {}
    for entity in entities(briefed(comparison.changes)):
        for key in group_keys(entity.first, comparison.division):
            grouped.setdefault(key, []).append(entity)
    known = list(comparison.division_names)
    keys = sorted(
        grouped, key=lambda k: (k != COMMON, k not in known, known.index(k) if k in known else 0, k)
    )
    return [(key, sorted(grouped[key], key=_sort_key)) for key in keys]


def sections(
    items: list[EntityChanges],
) -> Iterator[tuple[EntityChanges, str | None, str | None]]:
    """A group's entities, each with the category and the status whose section it opens
    (None where it continues the one before)."""
    category = status = None
    for item in items:
        opens = item.category if item.category != category else None
        if opens:
            category, status = item.category, None
        starts = item.status if item.status != status else None
        status = item.status
        yield item, opens, starts


def counts(items: list[EntityChanges]) -> dict[str, int]:
    tally = dict.fromkeys(STATUSES, 0)
    for item in items:
        if item.status in tally:
            tally[item.status] += 1
    return tally


def counted(tally: dict[str, int]) -> str:
    """ "tillagda 3, borttagna 1" (statuses with none left out)."""
    return ", ".join(f"{STATUS_NAMES[s].lower()} {n}" for s, n in tally.items() if n)


def group_title(key: str, comparison: Comparison) -> str:
    if key == COMMON:
        return COMMON_TITLE
    name = comparison.division_names.get(key)
    return f"{key} {name}" if name else key


# --- the overview: counts per kind of content and per division (also `--stat`) -------------


@dataclass(frozen=True)
class Overview:
    categories: list[tuple[str, dict[str, int]]]  # category → counts
    groups: list[tuple[str, dict[str, int]]]  # group key → counts
    missing: list[Change]  # entities one side's source lacks
    bookkeeping: int  # bookkeeping changes left out
    shared: bool  # some entity stands under several divisions

    def grouping(self) -> Iterator[str]:
        """How entities were grouped, where it is not plain (one stands in several groups)."""
        if self.shared:
            yield ""
            yield GROUPING


def overview(comparison: Comparison) -> Overview:
    items = entities(briefed(comparison.changes))
    categories = [
        (category, counts([i for i in items if i.category == category]))
        for category in ONLY_CHOICES
    ]
    return Overview(
        [(c, t) for c, t in categories if any(t.values())],
        [(key, counts(group)) for key, group in groups(comparison)],
        [i.first for i in items if i.status == "missing"],
        sum(c.bookkeeping for c in comparison.changes),
        any(len(group_keys(i.first, comparison.division)) > 1 for i in items),
    )


def missing_line(change: Change) -> str:
    """What one side's source lacks, said so: it is neither removed nor added."""
    return (
        f"{change.label}: tabellen saknas i underlaget för {change.missing_year}, "
        "så dess rader och summa jämförs inte"
    )


def _empty_lines(comparison: Comparison) -> Iterator[str]:
    found = overview(comparison)
    if found.bookkeeping:
        yield (
            "Inga ändringar i sak; bara transkriberingens anteckningar har ändrats "
            f"({found.bookkeeping} st, de visas med --format json)."
        )
    else:
        yield "Inga ändringar."


# --- the detail line of one field change ---------------------------------------------------


def field_label(change: Change) -> str:
    """The field for people, from the model's Swedish titles; an indicator's value column
    after the title of the values ("Värden Utfall 2025")."""
    name = change.field or ""
    prop = change.prop or name
    cls = KINDS.get(change.kind)
    title = field_title(cls, prop) if cls is not None else None
    if title is None:
        return name
    return title if prop == name else f"{title} {name}"


def detail(change: Change) -> list[list[Piece]]:
    """The lines that show how one field changed, as pieces to style."""
    old, new = change.old, change.new
    if change.field == PLACE:
        return [
            [
                Piece("equal", "flyttat från"),
                Piece("delete", shown(old)),
                Piece("equal", "till"),
                Piece("insert", shown(new)),
            ]
        ]
    if isinstance(old, Text) or isinstance(new, Text):
        keys = [getattr(v, "keys", ()) for v in (old, new)]
        only = (
            "(endast nycklarna i data ändrade)"
            if keys[0] != keys[1]
            else "(endast formatering ändrad)"
        )
        return text_changes(_as_text(old), _as_text(new)) or [[Piece("equal", only)]]
    if isinstance(old, Members) or isinstance(new, Members):
        before = set(old.items) if isinstance(old, Members) else set()
        after = set(new.items) if isinstance(new, Members) else set()
        line: list[Piece] = []
        if added := [m for m in new.items if m not in before] if isinstance(new, Members) else []:
            line += [Piece("equal", "tillagda"), Piece("insert", ", ".join(added))]
        if removed := [m for m in old.items if m not in after] if isinstance(old, Members) else []:
            line += [Piece("equal", "· borttagna" if line else "borttagna")]
            line += [Piece("delete", ", ".join(removed))]
        return [line or [Piece("equal", "(endast ordningen ändrad)")]]
    if isinstance(old, Amount) and isinstance(new, Amount):
        return [
            [
                Piece("delete", sv_number(old.value)),
                Piece("equal", "→"),
                Piece("insert", sv_number(new.value)),
                Piece("equal", f"{change.unit or ''} ({delta(old, new)})".strip()),
            ]
        ]
    if isinstance(old, str) and isinstance(new, str) and len(new.split()) >= LONG_STRING:
        return [word_changes(old, new)]
    return [[Piece("delete", shown(old)), Piece("equal", "→"), Piece("insert", shown(new))]]


def delta(old: Amount, new: Amount) -> str:
    """ "+2,5": the difference with the decimals of the amounts, never float noise."""
    places = max(1, *(-_exponent(a.value) for a in (old, new)))
    difference = round(new.value - old.value, places)
    sign = "+" if difference >= 0 else "-"
    return f"{sign}{sv_number(abs(difference))}"


def _exponent(value: float) -> int:
    exponent = Decimal(str(value)).as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _as_text(value: Value) -> Text | None:
    if value is None or isinstance(value, Text):
        return value
    return Text((shown(value),))


def shown(value: Value) -> str:
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, Amount):
        return sv_number(value.value)
    if isinstance(value, Date):
        return sv_date(value.value)
    if isinstance(value, Place):
        return value.names or NOTHING
    if isinstance(value, Members):
        return ", ".join(value.items) or NOTHING
    return str(value)


def heading_line(item: EntityChanges) -> str:
    """The entity's label, what it is in brief when added or removed, how it was matched
    when not by its id, or what its source lacks."""
    first = item.first
    if item.status == "missing":
        return missing_line(first)
    similarity = item.fields[0].similarity if item.fields else None
    if similarity is not None:
        return f"{first.label} (identifierad via titeln, {similarity}{NBSP}% lika)"
    if first.summary and not item.fields:
        return f"{first.label} ({first.summary})"
    return first.label


# --- text ----------------------------------------------------------------------------------


MARKS = {"delete": "[-{}-]", "insert": "{{+{}+}}", "equal": "{}"}  # git's word-diff marks


class _TextStyle:
    """Every string from the data, a file or a revision name is shown literally (control
    characters made visible) before it is styled or marked."""

    def __init__(self, terminal: Terminal | None) -> None:
        self.terminal = terminal

    def styled(self, text: str, style: str) -> str:
        text = literal(text)
        return self.terminal.style(text, style) if self.terminal and text else text

    def piece(self, p: Piece) -> str:
        if self.terminal is None:
            return MARKS[p.op].format(literal(p.text))
        return literal(p.text) if p.op == "equal" else self.styled(p.text, p.op)

    def heading(self, text: str) -> str:
        return self.styled(text, "heading") if self.terminal else f"== {literal(text)}"


def as_text(comparison: Comparison, out: TextIO, terminal: Terminal | None = None) -> None:
    """Plain text (git word-diff marks [-…-]{+…+}) when piped; styled on a terminal."""
    out.write("\n".join(_text_lines(comparison, terminal, detailed=True)) + "\n")


def stat_text(comparison: Comparison, out: TextIO, terminal: Terminal | None = None) -> None:
    """The overview alone, as `git diff --stat` gives it: one line per kind and division."""
    out.write("\n".join(_text_lines(comparison, terminal, detailed=False)) + "\n")


def _text_overview(comparison: Comparison, style: _TextStyle) -> Iterator[str]:
    found = overview(comparison)
    rows = [
        *((CATEGORY_NAMES[c], tally) for c, tally in found.categories),
        None,
        *((group_title(k, comparison), tally) for k, tally in found.groups),
    ]
    width = max(len(row[0]) for row in rows if row is not None)
    yield ""
    yield "Per innehåll:"
    for row in rows:
        if row is None:
            yield ""
            yield "Per verksamhet:"
            continue
        title, tally = row
        yield f"  {literal(title).ljust(width)} | {counted(tally)}"
    for change in found.missing:
        yield ""
        yield literal(missing_line(change)) + "."
    yield from found.grouping()


def _text_lines(comparison: Comparison, terminal: Terminal | None, detailed: bool) -> Iterator[str]:
    style = _TextStyle(terminal)
    yield style.styled(title_line(comparison), "title")
    if not briefed(comparison.changes):
        yield from _empty_lines(comparison)
        return
    yield from _text_overview(comparison, style)
    if not detailed:
        return
    for key, items in groups(comparison):
        yield ""
        yield style.heading(f"{group_title(key, comparison)}: {counted(counts(items))}")
        for item, category, section in sections(items):
            if category:
                yield ""
                yield f"  {CATEGORY_NAMES[category]}"
            if section:
                name = STATUS_NAMES[section]
                yield f"    {style.styled(name, STATUS_STYLES.get(section, section))}"
            yield f"      {literal(heading_line(item))}"
            for change in item.fields:
                label = literal(field_label(change))
                lines = detail(change)
                if len(lines) == 1:
                    yield f"        {label}: {' '.join(style.piece(p) for p in lines[0])}"
                    continue
                yield f"        {label}:"
                for line in lines:
                    yield f"          {' '.join(style.piece(p) for p in line)}"


# --- markdown ------------------------------------------------------------------------------


def as_markdown(comparison: Comparison, out: TextIO, terminal: Terminal | None = None) -> None:
    """GitHub-flavoured Markdown: counts per kind and per division, then a section each."""
    out.write("\n".join(_markdown_lines(comparison, detailed=True)) + "\n")


def stat_markdown(comparison: Comparison, out: TextIO, terminal: Terminal | None = None) -> None:
    """The overview alone: the two tables of counts."""
    out.write("\n".join(_markdown_lines(comparison, detailed=False)) + "\n")


def _md_pieces(line: list[Piece]) -> str:
    style = {"delete": "~~{}~~", "insert": "**{}**", "equal": "{}"}
    return " ".join(style[p.op].format(md(p.text)) for p in line if p.text)


def _md_table(first: str, rows: list[tuple[str, dict[str, int]]]) -> Iterator[str]:
    yield f"| {first} | " + " | ".join(STATUS_NAMES[s] for s in STATUSES) + " |"
    yield "| --- | " + " | ".join("---:" for _ in STATUSES) + " |"
    for title, tally in rows:
        yield f"| {md(title)} | " + " | ".join(str(tally[s]) for s in STATUSES) + " |"


def _markdown_lines(comparison: Comparison, detailed: bool) -> Iterator[str]:
    yield f"# {md(title_line(comparison))}"
    yield ""
    if not briefed(comparison.changes):
        yield from _empty_lines(comparison)
        return
    found = overview(comparison)
    if detailed:
        yield LEGEND
        yield ""
    yield from _md_table("Innehåll", [(CATEGORY_NAMES[c], t) for c, t in found.categories])
    yield ""
    yield from _md_table("Verksamhet", [(group_title(k, comparison), t) for k, t in found.groups])
    for change in found.missing:
        yield ""
        yield md(missing_line(change)) + "."
    yield from found.grouping()
    if not detailed:
        return
    for key, group_items in groups(comparison):
        yield ""
        yield f"## {md(group_title(key, comparison))}"
        for item, category, section in sections(group_items):
            if category:
                yield ""
                yield f"### {CATEGORY_NAMES[category]}"
            if section:
                yield ""
                yield f"#### {STATUS_NAMES[section]}"
                yield ""
            yield f"- {md(heading_line(item))}"
            for change in item.fields:
                label = md(field_label(change))
                lines = detail(change)
                if len(lines) == 1:
                    yield f"  - {label}: {_md_pieces(lines[0])}"
                else:
                    yield f"  - {label}:"
                    for line in lines:
                        yield f"    - {_md_pieces(line)}"


# --- json ----------------------------------------------------------------------------------


def as_json(comparison: Comparison, out: TextIO, terminal: Terminal | None = None) -> None:
    """One object per change (see docs/diff.md for the fields)."""
    document = {
        "old": comparison.old_label,
        "new": comparison.new_label,
        "changes": [record(c) for c in comparison.changes],
    }
    _dump(document, out)


def stat_json(comparison: Comparison, out: TextIO, terminal: Terminal | None = None) -> None:
    """The overview's counts as one object (see docs/diff.md)."""
    found = overview(comparison)
    document = {
        "old": comparison.old_label,
        "new": comparison.new_label,
        "categories": dict(found.categories),
        "divisions": {key or "common": tally for key, tally in found.groups},
        "missing": [record(c) for c in found.missing],
        "bookkeeping": found.bookkeeping,
    }
    _dump(document, out)


def _dump(document: dict[str, Any], out: TextIO) -> None:
    json.dump(document, out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


def record(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {
        "change": change.change,
        "kind": change.kind,
        "category": change.category,
        "id": change.id,
        "old_id": change.old_id,
        "label": change.label,
        "divisions": list(change.divisions),
        "file": change.file,
        "field": change.field,
        "old": _json_value(change.old),
        "new": _json_value(change.new),
        "matched": change.matched,
        "bookkeeping": change.bookkeeping,
    }
    if isinstance(change.old, Amount) and isinstance(change.new, Amount):
        out["delta"] = round(change.new.value - change.old.value, 6)
    if change.unit:
        out["unit"] = change.unit
    if change.due is not None:
        out["due"] = change.due.isoformat()
    if change.lead is not None:
        out["lead"] = change.lead
    if change.missing_year is not None:
        out["missing_year"] = change.missing_year
    return out


def _json_value(value: Value) -> Any:
    if isinstance(value, Amount):
        return value.value
    if isinstance(value, Date):
        return value.value.isoformat()
    if isinstance(value, Place):
        return value.path
    if isinstance(value, Values):
        return dict(value.cells)
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, Members):
        return list(value.items)
    return value


Reporter = Callable[[Comparison, TextIO, "Terminal | None"], None]
REPORTERS: dict[str, Reporter] = {"text": as_text, "markdown": as_markdown, "json": as_json}
STAT_REPORTERS: dict[str, Reporter] = {
    "text": stat_text,
    "markdown": stat_markdown,
    "json": stat_json,
}
