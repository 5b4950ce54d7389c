"""The README's and the `ovk new` help's examples run as written on the shipped repository:
each on a fresh copy of it, exit 0, and `ovk validate` clean afterwards.

The examples are written for the years the README describes (2024 and 2026, the latest);
the copy holds those years only, so a year a municipality adds later (`ovk new year 2027
--from 2026`, as the README shows) does not make them wrong."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from ovk.cli.app import followup_app, new_app
from tests.conftest import REPO, run_ovk

pytestmark = pytest.mark.data

DOCUMENTED_YEARS = ("2024", "2026")


WRITING = ("ovk new ", "ovk followup ")  # the examples that write files (and the status)


def readme_examples() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip().startswith(WRITING)]


def help_examples() -> list[str]:
    """The example lines in the docstrings (the help texts) of `ovk new`, `ovk followup` and
    their commands."""
    callbacks = [new_app.registered_callback, *new_app.registered_commands]
    callbacks += [followup_app.registered_callback, *followup_app.registered_commands]
    docs = [c.callback.__doc__ or "" for c in callbacks if c is not None and c.callback]
    lines = [line.strip() for doc in docs for line in doc.splitlines()]
    return [line for line in lines if line.startswith(WRITING)]


def shipped_copy(tmp_path: Path) -> Path:
    """A fresh copy of the shipped agreements and schemas (never write into the checkout)."""
    root = tmp_path / "repo"
    for year in DOCUMENTED_YEARS:
        shutil.copytree(REPO / "agreements" / year, root / "agreements" / year)
    shutil.copytree(REPO / "schema", root / "schema")
    return root


EXAMPLES = sorted({*readme_examples(), *help_examples()})


def test_the_examples_are_found() -> None:
    readme, helps = readme_examples(), help_examples()
    for command in ("uppdrag", "division", "year"):
        assert any(line.startswith(f"ovk new {command} ") for line in readme)
        assert any(line.startswith(f"ovk new {command} ") for line in helps)
    for command in ("new", "status"):
        assert any(line.startswith(f"ovk followup {command} ") for line in readme)
        assert any(line.startswith(f"ovk followup {command} ") for line in helps)


@pytest.mark.parametrize("line", EXAMPLES)
def test_an_example_runs_as_written_on_the_shipped_repository(tmp_path: Path, line: str) -> None:
    root = shipped_copy(tmp_path)
    words = shlex.split(line, comments=True)
    assert words[0] == "ovk"
    result = run_ovk("--root", str(root), *words[1:])
    # The shipped agreements hold no follow-up reports: everything required is missing.
    expected = 1 if "--exit-code" in words else 0
    assert result.exit_code == expected, result.stdout + result.stderr
    check = run_ovk("--root", str(root), "validate", "--no-cache", "--format", "json")
    assert (check.exit_code, json.loads(check.stdout)) == (0, []), check.stdout


def test_a_new_division_code_joins_the_shipped_year(tmp_path: Path) -> None:
    root = shipped_copy(tmp_path)
    args = ("new", "division", "--year", "2026", "--code", "VOF")
    result = run_ovk("--root", str(root), *args, "--name", "Division Vård och omsorg")
    assert result.exit_code == 0, result.stdout + result.stderr
    agreement = run_ovk("--root", str(root), "export", "--year", "2026", "--format", "json")
    divisions = json.loads(agreement.stdout)["overenskommelse"]["divisions"]
    assert divisions[-1] == {"code": "VOF", "name": "Division Vård och omsorg"}
    assert run_ovk("--root", str(root), "validate", "--no-cache").exit_code == 0


def readme_block(heading: str) -> list[str]:
    """The command lines of the first sh block under a README heading, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    part = text[text.index(f"\n{heading}\n") :]
    block = part[part.index("```sh\n") + len("```sh\n") :]
    return [line for line in block[: block.index("```")].splitlines() if line.strip()]


def test_the_new_files_examples_run_one_after_another_each_leaving_the_repository_valid(
    tmp_path: Path,
) -> None:
    root = shipped_copy(tmp_path)
    lines = readme_block("## New files and next year")
    assert [shlex.split(line)[:3] for line in lines] == [
        ["ovk", "new", "uppdrag"],
        ["ovk", "new", "division"],
        ["ovk", "new", "year"],
    ]
    for line in lines:
        result = run_ovk("--root", str(root), *shlex.split(line, comments=True)[1:])
        assert result.exit_code == 0, line + "\n" + result.stdout + result.stderr
        check = run_ovk("--root", str(root), "validate", "--no-cache", "--strict")
        assert check.exit_code == 0, line + "\n" + check.stdout
