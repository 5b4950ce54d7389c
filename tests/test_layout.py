"""The one layout: which files are a year's members, alike in every command.

`.yml` is `.yaml`; a link out of the repository, a broken link or a folder named like a file
is one located finding in validate, list and render; and validate's verdict does not depend on
the working folder or on how a path was typed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ovk.cli.completion import division_codes
from ovk.model.layout import year_members
from tests.conftest import AGREEMENTS, REPO, Result, run_ovk

UPPDRAG = Path("agreements/2026/uppdrag")
YML = UPPDRAG / "starkt-arbete-for-tillvaxt.yml"  # owned by alla verksamheter, due 2028
MALOMRADEN = "malomraden.yml"


def as_yml(root: Path) -> Path:
    """The base tree with one uppdrag, the TEK division and malomraden written as .yml."""
    (root / UPPDRAG / "starkt-arbete-for-tillvaxt.yaml").rename(root / YML)
    year = root / "agreements/2026"
    (year / "divisions/TEK.yaml").rename(year / "divisions/TEK.yml")
    (year / "malomraden.yaml").rename(year / MALOMRADEN)
    return root / YML


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


# -- .yml is .yaml ----------------------------------------------------------------------------


def test_yml_members_are_listed_with_their_kind(base_tree: Path) -> None:
    as_yml(base_tree)
    members = year_members(base_tree, base_tree / "agreements/2026")
    assert [m.display for m in members.of("uppdrag")] == [
        "agreements/2026/uppdrag/okat-valdeltagande.yaml",
        YML.as_posix(),
    ]
    assert [m.stem for m in members.of("division")] == ["KLK", "TEK"]
    assert members.problems == ()


def test_validate_checks_a_yml_member_as_its_kind(base_tree: Path) -> None:
    path = as_yml(base_tree)
    assert run_ovk("--root", str(base_tree), "validate").stdout == "6 file(s) valid\n"
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2026", "year: 2025"))
    expected = f"{YML.as_posix()}:3:7: year-mismatch year 2025 in a file of folder 2026"
    for args in ([], ["agreements"], ["agreements/2026/uppdrag"], [str(path)]):
        result = run_ovk("--root", str(base_tree), "validate", *[str(base_tree / a) for a in args])
        assert result.exit_code == 1, args
        assert result.stdout.splitlines()[0] == expected, args


def test_list_and_render_read_a_yml_member(base_tree: Path) -> None:
    as_yml(base_tree)
    listed = json.loads(run_ovk("--root", str(base_tree), "list", "--format", "json").stdout)
    assert {u["id"]: u["file"] for u in listed}["starkt-arbete-for-tillvaxt"] == YML.as_posix()
    rendered = run_ovk("--root", str(base_tree), "render", "TEK")  # TEK.yml, the division
    assert rendered.exit_code == 0, rendered.stderr
    assert "Tekniska divisionen" in rendered.stdout
    assert "Stärkt arbete för tillväxt" in rendered.stdout


def test_fmt_formats_yml_members(base_tree: Path) -> None:
    path = as_yml(base_tree)
    year = base_tree / "agreements/2026"
    canonical = {p: p.read_text(encoding="utf-8") for p in (path, year / MALOMRADEN)}
    path.write_text(canonical[path].replace("owners: [", "owners:   ["), encoding="utf-8")
    (year / MALOMRADEN).write_text(
        canonical[year / MALOMRADEN].replace("year: 2026", "year:   2026"), encoding="utf-8"
    )
    check = run_ovk("--root", str(base_tree), "fmt", "--check")
    assert check.exit_code == 1
    assert check.stdout == (
        f"would reformat agreements/2026/{MALOMRADEN}\nwould reformat {YML.as_posix()}\n"
    )
    assert run_ovk("--root", str(base_tree), "fmt", str(year)).exit_code == 0
    assert {p: p.read_text(encoding="utf-8") for p in canonical} == canonical


def test_new_year_carries_yml_members(base_tree: Path) -> None:
    as_yml(base_tree)
    result = run_ovk("--root", str(base_tree), "new", "year", "2027", "--from", "2026")
    assert result.exit_code == 0, result.stderr
    assert (base_tree / "agreements/2027/uppdrag/starkt-arbete-for-tillvaxt.yml").is_file()
    assert (base_tree / "agreements/2027/divisions/TEK.yml").is_file()
    assert (base_tree / "agreements/2027" / MALOMRADEN).is_file()
    assert run_ovk("--root", str(base_tree), "validate").exit_code == 0


def test_completion_offers_a_yml_division(base_tree: Path) -> None:
    as_yml(base_tree)
    assert division_codes(base_tree) == ["KLK", "TEK"]


# -- links and folders where a file should be -------------------------------------------------


def link_outside(root: Path) -> tuple[Path, str]:
    secret = root.parent / "secret.yaml"
    secret.write_text("password: [hunter2\n", encoding="utf-8")
    (root / UPPDRAG / "link.yaml").symlink_to(secret)
    return (
        UPPDRAG / "link.yaml",
        f"link-outside links to {secret}, outside the repository; it is not read",
    )


def loop(root: Path) -> tuple[Path, str]:
    (root / UPPDRAG / "a.yaml").symlink_to("b.yaml")
    (root / UPPDRAG / "b.yaml").symlink_to("a.yaml")
    return UPPDRAG / "a.yaml", "broken-link links to b.yaml, which loops back; it is not read"


def dangling(root: Path) -> tuple[Path, str]:
    (root / UPPDRAG / "gone.yml").symlink_to("nowhere.yaml")
    return UPPDRAG / "gone.yml", "broken-link links to nowhere.yaml, which does not exist"


def folder(root: Path) -> tuple[Path, str]:
    (root / UPPDRAG / "x.yaml").mkdir()
    return UPPDRAG / "x.yaml", "not-a-file is a folder, though named like an agreement file"


def agreement_folder(root: Path) -> tuple[Path, str]:
    path = root / "agreements/2026/overenskommelse.yaml"
    path.unlink()
    path.mkdir()
    return path.relative_to(root), "not-a-file is a folder, though named like an agreement file"


SNAPSHOT = Path("agreements/2026/kolada.json")  # the year's Kolada snapshot, no member


def snapshot_outside(root: Path) -> tuple[Path, str]:
    secret = root.parent / "secret.json"
    secret.write_text('{"password": "hunter2"}', encoding="utf-8")
    (root / SNAPSHOT).symlink_to(secret)
    return SNAPSHOT, f"link-outside links to {secret}, outside the repository; it is not read"


def snapshot_dangling(root: Path) -> tuple[Path, str]:
    (root / SNAPSHOT).symlink_to("nowhere.json")
    return SNAPSHOT, "broken-link links to nowhere.json, which does not exist"


def snapshot_folder(root: Path) -> tuple[Path, str]:
    (root / SNAPSHOT).mkdir()
    return SNAPSHOT, "not-a-file is a folder, though named like a year's Kolada snapshot"


PROBLEMS = [
    link_outside,
    loop,
    dangling,
    folder,
    agreement_folder,
    snapshot_outside,
    snapshot_dangling,
    snapshot_folder,
]


@pytest.mark.parametrize("make", PROBLEMS, ids=lambda f: f.__name__)
def test_a_layout_problem_is_the_same_located_finding_everywhere(
    base_tree: Path, make: Callable[[Path], tuple[Path, str]]
) -> None:
    where, message = make(base_tree)
    line = f"{where.as_posix()}:1:1: {message}"
    validate = run_ovk("--root", str(base_tree), "validate")
    no_traceback(validate)
    assert validate.exit_code == 1
    assert [x for x in validate.stdout.splitlines() if x.startswith(str(where))] == [line]
    if make is loop:  # b.yaml, the other end, is its own finding
        assert f"{UPPDRAG.as_posix()}/b.yaml:1:1: broken-link" in validate.stdout
    named = run_ovk("--root", str(base_tree), "validate", str(base_tree / where))
    assert named.stdout.splitlines()[0] == line
    for command in (
        ["list"],
        ["list", "--format", "json"],
        ["render", "KLK"],
        ["diff", "2026", "2026"],
        ["export", "--format", "json"],
    ):
        result = run_ovk("--root", str(base_tree), *command)
        no_traceback(result)
        code = 2 if command[0] == "diff" else 1  # diff's 1 means only "differences"
        assert (result.exit_code, result.stdout, result.stderr) == (
            code,
            "",
            f"ovk: error: {line}\n",
        )
    assert "hunter2" not in validate.stdout


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../../outside.yaml"])
def test_a_committed_link_out_of_the_tree_is_the_same_finding_in_a_revision(
    base_tree: Path, target: str
) -> None:
    def git(*args: str) -> None:
        identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        subprocess.run(["git", "-C", str(base_tree), *identity, *args], check=True)

    git("init", "-q")
    (base_tree / UPPDRAG / "link.yaml").symlink_to(target)
    git("add", "-A")
    git("commit", "-qm", "a link out")
    line = (
        f"{UPPDRAG.as_posix()}/link.yaml:1:1: link-outside links to {target}, "
        "outside the repository; it is not read"
    )
    for command in (["diff", "HEAD", "HEAD"], ["diff", "HEAD:2026", "2026"]):
        result = run_ovk("--root", str(base_tree), *command)
        no_traceback(result)
        assert (result.exit_code, result.stderr) == (2, f"ovk: error: {line}\n")


def test_a_year_folder_linked_out_of_the_repository_is_not_a_year(
    base_tree: Path, tmp_path: Path
) -> None:
    (base_tree / "agreements/2027").symlink_to(tmp_path)
    result = run_ovk("--root", str(base_tree), "validate")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"agreements/2027:1:1: link-outside links to {tmp_path}")
    assert run_ovk("--root", str(base_tree), "list", "--year", "2027").exit_code == 2


def test_a_link_inside_the_repository_is_followed_where_it_stands(base_tree: Path) -> None:
    kept = base_tree / "kept"
    kept.mkdir()
    source = base_tree / UPPDRAG / "starkt-arbete-for-tillvaxt.yaml"
    source.rename(kept / source.name)
    source.symlink_to(kept / source.name)
    assert run_ovk("--root", str(base_tree), "validate").stdout == "6 file(s) valid\n"
    listed = json.loads(run_ovk("--root", str(base_tree), "list", "--format", "json").stdout)
    assert (UPPDRAG / source.name).as_posix() in {u["file"] for u in listed}


def test_year_folders_grouped_below_agreements_are_validated(base_tree: Path) -> None:
    """agreements/<kommun>/<year>/, as the benchmark corpus has it (validate and fmt only)."""
    group = base_tree / "agreements/kommun"
    group.mkdir()
    (base_tree / "agreements/2026").rename(group / "2026")
    (group / "anteckningar.yaml").write_text("x: 1\n", encoding="utf-8")
    path = group / "2026/uppdrag/okat-valdeltagande.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2026", "year: 2025"))
    mismatch = "agreements/kommun/2026/uppdrag/okat-valdeltagande.yaml:3:7: year-mismatch"
    stray = "agreements/kommun/anteckningar.yaml:1:1: unknown-file"
    for args in ([], [str(base_tree / "agreements")], [str(group / "2026/uppdrag")]):
        result = run_ovk("--root", str(base_tree), "validate", *args)
        assert result.exit_code == 1
        assert mismatch in result.stdout
        assert (stray in result.stdout) == (len(args) < 1 or args[0].endswith("agreements"))


def test_listing_a_year_is_one_scandir_per_folder_and_resolves_no_path(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = base_tree.resolve()
    scanned: list[str] = []
    resolved: list[str] = []
    real_scandir, real_realpath = os.scandir, os.path.realpath

    def scandir(path: str) -> object:
        scanned.append(Path(path).name)
        return real_scandir(path)

    def realpath(path: str, *args: object, **kwargs: object) -> str:
        resolved.append(os.fspath(path))  # Path.resolve() comes here too
        return real_realpath(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os.path, "realpath", realpath)
    members = year_members(root, root / "agreements/2026")
    assert len(members.members) == 6
    assert sorted(scanned) == ["2026", "divisions", "uppdrag"]
    assert set(resolved) <= {str(root)}  # at most the root, once a run


# -- the working folder and the spelling of a path --------------------------------------------


def outputs_from_everywhere(root: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """`ovk validate` of one target, from the root, the year and the uppdrag folder, with the
    path relative, with ./, absolute, and as '.' from the target folder itself."""
    target = target.resolve()
    seen = set()
    for here in (root, root / "agreements/2026", root / UPPDRAG):
        monkeypatch.chdir(here)
        relative = os.path.relpath(target, here)
        for typed in (relative, f"./{relative}", str(target)):
            for output in ("text", "json"):
                result = run_ovk("validate", "--format", output, typed)
                seen.add(f"{output} {result.exit_code}\n{result.stdout}{result.stderr}")
    if target.is_dir():
        monkeypatch.chdir(target)
        for output in ("text", "json"):
            result = run_ovk("validate", "--format", output, ".")
            seen.add(f"{output} {result.exit_code}\n{result.stdout}{result.stderr}")
    return seen


def test_validate_is_the_same_from_every_folder_and_spelling(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = base_tree.resolve()
    path = root / UPPDRAG / "okat-valdeltagande.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lead: null", "lead: TEK"))
    one = outputs_from_everywhere(root, path, monkeypatch)
    assert len(one) == 2  # one text, one json
    text = next(o for o in one if o.startswith("text"))
    assert text == (
        "text 1\n"
        "agreements/2026/uppdrag/okat-valdeltagande.yaml:16:7: lead-not-owner lead TEK is not "
        "among the owners (KLK)\n"
        "    hint: Add the lead to owners, or correct the lead.\n"
        "1 error(s), 0 warning(s) in 1 file(s)\n"
    )
    folder = outputs_from_everywhere(root, root / UPPDRAG, monkeypatch)
    assert len(folder) == 2
    assert "in 2 file(s)" in next(o for o in folder if o.startswith("text"))


@pytest.mark.data
def test_validate_of_the_shipped_2026_is_the_same_from_every_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"  # a copy: validate writes its cache under the root
    shutil.copytree(AGREEMENTS, root / "agreements")
    shutil.copytree(REPO / "schema", root / "schema")
    for target in (root / UPPDRAG / "okat-valdeltagande.yaml", root / UPPDRAG):
        seen = outputs_from_everywhere(root, target, monkeypatch)
        assert {o.split("\n", 1)[0] for o in seen} == {"text 0", "json 0"}
        assert len(seen) == 2


def test_the_layout_places_every_kind_the_model_defines() -> None:
    from ovk.model.entities import DOCUMENTS
    from ovk.model.layout import FILE_KINDS
    from ovk.model.schema import KINDS

    assert list(FILE_KINDS) == list(DOCUMENTS) == list(KINDS)
    assert all(FILE_KINDS[kind].schema == KINDS[kind] for kind in KINDS)


def test_a_listing_keeps_each_member_as_scandir_named_it_with_every_edge(
    base_tree: Path,
) -> None:
    import pickle

    root = base_tree.resolve()
    year = root / "agreements/2026"
    (year / "uppdrag/.#okat-valdeltagande.yaml").write_text("", encoding="utf-8")  # a lock
    (year / ".staging.yaml").write_text("", encoding="utf-8")
    (year / "divisions/KLK.yml").write_text("", encoding="utf-8")  # beside KLK.yaml
    (year / "uppdrag/notes.txt").write_text("", encoding="utf-8")
    (year / "uppdrag/okand").mkdir()
    (year / "uppdrag/okand/x.yml").write_text("", encoding="utf-8")
    (year / "uppdrag/alias.yaml").symlink_to("okat-valdeltagande.yaml")
    for slug in ("helar", "delar"):
        (year / "uppfoljning" / slug).mkdir(parents=True)
        (year / "uppfoljning" / slug / "TEK.yml").write_text("", encoding="utf-8")
    listed = year_members(root, year)
    assert [(m.display, m.kind, m.stem, m.occasion) for m in listed.members] == [
        ("agreements/2026/overenskommelse.yaml", "overenskommelse", "overenskommelse", None),
        ("agreements/2026/malomraden.yaml", "malomraden", "malomraden", None),
        ("agreements/2026/divisions/KLK.yaml", "division", "KLK", None),
        ("agreements/2026/divisions/TEK.yaml", "division", "TEK", None),
        ("agreements/2026/uppdrag/alias.yaml", "uppdrag", "alias", None),
        ("agreements/2026/uppdrag/okat-valdeltagande.yaml", "uppdrag", "okat-valdeltagande", None),
        (
            "agreements/2026/uppdrag/starkt-arbete-for-tillvaxt.yaml",
            "uppdrag",
            "starkt-arbete-for-tillvaxt",
            None,
        ),
        ("agreements/2026/uppfoljning/delar/TEK.yml", "uppfoljning", "TEK", "delår"),
        ("agreements/2026/uppfoljning/helar/TEK.yml", "uppfoljning", "TEK", "helår"),
    ]
    assert [(p.file, p.rule) for p in listed.problems] == [
        ("agreements/2026/divisions/KLK.yml", "duplicate-file"),
        ("agreements/2026/uppdrag/okand/x.yml", "unknown-file"),
    ]
    for member in listed.members:  # the place as listed, a link not resolved
        assert member.path == root / member.display
        assert member.location == str(root / member.display)
    again = pickle.loads(pickle.dumps(listed))  # as a worker process receives it
    assert again == listed
    assert [m.path for m in again.members] == [m.path for m in listed.members]


# -- the year's Kolada snapshot ---------------------------------------------------------------

KOLADA_EXAMPLE = REPO / "tests/examples/kolada-value" / SNAPSHOT  # one value not Kolada's


def test_a_years_snapshot_is_part_of_the_year_but_no_member(base_tree: Path) -> None:
    shutil.copyfile(KOLADA_EXAMPLE, base_tree / SNAPSHOT)
    listing = year_members(base_tree, base_tree / "agreements/2026")
    assert listing.kolada is not None
    assert (listing.kolada.display, listing.problems) == (SNAPSHOT.as_posix(), ())
    assert SNAPSHOT.as_posix() not in {m.display for m in listing.members}
    listed = json.loads(run_ovk("--root", str(base_tree), "list", "--format", "json").stdout)
    assert all(not u["file"].endswith(".json") for u in listed)
    assert run_ovk("--root", str(base_tree), "fmt", "--check").exit_code == 0
    warning = f"{SNAPSHOT.parent.as_posix()}/malomraden.yaml:34:50: kolada-value (warning)"
    whole = run_ovk("--root", str(base_tree), "validate")
    assert whole.stdout.splitlines()[0].startswith(warning)
    assert whole.stdout.splitlines()[-1] == "0 error(s), 1 warning(s) in 7 file(s)"
    # Named on the command line, the snapshot is no unknown file: the Kolada rules' findings
    # of its year are its findings, though they stand where the agreement prints what differs.
    named = run_ovk("--root", str(base_tree), "validate", str(base_tree / SNAPSHOT))
    assert named.stdout.splitlines()[0] == whole.stdout.splitlines()[0]
    assert named.stdout.splitlines()[-1] == "0 error(s), 1 warning(s) in 1 file(s)"
    other = run_ovk("--root", str(base_tree), "validate", str(base_tree / UPPDRAG))
    assert (other.exit_code, other.stdout) == (0, "2 file(s) valid\n")


def test_a_snapshot_linked_inside_the_repository_is_read_where_it_stands(
    base_tree: Path,
) -> None:
    kept = base_tree / "kept.json"
    shutil.copyfile(KOLADA_EXAMPLE, kept)
    (base_tree / SNAPSHOT).symlink_to(kept)
    listing = year_members(base_tree, base_tree / "agreements/2026")
    assert listing.kolada is not None and listing.kolada.display == SNAPSHOT.as_posix()
    result = run_ovk("--root", str(base_tree), "validate", "--format", "json")
    assert [f["rule"] for f in json.loads(result.stdout)] == ["kolada-value"]
