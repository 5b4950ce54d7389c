"""The cache of clean files never changes a verdict, and cross-file rules run with it warm.

What a hostile repository or a tampered cache cannot do is in tests/test_security_cache.py."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ovk.validate.cache import ENTRIES, MISSING, PRUNED, Cache, folder_name
from ovk.validate.engine import validate
from tests.conftest import CASES, make_tree, run_ovk


def opened(base: Path, root: Path) -> Cache:
    cache = Cache.open(base, root)
    assert cache is not None
    return cache


def entries(base: Path, root: Path) -> list[Path]:
    """The entries of `root`'s cache folder (not the prune stamp)."""
    folder = base / folder_name(root) / ENTRIES
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


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


DAY = 86_400


def age(path: Path, days: float) -> None:
    """Set back the mtime of `path` (not followed when a link) by `days`."""
    then = time.time() - days * DAY
    os.utime(path, (then, then), follow_symlinks=False)


def test_entries_not_written_for_a_month_are_pruned_at_most_once_a_day(tmp_path: Path) -> None:
    base = tmp_path / "cache"
    root = make_tree(tmp_path / "repo")
    expected = validate(root)
    with opened(base, root) as cache:
        validate(root, cache=cache)
        old, recent, later, *_ = entries(base, root)
        folder = old.parent
        age(old, 31)
        age(recent, 29)
        leftover = folder / ".abc.123.deadbeef"  # a killed run's temporary file
        leftover.write_bytes(b"x")
        age(leftover, 2)
        foreign = folder / "notes"  # not an entry's name: not ovk's to remove
        foreign.write_bytes(b"x")
        age(foreign, 400)
        cache.prune()
        assert not old.exists() and not leftover.exists()
        assert recent.exists() and foreign.exists() and (folder / PRUNED).is_file()
        age(later, 31)
        cache.prune()  # pruned less than a day ago: not looked through again
        assert later.exists()
        cache.prune(now=time.time() + 2 * DAY)
        assert not later.exists() and not recent.exists()
        assert validate(root, cache=cache) == expected  # a pruned entry is only a miss


def test_a_linked_prune_stamp_is_replaced_not_followed(tmp_path: Path) -> None:
    base = tmp_path / "cache"
    root = make_tree(tmp_path / "repo")
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    with opened(base, root) as cache:
        validate(root, cache=cache)
        stamp = entries(base, root)[0].parent / PRUNED
        stamp.symlink_to(victim)
        cache.prune()
        assert not stamp.is_symlink() and stamp.is_file()
    assert victim.read_text(encoding="utf-8") == "keep"


def test_the_command_line_prunes_its_cache(
    base_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, base = base_tree, tmp_path / "user-cache"
    monkeypatch.setenv("OVK_CACHE_DIR", str(base))
    assert run_ovk("--root", str(root), "validate").exit_code == 0
    first, *_ = entries(base, root)
    age(first, 31)
    age(first.parent / PRUNED, 2)
    assert run_ovk("--root", str(root), "validate").exit_code == 0
    assert not first.exists()
