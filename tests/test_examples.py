"""The example tree: every invalid example yields exactly the findings its case.yaml names,
and check-jsonschema agrees with ovk's schema verdict on every example file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ovk.findings import RULES
from ovk.model.conformance import SCHEMA_VERDICT_RULES
from ovk.model.layout import year_dirs, year_members
from ovk.model.schema import KINDS
from tests.conftest import CASES, make_tree, run_ovk


def read_case(case: Path) -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe").load((case / "case.yaml").read_text(encoding="utf-8"))


def validate_json(root: Path, *extra: str) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    result = run_ovk("--root", str(root), "validate", "--format", "json", *extra)
    return result.exit_code, json.loads(result.stdout)


def case_tree(tmp_path: Path, case: Path) -> Path:
    """The case's tree, with its `delete`d files gone, then its `folders` and `links` made
    (what git and a copy of the case folder cannot carry)."""
    root = make_tree(tmp_path / case.name, case)
    spec = read_case(case)
    for relative in spec.get("delete", []):
        (root / relative).unlink()
    for relative in spec.get("folders", []):
        (root / relative).mkdir()
    for relative, target in spec.get("links", {}).items():
        (root / relative).symlink_to(target)
    return root


def test_base_example_is_valid(base_tree: Path) -> None:
    code, findings = validate_json(base_tree)
    assert (code, findings) == (0, [])


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_invalid_example_gives_its_findings(tmp_path: Path, case: Path) -> None:
    spec = read_case(case)
    root = case_tree(tmp_path, case)
    extra = ["--max-bytes", str(spec["max_bytes"])] if spec.get("max_bytes") else []
    code, findings = validate_json(root, *extra)
    got = sorted((f["rule"], f["file"], f["line"]) for f in findings)
    expected = sorted((e["rule"], e["file"], e["line"]) for e in spec["expect"])
    assert got == expected
    # A rule of two severities (kolada-unknown): the case says which it expects.
    severities = sorted((f["rule"], f["line"], f["severity"]) for f in findings)
    said = [(e["rule"], e["line"], e["severity"]) for e in spec["expect"] if "severity" in e]
    assert set(said) <= set(severities)
    errors = [f for f in findings if f["severity"] == "error"]
    assert code == (1 if errors else 0)


def test_every_rule_has_an_example() -> None:
    covered = {e["rule"] for case in CASES for e in read_case(case)["expect"]}
    assert covered == set(RULES)


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    root = case_tree(tmp_path, next(c for c in CASES if c.name == "modeline-missing"))
    assert validate_json(root)[0] == 0
    assert validate_json(root, "--strict")[0] == 1


def check_jsonschema_failures(files_by_kind: dict[str, list[Path]], schema_dir: Path) -> set[Path]:
    """The files check-jsonschema rejects, one call per schema (its fastest fair use)."""
    failed: set[Path] = set()
    for kind, files in files_by_kind.items():
        if not files:
            continue
        command = [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--output-format",
            "json",
            "--schemafile",
            str(schema_dir / KINDS[kind]),
            *map(str, files),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        report = json.loads(output)
        for error in report.get("errors", []) + report.get("parse_errors", []):
            failed.add(Path(error["filename"]).resolve())
    return failed


def test_check_jsonschema_agrees_on_every_example(tmp_path: Path) -> None:
    ovk_failed: set[Path] = set()
    files_by_kind: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for case in [None, *CASES]:
        name = case.name if case else "_base"
        root = case_tree(tmp_path, case) if case else make_tree(tmp_path / name)
        _, findings = validate_json(root)
        ovk_failed |= {
            (root / f["file"]).resolve() for f in findings if f["rule"] in SCHEMA_VERDICT_RULES
        }
        for year_dir in year_dirs(root):  # the members: a link out or a folder is not one
            for member in year_members(root, year_dir).members:
                files_by_kind[member.kind].append(member.path.resolve())
    checked = {p for files in files_by_kind.values() for p in files}
    reference_failed = check_jsonschema_failures(files_by_kind, tmp_path / "_base" / "schema")
    assert ovk_failed & checked == reference_failed
