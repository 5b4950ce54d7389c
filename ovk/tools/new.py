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
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovk.errors import DataError, UsageError
from ovk.findings import Finding, Severity
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
    Member,
    located,
    modeline_for,
    name_taken,
    year_dirs,
    year_members,
)
from ovk.model.read import read, read_member
from ovk.model.text import free_texts
from ovk.model.values import CODE_FORM, NEW_ID_MAX, is_code, new_id, parse_date
from ovk.output.literal import excerpt, literal
from ovk.tools.fmt import CommentMove, keep_comment_places, lost_comments, reorder, without_modeline
from ovk.yamlio.atomic import RefusedWrite, current_umask, refusal, write_atomically
from ovk.yamlio.loader import dump_round_trip, load_round_trip, load_text

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


def _render(kind: str, data: dict[str, Any], path: Path, root: Path) -> str:
    return dump_round_trip(data, modeline_for(kind, path, root))


@dataclass(frozen=True)
class Written:
    """What `new uppdrag` or `new division` wrote, and the warnings validate has for it."""

    paths: list[Path]
    warnings: list[Finding]


def _write_checked(root: Path, year_dir: Path, files: dict[Path, str]) -> Written:
    """Write `files` (path → text) only when validate's checks, run on the year as if they
    stood in place, find no new error; else a usage error listing the findings (nothing is
    written). The checks are validate's own, so what `new` accepts, validate accepts."""
    from ovk.validate.cache import open_cache
    from ovk.validate.engine import check_changes

    created = list(dict.fromkeys(p.parent for p in files if not p.parent.exists()))
    for folder in created:  # where the modeline is resolved from; removed again if refused
        folder.mkdir()
    try:
        found = check_changes(root, year_dir, files, open_cache(root))
    except BaseException:
        _remove_empty(created)
        raise
    errors = [f for f in found if f.severity is Severity.ERROR]
    if errors:
        _remove_empty(created)
        shown = ", ".join(p.relative_to(root).as_posix() for p in files)
        raise UsageError(
            f"{shown} would not validate ({len(errors)} error(s) above); nothing was written",
            details=tuple(located(f) for f in errors),
        )
    for path, text in files.items():
        write_atomically(path, text)
    return Written(list(files), [f for f in found if f.severity is not Severity.ERROR])


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:
        with suppress(OSError):  # something else put a file there meanwhile: it stays
            folder.rmdir()


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


def new_uppdrag(root: Path, spec: NewUppdrag) -> Written:
    """Write agreements/<year>/uppdrag/<id>.yaml when it validates; refuses to overwrite."""
    folder = _year_dir(root, spec.year)
    identity = spec.id if spec.id is not None else new_id(spec.title)
    if spec.id is None and not identity:
        raise UsageError(
            f"<title> {spec.title!r} makes no id (no letter or digit to keep); give <id>",
            "title",
            "id",
        )
    if not re.fullmatch(SLUG_PATTERN, identity):
        raise UsageError(f"<id> {identity!r} is not an id (lower-case a-z, 0-9 and '-')", "id")
    if len(identity) > NEW_ID_MAX:
        raise UsageError(
            f"<id> {identity!r} is {len(identity)} characters; a new id has at most {NEW_ID_MAX}",
            "id",
        )
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
    return _write_checked(root, folder, {path: _render("uppdrag", data, path, root)})


def new_division(root: Path, year: int, code: str, name: str | None) -> Written:
    """Write agreements/<year>/divisions/<CODE>.yaml with an 'Allmänt' section; a code the
    agreement does not list yet is added to overenskommelse.yaml (comments kept)."""
    folder = _year_dir(root, year)
    if not is_code(code):
        raise UsageError(
            f"<code> {code!r} is not a division code: {CODE_FORM}, e.g. VOF",
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
    name = name.strip() if name is not None and name.strip() else None
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
        modeline = modeline_for("overenskommelse", agreement_path, root)
        shown = agreement_path.relative_to(root)
        text = _rewritten(shown, full, agreement, modeline)
    files = {path: _render("division", data, path, root)}
    if text is not None:
        files[agreement_path] = text
    return _write_checked(root, folder, files)


def _rewritten(shown: Path, full: str, data: Any, modeline: str) -> str:
    """The text of `data` (read from `full`, then changed) with every comment of `full` kept
    where it stood, `modeline` first; a DataError naming the comment's line when that
    cannot be."""
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
    return modeline + "\n" + text


@dataclass(frozen=True)
class Mention:
    """A text of the new year that still names the year it was copied from."""

    file: str  # relative to the root
    line: int  # in the new file
    text: str  # the whole text, as the data holds it


@dataclass
class NewYear:
    folder: Path
    source: int
    carried: list[str] = field(default_factory=list)
    left_behind: list[tuple[str, str]] = field(default_factory=list)  # (file, due date)
    title: tuple[str, str] | None = None  # (before, after) when the year in it was moved
    title_kept: Mention | None = None  # a title that names no source year, to check
    diarienummer: str | None = None  # the source year's, cleared
    mentions: list[Mention] = field(default_factory=list)


def _year_pattern(year: int) -> re.Pattern[str]:
    """`year` as a whole number: 2026 in '2022–2026', '2026-06-30' and 'år 2026', not in 12026."""
    return re.compile(rf"(?<![0-9]){year}(?![0-9])")


def default_source(root: Path, year: int) -> int:
    """The year `new year` copies by default: the latest one before `year`."""
    years = [int(d.name) for d in year_dirs(root)]
    earlier = [y for y in years if y < year]
    if not earlier:
        listed = ", ".join(map(str, years)) or "none"
        raise UsageError(
            f"no year before {year} to copy (years: {listed}); give <from>, or start a "
            "repository with 'ovk init'",
            "from",
        )
    return earlier[-1]


def new_year(
    root: Path, year: int, source: int | None = None, *, allow_earlier: bool = False
) -> NewYear:
    """agreements/<year>/ as a copy of <source> (default: the latest year before it): every
    file with its year moved on, except the uppdrag due before the new year starts (left
    behind and listed) and the follow-up reports (uppfoljning/, which belong to the year they
    follow up). The year in the agreement's title is moved on and its diarienummer cleared;
    every other text that names the source year is listed (`mentions`) for the pull request.
    Ids never change. A year not after its source is refused unless `allow_earlier`."""
    if not 2000 <= year <= 2100:
        raise UsageError(f"{year} is not an agreement year (2000-2100)")
    if source is None:
        source = default_source(root, year)
    if year <= source and not allow_earlier:
        raise UsageError(
            f"{year} is not after {source}: a new year starts from an earlier one (give "
            "<allow-earlier> to start it from a later year all the same)",
            "allow-earlier",
        )
    source_dir = _year_dir(root, source)
    target = root / AGREEMENTS / str(year)
    if target.exists():
        raise UsageError(f"{target.relative_to(root)} exists; ovk new year never overwrites")
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
    result = NewYear(target, source)
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
            _copy(member, root, staging / place, target / place, result)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _copy(member: Member, root: Path, staged: Path, final: Path, result: NewYear) -> None:
    """One file, year moved on, through the round-trip writer (comments and their places,
    and the order, kept as `ovk fmt` keeps them), written to `staged` for its place at
    `final`. A member that is a link inside the repository is read where validate read it,
    and written as a regular file. The agreement's title and diarienummer are moved on, and
    the texts that still name the source year are added to `result`."""
    year = int(result.folder.name)
    full = member.path.read_text(encoding="utf-8-sig")
    data = load_round_trip(without_modeline(full))
    if "year" in data:
        data["year"] = year
    if member.kind == "overenskommelse":
        _move_agreement(data, result)
    reorder(data, DOCUMENTS[member.kind])
    try:
        text = _rewritten(Path(member.display), full, data, modeline_for(member.kind, final, root))
    except DataError as error:
        raise DataError(f"{error}; run 'ovk fmt' on the year first") from None
    write_atomically(staged, text)
    shown = final.relative_to(root).as_posix()
    document = load_text(text, shown).document
    if document is None:  # cannot be: the text was written from data that loaded
        raise DataError(f"{shown}: the copy does not load; nothing was written")
    pattern = _year_pattern(result.source)
    for path, value in free_texts(document.data, DOCUMENTS[member.kind]):
        line = document.locate(path)[0]
        if member.kind == "overenskommelse" and path == ("title",) and result.title is None:
            result.title_kept = Mention(shown, line, value)
        elif pattern.search(value):
            result.mentions.append(Mention(shown, line, value))


def _move_agreement(data: Any, result: NewYear) -> None:
    """The year in the title moved on (the source year as a whole number); the diarienummer,
    the source year's case number, cleared."""
    title = data.get("title")
    if isinstance(title, str):
        moved = _year_pattern(result.source).sub(result.folder.name, title)
        if moved != title:
            data["title"] = moved
            result.title = (title, moved)
    if data.get("diarienummer") is not None:
        result.diarienummer = str(data["diarienummer"])
        data["diarienummer"] = None


def checklist(result: NewYear, width: int = 100) -> list[str]:
    """What `new year` has to say about the texts of the new year, for its pull request: the
    title moved (or kept, to check), the diarienummer cleared, and under a heading each text
    that still names the source year as `file:line: text` (an excerpt around the year, shown
    literally)."""
    lines = []
    if result.title is not None:
        lines.append(f"title: {literal(result.title[1])} (was {literal(result.title[0])})")
    if result.title_kept is not None:
        kept = result.title_kept
        lines.append(
            f"title kept, it names no {result.source}: check it: "
            f"{literal(kept.file)}:{kept.line}: {literal(excerpt(kept.text, None, width))}"
        )
    if result.diarienummer is not None:
        lines.append(
            f"diarienummer: cleared (was {literal(result.diarienummer)}); give the new "
            "year's when it has one"
        )
    pattern = _year_pattern(result.source)
    lines.append(f"Texts that still name {result.source} ({len(result.mentions)}):")
    for mention in result.mentions:
        found = pattern.search(mention.text)
        span = found.span() if found else None
        shown = excerpt(mention.text, span, width)
        lines.append(f"  {literal(mention.file)}:{mention.line}: {literal(shown)}")
    return lines
