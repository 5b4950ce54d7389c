"""`ovk validate` against a committed Kolada snapshot, on a copy of the real agreements: a
snapshot that agrees with every printed 2024 value gives no finding; one revised value gives
exactly one located warning naming both numbers. (The rules one by one are example cases:
tests/examples/kolada-*.)"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ovk.findings import json_path
from ovk.model import kolada
from ovk.model.build import build
from ovk.model.entities import Malomraden
from ovk.yamlio.loader import load_path
from tests.conftest import AGREEMENTS, REPO, run_ovk

pytestmark = pytest.mark.data

YEAR = "2024"


def repository(tmp_path: Path) -> Path:
    """A copy of the real repository's agreements and schemas."""
    root = tmp_path / "repo"
    shutil.copytree(AGREEMENTS, root / "agreements")
    shutil.copytree(REPO / "schema", root / "schema")
    return root


def malomraden(root: Path) -> Malomraden:
    document = load_path(root / f"agreements/{YEAR}/malomraden.yaml", "m").document
    assert document is not None
    return build(Malomraden, document.data)


def agreeing_snapshot(goals: Malomraden) -> kolada.Snapshot:
    """What Kolada would answer if every printed value and title were its own."""
    titles: dict[str, str] = {}
    for item in kolada.linked(goals):
        for kpi in item.kpis:
            title = item.indicator.title if len(item.kpis) == 1 else titles.get(kpi, kpi)
            assert titles.setdefault(kpi, title) == title  # no KPI printed under two titles
    values: dict[str, dict[int, dict[str, kolada.Value]]] = {}
    for cell in kolada.printed_values(goals):
        printed = kolada.number(cell.text)
        assert printed is not None
        by_gender = values.setdefault(cell.kpi, {}).setdefault(cell.period, {})
        assert by_gender.setdefault(cell.gender, kolada.Value(printed, None, 1)).value == printed
    kpis = {
        k: kolada.Kpi(k, t, is_divided_by_gender=True, values=values.get(k, {}))
        for k, t in titles.items()
    }
    periods = tuple(sorted({p for by_period in values.values() for p in by_period}))
    return kolada.Snapshot("2026-12-02T07:00:00Z", kolada.API, "0480", periods, (), kpis)


def validate(root: Path) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    result = run_ovk("--root", str(root), "validate", "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def test_a_snapshot_that_agrees_with_every_printed_2024_value_gives_no_finding(
    tmp_path: Path,
) -> None:
    root = repository(tmp_path)
    goals = malomraden(root)
    snapshot = agreeing_snapshot(goals)
    assert sorted(snapshot.kpis) == kolada.kpi_ids(goals)  # the 14 ids the source prints
    cells = list(kolada.printed_values(goals))  # Totalt, Kvinnor, Män of the Nuvärde year
    assert {c.gender for c in cells} == set(kolada.GENDERS)
    assert all(snapshot.kpis[c.kpi].value(c.period, c.gender) is not None for c in cells)
    (root / f"agreements/{YEAR}/{kolada.SNAPSHOT}").write_text(kolada.snapshot_json(snapshot))
    assert validate(root) == (0, [])


@pytest.mark.parametrize(
    ("kolada_has", "message"),
    [
        (66.8, "printed 66 for 2022 (totalt), Kolada has 66,8"),
        (66.4, None),  # 66 at the precision printed
        (None, "printed 66 for 2022 (totalt), Kolada has no value (Missing)"),
    ],
)
def test_one_revised_kolada_value_is_one_located_warning_naming_both_numbers(
    tmp_path: Path, kolada_has: float | None, message: str | None
) -> None:
    root = repository(tmp_path)
    goals = malomraden(root)
    snapshot = agreeing_snapshot(goals)
    first = next(kolada.printed_values(goals))  # U01405, 2022, Totalt: "66"
    assert (first.kpi, first.period, first.gender, first.text) == ("U01405", 2022, "T", "66")
    kpi = snapshot.kpis[first.kpi]
    revised = {
        **kpi.values,
        first.period: {
            **kpi.values[first.period],
            "T": kolada.Value(kolada_has, "Missing" if kolada_has is None else None),
        },
    }
    kpis = {**snapshot.kpis, kpi.id: replace(kpi, values=revised)}
    snapshot = replace(snapshot, kpis=kpis)
    (root / f"agreements/{YEAR}/{kolada.SNAPSHOT}").write_text(kolada.snapshot_json(snapshot))
    code, findings = validate(root)
    if message is None:
        assert (code, findings) == (0, [])
        return
    assert code == 0  # a warning: the agreement may print an older value on purpose
    (found,) = findings
    assert (found["rule"], found["severity"], found["message"]) == (
        "kolada-value",
        "warning",
        message,
    )
    assert found["file"] == f"agreements/{YEAR}/malomraden.yaml"
    assert found["path"] == json_path(first.path)
    line = (root / found["file"]).read_text("utf-8").splitlines()[found["line"] - 1]
    assert line[found["column"] - 1 :].startswith('"66"') and "totalt:" in line
