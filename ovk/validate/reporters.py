"""Reporters: how validate's findings are printed, one per `--format`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from ovk.findings import Finding

Reporter = Callable[[list[Finding], int, TextIO], None]


def text(findings: list[Finding], files_checked: int, out: TextIO) -> None:
    """`path:line:col: RULE message` and an indented hint, like a compiler."""
    for f in findings:
        label = "" if f.severity == "error" else " (warning)"
        out.write(f"{f.file}:{f.line}:{f.column}: {f.rule}{label} {f.message}\n")
        out.write(f"    hint: {f.hint}\n")
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if findings:
        out.write(f"{errors} error(s), {warnings} warning(s) in {files_checked} file(s)\n")
    else:
        out.write(f"{files_checked} file(s) valid\n")


def as_json(findings: list[Finding], files_checked: int, out: TextIO) -> None:
    """An array of finding objects (file, line, column, path, rule, severity, message, hint)."""
    records = [
        {
            "file": f.file,
            "line": f.line,
            "column": f.column,
            "path": f.path,
            "rule": f.rule,
            "severity": f.severity.value,
            "message": f.message,
            "hint": f.hint,
        }
        for f in findings
    ]
    json.dump(records, out, ensure_ascii=False, indent=2)
    out.write("\n")


def github(findings: list[Finding], files_checked: int, out: TextIO) -> None:
    """GitHub Actions workflow commands: annotations on the lines of a pull request."""
    for f in findings:
        level = "error" if f.severity == "error" else "warning"
        message = _escape_data(f"{f.message}. Hint: {f.hint}")
        out.write(
            f"::{level} file={_escape_property(f.file)},line={f.line},col={f.column},"
            f"title={_escape_property(f.rule)}::{message}\n"
        )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json, "github": github}
