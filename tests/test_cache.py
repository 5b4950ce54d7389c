"""The cache of clean files never changes a verdict, and cross-file rules run with it warm."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovk.validate.cache import CACHE_FOLDER
from ovk.validate.engine import validate
from tests.conftest import CASES, make_tree, run_ovk


@pytest.mark.parametrize("case", [None, *CASES], ids=lambda c: c.name if c else "_base")
def test_cold_and_warm_cache_give_the_verdict_of_no_cache(
    tmp_path: Path, case: Path | None
) -> None:
    root = make_tree(tmp_path / "repo", case)
    cache = tmp_path / "cache"
    expected = validate(root)
    assert validate(root, cache=cache) == expected  # cold: fills the cache
    assert any(cache.rglob("*"))
    assert validate(root, cache=cache) == expected  # warm


def test_cross_file_rules_fire_from_warm_entries(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    root = make_tree(tmp_path / "repo")
    assert validate(root, cache=cache).findings == []
    # Only overenskommelse.yaml changes; the uppdrag naming TEK are served from the cache and
    # must now get located cross-file findings.
    year = root / "agreements" / "2026"
    text = (year / "overenskommelse.yaml").read_text(encoding="utf-8")
    (year / "divisions" / "TEK.yaml").unlink()
    line = "  - {code: TEK, name: Tekniska divisionen}\n"
    assert line in text
    (year / "overenskommelse.yaml").write_text(text.replace(line, ""), encoding="utf-8")
    warm = validate(root, cache=cache)
    assert warm == validate(root)
    assert any(f.rule == "unknown-division" for f in warm.findings)


def test_a_broken_entry_is_a_miss(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    root = make_tree(tmp_path / "repo")
    expected = validate(root, cache=cache)
    for entry in (cache / "v1").rglob("*"):
        if entry.is_file() and entry.name != ".gitignore":
            entry.write_text("{not json", encoding="utf-8")
    assert validate(root, cache=cache) == expected


def test_the_command_line_caches_unless_told_not_to(base_tree: Path) -> None:
    root = base_tree
    assert run_ovk("--root", str(root), "validate", "--no-cache").exit_code == 0
    assert not (root / CACHE_FOLDER).exists()
    assert run_ovk("--root", str(root), "validate").exit_code == 0
    assert (root / CACHE_FOLDER / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert run_ovk("--root", str(root), "validate").exit_code == 0
