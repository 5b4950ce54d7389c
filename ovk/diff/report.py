"""How `ovk diff` is shown: text (coloured on a terminal), GitHub Markdown, or JSON.

The three share one reading of the changes: they are grouped by division (or "common" when a
change concerns several or none), then by entity; each field change is a line of pieces
(kept, deleted, inserted words) that each format styles its own way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from ovk.diff.compare import (
    CATEGORIES,
    ONLY_CHOICES,
    Change,
    Comparison,
    Piece,
    text_changes,
    word_changes,
)
from ovk.diff.forest import Amount, Members, Text, Value, Values
from ovk.output.literal import literal
from ovk.output.markdown import escape as md
from ovk.output.swedish import sv_number
from ovk.output.terminal import Terminal

COMMON = ""  # the group of changes that concern several divisions, or none
STATUSES = ("added", "removed", "renamed", "changed")
CATEGORY_NAMES = {
    "uppdrag": "Särskilda uppdrag",
    "goals": "Målområden, mål and indicators",
    "grunduppdrag": "Grunduppdrag",
    "ekonomi": "Ersättning and samråd",
    "agreement": "Agreement",
}
LONG_STRING = 8  # words from which a changed string is shown word by word


@dataclass(frozen=True)
class EntityChanges:
    """The changes of one entity: its own status and one line per changed field."""

    first: Change
    fields: tuple[Change, ...]

    @property
    def status(self) -> str:
        if self.first.change in ("added", "removed"):
            return self.first.change
        if any(c.change in ("renamed", "renumbered") for c in self.fields):
            return "renamed"
        return "changed"


def group_key(change: Change) -> str:
    return change.divisions[0] if len(change.divisions) == 1 else COMMON


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
            out[-1] = EntityChanges(last.first, (*last.fields, change))
        else:
            fields = (change,) if change.field is not None else ()
            out.append(EntityChanges(change, fields))
    return out


def groups(comparison: Comparison) -> list[tuple[str, list[EntityChanges]]]:
    """Entities by group (divisions in code order, common last), by category within."""
    grouped: dict[str, list[EntityChanges]] = {}
    for entity in entities(comparison.changes):
        grouped.setdefault(group_key(entity.first), []).append(entity)
    order = {category: n for n, category in enumerate(ONLY_CHOICES)}
    keys = sorted(grouped, key=lambda k: (k == COMMON, k))
    return [
        (key, sorted(grouped[key], key=lambda e: order[CATEGORIES[e.first.kind]])) for key in keys
    ]


def counts(items: list[EntityChanges]) -> dict[str, int]:
    tally = dict.fromkeys(STATUSES, 0)
    for item in items:
        tally[item.status] += 1
    return tally


def group_title(key: str, comparison: Comparison) -> str:
    if key == COMMON:
        return "Common (several divisions or the whole agreement)"
    name = comparison.division_names.get(key)
    return f"{key} {name}" if name else key


# --- the detail line of one field change ---------------------------------------------------


def detail(change: Change) -> list[list[Piece]]:
    """The lines that show how one field changed, as pieces to style."""
    old, new = change.old, change.new
    if isinstance(old, Text) or isinstance(new, Text):
        return text_changes(_as_text(old), _as_text(new)) or [[Piece("equal", "(layout only)")]]
    if isinstance(old, Members) or isinstance(new, Members):
        before = set(old.items) if isinstance(old, Members) else set()
        after = set(new.items) if isinstance(new, Members) else set()
        line: list[Piece] = []
        if added := [m for m in new.items if m not in before] if isinstance(new, Members) else []:
            line += [Piece("equal", "added"), Piece("insert", ", ".join(added))]
        if removed := [m for m in old.items if m not in after] if isinstance(old, Members) else []:
            line += [Piece("equal", "· removed" if line else "removed")]
            line += [Piece("delete", ", ".join(removed))]
        return [line or [Piece("equal", "(order only)")]]
    if isinstance(old, Amount) and isinstance(new, Amount):
        unit = f" {change.unit}" if change.unit else ""
        delta = new.value - old.value
        sign = "+" if delta >= 0 else "-"
        return [
            [
                Piece("delete", sv_number(old.value)),
                Piece("equal", "→"),
                Piece("insert", sv_number(new.value)),
                Piece("equal", f"{unit.strip()} ({sign}{sv_number(abs(delta))})".strip()),
            ]
        ]
    if isinstance(old, Values) or isinstance(new, Values):
        return [[Piece("delete", shown(old)), Piece("equal", "→"), Piece("insert", shown(new))]]
    if isinstance(old, str) and isinstance(new, str) and len(new.split()) >= LONG_STRING:
        return [word_changes(old, new)]
    return [[Piece("delete", shown(old)), Piece("equal", "→"), Piece("insert", shown(new))]]


def _as_text(value: Value) -> Text | None:
    if value is None or isinstance(value, Text):
        return value
    return Text((str(value),))


def shown(value: Value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Amount):
        return sv_number(value.value)
    if isinstance(value, Members):
        return ", ".join(value.items) or "(none)"
    return str(value)


def heading_line(item: EntityChanges) -> str:
    """The entity's label, and how it was matched when not by its id."""
    matched = item.fields[0].matched if item.fields else None
    if matched and matched != "id":
        return f"{item.first.label} (matched by {matched})"
    if item.first.summary:
        return f"{item.first.label} ({item.first.summary})"
    return item.first.label


# --- text ----------------------------------------------------------------------------------


def as_text(comparison: Comparison, out: TextIO, terminal: Terminal | None = None) -> None:
    """Plain text (git word-diff marks [-…-]{+…+}) when piped; styled on a terminal."""
    out.write("\n".join(_text_lines(comparison, terminal)) + "\n")


def _text_lines(comparison: Comparison, terminal: Terminal | None) -> Iterator[str]:
    # Every string from the data, a file or a revision name is shown literally (control
    # characters made visible) before it is styled or marked.
    def styled(text: str, style: str) -> str:
        text = literal(text)
        return terminal.style(text, style) if terminal and text else text

    marks = {"delete": "[-{}-]", "insert": "{{+{}+}}", "equal": "{}"}

    def piece(p: Piece) -> str:
        if terminal is None:
            return marks[p.op].format(literal(p.text))
        return literal(p.text) if p.op == "equal" else styled(p.text, p.op)

    yield styled(f"Changes from {comparison.old_label} to {comparison.new_label}", "title")
    if not comparison.changes:
        yield "no differences"
        return
    for key, items in groups(comparison):
        tally = counts(items)
        summary = ", ".join(f"{n} {status}" for status, n in tally.items() if n)
        heading = f"{group_title(key, comparison)}: {summary}"
        yield ""
        yield styled(heading, "heading") if terminal else f"== {literal(heading)}"
        for item in items:
            yield f"  {styled(f'{item.status:8}', item.status)} {literal(heading_line(item))}"
            for change in item.fields:
                field = literal(change.field or "")
                for n, line in enumerate(detail(change)):
                    label = f"{field}:" if n == 0 else " " * (len(field) + 1)
                    yield f"           {label} {' '.join(piece(p) for p in line)}"


# --- markdown ------------------------------------------------------------------------------


def as_markdown(comparison: Comparison, out: TextIO, terminal: Terminal | None = None) -> None:
    """GitHub-flavoured Markdown: counts per kind and per division, then a section each."""
    out.write("\n".join(_markdown_lines(comparison)) + "\n")


def _md_pieces(line: list[Piece]) -> str:
    style = {"delete": "~~{}~~", "insert": "**{}**", "equal": "{}"}
    return " ".join(style[p.op].format(md(p.text)) for p in line if p.text)


def _markdown_lines(comparison: Comparison) -> Iterator[str]:
    yield f"# Changes from {md(comparison.old_label)} to {md(comparison.new_label)}"
    yield ""
    if not comparison.changes:
        yield "No differences."
        return
    yield "Deleted words are ~~struck through~~, inserted words **bold**."
    yield ""
    items = entities(comparison.changes)
    yield "| Kind | Added | Removed | Renamed or renumbered | Changed |"
    yield "| --- | ---: | ---: | ---: | ---: |"
    for category in ONLY_CHOICES:
        tally = counts([i for i in items if CATEGORIES[i.first.kind] == category])
        if any(tally.values()):
            yield f"| {CATEGORY_NAMES[category]} | " + " | ".join(map(str, tally.values())) + " |"
    yield ""
    grouped = groups(comparison)
    yield "| Division | Added | Removed | Renamed or renumbered | Changed |"
    yield "| --- | ---: | ---: | ---: | ---: |"
    for key, group_items in grouped:
        tally = counts(group_items)
        title = md(group_title(key, comparison))
        yield f"| {title} | " + " | ".join(map(str, tally.values())) + " |"
    for key, group_items in grouped:
        yield ""
        yield f"## {md(group_title(key, comparison))}"
        shown_category: str | None = None
        for item in group_items:
            if CATEGORIES[item.first.kind] != shown_category:
                shown_category = CATEGORIES[item.first.kind]
                yield ""
                yield f"### {CATEGORY_NAMES[shown_category]}"
                yield ""
            yield f"- **{item.status.capitalize()}** {md(heading_line(item))}"
            for change in item.fields:
                lines = detail(change)
                if len(lines) == 1:
                    yield f"  - {md(change.field or '')}: {_md_pieces(lines[0])}"
                else:
                    yield f"  - {md(change.field or '')}:"
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
    }
    if isinstance(change.old, Amount) and isinstance(change.new, Amount):
        out["delta"] = round(change.new.value - change.old.value, 6)
    if change.unit:
        out["unit"] = change.unit
    return out


def _json_value(value: Value) -> Any:
    if isinstance(value, Amount):
        return value.value
    if isinstance(value, Values):
        return dict(value.cells)
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, Members):
        return list(value.items)
    return value


Reporter = Callable[[Comparison, TextIO, "Terminal | None"], None]
REPORTERS: dict[str, Reporter] = {"text": as_text, "markdown": as_markdown, "json": as_json}
