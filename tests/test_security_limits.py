"""Resource and process limits: a run ends as asked, leaves nothing behind, and says why.

The threat: ovk runs in pre-commit hooks and CI jobs that other people's data and options
reach. `--jobs 100000` crashed with thousands of orphaned worker processes, and `--jobs 2000`
made a half-second run take 49 s; a Ctrl-C printed a traceback from every worker; a SIGTERM
(a CI job cancelled, `timeout`) left workers running. So the pool is bounded (never more
workers than year folders, at most WORKERS_PER_CPU per CPU), no worker outlives the command
on an error, Ctrl-C or SIGTERM, and every error is one line with its exit code: 2 for usage
and run-time errors (an output file that cannot be written; `ovk diff` when it cannot read a
file, so that its 1 means only "differences"), 130 for Ctrl-C, 143 for SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ovk.validate import engine
from ovk.validate.engine import WORKERS_PER_CPU, pool_size, worker_pool
from tests.conftest import REPO, checkout_env, make_tree, run_ovk

CPUS = engine._cpus()


# -- the pool's size --------------------------------------------------------------------------


def test_the_pool_is_never_larger_than_the_year_folders_or_a_few_per_cpu() -> None:
    assert pool_size(100_000, 3, 10) == min(3, WORKERS_PER_CPU * CPUS)
    assert pool_size(100_000, 10**6, 10**6) == WORKERS_PER_CPU * CPUS
    assert pool_size(2000, 1, 5000) == 1  # one year folder: no pool at all
    assert pool_size(None, 50, 10) == 1  # small runs: one process
    assert pool_size(None, 50, 500) == min(CPUS, 50)
    assert pool_size(1, 50, 500) == 1


def test_jobs_100000_starts_a_handful_of_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = years_tree(tmp_path, years=3, uppdrag=2)
    sizes: list[int] = []
    real = engine.worker_pool

    def counting(workers: int):  # type: ignore[no-untyped-def]
        sizes.append(workers)
        return real(workers)

    monkeypatch.setattr(engine, "worker_pool", counting)
    started = time.monotonic()
    result = run_ovk("--root", str(root), "validate", "--no-cache", "--jobs", "100000")
    assert result.exit_code in (0, 1), result.stderr
    assert time.monotonic() - started < 20
    assert sizes == ([min(4, WORKERS_PER_CPU * CPUS)] if CPUS > 0 else [])
    assert sizes[0] <= WORKERS_PER_CPU * CPUS


def test_the_help_of_jobs_says_it_is_clamped() -> None:
    help_text = " ".join(run_ovk("validate", "--help").stdout.replace("│", " ").split())
    assert "clamped to the number of year folders and to twice the CPUs" in help_text


# -- no worker outlives the command -----------------------------------------------------------


def _fails(_: int) -> None:
    raise ValueError("a worker's error")


def _sleeps(seconds: int) -> int:
    time.sleep(seconds)
    return seconds


def test_no_worker_outlives_an_error() -> None:
    with pytest.raises(ValueError, match="a worker's error"), worker_pool(2) as (pool, _):
        pool.submit(_sleeps, 60)
        processes = list(pool._processes.values())  # type: ignore[union-attr]
        pool.submit(_fails, 0).result()
    assert len(processes) == 2
    assert not any(process.is_alive() for process in processes)


def test_no_worker_outlives_an_error_of_the_parent() -> None:
    with pytest.raises(KeyboardInterrupt), worker_pool(2) as (pool, _):
        pool.submit(_sleeps, 60)
        pool.submit(_sleeps, 60)
        processes = list(pool._processes.values())  # type: ignore[union-attr]
        raise KeyboardInterrupt
    assert not any(process.is_alive() for process in processes)


def years_tree(tmp_path: Path, years: int, uppdrag: int) -> Path:
    """The base example with `years` more year folders of `uppdrag` extra uppdrag each, every
    one with an anchor and an alias (so it takes the located loader, the slow path)."""
    root = make_tree(tmp_path / "repo")
    source = root / "agreements" / "2026"
    text = (source / "uppdrag" / "okat-valdeltagande.yaml").read_text(encoding="utf-8")
    text = text.replace("text:\n", "text: &t\n").replace(
        "kompletterande:\n  - Kommunstyrelsen ger uppdraget till Kommunledningskontoret (KLK).",
        "kompletterande: *t",
    )
    for year in range(2030, 2030 + years):
        folder = root / "agreements" / str(year)
        shutil.copytree(source, folder)
        for number in range(uppdrag):
            named = text.replace("id: okat-valdeltagande", f"id: u{number}")
            (folder / "uppdrag" / f"u{number}.yaml").write_text(named, encoding="utf-8")
    return root


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(child) for child in found.split()]


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("signum", "to_group", "code", "line"),
    [
        (signal.SIGINT, True, 130, "ovk: interrupted"),  # Ctrl-C on a terminal: every process
        (signal.SIGINT, False, 130, "ovk: interrupted"),
        (signal.SIGTERM, False, 143, "ovk: terminated"),  # kill, timeout, a cancelled CI job
        (signal.SIGTERM, True, 143, "ovk: terminated"),
    ],
    ids=["SIGINT-group", "SIGINT", "SIGTERM", "SIGTERM-group"],
)
def test_a_signal_mid_run_ends_every_worker_with_one_line(
    tmp_path: Path, signum: int, to_group: bool, code: int, line: str
) -> None:
    root = years_tree(tmp_path, years=8, uppdrag=60)  # about 4 s of work for two workers
    command = [sys.executable, "-m", "ovk", "--root", str(root), "validate", "--jobs", "2"]
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, "--no-cache"],
        cwd=REPO,
        env=checkout_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # As a terminal starts a program: a test runner's worker (or a background job in CI)
        # may run with SIGINT ignored, which a child would inherit and keep.
        preexec_fn=_default_sigint,
    )
    try:
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() - started < 10:
            time.sleep(0.02)
            workers = children(process.pid)
        assert len(workers) == 2, f"the pool did not start: {children(process.pid)}"
        time.sleep(0.1)  # the workers are busy now
        if to_group:
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert (process.returncode, stderr.decode()) == (code, f"{line}\n")
    deadline = time.monotonic() + 2
    while any(alive(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not [worker for worker in workers if alive(worker)], workers


# -- errors are one line, with their exit code ------------------------------------------------


def one_line(stderr: str) -> str:
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    return stderr.rstrip("\n")


def test_export_into_a_missing_folder_is_one_line_and_exit_2(base_tree: Path) -> None:
    target = base_tree.parent / "missing" / "dir" / "x.ics"
    result = run_ovk("--root", str(base_tree), "export", "--format", "ics", "-o", str(target))
    assert result.exit_code == 2
    assert one_line(result.stderr) == (
        f"ovk: error: cannot write {target} (-o): No such file or directory"
    )
    assert not target.parent.exists()


@pytest.mark.parametrize("place", ["under-a-file", "proc"])
def test_schema_into_an_unwritable_place_is_one_line_and_exit_2(tmp_path: Path, place: str) -> None:
    if place == "proc" and not Path("/proc/self").is_dir():
        pytest.skip("needs /proc, where nobody may make a folder")
    (tmp_path / "file").write_text("", encoding="utf-8")
    target = tmp_path / "file" / "schemas" if place == "under-a-file" else Path("/proc/ovk")
    result = run_ovk("schema", "-o", str(target))
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith(f"ovk: error: cannot write {target}/")
    assert result.stdout == ""


COMMANDS = [["validate"], ["list"], ["diff", "2026", "2026"], ["render", "KLK"], ["fmt"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_any_other_os_error_is_one_line_and_exit_2(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    import ovk.cli.app
    import ovk.cli.validating

    def unreadable() -> Path:
        raise PermissionError(13, "Permission denied", str(base_tree / "agreements"))

    monkeypatch.setattr(ovk.cli.app, "_root", unreadable)
    monkeypatch.setattr(ovk.cli.validating, "root_of", lambda option: unreadable())
    result = run_ovk(*command)
    assert result.exit_code == 2
    assert one_line(result.stderr) == f"ovk: error: Permission denied: {base_tree / 'agreements'}"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_ctrl_c_in_any_command_is_one_line_and_exit_130(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    import ovk.cli.app
    import ovk.cli.validating

    def interrupted() -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(ovk.cli.app, "_root", interrupted)
    monkeypatch.setattr(ovk.cli.validating, "root_of", lambda option: interrupted())
    result = run_ovk(*command)
    assert (result.exit_code, one_line(result.stderr)) == (130, "ovk: interrupted")


@pytest.mark.parametrize("exit_code", [[], ["--exit-code"]], ids=["plain", "--exit-code"])
def test_diff_exits_2_when_it_cannot_read_a_file(base_tree: Path, exit_code: list[str]) -> None:
    (base_tree / "agreements/2026/uppdrag/broken.yaml").write_text("x: [\n", encoding="utf-8")
    result = run_ovk("--root", str(base_tree), "diff", "2026", "2026", *exit_code)
    assert result.exit_code == 2  # 1 means only "differences", as in git diff
    assert one_line(result.stderr).startswith("ovk: error: agreements/2026/uppdrag/broken.yaml")
    unknown = run_ovk("--root", str(base_tree), "diff", "2026", "1999", *exit_code)
    assert unknown.exit_code == 2
