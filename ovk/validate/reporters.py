"""Reporters: how validate's findings are printed, one per `--format`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TextIO

from ovk.findings import Finding
from ovk.tools.listing import Uppdrag, urgency

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


MARKS = {"past": " !", "soon": " ~", None: ""}
LEGEND = "! past due   ~ due within 30 days"


def uppdrag_table(uppdrag: list[Uppdrag], today: dt.date, out: TextIO, terminal: bool) -> None:
    """The uppdrag as a table: rich on a terminal (fits 80 columns), plain columns when piped."""
    if not uppdrag:
        out.write("no uppdrag match\n")
        return
    rows = [
        (
            u.entity.number or "-",
            f"{u.entity.due.isoformat() if u.entity.due else '-'}{MARKS[urgency(u, today)]}",
            u.entity.origin,
            ", ".join(u.owners),
            u.entity.lead or "-",
            u.entity.title,
        )
        for u in uppdrag
    ]
    if not terminal:
        out.write("number\tdue\torigin\towners\tlead\ttitle\n")
        for row in rows:
            out.write("\t".join(row) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("Nr", no_wrap=True)
        table.add_column("Due", no_wrap=True)
        table.add_column("Origin", no_wrap=True)
        table.add_column("Owners", max_width=16)
        table.add_column("Lead", no_wrap=True)
        table.add_column("Title", ratio=1)
        styles = {"past": "bold red", "soon": "yellow", None: ""}
        for u, row in zip(uppdrag, rows, strict=True):
            table.add_row(*row, style=styles[urgency(u, today)])
        Console(file=out).print(table)
    if any(urgency(u, today) for u in uppdrag):
        out.write(LEGEND + "\n")
