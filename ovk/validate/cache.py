"""An optional cache of the files `ovk validate` found clean, kept in the user's cache folder.

A hit skips reading the YAML: the entry holds the file's data (JSON), so cross-file rules,
which always run, still see every document. Files with findings are never cached (they take
the located path every time), and modeline findings, which depend on where the file stands,
are always recomputed.

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
  run), the versions of Python and the parser and the builds (stat) of the native parsers
  (yaml-rs too, when installed) and validator, the file's kind, its schema's bytes and the
  file's bytes, so an entry written by other code or for other bytes is never
  found;
- an entry carries an HMAC-SHA-256 of its key and data under a secret made once per cache
  folder (32 random bytes, mode 0600, in a folder of mode 0700), so an entry not written by
  ovk for this key is rejected;
- its data must be JSON that the kind's schema accepts (the engine asks the fast validator).

An entry that fails any of these is a miss: the file is read as if uncached, and if clean the
entry is written again. A cache that cannot be opened or written is simply not used.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import os
import re
import stat
import sys
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

from ovk import __version__
from ovk.model.conformance import schema_bytes

ENV_FOLDER = "OVK_CACHE_DIR"
FORMAT = "ovk-cache 2"  # part of every key: entries of another layout are never found
SECRET = "secret"
ENTRIES = "entries"
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
    return Cache.open(folder, root) if folder is not None else None


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
        self._fd: int | None = None
        self._schemas: dict[tuple[str, Path], bytes] = {}

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
        self._fd = None
        self._schemas = {}

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

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
        folder = self._entries()
        if folder is None:
            return _MISSING
        try:
            descriptor = os.open(key, os.O_RDONLY | os.O_NONBLOCK | _FLAGS, dir_fd=folder)
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
        if not hmac.compare_digest(tag, self._tag(key, payload)):
            return _MISSING
        try:
            return json.loads(payload)["data"]
        except (ValueError, KeyError, TypeError):
            return _MISSING

    def put(self, key: str, data: Any) -> None:
        """Write the entry `key` whole (a temporary file, then a rename that replaces a link
        rather than following it)."""
        folder = self._entries()
        if folder is None:
            return
        payload = json.dumps({"data": data}, ensure_ascii=False).encode("utf-8")
        temporary = f".{key}.{os.getpid()}.{os.urandom(4).hex()}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS
            descriptor = os.open(temporary, flags, 0o600, dir_fd=folder)
            try:
                with os.fdopen(descriptor, "wb") as out:
                    out.write(self._tag(key, payload) + payload)
                os.replace(temporary, key, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError:
                os.unlink(temporary, dir_fd=folder)
                raise
        except OSError:
            pass  # a cache that cannot be written is just not used

    def _tag(self, key: str, payload: bytes) -> bytes:
        return hmac.digest(self.secret, key.encode() + b"\n" + payload, "sha256")

    def _entries(self) -> int | None:
        """The descriptor of this repository's entries folder, opened once per process."""
        if self._fd is None:
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
                self._fd = _folder(ENTRIES, mine)
            finally:
                os.close(mine)
        return self._fd


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
    """ovk's, Python's and ruamel.yaml's versions, and the builds of the native parsers and
    validator: their extension module's path, size and mtime (stat, as git's index does),
    cheaper than importlib.metadata, whose import and reading of the packages' metadata
    would cost a single-file run about a fifth of its time."""
    import ruamel.yaml

    versions = [f"ovk={__version__}", f"python={sys.version}"]
    versions.append(f"ruamel.yaml={ruamel.yaml.__version__}")
    for package, module in (
        ("ruamel.yaml.clib", "_ruamel_yaml"),
        ("jsonschema-rs", "jsonschema_rs.jsonschema_rs"),
        ("yaml-rs", "yaml_rs._yaml_rs"),  # the optional native source (ovk[native])
    ):
        try:
            path = importlib.import_module(module).__file__ or ""
            status = os.stat(path)
            versions.append(f"{package}={path}:{status.st_size}:{status.st_mtime_ns}")
        except (ImportError, OSError):
            versions.append(f"{package}=?")
    return " ".join(versions)


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
