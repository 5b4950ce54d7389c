"""The terminal the core's reports draw on (ovk.output.terminal.Terminal), drawn with rich.

Every string reaches rich as a `Text` made literal (ovk.output.literal), never as markup: a
title holding `[/]` or `[link=…]`, an ESC sequence or a newline is shown as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ovk.output.literal import literal
from ovk.output.terminal import Column

if TYPE_CHECKING:
    from rich.console import Console

RICH_STYLES = {
    "title": "bold",
    "heading": "bold underline",
    "delete": "red strike",
    "insert": "green bold",
    "added": "green",
    "removed": "red",
    "renamed": "yellow",
    "changed": "cyan",
    "past": "bold red",
    "soon": "yellow",
}


class RichTerminal:
    """Styled text and tables for the stream `out`, at its width (colour only on a terminal)."""

    def __init__(self, out: TextIO, *, colour: bool = True) -> None:
        self.out, self.colour = out, colour
        self._made: Console | None = None

    @property
    def console(self) -> Console:
        if self._made is None:
            from rich.console import Console

            self._made = Console(
                file=self.out, highlight=False, soft_wrap=True, no_color=not self.colour
            )
        return self._made

    def style(self, text: str, style: str) -> str:
        from rich.text import Text

        with self.console.capture() as captured:
            self.console.print(Text(literal(text), style=RICH_STYLES[style]), end="")
        return captured.get()

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        styles: Sequence[str | None],
    ) -> None:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in columns:
            table.add_column(
                Text(literal(column.header)),
                no_wrap=not column.wrap,
                max_width=column.max_width,
                ratio=1 if column.grow else None,
            )
        for row, style in zip(rows, styles, strict=True):
            cells = [Text(literal(cell)) for cell in row]
            table.add_row(*cells, style=RICH_STYLES[style] if style else "")
        self.console.print(table, soft_wrap=False)
