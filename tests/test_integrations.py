"""The files other tools read: pre-commit hooks, the GitHub workflow, the GitLab snippet.

Each calls only commands (and options) ovk has; the YAML parses.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
from ruamel.yaml import YAML

from ovk.cli.app import app
from tests.conftest import REPO, run_ovk


def commands() -> set[str]:
    names = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    return names | {g.name for g in app.registered_groups if g.name}


def load_yaml(text: str) -> Any:
    return YAML(typ="safe").load(text)


def ovk_calls(script: str) -> list[list[str]]:
    """Every `ovk ...` command line in a shell script, as words (up to a pipe or redirect)."""
    calls = []
    script = script.replace("\\\n", " ")
    for match in re.finditer(r"(?:^|[\s;&|(])ovk\s+([^\n;&|>]*)", script):
        calls.append(shlex.split(match.group(1), posix=True))
    return calls


def check_call(words: list[str]) -> None:
    command = words[0]
    assert command in commands(), f"ovk {command} does not exist"
    options = [w.split("=")[0] for w in words[1:] if w.startswith("--")]
    help_text = run_ovk(command, "--help").stdout
    for option in options:
        assert option in help_text, f"ovk {command} has no {option}"


def scripts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [
            v for k, v in node.items() if k in ("run", "script", "entry") and isinstance(v, str)
        ]
        for key, value in node.items():
            if key in ("script", "before_script") and isinstance(value, list):
                found += [str(v) for v in value]
            else:
                found += scripts(value)
        return found
    if isinstance(node, list):
        return [s for item in node for s in scripts(item)]
    return []


def test_github_workflow_parses_and_calls_real_commands() -> None:
    workflow = load_yaml((REPO / ".github/workflows/agreements.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow["on"]  # YAML 1.2: "on" is a string, not true
    calls = [c for s in scripts(workflow) for c in ovk_calls(s)]
    used = {c[0] for c in calls}
    assert {"validate", "diff", "render", "fmt"} <= used
    for call in calls:
        check_call(call)
    steps = workflow["jobs"]["review"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "ovk validate --format github" in runs
    assert "$GITHUB_STEP_SUMMARY" in runs and "--format markdown" in runs
    assert "pytest" in runs
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)


def test_gitlab_snippet_parses_and_calls_real_commands() -> None:
    page = (REPO / "docs/gitlab-ci.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", page, re.DOTALL)
    assert block
    pipeline = load_yaml(block.group(1))
    calls = [c for s in scripts(pipeline) for c in ovk_calls(s)]
    assert {"validate", "diff", "render", "fmt"} <= {c[0] for c in calls}
    for call in calls:
        check_call(call)


def test_pre_commit_hooks_call_real_commands() -> None:
    hooks = load_yaml((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    config = load_yaml((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {h["id"] for h in hooks} == {"ovk-validate", "ovk-fmt"} == set(local)
    for hook in hooks:
        assert local[hook["id"]]["entry"] == hook["entry"]
        assert local[hook["id"]]["files"] == hook["files"]
        words = shlex.split(hook["entry"])
        assert words[0] == "ovk"
        check_call(words[1:])
        files = re.compile(hook["files"])
        assert files.search("agreements/2026/uppdrag/okat-valdeltagande.yaml")
        assert not files.search("tests/examples/_base/agreements/2026/malomraden.yaml")
    assert {h["id"]: h["entry"] for h in hooks}["ovk-fmt"] == "ovk fmt --check"


@pytest.mark.parametrize("hook", ["ovk-validate", "ovk-fmt"])
def test_hook_entries_fail_with_located_messages_on_a_broken_file(
    base_tree: Any, hook: str
) -> None:
    path = base_tree / "agreements/2026/uppdrag/okat-valdeltagande.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("owners: [KLK]", "owners: [KLK"), encoding="utf-8"
    )
    command = {"ovk-validate": ["validate"], "ovk-fmt": ["fmt", "--check"]}[hook]
    result = run_ovk("--root", str(base_tree), *command, str(path))
    assert result.exit_code == 1
    output = result.stdout + result.stderr
    assert re.search(r"agreements/2026/uppdrag/okat-valdeltagande\.yaml:\d+:\d+: ", output)
