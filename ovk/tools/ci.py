"""The CI workflows for a municipality's data repository, shipped with ovk as package data.

`ovk ci github|gitlab` prints one and `ovk init --ci` writes it to its place
(`WORKFLOW_PATHS`). Each installs the ovk that wrote it (`install_spec`), so a repository's
CI keeps the version its files were checked with until someone updates the file.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from ovk import REPOSITORY, __version__
from ovk.errors import UsageError
from ovk.yamlio.atomic import write_atomically

# Where each CI system reads its workflow, relative to the repository's root.
WORKFLOW_PATHS = {"github": ".github/workflows/agreements.yml", "gitlab": ".gitlab-ci.yml"}
# The shipped files hold this where the pinned install goes (a YAML value).
INSTALL_PLACEHOLDER = "__OVK_INSTALL__"


def install_spec(version: str = __version__) -> str:
    """What `pip install` is given: ovk at the tag of `version` from its published home (the
    same place and tag a repository's pre-commit hooks name)."""
    return f"ovk @ git+{REPOSITORY}@v{version}"


def workflow(kind: str) -> str:
    """The workflow for CI system `kind` ("github" or "gitlab"), pinned to this ovk."""
    if kind not in WORKFLOW_PATHS:
        raise ValueError(f"no workflow for {kind!r} (known: {', '.join(WORKFLOW_PATHS)})")
    text = resources.files("ovk").joinpath(f"data/ci/{kind}.yml").read_text(encoding="utf-8")
    # A JSON string is a YAML double-quoted scalar: the spec's spaces and "@" stay one value.
    return text.replace(INSTALL_PLACEHOLDER, json.dumps(install_spec(), allow_nan=False))


def write(kind: str, path: Path, force: bool = False) -> None:
    """Write `workflow(kind)` to `path` (its folders made), atomically and never through a
    link; an existing file only with `force`."""
    if os.path.lexists(path) and not force:
        raise UsageError(f"{path} exists; <force> replaces it", "force")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, workflow(kind))
