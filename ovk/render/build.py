"""`ovk render`: a year's bilagor, main document and index through the Jinja templates.

The year's files are read as the model's typed entities (schema-valid, or a DataError) and
turned into a plain view-model of dicts and lists with every key present, so templates run
under StrictUndefined and hold no logic beyond layout. Text from the data reaches the output
only through the templates, where it is escaped (see ovk.render.templating). A PDF is the
one-file HTML page converted by ovk.render.pdf. Files are written atomically and only where
asked.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ovk import __version__
from ovk.errors import DataError, UsageError
from ovk.git import git
from ovk.model.build import build
from ovk.model.entities import (
    ALL_DIVISIONS,
    SAMRAD_SECTION,
    Agreement,
    Block,
    Division,
    Ersattning,
    Fokus,
    FollowupReport,
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
from ovk.model.read import available_years, expand_owners, number_key, read_year, resolve_year
from ovk.model.spec import Entity, properties
from ovk.model.text import Item, items, lines
from ovk.output.literal import literal
from ovk.output.swedish import municipality_name
from ovk.render.templating import TEMPLATES, environment, static_text
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
NOTES_STEM = "transkribering"  # the "Om transkriberingen" page of --all
YEARS_TEMPLATE = "years"  # the index above several years' folders
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
    # The year's follow-up reports by (occasion, division code), each with its file.
    reports: dict[tuple[str, str], tuple[FollowupReport, str]] = field(default_factory=dict)

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
    reports = {place: (loaded.entity, loaded.file) for place, loaded in data.reports.items()}
    return Source(root, year, data.agreement.entity, malomraden, divisions, names, uppdrag, reports)


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


# --- transcribers' notes -----------------------------------------------------------------------


def transcriber_note(entity: object) -> str | None:
    """The transcriber's note on an entity of the model, or None: what counts as a note.

    A note is the `note` property the model gives its entities (diff role "same-year": the
    transcribers' bookkeeping about the source document, for reviewers, not readers). The
    other such property, `missing_in_source`, is no note: that a table is missing from the
    source is part of what the agreement says, and a bilaga shows "saknas i underlaget" to
    every reader. The inline rendering and the "Om transkriberingen" page both ask here."""
    text = getattr(entity, "note", None)
    return text.strip() if isinstance(text, str) and text.strip() else None


@dataclass(frozen=True)
class NoteMet:
    """A note a page came across: whose (the entity's identity in one Source), where."""

    key: int
    text: str
    place: str  # where on the page, as its reader sees it
    anchor: str | None  # the id of the part of the page it belongs to


@dataclass
class Notes:
    """The notes one page meets while its view is built; shown inline only when asked."""

    shown: bool = False
    met: list[NoteMet] = field(default_factory=list)

    def __call__(self, entity: object, place: str, anchor: str | None = None) -> str | None:
        text = transcriber_note(entity)
        if text is not None:
            self.met.append(NoteMet(id(entity), text, place, anchor))
        return text if self.shown else None


@dataclass
class Page:
    """What building one document's view keeps track of: its ids and the notes it meets."""

    anchor: Anchors = field(default_factory=Anchors)
    note: Notes = field(default_factory=Notes)


def _entities(value: object) -> Iterator[Entity]:
    """Every entity in a value of the model, depth first, in the order of its properties."""
    if isinstance(value, Entity):
        yield value
        for prop in properties(type(value)):
            yield from _entities(getattr(value, prop.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _entities(item)


@dataclass(frozen=True)
class YearNote:
    """One note of the year: the part of the agreement it belongs to, its entity, its text."""

    part: str  # "Överenskommelsen", "Kommunledningskontoret (KLK)" …
    stem: str  # the page that part is rendered on
    entity: Entity
    text: str


def year_notes(source: Source) -> list[YearNote]:
    """Every transcriber's note of the year, in the order of its files and entities."""
    parts: list[tuple[str, str, Iterable[Entity]]] = [
        ("Överenskommelsen", MAIN_STEM, [source.agreement]),
        (source.malomraden.heading or "Målområden och mål", MAIN_STEM, [source.malomraden]),
        *(
            (division_label(code, source), bilaga_stem(code), [division])
            for code, division in source.divisions.items()
        ),
        ("Särskilda uppdrag", MAIN_STEM, source.uppdrag),
    ]
    found = []
    for part, stem, roots in parts:
        for root in roots:
            for entity in _entities(root):
                text = transcriber_note(entity)
                if text is not None:
                    found.append(YearNote(part, stem, entity, text))
    return found


def entity_label(entity: Entity) -> str:
    """An entity as a reader would name it where no page shows it: "Mål 1.1.3 Titel"."""
    name = getattr(entity, "title", None) or getattr(entity, "heading", None) or ""
    number = getattr(entity, "number", None)
    return heading(type(entity).NOUN or type(entity).TITLE, number, name)


# --- headings that say the same once ---------------------------------------------------------


def heading_words(text: str | None) -> str:
    """What a heading says without its number and a trailing parenthesis ("(KS)")."""
    words = re.sub(r"^\s*[0-9]+(\.[0-9]+)*\.?\s*", "", text or "")
    words = re.sub(r"\s*\([^()]*\)\s*$", "", words)
    return " ".join(words.casefold().rstrip(":. ").split())


def repeats(printed: str | None, shown: str | None) -> bool:
    """Whether a heading from the source says what a heading right above it says already."""
    return bool(heading_words(printed)) and heading_words(printed) == heading_words(shown)


def part_heading(generated: str, printed: str | None, own_part: bool) -> tuple[str, str | None]:
    """The heading a part of a document stands under, and the source's own heading still to
    show below it. The source's heading takes the generated one's place when it says the same
    ("Samråd om investeringar (KS)" for "Samråd om investeringar") or, in a bilaga
    (`own_part`), when it is the bilaga's own numbered part ("4. Ekonomi" for "Ersättning"):
    no part has two headings one right after the other."""
    if printed and (repeats(printed, generated) or (own_part and _leading_number(printed))):
        return printed, None
    return generated, printed


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
                result.append({"kind": "list", **list_view(items(block))})
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


# "7. Hållbar energi för alla.": an item that carries its printed number.
NUMBERED_ITEM = re.compile(r"([0-9]{1,4})\.\s+\S.*", re.DOTALL)


def list_view(entries: tuple[Item, ...]) -> View:
    """A list's items (see `ovk.model.text.items`) with their nested lists. A list whose
    every item starts with its printed number ("1. …", "7. …", "11. …") is numbered: each
    item keeps its text as printed, number included (the source's may skip: 7, 8, 9, 11,
    16), and gets no bullet; `number` is its value for an HTML <ol>."""
    found = [NUMBERED_ITEM.fullmatch(e.text) if e.text else None for e in entries]
    numbered = bool(entries) and all(found)
    return {
        "numbered": numbered,
        "entries": [
            {
                "number": match.group(1) if numbered and match else None,
                "text": entry.text,
                "children": list_view(entry.children) if entry.children else None,
            }
            for entry, match in zip(entries, found, strict=True)
        ],
    }


def indicator_table(table: IndicatorTable, caption: str, page: Page, goal: View) -> View:
    """An indicator table: its rows grouped by kategori, only the columns that have content."""
    columns = [{"key": c.key, "label": c.label} for c in table.columns]
    rows = []
    for row in table.rows:
        source = row.source
        place = heading(goal["heading"], "–", f"indikator {row.nr or ''}".strip(), row.title)
        rows.append(
            {
                "nr": row.nr or "",
                "kategori": row.kategori,
                "title": row.title,
                "cells": [row.values.get(c.key, "") for c in table.columns],
                "source": source.text if source else "",
                "kolada": ", ".join(source.kolada) if source else "",
                "note": page.note(row, place, goal["anchor"]),
            }
        )
    groups: list[View] = []  # consecutive rows under one kategori
    for view in rows:
        if not groups or groups[-1]["kategori"] != view["kategori"]:
            groups.append({"kategori": view["kategori"], "rows": []})
        groups[-1]["rows"].append(view)
    caption = table.heading or caption
    return {
        "caption": caption,
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
        "note": page.note(table, heading(goal["heading"], "–", caption), goal["anchor"]),
    }


def goal(entity: Goal, source: Source, page: Page) -> View:
    """A goal with its önskat resultat, indicator tables and the divisions it is shared to."""
    number = entity.number
    caption = f"Indikatorer för mål {number}" if number else "Indikatorer"
    view: View = {
        "anchor": page.anchor("mal", entity.id),
        "heading": heading(number, entity.title, entity.suffix),
        "level": entity.level,
        "text": blocks(entity.text),
        "onskat_resultat_heading": entity.onskat_resultat_heading or "Önskat resultat",
        "onskat_resultat": blocks(entity.onskat_resultat),
        "kompletterande_heading": entity.kompletterande_heading or "Kompletterande beskrivning",
        "kompletterande": blocks(entity.kompletterande),
        "delas_till": owners_text(entity.delas_till, source),
    }
    view["note"] = page.note(entity, view["heading"], view["anchor"])
    view["nyckeltal"] = [indicator_table(t, caption, page, view) for t in entity.nyckeltal]
    return view


def grundverksamhet(entry: Grundverksamhet, source: Source, page: Page) -> View:
    """A GRUNDVERKSAMHET entry that points at a division's grunduppdrag."""
    anchor = page.anchor("gv", entry.id)
    title = heading(entry.number, entry.title, entry.suffix)
    return {
        "anchor": anchor,
        "heading": title,
        "text": blocks(entry.text),
        "owners": owners_text(entry.owners, source),
        "followup": ", ".join(entry.followup),
        "note": page.note(entry, title, anchor),
    }


def owners_text(owners: tuple[str, ...], source: Source) -> str:
    """Division codes as names for a reader; "alla verksamheter" stays as written."""
    if ALL_DIVISIONS in owners:
        return ALL_DIVISIONS
    return ", ".join(division_label(code, source) for code in owners)


def division_label(code: str, source: Source) -> str:
    """ "Kommunledningskontoret (KLK)"."""
    return f"{source.names.get(code, code)} ({code})"


def uppdrag(entity: Uppdrag, source: Source, page: Page) -> View:
    """A särskilt uppdrag as a card: text, owners, lead, financing, dates, follow-up."""
    anchor = page.anchor("uppdrag", entity.id)
    title = heading(entity.number, entity.title, entity.suffix)
    return {
        "anchor": anchor,
        "heading": title,
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
        "note": page.note(entity, title, anchor),
    }


def malomrade_title(malomrade_id: str | None, source: Source) -> str | None:
    """The printed number and title of a målområde, from its id."""
    for area in source.malomraden.malomraden:
        if area.id == malomrade_id:
            return heading(area.number, area.title)
    return None


def fokus(entity: Fokus | None, page: Page, area: str, anchor: str) -> View | None:
    """An "I fokus mandatperioden" text, or None."""
    if entity is None:
        return None
    return {
        "heading": entity.heading,
        "text": blocks(entity.text),
        "note": page.note(entity, heading(area, "–", entity.heading), anchor),
    }


def goal_areas(source: Source, page: Page, code: str | None, with_uppdrag: bool) -> list[View]:
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
            uppdrag(u, source, page)
            for u in source.uppdrag
            if u.malomrade == malomrade_id and u.verksamhetsomrade == vo_id
        ]

    def area_view(
        area: Malomrade | Verksamhetsomrade, anchor: str, title: str, place: tuple[str, str | None]
    ) -> tuple[View, Notes]:
        """What a målområde and a verksamhetsområde show alike (in this order: the anchors
        of a page follow it), and the notes met on the way (kept only if the area is)."""
        outer, page.note = page.note, Notes(page.note.shown)
        try:
            area_anchor = page.anchor(anchor, area.id)
            view = {
                "anchor": area_anchor,
                "heading": title,
                "fokus": fokus(area.fokus, page, title, area_anchor),
                "text": blocks(area.text),
                "goals": [goal(g, source, page) for g in area.goals if shared(g)],
                "grundverksamhet": [
                    grundverksamhet(e, source, page) for e in area.grundverksamhet if concerns(e)
                ],
                "uppdrag": placed(*place),
                "note": page.note(area, title, area_anchor),
            }
            return view, page.note
        finally:
            page.note = outer

    def kept(view: View, *more: object) -> bool:
        return bool(view["goals"] or view["grundverksamhet"] or view["uppdrag"] or any(more))

    areas = []
    for malomrade in source.malomraden.malomraden:
        vos, met = [], []
        for vo in malomrade.verksamhetsomraden:
            title = f"Verksamhetsområde {vo.title}"
            view, notes = area_view(vo, "vo", title, (malomrade.id, vo.id))
            if kept(view, code is None):
                vos.append(view)
                met += notes.met
        title = heading("Målområde", malomrade.number, malomrade.title)
        area, notes = area_view(malomrade, "malomrade", title, (malomrade.id, None))
        area["verksamhetsomraden"] = vos
        if kept(area, vos, code is None):
            areas.append(area)
            page.note.met += [*notes.met, *met]  # only what the page shows
    return areas


def ersattning(
    entity: Ersattning | None, page: Page, place: str, anchor: str | None
) -> View | None:
    """A division's ersättning table (amounts as floats), or None when it has none."""
    if entity is None:
        return None
    total = entity.total
    return {
        "heading": entity.heading,
        "text": blocks(entity.text),
        "unit": entity.unit,
        # Shown to every reader: a table the source lacks is part of what the agreement
        # says (see `transcriber_note`); why it is missing is the transcriber's note.
        "missing": entity.missing_in_source,
        "rows": [{"verksamhet": r.verksamhet, "belopp": r.belopp} for r in entity.rows],
        "total": {"label": total.label, "belopp": total.belopp} if total else None,
        "note": page.note(entity, place, anchor),
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


def grunduppdrag(entity: Grunduppdrag, page: Page) -> View:
    """The grunduppdrag: its sections (Allmänt, departments) with areas and Uppföljning."""
    sections = []
    for section in entity.sections:
        section_anchor = page.anchor("gu", section.id)
        title = heading(section.number, section.heading)
        areas = []
        for n, area in enumerate(section.areas):
            # A department whose first area has its name ("Exploatering" under
            # "Exploatering") shows that name once: the area's text follows its heading.
            same = n == 0 and not section.text and repeats(area.heading, section.heading)
            area_anchor = page.anchor(section_anchor, area.id)
            areas.append(
                {
                    "anchor": area_anchor,
                    "heading": None if same else area.heading,
                    "text": blocks(area.text),
                    "uppfoljning": blocks(area.uppfoljning),
                    "note": page.note(area, heading(title, "–", area.heading), area_anchor),
                }
            )
        sections.append(
            {
                "anchor": section_anchor,
                "heading": title,
                "text": blocks(section.text),
                "areas": areas,
                "uppfoljning": blocks(section.uppfoljning),
                "note": page.note(section, title, section_anchor),
            }
        )
    anchor = page.anchor("grunduppdrag")
    title = heading(entity.number, entity.title)
    return {
        "anchor": anchor,
        "heading": title,
        "sections": sections,
        "note": page.note(entity, title, anchor),
    }


def agreement_view(source: Source) -> View:
    """What every page says about the agreement itself (its note: the main document's)."""
    agreement = source.agreement
    return {
        "year": source.year,
        "title": agreement.title,
        "diarienummer": agreement.diarienummer,
        "note": None,
    }


def municipality(agreement: Agreement) -> str | None:
    """How the pages name the agreement's municipality ("Nyköpings kommun"), or None when
    the agreement names none: a page never names one the data does not."""
    found = agreement.municipality
    if found is None or not found.name.strip():
        return None
    return municipality_name(found.name)


def toc_entry(anchor: str, label: str, children: Iterable[View] = ()) -> View:
    """A table-of-contents entry; children are views with an anchor and a heading."""
    return {
        "anchor": anchor,
        "label": label,
        "children": [
            {"anchor": c["anchor"], "label": c["heading"]} for c in children if c["heading"]
        ],
    }


def bilaga_view(source: Source, code: str, page: Page | None = None) -> View:
    """Everything one division's bilaga shows."""
    division = source.divisions[check_division(source, code)]
    page = page or Page()
    owned = [u for u in source.uppdrag if code in expand_owners(u.owners, source.codes)]
    gu = grunduppdrag(division.grunduppdrag, page)
    areas = goal_areas(source, page, code, with_uppdrag=False)
    cards = [uppdrag(u, source, page) for u in owned]
    ersattning_view = ersattning(division.ersattning, page, "Ersättning", "ersattning")
    ersattning_heading, printed = part_heading(
        "Ersättning", ersattning_view["heading"] if ersattning_view else None, own_part=True
    )
    if ersattning_view is not None:
        ersattning_view["heading"] = printed
    samrad_view = samrad(division, source)
    samrad_heading, printed = part_heading(
        "Samråd om investeringar", samrad_view["heading"] if samrad_view else None, own_part=True
    )
    if samrad_view is not None:
        samrad_view["heading"] = printed
    toc = [
        toc_entry(gu["anchor"], gu["heading"], gu["sections"]),
        toc_entry("mal", "Mål och indikatorer", areas),
        toc_entry("uppdrag", "Särskilda uppdrag"),
        toc_entry("ersattning", ersattning_heading),
        toc_entry("samrad", samrad_heading),
    ]
    name = division_label(code, source)
    return {
        "toc": toc,
        "agreement": agreement_view(source),
        "division": {"code": code, "name": division.name, "note": page.note(division, name)},
        "grunduppdrag": gu,
        "malomraden": areas,
        "uppdrag": cards,
        "ersattning_heading": ersattning_heading,
        "ersattning": ersattning_view,
        "samrad_heading": samrad_heading,
        "samrad": samrad_view,
    }


def sections_view(sections: Iterable[Section], page: Page) -> list[View]:
    """The agreement's general sections, recursively."""
    views = []
    for s in sections:
        anchor = page.anchor("avsnitt", s.id)
        title = heading(s.number, s.heading) if s.heading else None
        views.append(
            {
                "anchor": anchor,
                "number": s.number,
                "heading": title,
                "text": blocks(s.text),
                "sections": sections_view(s.sections, page),
                "note": page.note(s, title or "Inledning", anchor),
            }
        )
    return views


def names_all(sections: Iterable[Section], wanted: Iterable[tuple[str, str | None]]) -> bool:
    """Whether one list in the agreement's own text names everyone `wanted` (name, code):
    by its code in parentheses ("Tekniska divisionen (TEK)"), or by its name when it has no
    code ("Kommunstyrelsen")."""
    marks = [f"({code})".casefold() if code else name.casefold() for name, code in wanted]
    for section in sections:
        for block in section.text:
            if isinstance(block, ListBlock):
                said = " ".join(lines([block])).casefold()
                if all(mark in said for mark in marks):
                    return True
        if names_all(section.sections, wanted):
            return True
    return False


def main_view(source: Source, page: Page | None = None) -> View:
    """Everything the agreement's main document shows."""
    page = page or Page()
    agreement = source.agreement
    heading_view = agreement_view(source)
    heading_view["note"] = page.note(agreement, agreement.title)
    sections = sections_view(agreement.sections, page)
    areas = goal_areas(source, page, None, with_uppdrag=True)
    # Uppdrag whose målområde is unknown or unset still appear, after the målområden.
    malomraden = source.malomraden
    known: set[tuple[str | None, str | None]] = {(m.id, None) for m in malomraden.malomraden}
    known |= {(m.id, vo.id) for m in malomraden.malomraden for vo in m.verksamhetsomraden}
    rest = [
        uppdrag(u, source, page)
        for u in source.uppdrag
        if (u.malomrade, u.verksamhetsomrade) not in known
    ]
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
    ersattningar = []
    for code, division in source.divisions.items():
        anchor = page.anchor("ersattning", code)
        view = ersattning(division.ersattning, page, division_label(code, source), anchor)
        title, printed = part_heading(
            division_label(code, source), view["heading"] if view else None, own_part=False
        )
        if view is not None:
            view["heading"] = printed
        ersattningar.append({"anchor": anchor, "heading": title, "ersattning": view})
    # The parties and divisions are listed only where the agreement's own text does not
    # list them already (2026 has "Parter/kontaktpersoner (KS)").
    parties = [(p.name, p.code) for p in agreement.parties]
    divisions = list(source.names.items())
    own_parties = names_all(agreement.sections, parties)
    own_divisions = names_all(agreement.sections, [(n, c) for c, n in divisions])
    toc = [
        *([] if own_parties else [toc_entry("parter", "Parter")]),
        *([] if own_divisions else [toc_entry("verksamheter", "Verksamheter")]),
        *(toc_entry(s["anchor"], s["heading"], s["sections"]) for s in earlier if s["heading"]),
        toc_entry("mal", malomraden.heading or "Målområden och mål", areas),
        *(toc_entry(s["anchor"], s["heading"], s["sections"]) for s in later if s["heading"]),
        *([toc_entry("uppdrag", "Övriga särskilda uppdrag")] if rest else []),
        *([toc_entry("ersattning", "Ersättningar")] if ersattningar else []),
    ]
    return {
        "toc": toc,
        "agreement": heading_view,
        "parties": [] if own_parties else [{"name": n, "code": c} for n, c in parties],
        "divisions": [] if own_divisions else [{"code": c, "name": n} for c, n in divisions],
        "opening": sections[:opening],
        "sections": earlier,
        "later_sections": later,
        "malomraden_heading": malomraden.heading or "Målområden och mål",
        "malomraden_text": blocks(malomraden.text),
        "malomraden_note": page.note(malomraden, malomraden.heading or "Målområden", "mal"),
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


def notes_view(source: Source, met: dict[str, list[NoteMet]], fmt: str) -> View:
    """The "Om transkriberingen" page: every note of the year (`year_notes`) under the part
    of the agreement it belongs to, with where it stands on the rendered pages (`met`: the
    notes each page came across, by page stem; in HTML linked to the part's id)."""
    titles = {MAIN_STEM: "Överenskommelsen"}
    titles |= {bilaga_stem(c): division_label(c, source) for c in source.divisions}
    places: dict[int, list[tuple[str, NoteMet]]] = {}
    for stem, notes in met.items():
        for note in notes:
            places.setdefault(note.key, []).append((stem, note))
    parts: list[View] = []
    for found in year_notes(source):
        if not parts or parts[-1]["heading"] != found.part:
            parts.append({"heading": found.part, "notes": []})
        # Where it stands: the main document first, then the bilagor in their order.
        where = sorted(places.get(id(found.entity), []), key=lambda p: p[0] != MAIN_STEM)
        links, seen = [], set()
        for stem, note in where:
            if stem in seen:
                continue
            seen.add(stem)
            fragment = f"#{note.anchor}" if fmt == "html" and note.anchor else ""
            links.append({"href": file_name(stem, fmt) + fragment, "label": titles[stem]})
        if not links:  # on no page rendered: the page of its part of the agreement
            links.append({"href": file_name(found.stem, fmt), "label": titles[found.stem]})
        parts[-1]["notes"].append(
            {
                "place": (where[0][1].place if where else entity_label(found.entity)).rstrip(":"),
                "text": found.text,
                "links": links,
            }
        )
    anchors = Anchors()
    for part in parts:
        part["anchor"] = anchors("del", part["heading"])
    return {
        "agreement": agreement_view(source),
        "parts": parts,
        "count": sum(len(p["notes"]) for p in parts),
    }


# --- rendering and writing -------------------------------------------------------------------

GIT_TIMEOUT = 10  # seconds: a page's provenance is not worth a hung render


@dataclass(frozen=True)
class Provenance:
    """Which ovk made a page, from which commit, and whether its files differ from it."""

    version: str
    commit: str | None  # short id, or None outside git
    dirty: bool  # the files it is made from are modified, staged or untracked

    @property
    def generator(self) -> str:
        """ "ovk 0.1.0 (commit 359de94-dirty)", dirty marked as `git describe --dirty` does."""
        if not self.commit:
            return f"ovk {self.version}"
        return f"ovk {self.version} (commit {self.commit}{'-dirty' if self.dirty else ''})"


def provenance(root: Path, paths: Iterable[str]) -> Provenance:
    """The commit the root is at and whether `paths` (relative to the root: the year's folder,
    the templates) differ from it. When git cannot say, the pages name no commit; when it
    names one but cannot say whether the files differ, they count as changed: a page never
    claims a commit it may not come from."""
    try:
        head = git(root, "rev-parse", "--short", "--verify", "--quiet", "HEAD", timeout=GIT_TIMEOUT)
        commit = head.stdout.decode("ascii", "replace").strip()
        if head.returncode != 0 or not re.fullmatch(r"[0-9a-f]{4,64}", commit):
            return Provenance(__version__, None, False)
        status = git(
            root,
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--ignore-submodules=all",
            "--",
            *paths,
            timeout=GIT_TIMEOUT,
            filters=True,
        )
    except OSError:  # no git, or it hung
        return Provenance(__version__, None, False)
    return Provenance(__version__, commit, status.returncode != 0 or bool(status.stdout))


def year_paths(year: int) -> tuple[str, ...]:
    """What a year's pages are made from, relative to the root: its folder and the templates."""
    return (f"{AGREEMENTS}/{year}", TEMPLATES)


def file_name(stem: str, fmt: str) -> str:
    """The file a page is written to in a rendered folder."""
    return f"{stem}.{fmt}"


def bilaga_stem(code: str) -> str:
    """ "bilaga-KLK"."""
    return f"bilaga-{code}"


class Renderer:
    """Renders one year's documents in one format; `site` links them as a folder (`top`: the
    index of every year, above it); transcribers' notes inline only with `notes`."""

    def __init__(
        self,
        source: Source,
        fmt: str,
        site: bool = False,
        notes: bool = False,
        top: str | None = None,
        pdf: bool = False,
    ) -> None:
        self.source, self.fmt, self.site, self.notes, self.top = source, fmt, site, notes, top
        self.pdf = pdf  # the site also holds a PDF of each document: the index links them
        self.env = environment(source.root)
        self.provenance = provenance(source.root, year_paths(source.year))
        self.generator = self.provenance.generator
        self.met: dict[str, list[NoteMet]] = {}  # page stem -> the notes it came across

    def stylesheet(self) -> str:
        """The stylesheet's text, from the same template search path."""
        return static_text(self.env, STYLESHEET)

    def _new_page(self, stem: str) -> Page:
        page = Page(note=Notes(shown=self.notes))
        self.met[stem] = page.note.met
        return page

    def _page(self, template: str, view: View) -> str:
        links = None
        if self.site or template == "index":  # an index is nothing but links
            links = {
                "index": file_name(INDEX_STEM, self.fmt),
                "main": file_name(MAIN_STEM, self.fmt),
                "bilagor": {c: file_name(bilaga_stem(c), self.fmt) for c in self.source.divisions},
                "notes": file_name(NOTES_STEM, self.fmt) if self.site else None,
                "years": self.top,
                "pdf": pdf_links(self.source) if self.pdf else None,
            }
        return self.render(template, view, links)

    def render(self, template: str, view: View, links: View | None) -> str:
        """A page of the year through `template` in this format, with the site's `links`."""
        # A single page carries its stylesheet, so the one file is complete.
        stylesheet = {"href": STYLESHEET} if self.site else {"inline": self.stylesheet()}
        return render_page(
            self.env,
            f"{template}.{self.fmt}",
            view,
            year=self.source.year,
            municipality=municipality(self.source.agreement),
            generator=self.generator,
            made=made(self.provenance, f"{AGREEMENTS}/{self.source.year}/"),
            links=links,
            stylesheet=stylesheet,
        )

    def bilaga(self, code: str) -> str:
        """One division's bilaga; a usage error when the year has none for `code`."""
        page = self._new_page(bilaga_stem(code))
        return self._page("bilaga", bilaga_view(self.source, code, page))

    def main(self) -> str:
        """The agreement's main document."""
        return self._page("main", main_view(self.source, self._new_page(MAIN_STEM)))

    def index(self) -> str:
        """The index page linking the main document and every bilaga."""
        return self._page("index", index_view(self.source))

    def transcription(self) -> str:
        """The "Om transkriberingen" page: every note of the year, linked to where the pages
        rendered so far show it."""
        return self._page(NOTES_STEM, notes_view(self.source, self.met, self.fmt))


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


def made(origin: Provenance, sources: str) -> View:
    """What a page's footer says it was made with and from."""
    return {
        "tool": f"ovk {origin.version}",
        "commit": origin.commit,
        "dirty": origin.dirty,
        "sources": sources,
    }


def render_page(env: jinja2.Environment, name: str, view: View, **context: Any) -> str:
    """One template rendered; a broken template is a one-line DataError."""
    try:
        text = env.get_template(name).render(**view, **context)
    except jinja2.TemplateError as error:
        # A template edited in the repository can break: say where, in one line.
        where = getattr(error, "filename", None) or name
        line = getattr(error, "lineno", None)
        location = f"{where}:{line}" if line else where
        raise DataError(f"template {location}: {error.message or error}") from None
    # Templates leave blank lines where blocks are skipped; one blank line is enough.
    return re.sub(r"\n[ \t]*(\n[ \t]*)+\n", "\n\n", text).strip() + "\n"


def site_files(
    source: Source,
    formats: Iterable[str],
    out_dir: Path,
    notes: bool = False,
    nested: bool = False,
) -> list[tuple[Path, str | bytes]]:
    """Every page of a year's folder: each bilaga, the main document, the notes page and an
    index (and, for HTML, the stylesheet; for PDF, a PDF of each bilaga and the main
    document, beside its HTML page). `nested`: the folder is one year's below an index of
    every year."""
    formats = tuple(formats)
    files: list[tuple[Path, str | bytes]] = []
    if PDF in formats:
        pdfs = pdf_documents(Renderer(source, "html", notes=notes))
        files += [(out_dir / file_name(stem, PDF), data) for stem, data in pdfs]
    for fmt in (f for f in formats if f != PDF):
        top = f"../{file_name(INDEX_STEM, fmt)}" if nested else None
        renderer = Renderer(
            source, fmt, site=True, notes=notes, top=top, pdf=PDF in formats and fmt == "html"
        )
        pages = [(bilaga_stem(code), renderer.bilaga(code)) for code in source.divisions]
        pages += [(MAIN_STEM, renderer.main())]
        pages += [(NOTES_STEM, renderer.transcription()), (INDEX_STEM, renderer.index())]
        files += [(out_dir / file_name(stem, fmt), text) for stem, text in pages]
        if fmt == "html":
            files.append((out_dir / STYLESHEET, renderer.stylesheet()))
    return files


def render_site(
    source: Source, formats: Iterable[str], out_dir: Path, notes: bool = False
) -> Published:
    """A year's folder (see `site_files`) written by `publish`: nothing is written when any
    of the files is a link or read-only."""
    return publish(out_dir, site_files(source, formats, out_dir, notes))


def render_years(
    sources: list[Source], formats: Iterable[str], out_dir: Path, notes: bool = False
) -> Published:
    """Several years into one folder: each year's pages in `<year>/`, and above them an index
    of every year (in each format), all written by one `publish`."""
    formats = tuple(formats)
    files: list[tuple[Path, str | bytes]] = []
    for source in sources:
        files += site_files(source, formats, out_dir / str(source.year), notes, nested=True)
    root = sources[0].root
    origin = provenance(root, [p for s in sources for p in year_paths(s.year)])
    env = environment(root)
    for fmt in (f for f in formats if f != PDF):  # a PDF beside each page, not of the index
        view = {
            "years": [
                {
                    "year": s.year,
                    "title": s.agreement.title,
                    "href": f"{s.year}/{file_name(INDEX_STEM, fmt)}",
                }
                for s in sorted(sources, key=lambda s: -s.year)
            ]
        }
        text = render_page(
            env,
            f"{YEARS_TEMPLATE}.{fmt}",
            view,
            year=None,
            # Every year's agreement names its municipality; the newest one says it here.
            municipality=municipality(max(sources, key=lambda s: s.year).agreement),
            generator=origin.generator,
            made=made(origin, f"{AGREEMENTS}/"),
            links=None,
            stylesheet={"href": f"{sources[0].year}/{STYLESHEET}"},
        )
        files.append((out_dir / file_name(INDEX_STEM, fmt), text))
    return publish(out_dir, files)


# --- a rendered folder and its manifest ------------------------------------------------------

MANIFEST = ".ovk-manifest.json"
MANIFEST_MAX_BYTES = 1 << 20  # a manifest lists pages; a bigger one is not ours


@dataclass(frozen=True)
class Published:
    """What writing a rendered folder did."""

    written: list[Path]  # the pages, then the manifest
    removed: list[Path]  # pages an earlier run wrote and this one no longer does
    warnings: list[str]


def publish(out_dir: Path, files: list[tuple[Path, str | bytes]]) -> Published:
    """Write a rendered folder: every file atomically (after checking that none is a link or
    read-only), then remove what the folder's manifest says an earlier run wrote and this run
    did not, then write the manifest, last, so it never names a page that was not written.
    Nothing else in the folder is touched."""
    manifest = out_dir / MANIFEST
    for path, _ in files:
        for folder in path.relative_to(out_dir).parents[:-1]:  # a year's folder: no link
            refuse(out_dir / folder)
        refuse(path)
    refuse(manifest)
    earlier, warnings = read_manifest(out_dir)
    written = [write_atomic(path, text) for path, text in files]
    names = sorted({path.relative_to(out_dir).as_posix() for path in written})
    removed = []
    for name in sorted(set(earlier) - set(names)):
        problem = remove_page(out_dir, name)
        if problem is None:
            removed.append(out_dir / name)
        elif problem:
            warnings.append(f"{literal(out_dir / name)} {problem}; not removed")
    text = json.dumps(
        {"ovk": __version__, "files": names}, ensure_ascii=False, indent=1, allow_nan=False
    )
    written.append(write_atomic(manifest, text + "\n"))
    return Published(written, removed, warnings)


def read_manifest(out_dir: Path) -> tuple[list[str], list[str]]:
    """The pages an earlier run wrote into `out_dir`, and warnings. The folder is not
    trusted: a manifest that is a link, too big or not one ovk wrote is ignored as a whole,
    and an entry that is not a plain relative path inside the folder is ignored alone; a
    warning says so, and nothing they name is ever removed."""
    path = out_dir / MANIFEST
    shown = literal(path)
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return [], []
    except OSError as error:
        return [], [f"{shown} cannot be read ({error.strerror}); no earlier page is removed"]
    if not stat.S_ISREG(status.st_mode) or status.st_size > MANIFEST_MAX_BYTES:
        what = "is not a regular file" if not stat.S_ISREG(status.st_mode) else "is too big"
        return [], [f"{shown} {what}; it is ignored and no earlier page is removed"]
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as handle:
            data = json.loads(handle.read(MANIFEST_MAX_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError):
        data = None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return [], [f"{shown} is not a manifest ovk wrote; no earlier page is removed"]
    entries, warnings = [], []
    for entry in files:
        if isinstance(entry, str) and inside(entry):
            entries.append(entry)
        else:
            warnings.append(f"{shown} names {literal(entry)!r}, not a page in the folder; ignored")
    return entries, warnings


def inside(entry: str) -> bool:
    """Whether a manifest entry is a plain relative path that stays inside its folder: no
    absolute path, drive or backslash, no "..", "." or empty part, not the manifest."""
    parts = entry.split("/")
    return (
        bool(entry)
        and entry != MANIFEST
        and not re.search(r"[\\\x00-\x1f:]", entry)
        and all(part not in ("", ".", "..") for part in parts)
    )


def remove_page(out_dir: Path, entry: str) -> str | None:
    """Remove the regular file `entry` (a path checked by `inside`) below `out_dir`, never
    through a link: every folder on the way is opened without following links, and only a
    regular file is unlinked. None when removed (or already gone); else why not ("" when
    there is nothing to say). Folders left empty by the removal are removed too."""
    *folders, name = entry.split("/")
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    opened: list[int] = []
    try:
        try:
            opened.append(os.open(out_dir, flags))
            for folder in folders:
                opened.append(os.open(folder, flags, dir_fd=opened[-1]))
        except FileNotFoundError:
            return None
        except OSError:
            return "lies below a link or a file"
        try:
            status = os.stat(name, dir_fd=opened[-1], follow_symlinks=False)
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(status.st_mode):
            return "is now a symbolic link"
        if not stat.S_ISREG(status.st_mode):
            return "is no longer a file"
        try:
            os.unlink(name, dir_fd=opened[-1])
            for depth in range(len(folders), 0, -1):  # the folders it leaves empty
                os.rmdir(folders[depth - 1], dir_fd=opened[depth - 1])
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                return f"cannot be removed ({error.strerror})"
        return None
    finally:
        for descriptor in opened:
            os.close(descriptor)


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
    notes: bool = False  # transcribers' notes inline (they are always on --all's notes page)
    years: tuple[int, ...] = ()  # --year given more than once (with all)
    all_years: bool = False  # every year (with all)
    followup: str | None = None  # an occasion: its follow-up reports (ovk.render.followup)


@dataclass(frozen=True)
class Outcome:
    """Rendered text for stdout, or the files written under -o."""

    text: str | None
    written: list[Path]
    removed: list[Path] = field(default_factory=list)  # stale pages of an earlier --all
    warnings: list[str] = field(default_factory=list)
    folder: Path | None = None  # where --all wrote


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
    if request.followup is not None:
        from ovk.render import followup

        return followup.run(root, request, cwd)
    wanted = [request.code is not None, request.main, request.all]
    if sum(wanted) != 1:
        raise UsageError("give one of <code>, <main> or <all>", "code", "main", "all")
    check_all_output(request)
    years = requested_years(root, request)
    fmt, target = checked_output(root, request, cwd)
    if len(years) > 1 or request.all_years:  # <all-years>: the same layout for one year
        return run_years(root, request, years, target)
    source = load_source(root, resolve_year(root, years[0] if years else None))

    if request.all:
        assert target is not None
        check_folder(target, request)
        return outcome(render_site(source, site_formats(fmt), target, request.notes), target)

    assert fmt is not None
    renderer = Renderer(source, "html" if fmt == PDF else fmt, notes=request.notes)
    if request.code is not None:
        page = renderer.bilaga(check_division(source, request.code.upper()))
    else:
        page = renderer.main()
    return document_outcome(page, fmt, target, request)


def check_all_output(request: Request) -> None:
    """What <all> changes about the output: only it writes both formats, and into -o."""
    if request.fmt == "both" and not request.all:
        raise UsageError("<format> both needs <all> (one document has one format)", "format", "all")
    if request.all and request.output is None:
        raise UsageError("<all> needs <output> DIR", "all", "output")


def checked_output(
    root: Path, request: Request, cwd: Path | None
) -> tuple[str | None, Path | None]:
    """The format asked for (for one document: from -o's suffix when not given) and where
    -o points, checked before anything is read or rendered: a PDF needs -o and the extra,
    and -o is neither a link nor read-only."""
    fmt = request.fmt if request.all else document_format(request.fmt, request.output)
    if fmt == PDF:
        if request.output is None:  # a PDF's bytes are no text for a terminal or a pipe
            raise UsageError("<format> pdf needs <output> FILE", "format", "output")
        from ovk.render.pdf import weasyprint

        weasyprint()  # the extra is installed: said before anything is read or rendered
    target = output_path(request.output, root, cwd) if request.output is not None else None
    if target is not None:
        refuse(target)  # the file, or the folder of <all>: before anything is rendered
    return fmt, target


def document_outcome(
    page: str, fmt: str, target: Path | None, request: Request, warnings: Iterable[str] = ()
) -> Outcome:
    """One rendered HTML or Markdown page (made a PDF for pdf) to stdout, or to -o's file."""
    text: str | bytes = page
    if fmt == PDF:
        from ovk.render.pdf import html_to_pdf

        text = html_to_pdf(page)
    if target is None:
        assert isinstance(text, str)
        return Outcome(text, [], warnings=list(warnings))
    if target.is_dir():
        raise UsageError(
            f"<output> {request.output} is a folder; name a file (or use <all>)", "output", "all"
        )
    return Outcome(None, [write_atomic(target, text)], warnings=list(warnings))


def requested_years(root: Path, request: Request) -> tuple[int, ...]:
    """The years asked for (none: the latest); several only with <all>."""
    if request.all_years:
        if request.years or request.year is not None:
            raise UsageError("give <year> or <all-years>, not both", "year", "all-years")
        found = tuple(available_years(root))
        if not found:
            resolve_year(root, None)  # the usage error that names the missing folders
        years = found
    else:
        given = (*([request.year] if request.year is not None else []), *request.years)
        years = tuple(dict.fromkeys(resolve_year(root, y) for y in given))
    if request.all_years and not request.all:
        raise UsageError("<all-years> needs <all>", "all-years", "all")
    if len(years) > 1 and not request.all:
        raise UsageError("several years need <all> (one document is of one year)", "year", "all")
    return years


def site_formats(fmt: str | None) -> tuple[str, ...]:
    """The formats <all> writes for <format>: html by default, md and html for both, and for
    pdf the HTML site with a PDF beside each page."""
    chosen = fmt or "html"
    return {"both": FORMATS, PDF: ("html", PDF)}.get(chosen, (chosen,))


def check_folder(target: Path, request: Request) -> None:
    """<all> writes into a folder: a usage error when -o names a file."""
    if target.exists() and not target.is_dir():
        raise UsageError(
            f"<output> {request.output} is a file; <all> writes into a folder", "output", "all"
        )


def run_years(root: Path, request: Request, years: tuple[int, ...], target: Path | None) -> Outcome:
    """<all> for several years: each in its own folder under -o, and an index of them."""
    assert target is not None  # several years come only with <all>, which needs -o
    check_folder(target, request)
    sources = [load_source(root, year) for year in sorted(years)]
    return outcome(render_years(sources, site_formats(request.fmt), target, request.notes), target)


def outcome(published: Published, folder: Path) -> Outcome:
    return Outcome(None, published.written, published.removed, published.warnings, folder)
