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


def literal(value: object) -> str:
    """`value` as text with every control character, line separator and bidi control made
    visible as an escape, so a terminal, a log or a line-oriented reader shows it as written."""
    return CONTROLS.sub(_visible, str(value))


# What a page's text may not hold raw: as CONTROLS, but a tab and a line break are layout there.
TEXT_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def literal_text(value: object) -> str:
    """`value` as `literal` shows it, but keeping its tabs and line breaks: for the text of
    an HTML page, where a line break lays text out and forges nothing."""
    return TEXT_CONTROLS.sub(_visible, str(value))
