"""The one way ovk runs git: on a repository it does not trust, with a timeout.

A repository's own configuration can name programs for git to run (an fsmonitor hook, a
pager, a clean filter, hooks); a cloned or downloaded repository is not trusted, so every
call turns those off on the command line (which outranks every config file), reads nothing
from the terminal and never waits longer than `TIMEOUT`.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

TIMEOUT = 120  # seconds; a hung git (a credential prompt, a lock) must not hang ovk
# What a repository's config could make git run, turned off; filters are found per driver.
SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.askPass=",
    "credential.helper=",
    "protocol.allow=never",
    "diff.external=",
    "submodule.recurse=false",
)
_FILTER = re.compile(rb"^filter\.(.+)\.(?:clean|smudge|process|required)$")


class GitMissing(OSError):
    """git is not installed."""


class GitTimeout(OSError):
    """git did not answer within the timeout."""


class GitUnsafe(OSError):
    """The repository's config names a program ovk cannot keep git from running."""


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",  # never ask for a password
        "GIT_OPTIONAL_LOCKS": "0",  # a status never writes the index
        "GIT_PAGER": "cat",
    }


def _run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        check=False,
        env=_environment(),
        stdin=subprocess.DEVNULL,  # git reads nothing from the user
    )


def _config(base: list[str], cwd: Path, timeout: float) -> list[str]:
    """-c options that empty every filter driver the repository's config names (a filter
    is a program git would run on the working tree's files)."""
    listed = _run([*base, "config", "--null", "--get-regexp", r"^filter\."], cwd, timeout)
    drivers = {
        match.group(1).decode("utf-8", "surrogateescape")
        for entry in listed.stdout.split(b"\0")  # "name\nvalue" each
        if (match := _FILTER.match(entry.split(b"\n", 1)[0].strip()))
    }
    if any("=" in driver for driver in drivers):  # -c cannot name it: git would run it
        raise GitUnsafe("the repository names a filter ovk cannot turn off")
    return [
        setting
        for driver in sorted(drivers)
        for setting in (
            f"filter.{driver}.clean=",
            f"filter.{driver}.smudge=",
            f"filter.{driver}.process=",
            f"filter.{driver}.required=false",  # an emptied required filter would fail
        )
    ]


def _base() -> list[str]:
    base = ["git", "--no-pager"]
    for setting in SAFE_CONFIG:
        base += ["-c", setting]
    return base


def git_process(cwd: Path, *args: str, errors: IO[bytes]) -> subprocess.Popen[bytes]:
    """`git ARGS` in `cwd` as a process to talk to through its stdin and stdout (`git
    cat-file --batch`), with the same settings as `git`; GitMissing when git is missing. The
    caller bounds its time."""
    try:
        return subprocess.Popen(
            [*_base(), *args],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=_environment(),
        )
    except FileNotFoundError:
        raise GitMissing("git is not installed") from None


def git(
    cwd: Path, *args: str, timeout: float = TIMEOUT, filters: bool = False
) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` in `cwd`, its output captured; GitMissing, GitTimeout or GitUnsafe (all
    OSErrors) when it cannot run, or not safely.

    `filters=True` for a command that may read the working tree's files through filters
    (status, diff): every filter driver of the repository's config is emptied first."""
    base = _base()
    try:
        extra: Sequence[str] = _config(base, cwd, timeout) if filters else ()
        for setting in extra:
            base += ["-c", setting]
        return _run([*base, *args], cwd, timeout)
    except FileNotFoundError:
        raise GitMissing("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitTimeout(f"git {' '.join(args)} did not answer in {timeout:g} s") from None
