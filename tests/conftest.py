"""Shared fixtures: the repository, the example tree, and an end-to-end CLI runner."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ovk.cli import app

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "examples"
BASE = EXAMPLES / "_base"
CASES = sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith("_"))


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


@pytest.fixture
def base_tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "repo")
