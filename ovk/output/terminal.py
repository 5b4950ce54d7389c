"""What a report may ask of a terminal: styled text and a table that fits its width.

Reports in the core write plain text; when the command line finds a terminal it hands them a
`Terminal` (ovk.cli.terminal, which draws with rich), so no module outside the command line
imports a terminal library, and a report piped to a file or another program is plain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# The styles a report may name; the terminal decides how each looks.
STYLES = (
    "title",  # a report's first line
    "heading",  # a group heading
    "delete",  # words taken out
    "insert",  # words put in
    "added",
    "removed",
    "renamed",
    "changed",
    "past",  # a due date that has passed
    "soon",  # a due date within 30 days
)


@dataclass(frozen=True)
class Column:
    """A table column: its header and whether its cells may wrap."""

    header: str
    wrap: bool = False
    max_width: int | None = None
    grow: bool = False  # takes the width left over


class Terminal(Protocol):
    def style(self, text: str, style: str) -> str:
        """`text` shown in `style` (one of STYLES); the text itself is shown literally (no
        markup, control characters made visible as ovk.output.literal does)."""

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        styles: Sequence[str | None],
    ) -> None:
        """Print the rows as a table that fits the terminal, each row in its style (or none);
        every header and cell is shown literally, as `style` shows its text."""
