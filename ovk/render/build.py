"""`ovk render`: a year's bilagor, main document and index through the Jinja templates.

The year's files are read as the model's typed entities (schema-valid, or a DataError) and
turned into a plain view-model of dicts and lists with every key present, so templates run
under StrictUndefined and hold no logic beyond layout. Text from the data reaches the output
only through the templates, where it is escaped (see ovk.render.templating). A PDF is the
one-file HTML page converted by ovk.render.pdf. Files are written atomically and only where
asked.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ovk import __version__
from ovk.errors import DataError, UsageError
from ovk.model.build import build
from ovk.model.entities import (
    ALL_DIVISIONS,
    SAMRAD_SECTION,
    Agreement,
    Block,
    Division,
    Ersattning,
    Fokus,
    Goal,
    Grunduppdrag,
    Grundverksamhet,
    IndicatorTable,
    ListBlock,
    Malomrade,
    Malomraden,
    Section,
    SubHeading,
    TableBlock,
    Uppdrag,
    Verksamhetsomrade,
)
from ovk.model.layout import AGREEMENTS
from ovk.model.read import expand_owners, number_key, read_year, resolve_year
from ovk.model.text import Item, items
from ovk.render.templating import environment, static_text
from ovk.yamlio.atomic import RefusedWrite, refusal, write_atomically

FORMATS = ("md", "html")
PDF = "pdf"  # the html page as printed, through WeasyPrint (ovk.render.pdf)
REQUEST_FORMATS = (*FORMATS, PDF, "both")  # both: --all writes each of FORMATS
# The file names each format writes; a name with another format's suffix is a usage error,
# and without <format> the suffix chooses (any other name: md).
SUFFIXES = {"md": (".md", ".markdown"), "html": (".html", ".htm"), PDF: (".pdf",)}
STYLESHEET = "style.css"
MAIN_STEM = "overenskommelse"
INDEX_STEM = "index"
ORIGINS = {"KF": "Kommunfullmäktige (KF)", "KS": "Kommunstyrelsen (KS)"}

View = dict[str, Any]


# --- reading a year --------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Everything one year's documents are made from, as read from its files."""

    root: Path
    year: int
    agreement: Agreement
    malomraden: Malomraden  # an empty one when the year has no malomraden.yaml
    divisions: dict[str, Division]  # code -> division file, in the agreement's order
    names: dict[str, str]  # code -> name, for every division of the year
    uppdrag: list[Uppdrag]  # sorted by number, then title

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.names)


def load_source(root: Path, year: int) -> Source:
    """Read one year's files; a file that is not schema-valid is a DataError."""
    data = read_year(root, year)
    names = data.names
    divisions = {code: data.divisions[code].entity for code in names if code in data.divisions}
    if data.malomraden is not None:
        malomraden = data.malomraden.entity
    else:  # a year without malomraden.yaml renders with no målområden
        malomraden = build(Malomraden, {"year": year, "malomraden": []})
    uppdrag = sorted(
        (u.entity for u in data.uppdrag), key=lambda u: (number_key(u.number), u.title)
    )
    return Source(root, year, data.agreement.entity, malomraden, divisions, names, uppdrag)


def check_division(source: Source, code: str) -> str:
    """`code` if the year has a bilaga for it, else a usage error naming the ones it has."""
    if code not in source.names:
        raise UsageError(
            f"{code!r} is not a division of {source.year} (divisions: {', '.join(source.codes)})"
        )
    if code not in source.divisions:
        raise UsageError(
            f"{code} has no bilaga in {source.year} "
            f"(no {AGREEMENTS}/{source.year}/divisions/{code}.yaml; "
            f"bilagor: {', '.join(source.divisions) or 'none'})"
        )
    return code


# --- the view-model --------------------------------------------------------------------------


# Ids the templates use themselves; data never gets them.
FIXED_ANCHORS = frozenset(
    {"innehall", "toc-heading", "mal", "uppdrag", "ersattning", "samrad", "parter", "verksamheter"}
)


@dataclass
class Anchors:
    """Unique HTML ids for one document (a duplicate id is invalid HTML)."""

    used: set[str] = field(default_factory=lambda: set(FIXED_ANCHORS))

    def __call__(self, *parts: str | None) -> str:
        base = "-".join(re.sub(r"[^0-9A-Za-z-]+", "-", p).strip("-") for p in parts if p)
        base = base.lower() or "avsnitt"
        anchor, n = base, 1
        while anchor in self.used:
            n += 1
            anchor = f"{base}-{n}"
        self.used.add(anchor)
        return anchor


def heading(*parts: str | None) -> str:
    """A printed number, title and suffix as one heading ("2.1.3 Ökat valdeltagande (KS)")."""
    return " ".join(p.strip() for p in parts if p and p.strip())


def blocks(text: tuple[Block, ...]) -> list[View]:
    """Text blocks with a `kind` each: paragraph, heading, list or table."""
    result: list[View] = []
    for block in text:
        match block:
            case str():
                result.append({"kind": "paragraph", "text": block})
            case SubHeading():
                result.append({"kind": "heading", "text": block.heading})
            case ListBlock():
                result.append({"kind": "list", "entries": list_entries(items(block))})
            case TableBlock():
                columns = list(block.table.columns)
                width = max([len(columns), *(len(r) for r in block.table.rows)])
                rows = [[*row, *[""] * (width - len(row))] for row in block.table.rows]
                result.append(
                    {
                        "kind": "table",
                        "columns": [*columns, *[""] * (width - len(columns))],
                        "rows": rows,
                    }
                )
    return result


def list_entries(entries: tuple[Item, ...]) -> list[View]:
    """A list's items (see `ovk.model.text.items`) as views with their nested items."""
    return [{"text": e.text, "children": list_entries(e.children)} for e in entries]


def indicator_table(table: IndicatorTable, caption: str) -> View:
    """An indicator table: its rows grouped by kategori, only the columns that have content."""
    columns = [{"key": c.key, "label": c.label} for c in table.columns]
    rows = []
    for row in table.rows:
        source = row.source
        rows.append(
            {
                "nr": row.nr or "",
                "kategori": row.kategori,
                "title": row.title,
                "cells": [row.values.get(c.key, "") for c in table.columns],
                "source": source.text if source else "",
                "kolada": ", ".join(source.kolada) if source else "",
                "note": row.note,
            }
        )
    groups: list[View] = []  # consecutive rows under one kategori
    for view in rows:
        if not groups or groups[-1]["kategori"] != view["kategori"]:
            groups.append({"kategori": view["kategori"], "rows": []})
        groups[-1]["rows"].append(view)
    return {
        "caption": table.heading or caption,
        "heading": table.heading,
        "ansvarig": table.ansvarig,
        "columns": columns,
        "groups": groups,
        "rows": rows,
        "has_nr": any(r["nr"] for r in rows),
        "has_kategori": any(r["kategori"] for r in rows),
        # 2026 tables name no sources: no empty columns for them.
        "has_source": any(r["source"] for r in rows),
        "has_kolada": any(r["kolada"] for r in rows),
        "sources_heading": table.sources_heading,
        "footnotes": list(table.footnotes),
        "row_notes": [r for r in rows if r["note"]],
        "note": table.note,
    }


def goal(entity: Goal, source: Source, anchors: Anchors) -> View:
    """A goal with its önskat resultat, indicator tables and the divisions it is shared to."""
    number = entity.number
    caption = f"Indikatorer för mål {number}" if number else "Indikatorer"
    return {
        "anchor": anchors("mal", entity.id),
        "heading": heading(number, entity.title, entity.suffix),
        "level": entity.level,
        "text": blocks(entity.text),
        "onskat_resultat_heading": entity.onskat_resultat_heading or "Önskat resultat",
        "onskat_resultat": blocks(entity.onskat_resultat),
        "nyckeltal": [indicator_table(t, caption) for t in entity.nyckeltal],
        "kompletterande_heading": entity.kompletterande_heading or "Kompletterande beskrivning",
        "kompletterande": blocks(entity.kompletterande),
        "delas_till": owners_text(entity.delas_till, source),
        "note": entity.note,
    }


def grundverksamhet(entry: Grundverksamhet, source: Source, anchors: Anchors) -> View:
    """A GRUNDVERKSAMHET entry that points at a division's grunduppdrag."""
    return {
        "anchor": anchors("gv", entry.id),
        "heading": heading(entry.number, entry.title, entry.suffix),
        "text": blocks(entry.text),
        "owners": owners_text(entry.owners, source),
        "followup": ", ".join(entry.followup),
        "note": entry.note,
    }


def owners_text(owners: tuple[str, ...], source: Source) -> str:
    """Division codes as names for a reader; "alla verksamheter" stays as written."""
    if ALL_DIVISIONS in owners:
        return ALL_DIVISIONS
    return ", ".join(division_label(code, source) for code in owners)


def division_label(code: str, source: Source) -> str:
    """ "Kommunledningskontoret (KLK)"."""
    return f"{source.names.get(code, code)} ({code})"


def uppdrag(entity: Uppdrag, source: Source, anchors: Anchors) -> View:
    """A särskilt uppdrag as a card: text, owners, lead, financing, dates, follow-up."""
    return {
        "anchor": anchors("uppdrag", entity.id),
        "heading": heading(entity.number, entity.title, entity.suffix),
        "origin": ORIGINS[entity.origin],
        "malomrade": malomrade_title(entity.malomrade, source),
        "text": blocks(entity.text),
        "kompletterande_heading": entity.kompletterande_heading or "Kompletterande beskrivning",
        "kompletterande": blocks(entity.kompletterande),
        "owners": owners_text(entity.owners, source),
        "lead": division_label(entity.lead, source) if entity.lead else None,
        "mottagare": entity.mottagare,
        "financing": entity.financing,
        "rapportering": entity.rapportering,
        "start": entity.start,  # a date: `sv_date` for a reader, ISO as str() (<time>)
        "due": entity.due,
        "followup": ", ".join(entity.followup),
        "note": entity.note,
    }


def malomrade_title(malomrade_id: str | None, source: Source) -> str | None:
    """The printed number and title of a målområde, from its id."""
    for area in source.malomraden.malomraden:
        if area.id == malomrade_id:
            return heading(area.number, area.title)
    return None


def fokus(entity: Fokus | None) -> View | None:
    """An "I fokus mandatperioden" text, or None."""
    if entity is None:
        return None
    return {"heading": entity.heading, "text": blocks(entity.text), "note": entity.note}


def goal_areas(
    source: Source, anchors: Anchors, code: str | None, with_uppdrag: bool
) -> list[View]:
    """The målområden with their goals and grundverksamhet (and, for the main document,
    uppdrag); for a division only the goals shared to it and entries that concern it, and
    only the areas where something is left."""

    def shared(entity: Goal) -> bool:
        return code is None or code in expand_owners(entity.delas_till, source.codes)

    def concerns(entry: Grundverksamhet) -> bool:
        return code is None or code in expand_owners(entry.owners, source.codes)

    def placed(malomrade_id: str, vo_id: str | None) -> list[View]:
        if not with_uppdrag:
            return []
        return [
            uppdrag(u, source, anchors)
            for u in source.uppdrag
            if u.malomrade == malomrade_id and u.verksamhetsomrade == vo_id
        ]

    def area_view(
        area: Malomrade | Verksamhetsomrade, anchor: str, title: str, place: tuple[str, str | None]
    ) -> View:
        """What a målområde and a verksamhetsområde show alike (in this order: the anchors
        of a page follow it)."""
        return {
            "anchor": anchors(anchor, area.id),
            "heading": title,
            "fokus": fokus(area.fokus),
            "text": blocks(area.text),
            "goals": [goal(g, source, anchors) for g in area.goals if shared(g)],
            "grundverksamhet": [
                grundverksamhet(e, source, anchors) for e in area.grundverksamhet if concerns(e)
            ],
            "uppdrag": placed(*place),
            "note": area.note,
        }

    def kept(view: View, *more: object) -> bool:
        return bool(view["goals"] or view["grundverksamhet"] or view["uppdrag"] or any(more))

    areas = []
    for malomrade in source.malomraden.malomraden:
        vos = [
            view
            for vo in malomrade.verksamhetsomraden
            if kept(
                view := area_view(vo, "vo", f"Verksamhetsområde {vo.title}", (malomrade.id, vo.id)),
                code is None,
            )
        ]
        title = heading("Målområde", malomrade.number, malomrade.title)
        area = area_view(malomrade, "malomrade", title, (malomrade.id, None))
        area["verksamhetsomraden"] = vos
        if kept(area, vos, code is None):
            areas.append(area)
    return areas


def ersattning(entity: Ersattning | None) -> View | None:
    """A division's ersättning table (amounts as floats), or None when it has none."""
    if entity is None:
        return None
    total = entity.total
    return {
        "heading": entity.heading,
        "text": blocks(entity.text),
        "unit": entity.unit,
        "missing": entity.missing_in_source,
        "rows": [{"verksamhet": r.verksamhet, "belopp": r.belopp} for r in entity.rows],
        "total": {"label": total.label, "belopp": total.belopp} if total else None,
        "note": entity.note,
    }


def find_section(sections: Iterable[Section], section_id: str) -> Section | None:
    """The agreement section with `section_id`, at any depth."""
    for section in sections:
        if section.id == section_id:
            return section
        found = find_section(section.sections, section_id)
        if found is not None:
            return found
    return None


def samrad(division: Division, source: Source) -> View | None:
    """The division's samråd text, or the agreement's shared one when the division has none."""
    own = division.samrad
    if own is not None:
        return {"heading": own.heading, "text": blocks(own.text), "shared": False}
    section = find_section(source.agreement.sections, SAMRAD_SECTION)
    if section is None:
        return None
    return {
        "heading": section.heading or "Samråd om investeringar",
        "text": blocks(section.text),
        "shared": True,
    }


def grunduppdrag(entity: Grunduppdrag, anchors: Anchors) -> View:
    """The grunduppdrag: its sections (Allmänt, departments) with areas and Uppföljning."""
    sections = []
    for section in entity.sections:
        section_anchor = anchors("gu", section.id)
        sections.append(
            {
                "anchor": section_anchor,
                "heading": heading(section.number, section.heading),
                "text": blocks(section.text),
                "areas": [
                    {
                        "anchor": anchors(section_anchor, area.id),
                        "heading": area.heading,
                        "text": blocks(area.text),
                        "uppfoljning": blocks(area.uppfoljning),
                        "note": area.note,
                    }
                    for area in section.areas
                ],
                "uppfoljning": blocks(section.uppfoljning),
                "note": section.note,
            }
        )
    return {
        "anchor": anchors("grunduppdrag"),
        "heading": heading(entity.number, entity.title),
        "sections": sections,
        "note": entity.note,
    }


def agreement_view(source: Source) -> View:
    """What every page says about the agreement itself."""
    agreement = source.agreement
    return {
        "year": source.year,
        "title": agreement.title,
        "diarienummer": agreement.diarienummer,
        "note": agreement.note,
    }


def toc_entry(anchor: str, label: str, children: Iterable[View] = ()) -> View:
    """A table-of-contents entry; children are views with an anchor and a heading."""
    return {
        "anchor": anchor,
        "label": label,
        "children": [
            {"anchor": c["anchor"], "label": c["heading"]} for c in children if c["heading"]
        ],
    }


def bilaga_view(source: Source, code: str) -> View:
    """Everything one division's bilaga shows."""
    division = source.divisions[check_division(source, code)]
    anchors = Anchors()
    owned = [u for u in source.uppdrag if code in expand_owners(u.owners, source.codes)]
    gu = grunduppdrag(division.grunduppdrag, anchors)
    areas = goal_areas(source, anchors, code, with_uppdrag=False)
    toc = [
        toc_entry(gu["anchor"], gu["heading"], gu["sections"]),
        toc_entry("mal", "Mål och indikatorer", areas),
        toc_entry("uppdrag", "Särskilda uppdrag"),
        toc_entry("ersattning", "Ersättning"),
        toc_entry("samrad", "Samråd om investeringar"),
    ]
    return {
        "toc": toc,
        "agreement": agreement_view(source),
        "division": {"code": code, "name": division.name, "note": division.note},
        "grunduppdrag": gu,
        "malomraden": areas,
        "uppdrag": [uppdrag(u, source, anchors) for u in owned],
        "ersattning": ersattning(division.ersattning),
        "samrad": samrad(division, source),
    }


def sections_view(sections: Iterable[Section], anchors: Anchors) -> list[View]:
    """The agreement's general sections, recursively."""
    return [
        {
            "anchor": anchors("avsnitt", s.id),
            "number": s.number,
            "heading": heading(s.number, s.heading) if s.heading else None,
            "text": blocks(s.text),
            "sections": sections_view(s.sections, anchors),
            "note": s.note,
        }
        for s in sections
    ]


def main_view(source: Source) -> View:
    """Everything the agreement's main document shows."""
    anchors = Anchors()
    agreement = source.agreement
    areas = goal_areas(source, anchors, None, with_uppdrag=True)
    # Uppdrag whose målområde is unknown or unset still appear, after the målområden.
    malomraden = source.malomraden
    known: set[tuple[str | None, str | None]] = {(m.id, None) for m in malomraden.malomraden}
    known |= {(m.id, vo.id) for m in malomraden.malomraden for vo in m.verksamhetsomraden}
    rest = [
        uppdrag(u, source, anchors)
        for u in source.uppdrag
        if (u.malomrade, u.verksamhetsomrade) not in known
    ]
    sections = sections_view(agreement.sections, anchors)
    # Untitled opening text stands right under the title, before the parties.
    opening = 0
    while opening < len(sections) and sections[opening]["heading"] is None:
        opening += 1
    # A section numbered after the målområden part ("3. Särskilda uppdrag" after "2. Mål-
    # områden och mål" in 2024) follows it, as printed.
    part = _leading_number(malomraden.heading)
    later = [
        s
        for s in sections[opening:]
        if part is not None and (_leading_number(s["number"]) or 0) > part
    ]
    earlier = [s for s in sections[opening:] if s not in later]
    ersattningar = [
        {
            "anchor": anchors("ersattning", code),
            "heading": division_label(code, source),
            "ersattning": ersattning(division.ersattning),
        }
        for code, division in source.divisions.items()
    ]
    toc = [
        toc_entry("parter", "Parter"),
        toc_entry("verksamheter", "Verksamheter"),
        *(toc_entry(s["anchor"], s["heading"], s["sections"]) for s in earlier if s["heading"]),
        toc_entry("mal", malomraden.heading or "Målområden och mål", areas),
        *(toc_entry(s["anchor"], s["heading"], s["sections"]) for s in later if s["heading"]),
        *([toc_entry("uppdrag", "Övriga särskilda uppdrag")] if rest else []),
        *([toc_entry("ersattning", "Ersättningar")] if ersattningar else []),
    ]
    return {
        "toc": toc,
        "agreement": agreement_view(source),
        "parties": [{"name": p.name, "code": p.code} for p in agreement.parties],
        "divisions": [{"code": c, "name": n} for c, n in source.names.items()],
        "opening": sections[:opening],
        "sections": earlier,
        "later_sections": later,
        "malomraden_heading": malomraden.heading or "Målområden och mål",
        "malomraden_text": blocks(malomraden.text),
        "malomraden_note": malomraden.note,
        "malomraden": areas,
        "other_uppdrag": rest,
        "ersattningar": ersattningar,
    }


def _leading_number(text: str | None) -> int | None:
    """3 for "3." or "3. Särskilda uppdrag"; None when the text starts with no number."""
    match = re.match(r"\s*([0-9]+)", text or "")
    return int(match.group(1)) if match else None


def index_view(source: Source) -> View:
    """The index of a rendered year: the main document and every bilaga."""
    return {
        "agreement": agreement_view(source),
        "bilagor": [{"code": code, "name": source.names[code]} for code in source.divisions],
    }


# --- rendering and writing -------------------------------------------------------------------


def generator(root: Path) -> str:
    """ "ovk VERSION (commit abc1234)" when the root is in git, else "ovk VERSION"."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"ovk {__version__} (commit {commit})" if commit else f"ovk {__version__}"


def file_name(stem: str, fmt: str) -> str:
    """The file a page is written to in a rendered folder."""
    return f"{stem}.{fmt}"


def bilaga_stem(code: str) -> str:
    """ "bilaga-KLK"."""
    return f"bilaga-{code}"


class Renderer:
    """Renders one year's documents in one format; `site` links them as a folder."""

    def __init__(self, source: Source, fmt: str, site: bool = False, pdf: bool = False) -> None:
        self.source, self.fmt, self.site = source, fmt, site
        self.pdf = pdf  # the site also holds a PDF of each document: the index links them
        self.env = environment(source.root)
        self.generator = generator(source.root)

    def stylesheet(self) -> str:
        """The stylesheet's text, from the same template search path."""
        return static_text(self.env, STYLESHEET)

    def _page(self, template: str, view: View) -> str:
        links = None
        if self.site or template == "index":  # an index is nothing but links
            links = {
                "index": file_name(INDEX_STEM, self.fmt),
                "main": file_name(MAIN_STEM, self.fmt),
                "bilagor": {c: file_name(bilaga_stem(c), self.fmt) for c in self.source.divisions},
                "pdf": pdf_links(self.source) if self.pdf else None,
            }
        # A single page carries its stylesheet, so the one file is complete.
        stylesheet = {"href": STYLESHEET} if self.site else {"inline": self.stylesheet()}
        name = f"{template}.{self.fmt}"
        try:
            text = self.env.get_template(name).render(
                **view,
                year=self.source.year,
                generator=self.generator,
                links=links,
                stylesheet=stylesheet,
            )
        except jinja2.TemplateError as error:
            # A template edited in the repository can break: say where, in one line.
            where = getattr(error, "filename", None) or name
            line = getattr(error, "lineno", None)
            location = f"{where}:{line}" if line else where
            raise DataError(f"template {location}: {error.message or error}") from None
        # Templates leave blank lines where blocks are skipped; one blank line is enough.
        return re.sub(r"\n[ \t]*(\n[ \t]*)+\n", "\n\n", text).strip() + "\n"

    def bilaga(self, code: str) -> str:
        """One division's bilaga; a usage error when the year has none for `code`."""
        return self._page("bilaga", bilaga_view(self.source, code))

    def main(self) -> str:
        """The agreement's main document."""
        return self._page("main", main_view(self.source))

    def index(self) -> str:
        """The index page linking the main document and every bilaga."""
        return self._page("index", index_view(self.source))


def pdf_links(source: Source) -> View:
    """The PDF of each document, beside its page in a rendered folder."""
    return {
        "main": file_name(MAIN_STEM, PDF),
        "bilagor": {c: file_name(bilaga_stem(c), PDF) for c in source.divisions},
    }


def pdf_documents(renderer: Renderer) -> list[tuple[str, bytes]]:
    """Every bilaga and the main document as PDF, each made from the one-file HTML page the
    renderer (of html, not a site) makes of it."""
    from ovk.render.pdf import html_to_pdf

    pages = [(bilaga_stem(code), renderer.bilaga(code)) for code in renderer.source.divisions]
    pages.append((MAIN_STEM, renderer.main()))
    return [(stem, html_to_pdf(html)) for stem, html in pages]


def render_site(source: Source, formats: Iterable[str], out_dir: Path) -> list[Path]:
    """Every bilaga, the main document and an index (and, for HTML, the stylesheet; for PDF,
    a PDF of every document but the index); nothing is written when any of the files is a
    link or read-only."""
    formats = tuple(formats)
    files: list[tuple[Path, str | bytes]] = []
    if PDF in formats:
        pdfs = pdf_documents(Renderer(source, "html"))
        files += [(out_dir / file_name(stem, PDF), data) for stem, data in pdfs]
    for fmt in (f for f in formats if f != PDF):
        renderer = Renderer(source, fmt, site=True, pdf=PDF in formats and fmt == "html")
        pages = [(bilaga_stem(code), renderer.bilaga(code)) for code in source.divisions]
        pages += [(MAIN_STEM, renderer.main()), (INDEX_STEM, renderer.index())]
        files += [(out_dir / file_name(stem, fmt), text) for stem, text in pages]
        if fmt == "html":
            files.append((out_dir / STYLESHEET, renderer.stylesheet()))
    for path, _ in files:
        refuse(path)
    return [write_atomic(path, text) for path, text in files]


def output_path(path: Path, root: Path, cwd: Path | None = None) -> Path:
    """Where `path` stands: its folders resolved, its own name kept as given (a link there is
    not followed; writing refuses it). An absolute path is the user's explicit choice; a
    relative one must stay inside the working folder or the repository root, so `..` (or a
    linked folder) in a path assembled by a script cannot walk out of them."""
    base = (cwd or Path.cwd()).resolve()
    given = base / path
    target = given.resolve() if given.name in ("", "..") else given.parent.resolve() / given.name
    if path.is_absolute():
        return target
    if not any(target.is_relative_to(allowed) for allowed in (base, root.resolve())):
        raise UsageError(
            f"<output> {path} is outside the working folder and the repository; write below "
            f"{base} or give an absolute path",
            "output",
        )
    return target


def refuse(path: Path) -> None:
    """A usage error when `path` is a link or a read-only file: ovk never writes there."""
    why = refusal(path)
    if why is not None:
        raise RefusedWrite(path, why)


def write_atomic(path: Path, text: str | bytes) -> Path:
    """Write `text` (or a PDF's bytes) to `path` through a temporary file and a rename: never
    a half file, never through a link."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    return path


# --- the command -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What `ovk render` was asked for, before it is checked."""

    code: str | None = None
    year: int | None = None
    main: bool = False
    all: bool = False
    fmt: str | None = None  # md, html, pdf or both (only with all); None: from -o, else md
    output: Path | None = None


@dataclass(frozen=True)
class Outcome:
    """Rendered text for stdout, or the files written under -o."""

    text: str | None
    written: list[Path]


def document_format(fmt: str | None, output: Path | None) -> str:
    """The format of one document: `fmt` if given, else the one the output's suffix names,
    else md. A suffix of another format than `fmt` is a usage error (`-o klk.pdf` with
    md); no suffix, or one no format claims, goes with the format asked for. The name is
    the one the user gave, never the name a link there points to."""
    suffix = output.suffix.lower() if output is not None else ""
    named = next((f for f, suffixes in SUFFIXES.items() if suffix in suffixes), None)
    if fmt is None:
        return named or "md"
    if named is not None and named != fmt:
        assert output is not None
        raise UsageError(
            f"<output> {output.name} names a {named} file, but <format> is {fmt}: name it "
            f"{output.stem}{SUFFIXES[fmt][0]}, or give <format> {named}",
            "output",
            "format",
        )
    return fmt


def run(root: Path, request: Request, cwd: Path | None = None) -> Outcome:
    """Check the request, render, and write only under -o; every misuse is a UsageError."""
    wanted = [request.code is not None, request.main, request.all]
    if sum(wanted) != 1:
        raise UsageError("give one of <code>, <main> or <all>", "code", "main", "all")
    if request.fmt == "both" and not request.all:
        raise UsageError("<format> both needs <all> (one document has one format)", "format", "all")
    if request.all and request.output is None:
        raise UsageError("<all> needs <output> DIR", "all", "output")
    fmt = request.fmt if request.all else document_format(request.fmt, request.output)
    if fmt == PDF:
        if request.output is None:  # a PDF's bytes are no text for a terminal or a pipe
            raise UsageError("<format> pdf needs <output> FILE", "format", "output")
        from ovk.render.pdf import weasyprint

        weasyprint()  # the extra is installed: said before anything is read or rendered
    target = output_path(request.output, root, cwd) if request.output is not None else None
    if target is not None:
        refuse(target)  # the file, or the folder of <all>: before anything is rendered
    source = load_source(root, resolve_year(root, request.year))

    if request.all:
        assert target is not None
        if target.exists() and not target.is_dir():
            raise UsageError(
                f"<output> {request.output} is a file; <all> writes into a folder", "output", "all"
            )
        formats = {"both": FORMATS, PDF: ("html", PDF)}.get(fmt or "html", (fmt or "html",))
        return Outcome(None, render_site(source, formats, target))

    assert fmt is not None
    renderer = Renderer(source, "html" if fmt == PDF else fmt)
    if request.code is not None:
        page = renderer.bilaga(check_division(source, request.code.upper()))
    else:
        page = renderer.main()
    text: str | bytes = page
    if fmt == PDF:
        from ovk.render.pdf import html_to_pdf

        text = html_to_pdf(page)
    if target is None:
        assert isinstance(text, str)
        return Outcome(text, [])
    if target.is_dir():
        raise UsageError(
            f"<output> {request.output} is a folder; name a file (or use <all>)", "output", "all"
        )
    return Outcome(None, [write_atomic(target, text)])
