"""Agreements as they were at a git revision, read from git's object store.

A revision's agreements/ (and schema/, when it has one) is listed with `git ls-tree` and its
blobs are streamed by one `git cat-file --batch` process into a temporary folder; the user's
working tree, index and HEAD are never touched. The files are the committed bytes: no git
attribute applies (`export-ignore` hides nothing, `export-subst` and filters alter nothing),
as `git archive` would have let the compared revision decide.

What a revision holds is not trusted:

- A blob over the loader's size cap is never read: it becomes a sparse file of its size, which
  the loader reports as the located `file-size` finding without reading it (under schema/,
  where nothing is located, it is left out and the shipped schemas are used).
- A symlink (mode 120000) under agreements/ becomes a link with the same target, so the layout
  judges it as in the working tree (a link out of the tree is its `link-outside` finding).
  Under schema/ links are left out (the shipped schemas serve), and agreements/ itself as a
  link refuses the revision: nothing is read through a link the layout does not judge.
  Writing never goes through a link: every file is created new, in a folder made here.
- A submodule (mode 160000) becomes an empty folder, as in a checkout that has not fetched it.
- A path git would not check out ("..", ".", an empty name) refuses the revision.

Every git call that takes a revision passes `--end-of-options`, and git's own error (not a
repository, dubious ownership, a missing object) is shown in one line as `GitError`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ovk.errors import UsageError
from ovk.git import TIMEOUT, GitMissing, GitTimeout, git, git_process
from ovk.model.layout import AGREEMENTS
from ovk.yamlio.loader import DEFAULT_MAX_BYTES

GIT_TIMEOUT = TIMEOUT
CHUNK = 64 * 1024  # how much of a blob is held in memory at once
SCHEMA = "schema"
LINK, SUBMODULE, FILES = "120000", "160000", ("100644", "100755")
MAX_LINK = 4096  # a link's target longer than the system's longest path is not made


class GitError(UsageError):
    """git ran and failed; the message is git's own, in one line."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return git(root, *args, timeout=GIT_TIMEOUT)
    except GitMissing:
        raise UsageError("git is not installed; revisions cannot be compared") from None
    except GitTimeout as error:
        raise UsageError(str(error)) from None


def said(stderr: bytes, fallback: str) -> str:
    """What git wrote to stderr, as one line with control characters made visible."""
    text = stderr.decode("utf-8", "replace")
    line = " ".join(part.strip() for part in text.splitlines() if part.strip()) or fallback
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def commit(root: Path, rev: str) -> str | None:
    """The commit id `rev` names in the repository holding `root`, or None when it names no
    commit; GitError when git itself fails (not a repository, dubious ownership …)."""
    if rev.startswith("-"):  # no revision starts with "-"; never let one reach git as such
        return None
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if done.returncode == 0:
        return done.stdout.decode("ascii", "replace").strip()
    if done.returncode == 1 and not done.stderr.strip():
        return None
    raise GitError(said(done.stderr, f"git rev-parse exited with {done.returncode}"))


def is_revision(root: Path, rev: str) -> bool:
    """Whether `rev` names a commit of the git repository holding `root` (GitError when git
    cannot answer)."""
    return commit(root, rev) is not None


def shallow(root: Path) -> bool:
    """Whether the repository holding `root` is a shallow clone (its history ends early)."""
    done = _git(root, "rev-parse", "--is-shallow-repository")
    return done.returncode == 0 and done.stdout.strip() == b"true"


def describe(root: Path, rev: str) -> str:
    """`rev` with its short commit id, for report headings: "main (3f2a9c1)"."""
    done = _git(root, "rev-parse", "--short", "--verify", "--end-of-options", f"{rev}^{{commit}}")
    short = done.stdout.decode("ascii", "replace").strip()
    return f"{rev} ({short})" if done.returncode == 0 and short and short != rev else rev


@dataclass(frozen=True)
class Entry:
    """One entry of `git ls-tree -l`: mode, object id, size (None for trees), path parts."""

    mode: str
    oid: str
    size: int | None
    parts: tuple[str, ...]


def export(root: Path, rev: str, into: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Write the revision's agreements/ and schema/ under `into`; return that root."""
    oid = commit(root, rev)
    if oid is None:
        raise UsageError(f"{rev!r} is not a git revision")
    top, prefix = _place(root)
    where = f"{prefix}/{AGREEMENTS}" if prefix else AGREEMENTS
    listing = _git(top, "ls-tree", "-z", "-l", "--full-tree", "--end-of-options", f"{oid}:{prefix}")
    if listing.returncode != 0 and not prefix:  # a commit's own tree: only git can fail
        raise GitError(said(listing.stderr, f"git ls-tree {oid} failed"))
    if listing.returncode != 0:
        raise UsageError(f"revision {rev!r} has no {where}/ folder")
    present = {e.parts[0]: e for e in _entries(listing.stdout, rev)}
    agreements = present.get(AGREEMENTS)
    if agreements is None:
        raise UsageError(f"revision {rev!r} has no {where}/ folder")
    if agreements.mode != "040000":  # a link (anywhere) or a file: never read through it
        raise UsageError(f"revision {rev!r} has {where} as a link or a file, not a folder")
    entries: list[Entry] = []
    for name in (AGREEMENTS, SCHEMA):
        tree = present.get(name)
        if tree is None or tree.mode != "040000":
            continue  # schema/ as a link or a file is no schema folder: the shipped ones serve
        done = _git(top, "ls-tree", "-r", "-z", "-l", "--full-tree", "--end-of-options", tree.oid)
        if done.returncode != 0:
            raise GitError(said(done.stderr, f"git ls-tree {tree.oid} failed"))
        below = _entries(done.stdout, rev)
        entries.extend(Entry(e.mode, e.oid, e.size, (name, *e.parts)) for e in below)
    _materialise(top, entries, into, max_bytes)
    return into


def _entries(listing: bytes, rev: str) -> list[Entry]:
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, _kind, oid, size = meta.decode("ascii", "replace").split()
        parts = tuple(os.fsdecode(part) for part in name.split(b"/"))
        if any(part in ("", ".", "..") for part in parts):
            raise UsageError(f"revision {rev!r} holds a path git would not check out: {name!r}")
        entries.append(Entry(mode, oid, None if size == "-" else int(size), parts))
    return entries


def _materialise(top: Path, entries: list[Entry], into: Path, max_bytes: int) -> None:
    """Folders, sparse placeholders and submodule folders first; then the blobs to read, in
    one cat-file process. Nothing is written where something already stands."""
    made = {into}
    reads: list[tuple[Entry, Path]] = []
    for entry in entries:
        path = into.joinpath(*entry.parts)
        if not _folder(path.parent, made):
            continue  # a name already taken (a crafted tree with the name twice)
        if entry.mode == SUBMODULE:
            _unless_taken(os.mkdir, path)
        elif entry.mode == LINK and entry.parts[0] == AGREEMENTS and (entry.size or 0) <= MAX_LINK:
            reads.append((entry, path))
        elif entry.mode in FILES and entry.size is not None:
            if entry.size <= max_bytes:
                reads.append((entry, path))
            elif entry.parts[0] == AGREEMENTS:  # the loader's file-size finding, unread
                _unless_taken(_placeholder, path, entry.size)
    if not reads:
        return
    with _cat_file(top) as blobs:
        for entry, path in reads:
            if entry.mode == LINK:
                target = blobs.read(entry.oid, MAX_LINK)
                if target and b"\0" not in target:
                    _unless_taken(os.symlink, os.fsdecode(target), path)
            else:
                blobs.copy(entry.oid, path)


def _folder(path: Path, made: set[Path]) -> bool:
    """Make `path` and its parents below the temporary root, each a new real folder."""
    if path in made:
        return True
    if not _folder(path.parent, made):
        return False
    try:
        os.mkdir(path, 0o755)
    except FileExistsError:
        return False  # a link or a file stands there: never write through it
    made.add(path)
    return True


def _unless_taken(make: Callable[..., object], *args: object) -> None:
    """`make(*args)`, which creates a name; when the name is taken (a crafted tree that holds
    it twice), the first entry under it wins."""
    with contextlib.suppress(FileExistsError):
        make(*args)


def _create(path: Path) -> int:
    """A new file at `path`: never an existing one, never through a link."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)


def _placeholder(path: Path, size: int) -> None:
    """A file of `size` bytes that holds no data (sparse), for the loader's size check."""
    fd = _create(path)
    try:
        os.ftruncate(fd, size)
    finally:
        os.close(fd)


@contextmanager
def _cat_file(top: Path) -> Iterator[_Blobs]:
    """One `git cat-file --batch` process for a whole revision, stopped when done."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = git_process(top, "cat-file", "--batch", errors=errors)
        except GitMissing:
            raise UsageError("git is not installed; revisions cannot be compared") from None
        timer = threading.Timer(GIT_TIMEOUT, process.kill)
        timer.start()
        try:
            yield _Blobs(process, errors, timer)
        finally:
            timer.cancel()
            assert process.stdin is not None and process.stdout is not None
            with contextlib.suppress(OSError):
                process.stdin.close()
            process.stdout.close()
            try:
                process.wait(timeout=GIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class _Blobs:
    """The cat-file process: a blob is asked for, then read in chunks."""

    def __init__(
        self, process: subprocess.Popen[bytes], errors: IO[bytes], timer: threading.Timer
    ) -> None:
        self._process = process
        self._errors = errors
        self._timer = timer

    def _ask(self, oid: str) -> int:
        """Ask for a blob; its size, with its bytes next on the pipe."""
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(f"{oid}\n".encode("ascii"))
            process.stdin.flush()
        except OSError:
            self._fail(oid)
        header = process.stdout.readline(256).split()
        if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
            self._fail(oid)
        return int(header[2])

    def _fail(self, oid: str) -> None:
        if not self._timer.is_alive() and self._process.poll() is not None:
            raise UsageError(f"git cat-file did not answer in {GIT_TIMEOUT} s")
        self._errors.seek(0)
        message = said(self._errors.read(4096), f"object {oid} is missing")
        raise GitError(f"git cat-file cannot read {oid}: {message}")

    def _chunks(self, oid: str, size: int) -> Iterator[bytes]:
        stdout = self._process.stdout
        assert stdout is not None
        left = size
        while left:
            chunk = stdout.read(min(CHUNK, left))
            if not chunk:
                self._fail(oid)
            left -= len(chunk)
            yield chunk
        if stdout.read(1) != b"\n":
            self._fail(oid)

    def read(self, oid: str, limit: int) -> bytes:
        """A small blob's bytes (at most `limit`; a link's target)."""
        size = self._ask(oid)
        data = b"".join(self._chunks(oid, size))
        return data[:limit]

    def copy(self, oid: str, path: Path) -> None:
        """Stream a blob into a new file at `path` (never through a link)."""
        chunks = self._chunks(oid, self._ask(oid))
        try:
            fd = _create(path)
        except FileExistsError:  # the name is taken: read past the blob, write nothing
            for _ in chunks:
                pass
            return
        with open(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)


def _place(root: Path) -> tuple[Path, str]:
    """The top of the git work tree holding `root`, and `root`'s path inside it ("" at the
    top). Git runs at the top, where revision paths mean the same for every command."""
    done = _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
    if done.returncode != 0:
        raise UsageError(f"{root} is not inside a git repository; compare years instead")
    top, _, prefix = done.stdout.decode().partition("\n")
    return Path(top), prefix.strip().rstrip("/")


def temporary_root() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="ovk-rev-")
