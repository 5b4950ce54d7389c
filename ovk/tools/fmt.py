"""`ovk fmt`: rewrite agreement files in the canonical style, keeping every comment and value.

A file is formatted only when the safe loader reads it without findings; the rewrite goes
through the round-trip writer in `ovk.yamlio.loader`, mapping keys are put in the order of their
schema's `properties` (keys the schema does not know keep their order, after the known ones;
comments travel with the key they follow), and the first line becomes the schema modeline.
Before anything is written, the new text is loaded again and must give exactly the old data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovk.findings import Severity
from ovk.model.build import item_type, shape_of
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


def format_text(text: str, kind: str, depth_below_root: int) -> str:
    """The canonical text of one agreement file of `kind` (its data must load cleanly)."""
    data = load_round_trip(without_modeline(text))
    reorder(data, DOCUMENTS[kind])
    return dump_round_trip(data, modeline_for(kind, depth_below_root))


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


def format_file(file: Member, *, check: bool) -> Outcome:
    """Format one file in place (atomically, only when it changes); with `check`, only tell."""
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
    # The modeline is relative to the folder holding agreements/, wherever that stands.
    depth = file.display.count("/")
    from ruamel.yaml.error import YAMLError

    try:
        formatted = format_text(original, file.kind, depth)
    except (ValueError, YAMLError) as error:  # ruamel.yaml's constructor: an impossible date
        return Outcome(file.display, False, f"cannot read for rewriting: {error}")
    body = without_modeline(original)
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
    outcomes = [format_file(member, check=check) for member in selection.members]
    for problem in selection.problems:
        if problem.severity is Severity.ERROR:
            outcomes.append(Outcome(problem.file, False, f"{problem.rule} {problem.message}"))
        else:
            outcomes.append(Outcome(problem.file, False, skipped=True))
    return outcomes
