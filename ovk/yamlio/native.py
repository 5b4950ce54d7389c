"""yaml-rs (Rust, YAML 1.2) as the clean fast path's first data source.

It gives data only: no marks, no events, so it may speak only where the text shows nothing it
could read otherwise than the located loader (`native_doubts`); anything else, and any error of
yaml-rs, is a doubt, and the C parser's events (`loader.events_data`) read the file as before,
which in turn leave to the located loader what they doubt. Without yaml-rs (a platform with no
wheel) nothing changes but the speed.

The guards are textual and cheap (a few `in` tests and regular expressions over the text), and
each answers a difference found between yaml-rs and the located loader: in the YAML Test Suite,
by a fuzzer of agreement-like documents and by a brute force over short plain scalars
(tests/test_native_source.py keeps all three in the suite; benchmarks/native_parsers.py runs the
differential over the M corpus and times it, benchmarks/README.md, "Native parsers").
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from ovk.yamlio.loader import _DOUBT, MAX_DEPTH, _parsers_differ

DOUBT: Any = _DOUBT

# What the fast path leaves to the located loader (anchors, aliases, tags, merge keys,
# directives, a document end or a second document), and trailing blanks (block scalars' last
# lines, where yaml-rs parts from it).
_MARKS = ("&", "*", "!")
_LINE_MARKS = re.compile(r"\n(?:(?<= \n)|%|\.\.\.|---)")  # scans the line breaks only
# Characters ruamel.yaml rejects or reads otherwise (C0 and C1 controls, CR, DEL, the line and
# paragraph separators, a BOM within the text, U+FFFE and U+FFFF); tab, NEL and the separators
# are `_parsers_differ`'s too.
_ODD = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A line opening MAX_DEPTH block levels or more (indentation, `- `, `? `, `: `): yaml-rs
# overflows its stack on tens of thousands of them; the located loader reports past MAX_DEPTH.
_DEEP = re.compile(rf"\n[ ?:-]{{{MAX_DEPTH}}}")
_KEY_COMMENT = re.compile(r":[ \t]+#")
_BLOCK_SCALAR = re.compile(r"(^|[ \t:-])[|>][-+0-9]*[ \t]*(#.*)?$", re.MULTILINE)
# An indicator that cannot open a plain scalar (block scalars, reserved `@` and backtick, `%`):
# ruamel.yaml reports or reads a block; yaml-rs reads text in flow. Each is a doubt where it
# opens a line or follows `:`, `?` or `-` (`_opens_scalar`), or `[`, `{` or `,` on a line with
# a flow collection; elsewhere (`60 %`, `(%)`) it is text to both.
_INDICATORS = re.compile(r"[|>@`%]")
_FLOW_INDICATOR = re.compile(r"[\[{,][ ]*[|>@`%]")
_FLOW_EMPTY = re.compile(r"[\[{,][ \t]*:|:[ \t]*[,}\]]")
# A plain `=` (YAML 1.2's value key to ruamel.yaml's resolvers; text to yaml-rs).
_VALUE = re.compile(r"=(?<![^\s\[{,:]=)(?=$|[\s,\]}:])")
# What the two parsers may resolve otherwise in a plain scalar: underscores by digits or
# opening a word (yaml-rs reads `__1` as 1), a plus or a point before a digit (`+1`, `.5`,
# `.inf`, `.nan`), a leading zero before a digit or a base (`0480`, `0x1F`, `0o7`, `-01`) that
# ends the scalar. Each pattern opens with its character, which `re` scans for quickly (one
# alternation of them scans five times slower); what one matches inside a quoted string doubts
# too. Plain integers of any size and decimals (`-12`, `60.4`, `2022.`), exponents (`1e3`,
# `1.5E-2`), dates, times, section numbers (`1.1.2`) and decimal commas are read alike, as the
# brute force over short scalars and number forms in the tests shows.
_NUMBER_FORMS = tuple(
    re.compile(pattern)
    for pattern in (
        r"_(?:(?<![A-Za-z]_)|(?=[0-9.]))",
        r"\+(?=[0-9.])",
        r"\.(?<![0-9]\.)(?=[0-9_iInN])",
        r"0(?<![0-9A-Za-z_.,:]0)(?<![0-9A-Za-z]-0)"
        r"(?:[xXoObB]|[0-9][0-9_.]*(?=[ ]*(?:\n|$|[\]}:#])|,(?![0-9])))",
    )
)
_SCALAR_KEYS = (str, int, float, bool, type(None))  # what the located loader makes text


def native_doubts(text: str) -> bool:
    """Whether `text` holds what yaml-rs may read otherwise than the located loader.

    Checked on the text, so a '&' inside a string doubts too: see the patterns above, and where
    yaml-rs parts from the located loader in the YAML Test Suite: a missing final newline, block
    scalars (none in the agreements), a comment after a key, and flow collections over more than
    one line, with an explicit key (`?`) or an empty key or value.
    """
    if _parsers_differ(text) or any(mark in text for mark in _MARKS) or _ODD.search(text):
        return True
    if ("<" in text and "<<" in text) or _LINE_MARKS.search(text):
        return True
    if text.startswith(("%", "...")) or (text and not text.endswith("\n")):
        return True
    if _DEEP.search(text) or len(text) - len(text.lstrip(" ?:-")) >= MAX_DEPTH:
        return True
    if ("#" in text and _KEY_COMMENT.search(text)) or any(
        form.search(text) for form in _NUMBER_FORMS
    ):
        return True
    if ("|" in text or ">" in text) and _BLOCK_SCALAR.search(text):
        return True
    if "=" in text and _VALUE.search(text):
        return True
    if any(_opens_scalar(text, match.start()) for match in _INDICATORS.finditer(text)):
        return True
    return ("{" in text or "[" in text) and _flow_doubts(text)


def _opens_scalar(text: str, at: int) -> bool:
    """Whether the character at `at` may open a scalar: it opens its line (after blanks), or
    follows `:`, `?` or `-` (blanks between or not)."""
    before = text[text.rfind("\n", 0, at) + 1 : at].rstrip(" ")
    return not before or before[-1] in ":?-"


def _flow_doubts(text: str) -> bool:
    """Whether a line with a flow collection holds what the two read otherwise: a collection
    over more than one line, an explicit key (`?`), an empty key or value, an indicator opening
    a scalar."""
    for line in text.split("\n"):
        opened = line.count("[") + line.count("{")
        if opened and (
            opened != line.count("]") + line.count("}")
            or "?" in line
            or _FLOW_EMPTY.search(line)
            or _FLOW_INDICATOR.search(line)
        ):
            return True
    return False


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
    return _checked(data, 0)


def _checked(data: Any, depth: int) -> Any:
    """`data` with its keys as text, as the located loader makes them (`str(key)`), or DOUBT
    where that loader reports something: a list or map as a key, a duplicate after `str`, a
    float that is not finite, nesting deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        return DOUBT
    kind = type(data)
    if kind is dict:
        result = {}
        for key, value in data.items():
            if type(key) not in _SCALAR_KEYS:
                return DOUBT
            text = key if type(key) is str else str(key)
            if text in result:
                return DOUBT  # `1` and `"1"`
            item = _checked(value, depth + 1)
            if item is DOUBT:
                return DOUBT
            result[text] = item
        return result
    if kind is list:
        items = []
        for value in data:
            item = _checked(value, depth + 1)
            if item is DOUBT:
                return DOUBT
            items.append(item)
        return items
    if kind is float and not math.isfinite(data):
        return DOUBT
    return data
