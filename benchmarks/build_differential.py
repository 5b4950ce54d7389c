"""`ovk.model.build` against the build of a base revision: a differential test and a timing
(issue 18). Not part of the test suite (tests/test_build.py holds the fixtures' differential
against the constructors); see benchmarks/README.md.

    python benchmarks/build_differential.py --corpus /tmp/ovk-corpus-M [--base main] [--repeat 5]

Every schema-valid file of the shipped agreements, tests/examples and the corpus is built by
this checkout's `build` and by the base revision's `ovk/model/build.py` (loaded from git, on
this checkout's entity classes). They must be equal, with the same repr (values of the same
types) and the same attributes on every entity. Then both are timed over the corpus's files,
alternating, CPU time with the collector off (min and median).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ovk.model.build import build, walk  # noqa: E402
from ovk.model.conformance import schema_accepts  # noqa: E402
from ovk.model.entities import DOCUMENTS  # noqa: E402
from ovk.model.layout import classify  # noqa: E402
from ovk.yamlio.loader import fast_load_bytes  # noqa: E402

Builder = Callable[[type[Any], Any], Any]


def base_build(revision: str) -> Builder:
    """The `build` of `ovk/model/build.py` at `revision`."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{revision}:ovk/model/build.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("base_build")
    exec(compile(source, f"{revision}:ovk/model/build.py", "exec"), module.__dict__)
    built: Builder = module.build
    return built


def documents(root: Path) -> list[tuple[type[Any], Any]]:
    """Every schema-valid document under `root`."""
    found = []
    for path in sorted(root.rglob("*.y*ml")):
        kind, _ = classify(path)
        if kind is None:
            continue
        loaded = fast_load_bytes(path.read_bytes())
        if loaded is not None and schema_accepts(kind, REPO / "schema", loaded.data):
            found.append((DOCUMENTS[kind], loaded.data))
    return found


def same(new: Any, old: Any) -> bool:
    if new != old or repr(new) != repr(old):
        return False
    return [sorted(vars(e)) for _, e in walk(new)] == [sorted(vars(e)) for _, e in walk(old)]


def cpu(builder: Builder, docs: list[tuple[type[Any], Any]]) -> float:
    start = time.process_time()
    for cls, data in docs:
        builder(cls, data)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--base", default="main")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    old = base_build(args.base)
    corpus = documents(args.corpus / "agreements")
    failed = 0
    for name, docs in (
        ("shipped", documents(REPO / "agreements")),
        ("examples", documents(REPO / "tests" / "examples")),
        ("corpus", corpus),
    ):
        differ = sum(not same(build(cls, data), old(cls, data)) for cls, data in docs)
        failed += differ
        print(f"{name}: {len(docs)} documents, {differ} differ")
    gc.disable()
    before, after = [], []
    for _ in range(args.repeat):
        before.append(cpu(old, corpus))
        after.append(cpu(build, corpus))
    gc.enable()
    print(
        f"build of the corpus, CPU s: {min(after):.3f} (median {statistics.median(after):.3f})"
        f" against {min(before):.3f} (median {statistics.median(before):.3f}) at {args.base}"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
