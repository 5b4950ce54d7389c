"""`ovk validate …` without typer: what pre-commit runs once per commit (and per file).

Importing typer (and the pydantic it brings) and click costs more than the validation of
one file. This small parser answers a command line only when it understands all of it: the
global `--root DIR`, then `validate` with its options (`--format`, `--strict`,
`--max-bytes`, `--no-cache`, `--jobs`/`-j`) and paths, each spelled as click accepts it
(`--format json`, `--format=json`, `-j2`, `--` before paths). Anything else — `--help`, an
unknown option, a value typer would refuse or that needs its checks (a --root that is a
file, an unreadable path, a name that is not UTF-8), shell completion — returns None, and
the caller goes the typer way, which prints its own help and errors. The work itself and
the handling of errors, Ctrl-C, SIGTERM and a closed pipe are the typer command's own
(ovk.cli.validating, ovk.cli.edge), so the two paths answer alike; tests/test_fast_cli.py
compares them.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TextIO, cast

COMMAND = "validate"
FLAGS = {"--strict": "strict", "--no-cache": "no_cache"}
VALUED = {"--format": "output_format", "--max-bytes": "max_bytes", "--jobs": "jobs", "-j": "jobs"}
NUMBERS = {"max_bytes", "jobs"}  # int options, each at least 1


def plain_validate(args: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The keyword arguments of ovk.cli.validating.run_validate for the command line `args`
    (without the program name), or None when it is not a plain validate call."""
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in environ):
        return None  # shell completion: typer's
    root: str | None = None
    i = 0
    while i < len(args) and args[i] != COMMAND:
        word = args[i]
        if word == "--root" and i + 1 < len(args):
            root, i = args[i + 1], i + 2
        elif word.startswith("--root="):
            root, i = word.removeprefix("--root="), i + 1
        else:
            return None
        if not _usable(root, directory=True):
            return None
    if i == len(args):
        return None
    call: dict[str, Any] = {"root_option": None if root is None else Path(root)}
    paths: list[str] = []
    rest = args[i + 1 :]
    j, only_paths = 0, False
    while j < len(rest):
        word = rest[j]
        j += 1
        if only_paths or not word.startswith("-"):
            paths.append(word)
        elif word == "--":
            only_paths = True
        elif word in FLAGS:
            call[FLAGS[word]] = True
        else:
            if word.startswith("--"):
                name, equals, value = word.partition("=")
            else:  # -j2 or -j 2
                name, value = word[:2], word[2:]
                equals = "=" if value else ""
            if name not in VALUED:
                return None
            if not equals:
                if j == len(rest) or rest[j].startswith("-"):
                    return None
                value, j = rest[j], j + 1
            key = VALUED[name]
            parsed = _value(key, value)
            if parsed is None:
                return None
            call[key] = parsed
    if not all(_usable(path, directory=False) for path in paths):
        return None
    call["paths"] = [Path(path) for path in paths]
    return call


def _value(key: str, value: str) -> object | None:
    if key in NUMBERS:
        plain = value.isascii() and value.isdigit() and not value.startswith("0")
        return int(value) if plain and len(value) < 19 else None
    from ovk.validate.reporters import REPORTERS

    return value if value in REPORTERS else None


def _usable(value: str, *, directory: bool) -> bool:
    """Whether typer would take `value` as the path it is, without a word to say."""
    if not value or "\0" in value or value.startswith("-"):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    try:
        status = os.stat(value)
    except OSError:
        return True  # typer does not check that a path exists; validate says it does not
    except ValueError:
        return False
    if directory and stat.S_ISREG(status.st_mode):
        return False
    return os.access(value, os.R_OK)


def option(name: str) -> str:
    """How the user types validate's parameter `name`, as OvkCommand.option says it."""
    return name.upper() if name == "paths" else f"--{name.replace('_', '-')}"


def main(args: Sequence[str]) -> None:
    """Answer a plain validate call and exit; return when `args` is not one."""
    call = plain_validate(args, os.environ)
    if call is None:
        return
    from ovk.cli.edge import complaint, sigterm_raises
    from ovk.cli.validating import run_validate
    from ovk.errors import ExitCode, OvkError, Terminated

    code: int
    try:
        with sigterm_raises():
            try:
                code = run_validate(**call)
            except (OvkError, KeyboardInterrupt, Terminated, OSError) as error:
                said = complaint(error, option)
                if said is None:
                    raise
                _say(said[0])
                code = said[1]
    except Terminated:  # after the command's own handling
        _say(["ovk: terminated"])
        code = ExitCode.TERMINATED
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        # A reader that stopped reading: exit 1 quietly, as click does.
        sys.stdout = cast(TextIO, _Pacified(sys.stdout))
        sys.stderr = cast(TextIO, _Pacified(sys.stderr))
        code = 1
    sys.exit(code)


def _say(lines: list[str]) -> None:
    for line in lines:
        sys.stderr.write(f"{line}\n")
        sys.stderr.flush()


class _Pacified:
    """A stream whose flush ignores a broken pipe (at exit), as click's PacifyFlushWrapper."""

    def __init__(self, wrapped: IO[Any]) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)
