"""Check rendered PDFs against the HTML beside them, with poppler's pdfinfo and pdftotext.

    python scripts/check_pdf.py out/site-2024 out/site-2026

Every `X.pdf` in the given folders (as `ovk render --all --format pdf` writes them, each
beside its `X.html`) must be:
- tagged PDF/UA-1 (pdfinfo: Tagged yes; the catalog has a StructTreeRoot and MarkInfo Marked
  true; the XMP metadata says pdfuaid:part 1) in the page's language (the catalog's /Lang is
  the HTML's `lang`, sv), with the HTML's <title> as its title, shown as the window title
  (DisplayDocTitle), and one bookmark for each heading of the HTML;
- complete: the text of every heading, paragraph, list item, table cell, caption and fact of
  the HTML appears in the text `pdftotext` extracts, compared without whitespace and without
  hyphens (a word hyphenated at the end of a line is the same word); each one missing is
  reported;
- paginated as print should be: every page says "Sida N av M" and carries the running head
  (the page's data-running-head), and no page ends with a heading whose text is on the next;
- A4: no page wider or taller than 595 x 842 pt, and no word beyond its page's edges (where
  the reader would lose it: a table too wide, a word too long).
Exit 0 only when every PDF passes. Needs only the standard library and poppler-utils.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

A4_PT = (595.276, 841.89)
TOLERANCE_PT = 1.0
# The elements whose text a reader must find in the PDF (inline elements belong to them).
BLOCKS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "th", "td", "caption", "dt", "dd", "title"}
)
# Screen-only parts, hidden in print (style.css): not in the PDF.
SCREEN_ONLY = ("skip-link", "site")
HYPHENS = "-\u00ad\u2010\u2011\u2012\u2013"  # a line's end may show any of them
VOID = frozenset({"meta", "link", "br", "img", "hr", "input", "col", "wbr", "source"})


class Page(HTMLParser):
    """The HTML's lang, title, running head, headings and the texts of its blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title = ""
        self.running_head = ""
        self.texts: list[str] = []
        self.headings: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, a block collecting text)
        self._buffers: list[list[str]] = []
        self._hidden = 0  # depth inside a screen-only element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if tag == "body":
            self.running_head = values.get("data-running-head") or ""
        classes = (values.get("class") or "").split()
        hidden = self._hidden > 0 or any(c in SCREEN_ONLY for c in classes)
        if hidden:
            self._hidden += 1
        block = tag in BLOCKS and not hidden
        if block:
            self._buffers.append([])
        self._open.append((tag, block))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(t == tag for t, _ in self._open):
            return
        while self._open:
            open_tag, block = self._open.pop()
            if self._hidden:
                self._hidden -= 1
            if block:
                text = " ".join("".join(self._buffers.pop()).split())
                if open_tag == "title":
                    self.title = text
                elif text:
                    self.texts.append(text)
                    if re.fullmatch(r"h[1-6]", open_tag):
                        self.headings.append(text)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._buffers and not self._hidden:
            self._buffers[-1].append(data)


def canonical(text: str) -> str:
    """The text without whitespace and hyphens: line breaks and hyphenation do not count."""
    return re.sub(rf"[\s{re.escape(HYPHENS)}]+", "", text)


def pdf_objects(data: bytes) -> bytes:
    """The PDF's objects as bytes: the file itself, every compressed object stream and the
    XMP metadata."""
    parts = [data]
    for match in re.finditer(rb"<<((?:(?!>>\s*stream).)*?)>>\s*stream\r?\n", data, re.S):
        head = match.group(1)
        length = re.search(rb"/Length (\d+)", head)
        wanted = b"/ObjStm" in head or b"/Metadata" in head
        if wanted and b"/FlateDecode" in head and length:
            start = match.end()
            try:
                parts.append(zlib.decompress(data[start : start + int(length.group(1))]))
            except zlib.error:
                continue
    return b"\n".join(parts)


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's lines of text (pdftotext, in drawing order), stripped, none empty."""
    pages = run("pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-").split("\f")[:-1]
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]


def margins(page_number: int, pages: int) -> str:
    """What the foot of a page says."""
    return f"Sida {page_number} av {pages}"


def unmarked_pages(pages: list[list[str]], running_head: str) -> list[str]:
    """Pages without "Sida N av M" (M the number of pages) or without the running head."""
    found = []
    for number, lines in enumerate(pages, start=1):
        if margins(number, len(pages)) not in lines:
            found.append(f"page {number} has no {margins(number, len(pages))!r}")
        if running_head and running_head not in lines:
            found.append(f"page {number} has no running head {running_head!r}")
    return found


# A line that is nothing but list markers: WeasyPrint draws a page's markers after its text,
# so they stand between the parts of a paragraph split across pages (they are no HTML text).
MARKERS = re.compile(r"[•◦▪‣∙]+")


def body_lines(pages: list[list[str]], running_head: str) -> list[list[str]]:
    """The pages' lines without the running head, "Sida N av M" and lone list markers, which
    stand between the parts of a paragraph split across pages."""
    return [
        [
            line
            for line in lines
            if line not in (running_head, margins(number, len(pages)))
            and not MARKERS.fullmatch(line)
        ]
        for number, lines in enumerate(pages, start=1)
    ]


def headings_at_the_foot(pages: list[list[str]], page: Page) -> list[str]:
    """Pages that end with a heading whose text follows on the next page."""
    others = {canonical(t) for t in page.texts} - {canonical(h) for h in page.headings}
    headings = {canonical(h): h for h in page.headings if canonical(h) not in others}
    found = []
    for number, lines in enumerate(pages[:-1], start=1):
        for count in (1, 2, 3):  # a heading may take up to three lines
            heading = headings.get(canonical("".join(lines[-count:])))
            if heading is not None:
                found.append(f"page {number} ends with the heading {heading[:80]!r}")
                break
    return found


def beyond_the_page(pdf: Path) -> list[str]:
    """Each page's words (pdftotext -bbox) that stick out of it, as "page N: ..."."""
    found = []
    boxes = run("pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-")
    pages = re.split(r'<page width="', boxes)[1:]
    for number, page in enumerate(pages, start=1):
        size = re.match(r'([0-9.]+)" height="([0-9.]+)"', page)
        if size is None:
            continue
        width, height = float(size.group(1)), float(size.group(2))
        for x_min, y_min, x_max, y_max, word in re.findall(
            r'<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">'
            r"([^<]*)</word>",
            page,
        ):
            box = [float(v) for v in (x_min, y_min, x_max, y_max)]
            if min(box) < -TOLERANCE_PT or box[2] > width + TOLERANCE_PT:
                found.append(f"page {number}: {word[:60]!r} sticks out of the page")
            elif box[3] > height + TOLERANCE_PT:
                found.append(f"page {number}: {word[:60]!r} runs below the page")
    return found


def problems_of(pdf: Path) -> tuple[list[str], int]:
    """Everything wrong with one PDF, as lines naming it, and its number of pages."""
    html = pdf.with_suffix(".html")
    if not html.is_file():
        return [f"{pdf}: no {html.name} beside it to compare with"], 0
    page = Page()
    page.feed(html.read_text(encoding="utf-8"))
    problems: list[str] = []

    info = run("pdfinfo", str(pdf))
    fields = dict(re.findall(r"^([A-Za-z ]+):\s*(.*)$", info, re.M))
    if fields.get("Tagged", "").strip() != "yes":
        problems.append("not tagged (pdfinfo: Tagged is not yes)")
    if fields.get("Title", "").strip() != page.title:
        problems.append(f"title {fields.get('Title', '')!r}, not the page's {page.title!r}")

    objects = pdf_objects(pdf.read_bytes())
    catalog = re.search(rb"/Type\s*/Catalog\b(?:(?!endobj).)*", objects, re.S)
    catalog_text = catalog.group(0) if catalog else b""
    if b"/StructTreeRoot" not in catalog_text:
        problems.append("no StructTreeRoot in the catalog (no tags)")
    if not re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", catalog_text):
        problems.append("MarkInfo Marked is not true")
    lang = re.search(rb"/Lang\s*\(([^)]*)\)", catalog_text)
    if lang is None or lang.group(1).decode("latin-1") != page.lang or not page.lang:
        found = lang.group(1).decode("latin-1") if lang else "none"
        problems.append(f"/Lang {found}, not the page's lang {page.lang!r}")
    if not re.search(rb'pdfuaid:part="1"', objects):
        problems.append("no PDF/UA-1 identification (pdfuaid:part) in the XMP metadata")
    if not re.search(rb"/DisplayDocTitle\s+true", catalog_text):
        problems.append("DisplayDocTitle is not true (viewers would show the file name)")
    # An outline item: a title (a literal or a hex string), then its destination and parent.
    title = rb"(?:\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)"
    bookmarks = len(re.findall(rb"<<\s*/Title\s*" + title + rb"[^>]*?/Parent\s", objects, re.S))
    if bookmarks != len(page.headings):
        problems.append(f"{bookmarks} bookmark(s) for the page's {len(page.headings)} heading(s)")

    count = int(fields.get("Pages", "0"))
    sizes = run("pdfinfo", "-f", "1", "-l", str(count), str(pdf))
    for number, width, height in re.findall(
        r"^Page\s+(\d+) size:\s*([0-9.]+) x ([0-9.]+)", sizes, re.M
    ):
        if float(width) > A4_PT[0] + TOLERANCE_PT or float(height) > A4_PT[1] + TOLERANCE_PT:
            problems.append(f"page {number} is {width} x {height} pt, larger than A4")
    problems += beyond_the_page(pdf)

    every = page_lines(pdf)
    problems += unmarked_pages(every, page.running_head)
    pages = body_lines(every, page.running_head)
    problems += headings_at_the_foot(pages, page)
    text = canonical("".join(line for lines in pages for line in lines))
    missing = [t for t in page.texts if canonical(t) and canonical(t) not in text]
    problems += [f"missing text: {t[:120]!r}" for t in missing]
    return [f"{pdf}: {p}" for p in problems], count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="folders of rendered pages")
    args = parser.parse_args(argv)

    pdfs = sorted(p for folder in args.folders for p in folder.glob("*.pdf"))
    if not pdfs:
        print("check_pdf: no .pdf files found", file=sys.stderr)
        return 1
    problems: list[str] = []
    pages = 0
    for pdf in pdfs:
        found, count = problems_of(pdf)
        problems += found
        pages += count
        print(f"{pdf}: {count} page(s), {len(found)} problem(s)")
    for line in problems:
        print(line)
    print(f"check_pdf: {len(problems)} problem(s) in {len(pdfs)} PDF(s), {pages} page(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
