"""The CI workflows of a data repository (a municipality's own, holding only agreements/),
shipped in the package as data: `workflow(kind)` is their one reader, `WORKFLOW_PATHS` where
each stands in a repository."""

from __future__ import annotations

from pathlib import Path

from ovk import REPOSITORY, __version__

WORKFLOW_PATHS = {"github": ".github/workflows/agreements.yml", "gitlab": ".gitlab-ci.yml"}
CI_DATA = Path(__file__).parents[1] / "data" / "ci"


def workflow(kind: str) -> str:
    """The workflow for `kind` ("github" or "gitlab"), installing this version of ovk."""
    if kind not in WORKFLOW_PATHS:
        raise ValueError(f"no workflow for {kind!r}")
    text = (CI_DATA / f"{kind}.yml").read_text(encoding="utf-8")
    return text.replace("@OVK_REPOSITORY@", REPOSITORY).replace("@OVK_VERSION@", __version__)
