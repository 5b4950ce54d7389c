"""A string from the data or a file name, shown literally: one place for every text output.

Agreement files and their names come from contributors who are not always trusted. Shown
as they are, an ESC or OSC sequence drives the reader's terminal (colours, titles, links, a
cleared screen), a carriage return or newline forges whole lines (a second finding, a GitHub
`::error` workflow command) and a bidi override reorders what is read. `literal` makes each
such character visible as an escape (`\\x1b`, `\\n`, `\\u202e`) instead; every other
character, backslashes included, stays as written, and text without them comes back as it
was. The result holds no control character, so applying it again changes nothing.

The characters made visible: the C0 controls (U+0000-U+001F, tab and newline too), DEL and
the C1 controls (U+007F-U+009F), the Unicode line and paragraph separators (U+2028, U+2029),
and the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
"""

from __future__ import annotations

import re

CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def literal(value: object, keep: str = "") -> str:
    """`value` as text with every control character, line separator and bidi control made
    visible as an escape, so a terminal, a log or a line-oriented reader shows it as written.
    The characters in `keep` stay as they are (HTML keeps tab and newline: they are only
    white space to a browser)."""
    if keep:
        return CONTROLS.sub(lambda m: m.group() if m.group() in keep else _visible(m), str(value))
    return CONTROLS.sub(_visible, str(value))


def excerpt(text: str, span: tuple[int, int] | None = None, width: int = 100) -> str:
    """`text` on one line in at most about `width` characters: white space (newlines too)
    as single spaces and, when it is longer, the part around `span` (start, end; default: the
    beginning), cut at spaces and marked with '…' where it was cut. Not yet literal: the
    caller shows it with `literal`."""
    start, end = span if span is not None else (0, 0)
    left, right = 0, len(text)
    if len(text) > width:
        room = max(0, width - (end - start))
        left = max(0, start - room // 2)
        right = min(len(text), left + max(width, end - start))
        left = max(0, min(left, right - width))
        if left > 0 and (space := text.find(" ", left, start)) != -1:
            left = space + 1
        if right < len(text) and (space := text.rfind(" ", end, right)) != -1:
            right = space
    cut = ("…" if left > 0 else "") + text[left:right] + ("…" if right < len(text) else "")
    return " ".join(cut.split())
