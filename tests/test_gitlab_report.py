"""`ovk validate --format gitlab`: GitLab's Code Quality report, checked against the format
GitLab documents (tests/data/gitlab-codequality.schema.json, which cites the page)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from ovk.findings import Severity, finding
from ovk.validate.reporters import REPORTERS
from tests.conftest import CASES, make_tree, run_ovk
from tests.test_examples import case_tree

SCHEMA = json.loads(
    (Path(__file__).parent / "data/gitlab-codequality.schema.json").read_text(encoding="utf-8")
)
UPPDRAG = "agreements/2026/uppdrag/okat-valdeltagande.yaml"


def report(root: Path, *extra: str) -> tuple[int, Any]:
    result = run_ovk("--root", str(root), "validate", "--no-cache", "--format", "gitlab", *extra)
    return result.exit_code, json.loads(result.stdout)


def assert_code_quality(issues: Any) -> None:
    Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        issues
    )
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab wants unique fingerprints"


def test_the_schema_rejects_a_report_that_lacks_a_required_field() -> None:
    # The schema is a real check: a finding without its line is not a Code Quality issue.
    issue = {
        "description": "d",
        "check_name": "c",
        "fingerprint": "f",
        "severity": "major",
        "location": {"path": "a.yaml", "lines": {}},
    }
    assert not Draft202012Validator(SCHEMA).is_valid([issue])
    assert not Draft202012Validator(SCHEMA).is_valid([{**issue, "severity": "error"}])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gitlab_report_of_every_example_is_code_quality_and_names_each_finding(
    tmp_path: Path, case: Path
) -> None:
    root = case_tree(tmp_path, case)
    code, issues = report(root)
    assert_code_quality(issues)
    as_json = json.loads(
        run_ovk("--root", str(root), "validate", "--no-cache", "--format", "json").stdout
    )
    text_code = run_ovk("--root", str(root), "validate", "--no-cache").exit_code
    assert code == text_code  # the same exit codes as every other format
    assert [
        (i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"]) for i in issues
    ] == [(f["file"], f["line"], f["rule"]) for f in as_json]
    severities = {"error": "major", "warning": "minor"}
    assert [i["severity"] for i in issues] == [severities[f["severity"]] for f in as_json]


def test_gitlab_report_of_a_valid_repository_is_an_empty_array(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo")
    result = run_ovk("--root", str(root), "validate", "--no-cache", "--format", "gitlab")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_gitlab_report_fails_the_job_on_errors_and_names_the_file_from_the_root(
    tmp_path: Path,
) -> None:
    root = make_tree(tmp_path / "repo")
    path = root / UPPDRAG
    path.write_text(path.read_text(encoding="utf-8").replace("owners: [KLK]", "owners: [XYZ]"))
    code, issues = report(root)
    assert code == 1
    assert_code_quality(issues)
    assert issues and {i["location"]["path"] for i in issues} == {UPPDRAG}
    assert all(i["severity"] == "major" for i in issues)


def test_gitlab_fingerprints_stay_when_a_finding_moves_down_the_file(tmp_path: Path) -> None:
    # GitLab compares fingerprints of the target branch and the merge request: a comment
    # added above a finding must not make it look new (nor the old one fixed).
    root = make_tree(tmp_path / "repo")
    path = root / UPPDRAG
    broken = path.read_text(encoding="utf-8").replace("owners: [KLK]", "owners: [XYZ]")
    path.write_text(broken, encoding="utf-8")
    _, before = report(root)
    _, again = report(root)
    lines = broken.splitlines(keepends=True)
    path.write_text(lines[0] + "# a comment\n# and another\n" + "".join(lines[1:]))
    _, after = report(root)
    assert before == again
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert [i["location"]["lines"]["begin"] for i in after] == [
        i["location"]["lines"]["begin"] + 2 for i in before
    ]


def test_gitlab_fingerprints_tell_apart_findings_alike_but_for_their_line() -> None:
    same = [finding(UPPDRAG, line, 1, "schema", "the same message") for line in (3, 9)]
    out = io.StringIO()
    REPORTERS["gitlab"](same, 1, out)
    issues = json.loads(out.getvalue())
    assert_code_quality(issues)
    assert len(issues) == 2


def test_gitlab_report_keeps_control_characters_out_of_its_text() -> None:
    message = 'value \x1b]0;pwned\x07\x1b[2J\u202e and\nan "injected" line\x00'
    warning = finding(UPPDRAG, 4, 2, "due-outside-year", message)
    assert warning.severity == Severity.WARNING
    out = io.StringIO()
    REPORTERS["gitlab"]([warning], 1, out)
    text = out.getvalue()
    assert not any(ord(c) < 0x20 and c != "\n" for c in text)  # JSON-safe as written
    assert text.count("\n") == len(text.splitlines())  # only the indentation's newlines
    (issue,) = json.loads(text)
    assert_code_quality([issue])
    assert issue["severity"] == "minor"
    assert "\\x1b]0;pwned\\x07" in issue["description"]  # shown literally, not obeyed
    assert '"injected"' in issue["description"]
    assert not any(ord(c) < 0x20 or c in "\u202e" for c in issue["description"])
