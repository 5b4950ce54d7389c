"""An optional cache for `ovk validate`, kept in the user's cache folder: entries and indexes.

Two kinds of file, both signed and checked as below. An entry (`entries/`) is keyed by a
clean file's bytes and holds its data (JSON): a hit skips parsing. A year folder's index
(`index/`, see ovk/validate/index.py) is two files: one records each member's stat, the
SHA-256 of its bytes and its verdict (its own located findings, broken files' too), and the
year's cross-file findings under a digest of its members' bytes; the other the data of the
members the cross-file rules read. A member whose stat is recorded and not racy is not even
opened, and a year folder whose members all hash as recorded does not run its rules again.
Modeline findings, which depend on where the file stands and on schema/, are always
recomputed.

What it trusts and what it does not. The repository is not trusted: a contributor may commit
anything, including a cache folder or symlinks. So the cache never lives in the repository:
it is `$OVK_CACHE_DIR`, or else the user's cache folder (`$XDG_CACHE_HOME/ovk`, `~/.cache/ovk`,
`~/Library/Caches/ovk` on macOS), with one subfolder per repository root, and it is off when
that folder would lie inside the repository, when `CI` is set (a CI job's verdict never rests
on earlier runs), and where the system cannot open files without following symlinks. Every
folder and file is opened relative to its parent's descriptor with O_NOFOLLOW, so no link
anywhere below the cache folder is followed, and each folder must belong to the user and be
writable by nobody else. What the user's own cache folder holds is trusted only as far as it
proves itself:

- the key is a SHA-256 of the installed ovk code (every file of the package, hashed once per
  run), the versions of Python and the parser and the builds (stat) of the native parser and
  validator, the file's kind, its schema's
  bytes and the file's bytes, so an entry written by other code or for other bytes is never
  found;
- an entry carries an HMAC-SHA-256 of its folder, name and content under a secret made once
  per cache folder (32 random bytes, mode 0600, in a folder of mode 0700), so an entry not
  written by ovk under this name is rejected;
- its data must be JSON that the kind's schema accepts (the engine asks the fast validator).

An index is keyed likewise (the same code hash and versions, every kind's schema bytes and
the size cap, recorded in it and compared) and signed the same way; its verdicts are taken
on its HMAC and key alone, without asking the validator again (that is the index's whole
saving: a warm run does not touch the members it records), which is as far as the entries'
schema check ever reached, since whoever can sign an index can read the secret. An entry or
index that fails any of these is a miss: the file (or the year folder) is read as if
uncached, and written again. A cache that cannot be opened or written is simply not used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import stat
import sys
import time
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

from ovk import __version__
from ovk.model.conformance import schema_bytes
from ovk.model.vocabulary import KINDS

ENV_FOLDER = "OVK_CACHE_DIR"
FORMAT = "ovk-cache 4"  # part of every key: entries of another layout are never found
SECRET = "secret"
ENTRIES = "entries"
INDEX = "index"  # one file per year folder: see ovk/validate/index.py
ENTRY_DAYS = 30  # an entry not written for this many days is removed (see Cache.prune)
PRUNE_EVERY = 86_400  # seconds: how often the entries are looked through
PRUNED = ".pruned"  # in entries/: its mtime says when they were last looked through
_KEY = re.compile(r"[0-9a-f]{64}")  # an entry's name
INDEX_LIMIT = 512 * 1024 * 1024  # bytes; a year folder's index is its files' data and verdicts
_TAG = 32  # bytes of an HMAC-SHA-256
_MISSING: Any = object()
MISSING = _MISSING

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_FLAGS = _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
# Relative opens through a folder's descriptor (openat) and O_NOFOLLOW: Linux, macOS, BSD.
SUPPORTED = (
    bool(_NOFOLLOW and _DIRECTORY)
    and {
        os.open,
        os.mkdir,
        os.rename,  # os.replace takes the same, but the set names only rename
        os.link,
        os.unlink,
    }
    <= os.supports_dir_fd
)


def user_cache_folder() -> Path | None:
    """Where ovk keeps its cache: `$OVK_CACHE_DIR`, else the platform's user cache folder."""
    chosen = os.environ.get(ENV_FOLDER)
    if chosen:
        return Path(os.path.abspath(chosen))
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ovk"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return Path(local) / "ovk" / "Cache" if local else None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return Path(xdg) / "ovk" if os.path.isabs(xdg) else Path.home() / ".cache" / "ovk"


def open_cache(root: Path) -> Cache | None:
    """The cache for the repository at `root`, or None when it is off (see the docstring)."""
    if os.environ.get("CI") or not SUPPORTED:
        return None
    try:
        folder = user_cache_folder()
    except RuntimeError:  # no home folder
        return None
    cache = Cache.open(folder, root) if folder is not None else None
    if cache is not None:
        cache.prune()
    return cache


def folder_name(root: Path) -> str:
    """The subfolder of one repository root: its name (for people) and a hash of its path."""
    resolved = root.resolve()
    readable = re.sub(r"[^A-Za-z0-9._-]", "_", resolved.name)[:40] or "root"
    return f"{readable}-{hashlib.sha256(os.fsencode(resolved)).hexdigest()[:16]}"


class Cache:
    """Authenticated, content-keyed entries in one repository's folder of the user's cache.

    It can be sent to worker processes: it carries its folder's path and secret, and each
    process opens the folder again (with the same checks) when it first needs it.
    """

    def __init__(self, base: Path, name: str, secret: bytes, salt: bytes) -> None:
        self.base, self.name, self.secret, self.salt = base, name, secret, salt
        self._fds: dict[str, int] = {}
        self._schemas: dict[tuple[str, Path], bytes] = {}
        self._index_keys: dict[tuple[Path, str], str] = {}

    _STATE = ("base", "name", "secret", "salt")

    @classmethod
    def open(cls, base: Path, root: Path) -> Cache | None:
        """The cache of `root` under `base` (made when missing), or None when it is unsafe
        or cannot be made: `base` inside the repository, or a folder that is a link, not
        the user's or writable by others."""
        if not SUPPORTED or _inside_repository(base, root):
            return None
        name = folder_name(root)
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        descriptor = _folder(base, None, own=False)
        if descriptor is None:
            return None
        try:
            secret = _secret(descriptor, name)
        finally:
            os.close(descriptor)
        if secret is None:
            return None
        opened = cls(base, name, secret, _salt())
        return opened if opened._entries() is not None else None

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._STATE}

    def __setstate__(self, state: dict[str, Any]) -> None:  # in a worker: opened when needed
        for name in self._STATE:
            setattr(self, name, state[name])
        self._fds = {}
        self._schemas = {}
        self._index_keys = {}

    def prune(self, now: float | None = None) -> None:
        """Remove the entries not written for ENTRY_DAYS days, at most once a day (a stamp
        file's mtime says when it was last done), and temporary files a killed run left.

        Entries are the cache's only part that grows (one per distinct clean file, per ovk
        version); an entry is written when its file is parsed, so one not written for a month
        belongs to bytes or an ovk no longer used, or stands for a file the index answers for
        (which then needs no entry). Removing one never changes a verdict: a miss is parsed."""
        folder = self._entries()
        if folder is None or not {os.stat, os.scandir} <= os.supports_dir_fd | os.supports_fd:
            return
        now = time.time() if now is None else now
        try:
            stamp = os.stat(PRUNED, dir_fd=folder, follow_symlinks=False)
            if stat.S_ISREG(stamp.st_mode) and now - stamp.st_mtime < PRUNE_EVERY:
                return
        except OSError:
            pass  # never pruned: now
        try:
            with suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                os.unlink(PRUNED, dir_fd=folder)  # a link or a stale stamp, never followed
            os.close(
                os.open(PRUNED, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS, 0o600, dir_fd=folder)
            )
            with os.scandir(folder) as entries:
                for entry in entries:
                    temporary = entry.name.startswith(".") and entry.name != PRUNED
                    limit = PRUNE_EVERY if temporary else ENTRY_DAYS * 86_400
                    status = entry.stat(follow_symlinks=False)
                    if (temporary or _KEY.fullmatch(entry.name)) and now - status.st_mtime > limit:
                        with suppress(FileNotFoundError, IsADirectoryError):
                            os.unlink(entry.name, dir_fd=folder)
        except OSError:
            pass  # a cache that cannot be pruned is still a cache

    def close(self) -> None:
        fds, self._fds = self._fds, {}
        for descriptor in fds.values():
            os.close(descriptor)

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def key(self, kind: str, schemas: Path, raw: bytes) -> str:
        """The key of a file of `kind` with bytes `raw`, checked against the schema of its
        kind in the folder `schemas` (read once per process)."""
        salt = self._schemas.get((kind, schemas))
        if salt is None:
            schema_digest = hashlib.sha256(schema_bytes(kind, schemas)).hexdigest()
            salt = self.salt + f"{kind}\n{schema_digest}\n".encode()
            self._schemas[(kind, schemas)] = salt
        digest = hashlib.sha256(salt)
        digest.update(raw)
        return digest.hexdigest()

    def get(self, key: str, limit: int) -> Any:
        """The data of the entry `key`, or MISSING: no entry, a link or other non-file, over
        `limit` bytes, a wrong HMAC or no JSON. The caller checks the data's shape."""
        found = self._read(ENTRIES, key, limit)
        if not isinstance(found, dict) or "data" not in found:
            return _MISSING
        return found["data"]

    def put(self, key: str, data: Any) -> None:
        """Write the entry `key` whole (a temporary file, then a rename that replaces a link
        rather than following it)."""
        self._write(ENTRIES, key, {"data": data})

    def index_key(self, schemas: Path, setting: str) -> str:
        """What a year folder's index must have been written under to be used: this run's
        format, code and versions (the salt), the bytes of every kind's schema in `schemas`
        and the `setting` that changes verdicts (the size cap)."""
        found = self._index_keys.get((schemas, setting))
        if found is None:  # once per process, not per year folder
            digest = hashlib.sha256(self.salt + b"index\n" + setting.encode() + b"\n")
            for kind in sorted(KINDS):
                digest.update(hashlib.sha256(schema_bytes(kind, schemas)).digest())
            found = self._index_keys[(schemas, setting)] = digest.hexdigest()
        return found

    def read_index(self, year: str, key: str) -> Any:
        """The index of the year folder shown as `year` (see ovk/validate/index.py), or
        MISSING: none, not written by ovk with this secret (HMAC), or written under another
        `key` (other code, versions, schemas or size cap)."""
        found = self._read(INDEX, _index_name(year), INDEX_LIMIT)
        if not isinstance(found, dict) or found.get("key") != key or found.get("year") != year:
            return _MISSING
        return found

    def write_index(self, year: str, index: dict[str, Any]) -> None:
        """Write the index of the year folder `year` whole, as `put` writes an entry."""
        self._write(INDEX, _index_name(year), {**index, "year": year})

    def read_year_data(self, year: str, key: str) -> Any:
        """The data file of the year folder `year` (its members' data by SHA-256, which only
        the cross-file rules read), or MISSING, as `read_index` decides."""
        found = self._read(INDEX, _index_name(year, "data"), INDEX_LIMIT)
        if not isinstance(found, dict) or found.get("key") != key or found.get("year") != year:
            return _MISSING
        return found.get("data", _MISSING)

    def write_year_data(self, year: str, key: str, data: dict[str, Any]) -> None:
        """Write the data file of the year folder `year` whole, as `put` writes an entry."""
        self._write(INDEX, _index_name(year, "data"), {"key": key, "year": year, "data": data})

    def _read(self, subfolder: str, name: str, limit: int) -> Any:
        """The JSON of the file `name` in `subfolder`, or MISSING: no such file, a link or
        other non-file, over `limit` bytes, a wrong HMAC or no JSON."""
        folder = self._subfolder(subfolder)
        if folder is None:
            return _MISSING
        try:
            descriptor = os.open(name, os.O_RDONLY | os.O_NONBLOCK | _FLAGS, dir_fd=folder)
        except OSError:
            return _MISSING
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode) or status.st_size > limit + _TAG:
                return _MISSING
            blob = _read(descriptor, status.st_size)
        except OSError:
            return _MISSING
        finally:
            os.close(descriptor)
        tag, payload = blob[:_TAG], blob[_TAG:]
        if not hmac.compare_digest(tag, self._tag(subfolder, name, payload)):
            return _MISSING
        try:
            return json.loads(payload)
        except ValueError:
            return _MISSING

    def _write(self, subfolder: str, name: str, content: Any) -> None:
        folder = self._subfolder(subfolder)
        if folder is None:
            return
        try:  # a lone surrogate in a string cannot be written: not remembered
            payload = json.dumps(content, ensure_ascii=False).encode("utf-8")
        except ValueError:
            return
        temporary = f".{name}.{os.getpid()}.{os.urandom(4).hex()}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS
            descriptor = os.open(temporary, flags, 0o600, dir_fd=folder)
            try:
                with os.fdopen(descriptor, "wb") as out:
                    out.write(self._tag(subfolder, name, payload) + payload)
                os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError:
                os.unlink(temporary, dir_fd=folder)
                raise
        except OSError:
            pass  # a cache that cannot be written is just not used

    def _tag(self, subfolder: str, name: str, payload: bytes) -> bytes:
        # The subfolder is signed too: an entry copied into the index folder is not an index.
        message = f"{subfolder}/{name}\n".encode() + payload
        return hmac.digest(self.secret, message, "sha256")

    def _entries(self) -> int | None:
        return self._subfolder(ENTRIES)

    def _subfolder(self, subfolder: str) -> int | None:
        """The descriptor of this repository's folder `subfolder` (ENTRIES or INDEX), opened
        once per process."""
        if subfolder not in self._fds:
            base = _folder(self.base, None, own=False)
            if base is None:
                return None
            try:
                mine = _folder(self.name, base)
            finally:
                os.close(base)
            if mine is None:
                return None
            try:
                descriptor = _folder(subfolder, mine)
            finally:
                os.close(mine)
            if descriptor is None:
                return None
            self._fds[subfolder] = descriptor
        return self._fds[subfolder]


def _index_name(year: str, part: str = "year") -> str:
    return f"{part}-" + hashlib.sha256(year.encode()).hexdigest()[:32]


def _folder(name: str | Path, parent: int | None, *, own: bool = True) -> int | None:
    """A descriptor of the folder `name` (in `parent`), made with mode 0700 when missing; None
    when it is a link or not a folder, is not the user's, or others may write to it. A folder
    ovk made (`own`) and others may read is closed to them (0700)."""
    try:
        os.mkdir(name, 0o700, dir_fd=parent)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        descriptor = os.open(name, os.O_RDONLY | _DIRECTORY | _FLAGS, dir_fd=parent)
    except OSError:  # ELOOP for a link, ENOTDIR for a file
        return None
    try:
        status = os.fstat(descriptor)
        if status.st_uid != os.geteuid() or status.st_mode & 0o022:
            raise OSError("not the user's own folder")
        if own and status.st_mode & 0o077:
            os.fchmod(descriptor, 0o700)
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


def _secret(base: int, name: str) -> bytes | None:
    """The secret of the folder `name` in `base`, made once: 32 random bytes, mode 0600. One
    that is not a regular file of the user's, readable by others or of the wrong length is
    replaced (which invalidates every entry signed with it)."""
    folder = _folder(name, base)
    if folder is None:
        return None
    try:
        for _ in range(3):
            secret, present = _read_secret(folder)
            if secret is not None:
                return secret
            if present:
                os.unlink(SECRET, dir_fd=folder)  # a link is removed, never followed
            _make_secret(folder)
        return None
    except OSError:
        return None
    finally:
        os.close(folder)


def _read_secret(folder: int) -> tuple[bytes | None, bool]:
    """The secret if it is sound, and whether anything by its name is there."""
    try:
        descriptor = os.open(SECRET, os.O_RDONLY | os.O_NONBLOCK | _FLAGS, dir_fd=folder)
    except FileNotFoundError:
        return None, False
    except OSError:  # a link (ELOOP), or unreadable
        return None, True
    try:
        status = os.fstat(descriptor)
        if (
            not stat.S_ISREG(status.st_mode)
            or status.st_uid != os.geteuid()
            or status.st_mode & 0o077
            or status.st_size != _TAG
        ):
            return None, True
        secret = _read(descriptor, _TAG)
    finally:
        os.close(descriptor)
    return (secret if len(secret) == _TAG else None), True


def _make_secret(folder: int) -> None:
    """Write a new secret so that two processes making one at once agree on the winner: a
    temporary file, then a hard link, which fails when a secret exists."""
    temporary = f".{SECRET}.{os.getpid()}.{os.urandom(4).hex()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS
    descriptor = os.open(temporary, flags, 0o600, dir_fd=folder)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(os.urandom(_TAG))
        with suppress(FileExistsError):  # another process made it first: read theirs
            os.link(temporary, SECRET, src_dir_fd=folder, dst_dir_fd=folder)
    finally:
        os.unlink(temporary, dir_fd=folder)


def _read(descriptor: int, size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = os.read(descriptor, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _inside_repository(folder: Path, root: Path) -> bool:
    """Whether `folder` lies in the repository: under `root` or the work tree holding it."""
    resolved = folder.resolve()
    top = root.resolve()
    tops = [top]
    for parent in [top, *top.parents]:
        if (parent / ".git").exists():
            tops.append(parent)
            break
    return any(resolved == t or resolved.is_relative_to(t) for t in tops)


def _salt() -> bytes:
    """What every key of this run starts with: the format, the code and the versions."""
    return f"{FORMAT}\n{code_hash()}\n{_versions()}\n".encode()


@cache
def _versions() -> str:
    """ovk's and Python's versions, and the builds of the parsers and the validator: the file
    of each of `_VERSION_SOURCES`, with its size and mtime (stat, as git's index does). They
    are found without being imported (a warm run parses and validates nothing, and importing
    them would cost a one-file run a fifth of its time), and without importlib.metadata,
    whose import and reading would cost as much again."""
    versions = [f"ovk={__version__}", f"python={sys.version}"]
    for package, module in _VERSION_SOURCES:
        versions.append(f"{package}={_build(module)}")
    return " ".join(versions)


# The packages whose builds decide what a file reads as and whether it is valid: the parsers
# (yaml-rs reads clean files first, ovk/yamlio/native.py) and the validator.
_VERSION_SOURCES = (
    ("ruamel.yaml", "ruamel.yaml"),
    ("ruamel.yaml.clib", "_ruamel_yaml"),
    ("yaml-rs", "yaml_rs._yaml_rs"),
    ("jsonschema-rs", "jsonschema_rs.jsonschema_rs"),
)


def _build(module: str) -> str:
    """The file of `module` as the import system would find it, with its size and mtime ("?"
    when there is none), found without importing it or its packages."""
    from importlib.machinery import PathFinder

    locations: list[str] | None = None
    spec = None
    parts = module.split(".")
    for at in range(len(parts)):
        spec = PathFinder.find_spec(".".join(parts[: at + 1]), locations)
        if spec is None:
            return "?"
        locations = list(spec.submodule_search_locations or [])
    path = spec.origin if spec is not None else None
    try:
        status = os.stat(path) if path else None
    except OSError:
        status = None
    return f"{path}:{status.st_size}:{status.st_mtime_ns}" if status else "?"


@cache
def code_hash() -> str:
    """A SHA-256 of every file of the installed ovk package (its code, schemas and templates),
    by relative path; about 1.5 ms for its 60 files, once per run."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(s for s in subfolders if s != "__pycache__")
        for file in sorted(files):
            if file.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, file)
            with open(path, "rb") as handle:
                content = handle.read()
            relative = os.path.relpath(path, package).replace(os.sep, "/")
            digest.update(f"{relative}\0{len(content)}\0".encode())
            digest.update(content)
    return digest.hexdigest()
