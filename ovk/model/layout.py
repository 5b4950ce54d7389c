"""Where things are: the root, the year folders, the file kinds and the members of a year.

This is the one module that decides which files belong to a year. Besides its YAML members a
year folder may hold its Kolada snapshot (`SNAPSHOT`, written by `ovk kolada fetch`, read by
the cross-file rules), which is part of the year but no member: it has no schema, and `fmt`
and `list` do not show it. `year_members` lists one
year folder (one scandir per folder; only links are resolved) and `select` maps the paths a
user typed onto that listing, the same from any working folder. What cannot be a member (a
link out of the repository, a broken link, a folder named like a file, a YAML file in an
unknown place) is a located finding, never read and never an exception; every command that
lists files (validate, list, diff, render, export, fmt, new, completion) goes through here.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from ovk.errors import DataError, UsageError
from ovk.findings import KOLADA_RULES, Finding, Severity, finding
from ovk.model.values import OCCASION_BY_SLUG, OCCASION_SLUGS
from ovk.model.vocabulary import KINDS, SCHEMA_BASE_URI

AGREEMENTS = "agreements"
SCHEMA_FOLDER = "schema"  # the repository's own schemas (`ovk schema -o schema/`)
YEAR_FOLDER = re.compile(r"^[0-9]{4}$")
SUFFIXES = (".yaml", ".yml")  # alike everywhere; a new file is written as .yaml
SNAPSHOT = "kolada.json"  # a year's Kolada snapshot, beside overenskommelse.yaml


@dataclass(frozen=True)
class FileKind:
    """One kind of agreement file: its schema and where its files stand in a year folder."""

    name: str  # a key of KINDS
    schema: str  # the schema file name
    folder: str | None  # the year's folder holding one file per entity, or None ...
    stem: str | None  # ... for the one file of that name in the year folder itself
    # Whether the folder holds one folder per follow-up occasion (var, delar, helar), the
    # files in those: a follow-up report's place is its occasion and its division.
    occasions: bool = False

    @property
    def where(self) -> str:
        """Where such a file stands, as the messages say it."""
        if self.folder is None:
            return f"<year>/{self.stem}.yaml"
        if self.occasions:
            return f"<year>/{self.folder}/<{'|'.join(OCCASION_SLUGS.values())}>/<CODE>.yaml"
        return f"<year>/{self.folder}/<{'CODE' if self.name == 'division' else 'id'}>.yaml"


FILE_KINDS: dict[str, FileKind] = {
    "overenskommelse": FileKind(
        "overenskommelse", KINDS["overenskommelse"], None, "overenskommelse"
    ),
    "malomraden": FileKind("malomraden", KINDS["malomraden"], None, "malomraden"),
    "division": FileKind("division", KINDS["division"], "divisions", None),
    "uppdrag": FileKind("uppdrag", KINDS["uppdrag"], "uppdrag", None),
    "uppfoljning": FileKind("uppfoljning", KINDS["uppfoljning"], "uppfoljning", None, True),
}


def report_file(year: int, occasion: str, code: str) -> str:
    """Where a division's follow-up report at an occasion stands, relative to the root: the
    contract's place (`agreements/2026/uppfoljning/delar/KLK.yaml`)."""
    folder = FILE_KINDS["uppfoljning"].folder
    return f"{AGREEMENTS}/{year}/{folder}/{OCCASION_SLUGS[occasion]}/{code}.yaml"


_BY_STEM = {k.stem: k for k in FILE_KINDS.values() if k.stem is not None}
_BY_FOLDER = {k.folder: k for k in FILE_KINDS.values() if k.folder is not None}
UNKNOWN_PLACE = (
    "not part of the layout: agreements/"
    + ", ".join(k.where for k in FILE_KINDS.values())
    + f" ({' or '.join(SUFFIXES)})"
)


def find_root(start: Path | None = None) -> Path:
    """The nearest ancestor of `start` (default: the working directory) holding agreements/."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / AGREEMENTS).is_dir():
            return candidate
    raise UsageError(f"no {AGREEMENTS}/ folder in {here} or its parents; pass <root> DIR", "root")


def check_root(root: Path) -> Path:
    """`root` if it holds agreements/, else a usage error."""
    if not (root / AGREEMENTS).is_dir():
        raise UsageError(f"{root} has no {AGREEMENTS}/ folder")
    return root.resolve()


def yaml_suffix(name: str) -> str | None:
    """The suffix of a file name that names a YAML file, else None."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return suffix
    return None


@dataclass(frozen=True)
class Member:
    """One file of a year: where it stands (a link is not resolved), shown, and its kind.

    Its place is kept as the str os.scandir gave (`location`); the Path is made only when
    asked for, so listing a large tree makes no Path per file."""

    location: str
    display: str  # relative to the root, with forward slashes
    kind: str  # a key of FILE_KINDS
    year_dir: Path

    @cached_property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def stem(self) -> str:
        """The name without its suffix: a division's code, an uppdrag's id."""
        name = os.path.basename(self.location)
        return name[: len(name) - len(yaml_suffix(name) or "")]

    @property
    def occasion(self) -> str | None:
        """The follow-up occasion of a report, from its folder (var → vår); else None."""
        if not FILE_KINDS[self.kind].occasions:
            return None
        return OCCASION_BY_SLUG.get(os.path.basename(os.path.dirname(self.location)))


def classify(path: Path) -> tuple[str | None, Path | None]:
    """The kind of the file standing at `path` and its year folder, from the names alone."""
    suffix = yaml_suffix(path.name)
    if suffix is None:
        return None, None
    parent = path.parent
    single = _BY_STEM.get(path.name[: -len(suffix)])
    if single is not None and YEAR_FOLDER.match(parent.name):
        return single.name, parent
    many = _BY_FOLDER.get(parent.name)
    if many is not None and not many.occasions and YEAR_FOLDER.match(parent.parent.name):
        return many.name, parent.parent
    nested = _BY_FOLDER.get(parent.parent.name)
    if (
        nested is not None
        and nested.occasions
        and parent.name in OCCASION_BY_SLUG
        and YEAR_FOLDER.match(parent.parent.parent.name)
    ):
        return nested.name, parent.parent.parent
    return None, None


def agreement_file(path: Path, root: Path) -> Member:
    """The member a year would list at `path` (by its place; the disk is not looked at)."""
    kind, year_dir = classify(path)
    if kind is None or year_dir is None:
        raise ValueError(f"{path} is not where an agreement file stands")
    real_root = _real(root)
    return Member(str(path), _display(_place(path, real_root), real_root), kind, year_dir)


def name_taken(path: Path) -> Path | None:
    """What stands under the name of `path` with either suffix (a link too), if anything."""
    stem = path.name[: len(path.name) - len(yaml_suffix(path.name) or "")]
    return next((p for s in SUFFIXES if os.path.lexists(p := path.with_name(stem + s))), None)


class Attached(NamedTuple):
    """A file of a year that is no member (its Kolada snapshot): where it stands (a link is
    not resolved) and how it is shown."""

    location: str
    display: str  # relative to the root, with forward slashes


@dataclass(frozen=True)
class YearMembers:
    """What one year folder holds: its members and the located problems of its layout."""

    year_dir: Path
    display: str  # agreements/<year>
    members: tuple[Member, ...]  # the year's own files, then divisions, then uppdrag; by name
    problems: tuple[Finding, ...]  # anything there that is not a member; never read
    # Its Kolada snapshot (SNAPSHOT) when a regular file stands there (else a problem, if
    # anything stands there at all).
    kolada: Attached | None = None

    def of(self, kind: str) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.kind == kind)

    def one(self, kind: str) -> Member | None:
        """The member of a kind the year holds one of (overenskommelse, malomraden)."""
        return next(iter(self.of(kind)), None)

    def path(self, kind: str) -> Path:
        """Where the year's file of `kind` stands, or would stand as .yaml when it has none."""
        member = self.one(kind)
        return member.path if member else self.year_dir / f"{FILE_KINDS[kind].stem}.yaml"

    def check(self) -> None:
        """A DataError with the first error among the problems, as validate prints it."""
        for problem in self.problems:
            if problem.severity is Severity.ERROR:
                raise DataError(located(problem))


def located(problem: Finding) -> str:
    """`path:line:col: RULE message`, the line `ovk validate` prints for an error."""
    return f"{problem.file}:{problem.line}:{problem.column}: {problem.rule} {problem.message}"


def year_dirs(root: Path) -> list[Path]:
    """The repository's years: the year folders directly under agreements/, oldest first (a
    link out of the root is not one)."""
    return _year_folders(root, nested=False)[0]


def year_members(root: Path, year_dir: Path) -> YearMembers:
    """The members of one year folder and the problems of its layout, in a stable order."""
    real_root = _real(root)
    display = _display(_place(year_dir, real_root), real_root)
    problems: list[Finding] = []
    folders: dict[str, os.DirEntry[str]] = {}
    singles = []
    kolada = None
    for entry in _scan(year_dir):
        suffix = yaml_suffix(entry.name)
        if suffix and entry.name[: -len(suffix)] in _BY_STEM:
            singles.append(entry)
        elif entry.name == SNAPSHOT:
            shown = f"{display}/{entry.name}"
            problem = _link_problem(entry, shown, real_root, folder=False, named=_SNAPSHOT_NAMED)
            if problem is None:
                kolada = Attached(entry.path, shown)
            else:
                problems.append(problem)
        elif entry.name in _BY_FOLDER:
            folders[entry.name] = entry
        else:
            problems.extend(_strays(entry, f"{display}/{entry.name}"))
    order = list(FILE_KINDS)
    members = sorted(
        _members(singles, display, None, year_dir, real_root, problems),
        key=lambda m: order.index(m.kind),
    )
    for kind in FILE_KINDS.values():
        folder = folders.get(kind.folder or "")
        if folder is None:
            continue
        shown = f"{display}/{folder.name}"
        problem = _link_problem(folder, shown, real_root, folder=True)
        if problem is not None:
            problems.append(problem)
            continue
        places = [(folder.path, shown)]
        if kind.occasions:  # one folder per occasion, in the order of the year
            places = []
            found = {e.name: e for e in _scan(folder.path)}
            usable = {
                n: e for n, e in found.items() if n in OCCASION_BY_SLUG and _folder_or_link(e)
            }
            for name, entry in found.items():
                if name not in usable:
                    problems.extend(_strays(entry, f"{shown}/{name}"))
            for slug in OCCASION_SLUGS.values():
                occasion = usable.get(slug)
                if occasion is None:
                    continue
                problem = _link_problem(occasion, f"{shown}/{slug}", real_root, folder=True)
                if problem is not None:
                    problems.append(problem)
                else:
                    places.append((occasion.path, f"{shown}/{slug}"))
        for place, place_shown in places:
            inside = []
            for entry in _scan(place):
                if yaml_suffix(entry.name):
                    inside.append(entry)
                else:
                    problems.extend(_strays(entry, f"{place_shown}/{entry.name}"))
            members.extend(_members(inside, place_shown, kind, year_dir, real_root, problems))
    return YearMembers(year_dir, display, tuple(members), tuple(sorted(problems)), kolada)


@dataclass(frozen=True)
class Selection:
    """What a command line's paths choose: whole year folders (the cross-file rules see all
    of each) and, of those and of the rest of the layout, the members and problems chosen."""

    years: tuple[YearMembers, ...]
    members: tuple[Member, ...]  # chosen, in listing order
    problems: tuple[Finding, ...]  # chosen
    snapshots: tuple[Attached, ...]  # the years' Kolada snapshots chosen
    exact: frozenset[str]  # chosen display paths ...
    below: tuple[str, ...]  # ... and the folders ('a/b/') everything below which is chosen

    def chosen(self, display: str) -> bool:
        return _chosen(display, self.exact, self.below)

    def reported(self, found: Finding) -> bool:
        """Whether a finding of the years' rules is asked for: it stands in a chosen file, or
        it is a Kolada rule's of a year whose snapshot is chosen (they stand where the
        agreement writes what differs from it)."""
        if self.chosen(found.file):
            return True
        return found.rule in KOLADA_RULES and any(
            found.file.startswith(f"{s.display.rpartition('/')[0]}/") for s in self.snapshots
        )

    @property
    def files(self) -> int:
        """How many files (members, snapshots, and places with a problem) are chosen."""
        shown = {m.display for m in self.members} | {s.display for s in self.snapshots}
        return len(shown | {p.file for p in self.problems})


def select(root: Path, paths: Sequence[Path] = ()) -> Selection:
    """The members and problems the paths name (a folder names all below it), or everything.

    A path means the same however it was typed (relative to any working folder, with ./ or
    absolute): it is taken by its place below the root, and display paths are root-relative.
    A named file that is no member and has no problem is an unknown-file finding.
    """
    real_root = _real(root)
    base = real_root / AGREEMENTS
    exact: set[str] = set()
    below: list[str] = [] if paths else [""]
    named: list[str] = []  # the files named, to answer for
    extra: list[Finding] = []
    for typed in paths:
        place = _place(typed, real_root)
        if not os.path.lexists(place):
            raise UsageError(f"no such file or folder: {typed}")
        if base.is_relative_to(place):  # agreements/, the root or above: everything
            below.append("")
            continue
        shown = _display(place, real_root)
        exact.add(shown)
        if not place.is_dir():
            named.append(shown)
            continue
        below.append(f"{shown}/")
        if not place.is_relative_to(base):  # a folder outside agreements/: no members there
            extra.extend(p for e in _scan(place) for p in _strays(e, f"{shown}/{e.name}"))
    dirs, top_problems = _year_folders(real_root, nested=True)

    def chosen(display: str) -> bool:
        return _chosen(display, exact, below)

    def touched(year: str) -> bool:  # chosen, or holding something chosen
        return chosen(year) or any(e.startswith(f"{year}/") for e in exact)

    years = tuple(year_members(real_root, d) for d in dirs if touched(_display(d, real_root)))
    members = tuple(m for y in years for m in y.members if chosen(m.display))
    snapshots = tuple(y.kolada for y in years if y.kolada and chosen(y.kolada.display))
    problems = {p for y in years for p in y.problems if chosen(p.file)}
    problems |= {p for p in [*top_problems, *extra] if chosen(p.file)}
    answered = {m.display for m in members} | {s.display for s in snapshots}
    answered |= {p.file for p in problems}
    problems |= {
        finding(n, 1, 1, "unknown-file", UNKNOWN_PLACE) for n in named if n not in answered
    }
    return Selection(
        years, members, tuple(sorted(problems)), snapshots, frozenset(exact), tuple(below)
    )


def _chosen(display: str, exact: Collection[str], below: Sequence[str]) -> bool:
    return display in exact or display.startswith(tuple(below))


def schema_dir(root: Path | None) -> Path:
    """The repository's schema/ when it has one, else the copies shipped in the package."""
    folder = root / SCHEMA_FOLDER if root is not None else None
    if folder is not None and all((folder / name).is_file() for name in KINDS.values()):
        return folder
    return Path(__file__).parents[1] / "data" / "schema"


# The first line of every agreement file: the schema, for editors with the YAML language server.
MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")


def modeline_for(kind: str, place: Path | str, root: Path) -> str:
    """The first line the agreement file of `kind` standing at `place` (absolute, or relative
    to `root`) should carry: the relative path from it to the repository's
    `schema/<kind>.schema.json` when that file exists, else the published schema's URL."""
    name = KINDS[kind]
    if (root / SCHEMA_FOLDER / name).is_file():
        shown = Path(place)
        if shown.is_absolute():
            shown = Path(_display(_place(shown, _real(root)), _real(root)))
        if not shown.is_absolute():  # below the root; else (outside it) the URL
            depth = len(shown.parts) - 1
            return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_FOLDER}/{name}"
    return f"# yaml-language-server: $schema={SCHEMA_BASE_URI}{name}"


# -- the listing ------------------------------------------------------------------------------


def _scan(folder: str | Path) -> list[os.DirEntry[str]]:
    """A folder's entries by name, hidden ones (editor locks, ovk's staging) left out."""
    try:
        with os.scandir(folder) as entries:
            found = [e for e in entries if e.name[:1] != "."]
    except OSError:
        return []
    found.sort(key=_name)
    return found


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _members(
    entries: Iterable[os.DirEntry[str]],
    folder_display: str,
    kind: FileKind | None,
    year_dir: Path,
    real_root: Path,
    problems: list[Finding],
) -> Iterator[Member]:
    """The members among one folder's YAML-named entries (`folder_display`: the folder as
    shown; `kind` None for the year folder's own files); the rest go to `problems`."""
    seen: dict[str, str] = {}  # stem -> the name that took it
    for entry in entries:
        name = entry.name
        stem = name[: -len(yaml_suffix(name) or "")]
        shown = f"{folder_display}/{name}"
        if stem in seen:
            message = f"{seen[stem]} stands here too; a file has one name (.yaml or .yml)"
            problems.append(finding(shown, 1, 1, "duplicate-file", message))
            continue
        seen[stem] = name
        if entry.is_symlink() or not entry.is_file():  # (a plain file has no problem)
            problem = _link_problem(entry, shown, real_root, folder=False)
            if problem is not None:
                problems.append(problem)
                continue
        yield Member(entry.path, shown, kind.name if kind else _BY_STEM[stem].name, year_dir)


def _folder_or_link(entry: os.DirEntry[str]) -> bool:
    return entry.is_symlink() or entry.is_dir()


_SNAPSHOT_NAMED = "a year's Kolada snapshot"


def _link_problem(
    entry: os.DirEntry[str],
    shown: str,
    real_root: Path,
    *,
    folder: bool,
    named: str = "an agreement file",
) -> Finding | None:
    """Why the entry cannot be read as a file (or, with `folder`, listed as a folder);
    `named`: what its name says it is."""
    if entry.is_symlink():
        target = os.readlink(entry.path)
        try:
            os.stat(entry.path)
        except OSError as error:
            if error.errno == errno.ELOOP:
                return finding(
                    shown,
                    1,
                    1,
                    "broken-link",
                    f"links to {target}, which loops back; it is not read",
                )
            if Path(os.path.realpath(entry.path)).is_relative_to(real_root):
                return finding(
                    shown, 1, 1, "broken-link", f"links to {target}, which does not exist"
                )
        if not Path(os.path.realpath(entry.path)).is_relative_to(real_root):
            return finding(
                shown,
                1,
                1,
                "link-outside",
                f"links to {target}, outside the repository; it is not read",
            )
    if folder or entry.is_file():
        return None
    what = "a folder" if entry.is_dir() else "not a regular file"
    return finding(shown, 1, 1, "not-a-file", f"is {what}, though named like {named}")


def _strays(entry: os.DirEntry[str], shown: str) -> Iterator[Finding]:
    """The YAML-named entries at or below an unknown place (links are not followed)."""
    if yaml_suffix(entry.name):
        yield finding(shown, 1, 1, "unknown-file", UNKNOWN_PLACE)
    elif entry.is_dir(follow_symlinks=False):
        for child in _scan(entry.path):
            yield from _strays(child, f"{shown}/{child.name}")


def _year_folders(root: Path, *, nested: bool) -> tuple[list[Path], list[Finding]]:
    """The year folders under agreements/ (with `nested`, also those in other folders there,
    as in agreements/<kommun>/<year>/) and the problems beside them."""
    real_root = _real(root)
    dirs: list[Path] = []
    problems: list[Finding] = []
    folders = [(root / AGREEMENTS, AGREEMENTS)]
    while folders:
        folder, shown = folders.pop()
        for entry in _scan(folder):
            here = f"{shown}/{entry.name}"
            if YEAR_FOLDER.match(entry.name) and (entry.is_symlink() or entry.is_dir()):
                problem = _link_problem(entry, here, real_root, folder=True)
                if problem is not None:
                    problems.append(problem)
                elif entry.is_dir():
                    dirs.append(Path(entry.path))
            elif not nested:
                continue
            elif entry.is_dir(follow_symlinks=False) and not yaml_suffix(entry.name):
                folders.append((Path(entry.path), here))
            else:
                problems.extend(_strays(entry, here))
    return sorted(dirs), problems


def _place(path: Path, real_root: Path) -> Path:
    """Where `path` stands, absolute: as written when that is below the root, else with its
    folders resolved (a root reached through a link); the last name is followed only when it
    is a link from outside the root."""
    written = Path(os.path.abspath(path))
    if written.is_relative_to(real_root):
        return written
    place = _real(written.parent) / written.name
    if not place.is_relative_to(real_root) and place.is_symlink():
        return place.resolve()
    return place


def _display(place: Path, real_root: Path) -> str:
    """Relative to the root with forward slashes; a place outside the root stays absolute."""
    try:
        return place.relative_to(real_root).as_posix()
    except ValueError:
        return place.as_posix()


@lru_cache(maxsize=4096)
def _real(folder: Path) -> Path:
    return folder.resolve()
