"""The briefing of a pull request: every year folder it touches, compared with its base.

What CI puts in the job summary and the pull-request comment (`ovk ci briefing BASE`). The
base is the commit the pull request started from (the merge base of BASE and HEAD), so the
briefing shows what the pull request changes, not what the base branch gained since. Each
touched year is compared with the same year there; a year folder the pull request adds is
compared with the year before it (the latest earlier year folder, at the base, else in the
working tree when the branch adds it too), since that is the review a new year needs; a
removed year is said to be removed. The texts are Swedish: they are for the agreement's
reviewers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from ovk.diff import revisions
from ovk.diff.compare import diff
from ovk.diff.report import REPORTERS
from ovk.errors import UsageError
from ovk.model.layout import AGREEMENTS
from ovk.model.read import available_years

YEAR_FOLDER = re.compile(rf"^{AGREEMENTS}/([0-9]{{4}})/")
YEAR = re.compile(r"^[0-9]{4}$")


def briefing(root: Path, base: str) -> str:
    """The Markdown briefing of every year folder changed since `base` (a git revision, e.g.
    origin/main); a line saying so when none is."""
    fork = _fork_point(root, base)
    shown = base if revisions.commit(root, base) == fork else fork
    before = _years_at(root, fork)
    now = available_years(root)
    parts = []
    for year in touched_years(root, fork):
        parts.append("".join(_year_briefing(root, shown, year, before, now)))
    if not parts:
        return f"Pull requesten ändrar inget under {AGREEMENTS}/.\n"
    return "\n".join(parts)


def touched_years(root: Path, rev: str) -> list[int]:
    """The years whose folder differs between `rev` and the working tree (files not yet
    added to git included), oldest first."""
    changed = _names(root, "diff", "--name-only", "--relative", "-z", "--end-of-options", rev)
    untracked = _names(root, "ls-files", "-z", "--others", "--exclude-standard")
    return sorted({int(m.group(1)) for n in changed + untracked if (m := YEAR_FOLDER.match(n))})


def _names(root: Path, *args: str) -> list[str]:
    """The NUL-separated paths a git command lists under agreements/, relative to `root`."""
    done = revisions._git(root, *args, "--", f"{AGREEMENTS}/")
    if done.returncode != 0:
        raise revisions.GitError(revisions.said(done.stderr, f"git {args[0]} failed"))
    return [n for n in done.stdout.decode("utf-8", "surrogateescape").split("\0") if n]


def _year_briefing(
    root: Path, base: str, year: int, before: list[int], now: list[int]
) -> Iterator[str]:
    if year in before and year in now:
        yield _markdown(root, f"{base}:{year}", str(year))
    elif year in before:
        yield f"# {AGREEMENTS}/{year} tas bort\n\nPull requesten tar bort året {year}.\n"
    elif earlier := sorted(y for y in {*before, *now} if y < year):
        previous = earlier[-1]  # at the base if it is there, else new in the branch too
        old = f"{base}:{previous}" if previous in before else str(previous)
        yield _markdown(root, old, str(year))
    else:
        yield f"# Nytt år {year}\n\n{AGREEMENTS}/{year} är förrådets första år: det finns "
        yield "inget tidigare år att jämföra med.\n"


def _markdown(root: Path, old: str, new: str) -> str:
    out = io.StringIO()
    REPORTERS["markdown"](diff(root, old, new), out, None)
    return out.getvalue()


def _fork_point(root: Path, base: str) -> str:
    if revisions.commit(root, base) is None:
        hint = " (this clone is shallow: fetch the base branch's history)"
        raise UsageError(f"{base!r} is not a git revision{hint if revisions.shallow(root) else ''}")
    done = revisions._git(root, "merge-base", "--end-of-options", base, "HEAD")
    if done.returncode != 0:
        shallow = " (this clone is shallow: fetch with depth 0)" if revisions.shallow(root) else ""
        raise UsageError(f"{base!r} and HEAD have no common commit{shallow}")
    return done.stdout.decode("ascii", "replace").strip()


def _years_at(root: Path, rev: str) -> list[int]:
    """The year folders under agreements/ at `rev`, oldest first."""
    names = [Path(n).name for n in _names(root, "ls-tree", "--name-only", "-z", rev)]
    return sorted(int(n) for n in names if YEAR.match(n))


# The comment's first line, hidden when GitHub or GitLab shows it: CI finds its earlier
# comment by it and edits that one instead of adding another.
COMMENT_MARKER = "<!-- ovk-briefing -->"
# GitHub refuses a comment over 65,536 characters (GitLab's notes allow more): the briefing
# is cut well under it, at a line, with a pointer to where it is whole.
COMMENT_LIMIT = 60_000


def comment(text: str, link: str | None = None, limit: int = COMMENT_LIMIT) -> str:
    """The pull-request comment of a briefing: the marker line, then the briefing, cut at a
    line under `limit` characters with a line saying where the whole is (`link`, the job's
    summary or log)."""
    body = f"{COMMENT_MARKER}\n{text}"
    if len(body) <= limit:
        return body
    where = f"[jobbets sammanfattning]({link})" if link else "jobbets sammanfattning"
    pointer = f"\n\n… Genomgången är avkortad här; hela finns i {where}.\n"
    kept = body[: limit - len(pointer)]
    kept = kept[: kept.rfind("\n") + 1] or kept
    return kept + pointer
