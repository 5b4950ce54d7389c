"""ovk's pre-commit hooks as another repository uses them: `pre-commit try-repo` on a clone
of this checkout (the hooks as committed in .pre-commit-hooks.yaml), which installs ovk from
that clone into pre-commit's own environment (pip, from the package index) and runs the
hooks in a separate repository of agreements."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, git

PRE_COMMIT = shutil.which("pre-commit")
pytestmark = pytest.mark.skipif(
    PRE_COMMIT is None, reason="pre-commit is not installed (pip install -e '.[test]')"
)
# Each hook's name as pre-commit shows it, and the start of its finding on a broken file.
HOOKS = {"ovk validate": "yaml-syntax", "ovk fmt --check": "cannot format"}


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this checkout with the working tree's hooks and package committed (what a
    tag of ovk holds), so try-repo installs the code under test."""
    clone = tmp_path_factory.mktemp("hooks") / "ovk"
    git(REPO.parent, "clone", "-q", "--depth", "1", REPO.as_uri(), str(clone))
    for name in ("ovk", ".pre-commit-hooks.yaml", "pyproject.toml", "README.md"):
        source, target = REPO / name, clone / name
        if source.is_dir():
            shutil.rmtree(target)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, target)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "--allow-empty", "-m", "the working tree")
    return clone


def with_hooks(root: Path, home: Path, *argv: str) -> tuple[int, str]:
    """`argv` in `root` with pre-commit's environments in `home`; its exit code and output."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("PYTHONPATH", None)  # the hooks' ovk is the one pre-commit installed
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def try_repo(root: Path, hooks: Path, *args: str) -> tuple[int, str]:
    """`pre-commit try-repo HOOKS` in `root`: every hook of ovk's (try-repo installs them
    into a store of its own each time: about 15 s)."""
    assert PRE_COMMIT is not None
    home = root.parent / "pre-commit-home"
    return with_hooks(root, home, PRE_COMMIT, "try-repo", str(hooks), *args)


def test_hooks_from_another_repository_pass_good_files_and_block_a_broken_one(
    repo: Path, hook_repository: Path
) -> None:
    agreements = repo  # the example tree as a repository of its own, one commit on main
    code, output = try_repo(agreements, hook_repository, "--all-files")
    assert code == 0, output
    for name in HOOKS:
        assert re.search(rf"^{re.escape(name)}\.+Passed$", output, re.M), output

    broken = "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    path = agreements / broken
    path.write_text(path.read_text(encoding="utf-8").replace("owners: [KLK]", "owners: [KLK"))
    git(agreements, "add", broken)  # staged, as for a commit
    code, output = try_repo(agreements, hook_repository)
    assert code == 1, output
    for name, finding in HOOKS.items():
        assert re.search(rf"^{re.escape(name)}\.+Failed$", output, re.M), output
        assert re.search(rf"^{re.escape(broken)}:\d+:\d+: {finding}", output, re.M), output


def commit(root: Path, home: Path, message: str) -> tuple[int, str]:
    """`git commit` in `root`, whose hooks pre-commit installed (their environments in
    `home`)."""
    identity = ["-c", "user.name=ovk tests", "-c", "user.email=tests@ovk.invalid"]
    return with_hooks(root, home, "git", *identity, "commit", "-q", "-m", message)


def test_installed_hooks_block_a_commit_of_a_broken_file_and_let_the_fixed_one_through(
    repo: Path, hook_repository: Path, tmp_path: Path
) -> None:
    # As README, "pre-commit" says: the hooks by repo and rev, then `pre-commit install`.
    assert PRE_COMMIT is not None
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repository, capture_output=True, text=True
    ).stdout.strip()
    config = (
        f"repos:\n  - repo: {hook_repository}\n    rev: {rev}\n"
        "    hooks:\n      - id: ovk-validate\n      - id: ovk-fmt\n"
    )
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml")
    home = tmp_path / "pre-commit-home"
    subprocess.run(
        [PRE_COMMIT, "install"],
        cwd=repo,
        env={**os.environ, "PRE_COMMIT_HOME": str(home)},
        check=True,
        capture_output=True,
    )
    broken = "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    path = repo / broken
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("owners: [KLK]", "owners: [KLK"), encoding="utf-8")
    git(repo, "add", broken)
    code, output = commit(repo, home, "a broken uppdrag")
    assert code == 1, output
    assert re.search(rf"^{re.escape(broken)}:\d+:\d+: yaml-syntax", output, re.M), output

    path.write_text(good.replace("owners: [KLK]", "owners: [KLK, TEK]"), encoding="utf-8")
    git(repo, "add", broken)
    code, output = commit(repo, home, "a second owner")
    assert code == 0, output
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert log == ["a second owner", "base"]  # the broken one never was committed
