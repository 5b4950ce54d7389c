"""`ovk render` as published: transcribers' notes left out (and listed on their own page),
each heading and list said once, numbered lists, the --all manifest that removes stale pages
and nothing else, provenance from a changed working tree, and an index across years.

The tool's tests run on the example tree (tests/examples/_base) in tmp_path; the tests marked
`data` render the shipped agreements."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ovk.model.read import read
from ovk.render.build import (
    MANIFEST,
    Renderer,
    heading_words,
    load_source,
    transcriber_note,
    year_notes,
)
from tests.conftest import REPO, run_ovk, shipped_years
from tests.test_render import as_text, enrich, gfm, parse_html, rewrite

FORMATS = ("md", "html")


def edit(root: Path, relative: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change one agreement file of a tree in place (written as JSON, which is YAML)."""
    path = root / "agreements" / relative
    modeline = path.read_text(encoding="utf-8").splitlines()[0]
    data = read(path, root)
    change(data)
    path.write_text(f"{modeline}\n{json.dumps(data, ensure_ascii=False, indent=1)}\n")


def marked_notes(node: Any, counter: list[int], key: str | None = None) -> Any:
    """The data with every note (every entity's, present or not) a unique "Anteckning N."."""
    if isinstance(node, dict):
        out = {k: marked_notes(v, counter, k) for k, v in node.items()}
        if "note" in out:
            counter[0] += 1
            out["note"] = f"Anteckning {counter[0]} av transkribenten."
        return out
    if isinstance(node, list):
        return [marked_notes(v, counter) for v in node]
    return node


@pytest.fixture
def noted_tree(base_tree: Path) -> Path:
    """The example tree with every kind of text, and a unique note on every entity."""
    counter = [0]
    return rewrite(base_tree, lambda data: marked_notes(enrich(data), counter))


NOTE = re.compile(r"Anteckning [0-9]+ av transkribenten\.")


def render_all(root: Path, out: Path, *args: str) -> dict[str, str]:
    """`ovk render --all` into `out`: every file written, relative path -> text."""
    result = run_ovk("--root", str(root), "render", "--all", "-o", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def page_text(name: str, text: str) -> str:
    return as_text(text, "md" if name.endswith(".md") else "html")


# --- transcribers' notes --------------------------------------------------------------------


def test_every_note_of_the_tree_is_found_by_the_one_notes_function(noted_tree: Path) -> None:
    notes = year_notes(load_source(noted_tree, 2026))
    written = set()
    for path in (noted_tree / "agreements").rglob("*.yaml"):
        written |= set(NOTE.findall(path.read_text(encoding="utf-8")))
    assert {n.text for n in notes} == written and len(notes) == len(written) > 10


def test_a_blank_note_is_no_note() -> None:
    class Noted:
        def __init__(self, note: object) -> None:
            self.note = note

    assert [transcriber_note(Noted(n)) for n in (None, "", "  \n", 3)] == [None] * 4
    assert transcriber_note(Noted(" Läst som två värden. ")) == "Läst som två värden."


@pytest.mark.parametrize("fmt", ["md", "html", "both"])
def test_all_leaves_notes_out_of_every_page_but_the_notes_page(
    noted_tree: Path, tmp_path: Path, fmt: str
) -> None:
    pages = render_all(noted_tree, tmp_path / "site", "--format", fmt)
    expected = {n.text for n in year_notes(load_source(noted_tree, 2026))}
    for name, text in pages.items():
        if name.startswith("transkribering."):
            assert set(NOTE.findall(page_text(name, text))) == expected, name
        else:
            assert NOTE.findall(text) == [] and "Transkriberingsnotering" not in text, name


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_single_rendering_leaves_notes_out_and_notes_brings_them_back(
    noted_tree: Path, fmt: str
) -> None:
    root = str(noted_tree)
    for args in (["KLK"], ["--main"]):
        plain = run_ovk("--root", root, "render", *args, "--format", fmt).stdout
        noted = run_ovk("--root", root, "render", *args, "--format", fmt, "--notes").stdout
        assert NOTE.findall(plain) == [] and "Transkriberingsnotering" not in plain
        assert len(NOTE.findall(page_text(f"x.{fmt}", noted))) > 10


def test_all_with_notes_shows_every_note_inline(noted_tree: Path, tmp_path: Path) -> None:
    pages = render_all(noted_tree, tmp_path / "site", "--format", "both", "--notes")
    expected = {n.text for n in year_notes(load_source(noted_tree, 2026))}
    for fmt in FORMATS:
        shown: set[str] = set()
        for name, text in pages.items():
            if name.endswith(f".{fmt}") and not name.startswith("transkribering."):
                shown |= set(NOTE.findall(page_text(name, text)))
        assert shown == expected, fmt


def test_the_notes_page_links_each_note_to_its_place_and_the_index_links_it(
    noted_tree: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    pages = render_all(noted_tree, out)
    assert 'href="transkribering.html"' in pages["index.html"]
    notes_page = parse_html(pages["transkribering.html"])
    links = [a.get("href") or "" for tag, a in notes_page.tags if tag == "a"]
    links = [link for link in links if re.fullmatch(r"[a-z-]+\.html#.+", link)]
    assert links
    for link in links:
        page, anchor = link.split("#")
        assert f'id="{anchor}"' in pages[page], link
    # every note once, each with the pages it belongs to
    text = page_text("transkribering.html", pages["transkribering.html"])
    assert len(NOTE.findall(text)) == len(set(NOTE.findall(text))) == text.count("Hör till:")
    md = render_all(noted_tree, tmp_path / "md", "--format", "md")
    assert "(transkribering.md)" in md["index.md"]


def test_missing_in_source_stays_visible_to_readers(base_tree: Path) -> None:
    for fmt in FORMATS:
        page = run_ovk("--root", str(base_tree), "render", "TEK", "--format", fmt).stdout
        assert "saknas i underlaget" in as_text(page, fmt)


# --- said once ------------------------------------------------------------------------------


def headings(page: str, fmt: str) -> Iterator[tuple[int, str, bool]]:
    """(level, text, whether text stands between it and the previous heading)."""
    html = page if fmt == "html" else gfm(page)
    for match in re.finditer(r"<h([1-6])[^>]*>(.*?)</h\1>|<(p|li|td|dd)\b", html, re.S):
        yield (int(match.group(1)), match.group(2), False) if match.group(1) else (0, "", True)


def repeated_headings(page: str, fmt: str) -> list[str]:
    """Headings right below a heading that says the same (its number and "(KS)" aside)."""
    found, previous = [], None
    for _, text, content in headings(page, fmt):
        if content:
            previous = None
            continue
        words = heading_words(re.sub(r"<[^>]+>|\\", "", text))
        if previous is not None and words == previous:
            found.append(text)
        previous = words
    return found


def test_a_part_the_source_heads_itself_gets_no_second_heading(base_tree: Path) -> None:
    edit(base_tree, "2026/divisions/TEK.yaml", lambda d: d.update(samrad=None))
    edit(
        base_tree,
        "2026/overenskommelse.yaml",
        lambda d: d["sections"].append(
            {
                "id": "samrad-om-investeringar",
                "number": None,
                "heading": "Samråd om investeringar (KS)",
                "text": ["Samråd sker med företrädarna."],
                "sections": [],
                "note": None,
            }
        ),
    )
    renderer = Renderer(load_source(base_tree, 2026), "html")
    klk = renderer.bilaga("KLK")
    assert '<h2 id="ersattning">4. Ekonomi</h2>' in klk and ">Ersättning</h2>" not in klk
    assert '<h2 id="samrad">5. Samråd om investeringar</h2>' in klk
    assert '<a href="#ersattning">4. Ekonomi</a>' in klk  # the contents say it the same way
    tek = renderer.bilaga("TEK")
    assert '<h2 id="samrad">Samråd om investeringar (KS)</h2>' in tek
    assert tek.count("Samråd om investeringar") == 2  # the contents and the heading
    # a caption that is not the part's own heading stays below the generated one
    assert '<h2 id="ersattning">Ersättning</h2>\n<h3>Tekniska divisionen (KS)</h3>' in tek
    main = renderer.main()
    assert "<h3" in main and "Tekniska divisionen (TEK)</h3>" not in main
    assert ">Tekniska divisionen (KS)</h3>" in main
    for page in (klk, tek, main):
        assert repeated_headings(page, "html") == []


def test_an_area_named_as_its_department_shows_the_name_once(base_tree: Path) -> None:
    def rename(data: dict[str, Any]) -> None:
        section = data["grunduppdrag"]["sections"][0]
        section["heading"] = "Kvalitet"
        section["areas"].append({**section["areas"][0], "id": "andra", "heading": "Andra"})

    edit(base_tree, "2026/divisions/KLK.yaml", rename)
    for fmt in FORMATS:
        page = Renderer(load_source(base_tree, 2026), fmt).bilaga("KLK")
        assert repeated_headings(page, fmt) == []
        shown = as_text(page, fmt)
        assert shown.count("Kvalitet") == (2 if fmt == "html" else 1)  # contents and heading
        assert "Kommunledningskontoret medverkar i kvalitetsarbetet." in shown
        assert "Andra" in shown


PARTY_LIST = {
    "id": "parter-kontaktpersoner",
    "number": None,
    "heading": "Parter/kontaktpersoner (KS)",
    "text": [
        {
            "list": [
                "1. Kommunstyrelsen (KS). Ombud är samordnare.",
                "2. Verksamheterna: Kommunledningskontoret (KLK), Tekniska divisionen (TEK).",
            ]
        }
    ],
    "sections": [],
    "note": None,
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_party_list_is_generated_only_where_the_source_has_none(
    base_tree: Path, fmt: str
) -> None:
    before = Renderer(load_source(base_tree, 2026), fmt).main()
    assert "Parter" in as_text(before, fmt) and "Verksamheter" in as_text(before, fmt)
    edit(base_tree, "2026/overenskommelse.yaml", lambda d: d["sections"].insert(0, PARTY_LIST))
    after = Renderer(load_source(base_tree, 2026), fmt).main()
    shown = as_text(after, fmt)
    assert "Parter/kontaktpersoner (KS)" in shown
    assert re.search(r"Parter(?!/)", shown) is None
    assert 'id="parter"' not in after and 'id="verksamheter"' not in after
    assert not re.search(r"^## Verksamheter$|<h2[^>]*>Verksamheter</h2>", after, re.M)
    assert re.search(r"^## Verksamheter$|<h2[^>]*>Verksamheter</h2>", before, re.M)


def test_a_list_that_names_only_some_parties_keeps_the_generated_list(base_tree: Path) -> None:
    partial = {**PARTY_LIST, "text": [{"list": ["1. Kommunstyrelsen (KS)."]}]}
    edit(base_tree, "2026/overenskommelse.yaml", lambda d: d["sections"].insert(0, partial))
    page = Renderer(load_source(base_tree, 2026), "html").main()
    assert '<h2 id="parter">Parter</h2>' in page


NUMBERED = ["7. Hållbar energi för alla.", "8. Anständiga arbetsvillkor.", "11. Hållbara städer."]


def test_numbered_lists_keep_their_numbers_without_a_bullet(base_tree: Path) -> None:
    def lists(data: dict[str, Any]) -> None:
        data["sections"][0]["text"] = [
            {"list": NUMBERED},
            {"list": ["1. Numrerad.", "Men inte denna."]},
        ]

    edit(base_tree, "2026/overenskommelse.yaml", lists)
    source = load_source(base_tree, 2026)
    html = Renderer(source, "html").main()
    assert (
        '<ol class="numbered">\n'
        '<li value="7">7. Hållbar energi för alla.</li>\n'
        '<li value="8">8. Anständiga arbetsvillkor.</li>\n'
        '<li value="11">11. Hållbara städer.</li>\n'
        "</ol>"
    ) in html
    assert "<ul>\n<li>1. Numrerad.</li>\n<li>Men inte denna.</li>\n</ul>" in html
    md = Renderer(source, "md").main()
    assert "7\\. Hållbar energi för alla.\n\n8\\. Anständiga arbetsvillkor.\n\n11\\." in md
    assert "- 7\\." not in md and "- 1\\. Numrerad." in md
    shown = gfm(md)  # as GitHub shows it: the printed numbers, no list that renumbers them
    assert "<p>11. Hållbara städer.</p>" in shown and "<ol" not in shown


@pytest.mark.data
@pytest.mark.parametrize("year", shipped_years())
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_shipped_page_has_a_heading_right_below_one_that_says_the_same(
    year: int, fmt: str
) -> None:
    renderer = Renderer(load_source(REPO, year), fmt)
    pages = {"main": renderer.main()}
    pages |= {code: renderer.bilaga(code) for code in renderer.source.divisions}
    assert {name: repeated_headings(page, fmt) for name, page in pages.items()} == {
        name: [] for name in pages
    }


@pytest.mark.data
def test_the_2026_main_document_lists_the_parties_once() -> None:
    for fmt in FORMATS:
        page = Renderer(load_source(REPO, 2026), fmt).main()
        shown = as_text(page, fmt)
        assert "Parter/kontaktpersoner (KS)" in shown
        assert re.search(r"Parter(?!/)", shown) is None
        assert "- 1\\. Kommunstyrelsen" not in page


# --- the shipped notes ----------------------------------------------------------------------


@pytest.mark.data
@pytest.mark.parametrize("year", shipped_years())
def test_all_shows_no_shipped_note_but_on_the_notes_page_and_notes_brings_every_one_back(
    tmp_path: Path, year: int
) -> None:
    notes = year_notes(load_source(REPO, year))
    assert notes
    texts = {" ".join(n.text.split()) for n in notes}
    plain = render_all(REPO, tmp_path / "plain", "--year", str(year), "--format", "both")
    for name, page in plain.items():
        shown = page_text(name, page) if name.endswith((".md", ".html")) else page
        found = {t for t in texts if t in shown}
        if name.startswith("transkribering."):
            assert found == texts, name
        else:
            assert found == set() and "Transkriberingsnotering" not in page, name
    noted = render_all(REPO, tmp_path / "noted", "--year", str(year), "--format", "both", "--notes")
    for fmt in FORMATS:
        shown = " ".join(
            page_text(name, page)
            for name, page in noted.items()
            if name.endswith(f".{fmt}") and not name.startswith("transkribering.")
        )
        assert {t for t in texts if t not in shown} == set(), fmt


# --- the manifest ---------------------------------------------------------------------------


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_manifest_lists_what_all_wrote(base_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    pages = render_all(base_tree, out, "--format", "both")
    listed = manifest(out)
    assert listed["ovk"] == "0.1.0"
    assert listed["files"] == sorted(name for name in pages if name != MANIFEST)


def test_a_later_all_removes_its_stale_pages_and_nothing_else(
    base_tree: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    render_all(base_tree, out, "--format", "both")
    (out / "egen.md").write_text("not ovk's\n")
    (out / "notes").mkdir()
    (out / "notes" / "bilaga-KLK.md").write_text("not ovk's either\n")
    edit(base_tree, "2026/overenskommelse.yaml", lambda d: d)
    result = run_ovk("--root", str(base_tree), "render", "--all", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "removed 5 stale page(s)" in result.stderr
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert [n for n in names if n.endswith(".md")] == ["egen.md", "notes/bilaga-KLK.md"]
    assert manifest(out)["files"] == sorted(n for n in names if n.endswith((".html", ".css")))


def test_a_division_dropped_from_the_year_loses_its_page(base_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    render_all(base_tree, out)
    (base_tree / "agreements/2026/divisions/TEK.yaml").unlink()
    render_all(base_tree, out)
    assert not (out / "bilaga-TEK.html").exists() and (out / "bilaga-KLK.html").exists()


@pytest.mark.parametrize(
    "entry",
    ["../utanfor.html", "/tmp/ovk-absolut.html", "a/../../utanfor.html", "./index.html", ""],
)
def test_a_manifest_entry_outside_the_folder_is_ignored_with_a_warning(
    base_tree: Path, tmp_path: Path, entry: str
) -> None:
    out = tmp_path / "site"
    render_all(base_tree, out)
    outside = tmp_path / "utanfor.html"
    outside.write_text("keep\n")
    (out / MANIFEST).write_text(json.dumps({"ovk": "0.1.0", "files": [entry]}))
    result = run_ovk("--root", str(base_tree), "render", "--all", "-o", str(out))
    assert result.exit_code == 0
    assert "ovk: warning:" in result.stderr and "not a page in the folder; ignored" in result.stderr
    assert outside.read_text() == "keep\n"
    assert (out / "index.html").exists()


@pytest.mark.parametrize("text", ["{not json", '["a.html"]', '{"files": "a.html"}', "\0\xff"])
def test_a_malformed_manifest_removes_nothing(base_tree: Path, tmp_path: Path, text: str) -> None:
    out = tmp_path / "site"
    render_all(base_tree, out)
    (out / "a.html").write_text("keep\n")
    (out / MANIFEST).write_text(text)
    result = run_ovk("--root", str(base_tree), "render", "--all", "-o", str(out))
    assert result.exit_code == 0
    assert "is not a manifest ovk wrote; no earlier page is removed" in result.stderr
    assert (out / "a.html").read_text() == "keep\n"
    assert "a.html" not in manifest(out)["files"]  # a fresh, well-formed manifest


def test_a_stale_page_that_became_a_link_is_not_followed(base_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    render_all(base_tree, out, "--format", "both")
    target = tmp_path / "elsewhere.md"
    target.write_text("keep\n")
    (out / "index.md").unlink()
    (out / "index.md").symlink_to(target)
    result = run_ovk("--root", str(base_tree), "render", "--all", "-o", str(out))
    assert result.exit_code == 0
    assert "index.md is now a symbolic link; not removed" in result.stderr
    assert (out / "index.md").is_symlink() and target.read_text() == "keep\n"


def test_a_stale_page_below_a_linked_folder_is_not_removed(base_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_text("keep\n")
    render_all(base_tree, out)
    (out / "2026").symlink_to(elsewhere)
    (out / MANIFEST).write_text(json.dumps({"files": ["2026/index.html"]}))
    result = run_ovk("--root", str(base_tree), "render", "--all", "-o", str(out))
    assert result.exit_code == 0
    assert "lies below a link or a file; not removed" in result.stderr
    assert (elsewhere / "index.html").read_text() == "keep\n"


# --- provenance -----------------------------------------------------------------------------

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]


@pytest.fixture
def repository(base_tree: Path) -> Path:
    """The example tree as a git repository with one commit."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (base_tree / "README.md").write_text("readme\n")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "data"]):
        subprocess.run([*GIT, "-C", str(base_tree), *args], check=True)
    return base_tree


def commit_id(root: Path) -> str:
    done = subprocess.run(
        [*GIT, "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def provenance_of(root: Path) -> tuple[str, str]:
    """The generator meta and the footer of a rendered bilaga."""
    page = run_ovk("--root", str(root), "render", "KLK", "--format", "html").stdout
    meta = re.search(r'<meta name="generator" content="([^"]*)">', page)
    footer = re.search(r"<footer>\s*<p>(.*?)</p>", page, re.S)
    assert meta and footer
    return meta.group(1), footer.group(1)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def staged(root: Path) -> None:
    append(root / "agreements/2026/malomraden.yaml", "# ändrad\n")
    subprocess.run([*GIT, "-C", str(root), "add", "-A"], check=True)


def template(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "style.css").write_text("body { color: #000; }\n")


CHANGES: dict[str, Callable[[Path], None]] = {
    "modified": lambda root: append(root / "agreements/2026/divisions/KLK.yaml", "# ändrad\n"),
    "untracked": lambda root: (root / "agreements/2026/LASMIG.md").write_text("ny fil\n") and None,
    "staged": staged,
    "template": template,
}


def test_a_clean_tree_names_its_commit(repository: Path) -> None:
    commit = commit_id(repository)
    meta, footer = provenance_of(repository)
    assert meta == f"ovk 0.1.0 (commit {commit})"
    assert footer == f"Skapad med ovk 0.1.0 (commit {commit}) ur agreements/2026/."


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_agreement_or_template_is_said_in_the_footer_and_generator(
    repository: Path, change: str
) -> None:
    commit = commit_id(repository)
    CHANGES[change](repository)
    meta, footer = provenance_of(repository)
    assert meta == f"ovk 0.1.0 (commit {commit}-dirty)"
    assert footer == f"Skapad med ovk 0.1.0 (commit {commit}, ändrad) ur agreements/2026/."


def test_a_change_outside_the_year_and_templates_is_not_a_change(repository: Path) -> None:
    (repository / "README.md").write_text("changed\n")
    (repository / "notes.txt").write_text("untracked\n")
    assert provenance_of(repository)[0] == f"ovk 0.1.0 (commit {commit_id(repository)})"


def test_git_runs_no_filter_or_hook_of_the_repository(repository: Path, tmp_path: Path) -> None:
    """A repository's config may name programs (a clean filter, an fsmonitor hook); asking
    git whether the files changed runs none of them."""
    ran = tmp_path / "ran"
    config = [*GIT, "-C", str(repository), "config"]
    subprocess.run([*config, "filter.evil.clean", f"touch {ran}/filter; cat"], check=True)
    subprocess.run([*config, "filter.evil.required", "true"], check=True)
    subprocess.run([*config, "core.fsmonitor", f"touch {ran}/fsmonitor; true"], check=True)
    (repository / ".gitattributes").write_text("*.yaml filter=evil\n")
    subprocess.run([*GIT, "-C", str(repository), "add", ".gitattributes"], check=True)
    subprocess.run(
        [*GIT, "-C", str(repository), "-c", "core.fsmonitor=false", "commit", "-qm", "attrs"],
        check=True,
    )
    ran.mkdir()
    klk = repository / "agreements/2026/divisions/KLK.yaml"
    os.utime(klk, (1, 1))  # same content, new time: git must read the file to compare
    meta, _ = provenance_of(repository)
    assert meta.startswith("ovk 0.1.0 (commit ")
    assert list(ran.iterdir()) == []


# --- several years --------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--year", "2026", "--year", "2027"], ["--all-years"]])
def test_several_years_go_into_their_own_folders_under_an_index(
    two_year_tree: Path, tmp_path: Path, args: list[str]
) -> None:
    out = tmp_path / "site"
    pages = render_all(two_year_tree, out, *args, "--format", "both")
    for year in (2026, 2027):
        assert f"{year}/index.html" in pages and f"{year}/bilaga-KLK.md" in pages
        assert f"{year}/transkribering.html" in pages
        assert 'href="../index.html">Alla år</a>' in pages[f"{year}/bilaga-KLK.html"]
    top = parse_html(pages["index.html"])
    hrefs = [a["href"] for tag, a in top.tags if tag == "a"]
    assert "2026/index.html" in hrefs and "2027/index.html" in hrefs
    assert "(2026/index.md)" in pages["index.md"] and "(2027/index.md)" in pages["index.md"]
    assert sorted(manifest(out)["files"]) == sorted(n for n in pages if n != MANIFEST)


def test_one_year_after_several_removes_the_other_years_folders(
    two_year_tree: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    render_all(two_year_tree, out, "--all-years")
    render_all(two_year_tree, out, "--year", "2027")
    pages = ["bilaga-KLK.html", "bilaga-TEK.html", "index.html", "overenskommelse.html"]
    pages += ["style.css", "transkribering.html"]
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, *pages])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["KLK", "--year", "2026", "--year", "2027"], "several years need --all"),
        (["--all-years", "KLK"], "--all-years needs --all"),
        (["--all", "--all-years", "--year", "2026", "-o", "x"], "give --year or --all-years"),
        (["--all", "--year", "2026", "--year", "1999", "-o", "x"], "no agreement for 1999"),
    ],
)
def test_misused_years_are_a_one_line_usage_error(
    two_year_tree: Path, args: list[str], message: str
) -> None:
    result = run_ovk("--root", str(two_year_tree), "render", *args)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


# --- every page valid as far as a test can tell ---------------------------------------------


def test_every_html_page_of_several_years_has_unique_ids_one_h1_and_ordered_headings(
    noted_tree: Path, tmp_path: Path
) -> None:
    shutil.copytree(noted_tree / "agreements/2026", noted_tree / "agreements/2027")
    for path in (noted_tree / "agreements/2027").rglob("*.yaml"):
        path.write_text(path.read_text().replace('"year": 2026', '"year": 2027'))
    pages = render_all(noted_tree, tmp_path / "site", "--all-years", "--notes")
    for name, page in pages.items():
        if not name.endswith(".html"):
            continue
        tags = parse_html(page).tags
        ids = [a["id"] for _, a in tags if a.get("id")]
        assert len(ids) == len(set(ids)), name
        levels = [int(t[1]) for t, _ in tags if re.fullmatch(r"h[1-6]", t)]
        assert levels.count(1) == 1 and levels[0] == 1, name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), name
        assert page.startswith('<!doctype html>\n<html lang="sv">'), name
        assert any(t == "main" for t, _ in tags), name


def without_notes(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: None if k == "note" else without_notes(v) for k, v in node.items()}
    if isinstance(node, list):
        return [without_notes(v) for v in node]
    return node


def test_a_year_without_notes_says_so_on_its_notes_page(base_tree: Path, tmp_path: Path) -> None:
    rewrite(base_tree, without_notes)
    pages = render_all(base_tree, tmp_path / "site", "--format", "both")
    for fmt in FORMATS:
        shown = page_text(f"x.{fmt}", pages[f"transkribering.{fmt}"])
        assert "Transkriberingen har inga anteckningar 2026." in shown
        assert "här står alla" not in shown


def test_all_years_of_a_single_year_keeps_the_layout_of_several(
    base_tree: Path, tmp_path: Path
) -> None:
    """A site built with --all-years keeps its addresses when a second year comes."""
    pages = render_all(base_tree, tmp_path / "site", "--all-years")
    assert "2026/bilaga-KLK.html" in pages and "index.html" in pages
    assert "bilaga-KLK.html" not in pages


@pytest.mark.parametrize(("link", "args"), [(MANIFEST, []), ("2027", ["--all-years"])])
def test_a_link_where_all_writes_is_refused_before_anything_is_written(
    two_year_tree: Path, tmp_path: Path, link: str, args: list[str]
) -> None:
    """The manifest, or a year's folder below -o, that is a link: nothing is written."""
    out = tmp_path / "site"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / link).symlink_to(elsewhere)
    result = run_ovk("--root", str(two_year_tree), "render", "--all", *args, "-o", str(out))
    assert result.exit_code == 2 and f"{link} is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in out.iterdir()) == [link]
