"""Reading git revisions: a revision is data from whoever pushed it.

The threat: a reviewer runs `ovk diff main feature` (or CI runs `ovk diff <base>:<year>
<year>`) on a pull request whose author controls every byte of its tree — `.gitattributes`,
symlinks, submodules, blob sizes, even tree entries git itself would not check out — and
whose names the reviewer types. Nothing in the revision may hide or alter what is compared
(`export-ignore`, `export-subst`), make ovk hold a huge blob in memory, read or write through
a link the layout does not judge, or turn a revision's name into an option of git; and when
git itself fails, its own words are shown, not "no such revision". Each test failed with the
`git archive` reader this replaced, except those marked as guards: they passed there too (it
archived a tree, which git does not substitute into; its tar filter kept links as links) and
keep the new reader from losing what the old one did right.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ovk.diff import revisions
from ovk.yamlio.loader import DEFAULT_MAX_BYTES, load_path
from tests.conftest import checkout_env, make_tree, run_ovk

UPPDRAG = "agreements/2026/uppdrag"
OKAT = f"{UPPDRAG}/okat-valdeltagande.yaml"


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    identity = ["-c", "user.name=ovk tests", "-c", "user.email=tests@ovk.invalid"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=repo, check=True, capture_output=True, env=env
    )
    return done.stdout.decode()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The base example as a git repository: main, and a branch `feature` checked out."""
    root = make_tree(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def commit_all(repo: Path, message: str = "feature") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def added_uppdrag(repo: Path, name: str = "nytt-uppdrag") -> None:
    text = (repo / OKAT).read_text(encoding="utf-8")
    text = text.replace("id: okat-valdeltagande", f"id: {name}").replace('"2.1.3"', '"2.1.9"')
    (repo / UPPDRAG / f"{name}.yaml").write_text(text, encoding="utf-8")


def one_line_error(result: Any) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("ovk: error: ") and result.stderr.count("\n") == 1
    return str(result.stderr)


# --- git attributes hide and alter nothing ----------------------------------------------------


def test_export_ignore_in_the_revision_hides_no_uppdrag(repo: Path) -> None:
    added_uppdrag(repo)
    (repo / ".gitattributes").write_text(f"{UPPDRAG}/nytt-uppdrag.yaml export-ignore\n")
    commit_all(repo)
    result = run_ovk("--root", str(repo), "diff", "main", "feature", "--exit-code")
    assert result.exit_code == 1, result.stdout
    added = result.stdout.split("    Tillagda\n", 1)[1]
    assert added.startswith("      Uppdrag 2.1.9 Ökat valdeltagande ("), result.stdout
    at_year = run_ovk("--root", str(repo), "diff", "main:2026", "feature:2026", "--exit-code")
    assert at_year.exit_code == 1 and "Uppdrag 2.1.9" in at_year.stdout


def test_a_root_below_the_top_of_the_repository_is_read_whole_at_a_revision(
    tmp_path: Path,
) -> None:
    top = tmp_path / "top"
    root = make_tree(top / "kommun")
    git(top, "init", "-q", "-b", "main")
    commit_all(top, "base")
    git(top, "checkout", "-q", "-b", "feature")
    added_uppdrag(root)
    (root / ".gitattributes").write_text("agreements/** export-ignore\n")
    commit_all(top)
    result = run_ovk("--root", str(root), "diff", "main:2026", "feature:2026", "--exit-code")
    assert result.exit_code == 1 and "Uppdrag 2.1.9" in result.stdout, result.stdout


def test_export_subst_in_the_revision_alters_no_text(repo: Path) -> None:
    """A guard: `git archive` of a commit (not of a tree) would substitute."""
    path = repo / OKAT
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Ökat valdeltagande", "title: $Format:Ökat valdeltagande$"))
    (repo / ".gitattributes").write_text("*.yaml export-subst\n")
    commit_all(repo)
    result = run_ovk("--root", str(repo), "diff", "main", "feature", "--exit-code")
    assert result.exit_code == 1, result.stdout  # the committed title changed
    assert "$Format:Ökat valdeltagande$" in result.stdout


# --- a huge blob is never read ---------------------------------------------------------------


def loose_blob(repo: Path, size: int) -> str:
    """A blob of `size` zero bytes written straight into the object store (quicker than
    `git hash-object` of a sparse file, and never a file of that size on disk)."""
    header = b"blob %d\0" % size
    digest, packer = hashlib.sha1(header), zlib.compressobj(1)
    parts, zeros = [packer.compress(header)], bytes(1 << 20)
    for _ in range(size >> 20):
        digest.update(zeros)
        parts.append(packer.compress(zeros))
    parts.append(packer.flush())
    oid = digest.hexdigest()
    folder = repo / ".git" / "objects" / oid[:2]
    folder.mkdir(exist_ok=True)
    (folder / oid[2:]).write_bytes(b"".join(parts))
    return oid


def test_a_blob_over_the_cap_is_a_file_size_finding_never_held_in_memory(repo: Path) -> None:
    size = 128 << 20
    oid = loose_blob(repo, size)
    git(repo, "update-index", "--add", "--cacheinfo", f"100644,{oid},{UPPDRAG}/stor.yaml")
    git(repo, "commit", "-q", "-m", "a huge uppdrag")
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(done.returncode, peak, repr(done.stderr))\n"
    )
    command = [sys.executable, "-m", "ovk", "--root", str(repo), "diff", "main", "feature"]
    done = subprocess.run(
        [sys.executable, "-c", measure, *command],
        capture_output=True,
        text=True,
        env=checkout_env(),
        check=True,
    )
    code, peak, stderr = done.stdout.split(" ", 2)
    peak_bytes = int(peak) * (1 if sys.platform == "darwin" else 1024)
    assert code == "2", stderr  # an error of diff, not "differences"
    assert f"{UPPDRAG}/stor.yaml:1:1 is not valid" in stderr
    assert peak_bytes < size * 3 // 4, f"ovk diff and its git held {peak_bytes:,} bytes"


def test_a_file_over_the_cap_is_written_sparse_and_read_as_the_file_size_finding(
    repo: Path, tmp_path: Path
) -> None:
    into = tmp_path / "revision"
    into.mkdir()
    revisions.export(repo, "main", into, max_bytes=100)
    placed = into / OKAT
    size = (repo / OKAT).stat().st_size
    assert placed.stat().st_size == size and placed.stat().st_blocks * 512 < size
    [found] = load_path(placed, OKAT, max_bytes=100).findings
    assert (found.rule, found.file) == ("file-size", OKAT)
    assert f"{size:,} bytes" in found.message
    assert (into / "schema").is_dir() and not any((into / "schema").iterdir())
    (tmp_path / "again").mkdir()
    assert revisions.export(repo, "main", tmp_path / "again") == tmp_path / "again"
    again = tmp_path / "again" / OKAT
    assert again.read_bytes() == (repo / OKAT).read_bytes() and size < DEFAULT_MAX_BYTES


# --- a revision's name is never an option ----------------------------------------------------


def test_every_git_call_that_takes_a_revision_ends_its_options_first(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    added_uppdrag(repo)
    commit_all(repo)
    calls: list[list[str]] = []
    real_run, real_popen = subprocess.run, subprocess.Popen

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def called(argv: list[str], *args: Any, **kwargs: Any) -> Any:
            calls.append(list(argv))
            return real(argv, *args, **kwargs)

        return called

    monkeypatch.setattr(subprocess, "run", spy(real_run))
    monkeypatch.setattr(subprocess, "Popen", spy(real_popen))
    for specs in (["main", "feature"], ["main:2026", "2026"]):
        assert run_ovk("--root", str(repo), "diff", *specs).exit_code == 0
    with_revisions = 0
    for argv in calls:
        named = [i for i, arg in enumerate(argv) if arg.startswith(("main", "feature"))]
        oids = [i for i, arg in enumerate(argv) if len(arg.split(":")[0]) == 40]
        if named or oids:
            with_revisions += 1
            assert "--end-of-options" in argv, argv
            assert argv.index("--end-of-options") < min(named + oids), argv
    assert with_revisions >= 4


@pytest.mark.parametrize("spec", ["--output=x", "--output=x:2026", "-o", "--help"])
def test_a_revision_named_like_an_option_is_not_one(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str
) -> None:
    """A guard, end to end (the test above is the one that failed)."""
    monkeypatch.chdir(tmp_path)
    result = run_ovk("--root", str(repo), "diff", "--", spec, "main")
    assert "nor a git revision" in one_line_error(result)
    assert not (tmp_path / "x").exists() and not (repo / "x").exists()


# --- git's own errors are shown ---------------------------------------------------------------


def test_outside_a_repository_git_says_so(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "plain")
    message = one_line_error(run_ovk("--root", str(root), "diff", "main", "2026"))
    assert "not a year (years: 2026), and git cannot read revisions: fatal: not a git" in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_dubious_ownership_is_shown_in_gits_words(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for path in (repo, repo / ".git"):
        os.chown(path, 65534, 65534)
    message = one_line_error(run_ovk("--root", str(repo), "diff", "main", "feature"))
    assert "fatal: detected dubious ownership in repository" in message
    assert "safe.directory" in message


def test_a_revision_missing_from_a_shallow_clone_says_the_clone_is_shallow(
    repo: Path, tmp_path: Path
) -> None:
    added_uppdrag(repo)
    commit_all(repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "-b", "feature", repo.as_uri(), str(clone))
    message = one_line_error(run_ovk("--root", str(clone), "diff", "HEAD~1", "HEAD"))
    assert "'HEAD~1' is neither a year" in message and "this clone is shallow" in message


# --- links, submodules and crafted trees in a revision ---------------------------------------


def link_out(repo: Path, tmp_path: Path) -> tuple[str, str]:
    (repo / UPPDRAG / "hemlig.yaml").symlink_to(tmp_path / "secret.yaml")
    return f"{UPPDRAG}/hemlig.yaml", "link-outside"


def link_up(repo: Path, tmp_path: Path) -> tuple[str, str]:
    (repo / UPPDRAG / "upp.yaml").symlink_to("../../../../../../../../secret.yaml")
    return f"{UPPDRAG}/upp.yaml", "link-outside"


def link_loop(repo: Path, tmp_path: Path) -> tuple[str, str]:
    (repo / UPPDRAG / "a.yaml").symlink_to("b.yaml")
    (repo / UPPDRAG / "b.yaml").symlink_to("a.yaml")
    return f"{UPPDRAG}/a.yaml", "broken-link"


def link_to_folder(repo: Path, tmp_path: Path) -> tuple[str, str]:
    (repo / "agreements/2026/divisions/KLK2.yaml").symlink_to("../uppdrag")
    return "agreements/2026/divisions/KLK2.yaml", "not-a-file"


@pytest.mark.parametrize("make", [link_out, link_up, link_loop, link_to_folder])
def test_a_link_in_a_revision_is_the_layouts_finding(
    repo: Path, tmp_path: Path, make: Callable[[Path, Path], tuple[str, str]]
) -> None:
    """A guard: the layout's findings, as in the working tree."""
    (tmp_path / "secret.yaml").write_text("hunter2: true\n")
    where, rule = make(repo, tmp_path)
    commit_all(repo)
    result = run_ovk("--root", str(repo), "diff", "main", "feature")
    assert result.stderr.startswith(f"ovk: error: {where}:1:1: {rule} "), result.stderr
    assert result.exit_code == 2 and "hunter2" not in result.stderr + result.stdout


def test_agreements_as_a_link_in_a_revision_reads_nothing_through_it(
    repo: Path, tmp_path: Path
) -> None:
    elsewhere = make_tree(tmp_path / "elsewhere")
    added_uppdrag(elsewhere, "hemligt-uppdrag")
    git(repo, "rm", "-rq", "agreements")
    (repo / "agreements").symlink_to(elsewhere / "agreements")
    commit_all(repo)
    result = run_ovk("--root", str(repo), "diff", "main", "feature")
    assert "has agreements as a link or a file, not a folder" in one_line_error(result)
    assert "hemligt" not in result.stdout


def test_a_link_in_a_revisions_schema_folder_is_not_followed(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "not-json").write_text("hunter2\n")
    schema = repo / "schema" / "uppdrag.schema.json"
    schema.unlink()
    schema.symlink_to(tmp_path / "not-json")
    commit_all(repo)
    result = run_ovk("--root", str(repo), "diff", "main", "feature", "--exit-code")
    assert (result.exit_code, result.stderr) == (0, "")  # the shipped schemas serve


def test_a_submodule_in_a_revision_is_an_empty_folder(repo: Path) -> None:
    """A guard: as in a checkout that has not fetched the submodule."""
    head = git(repo, "rev-parse", "HEAD").strip()
    for name in ("extern", "modul.yaml"):
        git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},{UPPDRAG}/{name}")
    git(repo, "commit", "-q", "-m", "submodules")
    result = run_ovk("--root", str(repo), "diff", "main", "feature")
    assert result.stderr == (
        f"ovk: error: {UPPDRAG}/modul.yaml:1:1: not-a-file is a folder, "
        "though named like an agreement file\n"
    )


def crafted(repo: Path, folder: str, lines: list[str]) -> None:
    """Commit on `feature` a tree whose `folder` also holds `lines` (mktree input), entries
    git itself would refuse to check out."""
    tree = mktree(repo, [*git(repo, "ls-tree", f"HEAD:{folder}").splitlines(), *lines])
    parts = folder.split("/")
    for depth in range(len(parts) - 1, -1, -1):
        parent = "/".join(parts[:depth])
        listing = git(repo, "ls-tree", f"HEAD:{parent}").splitlines()
        kept = [e for e in listing if e.split("\t")[1] != parts[depth]]
        tree = mktree(repo, [*kept, f"040000 tree {tree}\t{parts[depth]}"])
    head = git(repo, "rev-parse", "HEAD").strip()
    made = git(repo, "commit-tree", tree, "-p", head, "-m", "crafted").strip()
    git(repo, "update-ref", "refs/heads/feature", made)


def mktree(repo: Path, lines: list[str]) -> str:
    done = subprocess.run(
        ["git", "mktree", "--missing"],
        cwd=repo,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def blob(repo: Path, data: str) -> str:
    done = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=repo,
        input=data,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_tree_entry_git_would_not_check_out_refuses_the_revision(repo: Path) -> None:
    """`git archive` refused it too, in its own words; ls-tree lists it, so ovk must."""
    text = blob(repo, "x: 1\n")
    tree = mktree(repo, [f"100644 blob {text}\tx.yaml"])
    crafted(repo, UPPDRAG, [f"040000 tree {tree}\t.."])
    result = run_ovk("--root", str(repo), "diff", "main", "feature")
    assert "holds a path git would not check out" in one_line_error(result)


def test_a_name_held_twice_by_a_crafted_tree_writes_nothing_through_a_link(
    repo: Path, tmp_path: Path
) -> None:
    """A guard: the first entry under a name wins, and no file is made through a link."""
    victim = tmp_path / "victim"
    victim.mkdir()
    target = blob(repo, str(victim))
    planted = blob(repo, "x: 1\n")
    inner = mktree(repo, [f"100644 blob {planted}\tplanted.yaml"])
    crafted(repo, UPPDRAG, [f"120000 blob {target}\tut", f"040000 tree {inner}\tut"])
    result = run_ovk("--root", str(repo), "diff", "main", "feature")
    assert "Traceback" not in result.stderr and result.exit_code in (0, 1)
    assert not any(victim.iterdir())
