"""`ovk schema`: the published schemas, printed or written, equal to the repository's copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, run_ovk

FILES = sorted(p.name for p in (REPO / "schema").glob("*.schema.json"))


@pytest.mark.parametrize("name", FILES)
def test_schema_prints_each_schema(name: str) -> None:
    result = run_ovk("schema", name.split(".")[0])
    assert result.exit_code == 0
    assert result.stdout == (REPO / "schema" / name).read_text(encoding="utf-8")


def test_schema_writes_every_schema_into_a_folder(tmp_path: Path) -> None:
    result = run_ovk("schema", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == FILES
    for name in FILES:
        expected = (REPO / "schema" / name).read_text(encoding="utf-8")
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == expected


def test_schema_without_a_kind_or_folder_is_a_usage_error() -> None:
    result = run_ovk("schema")
    assert result.exit_code == 2 and result.stderr.startswith("ovk: error: name a schema")
