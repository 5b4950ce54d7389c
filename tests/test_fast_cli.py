"""`ovk validate …` answered without typer (ovk.cli.fast) answers as the typer command does.

Each command line runs both ways in this process: through the typer app, and through the
console script's entry (ovk.entry.main), which the fast parser answers; stdout, stderr and
the exit code must be the same. A line the fast parser does not fully understand goes the
typer way, which these tests also show.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ovk.cli.app import app
from ovk.cli.fast import option, plain_validate
from ovk.entry import main as entry_main
from ovk.errors import Terminated
from tests.conftest import EXAMPLES, checkout_env, make_tree

Outcome = tuple[int, str, str]

WARNED = "agreements/2026/uppdrag/okat-valdeltagande.yaml"  # a warning (due-outside-year)
BROKEN = "agreements/2026/divisions/KLK.yaml"  # an error (duplicate-id)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example tree with an error and a warning; the working folder is its root."""
    root = make_tree(tmp_path / "repo", EXAMPLES / "due-outside-year")
    shutil.copyfile(EXAMPLES / "duplicate-id" / BROKEN, root / BROKEN)
    monkeypatch.chdir(root)
    return root


def _code(ended: pytest.ExceptionInfo[SystemExit]) -> int:
    code = ended.value.code
    return 0 if code is None else int(code)


def typer_way(args: list[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    with pytest.raises(SystemExit) as ended:
        app(args, prog_name="ovk")
    out, err = capsys.readouterr()
    return _code(ended), out, err


def entry_way(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Outcome:
    monkeypatch.setattr(sys, "argv", ["ovk", *args])
    monkeypatch.setattr(sys, "stdout", sys.stdout)  # restored if a broken pipe replaces it
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    with pytest.raises(SystemExit) as ended:
        entry_main()
    out, err = capsys.readouterr()
    return _code(ended), out, err


def both_ways(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Outcome:
    """What the typer command answers to `args`, after proving the entry answers the same."""
    expected = typer_way(args, capsys)
    assert entry_way(args, capsys, monkeypatch) == expected
    return expected


PLAIN = [
    ["validate"],
    ["validate", WARNED],
    ["validate", BROKEN, WARNED],
    ["validate", "--strict", WARNED],
    ["validate", WARNED, "--strict"],
    ["validate", "agreements/2026/divisions", "--strict", "agreements/2026/uppdrag"],
    ["validate", "--format", "json"],
    ["validate", "--format=json", "--strict"],
    ["validate", "--format", "github", WARNED],
    ["validate", "--format", "gitlab"],
    ["validate", "--format", "text"],
    ["validate", "--format", "json", "--format", "github"],
    ["validate", "--max-bytes", "100"],
    ["validate", "--max-bytes=5000000", WARNED],
    ["validate", "--no-cache"],
    ["validate", "--no-cache", "--strict", "--format", "gitlab"],
    ["validate", "-j", "1"],
    ["validate", "-j2", "--no-cache"],
    ["validate", "--jobs", "2", "--format", "json"],
    ["validate", "--jobs=3"],
    ["validate", "--", WARNED],
    ["validate", "agreements"],
    ["validate", "agreements/2031"],
    ["validate", "no-such-file.yaml"],
    ["validate", "agreements/2026/uppdrag/missing.yaml", "--format", "json"],
]


def test_the_root_option_before_validate_answers_as_the_typer_command(
    tree: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    lines = [
        ["--root", str(tree), "validate"],
        [f"--root={tree}", "validate", "--strict", str(tree / WARNED)],
        ["--root", str(elsewhere), "--root", str(tree), "validate", "--format", "json"],
        ["--root", str(elsewhere), "validate"],  # no agreements/ there
        ["--root", str(tmp_path / "missing"), "validate"],
        ["validate"],  # none in the working folder's ancestors: "pass --root DIR"
    ]
    seen = set()
    for args in lines:
        assert plain_validate(args, os.environ) is not None
        expected = both_ways(args, capsys, monkeypatch)
        seen.add(expected[0])
    assert seen == {1, 2}  # the tree holds an error
    assert "pass --root DIR" in expected[2]


UNUSUAL = [
    ["validate", "--help"],
    ["validate", "-h"],
    ["--help", "validate"],
    ["--version", "validate"],
    ["validate", "--bogus"],
    ["validate", "--format", "xml"],
    ["validate", "--format"],
    ["validate", "--format", "--strict"],
    ["validate", "--jobs", "0"],
    ["validate", "-j", "x"],
    ["validate", "-j=2"],
    ["validate", "--max-bytes", "-5"],
    ["validate", "--max-bytes", "012"],
    ["validate", "--strict=yes"],
    ["validate", "-"],
    ["validate", ""],
    ["--root", WARNED, "validate"],  # a file: typer's own message
    ["--root=", "validate"],
    ["--root"],
    ["list", "validate"],
]


@pytest.mark.parametrize(
    ("args", "plain"),
    [(args, True) for args in PLAIN] + [(args, False) for args in UNUSUAL],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "fast" if value else "typer",
)
def test_a_validate_call_answers_as_the_typer_command_the_plain_ones_without_typer(
    tree: Path,
    args: list[str],
    plain: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A plain call is the fast parser's; any other goes the typer way, which prints typer's
    # own help and errors. Either way stdout, stderr and the exit code are typer's.
    assert (plain_validate(args, os.environ) is not None) == plain
    _, out, err = both_ways(args, capsys, monkeypatch)
    assert out or err


def test_shell_completion_goes_the_typer_way(tree: Path) -> None:
    assert plain_validate(["validate"], {"_OVK_COMPLETE": "complete_bash"}) is None
    assert plain_validate(["validate"], {"OVK_COMPLETE": "x"}) is not None


def test_an_unreadable_path_goes_the_typer_way(tree: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    (tree / WARNED).chmod(0)
    assert plain_validate(["validate", WARNED], os.environ) is None


@pytest.mark.parametrize(
    ("raised", "said", "exit_code"),
    [
        (KeyboardInterrupt(), "ovk: interrupted\n", 130),
        (Terminated(), "ovk: terminated\n", 143),
        (
            PermissionError(13, "Permission denied", "agreements/2026"),
            "ovk: error: Permission denied: agreements/2026\n",
            2,
        ),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), "", 1),  # quietly, as click
    ],
    ids=["ctrl-c", "sigterm", "os-error", "broken-pipe"],
)
def test_an_interrupted_or_failing_run_ends_as_the_typer_command(
    tree: Path,
    raised: BaseException,
    said: str,
    exit_code: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ovk.validate.engine

    def fails(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(ovk.validate.engine, "validate", fails)
    monkeypatch.setattr(sys, "stdout", sys.stdout)  # a broken pipe replaces them
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    assert both_ways(["validate"], capsys, monkeypatch) == (exit_code, "", said)


def test_the_fast_path_words_errors_with_the_options_of_the_typer_command() -> None:
    from typer.main import get_command

    from ovk.cli.app import OvkCommand

    group = get_command(app)
    command = group.commands["validate"]  # type: ignore[attr-defined]
    assert isinstance(command, OvkCommand)
    names = [param.name for param in command.params if param.name] + ["root"]
    assert len(names) > 5
    for name in names:
        assert option(name) == command.option(name.replace("_", "-"))


@pytest.mark.parametrize("cache", ["on", "off"])
def test_a_plain_validate_call_imports_neither_typer_nor_click_nor_rich(
    tree: Path, cache: str
) -> None:
    probe = (
        "import sys\n"
        f"sys.argv = ['ovk', 'validate', {str(tree / 'agreements/2026/malomraden.yaml')!r}]\n"
        "from ovk.entry import main\n"
        "try:\n    main()\nexcept SystemExit as ended:\n    code = ended.code\n"
        "print(code, *sorted(sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
        env={**checkout_env(), **({"CI": "1"} if cache == "off" else {})},
    )
    *report, loaded = result.stdout.splitlines()
    assert report == ["1 file(s) valid"]
    code, *modules = loaded.split()
    assert code == "ExitCode.OK" or code == "0"
    assert "ovk.validate.engine" in modules and "jsonschema_rs" in modules
    heavy = ("typer", "click", "rich", "pydantic", "jsonschema")
    assert [m for m in modules if m.split(".")[0] in heavy] == []
    # Not even for the cache's key: the native modules' stat stands for their versions.
    assert "importlib.metadata" not in modules


def test_a_warm_validate_call_imports_no_parser_validator_rules_or_entities(tree: Path) -> None:
    """With the year folder's index warm, nothing is parsed, validated or typed: the call pays
    for neither ruamel.yaml, yaml-rs, jsonschema-rs, the cross-file rules nor the model's
    classes."""
    probe = (
        "import sys\n"
        f"sys.argv = ['ovk', 'validate', {str(tree / 'agreements/2026/malomraden.yaml')!r}]\n"
        "from ovk.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(*sorted(sys.modules))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe],
            cwd=tree,
            capture_output=True,
            text=True,
            check=True,
            env=checkout_env(),
        ).stdout.splitlines()
        for _ in range(2)
    ]
    (cold_report, cold), (warm_report, warm) = runs
    assert cold_report == warm_report == "1 file(s) valid"
    heavy = {"ruamel.yaml", "yaml_rs", "jsonschema_rs", "ovk.model.entities", "ovk.validate.rules"}
    assert heavy <= set(cold.split())  # the first run fills the index
    assert heavy & set(warm.split()) == set()
