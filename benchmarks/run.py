"""ovk validate against check-jsonschema on the same files, interleaved in one run.

    python benchmarks/run.py --size M            # one size
    python benchmarks/run.py --size S,M,L        # what benchmarks/README.md shows

For each size, each repeat runs both tools (alternating which goes first) and the run reports
medians, the ratio ovk / check-jsonschema, files per second and each side's peak RSS; then
`ovk --version` and `ovk --help` against `python -c pass`, the single-file call a pre-commit
hook makes (`ovk validate FILE` against `check-jsonschema --schemafile SCHEMA FILE` and against
importing the two libraries a validation needs), and `ovk render --all` for one year when this
ovk has it. The run fails (exit 1) when the two tools disagree on which files break the
schema. Writes benchmarks/results.json and the table in benchmarks/README.md.

Time an installed ovk, not the editable checkout: `--install` builds a fresh virtual
environment in a temporary folder, runs a non-editable `pip install .` there (pip compiles
the bytecode, as a user's install has it) and times that environment's ovk; without it, the
ovk next to this Python is timed, and the run prints (and records) which kind it is.

check-jsonschema gets its fastest fair use: one call per schema on all files of that kind
(split only where the command line would grow past the system's limit).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from ovk.model.conformance import SCHEMA_VERDICT_RULES  # noqa: E402
from ovk.model.layout import classify  # noqa: E402
from ovk.model.schema import KINDS  # noqa: E402

BIN = Path(sys.executable).parent  # check-jsonschema's; ovk's too unless --install
OVK_BIN = [BIN]  # where `ovk` is taken from (replaced by --install)
SIZES = {"M": (290, 1), "L": (290, 5)}  # municipalities, years
ARG_BUDGET = 1_000_000  # bytes of file names per check-jsonschema call
MARK_START, MARK_END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    stdout: list[str]


def tool(name: str) -> str:
    found = (OVK_BIN[0] if name == "ovk" else BIN) / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def python_of(name: str) -> str:
    """The interpreter next to a tool (ovk's, after --install)."""
    folder = OVK_BIN[0] if name == "ovk" else BIN
    found = folder / "python"
    return str(found) if found.exists() else sys.executable


def install(folder: Path) -> Path:
    """A fresh virtual environment in `folder` with this checkout installed as a user would
    install it (non-editable, bytecode compiled by pip); its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--compile"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([*pip, str(REPO)], check=True, env=env)
    return folder / "bin"


def ovk_kind() -> dict[str, Any]:
    """Which ovk is timed: where it is imported from, whether that is this checkout
    (editable) and whether its modules have compiled bytecode next to them."""
    probe = (
        "import importlib.util, json, os, sys, ovk.entry as e; "
        "print(json.dumps({'file': e.__file__, 'pyc': os.path.exists("
        "importlib.util.cache_from_source(e.__file__)), 'no_pyc': sys.dont_write_bytecode}))"
    )
    # Run from the root folder: `python -c` would import a checkout in its working folder.
    found = subprocess.run(
        [python_of("ovk"), "-c", probe], cwd="/", capture_output=True, text=True, check=True
    )
    facts = json.loads(found.stdout)
    editable = Path(facts["file"]).resolve().is_relative_to(REPO)
    return {
        "module": facts["file"],
        "editable": editable,
        "bytecode": facts["pyc"],
        "dont_write_bytecode": facts["no_pyc"],
        "label": ("editable checkout" if editable else "installed")
        + (", bytecode compiled" if facts["pyc"] else ", no bytecode"),
    }


def run(commands: list[list[str]], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run the commands one after another: summed wall time, the largest peak RSS."""
    seconds, peak, outputs = 0.0, 0, []
    for command in commands:
        with tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL
            )
            _, status, usage = os.wait4(process.pid, 0)
            seconds += time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            peak = max(peak, usage.ru_maxrss)  # KiB on Linux
            out.seek(0)
            outputs.append(out.read().decode("utf-8", errors="replace"))
    return Run(seconds, peak / 1024, outputs)


def corpus(size: str, base: Path) -> Path:
    """The corpus for a size, made (deterministically) when missing."""
    if size == "S":
        return REPO
    municipalities, years = SIZES[size]
    target = base / f"ovk-corpus-{size}"
    expected = target / "expected.json"
    if not expected.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "make_corpus.py"),
                "--municipalities",
                str(municipalities),
                "--years",
                str(years),
                "-o",
                str(target),
            ],
            check=True,
        )
    return target


def agreement_files(root: Path) -> dict[str, list[Path]]:
    by_kind: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for path in sorted((root / "agreements").rglob("*.yaml")):
        kind, _ = classify(path)
        if kind:
            by_kind[kind].append(path)
    return by_kind


def cjs_commands(root: Path, by_kind: dict[str, list[Path]]) -> list[list[str]]:
    """One check-jsonschema call per schema, on every file of that kind."""
    commands = []
    for kind, paths in by_kind.items():
        head = [tool("check-jsonschema"), "--output-format", "json", "--schemafile"]
        head.append(str(root / "schema" / KINDS[kind]))
        chunk: list[str] = []
        length = 0
        for path in paths:
            name = path.relative_to(root).as_posix()
            if chunk and length + len(name) > ARG_BUDGET:
                commands.append([*head, *chunk])
                chunk, length = [], 0
            chunk.append(name)
            length += len(name) + 1
        if chunk:
            commands.append([*head, *chunk])
    return commands


def ovk_command(root: Path, *, cached: bool = False) -> list[str]:
    """ovk on every agreement file; without its cache unless `cached` (a fair comparison:
    check-jsonschema has none)."""
    command = [tool("ovk"), "--root", str(root), "validate", "--format", "json"]
    command += [] if cached else ["--no-cache"]
    return command if root == REPO else [*command, "agreements"]


def failing_ovk(output: str, root: Path) -> set[Path]:
    return {
        (root / f["file"]).resolve()
        for f in json.loads(output)
        if f["rule"] in SCHEMA_VERDICT_RULES
    }


def failing_cjs(outputs: list[str], root: Path) -> set[Path]:
    failed = set()
    for output in outputs:
        report = json.loads(output)
        for error in report.get("errors", []) + report.get("parse_errors", []):
            failed.add((root / error["filename"]).resolve())
    return failed


def bench_size(size: str, repeat: int, base: Path) -> dict[str, Any]:
    root = corpus(size, base)
    by_kind = agreement_files(root)
    files = sum(len(v) for v in by_kind.values())
    ovk_runs: list[Run] = []
    cjs_runs: list[Run] = []
    for index in range(repeat):
        pair = [
            (ovk_runs, [ovk_command(root)]),
            (cjs_runs, cjs_commands(root, by_kind)),
        ]
        for runs, commands in pair if index % 2 == 0 else reversed(pair):
            runs.append(run(commands, root))
        print(
            f"  {size} #{index + 1}: ovk {ovk_runs[-1].seconds:.2f} s, "
            f"check-jsonschema {cjs_runs[-1].seconds:.2f} s",
            file=sys.stderr,
        )
    # ovk with its cache warm (a pre-commit hook's second run), in a cache folder of its own
    # (never the user's), with CI unset (CI turns the cache off). Filled by two runs first:
    # the first writes the entries, the second finds them and writes what it keeps about the
    # year folders (the stat-keyed index), so the timed runs are what a user's next run is.
    with tempfile.TemporaryDirectory() as folder:
        env = warm_env(folder)
        for _ in range(2):
            run([ovk_command(root, cached=True)], root, env)
        warm = [run([ovk_command(root, cached=True)], root, env) for _ in range(repeat)]
    if failing_ovk(warm[0].stdout[0], root) != failing_ovk(ovk_runs[0].stdout[0], root):
        raise SystemExit(f"{size}: ovk's verdicts differ with its cache warm")
    ovk_failed = failing_ovk(ovk_runs[0].stdout[0], root)
    cjs_failed = failing_cjs(cjs_runs[0].stdout, root)
    checked = {p.resolve() for v in by_kind.values() for p in v}
    agree = (ovk_failed & checked) == cjs_failed
    ovk_s = statistics.median(r.seconds for r in ovk_runs)
    cjs_s = statistics.median(r.seconds for r in cjs_runs)
    return {
        "files": files,
        "schema_failures": len(cjs_failed),
        "verdicts_agree": agree,
        "disagreements": sorted(
            str(p.relative_to(root)) for p in (ovk_failed & checked) ^ cjs_failed
        )[:20],
        "ovk_seconds": round(ovk_s, 3),
        "cjs_seconds": round(cjs_s, 3),
        "ratio": round(ovk_s / cjs_s, 3),
        "ovk_files_per_s": round(files / ovk_s),
        "cjs_files_per_s": round(files / cjs_s),
        "ovk_warm_cache_seconds": round(statistics.median(r.seconds for r in warm), 3),
        "ovk_peak_rss_mb": round(max(r.peak_rss_mb for r in ovk_runs), 1),
        "cjs_peak_rss_mb": round(max(r.peak_rss_mb for r in cjs_runs), 1),
        "cjs_calls": len(cjs_commands(root, by_kind)),
        "repeat": repeat,
    }


def warm_env(folder: str) -> dict[str, str]:
    """The environment of a run with the cache in `folder` (CI unset: CI turns it off)."""
    return {k: v for k, v in os.environ.items() if k != "CI"} | {"OVK_CACHE_DIR": folder}


def pre_commit_file() -> Path:
    """The file a pre-commit hook would check: the first uppdrag of the latest shipped year."""
    years = sorted(p for p in (REPO / "agreements").iterdir() if p.name.isdigit())
    for path in sorted((years[-1] / "uppdrag").glob("*.yaml")):
        if classify(path)[0] == "uppdrag":
            return path
    raise SystemExit(f"no uppdrag file in {years[-1]}")


def bench_single_file(repeat: int) -> dict[str, Any]:
    """The call pre-commit makes for one changed file, interleaved: `ovk validate FILE`
    (its cache warm, as on a desk), check-jsonschema on the same file, and importing the two
    libraries a validation needs (the floor the issue measures against)."""
    path = pre_commit_file()
    name = path.relative_to(REPO).as_posix()
    schema = REPO / "schema" / KINDS["uppdrag"]
    commands = {
        "ovk validate FILE": [tool("ovk"), "validate", name],
        "check-jsonschema FILE": [tool("check-jsonschema"), "--schemafile", str(schema), name],
        "import ruamel.yaml, jsonschema_rs": [
            python_of("ovk"),
            "-c",
            "import ruamel.yaml, jsonschema_rs",
        ],
    }
    times: dict[str, list[float]] = {label: [] for label in commands}
    with tempfile.TemporaryDirectory() as folder:
        env = warm_env(folder)
        run([commands["ovk validate FILE"]], REPO, env)  # the cache filled once
        for index in range(repeat):
            order = list(commands.items())
            for label, command in order if index % 2 == 0 else reversed(order):
                times[label].append(run([command], REPO, env).seconds)
    medians = {label: statistics.median(t) for label, t in times.items()}
    ovk_s = medians["ovk validate FILE"]
    return {
        "file": name,
        "seconds": {label: round(s, 4) for label, s in medians.items()},
        "ratio_to_cjs": round(ovk_s / medians["check-jsonschema FILE"], 3),
        "ratio_to_imports": round(ovk_s / medians["import ruamel.yaml, jsonschema_rs"], 2),
        "repeat": repeat,
    }


def bench_startup(repeat: int) -> dict[str, Any]:
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "ovk --version": [tool("ovk"), "--version"],
        "ovk --help": [tool("ovk"), "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(run([command], REPO).seconds)
    medians = {name: statistics.median(t) for name, t in times.items()}
    base = medians["python -c pass"]
    return {
        name: {"seconds": round(s, 4), "ratio": round(s / base, 2)} for name, s in medians.items()
    }


def bench_render(repeat: int) -> dict[str, Any] | None:
    check = subprocess.run(
        [tool("ovk"), "render", "--help"], capture_output=True, text=True, check=False
    )
    if check.returncode != 0 or "--all" not in check.stdout:
        return None
    year = max(p.name for p in (REPO / "agreements").iterdir() if p.name.isdigit())
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            command = [tool("ovk"), "--root", str(REPO), "render", "--all", "--year", year]
            times.append(run([[*command, "-o", out]], REPO).seconds)
    return {"year": int(year), "seconds": round(statistics.median(times), 3)}


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Measured {results['date']} on {m['cpus']} CPUs, Python {m['python']} ({m['system']}), "
        f"ovk at commit {results['commit']} ({results['ovk']['label']}); "
        f"medians of {results['repeat']} interleaved repeats "
        "(ovk with `--no-cache`; the last column is ovk again with its cache warm).",
        "",
        "| size | files | ovk validate | check-jsonschema | ratio ovk/cjs | ovk files/s "
        "| cjs files/s | ovk peak RSS | cjs peak RSS | verdicts agree | ovk, cache warm |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for size, r in results["sizes"].items():
        lines.append(
            f"| {size} | {r['files']:,} | {r['ovk_seconds']:.2f} s | {r['cjs_seconds']:.2f} s "
            f"| **{r['ratio']:.2f}** (×{1 / r['ratio']:.1f} faster) | {r['ovk_files_per_s']:,} "
            f"| {r['cjs_files_per_s']:,} | {r['ovk_peak_rss_mb']:.0f} MB "
            f"| {r['cjs_peak_rss_mb']:.0f} MB | {'yes' if r['verdicts_agree'] else 'NO'} "
            f"({r['schema_failures']} failing) | {r['ovk_warm_cache_seconds']:.2f} s |"
        )
    lines += ["", "| start-up | median | ratio to `python -c pass` |", "| --- | ---: | ---: |"]
    for name, r in results["startup"].items():
        lines.append(f"| `{name}` | {r['seconds'] * 1000:.0f} ms | {r['ratio']:.1f}× |")
    render = results.get("render")
    lines.append(
        f"| `ovk render --all` ({render['year']}) | {render['seconds'] * 1000:.0f} ms | |"
        if render
        else "| `ovk render --all` | n/a (not in this ovk) | |"
    )
    single = results.get("single_file")
    if single:
        seconds = single["seconds"]
        lines += [
            "",
            f"| pre-commit call on one file (`{single['file']}`) | median | ratio |",
            "| --- | ---: | ---: |",
            f"| `ovk validate FILE` | {seconds['ovk validate FILE'] * 1000:.0f} ms | |",
            f"| `check-jsonschema --schemafile … FILE` "
            f"| {seconds['check-jsonschema FILE'] * 1000:.0f} ms "
            f"| ovk/cjs **{single['ratio_to_cjs']:.2f}** |",
            f'| `python -c "import ruamel.yaml, jsonschema_rs"` '
            f"| {seconds['import ruamel.yaml, jsonschema_rs'] * 1000:.0f} ms "
            f"| ovk is {single['ratio_to_imports']:.1f}× this |",
        ]
    return "\n".join(lines)


def update_readme(text: str) -> None:
    readme = HERE / "README.md"
    content = readme.read_text(encoding="utf-8")
    start, end = content.index(MARK_START), content.index(MARK_END)
    readme.write_text(
        content[: start + len(MARK_START)] + "\n" + text + "\n" + content[end:], encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="S", help="S, M, L or a list such as S,M,L")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--corpus-dir", type=Path, default=Path(tempfile.gettempdir()), help="where corpora live"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--install",
        action="store_true",
        help="time ovk installed (non-editable, compiled) in a fresh temporary environment",
    )
    args = parser.parse_args(argv)
    if any(s.strip().upper() not in ("S", *SIZES) for s in args.size.split(",") if s.strip()):
        parser.error("sizes are S, M and L")
    with tempfile.TemporaryDirectory(prefix="ovk-bench-env-") as folder:
        if args.install:
            OVK_BIN[0] = install(Path(folder))
        return measure(args)


def measure(args: argparse.Namespace) -> int:
    sizes = [s.strip().upper() for s in args.size.split(",") if s.strip()]
    for size in sizes:
        corpus(size, args.corpus_dir)  # make corpora before timing anything
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": f"{platform.system()} {platform.machine()}",
        },
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
        "repeat": args.repeat,
        "ovk": ovk_kind(),
        "sizes": {},
    }
    print(f"timing ovk from {results['ovk']['module']} ({results['ovk']['label']})")
    for size in sizes:
        results["sizes"][size] = bench_size(size, args.repeat, args.corpus_dir)
    results["startup"] = bench_startup(max(args.repeat, 10))
    results["single_file"] = bench_single_file(max(args.repeat, 10))
    results["render"] = bench_render(args.repeat)
    text = table(results)
    print(text)
    if not args.no_write:
        (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
        update_readme(text)
    bad = [s for s, r in results["sizes"].items() if not r["verdicts_agree"]]
    for size in bad:
        print(f"verdicts differ on {size}: {results['sizes'][size]['disagreements']}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
