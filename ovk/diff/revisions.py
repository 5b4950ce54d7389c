"""Agreements as they were at a git revision, read with git itself.

A revision's agreements/ (and schema/, when it has one) is exported with `git archive` into a
temporary folder; the user's working tree, index and HEAD are never touched.
"""

from __future__ import annotations

import copy
import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from ovk.errors import UsageError
from ovk.model.layout import AGREEMENTS

GIT_TIMEOUT = 120  # seconds; a hung git (a credential prompt, a lock) must not hang ovk


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed; revisions cannot be compared") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {' '.join(args)} did not answer in {GIT_TIMEOUT} s") from None


def is_revision(root: Path, rev: str) -> bool:
    """Whether `rev` names a commit of the git repository holding `root`."""
    if rev.startswith("-"):  # never let a revision be read as an option of git
        return False
    return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode == 0


def describe(root: Path, rev: str) -> str:
    """`rev` with its short commit id, for report headings: "main (3f2a9c1)"."""
    done = _git(root, "rev-parse", "--short", f"{rev}^{{commit}}")
    short = done.stdout.decode().strip()
    return f"{rev} ({short})" if short and short != rev else rev


def export(root: Path, rev: str, into: Path) -> Path:
    """Write the revision's agreements/ and schema/ under `into`; return that root."""
    top, prefix = _place(root)
    treeish = f"{rev}:{prefix}" if prefix else f"{rev}^{{tree}}"
    listing = _git(top, "ls-tree", "--name-only", treeish)
    present = set(listing.stdout.decode("utf-8", "replace").splitlines())
    if listing.returncode != 0 or AGREEMENTS not in present:
        where = f"{prefix}/{AGREEMENTS}" if prefix else AGREEMENTS
        raise UsageError(f"revision {rev!r} has no {where}/ folder")
    wanted = [name for name in (AGREEMENTS, "schema") if name in present]
    done = _git(top, "archive", "--format=tar", treeish, "--", *wanted)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git archive {rev} failed: {message[-1] if message else 'no output'}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(into, filter=_outside_links_kept_as_links)
    return into


def _outside_links_kept_as_links(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, except that a link out of the tree stays a link, so reading
    the revision meets it as the layout's located finding, as in the working tree (the
    layout never reads through such a link). Anything that would be written outside the
    tree, through a link or otherwise, is left out: the filter checks each member's real
    destination."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        if member.issym() or member.islnk():
            link = copy.copy(member)
            link.type = tarfile.SYMTYPE
            return link
        return None


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
