"""The files other tools read: pre-commit hooks and the CI workflows ovk ships for data
repositories (tests/test_ci_workflows.py runs those).

Each calls only commands (and options) ovk has; the YAML parses.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
from ruamel.yaml import YAML

from ovk.cli.app import app
from ovk.tools.ci import workflow as ci_workflow
from tests.conftest import REPO, run_ovk


def commands() -> set[str]:
    names = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    return names | set(groups())


def groups() -> dict[str, Any]:
    """The command groups by name (`ovk ci`, `ovk new`, …) and their typer apps."""
    return {g.name or g.typer_instance.info.name: g.typer_instance for g in app.registered_groups}


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
    command = words[:1]
    assert command[0] in commands(), f"ovk {command[0]} does not exist"
    if command[0] in groups():  # a command of a group: `ovk ci briefing`
        names = {c.name for c in groups()[command[0]].registered_commands}
        assert words[1] in names, f"ovk {command[0]} {words[1]} does not exist"
        command = words[:2]
    options = [w.split("=")[0] for w in words[len(command) :] if w.startswith("--")]
    help_text = run_ovk(*command, "--help").stdout
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
    workflow = load_yaml(ci_workflow("github"))
    assert "pull_request" in workflow["on"]  # YAML 1.2: "on" is a string, not true
    calls = [c for s in scripts(workflow) for c in ovk_calls(s)]
    used = {c[0] for c in calls}
    assert {"validate", "ci", "render", "fmt"} <= used
    for call in calls:
        check_call(call)
    steps = workflow["jobs"]["review"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "ovk validate --format github" in runs
    assert "$GITHUB_STEP_SUMMARY" in runs and "ovk ci briefing" in runs
    assert "pytest" not in runs
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)


def test_gitlab_job_parses_and_calls_real_commands() -> None:
    pipeline = load_yaml(ci_workflow("gitlab"))
    calls = [c for s in scripts(pipeline) for c in ovk_calls(s)]
    assert {"validate", "ci", "render", "fmt"} <= {c[0] for c in calls}
    for call in calls:
        check_call(call)
    assert ["validate", "--format", "gitlab"] in calls
    assert pipeline["agreements"]["artifacts"]["reports"] == {"codequality": "gl-code-quality.json"}


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
    # A commit that only refreshes a year's Kolada snapshot is validated too (its checks are
    # the year's cross-file rules); fmt formats YAML only.
    files = {h["id"]: re.compile(h["files"]) for h in hooks}
    for snapshot in ("agreements/2024/kolada.json", "agreements/nykoping/2024/kolada.json"):
        assert files["ovk-validate"].search(snapshot) and not files["ovk-fmt"].search(snapshot)
    assert not files["ovk-validate"].search("agreements/2024/other.json")


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
