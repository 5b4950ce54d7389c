"""A year folder's index, keyed by stat as git's index is: a warm run stats, it does not read.

For each year folder the cache (ovk/validate/cache.py, which authenticates it) holds two files.
The index records, per member (by its path relative to the root), what `os.stat` said of it
(size, mtime and ctime in ns, inode, device), the SHA-256 of its bytes and its verdict: the
file's own findings, located (not only "clean"), its first line (for the modeline, which is
checked again every run, since it depends on where the file stands and which schemas exist) and
whether the cross-file rules read it. It also records the year's cross-file findings, under a
digest of what they depend on: the year folder, each member's path, kind and SHA-256, the year's
Kolada snapshot's (kolada.json, recorded like a member, with a verdict of no findings: only the
rules read it), and the members that could not be read. The second file holds the data of the
members the rules read, by SHA-256, and is read only when the rules must run again. Both are
only used when written under this run's key: ovk's code hash, the versions of Python, the parser
and the validator, the bytes of every kind's schema and the size cap.

A member whose stat is the one recorded is taken from the index without being opened,
unless it is racy: git's rule, that a file changed in the same instant as the index was
written may have changed after it was read and still show the recorded stat. The index
records when its run began (before any member was stat'ed or read); an entry whose mtime or
ctime is not at least RACY_MARGIN_NS older than that is read and hashed again, and so is any
member whose stat differs. If its bytes hash to the recorded SHA-256, its verdict still holds
(a file touched or checked out again is not validated again); else it is checked as if
uncached. The margin covers filesystems that keep coarse times (FAT: 2 s) and the kernel's
coarse clock, which may stamp a file a few ms before `time.time_ns()` says.

The cross-file findings. The rules (ovk/validate/rules.py) are a function of the year folder's
name, of its members' paths, kinds and bytes (their data, and their text where a finding is
located) and of its Kolada snapshot's bytes, and of nothing else: not the date, not other years,
not the environment. So when the digest of a run equals the recorded one, the recorded findings
are the ones the rules would make, and a warm year folder costs one `stat` a member and one read
of one small file. Any member (or snapshot) added, removed, changed or not recordable changes
the digest (or leaves none), and the rules run on the data again.

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
import json
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
# path, severity], "l": first line, or None when no document was read, "d": true when the
# cross-file rules read the file (its data is in the year's data file, by SHA-256)}.
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
    rules: dict[str, Any]  # the recorded cross-file findings: {"digest": …, "f": […]}
    fresh: dict[str, list[Any]] = field(default_factory=dict)
    changed: bool = False
    _data: dict[str, Any] | None = None  # the stored data file, read when first asked
    _fresh_data: dict[str, Any] | None = None  # the data file to write, when the rules ran

    @classmethod
    def open(cls, cache: Cache, year: str, key: str) -> YearIndex:
        """The index of `year` in `cache` (empty when there is none for this `key`)."""
        began = time.time_ns()
        found = cache.read_index(year, key)
        stored, written, rules = {}, 0, {}
        if found is not MISSING:
            files, when, kept = found.get("files"), found.get("began"), found.get("rules")
            if isinstance(files, dict) and isinstance(when, int):
                stored = {name: entry for name, entry in files.items() if _entry(entry)}
                written = when
                rules = kept if isinstance(kept, dict) else {}
        return cls(cache, year, key, began, stored, written, rules, changed=not stored)

    def trusted(self, display: str, status: Signature) -> Verdict | None:
        """The verdict of a member whose stat is the recorded one and not racy, else None."""
        entry = self.stored.get(display)  # (entries of the wrong shape were left out)
        if entry is None or tuple(entry[:5]) != status:
            return None
        if _racy(status, self.written):
            return None  # it may have changed after it was read
        self.fresh[display] = entry
        verdict: Verdict = entry[6]
        return verdict

    def recorded_sha(self, display: str) -> str:
        """The SHA-256 recorded of a member `trusted` or `record`ed in this run."""
        sha: str = self.fresh[display][5]
        return sha

    def same_bytes(self, display: str, sha: str) -> Verdict | None:
        """The recorded verdict of a member whose bytes hash as recorded (its stat changed,
        or it was racy), else None."""
        entry = self.stored.get(display)
        if entry is None or entry[5] != sha:
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

    def rule_findings(self, digest: str | None) -> list[Finding] | None:
        """The cross-file findings recorded under `digest` (see `year_digest`), else None."""
        found = self.rules.get("f")
        if digest is None or self.rules.get("digest") != digest or not isinstance(found, list):
            return None
        return [
            Finding(file, line, column, rule, message, path, Severity(severity))
            for file, line, column, rule, message, path, severity in found
        ]

    def data(self, sha: str) -> Any:
        """The data recorded for a member whose bytes hash to `sha`, or MISSING."""
        if self._data is None:
            found = self.cache.read_year_data(self.year, self.key)
            self._data = found if isinstance(found, dict) else {}
        return self._data.get(sha, MISSING)

    def record_rules(
        self, digest: str | None, findings: list[Finding], data: dict[str, Any]
    ) -> None:
        """Record the cross-file findings the rules made under `digest` (None: nothing is
        recorded, since some member could not be), and the data they read, by SHA-256."""
        if digest is not None:
            kept = [
                [f.file, f.line, f.column, f.rule, f.message, f.path, str(f.severity)]
                for f in findings
            ]
            rules = {"digest": digest, "f": kept}
            if rules != self.rules:
                self.rules, self.changed = rules, True
        self._fresh_data = data

    def save(self) -> None:
        """Write the index again when anything in it changed (a member added, gone, read
        again, the rules' findings), stamped with this run's start, so that entries racy
        before are not now; and the data file when the rules ran on other data."""
        if self.changed or self.fresh.keys() != self.stored.keys():
            index = {"key": self.key, "began": self.began, "files": self.fresh, "rules": self.rules}
            self.cache.write_index(self.year, index)
        if self._fresh_data is not None and self._fresh_data.keys() != (self._data or {}).keys():
            self.cache.write_year_data(self.year, self.key, self._fresh_data)


def year_digest(
    year: str, members: list[tuple[str, str, str | None]], problems: list[str]
) -> str | None:
    """What a year folder's cross-file findings depend on: the folder, each member's display
    path, kind and SHA-256 (None: not recorded, so no digest) in the listing's order, and the
    members that could not be read."""
    if any(sha is None for _, _, sha in members):
        return None
    text = json.dumps([year, members, sorted(problems)], ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


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
    if data is not MISSING and not _json_exact(data):
        return None
    return {
        "f": [[f.line, f.column, f.rule, f.message, f.path, str(f.severity)] for f in findings],
        "l": first_line,
        "d": data is not MISSING,
    }


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
