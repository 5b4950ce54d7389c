"""`ovk init`: start a municipality's own data repository, or give one what it still lacks.

A data repository holds `agreements/` and installs ovk as a package. `init` writes what it
needs to begin: the schemas (`schema/`, so every file's modeline names a file that is there),
a first year with a valid `overenskommelse.yaml` (the municipality named) and
`malomraden.yaml` (every key of the model, empty where the municipality fills in), the
pre-commit configuration running ovk's hooks, a `.gitignore`, a README saying what to do
next and, when asked, the CI workflow.

It never overwrites: a file that is there (a link too) is kept as it is, and reported so; an
existing year folder is left as it is, nothing added to it. Everything is checked before the
first write (the options, and every folder on the way, which must be a real folder, never a
link), and every file is written atomically, never through a link (`ovk.yamlio.atomic`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ovk import REPOSITORY, __version__
from ovk.errors import UsageError
from ovk.model.build import skeleton
from ovk.model.entities import MUNICIPALITY_ID_PATTERN, Agreement, Malomraden
from ovk.model.layout import AGREEMENTS, FILE_KINDS, SCHEMA_FOLDER, modeline_for, year_dirs
from ovk.model.schema import all_schema_files, dumps
from ovk.model.spec import properties
from ovk.model.values import CODE_FORM, is_code
from ovk.output.literal import CONTROLS
from ovk.output.swedish import municipality_name
from ovk.tools.ci import WORKFLOW_PATHS, workflow
from ovk.yamlio.atomic import write_atomically
from ovk.yamlio.loader import dump_round_trip, load_round_trip

# ovk's pre-commit hooks, defined once: the package's copy is what `init` configures, and
# the repository's root .pre-commit-hooks.yaml (what `repo: <ovk>` users get) is the same
# file (a test keeps them identical).
HOOKS = Path(__file__).parents[1] / "data" / "pre-commit-hooks.yaml"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
GITIGNORE = ".gitignore"
README = "README.md"


@dataclass(frozen=True)
class InitRequest:
    """What `ovk init` was asked for."""

    target: Path
    municipality: str
    kolada_id: str | None = None
    year: int | None = None  # None: the current calendar year (when the repository has none)
    ci: str | None = None  # a key of WORKFLOW_PATHS
    divisions: tuple[str, ...] = ()  # "CODE=Name", as typed


@dataclass
class InitOutcome:
    """What `init` did: the files it wrote and those it kept as they were (relative to the
    root, in the order it went through them), and why it started no year, if it did not."""

    root: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    year: int | None = None  # the year whose files it wrote
    no_year: str | None = None


@dataclass(frozen=True)
class _Planned:
    path: str  # relative to the root, with forward slashes
    text: Callable[[], str]  # made when written: a modeline sees the schemas written before


def init(request: InitRequest) -> InitOutcome:
    """Start (or complete) the data repository at `request.target`; see the module."""
    name = _checked_name(request.municipality)
    kolada_id = _checked_kolada_id(request.kolada_id)
    divisions = _checked_divisions(request.divisions)
    if request.ci is not None and request.ci not in WORKFLOW_PATHS:
        choices = ", ".join(WORKFLOW_PATHS)
        raise UsageError(f"<ci> {request.ci!r} is not one of {choices}", "ci")
    root = _checked_target(request.target)
    outcome = InitOutcome(root)

    existing = [int(d.name) for d in year_dirs(root)] if root.is_dir() else []
    year = request.year
    if year is None and existing:
        if divisions:
            raise UsageError(
                f"<division> needs the new year's <year> ({AGREEMENTS}/ holds "
                f"{', '.join(map(str, existing))}; add a division to one of them with "
                "'ovk new division')",
                "division",
            )
        outcome.no_year = (
            f"no new year: {AGREEMENTS}/ holds {', '.join(map(str, existing))}; start the "
            f"next one with 'ovk new year {existing[-1] + 1} --from {existing[-1]}'"
        )
    else:
        year = dt.date.today().year if year is None else year
        bounds = next(p for p in properties(Agreement) if p.key == "year").spec.schema
        first, last = bounds["minimum"], bounds["maximum"]
        if not first <= year <= last:
            raise UsageError(f"<year> {year} is not an agreement year ({first}-{last})", "year")
        if divisions and (root / AGREEMENTS / str(year)).exists():
            raise UsageError(
                f"<division> starts a new year only; {AGREEMENTS}/{year} exists: add a "
                "division to it with 'ovk new division'",
                "division",
            )

    new_year = year if outcome.no_year is None else None
    if new_year is not None and os.path.lexists(root / AGREEMENTS / str(new_year)):
        outcome.kept.append(f"{AGREEMENTS}/{new_year}/")  # a year is never added to
        new_year = None
    plan = _plan(root, name, kolada_id, new_year, divisions, request.ci)
    if request.ci is not None:
        plan.append(_Planned(WORKFLOW_PATHS[request.ci], partial(workflow, request.ci)))
    for planned in plan:
        _check_folders(root, planned.path)

    root.mkdir(parents=True, exist_ok=True)
    for planned in plan:
        place = root / planned.path
        if os.path.lexists(place):
            outcome.kept.append(planned.path)
            continue
        place.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(place, planned.text())
        outcome.written.append(planned.path)
    agreement = f"{AGREEMENTS}/{year}/{FILE_KINDS['overenskommelse'].stem}.yaml"
    if agreement in outcome.written:
        outcome.year = year
        if divisions and year is not None:
            from ovk.tools.new import new_division

            for code, _ in divisions:
                for path in new_division(root, year, code, None).paths:
                    shown = path.relative_to(root).as_posix()
                    if shown not in outcome.written:
                        outcome.written.append(shown)
    return outcome


# --- checks before anything is written -----------------------------------------------------


def _checked_name(text: str) -> str:
    name = text.strip()
    if not name:
        raise UsageError(
            "<municipality> is empty; give the name as Kolada writes it", "municipality"
        )
    if CONTROLS.search(name):
        raise UsageError("<municipality> holds a control character", "municipality")
    return name


def _checked_kolada_id(text: str | None) -> str | None:
    if text is None:
        return None
    if not re.fullmatch(MUNICIPALITY_ID_PATTERN, text):
        raise UsageError(
            f"<kolada-id> {text!r} is not a municipality's Kolada id: four digits, e.g. 0480",
            "kolada-id",
        )
    return text


def _checked_divisions(typed: tuple[str, ...]) -> list[tuple[str, str]]:
    """The divisions typed as CODE=Name, each code of a division code's form, once."""
    divisions: list[tuple[str, str]] = []
    for entry in typed:
        code, equals, name = entry.partition("=")
        code, name = code.strip(), name.strip()
        if not equals or not name:
            raise UsageError(
                f"<division> {entry!r} is not CODE=Name, e.g. KLK=Kommunledningskontoret",
                "division",
            )
        if not is_code(code):
            raise UsageError(
                f"<division> {code!r} is not a division code: {CODE_FORM}, e.g. KLK", "division"
            )
        if CONTROLS.search(name):
            raise UsageError(f"<division> the name of {code} holds a control character", "division")
        if code in dict(divisions):
            raise UsageError(f"<division> {code} is given twice", "division")
        divisions.append((code, name))
    return divisions


def _checked_target(target: Path) -> Path:
    """The folder to start the repository in: absent (then made), or a real folder."""
    if target.is_symlink():
        raise UsageError(
            f"{target} is a symbolic link; ovk init never writes through a link: name the "
            "folder itself",
            "dir",
        )
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is not a folder", "dir")
    return target.absolute()


def _check_folders(root: Path, relative: str) -> None:
    """Every folder on the way to a file that `init` would write is a real folder or absent
    (then made): never a link, never a file."""
    here = root
    for part in Path(relative).parts[:-1]:
        here = here / part
        if here.is_symlink():
            raise UsageError(
                f"{here} is a symbolic link; ovk init never writes through a link, and wrote "
                "nothing"
            )
        if here.exists() and not here.is_dir():
            raise UsageError(f"{here} is not a folder; ovk init wrote nothing")


# --- what is written -------------------------------------------------------------------------


def _plan(
    root: Path,
    name: str,
    kolada_id: str | None,
    year: int | None,
    divisions: list[tuple[str, str]],
    ci: str | None,
) -> list[_Planned]:
    """The files `init` makes, in the order it writes them: the schemas first, so the
    agreement files' modelines name files that are there."""
    plan = [
        _Planned(f"{SCHEMA_FOLDER}/{file}", partial(dumps, schema))
        for file, schema in all_schema_files().items()
    ]
    if year is not None:
        folder = f"{AGREEMENTS}/{year}"
        agreement = agreement_data(year, name, kolada_id, divisions)
        malomraden = skeleton(Malomraden, {"year": year})
        for kind, data in (("overenskommelse", agreement), ("malomraden", malomraden)):
            path = f"{folder}/{FILE_KINDS[kind].stem}.yaml"
            plan.append(_Planned(path, partial(_yaml, root, path, kind, data)))
    plan.append(_Planned(PRE_COMMIT_CONFIG, pre_commit_config))
    plan.append(_Planned(GITIGNORE, lambda: GITIGNORE_TEXT))
    plan.append(_Planned(README, partial(readme, name, year, ci)))
    return plan


def _yaml(root: Path, path: str, kind: str, data: Any) -> str:
    """An agreement file's text: its modeline (the layout's one rule: the schema/ written
    before it, else the published schema), then the data in the canonical style."""
    return dump_round_trip(data, modeline_for(kind, path, root))


def _flow(entry: dict[str, Any]) -> Any:
    """A mapping written on one line, as the agreements write their parties and divisions."""
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap(entry)
    mapping.fa.set_flow_style()
    return mapping


def agreement_data(
    year: int, name: str, kolada_id: str | None, divisions: list[tuple[str, str]]
) -> dict[str, Any]:
    """A new year's overenskommelse.yaml: every key of the model, the municipality named, a
    title to start from, Kommunstyrelsen and the divisions given as its parties."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    municipality = {
        "name": name,
        # quoted: "0480" is a text, and an unquoted 0480 would read as a number
        "kolada_id": None if kolada_id is None else DoubleQuotedScalarString(kolada_id),
    }
    return skeleton(
        Agreement,
        {
            "year": year,
            "municipality": _flow(municipality),
            "title": f"Kommunstyrelsens överenskommelse om verksamhet {year}",
            "parties": [
                _flow({"name": "Kommunstyrelsen", "code": None}),
                *(_flow({"name": n, "code": c}) for c, n in divisions),
            ],
            "divisions": [_flow({"code": c, "name": n}) for c, n in divisions],
        },
    )


def pre_commit_config() -> str:
    """The repository's .pre-commit-config.yaml: ovk's hooks as ovk defines them (the same
    ids, names, entries and files), run by the ovk installed in the repository's
    environment."""
    from ruamel.yaml.comments import CommentedMap

    hooks = load_round_trip(HOOKS.read_text(encoding="utf-8"))
    local = []
    for hook in hooks:
        entry = CommentedMap((key, value) for key, value in hook.items())
        entry["language"] = "system"
        local.append(entry)
    return dump_round_trip({"repos": [{"repo": "local", "hooks": local}]}, PRE_COMMIT_HEADER)


PRE_COMMIT_HEADER = f"""\
# pre-commit (https://pre-commit.com) runs ovk's hooks on the agreement files of each
# commit: `ovk validate` (a broken file never reaches main; the error says path:line:col)
# and `ovk fmt --check`. Once per clone: pip install pre-commit && pre-commit install.
#
# The hooks are ovk's own (its .pre-commit-hooks.yaml, {REPOSITORY}),
# as `repo: local` with `language: system`: they run the ovk installed in this repository's
# environment, the version it pins (the one CI installs), so a commit is checked as CI
# checks it; nothing more is downloaded, and they work offline."""


GITIGNORE_TEXT = """\
# What ovk and the tools around it make in this repository; none of it is the agreement.
# The rendered bilagor (ovk render --all -o site/), as CI builds them:
/site/
/out/
# Python environments (ovk installed for this repository) and caches:
.venv/
venv/
__pycache__/
"""


def readme(name: str, year: int | None, ci: str | None = None) -> str:
    """The repository's README: what it holds and what to do next (English, for the IT team
    and the controllers who keep it; the agreement itself is Swedish)."""
    kommun = municipality_name(name)
    shown = str(year) if year is not None else "<year>"
    agreement = f"{AGREEMENTS}/{shown}/overenskommelse.yaml"
    github, gitlab = WORKFLOW_PATHS["github"], WORKFLOW_PATHS["gitlab"]
    checks = "validates every pull request, checks the style and renders the bilagor"
    if ci is None:
        ci_step = (
            f"CI: `ovk init --ci github` writes `{github}` (GitHub Actions),\n"
            f"   `ovk init --ci gitlab` writes `{gitlab}`; each {checks}."
        )
    else:
        ci_step = f"CI: `{WORKFLOW_PATHS[ci]}` {checks}; commit it with the rest."
    return f"""\
# {kommun}: överenskommelse om verksamhet

This repository holds {kommun}'s yearly agreement between Kommunstyrelsen and its
divisions (*överenskommelse om verksamhet*) as YAML, one file per division and per
särskilt uppdrag. It is kept with [ovk]({REPOSITORY}),
which checks it, compares years and renders the bilagor. `ovk init` (ovk {__version__}) started it.

## What is here

- `{AGREEMENTS}/<year>/overenskommelse.yaml`: the agreement itself: the municipality, title,
  parties, divisions, general sections and follow-up dates.
- `{AGREEMENTS}/<year>/malomraden.yaml`: målområden, goals with desired results and
  indicators, grundverksamhet.
- `{AGREEMENTS}/<year>/divisions/<CODE>.yaml` and `{AGREEMENTS}/<year>/uppdrag/<id>.yaml`:
  one file per division and per särskilt uppdrag (`ovk new` writes them).
- `schema/`: the JSON Schemas named on the first line of every agreement file, so editors
  complete and check it as you type (VS Code with the YAML extension). After upgrading ovk,
  refresh them with `ovk schema -o schema/`.
- `.pre-commit-config.yaml`: ovk's hooks (`ovk validate`, `ovk fmt --check`) on every
  commit, run by the ovk installed here (see the comment in the file for why).

## Next steps

1. Install ovk, pinned, in this repository's environment, and pre-commit:

       python -m venv .venv && . .venv/bin/activate
       pip install "ovk @ git+{REPOSITORY}@v{__version__}" pre-commit
       pre-commit install

2. Fill in `{agreement}`:
   the title as it will be printed, the diarienummer, the general sections.
3. Add the divisions, each with its file:

       ovk new division --year {shown} --code KLK --name "Kommunledningskontoret"

4. Add the särskilda uppdrag:

       ovk new uppdrag --year {shown} --title "E-arkiv" --owners KLK --lead KLK

5. Check and look: `ovk validate`, `ovk fmt` (the canonical style), and
   `ovk render --all -o site/` for the bilagor as HTML.
6. {ci_step}
7. Next year: `ovk new year <next> --from <this>` starts it as a copy, for a pull request.
"""
