"""Values for shell completion, read cheaply from the folder layout (no YAML is parsed)."""

from __future__ import annotations

from pathlib import Path

from ovk.errors import UsageError
from ovk.model.layout import AGREEMENTS, YEAR_FOLDER, find_root


def _base(root: Path | None) -> Path | None:
    try:
        base = (root if root is not None else find_root()) / AGREEMENTS
    except UsageError:
        return None
    return base if base.is_dir() else None


def years(root: Path | None, incomplete: str = "") -> list[str]:
    """The year folders, newest first, that start with `incomplete`."""
    base = _base(root)
    if base is None:
        return []
    found = [p.name for p in base.iterdir() if p.is_dir() and YEAR_FOLDER.match(p.name)]
    return sorted((y for y in found if y.startswith(incomplete)), reverse=True)


def division_codes(root: Path | None, incomplete: str = "") -> list[str]:
    """The division codes that have a file in any year; for a comma-separated list
    ('KLK,T'), the completions of its last item, each after the items already typed."""
    base = _base(root)
    if base is None:
        return []
    codes = sorted({p.stem for p in base.glob("*/divisions/*.yaml")})
    done, _, last = incomplete.rpartition(",")
    typed = set(done.split(",")) if done else set()
    prefix = f"{done}," if done else ""
    return [prefix + c for c in codes if c.startswith(last.upper()) and c not in typed]
