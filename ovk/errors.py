"""The error hierarchy and exit codes; the CLI edge turns errors into one line and a code."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # invalid data (validate) or differences found (diff --exit-code)
    USAGE = 2  # unknown year, division, path or bad option; a run-time (OS) error
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it
    TERMINATED = 143  # SIGTERM (128 + SIGTERM)


class OvkError(Exception):
    """Base of every error ovk reports to the user as a one-line message."""

    exit_code = ExitCode.FINDINGS
    # Lines printed before the message, one each: the located findings that explain it.
    details: tuple[str, ...] = ()


class UsageError(OvkError):
    """The request asked for something that does not exist or makes no sense.

    The core names the request's parameters it speaks of as `<name>` in the message and
    lists them in `params` (`UsageError("<owner> 'XYZ' is not a division", "owner")`); the
    command line shows each as the option the user typed (`--owner`), other callers as the
    bare name. The core never words its errors with command-line flags.
    """

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, *params: str, details: tuple[str, ...] = ()) -> None:
        self.template = message
        self.params = params
        self.details = details
        super().__init__(self.worded(lambda name: name))

    def worded(self, option: Callable[[str], str]) -> str:
        """The message with each parameter shown as `option(name)` gives it."""
        text = self.template
        for name in self.params:
            text = text.replace(f"<{name}>", option(name))
        return text


class RunError(OvkError):
    """The command could not run to its end (a worker process died, say): exit 2."""

    exit_code = ExitCode.USAGE


class DataError(OvkError):
    """The agreement data cannot be used for the command (run `ovk validate`)."""

    exit_code = ExitCode.FINDINGS


class Terminated(BaseException):
    """SIGTERM, raised in the main thread by the command line's handler so that what runs
    cleans up as for Ctrl-C (the worker pool ends its workers). Like KeyboardInterrupt it is
    no Exception, so no `except Exception` swallows it."""


def os_error_message(error: OSError) -> str:
    """An OSError in one line: what went wrong and on which file."""
    reason = error.strerror or str(error)
    names = [name for name in (error.filename, error.filename2) if name is not None]
    return f"{reason}: {' -> '.join(map(str, names))}" if names else reason


def short_repr(value: object, limit: int = 60) -> str:
    """`repr(value)` cut to `limit` characters (the last an ellipsis): how a message quotes a
    value read from a file or a server, so a 4,000-digit number or a megabyte of string is
    not the message. A string's repr escapes its control characters."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
