"""Reporters: how validate's findings are printed, one per `--format`.

File names and messages carry what contributors wrote; the text and github reporters show
them literally (ovk.output.literal), so a file name holding a newline or an ESC sequence
cannot add a line, an annotation or a terminal command. JSON keeps them exact (its own
escaping is strict).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from ovk.findings import Finding
from ovk.output.literal import literal

Reporter = Callable[[list[Finding], int, TextIO], None]


def text(findings: list[Finding], files_checked: int, out: TextIO) -> None:
    """`path:line:col: RULE message` and an indented hint, like a compiler."""
    for f in findings:
        label = "" if f.severity == "error" else " (warning)"
        where = f"{literal(f.file)}:{f.line}:{f.column}"
        out.write(f"{where}: {f.rule}{label} {literal(f.message)}\n")
        out.write(f"    hint: {literal(f.hint)}\n")
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
    json.dump(records, out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


def github(findings: list[Finding], files_checked: int, out: TextIO) -> None:
    """GitHub Actions workflow commands: annotations on the lines of a pull request."""
    for f in findings:
        level = "error" if f.severity == "error" else "warning"
        message = _escape_data(literal(f"{f.message}. Hint: {f.hint}"))
        out.write(
            f"::{level} file={_escape_property(literal(f.file))},line={f.line},col={f.column},"
            f"title={_escape_property(f.rule)}::{message}\n"
        )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json, "github": github}
