"""`ovk new`: scaffolded files are valid and formatted; a new year starts from the last one."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from ovk.model.schema import SCHEMA_BASE_URI
from ovk.validate.engine import validate
from ovk.yamlio.loader import load_path
from tests.conftest import AGREEMENTS, BASE, REPO, run_ovk, shipped_years
from tests.test_diff import edit


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


def uppdrag_files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (root / "agreements").rglob("*.yaml")}


@pytest.mark.parametrize(
    ("options", "finding"),
    [
        (
            ("--number", "2.1.3"),
            "agreements/2026/uppdrag/okat-valdeltagande.yaml:4:9: duplicate-number number "
            "2.1.3 is also used by agreements/2026/uppdrag/dubbel.yaml:4",
        ),
        (
            ("--lead", "TEK"),
            "agreements/2026/uppdrag/dubbel.yaml:14:7: lead-not-owner lead TEK is not among "
            "the owners (KLK)",
        ),
        (
            ("--start", "2026-06-01", "--due", "2026-03-01"),
            "agreements/2026/uppdrag/dubbel.yaml:19:6: end-before-start Slutdatum 2026-03-01 "
            "is before Startdatum 2026-06-01",
        ),
    ],
    ids=["number-taken", "lead-not-owner", "due-before-start"],
)
def test_new_uppdrag_that_would_not_validate_is_refused_with_the_finding_and_not_written(
    base_tree: Path, options: tuple[str, ...], finding: str
) -> None:
    before = uppdrag_files(base_tree)
    code, out, err = ovk(
        base_tree, "new", "uppdrag", "--title", "Dubbel", "--owners", "KLK", *options
    )
    assert (code, out) == (2, "")
    assert err == (
        f"{finding}\n"
        "ovk: error: agreements/2026/uppdrag/dubbel.yaml would not validate (1 error(s) "
        "above); nothing was written\n"
    )
    assert uppdrag_files(base_tree) == before


def test_new_uppdrag_into_a_year_without_an_uppdrag_folder_leaves_none_when_refused(
    base_tree: Path,
) -> None:
    shutil.rmtree(base_tree / "agreements/2026/uppdrag")
    code, _, err = ovk(
        base_tree, "new", "uppdrag", "--title", "X", "--owners", "KLK", "--lead", "TEK"
    )
    assert code == 2 and "lead-not-owner" in err
    assert not (base_tree / "agreements/2026/uppdrag").exists()
    code, out, err = ovk(base_tree, "new", "uppdrag", "--title", "X", "--owners", "KLK")
    assert (code, out) == (0, "created agreements/2026/uppdrag/x.yaml\n"), err


def test_new_uppdrag_writes_and_shows_a_warning_validate_has_for_it(base_tree: Path) -> None:
    code, out, err = ovk(
        base_tree, "new", "uppdrag", "--title", "Sent", "--owners", "KLK", "--due", "2025-06-30"
    )
    assert code == 0, err
    assert out.startswith("created agreements/2026/uppdrag/sent.yaml\n")
    assert "sent.yaml:19:6: due-outside-year (warning)" in out
    assert (base_tree / "agreements/2026/uppdrag/sent.yaml").is_file()


def test_an_id_is_made_from_the_title_cut_at_a_hyphen_to_at_most_60_characters(
    base_tree: Path,
) -> None:
    title = (
        "Utred förbättringsåtgärder för att effektivisera och skapa hållbara resurs- och "
        "materialflöden"
    )
    code, out, err = ovk(base_tree, "new", "uppdrag", "--title", title, "--owners", "KLK")
    assert code == 0, err
    ident = "utred-forbattringsatgarder-for-att-effektivisera-och-skapa"
    assert out == f"created agreements/2026/uppdrag/{ident}.yaml\n"
    assert len(ident) <= 60


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ("--title", "???"),
            "ovk: error: --title '???' makes no id (no letter or digit to keep); give --id\n",
        ),
        (
            ("--title", "Lång", "--id", "a" * 61),
            f"ovk: error: --id '{'a' * 61}' is 61 characters; a new id has at most 60\n",
        ),
    ],
)
def test_an_id_that_is_empty_or_longer_than_60_characters_is_refused(
    base_tree: Path, options: tuple[str, ...], message: str
) -> None:
    before = uppdrag_files(base_tree)
    code, _, err = ovk(base_tree, "new", "uppdrag", "--owners", "KLK", *options)
    assert (code, err) == (2, message)
    assert uppdrag_files(base_tree) == before


def test_new_division_with_an_empty_name_for_a_new_code_is_a_usage_error(
    base_tree: Path,
) -> None:
    before = uppdrag_files(base_tree)
    code, _, err = ovk(base_tree, "new", "division", "--code", "VOF", "--name", " ")
    assert (code, err) == (
        2,
        "ovk: error: VOF is not a division of 2026 yet; give its --name\n",
    )
    assert uppdrag_files(base_tree) == before


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


# -- the modeline: the repository's schema/ when it has the file, else the published URL ------


def without_schemas(tmp_path: Path) -> Path:
    """The example tree as a repository of its own that holds no schema/."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    return root


def first_line(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n", 1)[0]


def published(kind: str) -> str:
    return f"# yaml-language-server: $schema={SCHEMA_BASE_URI}{kind}.schema.json"


def test_without_schema_folder_new_files_name_the_published_schema_and_validate_strictly(
    tmp_path: Path,
) -> None:
    root = without_schemas(tmp_path)
    assert ovk(root, "fmt")[0] == 0  # the example's relative modelines name no file here
    code, _, err = ovk(root, "new", "uppdrag", "--title", "Nytt", "--owners", "KLK")
    assert code == 0, err
    code, _, err = ovk(root, "new", "division", "--code", "VOF", "--name", "Vård och omsorg")
    assert code == 0, err
    code, _, err = ovk(root, "followup", "new", "--occasion", "vår", "--division", "KLK")
    assert code == 0, err
    year = root / "agreements/2026"
    assert first_line(year / "uppdrag/nytt.yaml") == published("uppdrag")
    assert first_line(year / "divisions/VOF.yaml") == published("division")
    assert first_line(year / "overenskommelse.yaml") == published("overenskommelse")
    assert first_line(year / "uppfoljning/var/KLK.yaml") == published("uppfoljning")
    code, out, err = ovk(root, "validate", "--strict")
    assert code == 0, out + err


def test_with_schema_folder_new_files_name_it_relatively(base_tree: Path) -> None:
    code, _, err = ovk(base_tree, "new", "uppdrag", "--title", "Nytt", "--owners", "KLK")
    assert code == 0, err
    code, _, err = ovk(base_tree, "followup", "new", "--occasion", "vår", "--division", "KLK")
    assert code == 0, err
    year = base_tree / "agreements/2026"
    assert first_line(year / "uppdrag/nytt.yaml") == (
        "# yaml-language-server: $schema=../../../schema/uppdrag.schema.json"
    )
    assert first_line(year / "uppfoljning/var/KLK.yaml") == (
        "# yaml-language-server: $schema=../../../../schema/uppfoljning.schema.json"
    )
    assert ovk(base_tree, "validate", "--strict")[0] == 0


def test_fmt_switches_the_modelines_when_schema_folder_comes_and_goes(tmp_path: Path) -> None:
    root = without_schemas(tmp_path)
    agreement = root / "agreements/2026/overenskommelse.yaml"
    code, out, _ = ovk(root, "validate", "--strict")
    assert code == 1 and "modeline (warning) schema ../../schema/overenskommelse" in out
    assert ovk(root, "fmt")[0] == 0
    assert first_line(agreement) == published("overenskommelse")
    assert ovk(root, "validate", "--strict")[0] == 0
    assert ovk(root, "schema", "-o", str(root / "schema"))[0] == 0
    assert ovk(root, "fmt", "--check")[0] == 1  # a URL is fine, but fmt would name schema/
    assert ovk(root, "validate", "--strict")[0] == 0
    assert ovk(root, "fmt")[0] == 0
    assert first_line(agreement) == (
        "# yaml-language-server: $schema=../../schema/overenskommelse.schema.json"
    )
    assert ovk(root, "validate", "--strict")[0] == 0
    shutil.rmtree(root / "schema")  # found again, not taken from validate's cache
    code, out, _ = ovk(root, "validate", "--strict")
    assert code == 1 and "overenskommelse.yaml:1:1: modeline (warning)" in out


def test_the_modeline_hint_says_to_write_the_schemas_or_run_fmt(tmp_path: Path) -> None:
    root = without_schemas(tmp_path)
    code, out, _ = ovk(root, "validate", str(root / "agreements/2026/overenskommelse.yaml"))
    assert code == 0
    assert out == (
        "agreements/2026/overenskommelse.yaml:1:1: modeline (warning) schema "
        "../../schema/overenskommelse.schema.json does not exist\n"
        "    hint: Run `ovk schema -o schema/` (the schemas the modeline names) or `ovk fmt` "
        "(the modeline for the repository: its schema/, else the published schema's URL).\n"
        "0 error(s), 1 warning(s) in 1 file(s)\n"
    )


# -- next year: the title moved on, the diarienummer cleared, the old year's texts listed ------


def test_new_year_moves_the_title_clears_the_diarienummer_and_lists_the_old_years_texts(
    base_tree: Path,
) -> None:
    year = base_tree / "agreements/2026"
    edit(
        year / "malomraden.yaml",
        '              - {key: "2024", label: Utfall 2024}\n',
        '              - {key: "2024", label: Utfall 2024}\n'
        '              - {key: "2026", label: Utfall 2026}\n',
    )
    edit(year / "malomraden.yaml", "id: sjukfranvaro-andel", "id: sjukfranvaro-2026")
    edit(year / "malomraden.yaml", '"2024": "7,9%"}', '"2024": "7,9%", "2026": "7,5%"}')
    uppdrag = year / "uppdrag/starkt-arbete-for-tillvaxt.yaml"
    edit(uppdrag, "text: [Nämndöverskridande arbete behövs.]", "text: [Klart senast 2026-06-30.]")
    edit(uppdrag, "rapportering: null", "rapportering: Dnr KS2026/12, ej 12026 eller 20261")
    edit(uppdrag, "financing: Inom ram", "financing: Inom ram, 12026 kr av 20261 kr")  # no year
    edit(uppdrag, "note: null", 'note: "Läst 2026\\e[2J i källan"')
    code, out, err = ovk(base_tree, "new", "year", "2027", "--from", "2026")
    assert code == 0, err
    assert out.splitlines()[-8:] == [
        "title: Överenskommelse om verksamhet 2027 (was Överenskommelse om verksamhet 2026)",
        "diarienummer: cleared (was KK25/566); give the new year's when it has one",
        "Texts that still name 2026 (5):",
        "  agreements/2027/malomraden.yaml:10: I fokus mandatperioden 2022–2026",
        "  agreements/2027/malomraden.yaml:28: Utfall 2026",
        "  agreements/2027/uppdrag/starkt-arbete-for-tillvaxt.yaml:10: Klart senast 2026-06-30.",
        "  agreements/2027/uppdrag/starkt-arbete-for-tillvaxt.yaml:17: Dnr KS2026/12, ej 12026 "
        "eller 20261",
        "  agreements/2027/uppdrag/starkt-arbete-for-tillvaxt.yaml:21: Läst 2026\\x1b[2J i källan",
    ]
    agreement = load_path(base_tree / "agreements/2027/overenskommelse.yaml", "x").document
    assert agreement is not None
    assert agreement.data["title"] == "Överenskommelse om verksamhet 2027"
    assert agreement.data["diarienummer"] is None
    lines = (base_tree / "agreements/2027/malomraden.yaml").read_text(encoding="utf-8")
    assert lines.splitlines()[27].strip() == '- {key: "2026", label: Utfall 2026}'
    assert_valid_and_formatted(base_tree, base_tree / "agreements/2027")


def test_new_year_keeps_a_title_that_names_no_year_and_says_so(base_tree: Path) -> None:
    agreement = base_tree / "agreements/2026/overenskommelse.yaml"
    edit(agreement, "title: Överenskommelse om verksamhet 2026", "title: Vår överenskommelse")
    code, out, err = ovk(base_tree, "new", "year", "2027")
    assert code == 0, err
    assert (
        "title kept, it names no 2026: check it: "
        "agreements/2027/overenskommelse.yaml:3: Vår överenskommelse\n"
    ) in out
    copied = load_path(base_tree / "agreements/2027/overenskommelse.yaml", "x").document
    assert copied is not None and copied.data["title"] == "Vår överenskommelse"


@pytest.mark.parametrize("year", ["2025", "2026"])
def test_new_year_refuses_to_go_backwards_or_stand_still(base_tree: Path, year: str) -> None:
    before = uppdrag_files(base_tree)
    code, out, err = ovk(base_tree, "new", "year", year, "--from", "2026")
    assert (code, out) == (2, "")
    assert err == (
        f"ovk: error: {year} is not after 2026: a new year starts from an earlier one (give "
        "--allow-earlier to start it from a later year all the same)\n"
    )
    assert uppdrag_files(base_tree) == before
    assert not (base_tree / "agreements/2025").exists()


def test_new_year_goes_backwards_when_allowed(base_tree: Path) -> None:
    code, out, err = ovk(base_tree, "new", "year", "2025", "--from", "2026", "--allow-earlier")
    assert code == 0, err
    assert "title: Överenskommelse om verksamhet 2025 (was" in out
    assert_valid_and_formatted(base_tree, base_tree / "agreements/2025")


def test_new_year_copies_the_latest_year_before_it_by_default(two_year_tree: Path) -> None:
    shutil.rmtree(two_year_tree / "agreements/2027")
    code, out, err = ovk(two_year_tree, "new", "year", "2027")
    assert code == 0, err
    assert "Texts that still name 2026 (1):" in out
    code, out, err = ovk(two_year_tree, "new", "year", "2025")
    assert (code, out) == (2, "")
    assert err == (
        "ovk: error: no year before 2025 to copy (years: 2026, 2027); give --from, or start "
        "a repository with 'ovk init'\n"
    )


@pytest.mark.data
def test_the_shipped_2026_made_into_2027_renders_2027_without_the_diarienummer(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(AGREEMENTS / "2026", root / "agreements/2026")
    shutil.copytree(REPO / "schema", root / "schema")
    code, out, err = ovk(root, "new", "year", "2027", "--from", "2026")
    assert code == 0, err
    lines = out.splitlines()
    assert "diarienummer: cleared (was KK25/566); give the new year's when it has one" in lines
    heading = next(n for n, line in enumerate(lines) if line.startswith("Texts that still name"))
    listed = lines[heading + 1 :]
    assert lines[heading] == f"Texts that still name 2026 ({len(listed)}):"
    assert (
        "  agreements/2027/overenskommelse.yaml:28: …Social omsorg (DSO) och division "
        "Utbildning (DU) om den verksamhet som ska utföras under året 2026."
    ) in listed
    assert "  agreements/2027/malomraden.yaml:17: I fokus mandatperioden 2022–2026" in listed
    for entry in listed:  # each names the line of the new file that holds that text
        file, line, shown = entry.strip().split(":", 2)
        text = (root / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        assert "2026" in shown and shown.strip(" …") in text, entry
    bilaga = run_ovk("--root", str(root), "render", "KLK", "--year", "2027")
    main = run_ovk("--root", str(root), "render", "--main", "--year", "2027")
    for page in (bilaga, main):
        assert page.exit_code == 0, page.stderr
        assert "KK25/566" not in page.stdout
    assert bilaga.stdout.startswith(
        "**Nyköpings kommun**\n\n"
        "*Bilaga till Kommunstyrelsens överenskommelse om verksamhet 2027*\n"
    )
    assert "Kommunstyrelsens överenskommelse om verksamhet 2027" in main.stdout
    html = run_ovk("--root", str(root), "render", "KLK", "--year", "2027", "--format", "html")
    assert "<title>" in html.stdout and "KK25/566" not in html.stdout
    assert "Bilaga till Kommunstyrelsens överenskommelse om verksamhet 2027</p>" in html.stdout
