"""yaml-rs (Rust, YAML 1.2) as the clean fast path's data source: the guarded reader that
benchmarks/native_parsers.py measures (issue 18; not kept in ovk, see benchmarks/README.md,
"Native parsers (issue 18)"). It gives data only, no marks and no events, so it speaks only
where the text shows nothing it could read otherwise than the located loader
(`native_doubts`); anything else, and any error of yaml-rs, is a doubt, after which ovk's
own fast path (the C parser's events) would read the file.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ovk.yamlio.loader import _DOUBT, MAX_DEPTH, _parsers_differ

DOUBT: Any = _DOUBT

_FLOW_EMPTY = re.compile(r"[\[{,][ \t]*:|:[ \t]*[,}\]]")
_BLOCK_SCALAR = re.compile(r"(^|[ \t:-])[|>][-+0-9]*[ \t]*(#.*)?$", re.MULTILINE)
_SCALAR_KEYS = (str, int, float, bool, type(None))  # what the located loader makes text


def native_doubts(text: str) -> bool:
    """Whether `text` holds what a parser without events may read otherwise than ovk.

    Checked on the text (a '&' inside a string doubts too): what the fast path leaves to the
    located loader (anchors, aliases, tags, merge keys, directives), and where yaml-rs and
    rapidyaml part from the located loader in the YAML Test Suite: trailing blanks and a
    missing final newline (block scalars' last lines), block scalars at all (none in the
    agreements), a document end or a second document, a comment after a key, and flow
    collections over more than one line, with an explicit key (`?`) or an empty key or value.
    """
    if _parsers_differ(text) or any(mark in text for mark in _MARKS):
        return True
    if text.startswith(("%", "...")) or (text and not text.endswith("\n")):
        return True
    if "#" in text and _KEY_COMMENT.search(text):
        return True
    if ("|" in text or ">" in text) and _BLOCK_SCALAR.search(text):
        return True
    if "{" in text or "[" in text:
        for line in text.split("\n"):
            opened = line.count("[") + line.count("{")
            if opened and (
                opened != line.count("]") + line.count("}")
                or "?" in line
                or _FLOW_EMPTY.search(line)
            ):
                return True
    return False


_MARKS = ("&", "*", "!", "<<", "\n%", " \n", "\n...", "\n---")  # "---" after a line
_KEY_COMMENT = re.compile(r":[ \t]+#")


@cache
def _loads() -> Any:
    """yaml-rs's `loads` with ovk's settings, or None when yaml-rs is not installed."""
    try:
        import yaml_rs
    except ImportError:
        return None
    policy = yaml_rs.DuplicateKeyPolicy.Error  # the located loader names both lines

    def loads(text: str) -> Any:
        return yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=policy)

    return loads


def available() -> bool:
    """Whether yaml-rs is installed (and imported: call before forking workers)."""
    return _loads() is not None


def native_data(text: str) -> Any:
    """The data of `text` as the located loader builds it, or DOUBT."""
    loads = _loads()
    if loads is None or native_doubts(text):
        return DOUBT
    try:
        data = loads(text)
    except Exception:  # whatever yaml-rs objects to, the events and the located path judge
        return DOUBT
    return _text_keys(data, 0)


def _text_keys(data: Any, depth: int) -> Any:
    """`data` with its keys as text, as the located loader makes them (`str(key)`), or DOUBT
    where that loader reports something (a list or map as a key, a duplicate after `str`,
    nesting deeper than MAX_DEPTH)."""
    if depth > MAX_DEPTH:
        return DOUBT
    if type(data) is dict:
        result = {}
        for key, value in data.items():
            if type(key) not in _SCALAR_KEYS:
                return DOUBT
            text = key if type(key) is str else str(key)
            if text in result:
                return DOUBT  # `1` and `"1"`
            item = _text_keys(value, depth + 1)
            if item is DOUBT:
                return DOUBT
            result[text] = item
        return result
    if type(data) is list:
        items = []
        for value in data:
            item = _text_keys(value, depth + 1)
            if item is DOUBT:
                return DOUBT
            items.append(item)
        return items
    return data
