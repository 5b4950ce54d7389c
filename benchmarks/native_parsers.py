"""Native YAML parsers as the data source of ovk's clean fast path: a differential test and a
timing (issue 18, item 4). Not part of the test suite; see benchmarks/README.md.

    python benchmarks/native_parsers.py --corpus /tmp/ovk-corpus-M [--suite DIR] [--repeat 3]

Every input (the shipped agreements, tests/examples, the YAML Test Suite, a corpus) is read
by the located loader (`load_bytes`, the reference) and by each candidate. A candidate gives
data or "doubt" (the fast path then falls back to the located loader). It fails when

- its data differs from the located loader's (types included: 1, 1.0 and True differ), or
- it gives data for an input the located loader rejects (a finding of the loader: the fast
  path would call a broken file clean).

Candidates (installed separately; a missing one is reported, not fatal):

- `ruamel-events`: the fast path's events (`events_data`, ruamel.yaml.clib's libyaml), the
  baseline;
- `yaml-rs`: `yaml_rs.loads` (Rust, YAML 1.2) behind textual guards, as ovk reads clean files
  first (ovk/yamlio/native.py, `native_data`);
- `ryml`: rapidyaml's tree (C++), walked in Python with ovk's own YAML 1.2 resolution;
- `pyyaml-events`: PyYAML's C parser (`yaml.CParser`), its events only iterated: the same
  libyaml as ruamel.yaml.clib, so this is its floor before any data is built;
- `pyyaml-csafe`: `yaml.load(text, yaml.CSafeLoader)` (C composes, Python constructs), timed
  only: YAML 1.1 resolution (`yes`, `on`, `0480`, `2026-12-31`) makes its data differ.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from ovk.yamlio.loader import (  # noqa: E402
    _DOUBT,
    _early_finding,
    _plain_value,
    _resolvers,
    decode,
    events_data,
    load_bytes,
)
from ovk.yamlio.native import native_data, native_doubts  # noqa: E402
from tests.test_fast_path import same  # noqa: E402  (the suite's equality: types included)

DOUBT = _DOUBT
Candidate = Callable[[str], Any]


# --- candidates ----------------------------------------------------------------------------


def yaml_rs_candidate() -> Candidate:
    import yaml_rs  # noqa: F401  (ImportError: not installed)

    return native_data


def ryml_candidate() -> Candidate:
    import ryml  # type: ignore[import-untyped]

    resolvers = _resolvers()

    def scalar(text: str, plain: bool) -> Any:
        if plain and text[:1] in resolvers:
            return _plain_value(resolvers[text[:1]], text)
        return text

    def load(text: str) -> Any:
        if native_doubts(text):
            return DOUBT
        try:
            tree = ryml.parse_in_arena(text.encode("utf-8"))
        except Exception:
            return DOUBT
        root = tree.root_id()
        if tree.is_stream(root):
            if tree.num_children(root) != 1:
                return DOUBT
            root = tree.first_child(root)
        return walk(tree, root, 0)

    def walk(tree: Any, node: int, depth: int) -> Any:
        if depth > 64:
            return DOUBT
        if tree.is_map(node):
            result: dict[str, Any] = {}
            child = tree.first_child(node)
            while child != ryml.NONE:
                if tree.is_key_ref(child) or tree.has_key_tag(child) or tree.has_key_anchor(child):
                    return DOUBT
                if tree.key_is_null(child) or tree.key(child) is None:
                    return DOUBT  # an empty key: the located loader's to judge
                raw_key = tree.key(child).tobytes().decode("utf-8")
                key = scalar(raw_key, tree.is_key_plain(child))
                if key is DOUBT:
                    return DOUBT
                key = key if type(key) is str else str(key)
                if key in result:
                    return DOUBT
                value = walk(tree, child, depth + 1)
                if value is DOUBT:
                    return DOUBT
                result[key] = value
                child = tree.next_sibling(child)
            return result
        if tree.is_seq(node):
            items = []
            child = tree.first_child(node)
            while child != ryml.NONE:
                item = walk(tree, child, depth + 1)
                if item is DOUBT:
                    return DOUBT
                items.append(item)
                child = tree.next_sibling(child)
            return items
        if tree.is_val_ref(node) or tree.has_val_tag(node) or tree.has_val_anchor(node):
            return DOUBT
        if not tree.has_val(node) and not tree.is_doc(node):
            return DOUBT
        if tree.val_is_null(node):
            return None
        return scalar(tree.val(node).tobytes().decode("utf-8"), tree.is_val_plain(node))

    return load


def pyyaml_events_candidate() -> Candidate:
    from yaml._yaml import CParser  # type: ignore[import-untyped]

    def load(text: str) -> Any:
        parser = CParser(text)
        try:
            while parser.get_event() is not None:
                pass
        finally:
            parser.dispose()
        return DOUBT  # timing only

    return load


def pyyaml_csafe_candidate() -> Candidate:
    import yaml  # type: ignore[import-untyped]

    def load(text: str) -> Any:
        try:
            return yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return DOUBT

    return load


CANDIDATES: dict[str, Callable[[], Candidate]] = {
    "ruamel-events": lambda: events_data,
    "yaml-rs": yaml_rs_candidate,
    "ryml": ryml_candidate,
    "pyyaml-events": pyyaml_events_candidate,
    "pyyaml-csafe": pyyaml_csafe_candidate,
}
TIMING_ONLY = {"pyyaml-events", "pyyaml-csafe"}


# --- the differential ----------------------------------------------------------------------


def inputs(corpus: Path | None, suite: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted((REPO / "agreements").rglob("*.yaml")):
        yield "agreements", path
    for path in sorted((REPO / "tests" / "examples").rglob("*.yaml")):
        yield "examples", path
    for path in sorted(suite.glob("*/*.yaml")):
        yield "yaml-test-suite", path
    if corpus is not None:
        for path in sorted((corpus / "agreements").rglob("*.yaml")):
            yield "corpus", path


def differential(
    loaded: dict[str, Candidate], sources: list[tuple[str, Path, bytes]]
) -> dict[str, dict[str, Any]]:
    report: dict[str, dict[str, Any]] = {
        name: {"equal": 0, "doubt": 0, "differ": [], "false_clean": []} for name in loaded
    }
    for _, path, raw in sources:
        reference = load_bytes(raw, "x")
        clean = reference.document is not None and not reference.findings
        text = decode(raw, "x")
        for name, candidate in loaded.items():
            if name in TIMING_ONLY:
                continue
            row = report[name]
            if not isinstance(text, str) or _early_finding(text, "x") is not None:
                row["doubt"] += 1  # the fast path's own guards, before any parser
                continue
            try:
                data = candidate(text)
            except Exception as error:  # a crash is a doubt, but worth seeing
                row.setdefault("crashed", []).append(f"{path}: {type(error).__name__}")
                data = DOUBT
            if data is DOUBT:
                row["doubt"] += 1
            elif not clean:
                row["false_clean"].append(str(path))
            elif same(data, reference.document.data):  # type: ignore[union-attr]
                row["equal"] += 1
            else:
                row["differ"].append(str(path))
    return report


def timing(
    loaded: dict[str, Candidate], texts: list[str], repeat: int
) -> dict[str, dict[str, float]]:
    """Each candidate's ms a file over `texts` (the decoded files), medians of `repeat`,
    run back to back in turn."""
    times: dict[str, list[float]] = {name: [] for name in loaded}
    for _ in range(repeat):
        for name, candidate in loaded.items():
            start = time.perf_counter()
            for text in texts:
                candidate(text)
            times[name].append(time.perf_counter() - start)
    return {
        name: {"ms_per_file": 1000 * statistics.median(t) / len(texts), "files": len(texts)}
        for name, t in times.items()
    }


# The whole cold run with a candidate as the fast path's first data source: ovk's own command
# line in a fresh process, `native_data` (what an unlocated read asks first) replaced; the
# baseline's doubts everything, so the events read every file as without yaml-rs.
_COLD = """
import sys
sys.path.insert(0, {here!r})
import native_parsers, ovk.yamlio.native as native
if {name!r} == "ruamel-events":
    native.native_data = lambda text: native.DOUBT
else:
    native.native_data = native_parsers.CANDIDATES[{name!r}]()
from ovk.entry import main
sys.argv = ["ovk", "--root", {root!r}, "validate", "--format", "json", "--no-cache", "agreements"]
main()
"""


def cold(root: Path, names: list[str], repeat: int) -> int:
    """The cold `ovk validate` of `root` with each candidate, back to back, `repeat` times;
    the findings must be byte-identical to the baseline's."""
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    outputs: dict[str, bytes] = {}
    for index in range(repeat):
        for name in names if index % 2 == 0 else reversed(names):
            code = _COLD.format(here=str(HERE), name=name, root=str(root))
            with tempfile.TemporaryFile() as out:
                start = time.perf_counter()
                process = subprocess.Popen(
                    [sys.executable, "-c", code], cwd=root, stdout=out, stderr=subprocess.DEVNULL
                )
                _, status, usage = os.wait4(process.pid, 0)
                times[name].append(time.perf_counter() - start)
                cpu[name].append(usage.ru_utime + usage.ru_stime)  # the workers' included
                out.seek(0)
                stdout = out.read()
            if os.waitstatus_to_exitcode(status) not in (0, 1):
                raise SystemExit(f"{name}: exit {os.waitstatus_to_exitcode(status)}")
            outputs.setdefault(name, stdout)
            if outputs[name] != stdout:
                raise SystemExit(f"{name}: findings changed between repeats")
    base = statistics.median(times[names[0]])
    base_cpu = statistics.median(cpu[names[0]])
    for name in names:
        median, median_cpu = statistics.median(times[name]), statistics.median(cpu[name])
        verdict = "same findings" if outputs[name] == outputs[names[0]] else "FINDINGS DIFFER"
        print(
            f"cold {name}: wall {median:.2f} s ({', '.join(f'{t:.2f}' for t in times[name])}), "
            f"{100 * (base - median) / base:+.1f} %; CPU {median_cpu:.2f} s "
            f"({', '.join(f'{t:.2f}' for t in cpu[name])}), "
            f"{100 * (base_cpu - median_cpu) / base_cpu:+.1f} % against {names[0]}; {verdict}"
        )
    return 0 if all(outputs[n] == outputs[names[0]] for n in names) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="a corpus made by make_corpus.py")
    parser.add_argument("--suite", type=Path, default=REPO / "tests" / "data" / "yaml-test-suite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="comma-separated candidate names")
    parser.add_argument(
        "--cold",
        type=Path,
        help="time whole cold runs of this corpus instead (the first "
        "candidate of --only is the baseline)",
    )
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(CANDIDATES)
    if args.cold:
        return cold(args.cold, [n for n in names if n not in TIMING_ONLY], args.repeat)
    loaded: dict[str, Candidate] = {}
    for name in names:
        try:
            loaded[name] = CANDIDATES[name]()
        except ImportError as error:
            print(f"{name}: not installed ({error})")
    sources = [(group, p, p.read_bytes()) for group, p in inputs(args.corpus, args.suite)]
    groups = {g: sum(s[0] == g for s in sources) for g in dict.fromkeys(s[0] for s in sources)}
    print(f"{len(sources)} inputs: {groups}")
    report = differential(loaded, sources)
    failed = False
    for name, row in report.items():
        if name in TIMING_ONLY:
            continue
        bad = len(row["differ"]) + len(row["false_clean"])
        failed = failed or bool(bad)
        print(
            f"{name}: equal {row['equal']}, doubt (falls back) {row['doubt']}, "
            f"data differs {len(row['differ'])}, clean where ovk rejects {len(row['false_clean'])}"
        )
        for label in ("differ", "false_clean", "crashed"):
            for path in row.get(label, [])[:8]:
                print(f"    {label}: {path}")
    group = "corpus" if args.corpus else "agreements"
    texts = [t for g, _, raw in sources if g == group and isinstance(t := decode(raw, "x"), str)]
    for name, row in timing(loaded, texts, args.repeat).items():
        print(f"{name}: {row['ms_per_file']:.3f} ms a file ({row['files']} {group} files)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
