"""The cache of clean files never changes a verdict, and cross-file rules run with it warm.

What a hostile repository or a tampered cache cannot do is in tests/test_security_cache.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ovk.validate.cache import ENTRIES, MISSING, Cache, folder_name
from ovk.validate.engine import validate
from tests.conftest import CASES, make_tree, run_ovk


def opened(base: Path, root: Path) -> Cache:
    cache = Cache.open(base, root)
    assert cache is not None
    return cache


def entries(base: Path, root: Path) -> list[Path]:
    return sorted((base / folder_name(root) / ENTRIES).iterdir())


@pytest.mark.parametrize("case", [None, *CASES], ids=lambda c: c.name if c else "_base")
def test_cold_and_warm_cache_give_the_verdict_of_no_cache(
    tmp_path: Path, case: Path | None
) -> None:
    root = make_tree(tmp_path / "repo", case)
    base = tmp_path / "cache"
    expected = validate(root)
    with opened(base, root) as cache:
        assert validate(root, cache=cache) == expected  # cold: fills the cache
    assert entries(base, root) or expected.findings
    with opened(base, root) as cache:
        assert validate(root, cache=cache) == expected  # warm


def test_cross_file_rules_fire_from_warm_entries(tmp_path: Path) -> None:
    base = tmp_path / "cache"
    root = make_tree(tmp_path / "repo")
    with opened(base, root) as cache:
        assert validate(root, cache=cache).findings == []
    # Only overenskommelse.yaml changes; the uppdrag naming TEK are served from the cache and
    # must now get located cross-file findings.
    year = root / "agreements" / "2026"
    text = (year / "overenskommelse.yaml").read_text(encoding="utf-8")
    (year / "divisions" / "TEK.yaml").unlink()
    line = "  - {code: TEK, name: Tekniska divisionen}\n"
    assert line in text
    (year / "overenskommelse.yaml").write_text(text.replace(line, ""), encoding="utf-8")
    with opened(base, root) as cache:
        warm = validate(root, cache=cache)
    assert warm == validate(root)
    assert any(f.rule == "unknown-division" for f in warm.findings)


def test_a_broken_entry_is_a_miss_and_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Cache, "read_index", lambda self, year, key: MISSING)  # entries alone
    base = tmp_path / "cache"
    root = make_tree(tmp_path / "repo")
    with opened(base, root) as cache:
        expected = validate(root, cache=cache)
    written = {entry: entry.read_bytes() for entry in entries(base, root)}
    for entry in written:
        entry.write_text("{not json", encoding="utf-8")
    with opened(base, root) as cache:
        assert validate(root, cache=cache) == expected
    assert {entry: entry.read_bytes() for entry in entries(base, root)} == written


def test_the_command_line_caches_unless_told_not_to(
    base_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, base = base_tree, tmp_path / "user-cache"
    monkeypatch.setenv("OVK_CACHE_DIR", str(base))
    assert run_ovk("--root", str(root), "validate", "--no-cache").exit_code == 0
    assert not base.exists()
    assert run_ovk("--root", str(root), "validate").exit_code == 0
    folder = base / folder_name(root)
    assert len(entries(base, root)) == sum(
        1 for p in root.rglob("*.yaml") if "agreements" in p.parts
    )
    assert os.stat(folder / "secret").st_mode & 0o777 == 0o600
    assert os.stat(folder).st_mode & 0o777 == 0o700
    assert run_ovk("--root", str(root), "validate").exit_code == 0


def test_each_repository_root_has_its_own_folder(tmp_path: Path) -> None:
    one, two = make_tree(tmp_path / "one"), make_tree(tmp_path / "two")
    assert folder_name(one) != folder_name(two)
    assert folder_name(one).startswith("one-")
    assert folder_name(one) == folder_name(tmp_path / "x" / ".." / "one")
