"""The one door YAML comes in through: safe, bounded, and located.

ruamel.yaml composes the node graph (every node keeps its line and column); this module then
builds plain Python data from the nodes itself, so that

- no tag is ever executed: anything beyond the plain data types is a finding, on a key as
  on a value, and a plain type's tag on text that is not of that type (`!!bool maybe`) is
  one too, never coerced;
- aliases are bounded: an alias bomb is a finding, not a hang;
- duplicate keys are findings naming both lines;
- dates stay the text the author wrote, so `2026-02-30` is a schema finding, not a crash;
- every value's location is kept for findings.

Keys that are not strings become `str(key)`, and timestamps strings, as check-jsonschema does,
so a standard validator and ovk see the same data.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ovk.findings import Finding, finding, json_path

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64  # agreement files nest about a dozen levels; this leaves room, not abuse
MAX_ALIAS_EXPANSION = 10_000  # nodes reached again through aliases, summed over the file

YAML_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = {YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
MAP_TAG = YAML_TAG + "map"
SEQ_TAG = YAML_TAG + "seq"

Location = tuple[int, int]
JsonPath = tuple[str | int, ...]


@dataclass
class Document:
    """A loaded YAML file: plain data plus where each value and key stood."""

    data: Any
    values: dict[JsonPath, Location] = field(default_factory=dict)
    keys: dict[JsonPath, Location] = field(default_factory=dict)
    first_line: str = ""
    # The text of a fast-loaded document: its locations are found only when a finding asks.
    unlocated: str | None = field(default=None, repr=False)
    # Or where that text is read from when a finding first asks (a document from the index).
    source: Callable[[], str | None] | None = field(default=None, repr=False, compare=False)
    # True when the data surely holds no NaN or infinity: the fast path doubts any such number
    # it resolves, so its documents need no second walk for them (see non_finite_findings).
    finite: bool = field(default=False, repr=False, compare=False)
    # The duplicate keys the fast path read past (only a located document has any): each
    # key's path, line and column, and the line of the key's first occurrence.
    duplicates: list[tuple[JsonPath, int, int, int]] = field(default_factory=list, repr=False)

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """The location of the value at `path` (or its key), else of its nearest ancestor."""
        if self.source is not None:
            source, self.source = self.source, None
            if self.unlocated is None:
                self.unlocated = source()
        if self.unlocated is not None:
            text, self.unlocated = self.unlocated, None
            located = Document(None)
            if fast_data(text, located, duplicates=True) is _DOUBT:  # read before: cannot be
                located = load_text(text, "").document or located
            self.values, self.keys = located.values, located.keys
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


@dataclass
class LoadResult:
    document: Document | None
    findings: list[Finding]


class _Abort(Exception):
    """Stops building a document after a finding that makes the rest meaningless."""

    def __init__(self, found: Finding) -> None:
        super().__init__(found.message)
        self.finding = found


def load_path(path: Path, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    """Load one agreement file; every problem comes back as a finding, never as an exception."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return LoadResult(
                None,
                [
                    finding(
                        display,
                        1,
                        1,
                        "file-size",
                        f"file is {size:,} bytes, over the cap of {max_bytes:,} bytes",
                    )
                ],
            )
        raw = path.read_bytes()
    except OSError as error:
        return LoadResult(
            None,
            [finding(display, 1, 1, "yaml-syntax", f"cannot read file: {error.strerror or error}")],
        )
    return load_bytes(raw, display, max_bytes)


def load_bytes(raw: bytes, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    """Load YAML from bytes (see `load_path`)."""
    if len(raw) > max_bytes:
        return LoadResult(
            None,
            [
                finding(
                    display,
                    1,
                    1,
                    "file-size",
                    f"file is {len(raw):,} bytes, over the cap of {max_bytes:,} bytes",
                )
            ],
        )
    text_or_finding = decode(raw, display)
    if isinstance(text_or_finding, Finding):
        return LoadResult(None, [text_or_finding])
    return load_text(text_or_finding, display)


def decode(raw: bytes, display: str) -> str | Finding:
    """UTF-8 text (a BOM is fine), or an encoding finding at the first bad byte."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if raw.startswith(bom) and not raw.startswith(codecs.BOM_UTF8):
            return finding(display, 1, 1, "encoding", f"file is {name}; ovk reads UTF-8 only")
    zero = raw.find(b"\x00")
    if zero >= 0:
        line, column = _byte_location(raw, zero)
        return finding(
            display,
            line,
            column,
            "encoding",
            "file contains NUL bytes (UTF-16 without a byte-order mark?); ovk reads UTF-8 only",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _byte_location(raw, error.start)
        return finding(
            display,
            line,
            column,
            "encoding",
            f"invalid UTF-8 byte 0x{raw[error.start]:02x} (Latin-1 or Windows-1252?)",
        )


def _byte_location(raw: bytes, offset: int) -> Location:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    prefix = raw[line_start:offset].decode("utf-8", errors="replace")
    return raw.count(b"\n", 0, offset) + 1, len(prefix) + 1


def load_text(text: str, display: str) -> LoadResult:
    """Compose `text` with ruamel.yaml and build plain data from the nodes."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    first_line = text.split("\n", 1)[0]
    early = _early_finding(text, display)
    if early:
        return LoadResult(None, [early])
    try:
        nodes = list(YAML(typ="rt").compose_all(text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(part for part in (error.context, error.problem) if part)
        return LoadResult(
            None, [finding(display, line, column, "yaml-syntax", message or "malformed YAML")]
        )
    except RecursionError:
        return LoadResult(
            None, [finding(display, 1, 1, "nesting-depth", "the file nests too deeply to parse")]
        )
    except YAMLError as error:
        return LoadResult(None, [finding(display, 1, 1, "yaml-syntax", str(error))])
    except Exception as error:
        return LoadResult(
            None,
            [
                finding(
                    display,
                    1,
                    1,
                    "yaml-syntax",
                    f"the YAML parser failed: {type(error).__name__}: {error}",
                )
            ],
        )
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        return LoadResult(
            None,
            [
                finding(
                    display,
                    mark.line + 1,
                    mark.column + 1,
                    "yaml-syntax",
                    "more than one YAML document; an agreement file holds one",
                )
            ],
        )
    document = Document(None, first_line=first_line)
    if not nodes:
        return LoadResult(document, [])
    builder = _Builder(display, document)
    try:
        document.data = builder.build(nodes[0], (), 0, frozenset())
    except _Abort as abort:
        builder.findings.append(abort.finding)
        return LoadResult(None, builder.findings)
    return LoadResult(document, builder.findings)


def _early_finding(text: str, display: str) -> Finding | None:
    """Reject, before parsing, what would make the parser slow or change the YAML version."""
    version = _YAML_1_1.search(text) if "%YAML" in text else None
    if version:
        line = text.count("\n", 0, version.start()) + 1
        return finding(
            display,
            line,
            1,
            "yaml-syntax",
            "ovk reads YAML 1.2 (no yes/no booleans); remove the %YAML 1.1 directive",
        )
    # ruamel.yaml needs seconds to fail on 100,000 nested brackets; counting them is instant.
    # Quotes are ignored, which only matters for strings holding hundreds of unmatched '['.
    if text.count("[") + text.count("{") > _FLOW_DEPTH_LIMIT:
        depth = 0
        for match in _BRACKETS.finditer(text):
            depth += 1 if match.group() in "[{" else -1
            if depth > _FLOW_DEPTH_LIMIT:
                offset = match.start()
                line_start = text.rfind("\n", 0, offset) + 1
                return finding(
                    display,
                    text.count("\n", 0, offset) + 1,
                    offset - line_start + 1,
                    "nesting-depth",
                    f"nesting deeper than {MAX_DEPTH} levels",
                )
    return None


_YAML_1_1 = re.compile(r"^%YAML[ \t]+1\.[01]\b", re.MULTILINE)
_BRACKETS = re.compile(r"[\[\]{}]")
_FLOW_DEPTH_LIMIT = 200


class _Builder:
    """Builds plain data from composed nodes, recording locations and findings."""

    def __init__(self, display: str, document: Document) -> None:
        self.display = display
        self.document = document
        self.findings: list[Finding] = []
        self.seen: set[int] = set()
        self.alias_expansion = 0

    def build(self, node: Any, path: JsonPath, depth: int, ancestors: frozenset[int]) -> Any:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.document.values[path] = (line, column)
        if depth > MAX_DEPTH:
            raise _Abort(
                finding(
                    self.display,
                    line,
                    column,
                    "nesting-depth",
                    f"nesting deeper than {MAX_DEPTH} levels",
                )
            )
        if id(node) in ancestors:
            raise _Abort(
                finding(
                    self.display,
                    line,
                    column,
                    "alias",
                    "an alias refers to a node that contains it",
                )
            )
        if id(node) in self.seen:
            self.alias_expansion += 1
            if self.alias_expansion > MAX_ALIAS_EXPANSION:
                # The node stands at its anchor; the alias is used under the nearest key.
                used_line, used_column = next(
                    (
                        self.document.keys[path[:n]]
                        for n in range(len(path), 0, -1)
                        if path[:n] in self.document.keys
                    ),
                    (line, column),
                )
                raise _Abort(
                    finding(
                        self.display,
                        used_line,
                        used_column,
                        "alias",
                        f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes "
                        f"(an alias bomb?); the anchor is at line {line}",
                    )
                )
        self.seen.add(id(node))
        tag = node.tag
        kind = type(node).__name__
        if kind == "MappingNode":
            self._check_tag(tag, MAP_TAG, line, column, path)
            return self._mapping(node, path, depth, ancestors | {id(node)})
        if kind == "SequenceNode":
            self._check_tag(tag, SEQ_TAG, line, column, path)
            inner = ancestors | {id(node)}
            return [
                self.build(item, (*path, index), depth + 1, inner)
                for index, item in enumerate(node.value)
            ]
        if tag in (MAP_TAG, SEQ_TAG):
            self._mismatch_finding(tag, "this is a scalar", line, column, path)
            return node.value
        if tag not in PLAIN_TAGS:
            self._tag_finding(tag, line, column, path)
            return node.value
        return self._scalar(node, path)

    def _mapping(self, node: Any, path: JsonPath, depth: int, ancestors: frozenset[int]) -> Any:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line, key_column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == YAML_TAG + "merge":
                raise _Abort(
                    finding(
                        self.display,
                        key_line,
                        key_column,
                        "alias",
                        "merge keys (<<) are not supported; write the keys out",
                    )
                )
            if type(key_node).__name__ != "ScalarNode":
                raise _Abort(
                    finding(
                        self.display,
                        key_line,
                        key_column,
                        "yaml-syntax",
                        "a mapping key must be a plain scalar, not a list or map",
                    )
                )
            key_path = (*path, key_node.value)
            if key_node.tag in PLAIN_TAGS:
                key = self._scalar(key_node, key_path)
            else:  # a tag on a key is judged as on a value, and never executed
                self._tag_finding(key_node.tag, key_line, key_column, key_path)
                key = key_node.value
            key = key if isinstance(key, str) else str(key)
            if key in first_seen:
                self.findings.append(
                    duplicate_key(self.display, (*path, key), key_line, key_column, first_seen[key])
                )
                continue
            first_seen[key] = key_line
            self.document.keys[(*path, key)] = (key_line, key_column)
            result[key] = self.build(value_node, (*path, key), depth + 1, ancestors)
        return result

    def _scalar(self, node: Any, path: JsonPath) -> Any:
        # The round-trip parser marks where a folded (>) scalar was folded with '\a' (a
        # character YAML does not allow in text); the value itself has no such marks.
        value = node.value.replace("\a", "") if node.style == ">" else node.value
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        explicit = getattr(node.ctag, "handles", None) is not None  # written, not resolved
        if explicit and not tag_matches(node.tag, value):
            self._mismatch_finding(
                node.tag, f"'{value}' is not {_TAG_NAMES[node.tag]}", line, column, path
            )
            return value
        try:
            return plain_scalar(node.tag, value)
        except ValueError:
            if explicit:
                self._mismatch_finding(
                    node.tag, f"'{value}' is not {_TAG_NAMES[node.tag]}", line, column, path
                )
                return value
            raise _Abort(
                finding(
                    self.display,
                    line,
                    column,
                    "yaml-syntax",
                    f"cannot read '{node.value}' as a number",
                )
            ) from None

    def _check_tag(self, tag: str, expected: str, line: int, column: int, path: JsonPath) -> None:
        if tag == expected:
            return
        if tag in _TAG_NAMES:  # a core tag on the wrong kind of node: !!str [1], !!seq {}
            shown = "a list" if expected == SEQ_TAG else "a mapping"
            self._mismatch_finding(tag, f"this is {shown}", line, column, path)
        else:
            self._tag_finding(tag, line, column, path)

    def _mismatch_finding(
        self, tag: str, what: str, line: int, column: int, path: JsonPath
    ) -> None:
        shown = tag.replace(YAML_TAG, "!!")
        message = f"tag '{shown}' says {_TAG_NAMES[tag]}, but {what}"
        self._tag_finding(tag, line, column, path, "tag-mismatch", message)

    def _tag_finding(
        self,
        tag: str,
        line: int,
        column: int,
        path: JsonPath,
        rule: str = "unsafe-tag",
        message: str | None = None,
    ) -> None:
        shown = tag.replace(YAML_TAG, "!!")
        message = message or f"tag '{shown}' is not allowed (it is not executed)"
        self.findings.append(finding(self.display, line, column, rule, message, json_path(path)))


def duplicate_key(display: str, path: JsonPath, line: int, column: int, first: int) -> Finding:
    """The finding on a key written a second time in its mapping (the value under the first
    is the one read)."""
    message = f"duplicate key '{path[-1]}' (first at line {first})"
    return finding(display, line, column, "duplicate-key", message, json_path(path))


def duplicate_findings(document: Document, display: str) -> list[Finding]:
    """The findings on the duplicate keys the fast path read past, in the file's order."""
    return [duplicate_key(display, *duplicate) for duplicate in document.duplicates]


_TAG_NAMES = {
    YAML_TAG + "str": "text",
    YAML_TAG + "int": "an integer",
    YAML_TAG + "float": "a number",
    YAML_TAG + "bool": "true or false",
    YAML_TAG + "null": "null",
    YAML_TAG + "timestamp": "a date or time",
    MAP_TAG: "a mapping",
    SEQ_TAG: "a list",
}


def tag_matches(tag: str, value: str) -> bool:
    """Whether `value` is what its explicit core tag says under YAML 1.2, as the same text
    written without the tag would be read (`!!int "5"`, `!!str 2026`, and `!!float 5`, an
    integer being a number); `!!bool maybe` and `!!null text` are not."""
    if tag == _STR:
        return True
    if tag == YAML_TAG + "float" and _DECIMAL.match(value):
        return True
    return any(regexp.match(value) for regexp in _patterns().get(tag, ()))


_DECIMAL = re.compile(r"^[-+]?[0-9][0-9_]*$")


@cache
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    """The YAML 1.2 implicit resolvers' patterns, by the tag they resolve to."""
    by_tag: dict[str, list[re.Pattern[str]]] = {}
    for candidates in _resolvers().values():
        for tag, regexp in candidates:
            if regexp not in by_tag.setdefault(tag, []):
                by_tag[tag].append(regexp)
    return by_tag


def plain_scalar(tag: str, value: str) -> Any:
    """A scalar's value under the YAML 1.2 core schema, as ruamel.yaml's safe loader reads it.

    Timestamps stay text: the schema's `format: date` judges them, as in check-jsonschema.
    """
    if tag == YAML_TAG + "str" or tag == YAML_TAG + "timestamp":
        return value
    if tag == YAML_TAG + "null":
        return None
    if tag == YAML_TAG + "bool":
        return value.lower() == "true"
    digits = value.replace("_", "")
    if tag == YAML_TAG + "int":
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if digits.startswith(prefix):
                return sign * int(digits[2:], base)
        return sign * int(digits)
    lowered = digits.lower()
    if lowered.lstrip("+-") == ".inf":
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(digits)


# --- writing: the same door, the other way ------------------------------------------------------
#
# `ovk fmt` and `ovk new` write through one ruamel.yaml round-trip instance, so comments, flow
# lists and the author's quotes survive. The canonical style is the one the shipped data was
# written in: two-space mappings, list dashes indented two under their key, `null` spelled out,
# double quotes where quotes are needed (single ones around text that holds
# double quotes), and no line wrapping (a paragraph stays one line, so a
# changed sentence is a one-line diff).

WRITE_WIDTH = 1_000_000  # never fold: long paragraphs stay on one line


def _round_trip_yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.emitter import Emitter

    class _DoubleQuotingEmitter(Emitter):
        """Double quotes where quotes are needed, single ones only around text holding `"`."""

        def choose_scalar_style(self) -> Any:
            style = super().choose_scalar_style()
            if style == "'" and '"' not in self.event.value:
                return '"'
            return style

    yaml = YAML(typ="rt")
    yaml.Emitter = _DoubleQuotingEmitter
    yaml.width = WRITE_WIDTH
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar(YAML_TAG + "null", "null")
    )
    return yaml


def load_round_trip(text: str) -> Any:
    """`text` as ruamel.yaml's commented structures, for rewriting (load it with `load_text`
    first: this parser is not bounded, it only runs on text that passed the safe loader)."""
    return _round_trip_yaml().load(text)


def dump_round_trip(data: Any, first_line: str | None = None) -> str:
    """The canonical text of `data` (commented structures or plain data), after `first_line`."""
    import io

    buffer = io.StringIO()
    if first_line is not None:
        buffer.write(first_line + "\n")
    _round_trip_yaml().dump(data, buffer)
    return buffer.getvalue()


# The fast path. Most files in a run are clean, and ruamel.yaml's round-trip parser (pure
# Python, needed for locations) is about 20 times slower than its C parser. `fast_load` reads
# a file with the C parser's event stream and builds the data itself with the same YAML 1.2
# resolution as above, but only says "here is the data" when nothing is in doubt: one document,
# no directives, tags, anchors or aliases, no duplicate or non-scalar keys, no merge keys, no
# number that is not finite, no deeper nesting than MAX_DEPTH. Anything else (and any error of
# the C parser) gives None, and the caller takes the located path, which then produces every
# finding: findings come from one code path only. tests/test_fast_path.py proves both paths
# read the same data.


def fast_load(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, located: bool = False
) -> Document | None:
    """The file read with the C parser, or None when only `load_path` may judge it.

    Without `located` the document finds its locations only when asked (see `locate`); with
    it they are read from the C parser's marks, which tests show are ruamel.yaml's own.
    """
    raw = read_capped(path, max_bytes)
    return None if raw is None else fast_load_bytes(raw, located=located)


def read_capped(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | None:
    """The file's bytes, or None when it cannot be read or is over the cap."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    return None if len(raw) > max_bytes else raw


def fast_load_bytes(
    raw: bytes, *, located: bool = False, duplicates: bool = False
) -> Document | None:
    """`fast_load` for bytes already read (and within the cap).

    With `duplicates`, a file whose only doubt is a duplicate key is read too, as the located
    loader reads it (the later key and its value passed over), into a located document that
    lists them (`Document.duplicates`, see `duplicate_findings`): such a file is not clean,
    and its findings need locations anyway.
    """
    text = decode(raw, "")
    if isinstance(text, Finding) or _early_finding(text, "") is not None:
        return None
    first_line = text.split("\n", 1)[0]
    if not located:
        data = _fast_data(text, None, False)
        if data is _DOUBT or (data is _DUPLICATE and not duplicates):
            return None
        if data is not _DUPLICATE:
            return Document(data, first_line=first_line, unlocated=text, finite=True)
    document = Document(None, first_line=first_line, finite=True)
    document.data = fast_data(text, document, duplicates=duplicates)
    return None if document.data is _DOUBT else document


_DOUBT: Any = object()
_DUPLICATE: Any = object()  # a doubt only for its duplicate key, which a located read passes


def warm_up() -> None:
    """Import and compile what `fast_load` needs (before forking workers, say)."""
    import _ruamel_yaml  # noqa: F401
    import ruamel.yaml.events  # noqa: F401

    from ovk.yamlio.native import available

    available()
    _resolvers()


def fast_data(text: str, located: Document | None = None, *, duplicates: bool = False) -> Any:
    """The data of `text` as `load_text` builds it, or `_DOUBT`; with `located`, the
    locations of its values and keys are recorded there too, and with `duplicates` as well,
    a duplicate key is passed over as `load_text` passes it (its value unread) and listed in
    `located.duplicates` instead of being a doubt."""
    data = _fast_data(text, located, duplicates)
    return _DOUBT if data is _DUPLICATE else data


def events_data(text: str, located: Document | None = None, *, duplicates: bool = False) -> Any:
    """`fast_data` from the C parser's events alone (never yaml-rs)."""
    data = _events_data(text, located, duplicates)
    return _DOUBT if data is _DUPLICATE else data


def _fast_data(text: str, located: Document | None, duplicates: bool) -> Any:
    """`fast_data`, or `_DUPLICATE` where a duplicate key is its only doubt so far. Without
    `located`, yaml-rs reads the text first (ovk/yamlio/native.py, which gives no locations);
    where it doubts, the C parser's events do."""
    if located is None:
        from ovk.yamlio.native import native_data

        data = native_data(text)
        if data is not _DOUBT:
            return data
    return _events_data(text, located, duplicates)


def _events_data(text: str, located: Document | None, duplicates: bool) -> Any:
    """`_fast_data` from the C parser's events."""
    if _parsers_differ(text):
        return _DOUBT
    try:
        from _ruamel_yaml import CParser
    except ImportError:  # pragma: no cover - ruamel.yaml.clib is a dependency
        return _DOUBT
    try:
        parser = CParser(text)
        try:
            return _build_from_events(parser, located, duplicates and located is not None)
        finally:
            parser.dispose()
    except Exception:  # whatever the C parser objects to, the located path reports
        return _DOUBT


def _build_from_events(parser: Any, located: Document | None, duplicates: bool) -> Any:
    # The loop runs once per event (about 330 a file): the open container's state is kept in
    # local variables, saved on `stack` while a child is open, and the located path's work is
    # skipped behind one flag; attribute and subscript lookups are the loop's cost here.
    from ruamel.yaml import events

    scalar, alias = events.ScalarEvent, events.AliasEvent
    mapping_start, sequence_start = events.MappingStartEvent, events.SequenceStartEvent
    mapping_end, sequence_end = events.MappingEndEvent, events.SequenceEndEvent
    document_end = events.DocumentEndEvent
    resolvers = _resolvers()
    plain_values = _PLAIN_VALUES
    no_key = _NO_KEY
    locate = located is not None
    values = located.values if located is not None else {}
    keys = located.keys if located is not None else {}
    get_event = parser.get_event
    get_event()  # StreamStart
    event = get_event()
    if type(event) is events.StreamEndEvent:
        return None
    if type(event) is not events.DocumentStartEvent or event.version or event.tags:
        return _DOUBT
    # The open container (None at the top), whether it is a mapping, its pending key (or
    # _NO_KEY), the line that key ended on, and its JSON path (only when locating).
    container: Any = None
    is_map = False
    key: Any = no_key
    key_line = 0
    path: JsonPath = ()
    stack: list[tuple[Any, bool, Any, int, JsonPath]] = []  # the enclosing containers' states
    passed: list[_PassedOver] = []  # duplicate keys' stand-ins (see _pass_over)
    root: Any = _DOUBT
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar:
            if event.anchor is not None or event.ctag is not None:
                return _DOUBT
            item = event.value
            if event.implicit[0]:  # plain: resolved as the round-trip loader does (YAML 1.2)
                if locate and not item:
                    return _DOUBT  # an empty value stands nowhere: the parsers place it apart
                if item[:1] in resolvers:
                    resolved = plain_values.get(item, _DOUBT)
                    if resolved is _DOUBT:
                        resolved = _plain_value(resolvers[item[:1]], item)
                        if resolved is _DOUBT:
                            return _DOUBT
                        if len(item) <= 64 and len(plain_values) < 100_000:
                            plain_values[item] = resolved
                    item = resolved
            elif event.style in _BLOCK_STYLES and (not item or item[0] == "\n"):
                return _DOUBT  # leading empty lines, where the two parsers differ
            # A scalar: a key or a key's value, an item, or the document.
            if is_map:
                if key is no_key:
                    key = item if type(item) is str else str(item)
                    if key in container:  # a duplicate: load_text names both lines
                        if not duplicates:
                            return _DUPLICATE
                        key = _pass_over(located, path, key, event.start_mark, container)
                        passed.append(key)
                        key_line = event.end_mark.line
                        continue
                    key_line = event.end_mark.line
                    if locate:
                        mark = event.start_mark
                        keys[(*path, key)] = (mark.line + 1, mark.column + 1)
                    continue
                mark = event.start_mark
                if mark.line > key_line + 1:
                    return _DOUBT  # comment lines between a key and its text trip ruamel.yaml up
                if locate:
                    values[(*path, key)] = (mark.line + 1, mark.column + 1)
                container[key] = item
                key = no_key
            elif container is not None:
                if locate:
                    mark = event.start_mark
                    values[(*path, len(container))] = (mark.line + 1, mark.column + 1)
                container.append(item)
            else:
                root = item
                if locate:
                    values[()] = (event.start_mark.line + 1, event.start_mark.column + 1)
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.ctag is not None or len(stack) >= MAX_DEPTH:
                return _DOUBT
            if is_map and key is no_key:
                return _DOUBT  # a list or map as a key
            stack.append((container, is_map, key, key_line, path))
            if locate:
                if container is not None:
                    path = (*path, key if is_map else len(container))
                mark = event.start_mark
                values[path] = (mark.line + 1, mark.column + 1)
            is_map = kind is mapping_start
            container = {} if is_map else []
            key = no_key
        elif kind is mapping_end or kind is sequence_end:
            item = container
            container, is_map, key, key_line, path = stack.pop()
            if is_map:
                container[key] = item
                key = no_key
            elif container is not None:
                container.append(item)
            else:
                root = item
        elif kind is document_end:
            break
        else:  # an AliasEvent: aliases are the located path's to bound
            assert kind is alias
            return _DOUBT
    if type(get_event()) is not events.StreamEndEvent:
        return _DOUBT  # more than one document
    if passed:
        _forget(passed, located)
    return root


class _PassedOver:
    """The key a duplicate's value is read under, so that it overwrites nothing: a key no
    YAML text can be, removed with its value and their locations once the file is read."""

    __slots__ = ("container",)

    def __init__(self, container: dict[Any, Any]) -> None:
        self.container = container


def _pass_over(
    located: Document | None, path: JsonPath, key: str, mark: Any, container: dict[Any, Any]
) -> _PassedOver:
    """A duplicate key's stand-in, and the duplicate listed (unless it is within a value passed
    over already, which `load_text` never reads)."""
    assert located is not None
    if not any(isinstance(part, _PassedOver) for part in path):
        first = located.keys[(*path, key)][0]
        located.duplicates.append(((*path, key), mark.line + 1, mark.column + 1, first))
    return _PassedOver(container)


def _forget(passed: list[_PassedOver], located: Document | None) -> None:
    assert located is not None
    for stand_in in passed:
        del stand_in.container[stand_in]
    for table in (located.values, located.keys):
        for path in [p for p in table if any(isinstance(part, _PassedOver) for part in p)]:
            del table[path]


_STR = YAML_TAG + "str"
# Plain scalars that the resolvers turn into something (keys, null, numbers, dates) repeat from
# file to file; each text is resolved once per run.
_PLAIN_VALUES: dict[str, Any] = {}


def _plain_value(candidates: list[tuple[str, re.Pattern[str]]], text: str) -> Any:
    tag = next((tag for tag, regexp in candidates if regexp.match(text)), _STR)
    if tag not in PLAIN_TAGS:
        return _DOUBT  # merge keys, '=' and the like: the located path says
    try:
        value = plain_scalar(tag, text)
    except ValueError:
        return _DOUBT
    if type(value) is float and not math.isfinite(value):
        return _DOUBT  # `.nan`, `.inf`, `1e999`: a finding, which the located path makes
    return value


_NO_KEY: Any = object()
_BLOCK_STYLES = ("|", ">")
_LINE_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff")


def _parsers_differ(text: str) -> bool:
    """Where libyaml and ruamel.yaml's own parser part (YAML Test Suite, and a fuzzer's
    documents): tabs anywhere (never needed in an agreement), the characters ruamel.yaml
    reads as line breaks (NEL, U+2028, U+2029) or drops (a BOM after the first), and a
    comment right after a block scalar indicator (`>-#`)."""
    if "\t" in text or any(char in text for char in _LINE_BREAKS):
        return True
    hash_at = text.find("#")
    while hash_at > 0:
        before = hash_at
        while before > 0 and text[before - 1] in "-+0123456789":
            before -= 1
        if before > 0 and text[before - 1] in "|>":
            return True
        hash_at = text.find("#", hash_at + 1)
    return False


@cache
def _resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """ruamel.yaml's own YAML 1.2 implicit resolvers, by first character (as it uses them)."""
    from ruamel.yaml.resolver import implicit_resolvers

    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            for char in first:
                # ruamel.yaml compiles its patterns lazily; compile each once, the same way.
                table.setdefault(char, []).append((tag, re.compile(regexp.pattern, regexp.flags)))
    return table
