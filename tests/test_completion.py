"""Shell completion: typer's --install-completion, with years and division codes from the data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ovk.cli.completion import division_codes, years
from tests.conftest import add_year, checkout_env, run_ovk

OVK = Path(sys.executable).parent / "ovk"


def complete(words: str) -> list[str]:
    env = {
        **checkout_env(),
        "_OVK_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    result = subprocess.run([str(OVK)], env=env, capture_output=True, text=True, check=False)
    return result.stdout.split()


def test_years_and_codes_come_from_the_folders(base_tree: Path) -> None:
    add_year(base_tree, 2031, 2026)
    (base_tree / "agreements" / "notes").mkdir()  # not a year
    assert years(base_tree) == ["2031", "2026"]
    assert years(base_tree, "20") == ["2031", "2026"] and years(base_tree, "2026") == ["2026"]
    assert division_codes(base_tree) == ["KLK", "TEK"]
    assert division_codes(base_tree, "t") == ["TEK"]
    assert division_codes(base_tree, "KLK,") == ["KLK,TEK"]
    assert years(base_tree / "nowhere") == []


def test_the_shell_gets_years_and_codes(two_year_tree: Path) -> None:
    assert complete(f"ovk --root {two_year_tree} list --year ") == ["2027", "2026"]
    assert complete(f"ovk --root {two_year_tree} list --owner T") == ["TEK"]


def test_completion_options_are_offered() -> None:
    result = run_ovk("--help")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout
