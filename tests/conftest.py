"""Shared fixtures: the repository, the example tree, and an end-to-end CLI runner.

The tool's tests run on the example tree (`make_tree`, `base_tree`, `two_year_tree`) or on
temporary repositories; only tests marked `data` read the shipped agreements (`AGREEMENTS`),
and those name their years or take them from `shipped_years()`, so a municipality's next year
(`ovk new year 2027 --from 2026`) leaves the suite green."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ovk.cli.app import app

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "examples"
BASE = EXAMPLES / "_base"
CASES = sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith("_"))
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
AGREEMENTS = REPO / "agreements"  # the shipped data: read only by tests marked `data`


def shipped_years() -> list[int]:
    """The years of the shipped agreements, oldest first; a year added later counts too."""
    if not AGREEMENTS.is_dir():
        return []
    return sorted(
        int(p.name) for p in AGREEMENTS.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)
    )


def checkout_env() -> dict[str, str]:
    """The environment for a subprocess that runs ovk: this checkout's code first on the path,
    whichever checkout the virtual environment's editable install points at."""
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="Rewrite tests/snapshots/ from the current output instead of comparing.",
    )


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run_ovk(*args: str) -> Result:
    """Run the ovk CLI in-process, end to end, and capture both streams."""
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def make_tree(target: Path, case: Path | None = None) -> Path:
    """A small repository: the _base example, the repository's schemas, then a case overlaid."""
    shutil.copytree(BASE, target)
    shutil.copytree(REPO / "schema", target / "schema")
    if case is not None:
        for path in case.rglob("*"):
            if path.is_file() and path.name != "case.yaml":
                destination = target / path.relative_to(case)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
    return target


def add_year(root: Path, year: int, source: int) -> Path:
    """`ovk new year YEAR --from SOURCE` in a tree; the new year folder."""
    result = run_ovk("--root", str(root), "new", "year", str(year), "--from", str(source))
    assert result.exit_code == 0, result.stderr
    return root / "agreements" / str(year)


@pytest.fixture(autouse=True, scope="session")
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The suite's ovk cache: a temporary folder (the environment of every ovk it runs, in
    process or not), never the checkout nor the user's own cache folder."""
    folder = tmp_path_factory.mktemp("ovk-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OVK_CACHE_DIR", str(folder))
        patch.delenv("CI", raising=False)  # the cache is tested, so it is on (see test_cache)
        yield folder


@pytest.fixture
def base_tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "repo")


def git(repo: Path, *args: str) -> None:
    """git in `repo`, as a test's own committer."""
    identity = ["-c", "user.name=ovk tests", "-c", "user.email=tests@ovk.invalid"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(base_tree: Path) -> Path:
    """The base example as a git repository with one commit."""
    git(base_tree, "init", "-q", "-b", "main")
    git(base_tree, "add", ".")
    git(base_tree, "commit", "-q", "-m", "base")
    return base_tree


@pytest.fixture
def two_year_tree(base_tree: Path) -> Path:
    """The base example with a second year, 2027, made from 2026 by `ovk new year`."""
    add_year(base_tree, 2027, 2026)
    return base_tree


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/snapshots/NAME; `pytest --update-snapshots` rewrites them."""
    update = bool(request.config.getoption("--update-snapshots"))
    update = update or os.environ.get("OVK_UPDATE_SNAPSHOTS") == "1"

    def check(name: str, text: str) -> None:
        path = SNAPSHOTS / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            return
        assert path.is_file(), f"no snapshot {name}; run: pytest --update-snapshots"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs; if intended, run: pytest --update-snapshots"

    return check
