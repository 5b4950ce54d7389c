"""Values for shell completion, read cheaply from the folder layout (no YAML is parsed)."""

from __future__ import annotations

from pathlib import Path

from ovk.errors import UsageError
from ovk.model.layout import AGREEMENTS, find_root, year_dirs, year_members


def _root(root: Path | None) -> Path | None:
    try:
        found = root if root is not None else find_root()
    except UsageError:
        return None
    return found if (found / AGREEMENTS).is_dir() else None


def years(root: Path | None, incomplete: str = "") -> list[str]:
    """The year folders, newest first, that start with `incomplete`."""
    found = _root(root)
    if found is None:
        return []
    names = [d.name for d in year_dirs(found)]
    return sorted((y for y in names if y.startswith(incomplete)), reverse=True)


def division_codes(root: Path | None, incomplete: str = "") -> list[str]:
    """The division codes that have a file in any year; for a comma-separated list
    ('KLK,T'), the completions of its last item, each after the items already typed."""
    found = _root(root)
    if found is None:
        return []
    members = (year_members(found, d).of("division") for d in year_dirs(found))
    codes = sorted({m.stem for division in members for m in division})
    done, _, last = incomplete.rpartition(",")
    typed = set(done.split(",")) if done else set()
    prefix = f"{done}," if done else ""
    return [prefix + c for c in codes if c.startswith(last.upper()) and c not in typed]
