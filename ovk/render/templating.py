"""The one Jinja environment: templates, escaping and the Swedish filters, made in one place.

Templates are looked up in the repository's `templates/` first (a municipality may edit them)
and in the copies shipped in the package second, so a wheel install works. HTML templates
(`*.html`) are autoescaped by Jinja. Markdown templates (`*.md`) are escaped by this module:
the environment's `finalize` hook passes every `{{ value }}` of a Markdown template through
`md_text` unless it is already marked safe, so a forgotten filter cannot leak raw data.

Templates are code from the repository, and the repository is not trusted: they run in
Jinja's immutable sandbox (no attribute starting with `_`, no internals of functions or
frames, no method that changes a list, dict or set; a `SecurityError` is a template error),
and a file in the repository's `templates/` (a template or `style.css`) that is a link
leaving the repository is refused, never read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from jinja2.loaders import split_template_path
from markupsafe import Markup

from ovk.errors import DataError
from ovk.output.literal import literal_text
from ovk.output.markdown import escape
from ovk.output.swedish import sv_date, sv_number

TEMPLATES = "templates"
PACKAGE_TEMPLATES = Path(__file__).parents[1] / "data" / TEMPLATES


def md_text(value: object) -> Markup:
    """Text from the data, escaped for Markdown (see `ovk.markdown.escape`)."""
    if isinstance(value, Markup):
        return value
    return Markup(escape(value))


def md_heading(level: int) -> Markup:
    """The "#" marks of a Markdown heading of `level` (1 to 6)."""
    return Markup("#" * max(1, min(level, 6)))


def md_indent(depth: int) -> Markup:
    """The indentation of a nested Markdown list item."""
    return Markup("  " * depth)


def md_cell(value: object) -> Markup:
    """Text for a Markdown table cell: escaped, on one line, `|` escaped (it ends a cell)."""
    return md_text(value)


def _autoescape(name: str | None) -> bool:
    # Markdown templates are "autoescaped" too: macro output then stays Markup (safe) and
    # every other value reaches `_finalize`, which escapes it for Markdown; Jinja's HTML
    # escape that follows leaves Markup alone.
    return name is not None and name.endswith((".html", ".md"))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Transcribers wrote some notes in English. WCAG 3.1.2 (language of parts, AA) wants such a
# passage marked on a Swedish page; the data has no language field, so common function words
# outside quotations decide.
_ENGLISH = _words(
    "the and is are was were of as read printed kept with without not from this that which its"
    " has have on be by it one two after before here cell cells value values source typo missing"
)
_SWEDISH = _words(
    "och är som att på av med för inte det den en ett har till i om var står de efter före här"
    " saknas läst lästa tryckt källan"
)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|”[^”]*”")


def text_language(text: str) -> str:
    """ "en" for a text in English, else "sv" (the documents' language)."""
    words = re.findall(r"[a-zåäöé]+", _QUOTED.sub(" ", text).lower())
    english = sum(word in _ENGLISH for word in words)
    swedish = sum(word in _SWEDISH for word in words)
    return "en" if english > swedish else "sv"


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value: Any) -> Any:
    """Escape every expression of a Markdown template; in the others (HTML, autoescaped) make
    control characters of the data visible (`literal_text`): a page shows an ESC sequence or
    a bidi override as written, never acts on it."""
    if context.name is not None and context.name.endswith(".md"):
        return md_text(value)
    if isinstance(value, str) and not isinstance(value, Markup):
        return literal_text(value)
    return value


def template_dirs(root: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins: the repository's, then the package's."""
    dirs = []
    if root is not None and (root / TEMPLATES).is_dir():
        dirs.append(root / TEMPLATES)
    dirs.append(PACKAGE_TEMPLATES)
    return dirs


class _Loader(jinja2.FileSystemLoader):
    """The template search path. A file of the repository's templates/ that is a link leaving
    the repository is a DataError (one line, worded as the layout's `link-outside` finding),
    found before anything is read."""

    def __init__(self, root: Path | None) -> None:
        dirs = template_dirs(root)
        self.root = root.resolve() if root is not None else None
        self.repository = dirs[0] if root is not None and len(dirs) > 1 else None
        super().__init__([str(d) for d in dirs])

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if self.repository is not None and self.root is not None:
            place = self.repository.joinpath(*split_template_path(template))
            if os.path.lexists(place) and not place.resolve().is_relative_to(self.root):
                shown = place.relative_to(self.repository.parent).as_posix()
                target = os.readlink(place) if place.is_symlink() else place.resolve()
                raise DataError(
                    f"{shown}:1:1: link-outside links to {target}, outside the repository; "
                    "it is not read"
                )
        return super().get_source(environment, template)


def environment(root: Path | None) -> jinja2.Environment:
    """The Jinja environment every rendering goes through: sandboxed, as templates are code
    from the repository."""
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=_Loader(root),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        sv_date=sv_date,
        sv_number=sv_number,
        md=md_text,
        md_cell=md_cell,
        md_heading=md_heading,
        md_indent=md_indent,
        language=text_language,
    )
    return env


def static_text(env: jinja2.Environment, name: str) -> str:
    """A file beside the templates (the stylesheet), from the same search path."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source
