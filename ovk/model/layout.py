"""Where things are: the root, the year folders, the kind of each agreement file, the schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ovk.errors import UsageError
from ovk.model.schema import KINDS

AGREEMENTS = "agreements"
YEAR_FOLDER = re.compile(r"^[0-9]{4}$")
YEAR_FILES = {"overenskommelse.yaml": "overenskommelse", "malomraden.yaml": "malomraden"}
KIND_FOLDERS = {"divisions": "division", "uppdrag": "uppdrag"}


def find_root(start: Path | None = None) -> Path:
    """The nearest ancestor of `start` (default: the working directory) holding agreements/."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / AGREEMENTS).is_dir():
            return candidate
    raise UsageError(f"no {AGREEMENTS}/ folder in {here} or its parents; pass --root DIR")


def check_root(root: Path) -> Path:
    """`root` if it holds agreements/, else a usage error."""
    if not (root / AGREEMENTS).is_dir():
        raise UsageError(f"{root} has no {AGREEMENTS}/ folder")
    return root.resolve()


@dataclass(frozen=True)
class AgreementFile:
    """One file of the layout: its path, its kind and the year folder it belongs to."""

    path: Path
    display: str  # as shown in findings: relative to the root when inside it
    kind: str | None  # a key of schemas.KINDS, or None when the file is not part of the layout
    year_dir: Path | None


def classify(path: Path) -> tuple[str | None, Path | None]:
    """The kind of an agreement file and its year folder, from where it stands."""
    parent = path.parent
    if path.name in YEAR_FILES and YEAR_FOLDER.match(parent.name):
        return YEAR_FILES[path.name], parent
    if parent.name in KIND_FOLDERS and YEAR_FOLDER.match(parent.parent.name):
        return KIND_FOLDERS[parent.name], parent.parent
    return None, None


def display_path(path: Path, root: Path, resolved: Path | None = None) -> str:
    try:
        return (resolved or path.resolve()).relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def agreement_file(path: Path, root: Path) -> AgreementFile:
    resolved = _resolve(path)
    kind, year_dir = classify(resolved)
    return AgreementFile(path, display_path(path, root, resolved), kind, year_dir)


def _resolve(path: Path) -> Path:
    """`path.resolve()`, with each folder resolved once (a run names thousands of files)."""
    if path.is_symlink():
        return path.resolve()
    return _resolve_folder(path.parent.absolute()) / path.name


@lru_cache(maxsize=4096)
def _resolve_folder(folder: Path) -> Path:
    return folder.resolve()


def year_files(year_dir: Path) -> list[Path]:
    """Every YAML file of one year folder, in a stable order."""
    files = [year_dir / name for name in YEAR_FILES if (year_dir / name).is_file()]
    for folder in KIND_FOLDERS:
        files.extend(sorted((year_dir / folder).glob("*.yaml")))
    return files


def year_dirs(root: Path) -> list[Path]:
    """The year folders under agreements/, oldest first."""
    base = root / AGREEMENTS
    return sorted(p for p in base.iterdir() if p.is_dir() and YEAR_FOLDER.match(p.name))


def stray_files(root: Path) -> list[Path]:
    """YAML files under agreements/ that are not part of the layout (nothing would check them)."""
    known = {p.resolve() for year_dir in year_dirs(root) for p in year_files(year_dir)}
    found = [*(root / AGREEMENTS).rglob("*.yaml"), *(root / AGREEMENTS).rglob("*.yml")]
    return sorted(p for p in found if p.resolve() not in known)


def schema_dir(root: Path | None) -> Path:
    """The repository's schema/ when it has one, else the copies shipped in the package."""
    if root is not None and all((root / "schema" / name).is_file() for name in KINDS.values()):
        return root / "schema"
    return Path(__file__).parents[1] / "data" / "schema"


def modeline_for(kind: str, depth_below_root: int) -> str:
    """The first line an agreement file of `kind` should carry."""
    return f"# yaml-language-server: $schema={'../' * depth_below_root}schema/{KINDS[kind]}"
