"""The command line: parse options, call the core, report, map to an exit code. Nothing more."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

# typer (>= 0.29) vendors click; its exceptions are what a bad option raises.
from typer._click import Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperGroup

from ovk import __version__
from ovk.errors import ExitCode, OvkError


class OvkGroup(TyperGroup):
    """The one place where ovk's errors become a one-line message and an exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except NoArgsIsHelpError as error:
            typer.echo(error.ctx.get_help() if error.ctx else error.format_message())
            sys.exit(ExitCode.USAGE)
        except ClickException as error:  # bad option or value: one line, no usage banner
            ctx = getattr(error, "ctx", None)
            where = f"; see '{ctx.command_path} --help'" if ctx else ""
            typer.echo(f"ovk: error: {error.format_message().rstrip('.')}{where}", err=True)
            sys.exit(ExitCode.USAGE)
        except typer.Abort:
            typer.echo("ovk: aborted", err=True)
            sys.exit(ExitCode.FINDINGS)
        sys.exit(result if isinstance(result, int) else ExitCode.OK)

    def invoke(self, ctx: Context) -> object:
        try:
            return super().invoke(ctx)
        except OvkError as error:
            typer.echo(f"ovk: error: {error}", err=True)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    name="ovk",
    cls=OvkGroup,
    help="Keep the överenskommelse om verksamhet as YAML in git: validate, diff, list, render.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    root: Path | None = None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ovk {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="Folder holding agreements/ (default: nearest ancestor that has one).",
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """ovk keeps a municipality's yearly agreement (överenskommelse om verksamhet) as YAML."""
    State.root = root


def _root() -> Path:
    from ovk.repository import check_root, find_root

    return check_root(State.root) if State.root is not None else find_root()


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to check (default: everything under agreements/).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ValidateFormat,
        typer.Option(
            "--format", help="text (path:line:col), json, or github (workflow annotations)."
        ),
    ] = ValidateFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="Size cap per file, checked before parsing.")
    ] = 5 * 1024 * 1024,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Neither read nor write .ovk-cache/ (files found clean before)."
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes to use (default: one per CPU for large runs, else one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check agreement files against their JSON Schemas and across files.

    Every problem is reported as path:line:col: RULE message, with a hint; rules are listed
    in docs/rules.md. Exit 0 when valid, 1 when there are errors (or warnings with --strict).

    Examples:

        ovk validate

        ovk validate agreements/2026/uppdrag/okat-valdeltagande.yaml --format github
    """
    from ovk.cache import CACHE_FOLDER
    from ovk.reporters import REPORTERS
    from ovk.validate import validate as run_validate

    root = _root()
    bar = _ProgressBar() if sys.stderr.isatty() and not os.environ.get("CI") else None
    try:
        report = run_validate(
            root,
            paths or [],
            max_bytes,
            workers=jobs,
            progress=bar.update if bar else None,
            cache=None if no_cache else root / CACHE_FOLDER,
        )
    finally:
        if bar:
            bar.close()
    REPORTERS[output_format.value](report.findings, report.files_checked, sys.stdout)
    failing = report.findings if strict else report.errors
    raise typer.Exit(ExitCode.FINDINGS if failing else ExitCode.OK)


class _ProgressBar:
    """A progress bar on stderr for long runs on a terminal; silent in CI and when piped."""

    def __init__(self) -> None:
        self.progress: Any = None
        self.task: Any = None

    LONG_RUN = 2000  # files: about two seconds; shorter runs would only flicker

    def update(self, done: int, total: int) -> None:
        if self.progress is None:
            if total < self.LONG_RUN:
                return
            from rich.console import Console
            from rich.progress import Progress

            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("validating", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Origin(StrEnum):
    KF = "KF"
    KS = "KS"


class SortKey(StrEnum):
    due = "due"
    number = "number"
    owner = "owner"


@app.command(name="list")
def list_uppdrag(
    year: Annotated[int | None, typer.Option(help="Agreement year (default: the latest).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only uppdrag given to this division.")] = None,
    lead: Annotated[str | None, typer.Option(help="Only uppdrag this division leads.")] = None,
    origin: Annotated[Origin | None, typer.Option(help="Only uppdrag from KF or KS.")] = None,
    due_before: Annotated[
        str | None, typer.Option(help="Only uppdrag due before this date (YYYY-MM-DD).")
    ] = None,
    due_after: Annotated[
        str | None, typer.Option(help="Only uppdrag due after this date (YYYY-MM-DD).")
    ] = None,
    sort: Annotated[SortKey, typer.Option(help="Sort by due date, number or owner.")] = SortKey.due,
    output_format: Annotated[
        ListFormat,
        typer.Option("--format", help="table, json (an array) or csv (for Excel: BOM and ';')."),
    ] = ListFormat.table,
) -> None:
    """List the year's särskilda uppdrag by owner and due date.

    "alla verksamheter" counts as every division of the year. In the table, ! marks a due
    date that has passed and ~ one within 30 days.

    Examples:

        ovk list --owner KLK

        ovk list --year 2026 --due-before 2026-07-01 --format csv > uppdrag.csv
    """
    import datetime as dt
    import json

    from ovk.listing import Filters, parse_date, record, select, to_csv
    from ovk.model import load_year, resolve_year
    from ovk.reporters import uppdrag_table

    root = _root()
    filters = Filters(
        owner=owner,
        lead=lead,
        origin=origin.value if origin else None,
        due_before=parse_date(due_before, "--due-before") if due_before else None,
        due_after=parse_date(due_after, "--due-after") if due_after else None,
    )
    chosen = select(load_year(root, resolve_year(root, year)), filters, sort.value)
    if output_format is ListFormat.json:
        typer.echo(json.dumps([record(u) for u in chosen], ensure_ascii=False, indent=2))
    elif output_format is ListFormat.csv:
        sys.stdout.write(to_csv(chosen))
        if not chosen:
            typer.echo("no uppdrag match", err=True)
    else:
        uppdrag_table(chosen, dt.date.today(), sys.stdout, sys.stdout.isatty())


def main() -> None:
    """Entry point of the `ovk` console script."""
    app()
