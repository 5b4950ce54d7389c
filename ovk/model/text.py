"""The one walker over text blocks (paragraph, list, sub-heading, table) that render, diff and
the checks share: how a text reads as lines, and how a list nests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ovk.model.entities import Block, ListBlock, ListItem, SubHeading, TableBlock


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
