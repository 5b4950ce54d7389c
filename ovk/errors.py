"""The error hierarchy and exit codes; the CLI edge turns errors into one line and a code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # invalid data (validate) or differences found (diff --exit-code)
    USAGE = 2  # unknown year, division, path or bad option


class OvkError(Exception):
    """Base of every error ovk reports to the user as a one-line message."""

    exit_code = ExitCode.FINDINGS


class UsageError(OvkError):
    """The command line asked for something that does not exist or makes no sense."""

    exit_code = ExitCode.USAGE


class DataError(OvkError):
    """The agreement data cannot be used for the command (run `ovk validate`)."""

    exit_code = ExitCode.FINDINGS
