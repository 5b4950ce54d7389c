"""The command line's edge without typer: how an error becomes one line and an exit code,
and SIGTERM as an exception. Shared by the typer commands (ovk.cli.app) and the fast
validate path (ovk.cli.fast), so both end a run the same way."""

from __future__ import annotations

import errno
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ovk.errors import ExitCode, OvkError, Terminated, UsageError, os_error_message
from ovk.output.literal import literal


def complaint(
    error: BaseException, option: Callable[[str], str] | None = None
) -> tuple[list[str], int] | None:
    """The lines to print on stderr and the exit code for an error a command raised, or None
    for one the caller must let pass (a broken pipe, an unexpected exception). With `option`,
    a UsageError names its parameters as the command's options."""
    if isinstance(error, OvkError):
        text = error.worded(option) if option and isinstance(error, UsageError) else str(error)
        lines = [literal(line) for line in error.details]
        return [*lines, f"ovk: error: {literal(text)}"], error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return ["ovk: interrupted"], ExitCode.INTERRUPTED
    if isinstance(error, Terminated):
        return ["ovk: terminated"], ExitCode.TERMINATED
    if isinstance(error, OSError) and error.errno != errno.EPIPE:  # one line, no traceback
        return [f"ovk: error: {literal(os_error_message(error))}"], ExitCode.USAGE
    return None


def root_of(option: Path | None) -> Path:
    """The repository a command works on: the `--root` given, else the nearest ancestor of
    the working folder that holds agreements/."""
    from ovk.model.layout import check_root, find_root

    return check_root(option) if option is not None else find_root()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """While a command runs, SIGTERM raises Terminated in the main thread, so that it ends as
    Ctrl-C does: the worker pool ends its workers, and the command prints one line and exits
    with a code."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated
