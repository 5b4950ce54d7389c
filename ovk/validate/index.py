"""A year folder's index, keyed by stat as git's index is: a warm run stats, it does not read.

For each year folder the cache (ovk/validate/cache.py, which authenticates it) holds one index
file. It records, per member (by its path relative to the root), what `os.stat` said of it
(size, mtime and ctime in ns, inode, device), the SHA-256 of its bytes and its verdict: the
file's own findings, located (not only "clean"), its first line (for the modeline, which is
checked again every run, since it depends on where the file stands and which schemas exist)
and, for a file the cross-file rules read, its data. The index is only used when it was
written under this run's key: ovk's code hash, the versions of Python, the parser and the
validator, the bytes of every kind's schema and the size cap.

A member whose stat is the one recorded is taken from the index without being opened,
unless it is racy: git's rule, that a file changed in the same instant as the index was
written may have changed after it was read and still show the recorded stat. The index
records when its run began (before any member was stat'ed or read); an entry whose mtime or
ctime is not at least RACY_MARGIN_NS older than that is read and hashed again, and so is any
member whose stat differs. If its bytes hash to the recorded SHA-256, its verdict still holds
(a file touched or checked out again is not validated again); else it is checked as if
uncached. The margin covers filesystems that keep coarse times (FAT: 2 s) and the kernel's
coarse clock, which may stamp a file a few ms before `time.time_ns()` says.

What stat cannot see. A file rewritten with the same size and its mtime set back (`touch -d`,
`os.utime`) shows the recorded size, mtime and inode; git catches it by the ctime, which
every write and every change of mtime sets to the present and which a user cannot set back
(git's `core.trustctime`, on by default), and so does ovk: ctime is part of the stat
recorded. What neither catches is a change that leaves ctime alone: the system clock set
back, the disk written under the filesystem, or a filesystem that does not keep ctime.
`--no-cache` reads and checks every file.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from ovk.findings import Finding, Severity
from ovk.validate.cache import MISSING, Cache

RACY_MARGIN_NS = 2_000_000_000

Signature = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
# What a file's own check found, as JSON: {"f": findings as [line, column, rule, message,
# path, severity], "l": first line, or None when no document was read, "d": data when the
# cross-file rules read the file}.
Verdict = dict[str, Any]


def signature(path: os.PathLike[str] | str) -> Signature | None:
    """What the index compares of a member (a link is followed: its target's stat), or None
    when it is not a regular file that can be stat'ed."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return (
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
        status.st_dev,
    )


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass
class YearIndex:
    """The index of one year folder as read at the start of a run, and the one to write."""

    cache: Cache
    year: str  # the year folder as shown: agreements/2026
    key: str
    began: int  # time.time_ns() before any member was stat'ed
    stored: dict[str, list[Any]]
    written: int  # when the stored index's run began
    fresh: dict[str, list[Any]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def open(cls, cache: Cache, year: str, key: str) -> YearIndex:
        """The index of `year` in `cache` (empty when there is none for this `key`)."""
        began = time.time_ns()
        found = cache.read_index(year, key)
        stored, written = {}, 0
        if found is not MISSING:
            files, when = found.get("files"), found.get("began")
            if isinstance(files, dict) and isinstance(when, int):
                stored, written = files, when
        return cls(cache, year, key, began, stored, written, changed=not stored)

    def trusted(self, display: str, status: Signature) -> Verdict | None:
        """The verdict of a member whose stat is the recorded one and not racy, else None."""
        entry = self.stored.get(display)
        if not _entry(entry) or tuple(entry[:5]) != status:
            return None
        if _racy(status, self.written):
            return None  # it may have changed after it was read
        self.fresh[display] = entry
        verdict: Verdict = entry[6]
        return verdict

    def same_bytes(self, display: str, sha: str) -> Verdict | None:
        """The recorded verdict of a member whose bytes hash as recorded (its stat changed,
        or it was racy), else None."""
        entry = self.stored.get(display)
        if not _entry(entry) or entry[5] != sha:
            return None
        verdict: Verdict = entry[6]
        return verdict

    def record(self, display: str, status: Signature, sha: str, verdict: Verdict) -> None:
        entry = [*status, sha, verdict]
        # An entry racy under the stored index, and no longer under this run's, is written
        # again with this run's start, so the next run trusts it (git rewrites its index so).
        if self.stored.get(display) != entry or (
            _racy(status, self.written) and not _racy(status, self.began)
        ):
            self.changed = True
        self.fresh[display] = entry

    def save(self) -> None:
        """Write the index again when anything in it changed (a member added, gone, read
        again), stamped with this run's start, so that entries racy before are not now."""
        if self.changed or self.fresh.keys() != self.stored.keys():
            index = {"key": self.key, "began": self.began, "files": self.fresh}
            self.cache.write_index(self.year, index)


def _racy(status: Signature, began: int) -> bool:
    """Whether a file of this stat may have changed after an index begun at `began` read it:
    its mtime or ctime is not at least RACY_MARGIN_NS older than that."""
    return max(status[1], status[2]) >= began - RACY_MARGIN_NS


def _entry(entry: Any) -> TypeGuard[list[Any]]:
    return isinstance(entry, list) and len(entry) == 7 and isinstance(entry[6], dict)


def verdict_of(
    display: str, findings: list[Finding], first_line: str | None, data: Any
) -> Verdict | None:
    """The verdict to record of a file's own check (`data` MISSING when the cross-file rules
    do not read it), or None when it cannot be recorded exactly: a finding about another
    file, or data that JSON would not give back as it is."""
    if any(f.file != display for f in findings):
        return None
    verdict: Verdict = {
        "f": [[f.line, f.column, f.rule, f.message, f.path, str(f.severity)] for f in findings],
        "l": first_line,
    }
    if data is not MISSING:
        if not _json_exact(data):
            return None
        verdict["d"] = data
    return verdict


def findings_of(display: str, verdict: Verdict) -> list[Finding]:
    """The findings a verdict records, as the file's own check made them."""
    return [
        Finding(display, line, column, rule, message, path, Severity(severity))
        for line, column, rule, message, path, severity in verdict["f"]
    ]


def _json_exact(value: Any) -> bool:
    """Whether JSON gives `value` back as it is: str keys, finite floats, no other types."""
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(_json_exact(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_exact(v) for k, v in value.items())
    return False
