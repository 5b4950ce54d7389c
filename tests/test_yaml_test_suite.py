"""The 402 inputs of the YAML Test Suite: none is an agreement, none may crash ovk."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovk.model.layout import agreement_file
from ovk.validate.engine import check_file
from tests.conftest import REPO

SUITE = REPO / "tests" / "data" / "yaml-test-suite"
INPUTS = sorted(SUITE.glob("*/*.yaml"))


def test_suite_is_complete() -> None:
    assert len(INPUTS) == 406  # 402 cases and the 4 skipped variants of ZYU8


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_suite_input_gives_findings_not_a_crash(tmp_path: Path, source: Path) -> None:
    target = tmp_path / "agreements" / "2026" / "uppdrag" / "case.yaml"
    target.parent.mkdir(parents=True)
    target.write_bytes(source.read_bytes())
    result = check_file(agreement_file(target, tmp_path), tmp_path)
    # Not an agreement: at least the schema (or the parser) must object, at a real position.
    assert result.findings
    assert all(f.line >= 1 and f.column >= 1 and f.message for f in result.findings)
    parser_objected = any(f.rule not in {"schema", "modeline"} for f in result.findings)
    if source.parent.name == "error":
        assert parser_objected or source.stem in RUAMEL_ACCEPTS


# Invalid YAML that ruamel.yaml nevertheless parses (a known leniency); the schema still
# rejects each, so ovk never calls one of them valid.
RUAMEL_ACCEPTS = {"9C9N", "9JBA", "CVW2", "DK95-01", "G5U8", "QB6E", "SU5Z", "Y79Y-003", "YJV2"}
