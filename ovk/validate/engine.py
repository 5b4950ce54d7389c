"""`ovk validate`: load every file once, check it against its schema, then across its year."""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ovk.errors import RunError
from ovk.findings import Finding, finding
from ovk.model.conformance import (
    NOT_CONFORMING_RULES,
    fast_validator,
    load_checked,
    quick_acceptor,
)
from ovk.model.layout import (
    FILE_KINDS,
    MODELINE,
    Attached,
    Member,
    YearMembers,
    agreement_file,
    classify,
    schema_dir,
    select,
    year_members,
)
from ovk.model.vocabulary import KINDS
from ovk.validate.cache import MISSING, Cache
from ovk.validate.index import (
    Signature,
    Verdict,
    YearIndex,
    digest,
    findings_of,
    signature,
    verdict_of,
    year_digest,
)
from ovk.yamlio.loader import (
    DEFAULT_MAX_BYTES,
    Document,
    read_capped,
    warm_up,
)

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ovk.validate.rules import YearFiles


@dataclass
class Report:
    findings: list[Finding]
    files_checked: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


POOL_THRESHOLD = 200  # files; measured on 2 CPUs: a pool breaks even near 120, wins 7 % at 230
WORKERS_PER_CPU = 2  # the most processes asked for with --jobs: more only add start-up time


def validate(
    root: Path,
    paths: Iterable[Path] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    fast: bool = True,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: Cache | None = None,
) -> Report:
    """Check the given files (default: every file under agreements/) and report all findings.

    Cross-file rules always see the whole year folder of a file, but only findings in the
    requested files are reported (so a pre-commit hook on one changed file stays precise).
    Year folders are checked one at a time (memory stays flat however many there are), in a
    process pool (see `pool_size`; by default one process per CPU when there are
    POOL_THRESHOLD files or more); the findings are the same and in the same order either way.
    `progress` is told (files done, files in all) after each year folder. With a `cache`,
    files found clean before (same bytes, same schema, same ovk) are not parsed again, and
    a member whose stat its year folder's index recorded is not even opened (its verdict,
    findings included, comes from the index; see ovk/validate/index.py).
    """
    selection = select(root, list(paths))
    count = sum(len(year.members) for year in selection.years)
    findings: list[Finding] = []
    done = 0
    jobs: list[Job] = []
    for year in selection.years:
        # A year folder whose members all stat as its index recorded is answered here, from
        # the index alone: a warm run starts no worker.
        warm = (
            _check_indexed(root, year, max_bytes, cache, stat_only=True) if cache and fast else None
        )
        if warm is None:
            jobs.append((root, year, max_bytes, fast, cache))
            continue
        findings.extend(warm)
        done += len(year.members)
        if progress:
            progress(done, count)
    workers = pool_size(workers, len(jobs), sum(len(job[1].members) for job in jobs))
    if workers > 1:
        with worker_pool(workers) as (pool, forked):
            if forked:  # what the workers need, made once before they are forked
                warm_up()
                for kind in KINDS:
                    fast_validator(kind, _schema_dir(root))
            # Small chunks (a few year folders each) so that no worker idles long at the end
            # while another finishes a big chunk: M cold 6.63-7.39 s against 6.76-7.79 s
            # with chunks of 18 (three alternating runs, 2 CPUs, shared).
            chunk = max(1, len(jobs) // (workers * 32))
            with _signals_held():  # the workers start (fork) while no signal can reach them
                results = pool.map(check_year_folder, jobs, chunksize=chunk)
            for job, found in zip(jobs, results, strict=True):
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
    findings = [f for f in findings if selection.reported(f)] + list(selection.problems)
    return Report(sorted(set(findings)), selection.files)


def pool_size(requested: int | None, folders: int, files: int) -> int:
    """How many processes check `folders` year folders of `files` files: as `requested` (by
    default one per CPU from POOL_THRESHOLD files, else one), but never more than there are
    year folders nor WORKERS_PER_CPU per CPU (`--jobs 100000` gets a handful, not 100000)."""
    cpus = _cpus()
    wanted = requested if requested is not None else (cpus if files >= POOL_THRESHOLD else 1)
    return max(1, min(wanted, folders, WORKERS_PER_CPU * cpus))


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_HELD = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def worker_pool(workers: int) -> Iterator[tuple[ProcessPoolExecutor, bool]]:
    """A process pool (and whether its workers are forked) that no worker outlives: on any
    exception in the block, Ctrl-C and (through the command line's handler) SIGTERM
    included, every worker is killed before the exception goes on.

    Workers ignore SIGINT and SIGTERM, so a Ctrl-C or a SIGTERM that reaches the whole
    process group stops the command once, in the parent, which ends them; on Linux a worker
    also dies with its parent (PR_SET_PDEATHSIG), should the parent be killed outright. A
    worker that dies on its own (the kernel's out-of-memory killer, say) is a RunError."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    forked = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forked else None)
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_started, initargs=(os.getpid(),)
    )
    try:
        yield pool, forked
    except BrokenProcessPool:
        _stop(pool)
        raise RunError(
            "a worker process died while validating (out of memory?); run again, or in one process"
        ) from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers (they hold nothing to clean up) and wait until the pool has
    reaped them (its manager thread sees them die, fails what was pending and joins them)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _worker_started(parent: int) -> None:
    """In each worker: Ctrl-C and SIGTERM are the parent's to handle, and the worker ends
    with the parent. What a forked worker inherits (the modules, every year folder's
    listing) is moved out of its garbage collector's sight: the worker never frees it, and
    each full collection would traverse it, writing to pages the worker shares with the
    parent until the kernel copies them."""
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform == "linux":
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
        if os.getppid() != parent:  # pragma: no cover - the parent died before prctl
            os._exit(1)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while workers start, so a worker never runs the parent's
    handlers; they are delivered (to the parent) when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


Job = tuple[Path, YearMembers, int, bool, Cache | None]


def check_year_folder(job: Job) -> list[Finding]:
    """Every finding of one year folder's files, their own and across them."""
    root, members, max_bytes, fast, cache = job
    return _check_members(root, members, max_bytes, fast, cache, {})


def check_changes(
    root: Path, year_dir: Path, changes: Mapping[Path, str], cache: Cache | None = None
) -> list[Finding]:
    """The findings a year folder would gain if each path of `changes` (a new file of the
    year, or one of its members) held the text given: the same checks as `validate` (each
    file's own and those across the year), run before anything is written, so that a command
    writes only what validates. Findings the year has without the changes are not counted."""
    listing = year_members(root, year_dir)
    before = set(_check_members(root, listing, DEFAULT_MAX_BYTES, True, cache, {}))
    given = {}
    members = list(listing.members)
    for path, text in changes.items():
        member = agreement_file(path, root)
        given[member.display] = text.encode("utf-8")
        if all(m.display != member.display for m in members):
            members.insert(_place_in(members, member), member)
    changed = replace(listing, members=tuple(members))
    after = _check_members(root, changed, DEFAULT_MAX_BYTES, True, cache, given)
    return sorted(set(after) - before)


def _place_in(members: list[Member], new: Member) -> int:
    """Where the listing would hold `new`: by kind, then by name within its folder."""
    order = list(FILE_KINDS)
    at = 0
    for index, member in enumerate(members):
        earlier_kind = order.index(member.kind) < order.index(new.kind)
        same_folder = member.kind == new.kind and member.path.parent == new.path.parent
        if earlier_kind or (same_folder and member.path.name < new.path.name):
            at = index + 1
    return at


def _check_members(
    root: Path,
    members: YearMembers,
    max_bytes: int,
    fast: bool,
    cache: Cache | None,
    given: Mapping[str, bytes],
) -> list[Finding]:
    """`check_year_folder`, with the members shown in `given` read from the bytes given."""
    if cache is not None and fast and not given:
        indexed = _check_indexed(root, members, max_bytes, cache)
        assert indexed is not None  # only a stat-only look gives up
        return indexed
    findings: list[Finding] = []
    year = _year_files(members)
    if members.kolada is not None:
        year.kolada = (
            members.kolada.display,
            read_capped(Path(members.kolada.location), max_bytes),
        )
    modelines = Modelines()
    for file in members.members:
        raw = given.get(file.display)
        own = check_file(
            file,
            root,
            max_bytes,
            fast=fast,
            cache=cache if raw is None else None,
            modelines=modelines,
            raw=raw,
        )
        findings.extend(own.findings)
        _use(year, members.display, file, own)
    if members.members or members.problems:
        findings.extend(check_year(year, members.display))
    return findings


def _year_files(members: YearMembers) -> YearFiles:
    """What the cross-file rules are given of a year folder, before its members are added:
    the members that could not be read (which are not missing)."""
    from ovk.validate.rules import YearFiles

    year = YearFiles(members.year_dir)
    for problem in members.problems:
        _broken(year, members.display, problem.file)
    return year


def check_year(year: YearFiles, display: str) -> list[Finding]:
    """The cross-file rules of ovk/validate/rules.py, imported only when a year folder's must
    run (a warm run takes their findings from the index)."""
    from ovk.validate.rules import check_year as rules

    return rules(year, display)


def _use(year: YearFiles, year_display: str, file: Member, own: FileResult) -> None:
    """Give the cross-file rules a member's document, or mark it as present but unusable."""
    if own.document is None or _not_conforming(own.findings):
        _broken(year, year_display, file.display)
    else:
        _attach(year, file, own.document)


@dataclass
class _Seen:
    """A member as a run through the index saw it: its recorded verdict (None when it could
    not be recorded), its bytes when they were read, and its result when it was checked."""

    file: Member
    verdict: Verdict | None
    raw: bytes | None = None
    own: FileResult | None = None


def _check_indexed(
    root: Path, members: YearMembers, max_bytes: int, cache: Cache, *, stat_only: bool = False
) -> list[Finding] | None:
    """`check_year_folder` through the year's index (ovk/validate/index.py): a member whose
    stat is recorded and not racy is not opened; one whose bytes hash as recorded is not
    checked again; any other is checked, and its verdict recorded. The cross-file rules run
    only when the year's digest is not the one their recorded findings were made under.

    With `stat_only`, nothing is read but the index and nothing written: None unless every
    member is trusted on its stat and the rules' findings are recorded (what the parent asks
    before it gives a year folder to a worker)."""
    key = cache.index_key(_schema_dir(root), f"max_bytes={max_bytes}")
    index = YearIndex.open(cache, members.display, key)
    modelines = Modelines()
    findings: list[Finding] = []
    seen: list[_Seen] = []
    for file in members.members:
        status = signature(file.location)
        verdict = index.trusted(file.display, status) if status is not None else None
        if verdict is not None:
            item = _Seen(file, verdict)
        elif stat_only:
            return None
        else:
            item = _check_unindexed(file, status, root, max_bytes, cache, index)
        seen.append(item)
        if item.verdict is None:
            assert item.own is not None
            findings.extend(_with_modeline(item.own, file, modelines).findings)
            continue
        findings.extend(findings_of(file.display, item.verdict))
        first_line = item.verdict["l"]
        if first_line is not None:
            findings.extend(modelines.findings(first_line, file))
    recorded = [
        (s.file.display, s.file.kind, index.recorded_sha(s.file.display) if s.verdict else None)
        for s in seen
    ]
    snapshot = None
    if members.kolada is not None:
        snapshot = _indexed_snapshot(members.kolada, max_bytes, index, stat_only=stat_only)
        if snapshot is None:
            return None
        recorded.append((members.kolada.display, "kolada", snapshot.sha))
    digest = year_digest(members.display, recorded, [p.file for p in members.problems])
    rules = index.rule_findings(digest)
    if rules is None:
        if stat_only:
            return None
        rules, data, complete = _run_rules(root, members, max_bytes, cache, index, seen, snapshot)
        index.record_rules(digest if complete else None, rules, data)
    index.save()
    return findings + rules


# The verdict recorded of a year's Kolada snapshot: no findings of its own (the cross-file
# rules judge it), no first line, no data in the data file (its bytes are read when they run).
SNAPSHOT_VERDICT: Verdict = {"f": [], "l": None, "d": False}


@dataclass
class _SeenSnapshot:
    """A year's Kolada snapshot as a run through the index saw it: its SHA-256 (None: it
    could not be read, so not recorded) and its bytes when they were read."""

    sha: str | None
    raw: bytes | None = None


def _indexed_snapshot(
    place: Attached, max_bytes: int, index: YearIndex, *, stat_only: bool
) -> _SeenSnapshot | None:
    """The snapshot trusted on its stat (not opened), else read and recorded; None when
    `stat_only` must give up (it is not trusted on its stat)."""
    status = signature(place.location)
    if status is not None and index.trusted(place.display, status) is not None:
        return _SeenSnapshot(index.recorded_sha(place.display))
    if stat_only:
        return None
    raw = read_capped(Path(place.location), max_bytes) if status is not None else None
    if raw is None:
        return _SeenSnapshot(None)
    assert status is not None
    sha = digest(raw)
    index.record(place.display, status, sha, SNAPSHOT_VERDICT)
    return _SeenSnapshot(sha, raw)


def _check_unindexed(
    file: Member,
    status: Signature | None,
    root: Path,
    max_bytes: int,
    cache: Cache,
    index: YearIndex,
) -> _Seen:
    """A member the index cannot vouch for on its stat: read and hashed, its recorded verdict
    taken when the bytes are the recorded ones, else checked (and its verdict recorded)."""
    raw = read_capped(file.path, max_bytes) if status is not None else None
    if raw is None:  # not a regular file, unreadable or over the cap: never recorded
        return _Seen(file, None, None, _own_check(file, root, max_bytes, True, cache, None))
    sha = digest(raw)
    verdict = index.same_bytes(file.display, sha)
    own = None
    if verdict is None:
        own = _own_check(file, root, max_bytes, True, cache, raw)
        verdict = verdict_of(file.display, own.findings, *_recordable(own))
        if verdict is None:
            return _Seen(file, None, raw, own)
    assert status is not None
    index.record(file.display, status, sha, verdict)
    return _Seen(file, verdict, raw, own)


def _recordable(own: FileResult) -> tuple[str | None, Any]:
    """What a member's verdict records besides its findings: its first line (None without a
    document) and its data when the cross-file rules read it (else MISSING)."""
    if own.document is None:
        return None, MISSING
    conforms = not _not_conforming(own.findings)
    return own.document.first_line, own.document.data if conforms else MISSING


def _run_rules(
    root: Path,
    members: YearMembers,
    max_bytes: int,
    cache: Cache,
    index: YearIndex,
    seen: list[_Seen],
    snapshot: _SeenSnapshot | None,
) -> tuple[list[Finding], dict[str, Any], bool]:
    """The cross-file findings of a year folder run through its index, the data they read
    (by SHA-256, for the year's data file) and whether the findings may be recorded (not when
    a member's recorded data was gone, or the snapshot was read only now, and its bytes had
    changed since it was stat'ed)."""
    year = _year_files(members)
    data: dict[str, Any] = {}
    complete = True
    if members.kolada is not None and snapshot is not None:
        raw = snapshot.raw
        if raw is None and snapshot.sha is not None:  # trusted on its stat: read only now
            raw = read_capped(Path(members.kolada.location), max_bytes)
            complete = raw is not None and digest(raw) == snapshot.sha
        year.kolada = (members.kolada.display, raw)
    for item in seen:
        file, verdict, own = item.file, item.verdict, item.own
        sha = index.recorded_sha(file.display) if verdict is not None else None
        if own is None and sha is not None and verdict is not None and verdict["d"]:
            document = _recorded_document(file, verdict, index.data(sha), item.raw)
            if document is None:  # its data is not in the data file: checked again
                raw = item.raw if item.raw is not None else read_capped(file.path, max_bytes)
                own = _own_check(file, root, max_bytes, True, cache, raw)
                complete = complete and raw is not None and digest(raw) == sha
            else:
                own = FileResult(document, [])
        if own is None:  # recorded as not read by the rules
            _broken(year, members.display, file.display)
            continue
        _use(year, members.display, file, own)
        if sha is not None and own.document is not None and not _not_conforming(own.findings):
            data[sha] = own.document.data
    findings = check_year(year, members.display) if members.members or members.problems else []
    return findings, data, complete


def _recorded_document(
    file: Member, verdict: Verdict, data: Any, raw: bytes | None
) -> Document | None:
    """The document a recorded verdict and its recorded data stand for (None when the data
    is MISSING); its text is read only when a cross-file finding needs to locate a value."""
    if data is MISSING:
        return None
    text = raw.decode("utf-8-sig") if raw is not None else None
    return Document(
        data,
        first_line=verdict["l"],
        unlocated=text,
        source=None if text is not None else partial(_text_of, file.path),
    )


def _text_of(path: Path) -> str | None:
    raw = read_capped(path)
    return raw.decode("utf-8-sig") if raw is not None else None


def _not_conforming(findings: list[Finding]) -> bool:
    return any(f.rule in NOT_CONFORMING_RULES for f in findings)


def _broken(year: YearFiles, year_display: str, display: str) -> None:
    """Mark a file as present but unusable; the rules know the year's own files by their
    .yaml name, so a broken overenskommelse.yml is marked under that name too."""
    year.broken.add(display)
    kind, _ = classify(Path(display))
    stem = FILE_KINDS[kind].stem if kind else None
    if stem is not None:
        year.broken.add(f"{year_display}/{stem}.yaml")


ENTRY_LIMIT = 8  # a cache entry's JSON may be this many times its file's bytes (escapes)


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
    modelines: Modelines | None = None,
    raw: bytes | None = None,
) -> FileResult:
    """Load one member and check it against the schema of its kind.

    With `fast`, a file the C parser reads without doubt and its schema accepts needs no
    locations; every other file takes the located path, which alone makes findings. With a
    `cache`, such clean files are remembered by content (see ovk/validate/cache.py). With
    `raw`, the file is read from those bytes instead (a file not written yet).
    """
    if raw is None:
        raw = read_capped(file.path, max_bytes) if fast else None
    return _with_modeline(_own_check(file, root, max_bytes, fast, cache, raw), file, modelines)


def _with_modeline(own: FileResult, file: Member, modelines: Modelines | None) -> FileResult:
    if own.document is None:
        return own
    modeline = (modelines or Modelines()).findings(own.document.first_line, file)
    return FileResult(own.document, own.findings + modeline)


def _own_check(
    file: Member, root: Path, max_bytes: int, fast: bool, cache: Cache | None, raw: bytes | None
) -> FileResult:
    """`check_file` without the modeline's findings: what the file's bytes alone decide."""
    key = ""
    if cache and raw:
        schemas = _schema_dir(root)
        key = cache.key(file.kind, schemas, raw)
        data = cache.get(key, ENTRY_LIMIT * len(raw) + 1024)
        # The same bytes were clean under the same schema and ovk, and the data is of a shape
        # the schema accepts; an entry that is not is a miss, and written again below.
        if data is not MISSING and quick_acceptor(file.kind, schemas)(data):
            text = raw.decode("utf-8-sig")
            hit = Document(data, first_line=text.split("\n", 1)[0], unlocated=text)
            return FileResult(hit, [])
    checked = load_checked(file, _schema_dir(root), max_bytes, fast=fast, raw=raw)
    if checked.document is None:
        return FileResult(None, checked.findings)
    if cache and key and not checked.findings:
        cache.put(key, checked.document.data)
    return FileResult(checked.document, checked.findings)


@cache
def _schema_dir(root: Path) -> Path:
    # Like the validators, found once per run: the schemas do not change while ovk runs.
    return schema_dir(root)


def _attach(year: YearFiles, file: Member, document: Document) -> None:
    entry = (file.display, document)
    if file.kind == "overenskommelse":
        year.overenskommelse = entry
    elif file.kind == "malomraden":
        year.malomraden = entry
    elif file.kind == "division":
        year.divisions.append(entry)
    elif file.kind == "uppfoljning":
        year.reports.append(entry)
    else:
        year.uppdrag.append(entry)


class Modelines:
    """What one run learns of modelines: which schemas exist (one stat per folder and target)
    and which first lines were sound for a kind in a folder (most of a folder's files carry
    the same one, so a warm run matches each only once)."""

    def __init__(self) -> None:
        self.present: dict[tuple[str, str], bool] = {}
        self.sound: set[tuple[str, str, str]] = set()

    def findings(self, first_line: str, file: Member) -> list[Finding]:
        """The findings of the modeline that `file`'s `first_line` holds."""
        known = (file.display.rpartition("/")[0], file.kind, first_line)  # its folder, shown
        if known in self.sound:
            return []
        found = _modeline_findings(first_line, file, os.path.dirname(file.location), self.present)
        if not found:
            self.sound.add(known)
        return found


def _modeline_findings(
    first_line: str, file: Member, folder: str, present: dict[tuple[str, str], bool]
) -> list[Finding]:
    expected = KINDS[file.kind]
    match = MODELINE.match(first_line.lstrip("\ufeff"))
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
    if "://" not in target:
        exists = present.get((folder, target))
        if exists is None:
            exists = present[(folder, target)] = os.path.isfile(os.path.join(folder, target))
        if not exists:
            return [finding(file.display, 1, 1, "modeline", f"schema {target} does not exist")]
    return []
