"""`ovk new`: scaffolded files are valid and formatted; a new year starts from the last one."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from ovk.validate.engine import validate
from ovk.yamlio.loader import load_path
from tests.conftest import AGREEMENTS, REPO, run_ovk, shipped_years


def ovk(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_ovk("--root", str(root), *args)
    return result.exit_code, result.stdout, result.stderr


def assert_valid_and_formatted(root: Path, *paths: Path) -> None:
    report = validate(root, list(paths))
    assert report.findings == [], report.findings
    code, out, err = ovk(root, "fmt", "--check", *map(str, paths))
    assert code == 0, out + err


def test_new_uppdrag_is_valid_and_formatted(base_tree: Path) -> None:
    code, out, err = ovk(
        base_tree,
        *("new", "uppdrag", "--year", "2026", "--number", "2.1.9"),
        *("--title", "Ny e-tjänst för bygglov", "--owners", "KLK,TEK", "--lead", "KLK"),
        *("--due", "2026-12-31", "--origin", "KF"),
    )
    assert code == 0, err
    path = base_tree / "agreements/2026/uppdrag/ny-e-tjanst-for-bygglov.yaml"
    assert out == "created agreements/2026/uppdrag/ny-e-tjanst-for-bygglov.yaml\n"
    assert_valid_and_formatted(base_tree, path)
    document = load_path(path, "x").document
    assert document is not None
    data = document.data
    assert (data["number"], data["owners"], data["lead"], data["due"], data["origin"]) == (
        "2.1.9",
        ["KLK", "TEK"],
        "KLK",
        "2026-12-31",
        "KF",
    )
    assert data["followup"] == ["vår", "delår", "helår"]


def test_new_uppdrag_refuses_to_overwrite_and_bad_codes(base_tree: Path) -> None:
    args = ("new", "uppdrag", "--title", "x", "--owners", "KLK", "--id", "okat-valdeltagande")
    code, _, err = ovk(base_tree, *args)
    assert code == 2 and "exists" in err
    code, _, err = ovk(base_tree, "new", "uppdrag", "--title", "Nytt", "--owners", "XYZ")
    assert code == 2 and err.startswith("ovk: error: --owners 'XYZ'")
    code, _, err = ovk(
        base_tree, "new", "uppdrag", "--title", "Nytt", "--owners", "KLK", "--due", "2026-02-30"
    )
    assert code == 2 and "--due" in err


def test_new_division_is_valid_and_formatted(base_tree: Path) -> None:
    code, out, err = ovk(
        base_tree,
        "new",
        "division",
        "--year",
        "2026",
        "--code",
        "ROS",
        "--name",
        "Räddning och säkerhet",
    )
    assert code == 0, err
    assert "agreements/2026/divisions/ROS.yaml" in out
    agreement = (base_tree / "agreements/2026/overenskommelse.yaml").read_text(encoding="utf-8")
    assert "  - {code: ROS, name: Räddning och säkerhet}\n" in agreement
    assert_valid_and_formatted(base_tree, base_tree / "agreements/2026")


def test_new_year_copies_forward_and_validates(base_tree: Path) -> None:
    code, out, err = ovk(base_tree, "new", "year", "2027", "--from", "2026")
    assert code == 0, err
    new = base_tree / "agreements/2027"
    assert_valid_and_formatted(base_tree, new)
    old_uppdrag = {p.name for p in (base_tree / "agreements/2026/uppdrag").glob("*.yaml")}
    carried = {p.name for p in (new / "uppdrag").glob("*.yaml")}
    left = old_uppdrag - carried
    assert carried and left
    for name in left:
        assert f"agreements/2026/uppdrag/{name}" in out
    for name in carried:
        data = load_path(new / "uppdrag" / name, name).document
        assert data is not None and data.data["due"] >= "2027-01-01"
        assert data.data["year"] == 2027
    assert sorted(p.name for p in (new / "divisions").glob("*.yaml")) == sorted(
        p.name for p in (base_tree / "agreements/2026/divisions").glob("*.yaml")
    )
    old = load_path(base_tree / "agreements/2026/malomraden.yaml", "x").document
    copied = load_path(new / "malomraden.yaml", "x").document
    assert old is not None and copied is not None
    assert {**copied.data, "year": 2026} == old.data  # goals carried over unchanged


def test_the_new_year_folder_has_the_mode_of_any_new_folder(base_tree: Path) -> None:
    """Not the 0700 of the private staging folder it was assembled in."""
    code, _, err = ovk(base_tree, "new", "year", "2027", "--from", "2026")
    assert code == 0, err
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((base_tree / "agreements/2027").stat().st_mode) == 0o777 & ~umask


@pytest.mark.data
def test_the_latest_shipped_year_carries_forward_valid_and_formatted(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(AGREEMENTS, root / "agreements")
    shutil.copytree(REPO / "schema", root / "schema")
    latest = shipped_years()[-1]
    code, _, err = ovk(root, "new", "year", str(latest + 1), "--from", str(latest))
    assert code == 0, err
    assert_valid_and_formatted(root, root / "agreements" / str(latest + 1))


def test_new_year_never_overwrites(two_year_tree: Path) -> None:
    files = {p: p.read_bytes() for p in (two_year_tree / "agreements/2027").rglob("*.yaml")}
    code, _, err = ovk(two_year_tree, "new", "year", "2027", "--from", "2026")
    assert code == 2 and "exists" in err
    assert {p: p.read_bytes() for p in (two_year_tree / "agreements/2027").rglob("*.yaml")} == files
    assert not list((two_year_tree / "agreements").glob(".*"))  # no staging folder left


def test_new_uppdrag_with_a_number_taken_is_written_and_reported(base_tree: Path) -> None:
    code, out, _ = ovk(
        base_tree, "new", "uppdrag", "--title", "Dubbel", "--owners", "KLK", "--number", "2.1.3"
    )
    assert code == 1
    assert "created agreements/2026/uppdrag/dubbel.yaml" in out and "duplicate-number" in out


@pytest.mark.parametrize("command", ["uppdrag", "division", "year"])
def test_every_new_command_has_help_with_an_example(command: str) -> None:
    result = run_ovk("new", command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and f"ovk new {command}" in result.stdout


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--lead", "KLK,TEK", "ovk: error: --lead names one division, not 2 (KLK,TEK)"),
        ("--id", "ett-id\n", "ovk: error: --id 'ett-id\\n' is not an id"),
        ("--number", "2.1.9\n", "ovk: error: --number '2.1.9\\n' is not a number"),
    ],
)
def test_new_uppdrag_refuses_what_is_not_one_value_of_its_form(
    base_tree: Path, option: str, value: str, message: str
) -> None:
    code, _, err = ovk(
        base_tree, "new", "uppdrag", "--title", "Nytt", "--owners", "KLK,TEK", option, value
    )
    assert code == 2 and err.startswith(message)
    assert not list((base_tree / "agreements/2026/uppdrag").glob("nytt*"))
