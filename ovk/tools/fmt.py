"""`ovk fmt`: rewrite agreement files in the canonical style, keeping every comment and value.

A file is formatted only when the safe loader reads it without findings; the rewrite goes
through the round-trip writer in `ovk.yamlio.loader`, mapping keys are put in the order of their
schema's `properties` (keys the schema does not know keep their order, after the known ones),
and the first line becomes the schema modeline (`modeline_for`: the repository's schema/, or
the published schema when it has none). An end-of-line comment stays on its line; the
full-line comments and blank lines between two entries stay directly above the key or list
item written after them (`keep_comment_places`), or the file is not formatted. Before anything
is written, the new text is loaded again and must give exactly the old data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovk.findings import Severity
from ovk.model.build import item_type, shape_of, value_type
from ovk.model.entities import DOCUMENTS
from ovk.model.layout import MODELINE, Member, modeline_for, select
from ovk.model.spec import is_entity, properties
from ovk.yamlio.atomic import RefusedWrite, refusal, write_atomically
from ovk.yamlio.loader import dump_round_trip, load_path, load_round_trip, load_text


@dataclass(frozen=True)
class Outcome:
    """What `fmt` did (or would do) with one file."""

    display: str
    changed: bool
    problem: str | None = None  # why the file could not be formatted
    line: int = 1
    column: int = 1
    skipped: bool = False  # not part of the layout: no schema says how to format it


def format_text(text: str, kind: str, modeline: str) -> str:
    """The canonical text of one agreement file of `kind` (its data must load cleanly), with
    `modeline` (`modeline_for`) first; `CommentMove` when a comment could not stay above the
    entry it was written above."""
    body = without_modeline(text)
    data = load_round_trip(body)
    reorder(data, DOCUMENTS[kind])
    placed = keep_comment_places(body, dump_round_trip(data))
    return modeline + "\n" + placed


def without_modeline(text: str) -> str:
    """`text` without its first line when that is a schema modeline (it is written anew)."""
    lines = text.split("\n", 1)
    if MODELINE.match(lines[0]):
        return lines[1] if len(lines) > 1 else ""
    return text


_COMMENT = re.compile(r"(?:^|\s)#(.*)$")


def comments(text: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of every comment; a ' #' inside quotes counts too, alike on both
    sides of a rewrite, so comparing the two is still fair."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _COMMENT.search(line)
        if match:
            found.append((number, line.index("#", match.start()) + 1, match.group(1).strip()))
    return found


def lost_comments(before: str, after: str) -> list[tuple[int, int, str]]:
    """The comments of `before` that `after` no longer has (located in `before`)."""
    remaining = Counter(text for _, _, text in comments(after))
    lost = []
    for line, column, text in comments(before):
        if remaining[text]:
            remaining[text] -= 1
        else:
            lost.append((line, column, text))
    return lost


class CommentMove(ValueError):
    """A full-line comment that a rewrite would not keep directly above its entry."""

    def __init__(self, line: int, column: int, text: str) -> None:
        super().__init__(
            f"the comment {text!r} would not stay above the entry it is written above; "
            "move it above a key of its own"
        )
        self.line, self.column, self.text = line, column, text

    @classmethod
    def at(cls, start: int, lines: list[str]) -> CommentMove:
        """The first comment of a run of `lines` starting at 0-based line `start`, located."""
        first = next((k for k, line in enumerate(lines) if line.strip()), 0)
        line = lines[first] if lines else ""
        return cls(start + first + 1, line.find("#") + 1, line.strip()[1:].strip())


Path_ = tuple[str | int, ...]
# A run of full-line comments and blank lines: the entry it stands above (None: the end of the
# document), its first line (0-based) and its lines.
Run = tuple[Path_ | None, int, list[str]]


def _content_lines(text: str) -> set[int]:
    """The lines (0-based) that hold text of a scalar (a block scalar's `# x` is text) or lie
    inside a flow collection after its first line: no comment of these may move."""
    from ruamel.yaml import YAML
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, ScalarEvent

    inside: set[int] = set()
    flows: list[int] = []
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, CollectionStartEvent) and (event.flow_style or flows):
            flows.append(event.start_mark.line)
            continue
        if isinstance(event, CollectionEndEvent) and flows:
            start = flows.pop()
            if not flows:
                end = event.end_mark
                inside.update(range(start + 1, end.line + (end.column > 0)))
            continue
        if isinstance(event, ScalarEvent):
            start, end = event.start_mark, event.end_mark
            inside.update(range(start.line + 1, end.line + (end.column > 0)))
    return inside


def _entries(text: str) -> dict[int, Path_]:
    """The outermost key or list item starting on each line (0-based) that starts one."""
    document = load_text(text, "").document
    if document is None:  # cannot be: the text was written from data that loaded
        raise ValueError("the rewritten text does not load")
    found: dict[int, Path_] = {}
    starts = [*document.keys.items()]
    starts += [(path, at) for path, at in document.values.items() if path and type(path[-1]) is int]
    for path, (line, _) in starts:
        if line - 1 not in found or len(path) < len(found[line - 1]):
            found[line - 1] = path
    return found


def comment_runs(text: str) -> list[Run]:
    """Every run of full-line comments and blank lines, with the entry written after it."""
    lines = text.splitlines()
    if not any(not line.strip() or line.lstrip().startswith("#") for line in lines):
        return []  # the common case: nothing to parse for
    content = _content_lines(text)
    gap = [
        n not in content and (not line.strip() or line.lstrip().startswith("#"))
        for n, line in enumerate(lines)
    ]
    entries: dict[int, Path_] | None = None
    runs: list[Run] = []
    n = 0
    while n < len(lines):
        if not gap[n]:
            n += 1
            continue
        start = n
        while n < len(lines) and gap[n]:
            n += 1
        path: Path_ | None = None
        if n < len(lines):
            entries = _entries(text) if entries is None else entries
            if n not in entries:  # between a key and its value: nothing to keep it with
                raise CommentMove.at(start, lines[start:n])
            path = entries[n]
        runs.append((path, start, lines[start:n]))
    return runs


def keep_comment_places(before: str, after: str) -> str:
    """`after` (a rewrite of `before` with the same entries, perhaps reordered or added to)
    with each run of full-line comments and blank lines of `before` put back directly above
    the entry it stood above, indented like it; `CommentMove` when that cannot be."""
    runs = comment_runs(before)
    if not runs:
        return after
    drop = {start + k for _, start, lines in comment_runs(after) for k in range(len(lines))}
    kept = [line for n, line in enumerate(after.splitlines()) if n not in drop]
    where = {path: line for line, path in _entries("\n".join(kept) + "\n").items()}
    above: dict[int, list[str]] = {}
    trailing: list[str] = []
    for path, start, lines in runs:
        if path is None:
            trailing = [line.strip() for line in lines]
            continue
        target = where.get(path)
        if target is None:
            raise CommentMove.at(start, lines)
        indent = kept[target][: len(kept[target]) - len(kept[target].lstrip())]
        above[target] = [indent + line.strip() if line.strip() else "" for line in lines]
    out: list[str] = []
    for n, line in enumerate(kept):
        out.extend(above.get(n, []))
        out.append(line)
    result = "\n".join([*out, *trailing]) + "\n"
    _check_places(runs, before, result)
    return result


def _check_places(runs: list[Run], before: str, result: str) -> None:
    """Each run of `before` stands in `result` above the same entry, and no comment was
    added (a full-line comment the writer turned into an end-of-line one)."""
    placed = {path: [line.strip() for line in lines] for path, _, lines in comment_runs(result)}
    for path, start, lines in runs:
        if placed.get(path) != [line.strip() for line in lines]:
            raise CommentMove.at(start, lines)
    extra = Counter(text for _, _, text in comments(result))
    extra.subtract(text for _, _, text in comments(before))
    if any(count > 0 for count in extra.values()):
        found = next(text for text, count in extra.items() if count > 0)
        line, column = next((ln, col) for ln, col, text in comments(before) if text == found)
        raise CommentMove(line, column, found)


def reorder(value: Any, tp: Any) -> None:
    """Put the keys of every mapping under `value` in the order the model declares them
    (keys the model does not know keep their order, last), where the model expects `tp`."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    shape = shape_of(tp, value)
    if isinstance(value, CommentedMap) and is_entity(shape):
        by_key = {p.key: p for p in properties(shape)}
        wanted = [k for k in by_key if k in value] + [k for k in value if k not in by_key]
        if list(value) != wanted:
            for key in wanted:  # move_to_end keeps each key's comments (stored by key)
                value.move_to_end(key)
        for key, item in value.items():
            if key in by_key:
                reorder(item, by_key[key].type)
    elif isinstance(value, CommentedSeq) and (items := item_type(shape)) is not None:
        for item in value:
            reorder(item, items)
    elif isinstance(value, CommentedMap) and (values := value_type(shape)) is not None:
        for item in value.values():  # a map of entities by id (a follow-up report's)
            reorder(item, values)


def format_file(file: Member, root: Path, *, check: bool) -> Outcome:
    """Format one file of the repository at `root` in place (atomically, only when it
    changes); with `check`, only tell."""
    path = file.path
    loaded = load_path(path, file.display)
    if loaded.document is None or loaded.findings:
        first = loaded.findings[0]
        return Outcome(
            file.display, False, f"{first.rule} {first.message}", first.line, first.column
        )
    original = path.read_bytes().decode("utf-8-sig")
    if loaded.document.data is None:
        return Outcome(file.display, False, "the file is empty")
    # The modeline names the repository's schema/ when it has the file, else the published one.
    modeline = modeline_for(file.kind, file.display, root)
    from ruamel.yaml.error import YAMLError

    body = without_modeline(original)
    try:
        formatted = format_text(original, file.kind, modeline)
    except CommentMove as move:
        line = move.line + (body != original)  # the modeline line was taken off
        return Outcome(file.display, False, str(move), line, move.column)
    except (ValueError, YAMLError) as error:  # ruamel.yaml's constructor: an impossible date
        return Outcome(file.display, False, f"cannot read for rewriting: {error}")
    lost = lost_comments(body, formatted)
    if lost:  # ruamel.yaml drops comments inside flow lists [a, # like this
        line, column, text = lost[0]
        return Outcome(
            file.display,
            False,
            f"the comment {text!r} would be lost (comments inside [...] or {{...}} are not "
            "kept); move it to a line of its own",
            line + (body != original),  # the modeline line was taken off
            column,
        )
    again = load_text(formatted, file.display)
    if again.document is None or again.document.data != loaded.document.data:
        # Never write what would change the data; this is a bug in ovk if it ever happens.
        return Outcome(file.display, False, "formatting would change the data; left as is")
    changed = formatted.encode("utf-8") != path.read_bytes()
    if changed:  # a member that is a link (inside the repository) or read-only is not rewritten
        why = refusal(path)
        if why is not None:
            return Outcome(file.display, False, why)
    if changed and not check:
        try:
            write_atomically(path, formatted)
        except RefusedWrite as error:  # it became one since
            return Outcome(file.display, False, error.reason)
        except OSError as error:
            return Outcome(file.display, False, f"cannot write: {error.strerror or error}")
    return Outcome(file.display, changed)


def format_paths(root: Path, paths: Iterable[Path], *, check: bool) -> list[Outcome]:
    """Format (or check) the members the paths name (default: all); one outcome per file,
    members in order, then the layout's problems (errors cannot be formatted, a file in an
    unknown place is skipped)."""
    selection = select(root, list(paths))
    outcomes = [format_file(member, root, check=check) for member in selection.members]
    for problem in selection.problems:
        if problem.severity is Severity.ERROR:
            outcomes.append(Outcome(problem.file, False, f"{problem.rule} {problem.message}"))
        else:
            outcomes.append(Outcome(problem.file, False, skipped=True))
    return outcomes
