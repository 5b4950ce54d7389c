"""No input bytes make ovk crash, hang or blow up: each hostile change to an agreement file of
the example tree gives exit 1 and a finding located in that file, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import make_tree, run_ovk

UPPDRAG = "agreements/2026/uppdrag/okat-valdeltagande.yaml"
ALIAS_BOMB = (
    "\n".join(
        [f'a0: &a0 ["{"x" * 10}"]']
        + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    )
    + "\n"
)


def replace(old: str, new: str) -> Callable[[bytes], bytes]:
    def change(raw: bytes) -> bytes:
        assert old.encode() in raw
        return raw.replace(old.encode(), new.encode(), 1)

    return change


HOSTILE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "duplicated key": (lambda raw: raw + b"title: igen\n", "duplicate-key"),
    "unsafe python tag": (
        replace("owners: [KLK]", "owners: !!python/object/apply:os.system [ls]"),
        "unsafe-tag",
    ),
    "impossible date": (replace("due: 2026-12-31", "due: 2026-02-30"), "schema"),
    "end before start": (replace("due: 2026-12-31", "due: 2025-12-31"), "end-before-start"),
    "unknown division code": (replace("owners: [KLK]", "owners: [KLX]"), "unknown-division"),
    "malformed division code": (replace("owners: [KLK]", "owners: [klk]"), "schema"),
    "date replaced by a list": (replace("due: 2026-12-31", "due: [2026, 12]"), "schema"),
    "invalid UTF-8 bytes": (lambda raw: raw.replace("Ökat".encode(), b"\xd6kat", 1), "encoding"),
    "UTF-16": (lambda raw: raw.decode("utf-8").encode("utf-16"), "encoding"),
    "alias bomb": (lambda raw: ALIAS_BOMB.encode(), "alias"),
    "100 000-deep nesting": (lambda raw: b"a: " + b"[" * 100_000 + b"]" * 100_000, "nesting-depth"),
    "deep block nesting": (
        lambda raw: b"".join(b" " * i + b"a:\n" for i in range(3000)),
        "nesting-depth",
    ),
    "over the size cap": (lambda raw: raw + b"# " + b"x" * (6 * 1024 * 1024) + b"\n", "file-size"),
    "empty file": (lambda raw: b"", "schema"),
    "top-level list": (lambda raw: b"- a\n- b\n", "schema"),
    "binary garbage": (lambda raw: bytes(range(256)) * 10, "encoding"),
    "tab indentation": (lambda raw: b"a:\n\t- b\n", "yaml-syntax"),
    "unknown tag": (replace("title: Ökat valdeltagande", "title: !vault Ökat"), "unsafe-tag"),
    "recursive alias": (lambda raw: b"a: &a [*a]\n", "alias"),
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tree(tmp_path_factory.mktemp("hostile") / "repo")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_change_gives_located_finding(tree: Path, name: str) -> None:
    change, rule = HOSTILE[name]
    target = tree / UPPDRAG
    original = target.read_bytes()
    try:
        target.write_bytes(change(original))
        result = run_ovk("--root", str(tree), "validate", "--format", "json")
    finally:
        target.write_bytes(original)
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    findings = json.loads(result.stdout)
    ours = [f for f in findings if f["file"] == UPPDRAG]
    assert rule in {f["rule"] for f in ours}
    assert all(f["line"] >= 1 and f["column"] >= 1 for f in ours)


def test_text_output_names_file_line_and_rule(tree: Path) -> None:
    target = tree / UPPDRAG
    original = target.read_bytes()
    try:
        target.write_bytes(original.replace(b"due: 2026-12-31", b"due: 2026-02-30"))
        result = run_ovk("--root", str(tree), "validate")
    finally:
        target.write_bytes(original)
    assert f"{UPPDRAG}:21:6: schema due: '2026-02-30' is not a valid date" in result.stdout


def test_github_format_prints_annotations(tree: Path) -> None:
    target = tree / UPPDRAG
    original = target.read_bytes()
    try:
        target.write_bytes(original.replace(b"lead: null", b"lead: TEK"))
        result = run_ovk("--root", str(tree), "validate", "--format", "github")
    finally:
        target.write_bytes(original)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"::error file={UPPDRAG},line=16,col=7,title=lead-not-owner::")
