"""`ovk new`: new agreement files from the schema, and next year's folder from this year's.

Everything is written through the round-trip writer in `ovk.yamlio.loader`, in the schema's key
order, with the schema modeline first, so a new file is already formatted (`ovk fmt --check`
passes) and, with the values given, valid.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovk.errors import DataError, UsageError
from ovk.model.build import build, skeleton
from ovk.model.entities import (
    ALL_DIVISIONS,
    DOCUMENTS,
    FOLLOWUP_OCCASIONS,
    NUMBER_PATTERN,
    SLUG_PATTERN,
    Agreement,
    Division,
    GrunduppdragSection,
    Uppdrag,
    ended_before,
)
from ovk.model.layout import (
    AGREEMENTS,
    FILE_KINDS,
    located,
    modeline_for,
    name_taken,
    year_dirs,
    year_members,
)
from ovk.model.read import read, read_member
from ovk.model.values import is_code, parse_date, slugify
from ovk.tools.fmt import CommentMove, keep_comment_places, lost_comments, reorder, without_modeline
from ovk.yamlio.atomic import RefusedWrite, current_umask, refusal, write_atomically
from ovk.yamlio.loader import dump_round_trip, load_round_trip

DEPTH = {"overenskommelse": 2, "malomraden": 2, "division": 3, "uppdrag": 3}
# What a new year does not take over: the follow-up reports speak of the year they follow up.
NOT_CARRIED = frozenset({"uppfoljning"})


def _flow(items: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _quoted(text: str | None) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return None if text is None else DoubleQuotedScalarString(text)


def _render(kind: str, data: dict[str, Any]) -> str:
    return dump_round_trip(data, modeline_for(kind, DEPTH[kind]))


def _year_dir(root: Path, year: int) -> Path:
    folder = root / AGREEMENTS / str(year)
    if not folder.is_dir():
        years = ", ".join(d.name for d in year_dirs(root))
        raise UsageError(f"no agreement for {year} (years: {years}); start one with 'ovk new year'")
    return folder


def _year_codes(root: Path, folder: Path) -> list[str]:
    """The year's division codes: the `divisions` of its overenskommelse.yaml, the one list."""
    agreement = read(folder / "overenskommelse.yaml", root)  # DataError if missing or broken
    return list(build(Agreement, agreement).codes)


def _codes(text: str, param: str, year: int, valid: list[str], allow_all: bool) -> list[str]:
    """The comma-separated codes of `text`, each one of the year's divisions."""
    codes = [c.strip() for c in text.split(",") if c.strip()]
    allowed = sorted(valid)
    for code in codes:
        if code not in allowed and not (allow_all and code == ALL_DIVISIONS):
            listed = ", ".join(allowed) + (f", or '{ALL_DIVISIONS}'" if allow_all else "")
            raise UsageError(
                f"<{param}> {code!r} is not a division of {year} (divisions: {listed})", param
            )
    return codes


def _date(text: str | None, param: str) -> dt.date | None:
    return None if text is None else parse_date(text, param)


@dataclass(frozen=True)
class NewUppdrag:
    year: int
    title: str
    owners: str
    number: str | None = None
    id: str | None = None
    origin: str = "KS"
    lead: str | None = None
    start: str | None = None
    due: str | None = None
    followup: str = ",".join(FOLLOWUP_OCCASIONS)


def new_uppdrag(root: Path, spec: NewUppdrag) -> Path:
    """Write agreements/<year>/uppdrag/<id>.yaml; refuses to overwrite."""
    folder = _year_dir(root, spec.year)
    identity = spec.id or slugify(spec.title)
    if not re.fullmatch(SLUG_PATTERN, identity):
        raise UsageError(f"<id> {identity!r} is not an id (lower-case a-z, 0-9 and '-')", "id")
    if spec.number is not None and not re.fullmatch(NUMBER_PATTERN, spec.number):
        raise UsageError(f"<number> {spec.number!r} is not a number such as 2.1.4", "number")
    valid = _year_codes(root, folder)
    owners = _codes(spec.owners, "owners", spec.year, valid, allow_all=True)
    if not owners:
        raise UsageError("<owners> needs at least one division code", "owners")
    leads = _codes(spec.lead or "", "lead", spec.year, valid, allow_all=False)
    if len(leads) > 1:
        raise UsageError(f"<lead> names one division, not {len(leads)} ({spec.lead})", "lead")
    lead = leads[0] if leads else None
    followup = [o.strip() for o in spec.followup.split(",") if o.strip()]
    for occasion in followup:
        if occasion not in FOLLOWUP_OCCASIONS:
            raise UsageError(
                f"<followup> {occasion!r} is not one of {', '.join(FOLLOWUP_OCCASIONS)}",
                "followup",
            )
    path = folder / "uppdrag" / f"{identity}.yaml"
    taken = name_taken(path)
    if taken is not None:
        raise UsageError(f"{taken.relative_to(root)} exists; choose another <id>", "id")
    data = skeleton(
        Uppdrag,
        {
            "id": identity,
            "year": spec.year,
            "number": _quoted(spec.number),
            "title": spec.title,
            "origin": spec.origin,
            "owners": _flow(owners),
            "lead": lead,
            "start": _date(spec.start, "start"),
            "due": _date(spec.due, "due"),
            "followup": _flow(followup),
        },
    )
    path.parent.mkdir(exist_ok=True)
    write_atomically(path, _render("uppdrag", data))
    return path


def new_division(root: Path, year: int, code: str, name: str | None) -> list[Path]:
    """Write agreements/<year>/divisions/<CODE>.yaml with an 'Allmänt' section; a code the
    agreement does not list yet is added to overenskommelse.yaml (comments kept)."""
    folder = _year_dir(root, year)
    if not is_code(code):
        raise UsageError(
            f"<code> {code!r} is not a division code: 2 to 10 upper-case letters (A-Z, Å, Ä, Ö) "
            "or digits, starting with a letter, e.g. VOF",
            "code",
        )
    path = folder / "divisions" / f"{code}.yaml"
    taken = name_taken(path)
    if taken is not None:
        raise UsageError(f"{taken.relative_to(root)} exists")
    agreement_path = year_members(root, folder).path("overenskommelse")
    # Through the safe loader and schema first (a DataError if broken), then round-trip to
    # add the code with every comment kept.
    listed = build(Agreement, read(agreement_path, root)).names
    full = agreement_path.read_text(encoding="utf-8-sig")
    agreement = load_round_trip(without_modeline(full))
    if name is None and code not in listed:
        raise UsageError(f"{code} is not a division of {year} yet; give its <name>", "name")
    name = name or listed[code]
    why = refusal(agreement_path) if code not in listed else None
    if why is not None:  # before the division's file is written, not after
        raise RefusedWrite(agreement_path, why)
    data = skeleton(
        Division,
        {
            "year": year,
            "code": code,
            "name": name,
            "grunduppdrag": {
                "number": None,
                "title": f"Grunduppdrag {name}",
                "sections": [
                    skeleton(
                        GrunduppdragSection, {"id": "allmant", "heading": "Allmänt", "areas": []}
                    )
                ],
            },
        },
    )
    text = None
    if code not in listed:
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap([("code", code), ("name", name)])
        divisions = agreement["divisions"]
        if divisions and getattr(divisions[-1], "fa", None) and divisions[-1].fa.flow_style():
            entry.fa.set_flow_style()  # like its neighbours
        divisions.append(entry)
        # Every comment kept where it stands, or nothing written at all.
        text = _rewritten(agreement_path.relative_to(root), full, "overenskommelse", agreement)
    path.parent.mkdir(exist_ok=True)
    write_atomically(path, _render("division", data))
    written = [path]
    if text is not None:
        write_atomically(agreement_path, text)
        written.append(agreement_path)
    return written


def _rewritten(shown: Path, full: str, kind: str, data: Any) -> str:
    """The text of `data` (read from `full`, then changed) with every comment of `full` kept
    where it stood; a DataError naming the comment's line when that cannot be."""
    body = without_modeline(full)
    offset = body != full  # the modeline line was taken off
    try:
        text = keep_comment_places(body, dump_round_trip(data))
    except CommentMove as move:
        raise DataError(
            f"{shown.as_posix()}:{move.line + offset}:{move.column}: {move}; nothing was written"
        ) from None
    lost = lost_comments(body, text)
    if lost:
        line, column, comment = lost[0]
        raise DataError(
            f"{shown.as_posix()}:{line + offset}:{column}: the comment {comment!r} would be "
            "lost (comments inside [...] or {...} are not kept); move it to a line of its own; "
            "nothing was written"
        )
    return modeline_for(kind, DEPTH[kind]) + "\n" + text


@dataclass
class NewYear:
    folder: Path
    carried: list[str] = field(default_factory=list)
    left_behind: list[tuple[str, str]] = field(default_factory=list)  # (file, due date)


def new_year(root: Path, year: int, source: int) -> NewYear:
    """agreements/<year>/ as a copy of <source>: every file with its year moved on, except the
    uppdrag due before the new year starts (left behind and listed) and the follow-up
    reports (uppfoljning/, which belong to the year they follow up). Ids never change."""
    source_dir = _year_dir(root, source)
    target = root / AGREEMENTS / str(year)
    if target.exists():
        raise UsageError(f"{target.relative_to(root)} exists; ovk new year never overwrites")
    if not 2000 <= year <= 2100:
        raise UsageError(f"{year} is not an agreement year (2000-2100)")
    from ovk.validate.engine import validate

    # Only what validates is copied: a link out of the repository, or any other error, is
    # refused with its located line (its target is never read).
    errors = validate(root, [source_dir]).errors
    if errors:
        raise DataError(
            f"{located(errors[0])} (a year with errors is not copied; run 'ovk validate "
            f"{source_dir.relative_to(root).as_posix()}')"
        )
    listing = year_members(root, source_dir)
    listing.check()  # listed anew for the copy: still no link out of the repository
    result = NewYear(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{year}.", dir=target.parent))
    try:
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp's 0700 would stay on the year folder
        for kind in FILE_KINDS.values():
            if kind.folder is not None and kind.name not in NOT_CARRIED:
                (staging / kind.folder).mkdir()
        for member in listing.members:
            if member.kind in NOT_CARRIED:
                continue
            folder = FILE_KINDS[member.kind].folder
            place = Path(folder, member.path.name) if folder else Path(member.path.name)
            if member.kind == "uppdrag":
                due = read_member(Uppdrag, member, root).entity.due
                if due is not None and ended_before(due, year):
                    result.left_behind.append((member.display, due.isoformat()))
                    continue
                result.carried.append(f"{AGREEMENTS}/{year}/{place.as_posix()}")
            _copy(member.path, staging / place, member.kind, year)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _copy(source: Path, target: Path, kind: str, year: int) -> None:
    """One file, year moved on, through the round-trip writer (comments and their places,
    and the order, kept as `ovk fmt` keeps them). A member that is a link inside the
    repository is read where validate read it, and written as a regular file."""
    full = source.read_text(encoding="utf-8-sig")
    data = load_round_trip(without_modeline(full))
    if "year" in data:
        data["year"] = year
    reorder(data, DOCUMENTS[kind])
    try:
        text = _rewritten(source, full, kind, data)
    except DataError as error:
        raise DataError(f"{error}; run 'ovk fmt' on the year first") from None
    write_atomically(target, text)
