"""`ovk render --format pdf`: the extra missing, PDF/UA from the HTML page, nothing fetched,
`--all` with PDFs, and (marked `data`) the KLK 2026 bilaga on at most 26 numbered A4 pages.

Tests that make a PDF need WeasyPrint (`pip install -e '.[test,pdf]'`, as CI does) and are
skipped without it; those that read a PDF's text need poppler's pdftotext and pdfinfo."""

from __future__ import annotations

import contextlib
import http.server
import importlib.abc
import importlib.util
import re
import shutil
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ovk.errors import UsageError
from tests.conftest import AGREEMENTS, REPO, make_tree, run_ovk


def load_check_pdf() -> ModuleType:
    """scripts/check_pdf.py, the checker CI runs on every PDF, as a module."""
    spec = importlib.util.spec_from_file_location("check_pdf", REPO / "scripts" / "check_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_pdf = load_check_pdf()


@pytest.fixture
def weasyprint() -> ModuleType:
    """WeasyPrint as ovk loads it; the test is skipped, saying why, when it cannot be."""
    from ovk.render.pdf import weasyprint as load

    try:
        return load()
    except UsageError as error:
        pytest.skip(f"no PDF without WeasyPrint here: {error}")


@pytest.fixture
def poppler() -> None:
    missing = [tool for tool in ("pdfinfo", "pdftotext") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"poppler-utils is not installed (no {', '.join(missing)})")


def catalog(pdf: bytes) -> bytes:
    """The PDF's document catalog (read from its object streams as check_pdf reads it)."""
    found = re.search(rb"/Type\s*/Catalog\b(?:(?!endobj).)*", check_pdf.pdf_objects(pdf), re.S)
    assert found is not None
    return found.group(0)


# --- without the extra ------------------------------------------------------------------------

PDF_REQUESTS = [
    ["KLK", "--format", "pdf", "-o", "klk.pdf"],
    ["KLK", "-o", "klk.pdf"],
    ["--main", "-o", "ovk.PDF"],
    ["--all", "--format", "pdf", "-o", "site"],
]


@pytest.mark.parametrize("args", PDF_REQUESTS)
def test_without_weasyprint_a_pdf_is_one_line_saying_what_to_install(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails
    monkeypatch.chdir(base_tree)
    before = sorted(p.name for p in base_tree.iterdir())
    result = run_ovk("--root", str(base_tree), "render", *args)
    assert result.exit_code == 2
    assert result.stderr == (
        "ovk: error: --format pdf needs WeasyPrint, which is not installed: "
        "pip install 'ovk[pdf]'\n"
    )
    assert result.stdout == ""
    assert sorted(p.name for p in base_tree.iterdir()) == before


class MissingLibraries(importlib.abc.MetaPathFinder):
    """`import weasyprint` as on a machine without Pango: WeasyPrint prints a banner to
    stdout, then the loader's OSError."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name == "weasyprint":
            print("\n-----\nWeasyPrint could not import some external libraries.\n-----\n")
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: no such file")


def test_without_weasyprints_system_libraries_a_pdf_is_one_line_naming_them(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(sys, "meta_path", [MissingLibraries(), *sys.meta_path])
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(base_tree / "k.pdf"))
    assert result.exit_code == 2
    assert result.stdout == ""  # the banner is not shown
    assert result.stderr.count("\n") == 1
    assert "--format pdf needs WeasyPrint's system libraries (Pango, HarfBuzz)" in result.stderr
    assert "cannot load library 'libpango-1.0-0'" in result.stderr
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in result.stderr
    assert not (base_tree / "k.pdf").exists()


def test_a_pdf_to_stdout_is_a_usage_error_before_anything_is_rendered(base_tree: Path) -> None:
    result = run_ovk("--root", str(base_tree), "render", "KLK", "--format", "pdf")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "ovk: error: --format pdf needs -o FILE\n"


# --- the PDF ----------------------------------------------------------------------------------


def test_a_bilaga_as_pdf_is_tagged_pdf_ua_in_swedish_with_its_title_and_bookmarks(
    base_tree: Path, weasyprint: ModuleType
) -> None:
    target = base_tree / "out" / "klk.pdf"
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-1.7")
    root = catalog(pdf)
    assert b"/Lang (sv)" in root
    assert b"/StructTreeRoot" in root and re.search(rb"/MarkInfo\s*<<\s*/Marked true", root)
    assert re.search(rb"/DisplayDocTitle true", root) and b"/Outlines" in root
    assert b'pdfuaid:part="1"' in check_pdf.pdf_objects(pdf)  # XMP: PDF/UA-1
    html = run_ovk("--root", str(base_tree), "render", "KLK", "--format", "html").stdout
    title = re.search(r"<title>(.*?)</title>", html)
    assert title is not None
    # The document's title, as PDF text (UTF-16 for "–").
    encoded = ("\ufeff" + title.group(1)).encode("utf-16-be").hex().encode()
    assert encoded in check_pdf.pdf_objects(pdf).lower()
    assert [p.name for p in target.parent.iterdir()] == ["klk.pdf"]  # no temporary file


def test_a_pdf_passes_the_ci_check_against_the_html_it_was_made_from(
    base_tree: Path, weasyprint: ModuleType, poppler: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = base_tree / "site"
    result = run_ovk("--root", str(base_tree), "render", "--all", "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert check_pdf.main([str(out)]) == 0, capsys.readouterr().out
    # The check can fail: a paragraph the PDF lacks is reported by its text.
    page = out / "bilaga-KLK.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</main>", "<p>Ett stycke som PDF:en saknar.</p></main>"))
    capsys.readouterr()
    assert check_pdf.main([str(out)]) == 1
    report = capsys.readouterr().out
    assert "bilaga-KLK.pdf: missing text: 'Ett stycke som PDF:en saknar.'" in report


def test_the_ci_check_reports_text_off_the_page_no_tags_no_page_numbers_and_a_lonely_heading(
    tmp_path: Path, weasyprint: ModuleType, poppler: None, capsys: pytest.CaptureFixture[str]
) -> None:
    word = "Kommunfastigheter" * 6
    html = (
        '<!doctype html><html lang="sv"><head><title>Bred</title><style>@page { size: A4 }'
        f" td {{ white-space: nowrap }}</style></head><body><table><tr><td>{word}</td>"
        "<td>Slutord</td></tr></table></body></html>"
    )
    (tmp_path / "bred.html").write_text(html, encoding="utf-8")
    weasyprint.HTML(string=html).write_pdf(tmp_path / "bred.pdf")  # untagged, too wide
    assert check_pdf.main([str(tmp_path)]) == 1
    report = capsys.readouterr().out
    assert "bred.pdf: not tagged (pdfinfo: Tagged is not yes)" in report
    assert "bred.pdf: page 1: 'Kommunfastigheter" in report and "sticks out of the page" in report
    assert "bred.pdf: missing text: 'Slutord'" in report
    alone = (
        '<!doctype html><html lang="sv"><head><title>Ensam</title></head><body><p>Inledning.</p>'
        '<h2>Ensam rubrik</h2><p style="break-before: page">Texten.</p></body></html>'
    )
    (tmp_path / "ensam.html").write_text(alone, encoding="utf-8")
    weasyprint.HTML(string=alone).write_pdf(tmp_path / "ensam.pdf", pdf_variant="pdf/ua-1")
    assert check_pdf.main([str(tmp_path)]) == 1
    report = capsys.readouterr().out
    assert "ensam.pdf: page 1 ends with the heading 'Ensam rubrik'" in report
    assert "ensam.pdf: page 2 has no 'Sida 2 av 2'" in report  # no print stylesheet
    assert "ensam.pdf: 2 page(s), 3 problem(s)" in report  # tagged, complete, A4


def test_the_ci_check_finds_a_paragraph_split_across_pages_after_a_list(
    tmp_path: Path, weasyprint: ModuleType, poppler: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # WeasyPrint draws a page's list markers after its text, so pdftotext puts them between
    # the two parts of a paragraph that runs onto the next page: they are no text of the page.
    words = " ".join(f"ord{n}" for n in range(900))
    html = (
        '<!doctype html><html lang="sv"><head><title>Delad</title><style>@page { size: A6 }'
        "</style></head><body><ul><li>Första punkten</li><li>Andra punkten</li></ul>"
        f"<p>{words}</p></body></html>"
    )
    (tmp_path / "delad.html").write_text(html, encoding="utf-8")
    weasyprint.HTML(string=html).write_pdf(tmp_path / "delad.pdf", pdf_variant="pdf/ua-1")
    check_pdf.main([str(tmp_path)])
    report = capsys.readouterr().out
    assert "delad.pdf: missing text" not in report, report
    assert "delad.pdf: page 2 has no 'Sida 2 av" in report  # it was read: no print stylesheet


def test_all_as_pdf_writes_a_pdf_beside_each_page_and_the_index_links_them(
    base_tree: Path, weasyprint: ModuleType
) -> None:
    out = base_tree / "site"
    result = run_ovk("--root", str(base_tree), "render", "--all", "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    documents = ("bilaga-KLK", "bilaga-TEK", "overenskommelse")
    expected = {f"{s}.{e}" for s in documents for e in ("html", "pdf")}
    pages = {"index.html", "style.css", "transkribering.html"}
    assert {p.name for p in out.iterdir()} == expected | pages | {".ovk-manifest.json"}
    assert result.stderr == f"wrote {len(expected | pages) + 1} file(s) to {out}\n"  # + manifest
    assert all((out / f"{s}.pdf").read_bytes().startswith(b"%PDF-") for s in documents)
    index = (out / "index.html").read_text(encoding="utf-8")
    for stem in documents:
        assert f'<a href="{stem}.pdf" type="application/pdf">PDF</a>' in index
    html_only = base_tree / "html-only"
    assert run_ovk("--root", str(base_tree), "render", "--all", "-o", str(html_only)).exit_code == 0
    assert ".pdf" not in (html_only / "index.html").read_text(encoding="utf-8")


def test_a_pdf_is_never_written_through_a_link(
    base_tree: Path, tmp_path: Path, weasyprint: ModuleType
) -> None:
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(b"keep")
    (base_tree / "klk.pdf").symlink_to(elsewhere)
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(base_tree / "klk.pdf"))
    assert result.exit_code == 2 and "is a symbolic link" in result.stderr
    assert elsewhere.read_bytes() == b"keep"


def test_a_weasyprint_failure_is_one_line(
    base_tree: Path, weasyprint: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> None:
        raise RuntimeError("layout exploded\nTraceback (most recent call last): ...")

    monkeypatch.setattr(weasyprint, "HTML", broken)
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(base_tree / "k.pdf"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "ovk: error: cannot make the PDF: layout exploded\n"
    assert not (base_tree / "k.pdf").exists()


# --- nothing is fetched -----------------------------------------------------------------------


@contextlib.contextmanager
def counting_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on the loopback address that records every request it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { display: none }")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def with_layout_line(root: Path, line: str) -> None:
    """The repository's own _layout.html: the shipped one with `line` after <body ...>."""
    (root / "templates").mkdir(exist_ok=True)
    layout = (REPO / "ovk" / "data" / "templates" / "_layout.html").read_text(encoding="utf-8")
    body = re.search(r"<body[^>]*>\n", layout)
    assert body is not None
    layout = layout[: body.end()] + line + "\n" + layout[body.end() :]
    (root / "templates" / "_layout.html").write_text(layout, encoding="utf-8")


@pytest.mark.parametrize(
    "reference",
    [
        '<img src="file:///etc/passwd" alt="">',
        '<img src="{server}/logo.png" alt="">',
        '<link rel="stylesheet" href="{server}/evil.css">',
        '<link rel="stylesheet" href="{outside}">',
        '<img src="logo.png" alt="">',  # relative: no base, never the working folder
        "<style>@import url({server}/imported.css);</style>",
        '<style>main {{ background: url("{outside}") }}</style>',
        # WeasyPrint embeds these files in the PDF (GHSA-35jj-wx47-4w8r): never here.
        '<link rel="attachment" href="file:///etc/passwd">',
        '<p><a rel="attachment" href="{outside}">bilaga</a></p>',
    ],
)
def test_a_reference_outside_the_document_is_an_error_and_never_fetched(
    base_tree: Path,
    tmp_path: Path,
    weasyprint: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    reference: str,
) -> None:
    outside = tmp_path / "outside.css"
    outside.write_text("body { display: none }")
    (base_tree / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.chdir(base_tree)
    opened: list[str] = []  # every URL urllib (WeasyPrint's fetcher) opens in the process
    real_open = urllib.request.OpenerDirector.open

    def spy(self: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(getattr(url, "full_url", url)))
        return real_open(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    with counting_server() as (server, requests):
        with_layout_line(base_tree, reference.format(server=server, outside=outside.as_uri()))
        target = base_tree / "klk.pdf"
        result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(target))
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("ovk: error: cannot make the PDF: ")
    assert result.stderr.count("\n") == 1
    assert "templates may refer to nothing outside the document" in result.stderr
    assert "the page refers to " in result.stderr
    assert requests == [] and opened == []
    assert not target.exists()


PIXEL = (  # a 1 x 1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.mark.parametrize(("alt", "error"), [("Logotyp", None), ("", "no required alt description")])
def test_a_data_url_image_is_the_documents_own_and_needs_the_alt_text_pdf_ua_requires(
    base_tree: Path, weasyprint: ModuleType, alt: str, error: str | None
) -> None:
    with_layout_line(base_tree, f'<img src="data:image/png;base64,{PIXEL}" alt="{alt}">')
    target = base_tree / "klk.pdf"
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(target))
    if error is None:
        assert result.exit_code == 0, result.stderr
        assert b"/Subtype /Image" in check_pdf.pdf_objects(target.read_bytes())
    else:
        assert (result.exit_code, result.stderr.count("\n")) == (1, 1)
        assert error in result.stderr and not target.exists()


# --- the shipped data -------------------------------------------------------------------------


@pytest.mark.data
def test_the_klk_2026_bilaga_is_at_most_26_a4_pages_each_numbered_and_headed(
    tmp_path: Path, weasyprint: ModuleType, poppler: None
) -> None:
    root = make_tree(tmp_path / "repo")
    shutil.rmtree(root / "agreements")
    shutil.copytree(AGREEMENTS, root / "agreements")
    target = tmp_path / "klk.pdf"
    result = run_ovk("--root", str(root), "render", "KLK", "--year", "2026", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    pages = check_pdf.run("pdftotext", "-layout", "-enc", "UTF-8", str(target), "-").split("\f")
    pages = pages[:-1]  # the text ends with a form feed
    assert 10 <= len(pages) <= 26  # 37 A4 pages when each uppdrag began a page of its own
    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.strip().splitlines()]
        assert lines[0] == "Nyköpings kommun · Bilaga KLK · 2026", number
        assert lines[-1] == f"Sida {number} av {len(pages)}", number
    info = check_pdf.run("pdfinfo", "-f", "1", "-l", str(len(pages)), str(target))
    sizes = re.findall(r"^Page\s+\d+ size:\s*([0-9.]+) x ([0-9.]+) pts \(A4\)", info, re.M)
    assert len(sizes) == len(pages)
