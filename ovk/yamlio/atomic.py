"""Writing files so that a reader never sees half of one, and never through a link.

Every file ovk writes (fmt, new, render -o, export -o, schema -o) goes through
`write_atomically`: a temporary file created with O_EXCL and O_NOFOLLOW in the target's own
folder (opened once, so the folder cannot be swapped between the steps), then a rename onto the
name. A target that is a symbolic link is refused, not followed and not replaced (the /tmp link
attack; a link in a repository stays a link); a read-only target is refused, not rewritten.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from ovk.errors import UsageError

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_FLAGS |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
# Where the platform can (POSIX), every step names the file relative to one open folder.
_DIR_FD = {os.open, os.stat, os.replace, os.unlink} <= os.supports_dir_fd


class RefusedWrite(UsageError):
    """A write ovk will not make: the target is a symbolic link, or read-only."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path} {reason}")


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is set back at once)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


def refusal(path: Path) -> str | None:
    """Why `write_atomically` would refuse `path` ("is a symbolic link ..."), or None."""
    try:
        return _refusal(os.stat(path, follow_symlinks=False), path)
    except OSError:
        return None  # nothing there (or not reachable): the write itself will tell


def _refusal(status: os.stat_result, where: Path | str, folder: int | None = None) -> str | None:
    if stat.S_ISLNK(status.st_mode):
        return (
            f"is a symbolic link (to {os.readlink(where, dir_fd=folder)}); ovk never writes "
            "through a link nor replaces one: remove the link, or name the file itself"
        )
    writable = status.st_mode & 0o222 and os.access(where, os.W_OK, dir_fd=folder)
    if stat.S_ISREG(status.st_mode) and not writable:
        return "is read-only; ovk does not rewrite it (make it writable first)"
    return None


def write_atomically(path: Path, text: str | bytes) -> None:
    """Replace `path` with `text` (UTF-8 when a str) in one step: a new temporary file beside
    it, then a rename.

    A RefusedWrite (a usage error) when `path` is a symbolic link or a read-only file; an
    OSError when the folder is missing or cannot be written.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    parent = str(path.parent)
    folder = os.open(parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if _DIR_FD else None

    def at(name: str) -> str:
        return name if folder is not None else os.path.join(parent, name)

    try:
        try:
            status: os.stat_result | None = os.stat(
                at(path.name), dir_fd=folder, follow_symlinks=False
            )
        except FileNotFoundError:
            status = None
        if status is not None:
            why = _refusal(status, at(path.name), folder)
            if why is not None:
                raise RefusedWrite(path, why)
            mode = status.st_mode & 0o777
        else:  # a new file gets what open() would give it
            mode = 0o666 & ~current_umask()
        temporary, descriptor = _create(path.name, at, folder)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                if hasattr(os, "fchmod"):
                    os.fchmod(handle.fileno(), mode)
            if not hasattr(os, "fchmod"):
                os.chmod(at(temporary), mode)
            os.replace(at(temporary), at(path.name), src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(at(temporary), dir_fd=folder)
            raise
    finally:
        if folder is not None:
            os.close(folder)


def _create(name: str, at: Callable[[str], str], folder: int | None) -> tuple[str, int]:
    """A new hidden file beside `name`, made by this call (O_EXCL): its name and descriptor."""
    for _ in range(100):
        temporary = f".{name}.{secrets.token_hex(4)}"
        try:
            return temporary, os.open(at(temporary), _FLAGS, 0o600, dir_fd=folder)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {name}")
