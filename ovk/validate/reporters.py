"""Reporters: how validate's findings are printed, one per `--format`.

File names and messages carry what contributors wrote; the text and github reporters show
them literally (ovk.output.literal), so a file name holding a newline or an ESC sequence
cannot add a line, an annotation or a terminal command. JSON keeps them exact (its own
escaping is strict); the GitLab report keeps the path exact (GitLab matches it to the
merge request's files) and shows its descriptions literally, as text for people.
"""

from __future__ import annotations

import hashlib
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


# GitLab's severities are info, minor, major, critical and blocker.
GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def gitlab(findings: list[Finding], files_checked: int, out: TextIO) -> None:
    """GitLab's Code Quality report (a JSON array), the `codequality` artifact a merge
    request shows inline: each finding's description, rule, severity, file and line.

    The fingerprint identifies a finding across pipelines, so GitLab can tell new findings
    from fixed ones: a hash of the file, rule, JSON path and message, not of the line (a
    line added above moves a finding, it does not make it new). Findings alike in all four
    are told apart by their order in the file."""
    seen: dict[str, int] = {}
    issues = []
    for f in findings:
        identity = json.dumps(
            [f.file, f.rule, f.path, f.message], ensure_ascii=False, allow_nan=False
        )
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] > 1:
            identity += f"#{seen[identity]}"
        issues.append(
            {
                "description": literal(f"{f.message}. Hint: {f.hint}"),
                "check_name": f.rule,
                "fingerprint": hashlib.sha256(identity.encode("utf-8")).hexdigest(),
                "severity": GITLAB_SEVERITY[f.severity.value],
                "location": {"path": f.file, "lines": {"begin": max(f.line, 1)}},
            }
        )
    json.dump(issues, out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


REPORTERS: dict[str, Reporter] = {
    "text": text,
    "json": as_json,
    "github": github,
    "gitlab": gitlab,
}
