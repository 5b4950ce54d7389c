"""PDF from a rendered HTML page, through WeasyPrint (the optional extra `ovk[pdf]`).

A PDF is the page `ovk render --format html` writes, as printed: the print stylesheet (CSS
paged media: A4, "Sida 3 av 37", a running header) lays it out, and WeasyPrint tags it as
PDF/UA-1 (structure tree, the page's `lang`, its <title> as the document title, bookmarks
from the headings), as Swedish public bodies must publish accessible documents.

WeasyPrint is imported only here and only when a PDF is asked for, so the rest of ovk starts
without it. The page comes from the repository's data and templates, both untrusted: the
stylesheet is inline, and WeasyPrint is given a URL fetcher that loads nothing (no file, no
network; only `data:` URLs, which are the document's own bytes). A reference to anything
outside the document is an error naming it, never a fetch.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from ovk.errors import DataError, RunError, UsageError

INSTALL = "pip install 'ovk[pdf]'"
VARIANT = "pdf/ua-1"


def weasyprint() -> ModuleType:
    """The weasyprint module, or a usage error in one line saying what to install."""
    try:
        # WeasyPrint prints a banner to stdout and warns when a system library is missing;
        # ovk says it in one line instead.
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = importlib.import_module("weasyprint")
    except ImportError:
        raise UsageError(
            f"<format> pdf needs WeasyPrint, which is not installed: {INSTALL}", "format"
        ) from None
    except OSError as error:  # WeasyPrint is there, Pango or HarfBuzz is not
        raise UsageError(
            "<format> pdf needs WeasyPrint's system libraries (Pango, HarfBuzz), which "
            f"cannot be loaded ({first_line(error)}); on Debian: apt-get install "
            "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0",
            "format",
        ) from None
    return module


def first_line(error: BaseException) -> str:
    """An exception's message, one line of it."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def one_line(message: str, limit: int = 300) -> str:
    """A logged message (which may run over lines) as one line, at most `limit` long."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def refusing_fetcher(module: ModuleType, refused: list[str]) -> Any:
    """A WeasyPrint URL fetcher that fetches nothing but `data:` URLs; it adds every other
    URL it is asked for to `refused`."""

    class RefusingFetcher(module.URLFetcher):  # type: ignore[misc, name-defined]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):  # the document's own bytes, decoded by urllib
                return super().fetch(url, headers)
            refused.append(url)
            raise ValueError("ovk's PDF loads nothing from outside the document")

    return RefusingFetcher(allowed_protocols=("data",))


class _Collect(logging.Handler):
    """WeasyPrint's errors (a resource it could not load, a missing `lang`) while it runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _errors_of(logger: logging.Logger) -> Iterator[_Collect]:
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML page (its stylesheet inline): tagged PDF/UA-1, A4 by the page's
    print stylesheet. A reference to an outside resource is a DataError naming it; any other
    failure of WeasyPrint a RunError in one line."""
    module = weasyprint()
    refused: list[str] = []
    with _errors_of(module.LOGGER) as errors:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # WeasyPrint's own (deprecations, fonts)
                fetcher = refusing_fetcher(module, refused)
                document = module.HTML(string=html, url_fetcher=fetcher)
                data = document.write_pdf(pdf_variant=VARIANT)
        # A third-party layout engine can fail in ways of its own; whatever it raises is
        # said in one line rather than as a traceback.
        except Exception as error:
            raise RunError(f"cannot make the PDF: {first_line(error)}") from None
    # A relative URL, with no base to resolve it against, WeasyPrint only logs.
    relative = (m.rsplit(": ", 1)[-1] for m in errors.messages if "without a base URI" in m)
    outside = [*refused, *relative]
    if outside:
        raise DataError(
            f"cannot make the PDF: the page refers to {one_line(outside[0])}; "
            "templates may refer to nothing outside the document (styles go in style.css, "
            "images in data: URLs)"
        )
    if errors.messages:  # what PDF/UA requires and the page lacks (an image's alt text)
        raise DataError(f"cannot make the PDF: {one_line(errors.messages[0])}")
    if not isinstance(data, bytes):
        raise RunError("cannot make the PDF: WeasyPrint returned no bytes")
    return data
