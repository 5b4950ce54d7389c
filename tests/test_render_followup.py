"""`ovk render --followup OCCASION`: a division's follow-up report as a Swedish document, and
with --all a folder with every division's, a Kommunstyrelsen overview, an index and the
manifest.

The reports are made in copies of the example tree by `ovk followup new` and filled in by
editing their text, as a person would. The shipped agreements hold no reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ovk.errors import UsageError
from ovk.model.entities import ASSESSMENTS, STATUSES
from ovk.render import followup as fr
from tests.conftest import AGREEMENTS, REPO, run_ovk
from tests.test_followup import fill

DELAR = "agreements/2026/uppfoljning/delar"
UPPDRAG = "agreements/2026/uppdrag"


def ovk(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_ovk("--root", str(root), *args)


NULL_UPPDRAG = "status: null\n    comment: null\n    new_due: null\n    done_on: null"
NULL_GOAL = "assessment: null\n    analysis: null"
NULL_INDICATOR = "value: null\n    period: null\n    comment: null"


def reports(root: Path) -> Path:
    """Both divisions' delår reports of the example tree, as `ovk followup new` writes them."""
    result = ovk(root, "followup", "new", "--year", "2026", "--occasion", "delår", "--all")
    assert result.exit_code == 0, result.stderr
    return root / DELAR


def filled(root: Path) -> Path:
    """KLK's report filled in (a deviation with its comment, a goal partly met with its
    analysis, an outcome), TEK's left a draft with nothing filled in; the tree validates."""
    folder = reports(root)
    fill(
        folder / "KLK.yaml",
        **{
            "state: utkast": "state: inlämnad",
            "reported_by: null": "reported_by: Ekonomiavdelningen",
            NULL_UPPDRAG: "status: pågår med avvikelse\n    comment: Valet flyttas.\n"
            "    new_due: null\n    done_on: null",
            NULL_GOAL: "assessment: delvis uppfyllt\n    analysis: Sjukfrånvaron minskar.",
            NULL_INDICATOR: "value: 6.8\n    period: 2026\n    comment: Till och med juli.",
            "note: null": "note: Rapporten är preliminär.",
        },
    )
    result = ovk(root, "validate")
    assert result.exit_code == 0, result.stdout
    return folder


def render(root: Path, *args: str) -> str:
    result = ovk(root, "render", "--followup", "delår", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout  # type: ignore[no-any-return]


# --- the vocabularies' symbols ---------------------------------------------------------------


def test_every_status_and_assessment_has_its_own_symbol() -> None:
    assert list(fr.STATUS_SYMBOLS) == list(STATUSES)
    assert list(fr.ASSESSMENT_SYMBOLS) == list(ASSESSMENTS)
    symbols = [*fr.STATUS_SYMBOLS.values(), fr.NOT_FILLED_SYMBOL, fr.LATE_SYMBOL]
    assert len(set(symbols)) == len(symbols)


# --- one division's document -----------------------------------------------------------------


def test_a_report_shows_its_head_statuses_assessments_and_outcomes_in_markdown(
    base_tree: Path,
) -> None:
    filled(base_tree)
    text = render(base_tree, "KLK")
    assert text.startswith("*Uppföljning delår 2026 av Överenskommelse om verksamhet 2026")
    assert "# Kommunledningskontoret (KLK)" in text
    for line in (
        "- **Läge:** inlämnad",
        "- **Per datum:** 31 augusti 2026",
        "- **Rapporterad av:** Ekonomiavdelningen",
        "- **Ej ifyllt:** 0",
        "**Anteckning:** Rapporten är preliminär.",
        "### 2.1.3 Ökat valdeltagande (KS)",
        "- **Status:** ▲ pågår med avvikelse",
        "- **Kommentar:** Valet flyttas.",
        "- **Slutdatum:** 31 december 2026",
        "- **Bedömning (prognos för helåret):** ◐ delvis uppfyllt",
        "- **Analys:** Sjukfrånvaron minskar.",
        # The outcome beside the agreement's printed values, in the bilaga's columns.
        "| Indikator | Utfall 2023 | Utfall 2024 | Utfall delår | Period | Kommentar |",
        "| Sjukfrånvaro, andel (%) | 8,1% | 7,9% | 6,8 | 2026 | Till och med juli. |",
    ):
        assert line in text.splitlines(), line
    assert "försenat" not in text  # due 31 December: not late at delår


def test_a_report_in_html_has_words_beside_hidden_symbols_and_a_running_head(
    base_tree: Path,
) -> None:
    filled(base_tree)
    page = render(base_tree, "KLK", "--format", "html")
    assert 'data-running-head="Uppföljning delår 2026 · KLK"' in page
    assert (
        '<span class="marker deviation"><span class="symbol" aria-hidden="true">▲</span> '
        "pågår med avvikelse</span>"
    ) in page
    assert '<span class="symbol" aria-hidden="true">◐</span> delvis uppfyllt' in page
    assert '<time datetime="2026-08-31">31 augusti 2026</time>' in page
    assert "<caption>Utfall för indikatorerna till mål 2.1.1</caption>" in page
    assert '<th scope="col" class="num">Utfall delår</th>' in page
    assert '<th scope="row">Sjukfrånvaro, andel (%)</th>' in page
    assert "<style>" in page  # one file, complete: its stylesheet inline


def test_items_not_filled_in_say_so(base_tree: Path) -> None:
    reports(base_tree)
    text = render(base_tree, "TEK")
    assert "- **Läge:** utkast" in text and "- **Ej ifyllt:** 3" in text
    assert "- **Status:** – ej ifyllt" in text
    assert "- **Bedömning (prognos för helåret):** – ej ifyllt" in text
    assert "| Sjukfrånvaro, andel (%) | 8,1% | 7,9% | ej ifyllt |  |  |" in text


def test_late_is_derived_from_the_dates_and_shown_beside_the_status(base_tree: Path) -> None:
    folder = reports(base_tree)
    fill(base_tree / UPPDRAG / "okat-valdeltagande.yaml", **{"due: 2026-12-31": "due: 2026-06-30"})
    fill(
        folder / "KLK.yaml",
        **{NULL_UPPDRAG: "status: pågår\n    comment: Sent.\n    new_due: null\n    done_on: null"},
    )
    text = render(base_tree, "KLK")
    assert "- **Status:** ● pågår · ⚠ försenat" in text
    assert "- **Slutdatum:** 30 juni 2026" in text
    page = render(base_tree, "KLK", "--format", "html")
    assert '<span class="symbol" aria-hidden="true">⚠</span> försenat</span>' in page


def test_a_new_due_date_after_as_of_and_klart_are_not_late(base_tree: Path) -> None:
    folder = reports(base_tree)
    fill(base_tree / UPPDRAG / "okat-valdeltagande.yaml", **{"due: 2026-12-31": "due: 2026-06-30"})
    entry = "status: pågår\n    comment: Flyttat.\n    new_due: 2026-10-15\n    done_on: null"
    fill(folder / "KLK.yaml", **{NULL_UPPDRAG: entry})
    text = render(base_tree, "KLK")
    assert "- **Nytt slutdatum:** 15 oktober 2026" in text and "försenat" not in text
    done = "status: klart\n    comment: null\n    new_due: 2026-10-15\n    done_on: 2026-08-21"
    fill(folder / "KLK.yaml", **{entry: done})
    text = render(base_tree, "KLK")
    assert "- **Status:** ✓ klart" in text and "- **Klart datum:** 21 augusti 2026" in text
    assert "försenat" not in text


def test_a_division_without_a_report_gets_a_document_saying_so_and_a_warning(
    base_tree: Path,
) -> None:
    folder = reports(base_tree)
    (folder / "TEK.yaml").unlink()
    result = ovk(base_tree, "render", "TEK", "--followup", "delår")
    assert result.exit_code == 0
    assert "- **Läge:** ingen rapport" in result.stdout
    assert "**Rapport saknas:** Tekniska divisionen har inte lämnat någon rapport" in result.stdout
    assert result.stderr == (
        "ovk: warning: TEK has no report at delår 2026 (no "
        f"{DELAR}/TEK.yaml); the document says so\n"
    )


def test_a_division_with_nothing_to_report_or_unknown_is_a_usage_error(base_tree: Path) -> None:
    fill(
        base_tree / "agreements/2026/overenskommelse.yaml",
        **{
            "  - {code: TEK, name: Tekniska divisionen}": "  - {code: TEK, name: Tekniska "
            "divisionen}\n  - {code: ABC, name: Ny division}"
        },
    )
    goals = base_tree / "agreements/2026/malomraden.yaml"
    fill(goals, **{"delas_till: [alla verksamheter]": "delas_till: [KLK, TEK]"})
    result = ovk(base_tree, "render", "ABC", "--followup", "delår")
    assert (result.exit_code, result.stderr) == (
        2,
        "ovk: error: ABC reports nothing at delår 2026 and has no report "
        "(divisions that report: KLK, TEK)\n",
    )
    result = ovk(base_tree, "render", "XYZ", "--followup", "delår")
    assert result.exit_code == 2 and "'XYZ' is not a division of 2026" in result.stderr


def test_the_occasion_may_be_its_slug_and_a_wrong_one_is_a_usage_error(base_tree: Path) -> None:
    filled(base_tree)
    assert render(base_tree, "KLK") == ovk(base_tree, "render", "KLK", "--followup", "delar").stdout
    result = ovk(base_tree, "render", "KLK", "--followup", "sommar")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "ovk: error: Invalid value for '--followup': 'sommar' is not one of vår, delår, helår, "
        "var, delar, helar"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--main"], "--followup renders a division's report or --all, not --main"),
        (["KLK", "--notes"], "--notes does not go with --followup"),
        (["--all", "--year", "2026", "--year", "2024"], "--followup renders one year"),
        (["KLK", "--format", "both"], "--format both needs --all"),
        (["--all"], "--all needs -o DIR"),
        ([], "give a CODE or --all with --followup"),
    ],
)
def test_misuse_of_followup_is_a_one_line_usage_error(
    base_tree: Path, args: list[str], message: str
) -> None:
    result = ovk(base_tree, "render", "--followup", "delår", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ovk: error: {message}"), result.stderr
    assert result.stderr.count("\n") == 1


def test_hostile_text_in_a_report_cannot_act_on_its_reader(base_tree: Path) -> None:
    folder = reports(base_tree)
    hostile = '"<script>alert(1)</script> [x](javascript:alert(1)) \\e[31m | *"'
    entry = f"status: pågår\n    comment: {hostile}\n    new_due: null\n    done_on: null"
    fill(
        folder / "KLK.yaml", **{NULL_UPPDRAG: entry, "reported_by: null": f"reported_by: {hostile}"}
    )
    page = render(base_tree, "KLK", "--format", "html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = render(base_tree, "KLK")
    overview = ovk(
        base_tree,
        "render",
        "--all",
        "--followup",
        "delår",
        "--format",
        "both",
        "-o",
        str(base_tree / "out"),
    )
    assert overview.exit_code == 0, overview.stderr
    texts = [page, markdown, *(p.read_text("utf-8") for p in (base_tree / "out").iterdir())]
    for text in texts:
        assert "\x1b" not in text
    assert "<script>" not in markdown and "[x](javascript:" not in markdown
    assert "\\<script\\>" in markdown and "\\[x\\](javascript:" in markdown
    assert "\\x1b[31m" in page and "\\x1b\\[31m" in markdown  # shown, not acted on


# --- --all: the folder, the overview, the manifest ------------------------------------------


def site(root: Path, out: Path, *args: str) -> list[str]:
    result = ovk(root, "render", "--all", "--followup", "delår", "-o", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_all_writes_each_report_the_overview_an_index_and_the_manifest(
    base_tree: Path, tmp_path: Path
) -> None:
    filled(base_tree)
    out = tmp_path / "uppfoljning"
    assert site(base_tree, out) == [
        ".ovk-manifest.json",
        "index.html",
        "oversikt.html",
        "style.css",
        "uppfoljning-KLK.html",
        "uppfoljning-TEK.html",
    ]
    index = (out / "index.html").read_text("utf-8")
    assert '<a href="oversikt.html">Översikt för Kommunstyrelsen</a>' in index
    assert '<a href="uppfoljning-KLK.html">Kommunledningskontoret (KLK)</a>' in index
    klk = (out / "uppfoljning-KLK.html").read_text("utf-8")
    assert '<link rel="stylesheet" href="style.css">' in klk
    assert '<a href="oversikt.html">Översikt för Kommunstyrelsen</a>' in klk
    listed = json.loads((out / ".ovk-manifest.json").read_text("utf-8"))["files"]
    assert listed == [n for n in site(base_tree, out) if n != ".ovk-manifest.json"]


def test_the_overview_counts_statuses_and_lists_deviations_goals_and_who_has_not_reported(
    base_tree: Path, tmp_path: Path
) -> None:
    folder = filled(base_tree)
    fill(
        folder / "TEK.yaml",
        **{NULL_GOAL: "assessment: uppfyllt\n    analysis: null"},
    )
    (folder / "TEK.yaml").rename(folder / "TEK.yaml.bak")  # TEK has not reported
    out = tmp_path / "uppfoljning"
    site(base_tree, out, "--format", "md")
    text = (out / "oversikt.md").read_text("utf-8")
    lines = text.splitlines()
    assert "# Uppföljning delår 2026: översikt för Kommunstyrelsen" in lines
    assert (
        "| [Kommunledningskontoret (KLK)](uppfoljning-KLK.md) | inlämnad | 31 augusti 2026 "
        "| 1 av 1 | 1 av 1 | 1 av 1 | 0 |"
    ) in lines
    assert (
        "| [Tekniska divisionen (TEK)](uppfoljning-TEK.md) | ingen rapport | 31 augusti 2026 "
        "| 0 av 1 | 0 av 1 | 0 av 1 | 3 |"
    ) in lines
    assert "**Ingen rapport har lämnats av:** Tekniska divisionen (TEK)." in lines
    assert (
        "| Verksamhet | ○ ej påbörjat | ● pågår | ▲ pågår med avvikelse | ✓ klart | ✕ avbrutet "
        "| ‖ vilande | – ej ifyllt | ⚠ försenat |"
    ) in lines
    assert "| Kommunledningskontoret (KLK) | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |" in lines
    assert "| Tekniska divisionen (TEK) | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0 |" in lines
    assert "| **Totalt** | **0** | **0** | **1** | **0** | **0** | **0** | **1** | **0** |" in lines
    assert (
        "| [2.1.3 Ökat valdeltagande (KS)](uppfoljning-KLK.md) | Kommunledningskontoret (KLK) "
        "| ▲ pågår med avvikelse | Valet flyttas. |"
    ) in lines
    assert (
        "| [2.1.1 Nyköpings kommun ska vara en attraktiv arbetsgivare (KS)](uppfoljning-KLK.md) "
        "| Kommunledningskontoret (KLK) | ◐ delvis uppfyllt | Sjukfrånvaron minskar. |"
    ) in lines
    # TEK, without a report, is listed as not reported, not with each of its goals.
    assert len([line for line in lines if line.startswith("| [2.1.1 ")]) == 1


def test_the_overview_in_html_has_captions_and_header_cells_with_scope(
    base_tree: Path, tmp_path: Path
) -> None:
    filled(base_tree)
    out = tmp_path / "uppfoljning"
    site(base_tree, out)
    page = (out / "oversikt.html").read_text("utf-8")
    assert page.count("<table") == page.count("<caption>") == 4
    assert (
        '<th scope="row"><a href="uppfoljning-KLK.html">Kommunledningskontoret (KLK)</a></th>'
        in page
    )
    assert (
        '<th scope="row"><a href="uppfoljning-KLK.html#uppdrag-okat-valdeltagande">'
        "2.1.3 Ökat valdeltagande (KS)</a></th>"
    ) in page
    assert 'id="uppdrag-okat-valdeltagande"' in (out / "uppfoljning-KLK.html").read_text("utf-8")
    assert "<th>" not in page  # every header cell has its scope
    assert 'data-running-head="Uppföljning delår 2026 · översikt"' in page


def test_a_later_all_removes_its_stale_pages_and_nothing_else(
    base_tree: Path, tmp_path: Path
) -> None:
    filled(base_tree)
    out = tmp_path / "uppfoljning"
    site(base_tree, out, "--format", "both")
    (out / "egen.md").write_text("not ovk's\n")
    result = ovk(base_tree, "render", "--all", "--followup", "delår", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "removed 4 stale page(s)" in result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert [n for n in names if n.endswith(".md")] == ["egen.md"]


# --- PDF -------------------------------------------------------------------------------------


@pytest.fixture
def weasyprint() -> None:
    from ovk.render.pdf import weasyprint as load

    try:
        load()
    except UsageError as error:
        pytest.skip(f"no PDF without WeasyPrint here: {error}")


def test_a_report_and_the_overview_are_written_as_pdf(
    base_tree: Path, tmp_path: Path, weasyprint: None
) -> None:
    filled(base_tree)
    one = tmp_path / "klk.pdf"
    assert ovk(base_tree, "render", "KLK", "--followup", "delår", "-o", str(one)).exit_code == 0
    assert one.read_bytes().startswith(b"%PDF-")
    out = tmp_path / "uppfoljning"
    names = site(base_tree, out, "--format", "pdf")
    assert {"oversikt.pdf", "uppfoljning-KLK.pdf", "uppfoljning-TEK.pdf"} <= set(names)
    index = (out / "index.html").read_text("utf-8")
    assert '<a href="oversikt.pdf" type="application/pdf">PDF</a>' in index


# --- snapshot and the shipped data ----------------------------------------------------------


def test_a_filled_report_matches_its_snapshot(base_tree: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    filled(base_tree)
    snapshot("render-followup-KLK-delar.md", render(base_tree, "KLK"))


@pytest.mark.data
def test_the_shipped_agreements_have_no_reports_and_render_every_division_as_missing(
    tmp_path: Path,
) -> None:
    assert not list(AGREEMENTS.glob("*/uppfoljning"))  # the sources hold none
    root = tmp_path / "repo"
    shutil.copytree(AGREEMENTS, root / "agreements")
    shutil.copytree(REPO / "schema", root / "schema")
    out = tmp_path / "uppfoljning"
    site(root, out, "--year", "2026", "--format", "md")
    text = (out / "oversikt.md").read_text("utf-8")
    codes = [d["code"] for d in _divisions(root)]
    assert text.count("| ingen rapport |") == len(codes) == 7
    assert "**Ingen rapport har lämnats av:** Tekniska divisionen (TEK), Samhällsbyggnad" in text
    assert {f"uppfoljning-{c}.md" for c in codes} <= {p.name for p in out.iterdir()}


def _divisions(root: Path) -> list[dict[str, str]]:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((root / "agreements/2026/overenskommelse.yaml").read_text("utf-8"))
    return data["divisions"]  # type: ignore[no-any-return]
