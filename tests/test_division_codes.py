"""Division codes belong to the data: the schemas fix a code's form, the year's
`overenskommelse.yaml` `divisions` list says which codes exist, and every command follows it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ovk.cli.completion import division_codes
from ovk.model import entities, schema as schemas
from ovk.validate.engine import validate
from tests.conftest import REPO, run_ovk

# The shipped agreements' codes, as data: no schema may list them.
SHIPPED_CODES = ("TEK", "SHB", "ROS", "KLK", "NKF", "DSO", "DU")
YEAR = "agreements/2026"


def ovk(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_ovk("--root", str(root), *args)
    return result.exit_code, result.stdout, result.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def listed_values(node: Any) -> list[Any]:
    """Every value a schema lists or fixes: the items of every list, every const."""
    found: list[Any] = []
    if isinstance(node, dict):
        if "const" in node:
            found.append(node["const"])
        for value in node.values():
            found += listed_values(value)
    elif isinstance(node, list):
        found += [item for item in node if not isinstance(item, dict | list)]
        for item in node:
            found += listed_values(item)
    return found


SCHEMA_FILES = sorted(
    [*(REPO / "schema").glob("*.schema.json"), *(REPO / "ovk/data/schema").glob("*.schema.json")]
)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_schema_file_lists_division_codes(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert not set(listed_values(schema)) & set(SHIPPED_CODES)


def test_code_fields_have_the_code_pattern() -> None:
    built = schemas.build_all()
    division = built["division"]["properties"]["code"]
    party = built["overenskommelse"]["properties"]["parties"]["items"]["properties"]["code"]
    lead = built["uppdrag"]["properties"]["lead"]
    owner = built["uppdrag"]["properties"]["owners"]["items"]
    for field in (division, party, lead):
        assert field["pattern"] == entities.DIVISION_CODE_PATTERN and "enum" not in field
    assert owner["pattern"] == entities.OWNER_PATTERN and "enum" not in owner
    for code in (*SHIPPED_CODES, "VOF", "ÄLD2"):
        assert re.fullmatch(entities.DIVISION_CODE_PATTERN, code)
        assert re.fullmatch(entities.OWNER_PATTERN, code)
    assert re.fullmatch(entities.OWNER_PATTERN, entities.ALL_DIVISIONS)
    for bad in ("vof", "V", "2AB", "VÅRD OCH OMSORG", "ABCDEFGHIJK", ""):
        assert not re.fullmatch(entities.DIVISION_CODE_PATTERN, bad)
        assert not re.fullmatch(entities.OWNER_PATTERN, bad)


def test_the_package_lists_no_division_codes() -> None:
    assert not hasattr(schemas, "DIVISION_CODES")
    for path in (REPO / "ovk").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        quoted = {code for code in SHIPPED_CODES if re.search(rf"[\"']{code}[\"']", text)}
        assert len(quoted) < 2, f"{path.relative_to(REPO)} lists division codes {quoted}"


# --- validate: every reference is checked against the year's list -------------------------

REFERENCES = {
    "party code": (
        "overenskommelse.yaml",
        "  - {name: Kommunledningskontoret, code: KLK}\n",
        "  - {name: Kommunledningskontoret, code: KLK}\n  - {name: Vård, code: VOF}\n",
        "$.parties[2].code",
    ),
    "uppdrag owners": (
        "uppdrag/okat-valdeltagande.yaml",
        "owners: [KLK]",
        "owners: [KLK, VOF]",
        "$.owners[1]",
    ),
    "uppdrag lead": (
        "uppdrag/okat-valdeltagande.yaml",
        "owners: [KLK]\nlead: null",
        "owners: [alla verksamheter]\nlead: VOF",
        "$.lead",
    ),
    "grundverksamhet owners": (
        "malomraden.yaml",
        "        owners: [KLK]",
        "        owners: [VOF, KLK]",
        "$.malomraden[0].grundverksamhet[0].owners[0]",
    ),
    "goal delas_till": (
        "malomraden.yaml",
        "delas_till: [alla verksamheter]",
        "delas_till: [KLK, VOF]",
        "$.malomraden[0].goals[0].delas_till[1]",
    ),
}


@pytest.mark.parametrize("kind", REFERENCES)
def test_an_unlisted_code_is_an_unknown_division_naming_the_valid_codes(
    base_tree: Path, kind: str
) -> None:
    file, old, new, path = REFERENCES[kind]
    edit(base_tree / YEAR / file, old, new)
    findings = validate(base_tree).findings
    assert [(f.file, f.rule, f.path) for f in findings] == [
        (f"{YEAR}/{file}", "unknown-division", path)
    ]
    assert findings[0].message == "'VOF' is not a division of this year (divisions: KLK, TEK)"
    # Listing the code in the year makes the same reference valid: the data is the truth.
    edit(
        base_tree / YEAR / "overenskommelse.yaml",
        "divisions:\n",
        "divisions:\n  - {code: VOF, name: Division Vård och omsorg}\n",
    )
    assert validate(base_tree).findings == []


def test_a_division_file_with_an_unlisted_code_is_an_unknown_division(base_tree: Path) -> None:
    divisions = base_tree / YEAR / "divisions"
    text = (divisions / "TEK.yaml").read_text(encoding="utf-8")
    (divisions / "VOF.yaml").write_text(text.replace("code: TEK", "code: VOF"), encoding="utf-8")
    findings = validate(base_tree).findings
    assert [(f.file, f.rule, f.path, f.line) for f in findings] == [
        (f"{YEAR}/divisions/VOF.yaml", "unknown-division", "$.code", 3)
    ]
    assert "(divisions: KLK, TEK)" in findings[0].message


def test_a_code_of_the_wrong_form_is_a_schema_finding(base_tree: Path) -> None:
    edit(base_tree / YEAR / "uppdrag/okat-valdeltagande.yaml", "owners: [KLK]", "owners: [klk]")
    findings = validate(base_tree).findings
    assert [(f.rule, f.path) for f in findings] == [("schema", "$.owners[0]")]


# --- new: codes from the year's list; a new division adds its code -----------------------


def test_new_division_with_a_brand_new_code(base_tree: Path) -> None:
    code, out, err = ovk(
        base_tree, "new", "division", "--year", "2026", "--code", "VOF", "--name", "Vård"
    )
    assert code == 0, out + err
    assert out == f"wrote {YEAR}/divisions/VOF.yaml\nwrote {YEAR}/overenskommelse.yaml\n"
    agreement = (base_tree / YEAR / "overenskommelse.yaml").read_text(encoding="utf-8")
    assert "  - {code: TEK, name: Tekniska divisionen}\n  - {code: VOF, name: Vård}\n" in agreement
    assert validate(base_tree).findings == []
    assert "VOF" in division_codes(base_tree)  # completion offers it from now on
    # and uppdrag may name it
    code, out, err = ovk(base_tree, "new", "uppdrag", "--title", "Vårdplan", "--owners", "VOF")
    assert code == 0, out + err


@pytest.mark.parametrize("bad", ["vof", "V", "VÅRD OCH OMSORG", "alla verksamheter", "KLK,TEK"])
def test_new_division_refuses_a_code_of_the_wrong_form(base_tree: Path, bad: str) -> None:
    code, _, err = ovk(base_tree, "new", "division", "--code", bad, "--name", "X")
    assert code == 2 and err.startswith(f"ovk: error: --code {bad!r} is not a division code")
    assert not (base_tree / YEAR / "divisions" / f"{bad}.yaml").exists()


@pytest.mark.parametrize(
    ("option", "value"), [("--owners", "KLK,VOF"), ("--owners", "NKF"), ("--lead", "VOF")]
)
def test_new_uppdrag_refuses_a_code_the_year_does_not_list(
    base_tree: Path, option: str, value: str
) -> None:
    args = ["--title", "Nytt", "--owners", "KLK", option, value]
    code, _, err = ovk(base_tree, "new", "uppdrag", "--year", "2026", *args)
    bad = value.split(",")[-1]
    assert code == 2
    assert err.startswith(
        f"ovk: error: {option} {bad!r} is not a division of 2026 (divisions: KLK, TEK"
    )
    assert not (base_tree / YEAR / "uppdrag" / "nytt.yaml").exists()


def test_new_uppdrag_takes_the_codes_of_its_own_year(base_tree: Path) -> None:
    edit(
        base_tree / YEAR / "overenskommelse.yaml",
        "  - {code: TEK, name: Tekniska divisionen}\n",
        "",
    )
    (base_tree / YEAR / "divisions" / "TEK.yaml").unlink()
    code, _, err = ovk(base_tree, "new", "uppdrag", "--title", "Nytt", "--owners", "TEK")
    assert (
        code == 2
        and "--owners 'TEK' is not a division of 2026 (divisions: KLK, or 'alla verksamheter')"
        in err
    )
