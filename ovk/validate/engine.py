"""`ovk validate`: load every file once, check it against its schema, then across its year."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ovk.findings import Finding, finding, json_path
from ovk.model.layout import FILE_KINDS, Member, YearMembers, classify, schema_dir, select
from ovk.model.schema import KINDS
from ovk.validate.cache import MISSING, Cache
from ovk.validate.rules import YearFiles, check_year
from ovk.yamlio.loader import (
    DEFAULT_MAX_BYTES,
    Document,
    LoadResult,
    fast_load_bytes,
    load_path,
    read_capped,
    warm_up,
)

MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")
# Rules whose findings mean "a standard validator given the schema rejects this file too".
SCHEMA_VERDICT_RULES = frozenset(
    {
        "file-size",
        "encoding",
        "yaml-syntax",
        "duplicate-key",
        "unsafe-tag",
        "alias",
        "nesting-depth",
        "schema",
    }
)


@dataclass
class Report:
    findings: list[Finding]
    files_checked: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


POOL_THRESHOLD = 200  # files; measured on 2 CPUs: a pool breaks even near 120, wins 7 % at 230


def validate(
    root: Path,
    paths: Iterable[Path] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    fast: bool = True,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: Path | None = None,
) -> Report:
    """Check the given files (default: every file under agreements/) and report all findings.

    Cross-file rules always see the whole year folder of a file, but only findings in the
    requested files are reported (so a pre-commit hook on one changed file stays precise).
    Year folders are checked one at a time (memory stays flat however many there are), in a
    process pool of `workers` (default: one per CPU when there are POOL_THRESHOLD files or
    more); the findings are the same and in the same order either way. `progress` is told
    (files done, files in all) after each year folder. With a `cache` folder, files found
    clean before (same bytes, same schema, same ovk) are not parsed again.
    """
    selection = select(root, list(paths))
    jobs = [(root, year, max_bytes, fast, cache) for year in selection.years]
    count = sum(len(year.members) for year in selection.years)
    if workers is None:
        workers = _cpus() if count >= POOL_THRESHOLD else 1
    findings: list[Finding] = []
    done = 0
    if workers > 1 and len(jobs) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        if "fork" in methods:  # what the workers need, made once before they are forked
            warm_up()
            for kind in KINDS:
                fast_validator(kind, _schema_dir(root))
        chunk = max(1, len(jobs) // (workers * 8))
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for job, found in zip(
                jobs, pool.map(check_year_folder, jobs, chunksize=chunk), strict=True
            ):
                findings.extend(found)
                done += len(job[1].members)
                if progress:
                    progress(done, count)
    else:
        for job in jobs:
            findings.extend(check_year_folder(job))
            done += len(job[1].members)
            if progress:
                progress(done, count)
    findings = [f for f in findings if selection.chosen(f.file)] + list(selection.problems)
    return Report(sorted(set(findings)), selection.files)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


Job = tuple[Path, YearMembers, int, bool, Path | None]


def check_year_folder(job: Job) -> list[Finding]:
    """Every finding of one year folder's files, their own and across them."""
    root, members, max_bytes, fast, cache_folder = job
    cache = Cache(cache_folder) if cache_folder is not None else None
    findings: list[Finding] = []
    year = YearFiles(members.year_dir)
    for problem in members.problems:  # a member that cannot be read is not missing
        _broken(year, members.display, problem.file)
    for file in members.members:
        own = check_file(file, root, max_bytes, fast=fast, cache=cache)
        findings.extend(own.findings)
        if own.document is None or any(f.rule in SCHEMA_VERDICT_RULES for f in own.findings):
            _broken(year, members.display, file.display)
        else:
            _attach(year, file, own.document)
    if members.members or members.problems:
        findings.extend(check_year(year, members.display))
    return findings


def _broken(year: YearFiles, year_display: str, display: str) -> None:
    """Mark a file as present but unusable; the rules know the year's own files by their
    .yaml name, so a broken overenskommelse.yml is marked under that name too."""
    year.broken.add(display)
    kind, _ = classify(Path(display))
    stem = FILE_KINDS[kind].stem if kind else None
    if stem is not None:
        year.broken.add(f"{year_display}/{stem}.yaml")


@dataclass
class FileResult:
    document: Document | None
    findings: list[Finding]


def check_file(
    file: Member,
    root: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    fast: bool = True,
    cache: Cache | None = None,
) -> FileResult:
    """Load one member and check it against the schema of its kind.

    With `fast`, a file the C parser reads without doubt and its schema accepts needs no
    locations; every other file takes the located path, which alone makes findings. With a
    `cache`, such clean files are remembered by content (see ovk/validate/cache.py).
    """
    loaded: LoadResult | None = None
    if fast:
        raw = read_capped(file.path, max_bytes)
        key = ""
        if cache and raw:
            key = cache.key(file.kind, _schema_dir(root) / KINDS[file.kind], raw)
            data = cache.get(key)
            if data is not MISSING:  # the same bytes were clean under the same schema
                text = raw.decode("utf-8-sig")
                hit = Document(data, first_line=text.split("\n", 1)[0], unlocated=text)
                return FileResult(hit, _modeline_findings(hit, file))
        quick = fast_load_bytes(raw) if raw is not None else None
        if quick is not None:
            if schema_accepts(file.kind, _schema_dir(root), quick.data):
                if cache and key:
                    cache.put(key, quick.data)
                return FileResult(quick, _modeline_findings(quick, file))
            # Schema findings to locate: the C parser's marks are the located loader's.
            located = fast_load_bytes(raw, located=True) if raw is not None else None
            loaded = LoadResult(located, []) if located is not None else None
    if loaded is None:
        loaded = load_path(file.path, file.display, max_bytes)
    findings = list(loaded.findings)
    document = loaded.document
    if document is not None:
        findings.extend(schema_findings(document, file.display, file.kind, root))
        findings.extend(_modeline_findings(document, file))
    return FileResult(document, findings)


def _attach(year: YearFiles, file: Member, document: Document) -> None:
    entry = (file.display, document)
    if file.kind == "overenskommelse":
        year.overenskommelse = entry
    elif file.kind == "malomraden":
        year.malomraden = entry
    elif file.kind == "division":
        year.divisions.append(entry)
    else:
        year.uppdrag.append(entry)


@cache
def schema_validator(kind: str, directory: Path) -> Any:
    """A draft 2020-12 validator for one file kind, with format checking (dates) on."""
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((directory / KINDS[kind]).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


@cache
def _schema_dir(root: Path) -> Path:
    # Like the validators, found once per run: the schemas do not change while ovk runs.
    return schema_dir(root)


@cache
def fast_validator(kind: str, directory: Path) -> Any:
    """jsonschema-rs's validator for one file kind (dates checked), built once per run."""
    import jsonschema_rs

    schema = json.loads((directory / KINDS[kind]).read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def schema_accepts(kind: str, directory: Path, data: Any) -> bool:
    """True only when the schema surely accepts `data` (False: let jsonschema judge).

    jsonschema-rs answers about 100 times faster than jsonschema; it is never the judge of a
    finding, only of "nothing to report", and tests/test_fast_path.py shows it never accepts
    what jsonschema rejects.
    """
    try:
        return bool(fast_validator(kind, directory).is_valid(data))
    except Exception:  # a value it cannot represent (a huge integer, …): jsonschema judges
        return False


def schema_findings(
    document: Document, display: str, kind: str, root: Path | None
) -> list[Finding]:
    """The schema findings of one loaded document, each located at its value (or key)."""
    from jsonschema.exceptions import best_match

    validator = schema_validator(kind, schema_dir(root))
    found = []
    for error in validator.iter_errors(document.data):
        if error.validator in ("anyOf", "oneOf") and error.context:
            error = best_match(error.context)
        path = tuple(error.absolute_path)
        key = False
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            path, key = (*path, extra[0]) if extra else path, True
        line, column = document.locate(path, key=key)
        message = (
            "the file is empty; expected a mapping" if document.data is None else describe(error)
        )
        found.append(finding(display, line, column, "schema", message, json_path(path)))
    return found


def describe(error: Any) -> str:
    """A short message for a schema error (jsonschema's own repeats whole objects)."""
    where = ".".join(str(p) for p in error.absolute_path) or "the file"
    instance = error.instance
    match error.validator:
        case "additionalProperties":
            extra = sorted(set(instance) - set(error.schema.get("properties", {})))
            allowed = ", ".join(error.schema.get("properties", {}))
            return f"unknown key '{extra[0] if extra else '?'}' in {where} (allowed: {allowed})"
        case "required":
            return str(error.message).replace("property", f"key in {where}")
        case "type":
            return f"{where}: expected {_types(error.validator_value)}, got {_json_type(instance)}"
        case "enum":
            choices = ", ".join(str(c) for c in error.validator_value)
            return f"{where}: {_short(instance)} is not one of {choices}"
        case "format":
            return (
                f"{where}: {_short(instance)} is not a valid {error.validator_value} (YYYY-MM-DD)"
            )
        case "pattern":
            return f"{where}: {_short(instance)} does not match {error.validator_value}"
        case _:
            return f"{where}: {_short(str(error.message), 160)}"


def _types(value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    return " or ".join(names)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _modeline_findings(document: Document, file: Member) -> list[Finding]:
    expected = KINDS[file.kind]
    match = MODELINE.match(document.first_line.lstrip("\ufeff"))
    if not match:
        return [
            finding(
                file.display,
                1,
                1,
                "modeline",
                f"first line should name the schema: "
                f"'# yaml-language-server: $schema=…/schema/{expected}'",
            )
        ]
    target = match.group(1)
    if target.rsplit("/", 1)[-1] != expected:
        return [
            finding(
                file.display,
                1,
                1,
                "modeline",
                f"names schema {target}, but a {file.kind} file uses {expected}",
            )
        ]
    if "://" not in target and not (file.path.parent / target).is_file():
        return [finding(file.display, 1, 1, "modeline", f"schema {target} does not exist")]
    return []
