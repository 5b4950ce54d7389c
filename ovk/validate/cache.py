"""An optional cache of the files `ovk validate` found clean, keyed by their content.

A hit skips reading the YAML: the entry holds the file's data (JSON), so cross-file rules,
which always run, still see every document. The key covers everything the verdict depends
on: ovk's version, the parser and validator versions, the schema's bytes, the file's kind and
the file's bytes; so an entry is never stale, only unused. Files with findings are never
cached (they take the located path every time), and modeline findings, which depend on where
the file stands, are always recomputed. The cache lives in ROOT/.ovk-cache/ (it ignores
itself in git); `ovk validate --no-cache` neither reads nor writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ovk import __version__

CACHE_FOLDER = ".ovk-cache"
_MISSING: Any = object()


class Cache:
    """Content-keyed entries under one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "v1"

    def key(self, kind: str, schema: Path, raw: bytes) -> str:
        digest = hashlib.sha256(_salt(kind, schema))
        digest.update(raw)
        return digest.hexdigest()

    def get(self, key: str) -> Any:
        """The cached data, or `MISSING`."""
        try:
            return json.loads((self.folder / key[:2] / key).read_text(encoding="utf-8"))["data"]
        except (OSError, ValueError, KeyError, TypeError):
            return _MISSING

    def put(self, key: str, data: Any) -> None:
        target = self.folder / key[:2] / key
        try:
            if not self.folder.exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder.parent / ".gitignore").write_text("*\n", encoding="utf-8")
            target.parent.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"data": data}, out, ensure_ascii=False)
            os.replace(temporary, target)  # whole entries only, even with parallel workers
        except OSError:
            pass  # a cache that cannot be written is just not used


MISSING = _MISSING


@cache
def _salt(kind: str, schema: Path) -> bytes:
    versions = [__version__, kind]
    for package in ("ruamel.yaml", "ruamel.yaml.clib", "jsonschema-rs"):
        try:
            versions.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package}=?")
    schema_digest = hashlib.sha256(schema.read_bytes()).hexdigest()
    return "\n".join([*versions, schema_digest, ""]).encode()
