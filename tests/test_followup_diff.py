"""`ovk followup diff`: what moved between two occasions of a year, per division, on the
example tree (reports written by `ovk followup new`, then edited as a person would)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_ovk
from tests.test_list import OKAT, report, set_due, set_status

OKAT_ID = "okat-valdeltagande"


def ovk(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_ovk("--root", str(root), *args)


def diff_json(root: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = ovk(
        root, "followup", "diff", "--from", "vår", "--to", "delår", "--format", "json", *args
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def klk(doc: dict) -> dict:  # type: ignore[type-arg]
    return next(d for d in doc["divisions"] if d["division"] == "KLK")


def test_a_step_back_from_klart_into_a_deviation_is_a_regression_and_a_new_deviation(
    base_tree: Path,
) -> None:
    set_status(report(base_tree, "vår"), OKAT_ID, "klart", done_on="2026-04-01")
    set_status(report(base_tree, "delår"), OKAT_ID, "pågår med avvikelse", "Omtag.")
    assert klk(diff_json(base_tree))["uppdrag"] == [
        {
            "id": OKAT_ID,
            "from": "klart",
            "to": "pågår med avvikelse",
            "regression": True,
            "new_deviation": True,
        }
    ]
    text = ovk(base_tree, "followup", "diff", "--from", "vår", "--to", "delår").stdout
    assert "Uppföljning 2026: från vår till delår" in text
    assert (
        "- 2.1.3 Ökat valdeltagande: klart → pågår med avvikelse (bakåtsteg, ny avvikelse)" in text
    )


def test_a_move_forward_is_neither_a_regression_nor_a_deviation(base_tree: Path) -> None:
    set_status(report(base_tree, "vår"), OKAT_ID, "ej påbörjat")
    set_status(report(base_tree, "delår"), OKAT_ID, "pågår")
    change = klk(diff_json(base_tree))["uppdrag"]
    assert change == [
        {
            "id": OKAT_ID,
            "from": "ej påbörjat",
            "to": "pågår",
            "regression": False,
            "new_deviation": False,
        }
    ]


def test_an_uppdrag_that_became_late_between_the_occasions_is_listed(base_tree: Path) -> None:
    set_due(base_tree, OKAT, "2026-06-30")  # after vår's as_of, before delår's
    set_status(report(base_tree, "vår"), OKAT_ID, "pågår")
    set_status(report(base_tree, "delår"), OKAT_ID, "pågår", "Valet sköts upp.")
    division = klk(diff_json(base_tree))
    assert division["became_late"] == [OKAT_ID]
    assert division["uppdrag"] == []  # the status itself did not change
    text = ovk(base_tree, "followup", "diff", "--from", "vår", "--to", "delår").stdout
    assert "Blivit försenade:\n\n- 2.1.3 Ökat valdeltagande: pågår" in text


def test_changed_goal_assessments_and_indicator_outcomes_are_shown_in_swedish(
    base_tree: Path,
) -> None:
    report(base_tree, "vår")
    delar = report(base_tree, "delår")
    edit(delar, "assessment: null", "assessment: delvis uppfyllt")
    edit(delar, "analysis: null", "analysis: Prognos.")
    edit(delar, "value: null", "value: 12.5")
    division = klk(diff_json(base_tree))
    assert [(g["from"], g["to"]) for g in division["goals"]] == [(None, "delvis uppfyllt")]
    assert [(i["from"], i["to"]) for i in division["indicators"]] == [(None, 12.5)]
    md = ovk(
        base_tree, "followup", "diff", "--from", "var", "--to", "delar", "--format", "markdown"
    ).stdout
    assert md.startswith("# Uppföljning 2026: från vår till delår\n")
    assert "### Bedömning av mål\n\n- 2.1.1 " in md and ": – → delvis uppfyllt" in md
    assert "### Utfall för indikatorer\n" in md and ": – → 12,5" in md  # Swedish number


def test_a_missing_report_at_either_occasion_is_said_so(base_tree: Path) -> None:
    report(base_tree, "delår")  # no vår reports at all
    doc = diff_json(base_tree, "--division", "KLK")
    assert [(d["division"], d["report_from"], d["report_to"]) for d in doc["divisions"]] == [
        ("KLK", False, True)
    ]
    text = ovk(base_tree, "followup", "diff", "--from", "vår", "--to", "delår").stdout
    assert "Rapport saknas vid vår; inget att jämföra." in text
    both = ovk(base_tree, "followup", "diff", "--from", "delår", "--to", "helår").stdout
    assert "Rapport saknas vid helår; inget att jämföra." in both


def test_nothing_moved_is_said_so(base_tree: Path) -> None:
    report(base_tree, "vår")
    report(base_tree, "delår")
    text = ovk(base_tree, "followup", "diff", "--from", "vår", "--to", "delår").stdout
    assert "KLK Kommunledningskontoret\n\nInget har ändrats." in text


def test_occasions_out_of_order_the_same_or_unknown_are_usage_errors(base_tree: Path) -> None:
    for args, said in (
        (("--from", "delår", "--to", "vår"), "comes after"),
        (("--from", "vår", "--to", "vår"), "the same occasion"),
        (("--from", "höst", "--to", "vår"), "'höst' is not one of"),
        (("--from", "vår", "--to", "delår", "--division", "XYZ"), "XYZ"),
    ):
        result = ovk(base_tree, "followup", "diff", *args)
        assert result.exit_code == 2, args
        assert said in result.stderr and "Traceback" not in result.stderr


def test_a_hostile_comment_free_title_is_shown_literally_in_text(base_tree: Path) -> None:
    path = base_tree / OKAT
    edit(path, "title: Ökat valdeltagande", 'title: "Ökat\\x1b]8;;https://evil.example\\x07val"')
    set_status(report(base_tree, "vår"), OKAT_ID, "ej påbörjat")
    set_status(report(base_tree, "delår"), OKAT_ID, "pågår")
    text = ovk(base_tree, "followup", "diff", "--from", "vår", "--to", "delår").stdout
    assert "\x1b" not in text and "Ökat\\x1b]8;;https://evil.example\\x07val" in text


def test_a_first_status_that_is_a_deviation_is_new_but_no_step_back(base_tree: Path) -> None:
    report(base_tree, "vår")  # the status left null
    set_status(report(base_tree, "delår"), OKAT_ID, "vilande", "Pausat.")
    assert klk(diff_json(base_tree))["uppdrag"] == [
        {"id": OKAT_ID, "from": None, "to": "vilande", "regression": False, "new_deviation": True}
    ]


def test_a_title_with_markdown_is_escaped_in_the_markdown_document(base_tree: Path) -> None:
    edit(
        base_tree / OKAT,
        "title: Ökat valdeltagande",
        'title: "Ökat <img src=x> [val](https://evil.example)"',
    )
    set_status(report(base_tree, "vår"), OKAT_ID, "ej påbörjat")
    set_status(report(base_tree, "delår"), OKAT_ID, "pågår")
    md = ovk(
        base_tree, "followup", "diff", "--from", "vår", "--to", "delår", "--format", "markdown"
    )
    assert md.exit_code == 0, md.stderr
    # escaped by ovk.output.markdown: shown as text, neither an element nor a link
    assert "Ökat \\<img src=x\\> \\[val\\](https://evil.example)" in md.stdout
    assert " <img" not in md.stdout and " [val]" not in md.stdout
