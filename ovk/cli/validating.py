"""The body of `ovk validate`, one function that both the typer command (ovk.cli.app) and
the fast path (ovk.cli.fast) call, so the two cannot drift: options in, exit code out."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ovk.cli.edge import root_of
from ovk.errors import ExitCode

DEFAULT_FORMAT = "text"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def run_validate(
    root_option: Path | None,
    paths: list[Path],
    output_format: str = DEFAULT_FORMAT,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    no_cache: bool = False,
    jobs: int | None = None,
) -> ExitCode:
    """Validate, print the report on stdout in `output_format`, and say how to exit."""
    from ovk.validate.cache import open_cache
    from ovk.validate.engine import validate
    from ovk.validate.reporters import REPORTERS

    root = root_of(root_option)
    bar = ProgressBar() if sys.stderr.isatty() and not os.environ.get("CI") else None
    cache = None if no_cache else open_cache(root)
    try:
        with collector_tuned():
            report = validate(
                root,
                paths,
                max_bytes,
                workers=jobs,
                progress=bar.update if bar else None,
                cache=cache,
            )
    finally:
        if bar:
            bar.close()
        if cache:
            cache.close()
    REPORTERS[output_format](report.findings, report.files_checked, sys.stdout)
    failing = report.findings if strict else report.errors
    return ExitCode.FINDINGS if failing else ExitCode.OK


# The youngest generation is collected after this many new container objects, not CPython's
# 700 (its older generations' thresholds are kept).
YOUNG_COLLECTION_THRESHOLD = 50_000


@contextmanager
def collector_tuned() -> Iterator[None]:
    """Garbage collection tuned for a validate run, then restored.

    A cold run makes millions of containers (each file's data and typed entities, dropped
    with its year folder), and CPython's collector traverses the young ones after every 700
    more are alive, and now and then every object the imports made, looking for cycles this
    data does not form: about a tenth of a cold run's CPU. So what exists now (modules,
    classes) is frozen out of the collector's sight, and the youngest generation waits for
    YOUNG_COLLECTION_THRESHOLD; peak memory barely moves (benchmarks/README.md, "Notes on
    the levers"). The pool's workers, forked during the run, inherit both (where workers
    are spawned instead, they keep CPython's defaults).
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class ProgressBar:
    """A progress bar on stderr for long runs on a terminal; silent in CI and when piped."""

    def __init__(self) -> None:
        self.progress: Any = None
        self.task: Any = None

    LONG_RUN = 2000  # files: about two seconds; shorter runs would only flicker

    def update(self, done: int, total: int) -> None:
        if self.progress is None:
            if total < self.LONG_RUN:
                return
            from rich.console import Console
            from rich.progress import Progress

            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("validating", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
