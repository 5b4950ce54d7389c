"""`ovk render`: snapshots, completeness against the data, escaping, files and usage errors.

The tool's tests render the example tree; the tests marked `data` render the shipped
agreements (the KLK snapshots of 2024 and 2026, every text of every shipped year)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from ovk.errors import UsageError
from ovk.model.read import YearData, expand_owners, read, read_year
from ovk.output.swedish import genitive, municipality_name
from ovk.render.build import Renderer, Source, load_source, write_atomic
from ovk.render.templating import md_text, sv_date, sv_number, text_language
from tests.conftest import AGREEMENTS, REPO, add_year, make_tree, run_ovk, shipped_years

SNAPSHOT_YEARS = (2024, 2026)
FORMATS = ("md", "html")


def repo_copy(target: Path) -> Path:
    """The repository's data and templates outside git, so the generator line is stable."""
    for name in ("agreements", "schema", "templates"):
        shutil.copytree(REPO / name, target / name)
    return target


@cache
def source(year: int) -> Source:
    return load_source(REPO, year)


@cache
def files(year: int) -> YearData:
    """The year's files; their data as read is what the renderings are checked against."""
    return read_year(REPO, year)


def divisions() -> list[tuple[int, str]]:
    """(year, code) of every bilaga of every shipped year."""
    return [
        (year, path.stem)
        for year in shipped_years()
        for path in sorted((AGREEMENTS / str(year) / "divisions").glob("*.yaml"))
    ]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Source:
    """The example tree's 2026 with every optional text and every kind of block (headings,
    nested lists, tables) in every text."""
    return load_source(
        rewrite(make_tree(tmp_path_factory.mktemp("example") / "repo"), enrich), 2026
    )


# The example (the tool's test) and each shipped year (a data test).
SOURCES = ["example", *(pytest.param(y, marks=pytest.mark.data) for y in shipped_years())]


@pytest.fixture(params=SOURCES)
def any_source(request: pytest.FixtureRequest) -> Source:
    if request.param == "example":
        return request.getfixturevalue("example")  # type: ignore[no-any-return]
    return source(request.param)


# --- reading rendered output back as text -------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script") and self._skip > 0

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def parse_html(text: str) -> _Text:
    parser = _Text()
    parser.feed(text)
    parser.close()
    return parser


def normalise(text: str) -> str:
    return " ".join(text.split())


def html_text(text: str) -> str:
    return normalise(" ".join(parse_html(text).parts))


def markdown_text(text: str) -> str:
    """The Markdown as GitHub shows it, reduced to text: rendered, then its HTML's text."""
    return html_text(gfm(text))


def gfm(text: str) -> str:
    """GitHub-flavoured Markdown to HTML (CommonMark with tables and strikethrough)."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)


def as_text(text: str, fmt: str) -> str:
    return html_text(text) if fmt == "html" else markdown_text(text)


# --- walking the model ----------------------------------------------------------------------

# Keys whose values are identities or codes, shown differently (as names, labels, dates)
# or not at all: an indicator's unit is read from its title, which is shown; an ersättning's
# unit is in its table's header, and there is no table when the source lacks it; a
# municipality's Kolada id identifies it, the pages name it.
STRUCTURAL = {
    "id",
    "year",
    "code",
    "level",
    "origin",
    "owners",
    "lead",
    "delas_till",
    "followup",
    "start",
    "due",
    "key",
    "malomrade",
    "verksamhetsomrade",
    "missing_in_source",
    "unit",
    "kolada_id",
}


def texts(node: Any, key: str | None = None) -> Iterator[str]:
    """Every text of a file's data that a reader must find in the rendering."""
    if key in STRUCTURAL:
        return
    if isinstance(node, str):
        if node.strip():
            yield normalise(node)
    elif isinstance(node, float) and key == "belopp":
        yield sv_number(node).replace("\u00a0", " ")
    elif isinstance(node, dict):
        for child_key, value in node.items():
            yield from texts(value, child_key)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value, key)


def shared_goals(year: int, code: str) -> Iterator[dict[str, Any]]:
    data = files(year)
    assert data.malomraden is not None
    for area in data.malomraden.data["malomraden"]:
        for vo in [area, *area["verksamhetsomraden"]]:
            for goal in vo["goals"]:
                if code in expand_owners(goal["delas_till"], data.codes):
                    yield goal
            for entry in vo.get("grundverksamhet") or []:
                if code in expand_owners(entry["owners"], data.codes):
                    yield entry


def owned_uppdrag(year: int, code: str) -> Iterator[dict[str, Any]]:
    data = files(year)
    owned = (u.data for u in data.uppdrag)
    return (u for u in owned if code in expand_owners(u["owners"], data.codes))


def missing(expected: Iterator[str], rendered: str) -> list[str]:
    return sorted({t for t in expected if t not in rendered})


# --- snapshots --------------------------------------------------------------------------------


@pytest.mark.data
@pytest.mark.parametrize("year", SNAPSHOT_YEARS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_klk_bilaga_matches_its_snapshot(
    tmp_path: Path, snapshot: Callable[[str, str], None], year: int, fmt: str
) -> None:
    root = repo_copy(tmp_path / "repo")
    result = run_ovk("--root", str(root), "render", "KLK", "--year", str(year), "--format", fmt)
    assert (result.exit_code, result.stderr) == (0, "")
    snapshot(f"render-KLK-{year}.{fmt}", result.stdout)


# --- completeness -----------------------------------------------------------------------------


@pytest.mark.data
@pytest.mark.parametrize(("year", "code"), divisions())
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_text_of_a_division_is_in_its_bilaga(year: int, code: str, fmt: str) -> None:
    rendered = as_text(Renderer(source(year), fmt, notes=True).bilaga(code), fmt)
    division = files(year).divisions[code].data
    assert missing(texts(division), rendered) == []
    for goal in shared_goals(year, code):
        assert missing(texts(goal), rendered) == [], goal["id"]
    for uppdrag in owned_uppdrag(year, code):
        assert missing(texts(uppdrag), rendered) == [], uppdrag["id"]
        for date in (uppdrag["start"], uppdrag["due"]):
            assert date is None or sv_date(date) in rendered


@pytest.mark.data
@pytest.mark.parametrize("year", shipped_years())
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_text_of_the_agreement_is_in_the_main_document(year: int, fmt: str) -> None:
    data = files(year)
    rendered = as_text(Renderer(source(year), fmt, notes=True).main(), fmt)
    assert data.malomraden is not None
    assert missing(texts(data.agreement.data), rendered) == []
    assert missing(texts(data.malomraden.data), rendered) == []
    for uppdrag in data.uppdrag:
        assert missing(texts(uppdrag.data), rendered) == [], uppdrag.data["id"]


@pytest.mark.data
def test_klk_2024_ersattning_sums_to_204_6() -> None:
    ersattning = source(2024).divisions["KLK"].ersattning
    assert ersattning is not None
    assert round(sum(r.belopp for r in ersattning.rows), 1) == 204.6
    for fmt in FORMATS:
        rendered = as_text(Renderer(source(2024), fmt).bilaga("KLK"), fmt)
        assert "Summa gemensamt 204,6" in rendered
        assert "Kommunledningskansli 43,4" in rendered


@pytest.mark.data
@pytest.mark.parametrize("fmt", FORMATS)
def test_2026_ersattning_is_missing_in_source_and_samrad_comes_from_the_agreement(
    fmt: str,
) -> None:
    rendered = as_text(Renderer(source(2026), fmt).bilaga("KLK"), fmt)
    assert "Ersättning: saknas i underlaget." in rendered
    assert "Samråd om investeringar (KS)" in rendered
    assert "31 december 2026" in rendered


def test_markdown_tables_stay_intact(any_source: Source) -> None:
    """Every table row GitHub would show has as many cells as its table has columns."""
    tables = 0
    for code in any_source.divisions:
        tokens = (
            MarkdownIt("commonmark").enable("table").parse(Renderer(any_source, "md").bilaga(code))
        )
        widths: list[int] = []
        cells = 0
        for token in tokens:
            if token.type == "tr_open":
                cells = 0
            elif token.type in ("th_open", "td_open"):
                cells += 1
            elif token.type == "tr_close":
                widths.append(cells)
            elif token.type == "table_close":
                assert len(set(widths)) == 1, (code, widths)
                widths = []
                tables += 1
        html_tables = Renderer(any_source, "html").bilaga(code).count("<table")
        assert sum(t.type == "table_open" for t in tokens) == html_tables, code
    assert tables


def test_markdown_documents_have_one_title_and_a_footer_rule(any_source: Source) -> None:
    renderer = Renderer(any_source, "md")
    pages = [renderer.main(), renderer.index(), *map(renderer.bilaga, any_source.divisions)]
    for page in pages:
        shown = gfm(page)
        assert shown.count("<h1>") == 1 and "<hr />" in shown
        assert not re.search(r"<h[1-6]>[^<]*Skapad med ovk", shown)


def test_html_has_one_h1_and_no_skipped_heading_levels(any_source: Source) -> None:
    renderer = Renderer(any_source, "html")
    for code in any_source.divisions:
        for page in (renderer.bilaga(code), renderer.main()):
            levels = [
                int(tag[1]) for tag, _ in parse_html(page).tags if re.fullmatch(r"h[1-6]", tag)
            ]
            assert levels.count(1) == 1 and levels[0] == 1
            assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), code


def test_html_tables_have_captions_and_scoped_headers(base_tree: Path) -> None:
    page = Renderer(load_source(base_tree, 2026), "html").bilaga("KLK")
    assert page.count("<table") == page.count("<caption>") > 0
    assert '<th scope="col">Indikator</th>' in page
    assert '<th scope="row">Ekonomiavdelningen</th>' in page


def test_html_page_is_self_contained_and_names_its_generator(example: Source) -> None:
    page = Renderer(example, "html").bilaga("KLK")
    assert page.startswith('<!doctype html>\n<html lang="sv">')
    assert "<style>" in page and re.search(r"@page \{\s+size: A4;", page)
    assert re.search(r'<meta name="generator" content="ovk [0-9.]+( \(commit [0-9a-f]+\))?">', page)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)


# --- escaping ---------------------------------------------------------------------------------

PAYLOAD = (
    "<script>alert(1)</script> {{ 7*7 }} {% if x %}y{% endif %} a|b [länk](javascript:alert(1)) "
    "**fet** _kursiv_ `kod` ~~stryk~~ $x^2$ :smile: &amp; <!-- c --> \\ <b>b</b>"
)
PREFIXES = ("", "# ", "1. ", "- ", "> ", "+ ", "| ", "=== ")
# Fields that hold codes, ids, dates or other values a schema pins down (not free text).
PINNED = STRUCTURAL | {"number", "kolada", "unit", "$schema"}


# Optional text fields the example tree leaves empty; filled so every kind is tested.
OPTIONAL_TEXT = {
    "note",
    "suffix",
    "ansvarig",
    "sources_heading",
    "kompletterande_heading",
    "onskat_resultat_heading",
    "mottagare",
    "financing",
    "rapportering",
    "diarienummer",
    "kategori",
    "nr",
    "heading",
}
BLOCKS = {"text", "uppfoljning", "kompletterande", "onskat_resultat"}


def enrich(node: Any, key: str | None = None) -> Any:
    """The data with every optional text set and every block kind in every text."""
    if isinstance(node, dict) and "parties" in node and node.get("municipality") is None:
        node = {**node, "municipality": {"name": "x", "kolada_id": "0480"}}  # the agreement's
    if node is None and key in OPTIONAL_TEXT:
        return "x"
    if node is None and key == "source":
        return {"text": "x", "kolada": []}
    if node is None and key == "fokus":
        return {"heading": "x", "text": ["x"]}
    if isinstance(node, dict):
        return {k: enrich(v, k) for k, v in node.items()}
    if isinstance(node, list):
        items = [enrich(v) for v in node]
        if key in BLOCKS:
            items += [
                {"heading": "x"},
                {"list": ["x", {"list": ["x"]}]},
                {"table": {"columns": ["x", "x"], "rows": [["x", "x"], ["x"]]}},
            ]
        elif key == "footnotes":
            items.append("x")
        return items
    return node


def poison(node: Any, counter: list[int], key: str | None = None, payload: str = PAYLOAD) -> Any:
    """The data with every free-text string replaced by a unique hostile string (with a
    harmless `payload`: the same texts, prefixes and numbers, without the markup)."""
    if key in PINNED:
        return node
    if isinstance(node, str):
        counter[0] += 1
        return f"{PREFIXES[counter[0] % len(PREFIXES)]}{payload} #{counter[0]}"
    if isinstance(node, dict):
        return {k: poison(v, counter, k, payload) for k, v in node.items()}
    if isinstance(node, list):
        return [poison(v, counter, key, payload) for v in node]
    return node


def rewrite(root: Path, transform: Callable[[Any], Any]) -> Path:
    """Every agreement file of the tree transformed (written as JSON, which is YAML)."""
    for path in sorted((root / "agreements").rglob("*.yaml")):
        modeline = path.read_text(encoding="utf-8").splitlines()[0]
        data = transform(read(path, root))
        path.write_text(f"{modeline}\n{json.dumps(data, ensure_ascii=False, indent=1)}\n")
    return root


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example tree with every kind of text present, each a unique hostile string."""
    counter = [0]
    root = make_tree(tmp_path_factory.mktemp("hostile") / "repo")
    return rewrite(root, lambda data: poison(enrich(data), counter))


def hostile_texts(root: Path) -> list[str]:
    found = []
    for path in (root / "agreements").rglob("*.yaml"):
        found += [t for t in texts(read(path, root)) if PAYLOAD in t]
    return found


def documents(root: Path, fmt: str) -> dict[str, str]:
    renderer = Renderer(load_source(root, 2026), fmt, notes=True)
    return {
        "KLK": renderer.bilaga("KLK"),
        "TEK": renderer.bilaga("TEK"),
        "main": renderer.main(),
        "index": renderer.index(),
        "transkribering": renderer.transcription(),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_appears_literally_and_never_as_markup(hostile_tree: Path, fmt: str) -> None:
    pages = documents(hostile_tree, fmt)
    shown = " ".join(as_text(page, fmt) for page in pages.values())
    expected = hostile_texts(hostile_tree)
    assert len(expected) > 200
    assert missing(iter(expected), shown) == []
    for name, page in pages.items():
        markup = page if fmt == "html" else gfm(page)
        tags = parse_html(markup).tags
        assert not any(t in ("script", "b") for t, _ in tags), name
        assert not any((a.get("href") or "").startswith("javascript") for _, a in tags), name
        assert "<!-- c -->" not in markup, name


def test_hostile_markdown_makes_no_markup_from_data(hostile_tree: Path, tmp_path: Path) -> None:
    """Rendered as GitHub would, the data adds no element: the same tags as with plain data
    (the same texts, their leading "1. " or "# " included, without the markup)."""
    counter = [0]
    plain = rewrite(
        make_tree(tmp_path / "plain"), lambda data: poison(enrich(data), counter, payload="ord")
    )
    for name, page in documents(hostile_tree, "md").items():
        hostile_tags = [t for t, _ in parse_html(gfm(page)).tags]
        plain_tags = [t for t, _ in parse_html(gfm(documents(plain, "md")[name])).tags]
        assert hostile_tags == plain_tags, name


def test_a_forgotten_filter_in_a_markdown_template_still_escapes(hostile_tree: Path) -> None:
    (hostile_tree / "templates").mkdir(exist_ok=True)
    (hostile_tree / "templates" / "bilaga.md").write_text("# {{ division.name }}\n")
    try:
        page = Renderer(load_source(hostile_tree, 2026), "md").bilaga("KLK")
    finally:
        shutil.rmtree(hostile_tree / "templates")
    assert "<script>" not in page and "\\<script\\>" in page


# --- the municipality -------------------------------------------------------------------------


def with_municipality(root: Path, name: str) -> Path:
    path = root / "agreements" / "2026" / "overenskommelse.yaml"
    text = path.read_text(encoding="utf-8")
    named = text.replace("year: 2026\n", f"year: 2026\nmunicipality: {{name: {name}}}\n", 1)
    path.write_text(named, encoding="utf-8")
    return root


def test_html_pages_name_the_municipality_in_the_header_running_head_and_footer(
    base_tree: Path,
) -> None:
    renderer = Renderer(load_source(with_municipality(base_tree, "Umeå"), 2026), "html")
    for page in (renderer.bilaga("KLK"), renderer.main(), renderer.index()):
        header = page.split("<header>", 1)[1].split("</header>", 1)[0]
        assert '<p class="municipality">Umeå kommun</p>' in header
        assert re.search(r'<body data-running-head="Umeå kommun · [^"]+">', page)
        footer = page.split("<footer>", 1)[1]
        assert "<p>Umeå kommun · Skapad med ovk" in footer
        assert page.count("<header>") == page.count("<footer>") == 1


def test_markdown_pages_name_the_municipality_above_the_title_and_in_the_footer(
    base_tree: Path,
) -> None:
    renderer = Renderer(load_source(with_municipality(base_tree, "Nyköping"), 2026), "md")
    for page in (renderer.bilaga("KLK"), renderer.main(), renderer.index()):
        assert page.startswith("**Nyköpings kommun**\n\n*")
        assert page.rstrip().endswith("ur agreements/2026/.*")
        assert "\n*Nyköpings kommun · Skapad med ovk" in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_pages_name_no_municipality_when_the_agreement_names_none(
    base_tree: Path, fmt: str
) -> None:
    renderer = Renderer(load_source(base_tree, 2026), fmt)
    for page in (renderer.bilaga("KLK"), renderer.main(), renderer.index()):
        if fmt == "html":
            header = page.split("<header>", 1)[1].split("</header>", 1)[0]
            header = re.sub(r"<nav .*?</nav>", "", header, flags=re.DOTALL)  # the index's
            assert header.lstrip().startswith('<p class="kicker">')
            assert "<footer>\n<p>Skapad med ovk" in page
            assert 'class="municipality"' not in page
        else:
            assert page.startswith("*")  # the kicker, no line above it
            assert "\n*Skapad med ovk" in page
    if fmt == "html":
        assert 'data-running-head="Bilaga KLK · 2026"' in renderer.bilaga("KLK")


def test_the_index_of_every_year_names_the_newest_years_municipality(base_tree: Path) -> None:
    add_year(with_municipality(base_tree, "Nyköping"), 2027, 2026)
    out = base_tree / "site"
    result = run_ovk(
        "--root",
        str(base_tree),
        "render",
        "--all",
        "--all-years",
        "--format",
        "html",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    top = (out / "index.html").read_text(encoding="utf-8")
    assert "2027/index.html" in top
    assert '<p class="municipality">Nyköpings kommun</p>' in top


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Nyköping", "Nyköpings kommun"),
        ("Umeå", "Umeå kommun"),
        ("Borås", "Borås kommun"),
        ("Kalix", "Kalix kommun"),
        ("Malung-Sälen", "Malung-Sälens kommun"),
        ("Upplands Väsby", "Upplands Väsby kommun"),
        ("Falun", "Falu kommun"),
        ("Göteborgs Stad", "Göteborgs Stad"),
        ("Region Gotland", "Region Gotland"),
    ],
)
def test_municipality_name_joins_the_name_to_kommun_the_swedish_way(name: str, shown: str) -> None:
    assert municipality_name(name) == shown


@pytest.mark.parametrize(("name", "genitive_form"), [("Nyköping", "Nyköpings"), ("Borås", "Borås")])
def test_genitive_adds_an_s_unless_the_name_ends_in_one(name: str, genitive_form: str) -> None:
    assert genitive(name) == genitive_form


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(204.6, "204,6"), (4.0, "4,0"), (27.5, "27,5"), (12.25, "12,25"), (1234.5, "1\u00a0234,5")],
)
def test_sv_number(value: float, expected: str) -> None:
    assert sv_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(403.0, "403"), (403, "403"), (14091.0, "14\u00a0091"), (60.4, "60,4"), (1.25, "1,25")],
)
def test_sv_number_with_no_decimals_asked_shows_a_whole_float_whole(
    value: float, expected: str
) -> None:
    """An outcome or a Kolada value the model holds as 403.0 is shown as 403, not 403,0."""
    assert sv_number(value, 0) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 12, 31), "31 december 2026"),
        (dt.date(2025, 1, 1), "1 januari 2025"),
        ("2026-12-31", "31 december 2026"),  # as a template may write one
        (None, ""),
    ],
)
def test_sv_date(value: dt.date | str | None, expected: str) -> None:
    assert sv_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7. Hållbar energi", "7\\. Hållbar energi"),
        ("a | b", "a \\| b"),
        ("[x](y)", "\\[x\\](y)"),
        ("- punkt", "\\- punkt"),
        ("rad 1\nrad 2", "rad 1 rad 2"),
        ("&amp; & $x$", "\\&amp; & \\$x\\$"),
    ],
)
def test_md_text(value: str, expected: str) -> None:
    assert md_text(value) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ('Source typo kept ("i sin helhet bilaga", without "i").', "en"),
        ('The parenthesis opened after "HME" is not closed in the source.', "en"),
        ("Första stycket saknar avslutande punkt i källan.", "sv"),
        ('Källan skriver "transsportvanor" (stavfel, bevarat).', "sv"),
        ("", "sv"),
    ],
)
def test_text_language(text: str, language: str) -> None:
    assert text_language(text) == language


@pytest.mark.data
def test_english_notes_are_marked_as_english_in_html() -> None:
    page = Renderer(source(2024), "html", notes=True).bilaga("KLK")
    assert '<span lang="en">The parenthesis opened after &#34;HME&#34;' in page
    swedish = "Punkttecknen saknas i textutdraget; de tre parallella raderna är lästa"
    page = Renderer(source(2026), "html", notes=True).bilaga("KLK")
    assert f"Transkriberingsnotering:</span> {swedish}" in page


# --- the command: files, formats, usage errors ------------------------------------------------


def test_output_file_is_written_atomically_with_the_stdout_text(base_tree: Path) -> None:
    printed = run_ovk("--root", str(base_tree), "render", "KLK").stdout
    target = base_tree / "out" / "klk.md"
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == printed
    assert [p.name for p in target.parent.iterdir()] == ["klk.md"]  # no temporary file left
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # not a private temp file


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()  # a folder cannot be replaced by a file
    with pytest.raises(UsageError, match="cannot write"):
        write_atomic(tmp_path / "taken", "text")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


@pytest.mark.parametrize(
    ("name", "fmt", "written"),
    [
        ("klk.html", None, "html"),
        ("KLK.HTM", None, "html"),
        ("klk.md", None, "md"),
        ("klk.markdown", None, "md"),
        ("klk.txt", None, "md"),  # a suffix no format claims: md, as on stdout
        ("klk", "html", "html"),  # no suffix: the format asked for
        ("klk.txt", "html", "html"),
        ("klk.htm", "html", "html"),
        ("klk.Markdown", "md", "md"),
    ],
)
def test_the_output_suffix_chooses_the_format_and_another_name_takes_the_one_asked_for(
    base_tree: Path, name: str, fmt: str | None, written: str
) -> None:
    target = base_tree / name
    args = ["--root", str(base_tree), "render", "KLK", "-o", str(target)]
    result = run_ovk(*args, *(["--format", fmt] if fmt else []))
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") == (written == "html")
    assert text.startswith("*Bilaga till ") == (written == "md")


@pytest.mark.parametrize("fmt", ["md", "html", "both"])
def test_all_writes_every_bilaga_the_main_document_and_an_index(base_tree: Path, fmt: str) -> None:
    out = base_tree / "site"
    result = run_ovk("--root", str(base_tree), "render", "--all", "-o", str(out), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    extensions = ["html", "md"] if fmt == "both" else [fmt]
    expected = {
        f"{stem}.{ext}"
        for ext in extensions
        for stem in ("bilaga-KLK", "bilaga-TEK", "overenskommelse", "transkribering", "index")
    }
    expected.add(".ovk-manifest.json")
    if "html" in extensions:
        expected.add("style.css")
    assert {p.name for p in out.iterdir()} == expected
    index = (out / f"index.{extensions[0]}").read_text(encoding="utf-8")
    assert f"bilaga-KLK.{extensions[0]}" in index and f"overenskommelse.{extensions[0]}" in index


@pytest.mark.data
def test_all_for_2026_writes_seven_bilagor_the_main_document_and_an_index(tmp_path: Path) -> None:
    root = repo_copy(tmp_path / "repo")
    result = run_ovk(
        "--root", str(root), "render", "--all", "--year", "2026", "-o", str(root / "site")
    )
    assert (result.exit_code, result.stderr.strip()) == (0, f"wrote 12 file(s) to {root / 'site'}")
    names = sorted(p.name for p in (root / "site").iterdir())
    bilagor = [f"bilaga-{c}.html" for c in ("TEK", "SHB", "ROS", "KLK", "NKF", "DSO", "DU")]
    pages = ["index.html", "overenskommelse.html", "transkribering.html", "style.css"]
    assert names == sorted([*bilagor, *pages, ".ovk-manifest.json"])
    page = (root / "site" / "bilaga-KLK.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="style.css">' in page and "<style>" not in page


def test_main_document_renders(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "render", "--main")
    assert result.exit_code == 0
    assert result.stdout.count("\n# ") + result.stdout.startswith("# ") == 1


def test_templates_in_the_repository_override_the_shipped_ones(base_tree: Path) -> None:
    (base_tree / "templates").mkdir()
    (base_tree / "templates" / "bilaga.md").write_text("Egen mall: {{ division.name }}\n")
    result = run_ovk("--root", str(base_tree), "render", "KLK")
    assert result.stdout == "Egen mall: Kommunledningskontoret\n"
    assert run_ovk("--root", str(base_tree), "render", "--main").exit_code == 0  # shipped


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ nope }}", "ovk: error: template bilaga.md: 'nope' is undefined"),
        ("x\n{% if %}", "bilaga.md:2: Expected an expression, got 'end of statement block'"),
    ],
)
def test_a_broken_template_is_a_one_line_error(
    base_tree: Path, template: str, message: str
) -> None:
    (base_tree / "templates").mkdir()
    (base_tree / "templates" / "bilaga.md").write_text(template)
    result = run_ovk("--root", str(base_tree), "render", "KLK")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_generator_names_the_commit_when_the_root_is_in_git(base_tree: Path) -> None:
    git = ["git", "-C", str(base_tree), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    page = run_ovk("--root", str(base_tree), "render", "KLK", "--format", "html").stdout
    assert f'<meta name="generator" content="ovk 0.1.0 (commit {commit})">' in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["XYZ"], "'XYZ' is not a division of 2026 (divisions: KLK, TEK)"),
        (["KLK", "--year", "1999"], "no agreement for 1999 (years: 2026)"),
        (["KLK", "-o", "../../etc/ovk-test"], "is outside the working folder and the repository"),
        (["--all"], "--all needs -o DIR"),
        (["KLK", "--format", "both"], "--format both needs --all"),
        ([], "give one of CODE, --main or --all"),
        (["KLK", "--main"], "give one of CODE, --main or --all"),
        (["KLK", "--format", "pdf"], "--format pdf needs -o FILE"),
        (["KLK", "--format", "txt"], "'txt' is not one of"),
        (
            ["KLK", "-o", "klk.pdf", "--format", "md"],
            "-o klk.pdf names a pdf file, but --format is md: name it klk.md, or give --format pdf",
        ),
        (["KLK", "-o", "klk.html", "--format", "md"], "klk.html names a html file"),
        (["KLK", "-o", "klk.md", "--format", "html"], "klk.md names a md file"),
        (["KLK", "-o", "KLK.MARKDOWN", "--format", "pdf"], "name it KLK.pdf, or give --format md"),
        (["--main", "-o", "out/ovk.htm", "--format", "pdf"], "ovk.htm names a html file"),
        (["KLK", "-o", "klk.pdf", "--format", "html"], "name it klk.html, or give --format pdf"),
    ],
)
def test_misuse_is_a_one_line_usage_error(base_tree: Path, args: list[str], message: str) -> None:
    before = sorted(p.name for p in base_tree.parent.iterdir())
    result = run_ovk("--root", str(base_tree), "render", *args)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr and result.stdout == ""
    assert sorted(p.name for p in base_tree.parent.iterdir()) == before


def test_a_division_without_a_bilaga_that_year_is_a_usage_error(two_year_tree: Path) -> None:
    (two_year_tree / "agreements/2027/divisions/TEK.yaml").unlink()  # still a division of 2027
    result = run_ovk("--root", str(two_year_tree), "render", "TEK", "--year", "2027")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "ovk: error: TEK has no bilaga in 2027 "
        "(no agreements/2027/divisions/TEK.yaml; bilagor: KLK)"
    )


def test_output_through_a_symlink_out_of_the_tree_is_refused(
    base_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (base_tree / "link").symlink_to(outside)
    monkeypatch.chdir(base_tree)
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", "link/x.md")
    assert result.exit_code == 2
    assert list(outside.iterdir()) == []


# --- templates ship with the package ----------------------------------------------------------


def test_repository_templates_equal_the_shipped_copies() -> None:
    repo = {p.name: p.read_bytes() for p in (REPO / "templates").iterdir()}
    shipped = {p.name: p.read_bytes() for p in (REPO / "ovk" / "data" / "templates").iterdir()}
    assert repo == shipped, "copy templates/ to ovk/data/templates/ (or back)"


def test_an_absolute_output_path_is_taken_as_given(base_tree: Path, tmp_path: Path) -> None:
    target = tmp_path / "published" / "klk.md"  # outside the working folder and the root
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert "Kommunledningskontoret" in target.read_text(encoding="utf-8")
