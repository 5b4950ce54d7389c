"""The one walker over text blocks (paragraph, list, sub-heading, table) that render, diff and
the checks share: how a text reads as lines, and how a list nests; and `free_texts`, every
text a file holds (what a reader reads, not ids, codes or dates), found through the model."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ovk.model.build import item_type, shape_of, value_type
from ovk.model.entities import Block, ListBlock, ListItem, SubHeading, TableBlock
from ovk.model.spec import is_entity, properties, union_members, unwrap
from ovk.yamlio.loader import JsonPath


@dataclass(frozen=True)
class Item:
    """A list item with the items nested under it (None text: a list that opens nested)."""

    text: str | None
    children: tuple[Item, ...]


def items(block: ListBlock) -> tuple[Item, ...]:
    """A list's items; a nested list belongs to the item before it (or stands alone, first)."""
    out: list[Item] = []
    for entry in block.items:
        if isinstance(entry, str):
            out.append(Item(entry, ()))
        elif out:
            last = out[-1]
            out[-1] = Item(last.text, (*last.children, *items(entry)))
        else:
            out.append(Item(None, items(entry)))
    return tuple(out)


def lines(blocks: Iterable[Block | ListItem], depth: int = 0) -> Iterator[str]:
    """A text as lines: paragraphs, list items marked with bullets by depth, headings, and
    table rows with cells joined by ' | '."""
    for block in blocks:
        if isinstance(block, str):
            yield ("  " * (depth - 1) + "• " if depth else "") + block
        elif isinstance(block, ListBlock):
            yield from lines(block.items, depth + 1)
        elif isinstance(block, SubHeading):
            yield block.heading
        elif isinstance(block, TableBlock):
            yield " | ".join(block.table.columns)
            for row in block.table.rows:
                yield " | ".join(row)


# What makes a string a value rather than a text: ids, codes, numbers, keys and choices are
# constrained; a text is a string the model leaves free.
_CONSTRAINTS = frozenset({"pattern", "enum", "const", "format"})


def free_texts(value: Any, tp: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every free text in `value` (plain data where the model expects `tp`) with its JSON
    path, in the file's order: titles, headings, paragraphs, list items, cells, notes. Not
    the strings the model constrains (ids, codes, numbers, column keys, choices) nor dates."""
    yield from _texts(value, tp, (), path)


def _texts(
    value: Any, tp: Any, constraints: tuple[Mapping[str, Any], ...], path: JsonPath
) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(value, str):
        schemas = _string_schemas(tp)
        if schemas is not None and not any(_CONSTRAINTS & set(s) for s in (*constraints, *schemas)):
            yield path, value
        return
    shape = shape_of(tp, value)
    if isinstance(value, Mapping) and is_entity(shape):
        for p in properties(shape):
            if p.key in value:
                yield from _texts(value[p.key], p.type, (p.spec.schema,), (*path, p.key))
    elif isinstance(value, list) and (items := item_type(shape)) is not None:
        for index, item in enumerate(value):
            yield from _texts(item, items, (), (*path, index))
    elif isinstance(value, Mapping) and (values := value_type(shape)) is not None:
        for key, item in value.items():
            yield from _texts(item, values, (), (*path, key))


def _string_schemas(tp: Any) -> tuple[Mapping[str, Any], ...] | None:
    """The schema keywords that bind a string where the model expects `tp` (its Docs on the
    way down to `str`), or None when no string is expected there (a date, say)."""
    inner, doc = unwrap(tp)
    own = (doc.schema,) if doc is not None else ()
    if inner is str:
        return own
    for alternative in union_members(inner) or ():
        found = _string_schemas(alternative)
        if found is not None:
            return (*own, *found)
    return None
