"""The command line: parse options, call the core, report, map to an exit code. Nothing more."""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

# typer (>= 0.29) vendors click; its exceptions are what a bad option raises.
from typer._click import Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperArgument, TyperCommand, TyperGroup

from ovk import __version__
from ovk.cli.edge import complaint, root_of, sigterm_raises
from ovk.cli.validating import DEFAULT_FORMAT, DEFAULT_MAX_BYTES
from ovk.errors import ExitCode, OvkError, Terminated, UsageError
from ovk.output.literal import literal

if TYPE_CHECKING:
    from ovk.findings import Finding
    from ovk.output.terminal import Terminal


class OvkGroup(TyperGroup):
    """The one place where ovk's errors become a one-line message and an exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            with sigterm_raises():
                result = super().main(*args, **kwargs)
        except Terminated:  # before or after a command runs
            typer.echo("ovk: terminated", err=True)
            sys.exit(ExitCode.TERMINATED)
        except NoArgsIsHelpError as error:
            typer.echo(error.ctx.get_help() if error.ctx else error.format_message())
            sys.exit(ExitCode.USAGE)
        except ClickException as error:  # bad option or value: one line, no usage banner
            ctx = getattr(error, "ctx", None)
            where = f"; see '{ctx.command_path} --help'" if ctx else ""
            message = literal(error.format_message().rstrip("."))
            typer.echo(f"ovk: error: {message}{where}", err=True)
            sys.exit(ExitCode.USAGE)
        except typer.Abort:
            typer.echo("ovk: aborted", err=True)
            sys.exit(ExitCode.FINDINGS)
        sys.exit(result if isinstance(result, int) else ExitCode.OK)

    def invoke(self, ctx: Context) -> object:
        try:
            return super().invoke(ctx)
        except (OvkError, KeyboardInterrupt, Terminated, OSError) as error:
            said = complaint(error)
            if said is None:  # a reader that stopped reading: typer's to handle
                raise
            _say(said[0])
            raise typer.Exit(said[1]) from None


def _say(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line, err=True)


class OvkCommand(TyperCommand):
    """A command whose errors name the options the user typed: the core names a request's
    parameters (`<owner>`), this shows them as the command's options (`--owner`)."""

    ERROR_EXIT: ExitCode | None = None  # every error's exit code, if not the error's own

    def invoke(self, ctx: Context) -> object:
        try:
            return super().invoke(ctx)
        except OvkError as error:
            lines, code = complaint(error, self.option) or ([], error.exit_code)
            _say(lines)
            raise typer.Exit(self.ERROR_EXIT or code) from None

    def option(self, name: str) -> str:
        """How the user types the parameter `name` (its long option without dashes)."""
        for param in self.params:
            if isinstance(param, TyperArgument) and param.name == name.replace("-", "_"):
                return param.metavar or name.upper()
            if f"--{name}" in param.opts:
                return param.opts[0]
        return f"--{name}"


class DiffCommand(OvkCommand):
    """`ovk diff`, whose exit 1 means only "differences" (with --exit-code), as in git diff:
    every error, a file it cannot read included, exits 2."""

    ERROR_EXIT = ExitCode.USAGE


class OnlineCommand(OvkCommand):
    """`ovk kolada …`, which asks a server: every error (offline, a timeout, bad data to ask
    about) exits 2, as a failing network does; `ovk kolada diff`'s exit 1 means revisions."""

    ERROR_EXIT = ExitCode.USAGE


app = typer.Typer(
    name="ovk",
    cls=OvkGroup,
    help="Keep the överenskommelse om verksamhet as YAML in git: validate, diff, list, render.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    root: Path | None = None


class Registry:
    """The choices of an option, from the registry the command dispatches on (its formats,
    sort keys …), read when first needed so `ovk --help` imports none of them: it parses the
    option's value (typer's `parser`) and completes it (`autocompletion`)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def choices(self) -> tuple[str, ...]:
        return tuple(getattr(importlib.import_module(self.module), self.name))

    def __call__(self, value: str) -> str:
        if value not in self.choices():
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(self.choices())}")
        return value

    def complete(self, incomplete: str) -> list[str]:
        return [c for c in self.choices() if c.startswith(incomplete)]


def choice(module: str, name: str) -> dict[str, Any]:
    """The typer.Option/Argument keywords of an option whose values a registry holds."""
    registry = Registry(module, name)
    return {"parser": registry, "autocompletion": registry.complete}


def _root_hint(ctx: Context) -> Path | None:
    """The --root given before the word being completed, if any."""
    value = ctx.find_root().params.get("root")
    return Path(value) if value else None


def complete_year(ctx: Context, incomplete: str) -> list[str]:
    from ovk.cli.completion import years

    return years(_root_hint(ctx), incomplete)


def complete_division(ctx: Context, incomplete: str) -> list[str]:
    from ovk.cli.completion import division_codes

    return division_codes(_root_hint(ctx), incomplete)


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
    return root_of(State.root)


@app.command(cls=OvkCommand)
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to check (default: everything under agreements/).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            **choice("ovk.validate.reporters", "REPORTERS"),
            help="text (path:line:col), json, github (workflow annotations) or gitlab (the "
            "Code Quality report, JSON).",
        ),
    ] = DEFAULT_FORMAT,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="Size cap per file, checked before parsing.")
    ] = DEFAULT_MAX_BYTES,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Neither read nor write the cache of files found clean before (in the user's "
            "cache folder or $OVK_CACHE_DIR; always off when $CI is set).",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes to use (default: one per CPU for large runs, else one); clamped "
            "to the number of year folders and to twice the CPUs.",
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
    from ovk.cli.validating import run_validate

    code = run_validate(State.root, paths or [], output_format, strict, max_bytes, no_cache, jobs)
    raise typer.Exit(code)


@app.command(name="list", cls=OvkCommand)
def list_uppdrag(
    year: Annotated[
        int | None,
        typer.Option(help="Agreement year (default: the latest).", autocompletion=complete_year),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(help="Only uppdrag given to this division.", autocompletion=complete_division),
    ] = None,
    lead: Annotated[
        str | None,
        typer.Option(help="Only uppdrag this division leads.", autocompletion=complete_division),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option(**choice("ovk.model.entities", "ORIGINS"), help="Only uppdrag from KF or KS."),
    ] = None,
    due_before: Annotated[
        str | None, typer.Option(help="Only uppdrag due before this date (YYYY-MM-DD).")
    ] = None,
    due_after: Annotated[
        str | None, typer.Option(help="Only uppdrag due after this date (YYYY-MM-DD).")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            **choice("ovk.tools.listing", "STATUS_CHOICES"),
            help="Only uppdrag whose latest reported follow-up status is this: ej påbörjat, "
            "pågår, pågår med avvikelse, klart, avbrutet, vilande, or försenat for the late "
            "ones.",
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            **choice("ovk.tools.listing", "SORT_KEYS"),
            help="Sort by due date, number or owner.",
        ),
    ] = "due",
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            **choice("ovk.tools.listing", "FORMATS"),
            help="table, json (an array) or csv (for Excel: BOM and ';').",
        ),
    ] = "table",
) -> None:
    """List the year's särskilda uppdrag by owner and due date.

    "alla verksamheter" counts as every division of the year. In the table, ! marks a due
    date that has passed and ~ one within 30 days. Status is the latest reported in the
    year's follow-up reports and its occasion, "(försenat)" when that report finds it late.

    Examples:

        ovk list --owner KLK

        ovk list --year 2026 --due-before 2026-07-01 --format csv > uppdrag.csv

        ovk list --status "pågår med avvikelse"
    """
    import datetime as dt

    from ovk.model.read import resolve_year
    from ovk.model.values import parse_date
    from ovk.tools.listing import FORMATS, Filters, load_year, select

    root = _root()
    filters = Filters(
        owner=owner,
        lead=lead,
        origin=origin,
        due_before=parse_date(due_before, "due-before") if due_before else None,
        due_after=parse_date(due_after, "due-after") if due_after else None,
        status=status,
    )
    chosen = select(load_year(root, resolve_year(root, year)), filters, sort)
    FORMATS[output_format](chosen, dt.date.today(), sys.stdout, _terminal(sys.stdout))
    if not chosen and output_format == "csv":
        typer.echo("no uppdrag match", err=True)


@app.command(cls=DiffCommand)
def diff(
    old: Annotated[str, typer.Argument(help="A year, a git revision, or REV:YEAR.")],
    new: Annotated[str, typer.Argument(help="A year, a git revision, or REV:YEAR.")],
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            **choice("ovk.diff.report", "REPORTERS"),
            help="text (coloured on a terminal), markdown (GitHub) or json.",
        ),
    ] = "text",
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when there are differences, 0 when none.")
    ] = False,
    only: Annotated[
        str | None,
        typer.Option(
            **choice("ovk.diff.compare", "ONLY_CHOICES"),
            help="Only changes of this kind of content: uppdrag, goals (målområden, goals, "
            "indicators), grunduppdrag, ekonomi (ersättning, samråd), agreement or "
            "uppfoljning (follow-up reports).",
        ),
    ] = None,
    division: Annotated[
        str | None,
        typer.Option(
            help="Only changes that concern this division (code).",
            autocompletion=complete_division,
        ),
    ] = None,
    stat: Annotated[
        bool,
        typer.Option(
            "--stat",
            help="Only the overview: counts per kind of content and per division (with "
            "--format json, the counts as one object).",
        ),
    ] = False,
) -> None:
    """Show what changed between two years, or between two git revisions.

    Entities are matched by identity (division code, id); across years, goals, uppdrag and
    grunduppdrag left over are matched by title similarity, and the report says how each was
    matched. Text and Markdown are a Swedish briefing: an overview of counts (alone with
    --stat), then each division's changes; changed text is shown word by word, amounts
    with their difference. Two revisions compare every year present in either; REV:YEAR
    compares one year at a revision with the working tree (the pull-request case).
    Revisions are read from git's object store, as committed (git attributes do not
    apply); the working tree is never touched.

    Examples:

        ovk diff 2024 2026 --format markdown > diff.md

        ovk diff 2024 2026 --stat

        ovk diff origin/main:2026 2026 --only uppdrag --exit-code
    """
    from ovk.diff.compare import diff as run_diff, narrow
    from ovk.diff.report import REPORTERS, STAT_REPORTERS

    comparison = run_diff(_root(), old, new)
    if division is not None and division not in comparison.division_names:
        known = ", ".join(sorted(comparison.division_names))
        raise UsageError(f"--division {division!r} is not a division (divisions: {known})")
    if only is not None or division is not None:
        chosen = narrow(comparison.changes, only, division)
        comparison = replace(comparison, changes=tuple(chosen), division=division)
    reporters = STAT_REPORTERS if stat else REPORTERS
    reporters[output_format](comparison, sys.stdout, _terminal(sys.stdout))
    raise typer.Exit(ExitCode.FINDINGS if exit_code and comparison.changes else ExitCode.OK)


def _terminal(stream: Any) -> Terminal | None:
    """A terminal to draw on when `stream` is one; colour never when NO_COLOR is set
    (https://no-color.org)."""
    if not stream.isatty():
        return None
    from ovk.cli.terminal import RichTerminal

    return RichTerminal(stream, colour=not os.environ.get("NO_COLOR"))


# --- tools: fmt, new, export, schema -------------------------------------------------------


@app.command(cls=OvkCommand)
def fmt(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to format (default: everything under agreements/).",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; exit 1 and name the files fmt would change."),
    ] = False,
) -> None:
    """Rewrite agreement files in the canonical style, keeping every comment and value.

    Indentation, key order (the schema's), quoting, no line wrapping, and the schema modeline
    on the first line. A file is rewritten only when it changes, and only if reading it back
    gives exactly the same data. Files that do not load are named and left alone (exit 1).

    Examples:

        ovk fmt

        ovk fmt --check agreements/2026/uppdrag/okat-valdeltagande.yaml
    """
    from ovk.tools.fmt import format_paths

    outcomes = format_paths(_root(), paths or [], check=check)
    changed = [o for o in outcomes if o.changed]
    problems = [o for o in outcomes if o.problem]
    for outcome in changed:
        typer.echo(f"{'would reformat' if check else 'reformatted'} {literal(outcome.display)}")
    for outcome in problems:
        where = f"{literal(outcome.display)}:{outcome.line}:{outcome.column}"
        typer.echo(f"{where}: cannot format: {literal(outcome.problem)}", err=True)
    skipped = [o for o in outcomes if o.skipped]
    for outcome in skipped:
        typer.echo(
            f"skipped {literal(outcome.display)}: not part of the agreements layout", err=True
        )
    unchanged = len(outcomes) - len(changed) - len(problems) - len(skipped)
    verb = "would be reformatted" if check else "reformatted"
    typer.echo(f"{len(changed)} file(s) {verb}, {unchanged} unchanged", err=True)
    raise typer.Exit(ExitCode.FINDINGS if problems or (check and changed) else ExitCode.OK)


@app.command(cls=OvkCommand)
def export(
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            **choice("ovk.tools.export", "FORMATS"),
            help="ics (calendar: due dates and follow-ups), csv (Excel: BOM and ';') or json "
            "(the whole year; schema/export.schema.json).",
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(help="Agreement year (default: the latest).", autocompletion=complete_year),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write to this file (default: standard output).", dir_okay=False
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            help="ics and csv: only uppdrag given to this division.",
            autocompletion=complete_division,
        ),
    ] = None,
    followup_dates: Annotated[
        str | None,
        typer.Option(
            "--followup-dates",
            help="ics: dates of the follow-up occasions as occasion=MM-DD, comma separated "
            "(default: the as_of dates overenskommelse.yaml gives, else "
            "vår=04-30,delår=08-31,helår=12-31).",
        ),
    ] = None,
) -> None:
    """Export a year's agreement for calendars, spreadsheets or other programs.

    ics holds one all-day event per uppdrag due date and one per follow-up occasion (vår,
    delår, helår) with UIDs that never change, so a calendar subscription updates in place.
    The output depends only on the data, so it can be published from CI.

    Examples:

        ovk export --year 2026 --format ics -o ovk-2026.ics

        ovk export --format ics --owner KLK -o klk.ics
    """
    from ovk.model.read import resolve_year
    from ovk.tools.export import export as run_export

    root = _root()
    text = run_export(root, resolve_year(root, year), output_format, followup_dates, owner)
    if output is None:  # bytes, so the CRLF of ics reaches a pipe as written, on any OS
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        from ovk.yamlio.atomic import write_atomically

        with _writing(output, "output"):
            write_atomically(output, text)


@app.command(cls=OvkCommand)
def schema(
    kind: Annotated[
        str | None,
        typer.Argument(
            **choice("ovk.model.schema", "SCHEMA_FILES"),
            help="The schema to print: overenskommelse, malomraden, division, uppdrag, "
            "uppfoljning or export (default with -o: all of them).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the schema file(s) into this folder.", file_okay=False
        ),
    ] = None,
) -> None:
    """Print or write the JSON Schemas (draft 2020-12) of the agreement files and the export.

    Editors and other validators use them: the first line of every agreement file names its
    schema for VS Code's YAML extension, and `check-jsonschema --schemafile` takes them as is.

    Examples:

        ovk schema uppdrag

        ovk schema -o schema/
    """
    from ovk.model.schema import SCHEMA_FILES, all_schema_files, dumps
    from ovk.yamlio.atomic import write_atomically

    files = all_schema_files()
    if output is None:
        if kind is None:
            raise UsageError(f"name a schema ({', '.join(SCHEMA_FILES)}) or write all with -o DIR")
        sys.stdout.write(dumps(files[SCHEMA_FILES[kind]]))
        return
    for name in [SCHEMA_FILES[kind]] if kind else list(files):
        with _writing(output / name, "output"):
            output.mkdir(parents=True, exist_ok=True)
            write_atomically(output / name, dumps(files[name]))
        typer.echo(output / name)


@contextmanager
def _writing(path: Path, param: str) -> Iterator[None]:
    """An OSError while writing `path` (given as `param`) as a one-line usage error (exit 2)."""
    try:
        yield
    except OSError as error:
        if error.errno == errno.EPIPE:
            raise
        reason = error.strerror or str(error)
        raise UsageError(f"cannot write {path} (<{param}>): {reason}", param) from None


@app.command(name="init", cls=OvkCommand)
def init_repository(
    municipality: Annotated[
        str, typer.Option(help="The municipality's name as Kolada writes it, e.g. Nyköping.")
    ],
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="The repository's folder (default: --root, else the working folder); made "
            "when missing.",
            show_default=False,
        ),
    ] = None,
    kolada_id: Annotated[
        str | None,
        typer.Option("--kolada-id", help="Its four-digit Kolada (SCB) id, e.g. 0480."),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            help="The first agreement year (default: the current calendar year; none when "
            "agreements/ already holds a year).",
            show_default=False,
        ),
    ] = None,
    ci: Annotated[
        str | None,
        typer.Option(
            **choice("ovk.tools.ci", "WORKFLOW_PATHS"),
            help="Also write the CI workflow: github (.github/workflows/agreements.yml) or "
            "gitlab (.gitlab-ci.yml).",
        ),
    ] = None,
    divisions: Annotated[
        list[str] | None,
        typer.Option(
            "--division",
            metavar="CODE=NAME",
            help="A division of the new year, with its file; give it once per division.",
        ),
    ] = None,
) -> None:
    """Start a municipality's own agreements repository, or give one what it lacks.

    Writes schema/, a first year (overenskommelse.yaml naming the municipality, and
    malomraden.yaml: every key, empty where you fill in), .pre-commit-config.yaml with ovk's
    hooks, .gitignore, a README with the next steps and, with --ci, the CI workflow. A file
    that exists is never overwritten: each file is reported as written or kept.

    Examples:

        ovk init kommun-agreements --municipality Nyköping --kolada-id 0480 --ci github

        ovk init --municipality Nyköping --year 2027 --division KLK=Kommunledningskontoret
    """
    from ovk.tools.init import InitRequest, init as run_init

    target = directory or State.root or Path.cwd()
    request = InitRequest(target, municipality, kolada_id, year, ci, tuple(divisions or ()))
    outcome = run_init(request)
    for path in outcome.written:
        typer.echo(f"wrote {literal(path)}")
    for path in outcome.kept:
        typer.echo(f"kept {literal(path)} (exists; init never overwrites)")
    if outcome.no_year:
        typer.echo(outcome.no_year)
    if not outcome.written:
        typer.echo("nothing to write: the repository has every file ovk init makes")
    if outcome.year is not None:
        _check_new(outcome.root, [outcome.root / "agreements" / str(outcome.year)])


def _group(name: str) -> typer.Typer:
    """A group of commands under `ovk NAME` (`ovk new uppdrag`), added to the app."""
    group = typer.Typer(
        name=name, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]}
    )
    app.add_typer(group)
    return group


new_app = _group("new")


@new_app.callback()
def new() -> None:
    """Start new agreement files from the schema: an uppdrag, a division, a whole year.

    Examples:

        ovk new uppdrag --year 2026 --number 2.1.6 --title "E-arkiv" --owners KLK,TEK

        ovk new year 2027 --from 2026
    """


@new_app.command(name="uppdrag", cls=OvkCommand)
def new_uppdrag(
    title: Annotated[str, typer.Option(help="The title as printed.")],
    owners: Annotated[
        str,
        typer.Option(
            help="Division codes of the year, comma separated, or 'alla verksamheter'.",
            autocompletion=complete_division,
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(help="Agreement year (default: the latest).", autocompletion=complete_year),
    ] = None,
    number: Annotated[str | None, typer.Option(help="The number, e.g. 2.1.4.")] = None,
    identity: Annotated[
        str | None, typer.Option("--id", help="The id and file name (default: from the title).")
    ] = None,
    origin: Annotated[
        str,
        typer.Option(**choice("ovk.model.entities", "ORIGINS"), help="KF or KS (NÄMND)."),
    ] = "KS",
    lead: Annotated[
        str | None, typer.Option(help="The lead division's code.", autocompletion=complete_division)
    ] = None,
    start: Annotated[str | None, typer.Option(help="Startdatum, YYYY-MM-DD.")] = None,
    due: Annotated[str | None, typer.Option(help="Slutdatum, YYYY-MM-DD.")] = None,
    followup: Annotated[
        str, typer.Option(help="Follow-up occasions, comma separated.")
    ] = "vår,delår,helår",
) -> None:
    """Write a new särskilt uppdrag file, formatted and valid, for you to fill in its text.

    The file is checked by validate's checks among the year's files before it is written: a
    number already taken, a lead not among the owners, a due date before the start is
    refused with the finding (exit 2), and nothing is written. The id is made from the title
    (at most 60 characters) unless --id is given.

    Examples:

        ovk new uppdrag --year 2026 --number 2.1.6 --title "E-arkiv" --owners KLK,TEK --lead KLK

        ovk new uppdrag --title "Ny e-tjänst" --owners "alla verksamheter" --due 2026-12-31
    """
    from ovk.model.read import resolve_year
    from ovk.tools.new import NewUppdrag, new_uppdrag as run_new_uppdrag

    root = _root()
    spec = NewUppdrag(
        year=resolve_year(root, year),
        title=title,
        owners=owners,
        number=number,
        id=identity,
        origin=origin,
        lead=lead,
        start=start,
        due=due,
        followup=followup,
    )
    written = run_new_uppdrag(root, spec)
    typer.echo(f"created {written.paths[0].relative_to(root).as_posix()}")
    _new_warnings(written.warnings, len(written.paths))


@new_app.command(name="division", cls=OvkCommand)
def new_division(
    code: Annotated[
        str,
        typer.Option(
            help="The division code: upper-case letters and digits, e.g. VOF.",
            autocompletion=complete_division,
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(help="Agreement year (default: the latest).", autocompletion=complete_year),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="The division's name (default: as overenskommelse.yaml lists it)."),
    ] = None,
) -> None:
    """Write a new division file with an empty 'Allmänt' section of its grunduppdrag.

    A code the year's agreement does not list yet is added to the divisions of its
    overenskommelse.yaml (give its --name). Both files are checked by validate's checks
    before either is written; what would not validate is refused (exit 2).

    Examples:

        ovk new division --year 2026 --code VOF --name "Division Vård och omsorg"
    """
    from ovk.model.read import resolve_year
    from ovk.tools.new import new_division as run_new_division

    root = _root()
    written = run_new_division(root, resolve_year(root, year), code, name)
    for path in written.paths:
        typer.echo(f"wrote {path.relative_to(root).as_posix()}")
    _new_warnings(written.warnings, len(written.paths))


@new_app.command(name="year", cls=OvkCommand)
def new_year(
    year: Annotated[int, typer.Argument(help="The new year.", show_default=False)],
    source: Annotated[
        int | None,
        typer.Option(
            "--from",
            help="The year to copy (default: the latest year before the new one).",
            autocompletion=complete_year,
        ),
    ] = None,
    allow_earlier: Annotated[
        bool, typer.Option(help="Start a year from a later one (going backwards).")
    ] = False,
) -> None:
    """Start next year's agreement as a copy of a year, so it begins as a pull request.

    Grunduppdrag, goals and indicators are carried over with the year moved on; särskilda
    uppdrag due before the new year starts are left behind and listed. The year in the
    agreement's title is moved on and its diarienummer cleared; every other text that still
    names the old year is listed as file:line: text, to check in the pull request. Ids never
    change; an existing year folder is never overwritten.

    Examples:

        ovk new year 2027 --from 2026
    """
    from ovk.tools.new import checklist, new_year as run_new_year

    root = _root()
    result = run_new_year(root, year, source, allow_earlier=allow_earlier)
    typer.echo(f"created {result.folder.relative_to(root).as_posix()}/")
    typer.echo(f"carried over {len(result.carried)} uppdrag")
    if result.left_behind:
        typer.echo(f"left behind {len(result.left_behind)} uppdrag (due before {year}):")
        for file, due_date in result.left_behind:
            typer.echo(f"  {literal(file)} (due {due_date})")
    for line in checklist(result):
        typer.echo(line)
    _check_new(root, [result.folder])


def _new_warnings(warnings: list[Finding], files: int) -> None:
    """The warnings validate has for what `new` wrote (its errors refused the write)."""
    from ovk.validate.reporters import REPORTERS

    if warnings:
        REPORTERS["text"](warnings, files, sys.stdout)


def _check_new(root: Path, paths: list[Path]) -> None:
    """Validate the year folder `new` wrote into (a number already taken shows up on either
    file); errors mean exit 1, and the files stay for you to fix."""
    from ovk.validate.engine import validate as run_validate
    from ovk.validate.reporters import REPORTERS

    report = run_validate(root, paths)
    if report.findings:
        REPORTERS["text"](report.findings, report.files_checked, sys.stdout)
    if report.errors:
        raise typer.Exit(ExitCode.FINDINGS)


followup_app = _group("followup")


@followup_app.callback()
def followup() -> None:
    """Follow up the agreement at vår, delår and helår: one report per division and occasion.

    Reports are agreements/<year>/uppfoljning/<var|delar|helar>/<CODE>.yaml (see
    docs/followup.md); ovk validate checks them.

    Examples:

        ovk followup new --year 2026 --occasion delår --division KLK

        ovk followup status --occasion delår --format json
    """


# The options `ovk followup status` and `ovk followup diff` share.
YearOption = Annotated[
    int | None,
    typer.Option(help="Agreement year (default: the latest).", autocompletion=complete_year),
]
OnlyDivision = Annotated[
    str | None,
    typer.Option(help="Only this division (code).", autocompletion=complete_division),
]

OCCASION_HELP = "The occasion: vår, delår or helår (or its folder's name: var, delar, helar)."


@followup_app.command(name="new", cls=OvkCommand)
def followup_new(
    occasion: Annotated[
        str,
        typer.Option(**choice("ovk.tools.followup", "OCCASION_CHOICES"), help=OCCASION_HELP),
    ],
    division: Annotated[
        str | None,
        typer.Option(help="The reporting division's code.", autocompletion=complete_division),
    ] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all", help="Every division that reports at the occasion (existing ones skipped)."
        ),
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(help="Agreement year (default: the latest).", autocompletion=complete_year),
    ] = None,
) -> None:
    """Write a division's follow-up report with every item it must report, to fill in.

    Each uppdrag, goal and indicator the division reports at the occasion is listed in
    number order with its title as a comment, its values null; the state is utkast and
    as_of the occasion's date. Status and comment are carried over from the division's
    report at the previous occasion. An existing report is never overwritten.

    Examples:

        ovk followup new --year 2026 --occasion delår --division KLK

        ovk followup new --occasion vår --all
    """
    from ovk.model.read import resolve_year
    from ovk.tools.followup import new_reports, occasion_of

    root = _root()
    chosen = resolve_year(root, year)
    result = new_reports(root, chosen, occasion_of(occasion), division, every)
    for path in result.written:
        typer.echo(f"created {path.relative_to(root).as_posix()}")
    for path in result.skipped:
        typer.echo(f"skipped {path.relative_to(root).as_posix()}: it exists", err=True)
    if result.written:
        _check_new(root, result.written)


@followup_app.command(name="status", cls=OvkCommand)
def followup_status(
    year: YearOption = None,
    occasion: Annotated[
        str | None,
        typer.Option(
            **choice("ovk.tools.followup", "OCCASION_CHOICES"),
            help="Only this occasion: vår, delår or helår (or var, delar, helar).",
        ),
    ] = None,
    division: OnlyDivision = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            **choice("ovk.tools.followup", "FORMATS"),
            help="table, json (an array) or markdown (a Swedish document).",
        ),
    ] = "table",
    exit_code: Annotated[
        bool,
        typer.Option("--exit-code", help="Exit 1 when anything required is missing."),
    ] = False,
) -> None:
    """Show who has reported what: per division and occasion the report's state, how many
    uppdrag, goals and indicators it must report and has filled in, what is missing, and its
    late and deviating uppdrag.

    Examples:

        ovk followup status --occasion delår

        ovk followup status --year 2026 --format json --exit-code
    """
    from ovk.model.read import resolve_year
    from ovk.tools.followup import FORMATS, StatusRequest, any_missing, occasion_of, status

    root = _root()
    rows = status(
        StatusRequest(
            root,
            resolve_year(root, year),
            occasion_of(occasion) if occasion else None,
            division,
        )
    )
    FORMATS[output_format](rows, sys.stdout, _terminal(sys.stdout))
    if exit_code and any_missing(rows):
        raise typer.Exit(ExitCode.FINDINGS)


@followup_app.command(name="diff", cls=OvkCommand)
def followup_diff(
    from_occasion: Annotated[
        str,
        typer.Option(
            "--from",
            **choice("ovk.tools.followup", "OCCASION_CHOICES"),
            help="The earlier occasion: vår, delår or helår (or var, delar, helar).",
        ),
    ],
    to_occasion: Annotated[
        str,
        typer.Option(
            "--to",
            **choice("ovk.tools.followup", "OCCASION_CHOICES"),
            help="The later occasion: vår, delår or helår (or var, delar, helar).",
        ),
    ],
    year: YearOption = None,
    division: OnlyDivision = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            **choice("ovk.tools.followup_diff", "FORMATS"),
            help="text or markdown (Swedish, for readers) or json (machine keys).",
        ),
    ] = "text",
) -> None:
    """Show what moved between two occasions of a year, per division: changed statuses
    (steps back and new deviations marked), uppdrag that became late, changed goal
    assessments and indicator outcomes. A missing report at either occasion is said so.

    Examples:

        ovk followup diff --from vår --to delår

        ovk followup diff --from delår --to helår --division KLK --format markdown
    """
    from ovk.model.read import resolve_year
    from ovk.tools.followup import occasion_of
    from ovk.tools.followup_diff import FORMATS, DiffRequest, followup_diff as run_diff

    root = _root()
    result = run_diff(
        DiffRequest(
            root,
            resolve_year(root, year),
            occasion_of(from_occasion, "from"),
            occasion_of(to_occasion, "to"),
            division,
        )
    )
    FORMATS[output_format](result, sys.stdout)


kolada_app = _group("kolada")


@kolada_app.callback()
def kolada() -> None:
    """Kolada, the national database of municipal key figures: snapshot what it
    says of the year's indicators, see what it revised since, and link the
    indicators that name no Kolada id.

    The snapshot (agreements/<year>/kolada.json) is committed, so ovk validate
    checks the agreement against Kolada offline. OVK_KOLADA_URL replaces
    Kolada's API (https://api.kolada.se/v3). Needs the extra:
    pip install 'ovk\\[kolada]'.

    Examples:

        ovk kolada fetch --year 2024

        ovk kolada diff --year 2024

        ovk kolada link --year 2026
    """


@kolada_app.command(name="fetch", cls=OnlineCommand)
def kolada_fetch(year: YearOption = None) -> None:
    """Ask Kolada about every KPI the year's indicators name; write the snapshot.

    For the municipality's kolada_id (overenskommelse.yaml): each KPI's metadata
    and its values for the periods the printed values are of and the year and
    the two before it, with the time and the URLs asked, written atomically and
    sorted (a refresh is a reviewable diff). Offline or on any error from
    Kolada: exit 2, and the snapshot stays as it was.

    Examples:

        ovk kolada fetch --year 2024

        OVK_KOLADA_URL=http://localhost:8080/v3 ovk kolada fetch
    """
    from ovk.kolada.online import fetch
    from ovk.model.read import resolve_year

    root = _root()
    typer.echo(fetch(root, resolve_year(root, year)).summary())


@kolada_app.command(name="diff", cls=OnlineCommand)
def kolada_diff(year: YearOption = None) -> None:
    """Show what Kolada revised since the year's snapshot was fetched.

    Values changed, added or removed and KPIs retitled, asked with the
    snapshot's fetch date as from_date. Exit 0 when Kolada revised nothing, 1
    when it did, 2 on errors.

    Examples:

        ovk kolada diff --year 2024

        OVK_KOLADA_URL=http://localhost:8080/v3 ovk kolada diff
    """
    from ovk.kolada.online import report, revisions
    from ovk.model.read import resolve_year

    root = _root()
    found = revisions(root, resolve_year(root, year))
    for line in report(found):
        typer.echo(line)
    raise typer.Exit(ExitCode.FINDINGS if found else ExitCode.OK)


@kolada_app.command(name="link", cls=OnlineCommand)
def kolada_link(
    year: YearOption = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write the proposals into malomraden.yaml.")
    ] = False,
) -> None:
    """Propose Kolada ids for the indicators that name none, by exact title.

    For each indicator without a Kolada id (source null, or source.kolada
    empty), the KPI of Kolada's catalogue whose title is the indicator's
    (case, spacing, dashes and how the unit is set off do not count): one such
    KPI is a proposal, several are listed as ambiguous and never linked. For a
    row whose note says its values stand in their columns as a guess, the year
    whose Kolada value (for the municipality, at the printed precision) equals
    each printed value, when exactly one does. Prints the proposals as
    file:line lines; --write writes them (comments kept, a note on each linked
    row, only when the file still validates).

    Examples:

        ovk kolada link --year 2026

        ovk kolada link --year 2026 --write
    """
    from ovk.kolada.link import propose, report
    from ovk.model.read import resolve_year

    root = _root()
    chosen = resolve_year(root, year)
    found = propose(root, chosen)
    written = None
    if write and found.proposals:
        from ovk.tools.link import write_links

        warnings = write_links(root, chosen, [p.link for p in found.proposals])
        _new_warnings(warnings, 1)  # validate's, for what was written
        written = found.file
    for line in report(found, written):
        typer.echo(line)


@app.command(cls=OvkCommand)
def render(
    code: Annotated[
        str | None,
        typer.Argument(
            metavar="CODE",
            help="The division whose bilaga to render (e.g. KLK).",
            show_default=False,
            autocompletion=complete_division,
        ),
    ] = None,
    year: Annotated[
        list[int] | None,
        typer.Option(
            help="Agreement year (default: the latest); with --all, give it more than once "
            "for several years, each in its own folder under -o with an index of them.",
            autocompletion=complete_year,
        ),
    ] = None,
    all_years: Annotated[
        bool,
        typer.Option("--all-years", help="With --all: every year, as --year given for each."),
    ] = False,
    notes: Annotated[
        bool,
        typer.Option(
            "--notes",
            help="Show the transcribers' notes inline. They are left out by default (they are "
            "for reviewers); --all always lists them on its transkribering page.",
        ),
    ] = False,
    main_document: Annotated[
        bool, typer.Option("--main", help="Render the agreement's main document.")
    ] = False,
    all_documents: Annotated[
        bool,
        typer.Option("--all", help="Render every bilaga, the main document and an index into -o."),
    ] = False,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            **choice("ovk.render.build", "REQUEST_FORMATS"),
            help="md, html or pdf (A4, tagged PDF/UA; needs -o and the extra ovk\\[pdf]); "
            "both (md and html) only with --all, and pdf with --all writes the HTML and a PDF "
            "of each document. Default: what -o's suffix names (.md/.markdown, .html/.htm, "
            ".pdf), html for --all, else md. A suffix of another format is an error.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write (a folder with --all), inside the working folder or the "
            "repository; without it, print to stdout.",
            show_default=False,
        ),
    ] = None,
    followup_occasion: Annotated[
        str | None,
        typer.Option(
            "--followup",
            metavar="OCCASION",
            **choice("ovk.tools.followup", "OCCASION_CHOICES"),
            help="Render the follow-up reports of an occasion instead: vår, delår or helår "
            "(or var, delar, helar). With CODE that division's report; with --all every "
            "division's, an overview for Kommunstyrelsen and an index into -o.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Render a division's bilaga, the main document or a whole year as Markdown, HTML or PDF.

    Templates: the repository's templates/ first, then the copies shipped with ovk.
    Files are written atomically, and only under -o. Transcribers' notes are left out
    unless --notes is given. --all also writes transkribering.md/.html (every note of the
    year) and .ovk-manifest.json, the list of what it wrote: a later --all into the same
    folder removes the pages it no longer writes, and nothing else. A PDF is the HTML page
    as printed (A4, page numbers, tagged PDF/UA in Swedish), made by WeasyPrint: pip install
    'ovk\\[pdf]'. --followup renders the year's follow-up reports of one occasion instead:
    each uppdrag's status, each goal's assessment and each indicator's outcome beside the
    agreement's values; with --all also an overview for Kommunstyrelsen (counts per status,
    late and deviating uppdrag, goals not assessed uppfyllt, who has not reported).

    Examples:

        ovk render KLK --year 2024

        ovk render KLK --format html -o klk.html

        ovk render KLK -o klk.pdf

        ovk render --all --year 2026 -o site/

        ovk render --all --year 2024 --year 2026 -o site/

        ovk render KLK --followup delår --year 2026

        ovk render --all --followup delår --format pdf -o uppfoljning/
    """
    from ovk.render.build import Request, run

    occasion = None
    if followup_occasion is not None:
        from ovk.tools.followup import occasion_of

        occasion = occasion_of(followup_occasion, "followup")

    years = year or []
    outcome = run(
        _root(),
        Request(
            code=code,
            year=years[0] if len(years) == 1 else None,
            main=main_document,
            all=all_documents,
            fmt=output_format,
            output=output,
            notes=notes,
            years=tuple(years) if len(years) > 1 else (),
            all_years=all_years,
            followup=occasion,
        ),
    )
    for warning in outcome.warnings:
        typer.echo(f"ovk: warning: {warning}", err=True)
    if outcome.text is not None:
        sys.stdout.write(outcome.text)
    elif outcome.written:
        folder = outcome.folder or outcome.written[0].parent
        removed = f", removed {len(outcome.removed)} stale page(s)" if outcome.removed else ""
        typer.echo(f"wrote {len(outcome.written)} file(s) to {folder}{removed}", err=True)


ci_app = _group("ci")


@ci_app.callback()
def ci() -> None:
    """CI for a repository of agreements: its workflow, and the briefing a pull request gets.

    The workflow installs this version of ovk, validates (annotations on GitHub, the Code
    Quality report on GitLab), checks the formatting, puts the briefing of each year the
    pull request touches in the job summary and in one comment edited on each push, and
    renders every year as an artifact. ovk init --ci writes it to its place.

    Examples:

        ovk ci github -o .github/workflows/agreements.yml

        ovk ci briefing origin/main
    """


WorkflowOutput = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="File to write (e.g. .github/workflows/agreements.yml); without it, print.",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing -o file.")]


def _workflow(kind: str, output: Path | None, force: bool) -> None:
    from ovk.tools.ci import workflow, write

    if output is None:
        sys.stdout.write(workflow(kind))
        return
    with _writing(output, "output"):
        write(kind, output, force)
    typer.echo(f"wrote {literal(output)}", err=True)


@ci_app.command(name="github", cls=OvkCommand)
def ci_github(output: WorkflowOutput = None, force: ForceOption = False) -> None:
    """Print the GitHub Actions workflow for pull requests (.github/workflows/agreements.yml).

    Examples:

        ovk ci github > .github/workflows/agreements.yml

        ovk ci github -o .github/workflows/agreements.yml --force
    """
    _workflow("github", output, force)


@ci_app.command(name="gitlab", cls=OvkCommand)
def ci_gitlab(output: WorkflowOutput = None, force: ForceOption = False) -> None:
    """Print the GitLab CI job for merge requests (.gitlab-ci.yml).

    Examples:

        ovk ci gitlab > .gitlab-ci.yml

        ovk ci gitlab -o .gitlab-ci.yml
    """
    _workflow("gitlab", output, force)


@ci_app.command(name="briefing", cls=DiffCommand)
def ci_briefing(
    base: Annotated[str, typer.Argument(help="The base branch as a git revision (origin/main).")],
    comment: Annotated[
        bool,
        typer.Option(
            "--comment",
            help="As the pull-request comment: a hidden marker line first (CI finds its earlier "
            "comment by it), cut under GitHub's size limit with a pointer to --link.",
        ),
    ] = False,
    link: Annotated[
        str | None,
        typer.Option(help="With --comment: where the whole briefing is (the job's page)."),
    ] = None,
) -> None:
    """Print the Markdown briefing of every year folder changed since BASE.

    Each year is compared (as ovk diff BASE:YEAR YEAR --format markdown) with the same year
    where the branch left BASE; a year folder new in the branch with the year before it.

    Examples:

        ovk ci briefing origin/main >> "$GITHUB_STEP_SUMMARY"

        ovk ci briefing origin/main --comment --link "$RUN_URL" > comment.md
    """
    from ovk.diff.pull_request import briefing, comment as as_comment

    text = briefing(_root(), base)
    sys.stdout.write(as_comment(text, link) if comment else text)


def main() -> None:
    """Entry point of the `ovk` console script."""
    app()
