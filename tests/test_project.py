"""Project-level promises: schemas in sync, rules documented, help with examples, lazy imports.

Lint and type checks (ruff, mypy --strict) are CI steps of their own in .ci/run."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ovk.cli.app import app
from ovk.findings import RULES
from ovk.model import schema as schemas
from tests.conftest import REPO, checkout_env, run_ovk


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_schema_files_match_the_generator(kind: str) -> None:
    expected = schemas.dumps(schemas.build_all()[kind])
    name = schemas.KINDS[kind]
    assert (REPO / "schema" / name).read_text(encoding="utf-8") == expected, (
        "run: python -m ovk.model.schema"
    )
    assert (REPO / "ovk" / "data" / "schema" / name).read_text(encoding="utf-8") == expected


def test_every_schema_property_has_title_and_description() -> None:
    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                assert prop.get("title") and prop.get("description"), f"{where}.{name}"
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for kind, schema in schemas.build_all().items():
        assert schema["$id"].endswith(schemas.KINDS[kind])
        walk(schema, kind)


def test_schema_ids_are_the_schema_files_of_this_versions_release_tag() -> None:
    from ovk import REPOSITORY, __version__

    assert REPOSITORY == "https://github.com/ovk-tool/ovk"
    base = f"https://raw.githubusercontent.com/ovk-tool/ovk/v{__version__}/schema/"
    for name, schema in schemas.all_schema_files().items():
        assert schema["$id"] == base + name
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"repo: {REPOSITORY} " in readme  # the pre-commit snippet names the same home


def test_rules_page_documents_every_rule() -> None:
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", page, re.MULTILINE))
    assert documented == set(RULES)


def command_names() -> list[str]:
    return [
        command.name or command.callback.__name__
        for command in app.registered_commands
        if command.callback is not None
    ]


@pytest.mark.parametrize("command", command_names())
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run_ovk(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"ovk {command}" in result.stdout


def test_version_prints_the_version() -> None:
    from ovk import __version__

    result = run_ovk("--version")
    assert (result.exit_code, result.stdout.strip()) == (0, f"ovk {__version__}")


def test_usage_error_is_one_line_and_exit_2() -> None:
    result = run_ovk("validate", "--format", "xml")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("ovk: error:")


def test_missing_path_is_a_usage_error(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "validate", "agreements/2031/nope.yaml")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        "ovk: error: no such file or folder: agreements/2031/nope.yaml",
    )


def test_python_dash_m_ovk_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ovk", "--version"],
        capture_output=True,
        text=True,
        check=False,
        env=checkout_env(),
    )
    assert result.returncode == 0 and result.stdout.startswith("ovk ")


HEAVY = ("jsonschema", "jsonschema_rs", "jinja2", "ruamel.yaml", "_ruamel_yaml", "yaml_rs", "rich")


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_the_command_line_imports_no_heavy_module() -> None:
    # `ovk --help` and every command's start-up pay only for typer; each command imports
    # what it needs itself (behaviour, not timing: timings live in benchmarks/).
    loaded = modules_after("import ovk.cli.app")
    assert "typer" in loaded
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY}


def test_version_imports_not_even_typer() -> None:
    loaded = modules_after(
        "import sys\nsys.argv = ['ovk', '--version']\nfrom ovk.entry import main\nmain()"
    )
    assert "ovk" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("typer", "click", *HEAVY)}


def _usage_error_texts(path: Path) -> list[tuple[int, str]]:
    """The literal text of every UsageError(...) message in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "UsageError"
            and node.args
        ):
            parts = [n.value for n in ast.walk(node.args[0]) if isinstance(n, ast.Constant)]
            found.append((node.lineno, "".join(str(p) for p in parts)))
    return found


def test_the_core_never_words_its_errors_with_command_line_flags() -> None:
    # The core names a request's parameters as <name>; only ovk/cli shows them as options.
    core = [p for p in (REPO / "ovk").rglob("*.py") if "cli" not in p.relative_to(REPO).parts]
    texts = [(p, line, text) for p in core for line, text in _usage_error_texts(p)]
    assert len(texts) > 20
    flagged = [
        f"{p.relative_to(REPO)}:{line}: {text}"
        for p, line, text in texts
        if re.search(r"(^|\s)(--[a-z]|-o\b)", text)
    ]
    assert flagged == []


def test_a_core_error_is_worded_with_the_options_the_user_typed(base_tree: Path) -> None:
    from ovk.errors import UsageError

    error = UsageError("<all> needs <output> DIR", "all", "output")
    assert str(error) == "all needs output DIR"
    assert error.worded(lambda name: {"all": "--all", "output": "-o"}[name]) == "--all needs -o DIR"
    result = run_ovk("--root", str(base_tree), "render", "--all")
    assert result.stderr == "ovk: error: --all needs -o DIR\n"


# What each part of the package may import (besides the standard library and its own
# modules): dependencies point one way, from the command line down to YAML reading.
ALLOWED = {
    "errors": set(),
    "findings": set(),
    "yamlio": {"errors", "findings"},
    "output": {"errors"},
    "git": set(),
    "model": {"errors", "findings", "yamlio"},
    "validate": {"errors", "findings", "yamlio", "model", "output"},
    "diff": {"errors", "findings", "yamlio", "model", "output", "git"},
    "render": {"errors", "findings", "yamlio", "model", "output", "git"},
    "tools": {"errors", "findings", "yamlio", "model", "output", "validate"},
    "kolada": {"errors", "findings", "yamlio", "model", "output"},
}
TERMINAL_AND_CLI = ("typer", "click", "rich")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_dependencies_point_one_way(part: str) -> None:
    package = REPO / "ovk"
    files = [package / f"{part}.py"] if (package / f"{part}.py").exists() else []
    files += sorted((package / part).glob("*.py"))
    assert files
    wrong = []
    for path in files:
        for name in _imports(path):
            top = name.split(".")
            if top[0] in TERMINAL_AND_CLI or (
                top[0] == "ovk" and len(top) > 1 and top[1] not in {part, *ALLOWED[part]}
            ):
                wrong.append(f"{path.relative_to(REPO)} imports {name}")
    assert wrong == []


def test_every_choice_of_an_option_is_named_in_its_help() -> None:
    # The choices come from the registries the commands dispatch on; the help says them in
    # words, and must not drift from them.
    import typing

    from ovk.cli.app import Registry, followup_app, new_app

    checked = 0
    commands = [*app.registered_commands, *new_app.registered_commands]
    for command in [*commands, *followup_app.registered_commands]:
        assert command.callback is not None
        hints = typing.get_type_hints(command.callback, include_extras=True)
        for name, hint in hints.items():
            for info in getattr(hint, "__metadata__", ()):
                registry = getattr(info, "parser", None)
                if isinstance(registry, Registry):
                    checked += 1
                    words = set(re.findall(r"[\w-]+", info.help or ""))
                    # a choice of several words ("pågår med avvikelse") as a phrase
                    missing = [
                        c
                        for c in registry.choices()
                        if c not in words
                        and not re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", info.help or "")
                    ]
                    assert missing == [], f"{command.callback.__name__} {name}: {missing}"
    assert checked >= 10
