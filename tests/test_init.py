"""`ovk init`: a municipality's own repository, started in a temporary folder, valid and
formatted as written, its hooks working under pre-commit; never an overwritten file."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ovk import __version__
from ovk.model.entities import Agreement, Malomraden
from ovk.model.schema import all_schema_files
from ovk.model.spec import properties
from ovk.tools.ci import WORKFLOW_PATHS, workflow
from ovk.tools.init import HOOKS
from ovk.yamlio.loader import load_round_trip
from tests.conftest import REPO, run_ovk

YEAR = "2027"
AGREEMENT = f"agreements/{YEAR}/overenskommelse.yaml"
MALOMRADEN = f"agreements/{YEAR}/malomraden.yaml"


def init(target: Path, *more: str) -> tuple[int, str, str]:
    result = run_ovk("init", str(target), "--municipality", "Nyköping", "--year", YEAR, *more)
    return result.exit_code, result.stdout, result.stderr


def contents(root: Path) -> dict[str, bytes]:
    """Every file below `root` (links as their target's name), by relative path."""
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        shown = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[shown] = os.readlink(path).encode()
        elif path.is_file():
            found[shown] = path.read_bytes()
    return found


def data(path: Path) -> dict[str, Any]:
    return dict(load_round_trip(path.read_text(encoding="utf-8")))


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    root = tmp_path / "kommun"
    code, _, stderr = init(root, "--kolada-id", "0480")
    assert (code, stderr) == (0, "")
    return root


def test_a_fresh_repository_validates_strictly_and_is_formatted(fresh: Path) -> None:
    for command in (["validate"], ["validate", "--strict"], ["fmt", "--check"]):
        result = run_ovk("--root", str(fresh), *command)
        assert result.exit_code == 0, (command, result.stdout, result.stderr)
    assert "2 file(s) valid" in run_ovk("--root", str(fresh), "validate").stdout


def test_init_reports_every_file_it_wrote(tmp_path: Path) -> None:
    code, stdout, _ = init(tmp_path / "kommun")
    assert code == 0
    written = [line.removeprefix("wrote ") for line in stdout.splitlines()]
    assert written == [
        *(f"schema/{name}" for name in all_schema_files()),
        AGREEMENT,
        MALOMRADEN,
        ".pre-commit-config.yaml",
        ".gitignore",
        "README.md",
    ]
    assert sorted(contents(tmp_path / "kommun")) == sorted(written)


def test_the_year_files_hold_every_key_of_the_model_in_its_order(fresh: Path) -> None:
    agreement = data(fresh / AGREEMENT)
    assert list(agreement) == [p.key for p in properties(Agreement)]
    assert list(data(fresh / MALOMRADEN)) == [p.key for p in properties(Malomraden)]
    assert agreement["year"] == int(YEAR)
    assert agreement["municipality"] == {"name": "Nyköping", "kolada_id": "0480"}
    assert agreement["title"] == f"Kommunstyrelsens överenskommelse om verksamhet {YEAR}"
    assert agreement["divisions"] == []


def test_the_year_files_name_the_schemas_init_wrote(fresh: Path) -> None:
    for path, kind in ((AGREEMENT, "overenskommelse"), (MALOMRADEN, "malomraden")):
        first = (fresh / path).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../../schema/{kind}.schema.json"
        assert (fresh / "schema" / f"{kind}.schema.json").is_file()
    shipped = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "schema").glob("*.json")}
    written = {p.name: p.read_text(encoding="utf-8") for p in (fresh / "schema").glob("*.json")}
    assert written == shipped


def test_a_kolada_id_left_out_is_null(tmp_path: Path) -> None:
    assert init(tmp_path / "kommun")[0] == 0
    assert data(tmp_path / "kommun" / AGREEMENT)["municipality"] == {
        "name": "Nyköping",
        "kolada_id": None,
    }


def test_every_command_works_on_a_year_without_divisions(fresh: Path) -> None:
    root = ["--root", str(fresh)]
    for command in (
        ["list"],
        ["list", "--format", "json"],
        ["export", "--format", "json"],
        ["export", "--format", "csv"],
        ["export", "--format", "ics"],
        ["followup", "status"],
        ["diff", YEAR, YEAR],
        ["render", "--main"],
    ):
        result = run_ovk(*root, *command)
        assert result.exit_code == 0, (command, result.stderr)
    assert json.loads(run_ovk(*root, "list", "--format", "json").stdout) == []


def test_render_all_on_a_fresh_repository_names_the_municipality(fresh: Path) -> None:
    out = fresh / "site"
    result = run_ovk("--root", str(fresh), "render", "--all", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    for page in ("index.html", "overenskommelse.html"):
        assert '<p class="municipality">Nyköpings kommun</p>' in (out / page).read_text()


def test_init_again_changes_nothing_and_says_so(fresh: Path) -> None:
    before = contents(fresh)
    code, stdout, stderr = init(fresh, "--kolada-id", "0480")
    assert (code, stderr) == (0, "")
    assert contents(fresh) == before
    lines = stdout.splitlines()
    assert lines[-1] == "nothing to write: the repository has every file ovk init makes"
    kept = sorted(line.split()[1] for line in lines[:-1])
    assert all(line.startswith("kept ") for line in lines[:-1])
    year = f"agreements/{YEAR}/"
    assert kept == sorted([year, *(p for p in before if not p.startswith(year))])


def test_a_file_the_user_has_is_kept_and_the_rest_is_written(tmp_path: Path) -> None:
    root = tmp_path / "kommun"
    root.mkdir()
    (root / "README.md").write_text("# Our own README\n")
    (root / ".gitignore").write_text("secrets/\n")
    code, stdout, _ = init(root)
    assert code == 0
    assert (root / "README.md").read_text() == "# Our own README\n"
    assert (root / ".gitignore").read_text() == "secrets/\n"
    assert "kept README.md (exists; init never overwrites)" in stdout.splitlines()
    assert "kept .gitignore (exists; init never overwrites)" in stdout.splitlines()
    assert f"wrote {AGREEMENT}" in stdout.splitlines()
    assert (root / ".pre-commit-config.yaml").is_file()


def test_an_existing_year_is_left_alone(base_tree: Path) -> None:
    before = contents(base_tree / "agreements")
    result = run_ovk("init", str(base_tree), "--municipality", "Nyköping", "--year", "2026")
    assert result.exit_code == 0, result.stderr
    assert contents(base_tree / "agreements") == before
    assert "kept agreements/2026/ (exists; init never overwrites)" in result.stdout.splitlines()
    assert (base_tree / "README.md").is_file()  # what the repository lacked


def test_a_year_folder_that_holds_only_some_files_is_not_added_to(tmp_path: Path) -> None:
    year = tmp_path / "kommun" / "agreements" / YEAR
    year.mkdir(parents=True)
    (year / "overenskommelse.yml").write_text("# ours\n")
    code, stdout, _ = init(tmp_path / "kommun")
    assert code == 0
    assert sorted(p.name for p in year.iterdir()) == ["overenskommelse.yml"]
    assert f"kept agreements/{YEAR}/ (exists; init never overwrites)" in stdout.splitlines()


def test_without_a_year_a_repository_that_has_years_gets_no_new_one(base_tree: Path) -> None:
    before = contents(base_tree / "agreements")
    result = run_ovk("init", str(base_tree), "--municipality", "Nyköping")
    assert result.exit_code == 0, result.stderr
    assert contents(base_tree / "agreements") == before
    assert (
        "no new year: agreements/ holds 2026; start the next one with "
        "'ovk new year 2027 --from 2026'"
    ) in result.stdout.splitlines()


def test_the_year_defaults_to_the_current_one(tmp_path: Path) -> None:
    import datetime as dt

    result = run_ovk("init", str(tmp_path / "kommun"), "--municipality", "Nyköping")
    assert result.exit_code == 0, result.stderr
    this_year = dt.date.today().year
    assert (tmp_path / "kommun" / "agreements" / str(this_year) / "overenskommelse.yaml").is_file()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--kolada-id", "480"], "--kolada-id '480' is not a municipality's Kolada id"),
        (["--kolada-id", "٠٤٨٠"], "is not a municipality's Kolada id"),  # Arabic-Indic digits
        (["--municipality", " "], "--municipality is empty"),
        (["--municipality", "Ny\x1bköping"], "--municipality holds a control character"),
        (["--municipality", "Ny\u202eköping"], "--municipality holds a control character"),
        (["--year", "1999"], "--year 1999 is not an agreement year"),
        (["--division", "KLK"], "is not CODE=Name"),
        (["--division", "klk=Kommunledningskontoret"], "'klk' is not a division code"),
        (["--division", "KLK=A", "--division", "KLK=B"], "KLK is given twice"),
    ],
)
def test_a_bad_option_is_a_usage_error_and_nothing_is_written(
    tmp_path: Path, options: list[str], message: str
) -> None:
    target = tmp_path / "kommun"
    result = run_ovk("init", str(target), "--municipality", "Nyköping", *options)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert not target.exists()


def test_a_target_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "kommun").symlink_to(tmp_path / "elsewhere")
    code, _, stderr = init(tmp_path / "kommun")
    assert code == 2 and "is a symbolic link" in stderr and len(stderr.splitlines()) == 1
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_folder_on_the_way_that_is_a_link_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    root = tmp_path / "kommun"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / "schema").symlink_to(tmp_path / "elsewhere")
    code, _, stderr = init(root)
    assert code == 2 and "schema is a symbolic link" in stderr, stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert sorted(p.name for p in root.iterdir()) == ["schema"]


def test_a_file_that_is_a_link_is_kept_never_followed(tmp_path: Path) -> None:
    root = tmp_path / "kommun"
    root.mkdir()
    (root / "README.md").symlink_to(tmp_path / "missing.md")
    code, stdout, _ = init(root)
    assert code == 0
    assert "kept README.md (exists; init never overwrites)" in stdout.splitlines()
    assert not (tmp_path / "missing.md").exists()


def test_a_target_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "kommun").write_text("")
    code, _, stderr = init(tmp_path / "kommun")
    assert code == 2 and stderr.strip().endswith("is not a folder")


@pytest.mark.parametrize("kind", sorted(WORKFLOW_PATHS))
def test_ci_writes_the_packaged_workflow_where_the_ci_reads_it(tmp_path: Path, kind: str) -> None:
    code, stdout, _ = init(tmp_path / "kommun", "--ci", kind)
    assert code == 0
    assert f"wrote {WORKFLOW_PATHS[kind]}" in stdout.splitlines()
    text = (tmp_path / "kommun" / WORKFLOW_PATHS[kind]).read_text(encoding="utf-8")
    assert text == workflow(kind)
    assert __version__ in text  # ovk installed pinned to the version that wrote it


def test_divisions_given_get_their_files_and_the_year_stays_valid(tmp_path: Path) -> None:
    root = tmp_path / "kommun"
    code, stdout, _ = init(
        root, "--division", "KLK=Kommunledningskontoret", "--division", "TEK=Tekniska divisionen"
    )
    assert code == 0
    assert f"wrote agreements/{YEAR}/divisions/KLK.yaml" in stdout.splitlines()
    agreement = data(root / AGREEMENT)
    assert agreement["divisions"] == [
        {"code": "KLK", "name": "Kommunledningskontoret"},
        {"code": "TEK", "name": "Tekniska divisionen"},
    ]
    assert [p["code"] for p in agreement["parties"]] == [None, "KLK", "TEK"]
    for command in (["validate", "--strict"], ["fmt", "--check"]):
        assert run_ovk("--root", str(root), *command).exit_code == 0, command


def test_the_readme_says_what_to_do_next(fresh: Path) -> None:
    text = (fresh / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# Nyköpings kommun: överenskommelse om verksamhet\n")
    for step in ("ovk new division", "ovk new uppdrag", "pre-commit install", "ovk init --ci"):
        assert step in text


def test_the_gitignore_keeps_rendered_output_out(fresh: Path) -> None:
    ignored = (fresh / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/site/" in ignored and ".venv/" in ignored


# --- the hooks -------------------------------------------------------------------------------


def test_the_hook_definitions_are_one_file_shipped_in_the_package() -> None:
    assert (REPO / ".pre-commit-hooks.yaml").read_bytes() == HOOKS.read_bytes()


def test_the_pre_commit_config_runs_ovks_hooks_with_the_installed_ovk(fresh: Path) -> None:
    config = load_round_trip((fresh / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    hooks = load_round_trip(HOOKS.read_text(encoding="utf-8"))
    assert [dict(h) for h in repo["hooks"]] == [{**h, "language": "system"} for h in hooks]


PRE_COMMIT = importlib.util.find_spec("pre_commit") is not None


def _run(root: Path, *command: str) -> subprocess.CompletedProcess[str]:
    # The ovk and pre-commit of the environment running the tests, first on the PATH; the
    # hooks' cache in the test's folder, never the user's.
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(root.parent / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "ovk tests",
        "GIT_AUTHOR_EMAIL": "tests@ovk.invalid",
        "GIT_COMMITTER_NAME": "ovk tests",
        "GIT_COMMITTER_EMAIL": "tests@ovk.invalid",
        "NO_COLOR": "1",
    }
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not PRE_COMMIT, reason="pre-commit is not installed (the test extra has it)")
@pytest.mark.skipif(shutil.which("git") is None, reason="no git")
def test_pre_commit_passes_a_fresh_repository_and_blocks_a_broken_file(fresh: Path) -> None:
    pre_commit = [sys.executable, "-m", "pre_commit"]
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"]):
        assert _run(fresh, *command).returncode == 0
    passed = _run(fresh, *pre_commit, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "ovk validate" in passed.stdout and "Passed" in passed.stdout
    assert _run(fresh, *pre_commit, "install").returncode == 0
    assert _run(fresh, "git", "commit", "-q", "-m", "start").returncode == 0

    path = fresh / AGREEMENT
    path.write_text(path.read_text().replace('kolada_id: "0480"', 'kolada_id: "480"'))
    assert _run(fresh, "git", "add", AGREEMENT).returncode == 0
    blocked = _run(fresh, "git", "commit", "-m", "a broken Kolada id")
    assert blocked.returncode != 0
    shown = blocked.stdout + blocked.stderr
    assert f"{AGREEMENT}:3:" in shown and "schema" in shown, shown
    assert _run(fresh, "git", "log", "--format=%s").stdout.split() == ["start"]


def _documented_examples() -> list[str]:
    """The `ovk init` lines of the README and of the command's help."""
    from ovk.cli.app import app

    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    (command,) = [c for c in app.registered_commands if c.name == "init"]
    assert command.callback is not None
    helps = (command.callback.__doc__ or "").splitlines()
    return sorted(
        {line.strip() for line in [*readme, *helps] if line.strip().startswith("ovk init ")}
    )


def test_the_documented_examples_are_found() -> None:
    assert len(_documented_examples()) >= 3


@pytest.mark.parametrize("line", _documented_examples())
def test_a_documented_example_runs_as_written_in_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    import shlex

    monkeypatch.chdir(tmp_path)
    result = run_ovk(*shlex.split(line)[1:])
    assert result.exit_code == 0, result.stderr
    (agreement,) = tmp_path.rglob("overenskommelse.yaml")
    root = agreement.parents[2]
    for command in (["validate", "--strict"], ["fmt", "--check"]):
        assert run_ovk("--root", str(root), *command).exit_code == 0, command


def test_the_next_steps_of_the_generated_readme_run_as_written(fresh: Path) -> None:
    import shlex

    text = (fresh / "README.md").read_text(encoding="utf-8")
    steps = [line.strip() for line in text.splitlines() if line.strip().startswith("ovk new ")]
    assert [shlex.split(s)[2] for s in steps] == ["division", "uppdrag"]
    for step in steps:
        result = run_ovk("--root", str(fresh), *shlex.split(step)[1:])
        assert result.exit_code == 0, (step, result.stdout, result.stderr)
    for command in (["validate", "--strict"], ["fmt", "--check"]):
        assert run_ovk("--root", str(fresh), *command).exit_code == 0, command
