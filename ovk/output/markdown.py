"""Text from the data made literal in GitHub-flavoured Markdown: one escaper for every
Markdown that ovk writes (the rendered bilagor and the diff report)."""

from __future__ import annotations

import re

from ovk.output.literal import literal

# CommonMark lets a backslash escape any ASCII punctuation; these are the characters that
# start inline syntax on GitHub (emphasis, code, links, autolinks, raw HTML, tables, math,
# strikethrough) or that Jinja-looking text is made of.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|{}$~#])")
# An "&" that would start a character reference ("&amp;", "&#60;") must stay literal.
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# At the start of a line: an ordered-list marker ("7. ", "1) "), a bullet ("-", "+"),
# a heading ("#", escaped anyway), a block quote (">", escaped anyway) or a thematic break.
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_MD_LEADING = re.compile(r"^([-+=])")


_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]+")


def _one_line(text: str) -> str:
    """Data text on one line: Markdown blocks and table rows must not be split by it.

    Leading spaces go too (four of them would start a code block); other spaces, including
    non-breaking ones, stay as written.
    """
    return _LINE_BREAKS.sub(" ", text).strip(" ")


def escape(value: object) -> str:
    """Text from the data, escaped so GitHub-flavoured Markdown shows it literally.

    (GitHub's emoji shortcodes such as ":smile:" are replaced after Markdown is parsed, so no
    escape can keep them; they are rare in agreements and lose no text.)
    """
    text = literal(_one_line(str(value)))  # other control characters made visible
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    text = _MD_ORDERED.sub(r"\1\\\2", text)
    return _MD_LEADING.sub(r"\\\1", text)
