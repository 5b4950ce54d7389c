"""The year folders' index gives the findings of a cold run, byte for byte, however the files
changed since it was written; a warm run opens no member whose stat is recorded.

How the index decides is in ovk/validate/index.py; what a planted or tampered cache cannot
do is in tests/test_security_cache.py (and the tampered index below)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import ovk.model.conformance as conformance
import ovk.validate.engine as engine
import ovk.validate.index as index
from ovk.validate.cache import INDEX, Cache, folder_name
from ovk.validate.engine import Report, validate
from tests.conftest import CASES, EXAMPLES, make_tree, run_ovk

UPPDRAG = Path("agreements/2026/uppdrag/okat-valdeltagande.yaml")
DUE = "due: 2026-12-31"
SAME_SIZE_BROKEN = 'due: "31 dec 1"'  # a schema error in as many bytes as DUE


@pytest.fixture
def not_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No margin: a file written before the cold run began is trusted on its stat after it
    (the suite's files are all written moments before they are validated)."""
    monkeypatch.setattr(index, "RACY_MARGIN_NS", 0)


class Spy:
    """Counts the files a run checks from their bytes (rather than from a verdict)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checked: list[str] = []
        real = engine.load_checked

        def counted(file: Any, *args: Any, **kwargs: Any) -> Any:
            self.checked.append(file.display)
            return real(file, *args, **kwargs)

        monkeypatch.setattr(engine, "load_checked", counted)


def opened(base: Path, root: Path) -> Cache:
    cache = Cache.open(base, root)
    assert cache is not None
    return cache


def run(base: Path, root: Path, **options: Any) -> Report:
    with opened(base, root) as cache:
        return validate(root, cache=cache, **options)


def break_in_place(path: Path) -> None:
    """Give the uppdrag at `path` a schema error, in place and in as many bytes."""
    path.write_text(path.read_text("utf-8").replace(DUE, SAME_SIZE_BROKEN), "utf-8")


def broken_repository(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose uppdrag UPPDRAG has a schema error, and a cache folder for it."""
    root = make_tree(tmp_path / "repo")
    break_in_place(root / UPPDRAG)
    return root, tmp_path / "cache"


def index_files(base: Path, root: Path, part: str = "year") -> list[Path]:
    """The year folders' index files (`part` "data": their data files)."""
    folder = base / folder_name(root) / INDEX
    return sorted(folder.glob(f"{part}-*")) if folder.is_dir() else []


class RuleSpy:
    """Counts the year folders whose cross-file rules run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.years: list[str] = []
        real = engine.check_year

        def counted(files: Any, display: str) -> Any:
            self.years.append(display)
            return real(files, display)

        monkeypatch.setattr(engine, "check_year", counted)


@pytest.mark.parametrize("output", ["text", "json"])
@pytest.mark.parametrize("case", [None, *CASES], ids=lambda c: c.name if c else "_base")
def test_a_warm_run_from_the_index_prints_what_a_cold_run_prints(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    not_racy: None,
    case: Path | None,
    output: str,
) -> None:
    root = make_tree(tmp_path / "repo", case)
    monkeypatch.setenv("OVK_CACHE_DIR", str(tmp_path / "cache"))
    command = ("--root", str(root), "validate", "--format", output)
    expected = run_ovk(*command, "--no-cache")
    cold = run_ovk(*command)
    assert index_files(tmp_path / "cache", root)
    spy = Spy(monkeypatch)
    warm = run_ovk(*command)
    assert (cold.exit_code, cold.stdout) == (expected.exit_code, expected.stdout)
    assert (warm.exit_code, warm.stdout) == (expected.exit_code, expected.stdout)
    assert spy.checked == []  # broken files' findings come from the index too


LEAD_NOT_OWNER = ("lead: null", "lead: TEK")  # a cross-file error: the lead is no owner


def test_a_warm_year_folder_takes_its_cross_file_findings_from_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None
) -> None:
    root, base = make_tree(tmp_path / "repo"), tmp_path / "cache"
    path = root / UPPDRAG
    path.write_text(path.read_text("utf-8").replace(*LEAD_NOT_OWNER), "utf-8")
    expected = validate(root)
    assert any(f.rule == "lead-not-owner" for f in expected.findings)
    assert run(base, root) == expected
    rules, spy = RuleSpy(monkeypatch), Spy(monkeypatch)
    data = index_files(base, root, "data")
    assert data
    for file in data:  # the data file is read only when the rules must run again
        file.write_bytes(b"not even signed")
    assert run(base, root) == expected
    assert (rules.years, spy.checked) == ([], [])


def test_a_changed_member_runs_the_rules_again_on_the_recorded_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None
) -> None:
    root, base = make_tree(tmp_path / "repo"), tmp_path / "cache"
    assert run(base, root).findings == []
    path = root / UPPDRAG
    path.write_text(path.read_text("utf-8").replace(*LEAD_NOT_OWNER), "utf-8")
    expected = validate(root)
    rules, spy = RuleSpy(monkeypatch), Spy(monkeypatch)
    warm = run(base, root)
    assert warm == expected
    assert [f.rule for f in warm.findings] == ["lead-not-owner"]
    assert rules.years == ["agreements/2026"]
    assert spy.checked == [UPPDRAG.as_posix()]  # the others' data from the data file
    rules.years.clear()
    assert run(base, root) == warm  # and then recorded under the new digest
    assert rules.years == []


@pytest.mark.parametrize("harm", ["gone", "forged"])
def test_without_its_data_file_a_year_checks_its_members_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None, harm: str
) -> None:
    root, base = make_tree(tmp_path / "repo"), tmp_path / "cache"
    expected = run(base, root)
    (data,) = index_files(base, root, "data")
    honest = data.read_bytes()
    forged = honest.replace(b'"TEK"', b'"XYZ"', 1)  # a datum changed under the old tag
    assert forged != honest
    if harm == "gone":
        data.unlink()
    else:
        data.write_bytes(forged)
    path = root / "agreements/2026/malomraden.yaml"  # changed, so that the rules run again
    path.write_bytes(path.read_bytes() + b"\n")
    spy = Spy(monkeypatch)
    assert run(base, root) == validate(root) == expected
    assert len(spy.checked) > 1  # the members whose data was gone, checked again
    assert data.read_bytes() not in (b"", forged)  # an honest data file again


def test_a_warm_run_starts_no_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None
) -> None:
    root, base = make_tree(tmp_path / "repo"), tmp_path / "cache"
    shutil.copytree(root / "agreements/2026", root / "agreements/2027")  # two year folders
    expected = validate(root)
    started: list[int] = []
    real = engine.worker_pool

    def counted(workers: int) -> Any:
        started.append(workers)
        return real(workers)

    monkeypatch.setattr(engine, "worker_pool", counted)
    assert run(base, root, workers=2) == expected
    assert started == [2]
    assert run(base, root, workers=2) == expected
    assert started == [2]  # answered from the index in the parent


def test_a_file_rewritten_in_the_instant_of_the_index_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a filesystem with coarse times the rewrite leaves the recorded stat unchanged; only
    git's racy rule (mtime not older than the index) makes ovk read the file again."""
    root = make_tree(tmp_path / "repo")
    base = tmp_path / "cache"
    instant = time.time_ns()  # every file's mtime and ctime, as a one-second filesystem says
    real = index.signature

    def coarse(path: Any) -> Any:
        found = real(path)
        return None if found is None else (found[0], instant, instant, found[3], found[4])

    monkeypatch.setattr(engine, "signature", coarse)
    assert run(base, root).findings == []
    path = root / UPPDRAG
    before = coarse(path)
    break_in_place(path)
    assert coarse(path) == before  # stat says unchanged
    warm = run(base, root)
    assert warm == validate(root)
    assert any(f.rule == "schema" and f.file == UPPDRAG.as_posix() for f in warm.findings)


def test_a_rewrite_with_its_mtime_set_back_is_caught_by_its_ctime(
    tmp_path: Path, not_racy: None
) -> None:
    root = make_tree(tmp_path / "repo")
    base = tmp_path / "cache"
    path = root / UPPDRAG
    old = os.stat(path)
    assert run(base, root).findings == []
    time.sleep(0.01)  # a ctime the kernel's clock can tell from the first
    break_in_place(path)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    new = os.stat(path)
    assert (new.st_size, new.st_mtime_ns, new.st_ino) == (old.st_size, old.st_mtime_ns, old.st_ino)
    warm = run(base, root)
    assert warm == validate(root)
    assert any(f.rule == "schema" for f in warm.findings)


def as_a_new_process_would() -> None:
    """Forget the schemas read: one run reads them once, as if they could not change."""
    for remembered in (
        conformance.schema_bytes,
        conformance.load_schema,
        conformance.schema_validator,
        conformance.fast_validator,
        conformance.quick_acceptor,
        conformance._departs,
        engine._schema_dir,
    ):
        remembered.cache_clear()


def changes(root: Path) -> dict[str, Any]:
    """Ways a repository changes after its index was written, each a function of the root."""
    year = root / "agreements" / "2026"

    def linked() -> None:  # a member replaced by a link to a broken file in the repository
        target = root / "elsewhere.yaml"
        target.write_text((root / UPPDRAG).read_text("utf-8").replace(DUE, 'due: "x"'), "utf-8")
        (root / UPPDRAG).unlink()
        (root / UPPDRAG).symlink_to(target)

    def deleted() -> None:
        (year / "malomraden.yaml").unlink()

    def added() -> None:  # a copy under another name: its id is not its name
        (year / "uppdrag" / "copy.yaml").write_bytes((root / UPPDRAG).read_bytes())

    def schema_changed() -> None:  # every uppdrag now needs a field none has
        schema = next((root / "schema").glob("uppdrag*.json"))
        content = json.loads(schema.read_text("utf-8"))
        content["required"] = [*content.get("required", []), "nonexistent"]
        schema.write_text(json.dumps(content), "utf-8")
        as_a_new_process_would()

    def schema_folder_gone() -> None:  # same schemas (the package's), modelines now dangle
        for schema in (root / "schema").iterdir():
            schema.unlink()
        (root / "schema").rmdir()
        as_a_new_process_would()

    return {
        "linked": linked,
        "deleted": deleted,
        "added": added,
        "schema_changed": schema_changed,
        "schema_folder_gone": schema_folder_gone,
    }


@pytest.mark.parametrize("change", list(changes(Path())))
def test_a_warm_run_after_a_change_finds_what_a_cold_run_finds(
    tmp_path: Path, not_racy: None, change: str
) -> None:
    root = make_tree(tmp_path / "repo")
    base = tmp_path / "cache"
    assert run(base, root).findings == []
    changes(root)[change]()
    warm = run(base, root)
    assert warm == validate(root)
    assert warm.findings  # each change is one a cold run reports


def test_a_tampered_index_is_not_used_and_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None
) -> None:
    root, base = broken_repository(tmp_path)
    expected = validate(root)
    assert run(base, root) == expected
    (written,) = index_files(base, root)
    honest = written.read_bytes()
    # Change the broken file's recorded finding, as a forger would, keeping the old tag.
    forged = honest.replace(b'"schema"', b'"schemb"')
    assert forged != honest
    written.write_bytes(forged)
    spy = Spy(monkeypatch)
    assert run(base, root) == expected
    assert UPPDRAG.as_posix() in spy.checked  # the cold path
    assert written.read_bytes() != forged  # an honest index again


def test_an_index_written_by_other_ovk_code_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None
) -> None:
    root, base = broken_repository(tmp_path)
    with opened(base, root) as other:
        other.salt = other.salt.replace(b"\n", b"\nother code\n", 1)  # another code hash
        validate(root, cache=other)
    spy = Spy(monkeypatch)
    assert run(base, root) == validate(root)
    assert UPPDRAG.as_posix() in spy.checked


def test_an_untouched_file_with_a_new_stat_is_hashed_not_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None
) -> None:
    root, base = broken_repository(tmp_path)
    path = root / UPPDRAG
    expected = run(base, root)
    path.write_bytes(path.read_bytes())  # same bytes, new mtime and ctime
    spy = Spy(monkeypatch)
    assert run(base, root) == expected
    assert spy.checked == []


def test_files_racy_under_one_index_are_trusted_after_the_next_writes_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path / "repo")
    base = tmp_path / "cache"
    expected = run(base, root)  # every file was written just now: all racy
    later = time.time_ns() + 10 * index.RACY_MARGIN_NS
    monkeypatch.setattr(index.time, "time_ns", lambda: later)
    assert run(base, root) == expected  # hashed again, and the index written again
    opened_files: list[Path] = []
    real = engine.read_capped

    def counted(path: Path, *args: Any) -> Any:
        opened_files.append(path)
        return real(path, *args)

    monkeypatch.setattr(engine, "read_capped", counted)
    assert run(base, root) == expected
    assert opened_files == []  # a stat each, no member opened


# The year's Kolada snapshot: one Kolada value that is not the printed one (a kolada-value
# warning), and one whose values all agree (no finding); see tests/examples/kolada-*.
SNAPSHOT = Path("agreements/2026/kolada.json")
DISAGREES = EXAMPLES / "kolada-value" / SNAPSHOT
AGREES = EXAMPLES / "kolada-agrees" / SNAPSHOT


class ReadSpy:
    """Counts the files a run opens through the engine's reader (members and snapshot)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[str] = []
        real = engine.read_capped

        def counted(path: Path, *args: Any) -> Any:
            self.opened.append(Path(path).name)
            return real(path, *args)

        monkeypatch.setattr(engine, "read_capped", counted)


def test_a_warm_run_opens_no_unchanged_snapshot_and_keeps_its_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None
) -> None:
    root, base = make_tree(tmp_path / "repo"), tmp_path / "cache"
    shutil.copyfile(DISAGREES, root / SNAPSHOT)
    expected = validate(root)
    assert [f.rule for f in expected.findings] == ["kolada-value"]
    assert run(base, root) == expected
    rules, reads = RuleSpy(monkeypatch), ReadSpy(monkeypatch)
    assert run(base, root) == expected
    assert (rules.years, reads.opened) == ([], [])


def snapshot_changes(root: Path) -> dict[str, Any]:
    """Ways a year's Kolada snapshot changes after the index was written (a snapshot of
    values that agree stands there before, except for `added`)."""
    path = root / SNAPSHOT

    def changed() -> None:  # Kolada revised a value: now one printed value is not Kolada's
        shutil.copyfile(DISAGREES, path)

    def changed_in_place() -> None:  # the same size and mtime: only ctime tells
        old = os.stat(path)
        time.sleep(0.01)
        path.write_bytes(path.read_bytes().replace(b'"value": 7.94', b'"value": 7.84'))
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))

    def added() -> None:
        shutil.copyfile(DISAGREES, path)

    def removed() -> None:  # the warning on the cell goes with it
        path.unlink()

    def broken() -> None:
        path.write_text("{not json", "utf-8")

    return {
        "changed": changed,
        "changed_in_place": changed_in_place,
        "added": added,
        "removed": removed,
        "broken": broken,
    }


@pytest.mark.parametrize("change", list(snapshot_changes(Path())))
def test_a_changed_added_or_removed_snapshot_runs_the_rules_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None, change: str
) -> None:
    root, base = make_tree(tmp_path / "repo"), tmp_path / "cache"
    if change == "removed":
        shutil.copyfile(DISAGREES, root / SNAPSHOT)
    elif change != "added":
        shutil.copyfile(AGREES, root / SNAPSHOT)
    before = run(base, root)
    snapshot_changes(root)[change]()
    expected = validate(root)  # a cold run, without the cache
    assert expected != before
    with opened(base, root) as cache:  # the parent cannot answer the year from stats alone
        listing = engine.select(root).years[0]
        assert engine._check_indexed(root, listing, 5_000_000, cache, stat_only=True) is None
    rules = RuleSpy(monkeypatch)
    assert run(base, root) == expected
    assert rules.years == ["agreements/2026"]
    rules.years.clear()
    assert run(base, root) == expected  # and then recorded
    assert rules.years == []


def test_rules_run_again_for_a_changed_member_read_the_unchanged_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, not_racy: None
) -> None:
    root, base = make_tree(tmp_path / "repo"), tmp_path / "cache"
    shutil.copyfile(DISAGREES, root / SNAPSHOT)
    assert [f.rule for f in run(base, root).findings] == ["kolada-value"]
    path = root / UPPDRAG
    path.write_text(path.read_text("utf-8").replace(*LEAD_NOT_OWNER), "utf-8")
    reads = ReadSpy(monkeypatch)
    warm = run(base, root)
    assert warm == validate(root)
    assert sorted(f.rule for f in warm.findings) == ["kolada-value", "lead-not-owner"]
    assert "kolada.json" in reads.opened  # trusted on its stat, read when the rules ran
