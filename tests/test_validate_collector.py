"""`ovk validate` tunes CPython's garbage collector for the run, and restores it after."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

import ovk.validate.engine as engine
from ovk.cli.validating import YOUNG_COLLECTION_THRESHOLD, collector_tuned, run_validate
from ovk.errors import ExitCode
from tests.conftest import make_tree


def test_the_collector_is_tuned_inside_the_block_and_restored_after() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with collector_tuned():
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > frozen  # what the imports made is out of its sight
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_when_the_run_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collector_tuned():
        raise RuntimeError("stop")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_validate_run_checks_the_files_with_the_collector_tuned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path / "repo")
    seen: list[tuple[int, ...]] = []
    real = engine.validate

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "validate", recording)
    before = gc.get_threshold()
    assert run_validate(root, [], no_cache=True) == ExitCode.OK
    assert [threshold[0] for threshold in seen] == [YOUNG_COLLECTION_THRESHOLD]
    assert gc.get_threshold() == before
