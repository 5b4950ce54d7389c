"""Shell completion: typer's --install-completion, with years and division codes from the data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ovk.cli.completion import division_codes, years
from tests.conftest import REPO, run_ovk

OVK = Path(sys.executable).parent / "ovk"


def complete(words: str) -> list[str]:
    env = {
        **os.environ,
        "_OVK_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    result = subprocess.run([str(OVK)], env=env, capture_output=True, text=True, check=False)
    return result.stdout.split()


def test_years_and_codes_come_from_the_folders(base_tree: Path) -> None:
    assert years(REPO) == ["2026", "2024"]
    assert years(REPO, "202") == ["2026", "2024"] and years(REPO, "2024") == ["2024"]
    assert division_codes(base_tree) == ["KLK", "TEK"]
    assert division_codes(base_tree, "t") == ["TEK"]
    assert division_codes(base_tree, "KLK,") == ["KLK,TEK"]
    assert years(base_tree / "nowhere") == []


def test_the_shell_gets_years_and_codes() -> None:
    assert complete(f"ovk --root {REPO} list --year ") == ["2026", "2024"]
    assert complete(f"ovk --root {REPO} list --owner S") == ["SHB"]


def test_completion_options_are_offered() -> None:
    result = run_ovk("--help")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout
