"""The agreement's entities, defined once: every file kind, every object inside it.

Each entity is a frozen dataclass; each property says its Swedish title, an English
description, its JSON Schema constraints and how `ovk diff` treats it (see `ovk.model.spec`).
The JSON Schemas in `schema/` are generated from these classes (`python -m ovk.model.schema`),
and every command reads the data as these types (`ovk.model.build`), so `mypy --strict`
checks every field name a command uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from ovk.model.spec import Doc, Entity, model, prop, reachable

# The model's closed vocabularies and patterns live in ovk.model.vocabulary, which the layout
# imports without the entities; they are the model's words, so they are exported from here too.
from ovk.model.vocabulary import (
    ALL_DIVISIONS as ALL_DIVISIONS,
    ASSESSMENTS as ASSESSMENTS,
    ATTENTION as ATTENTION,
    COLUMN_KEY_PATTERN as COLUMN_KEY_PATTERN,
    DATE_PATTERN as DATE_PATTERN,
    DIVISION_CODE_PATTERN as DIVISION_CODE_PATTERN,
    DOCUMENT_KINDS,
    FOLLOWUP_OCCASIONS as FOLLOWUP_OCCASIONS,
    KOLADA_PATTERN as KOLADA_PATTERN,
    MUNICIPALITY_ID_PATTERN as MUNICIPALITY_ID_PATTERN,
    NUMBER_PATTERN as NUMBER_PATTERN,
    ORIGINS as ORIGINS,
    OWNER_PATTERN as OWNER_PATTERN,
    REPORT_STATES as REPORT_STATES,
    SLUG_PATTERN as SLUG_PATTERN,
    STATUSES as STATUSES,
)

# --- shared property shapes ---------------------------------------------------------------

Code = Annotated[str, Doc("Kod", "A division code.", {"pattern": DIVISION_CODE_PATTERN})]
Owner = Annotated[
    str,
    Doc(
        "Verksamhet",
        f"A division code, or '{ALL_DIVISIONS}' (expanded by the tool, never in the data).",
        {"pattern": OWNER_PATTERN},
    ),
]
Occasion = Annotated[
    str,
    Doc("Uppföljningstillfälle", "One follow-up occasion.", {"enum": list(FOLLOWUP_OCCASIONS)}),
]
Slug = Annotated[str, Doc("Id", "A stable identity.", {"pattern": SLUG_PATTERN})]


def note() -> str | None:
    return prop(  # type: ignore[no-any-return]
        "Anteckning",
        "A transcriber's note on an ambiguous reading of the source, for reviewers: "
        "rendered only with 'ovk render --notes' and on the notes page of '--all'.",
        default=None,
        diff="same-year",
    )


def number(*, required: bool = True) -> str | None:
    """The number as printed; where the source may print none, the key may also be absent."""
    title, description = (
        "Nummer",
        "The number as printed (e.g. '1.1.2' or '2.2.1.' with its trailing dot), or null.",
    )
    if required:
        return prop(title, description, pattern=NUMBER_PATTERN)  # type: ignore[no-any-return]
    return prop(  # type: ignore[no-any-return]
        title, description, default=None, pattern=NUMBER_PATTERN
    )


def year() -> int:
    return prop(  # type: ignore[no-any-return]
        "År",
        "The agreement year; must equal the name of the year folder.",
        minimum=2000,
        maximum=2100,
        diff="ignored",
    )


def followup() -> tuple[Occasion, ...]:
    return prop(  # type: ignore[no-any-return]
        "Uppföljning",
        "The follow-up occasions of the year: vår (spring), delår (interim), helår (annual).",
        uniqueItems=True,
        members=True,
    )


def optional_date(title: str, description: str) -> dt.date | None:
    """A date (YYYY-MM-DD) that may be null or left out."""
    return prop(title, description, default=None)  # type: ignore[no-any-return]


# --- text blocks ----------------------------------------------------------------------------

Paragraph = Annotated[str, Doc("Stycke", "One paragraph, as written.")]
Item = Annotated[str, Doc("Punkt", "The item's text.")]
Cell = Annotated[str, Doc("Cell", "A cell.")]
ColumnLabel = Annotated[str, Doc("Kolumn", "A column label.")]


@model("Lista", "A bulleted or numbered list.")
class ListBlock(Entity):
    DEF = "list_block"
    items: tuple[ListItem, ...] = prop("Listpunkter", "The items in order.", key="list")


ListItem = Annotated[
    Item | ListBlock, Doc("Listpunkt", "A list item as printed, or a nested list.")
]


@model("Underrubrik", "A sub-heading inside the text.")
class SubHeading(Entity):
    heading: str = prop("Rubrik", "The sub-heading as printed.")


@model("Tabellinnehåll", "Column labels and rows of cells.")
class TableContent(Entity):
    columns: tuple[ColumnLabel, ...] = prop("Kolumner", "The column labels.")
    rows: tuple[Annotated[tuple[Cell, ...], Doc("Rad", "One row's cells.")], ...] = prop(
        "Rader", "The rows of cells."
    )


@model("Tabell", "A small table of text cells.")
class TableBlock(Entity):
    table: TableContent = prop("Tabellinnehåll", "Column labels and rows of cells.")


Block = Annotated[
    Paragraph | ListBlock | SubHeading | TableBlock,
    Doc("Textblock", "A paragraph (a string), a list, a sub-heading or a table.", name="block"),
]
Blocks = Annotated[
    tuple[Block, ...],
    Doc(
        "Text",
        "Text as a list of blocks: paragraphs, lists, sub-headings and tables, in order.",
        name="blocks",
    ),
]


def blocks(title: str, description: str, *, required: bool = False) -> Blocks:
    if required:
        return prop(title, description)  # type: ignore[no-any-return]
    return prop(title, description, default=())  # type: ignore[no-any-return]


# --- malomraden.yaml ------------------------------------------------------------------------


@model("Fokus", "Heading and text.")
class Fokus(Entity):
    heading: str = prop("Rubrik", "E.g. 'I fokus mandatperioden 2022–2026'.")
    text: Blocks = blocks("Text", "The focus text.", required=True)
    note: str | None = note()


@model("Kolumn", "A value column of the table.")
class Column(Entity):
    IDENTITY = "key"  # what the rows' values name it by; people read its label
    key: str = prop(
        "Nyckel",
        "The key used in each row's values: totalt, kvinnor, man, jamforvarde, trend (2024) "
        "or a year such as '2026' (Utfall).",
        pattern=COLUMN_KEY_PATTERN,
    )
    label: str = prop("Etikett", "The column label as printed, e.g. 'Utfall 2026'.")


KoladaId = Annotated[
    str, Doc("Kolada-id", "A Kolada KPI id such as N00712.", {"pattern": KOLADA_PATTERN})
]


@model("Källa", "The indicator's source.")
class Source(Entity):
    text: str = prop("Text", "The source as printed, e.g. 'Kolada (U01405). Nuvärde avser 2022.'")
    kolada: tuple[KoladaId, ...] = prop(
        "Kolada", "The Kolada KPI ids named in the source.", members=True
    )


@model("Indikator", "One indicator (nyckeltal) row.")
class Indicator(Entity):
    KIND = "indicator"
    NOUN = "Indikator"
    id: str = prop(
        "Id",
        "Stable identity of the indicator within the year; never changes when retitled.",
        pattern=SLUG_PATTERN,
    )
    nr: str | None = prop("Nr", "The printed row number, or null.", default=None, diff="same-year")
    kategori: str | None = prop(
        "Kategori", "The group row it stands under, e.g. 'Kvalitet och resultat'.", default=None
    )
    title: str = prop("Titel", "The indicator's title as printed, unit included.", minLength=1)
    unit: str | None = prop(
        "Enhet", "The unit read from the title ('%', 'antal/100 000 inv', 'kr').", default=None
    )
    values: Mapping[str, str] = prop(
        "Värden",
        "Column key → the cell as printed ('20,0%', '-', 'Neg'); a column without a value in "
        "the source is left out.",
        propertyNames={"pattern": COLUMN_KEY_PATTERN},
    )
    source: Source | None = prop("Källa", "The indicator's source, or null.", default=None)
    note: str | None = note()


@model("Nyckeltalstabell", "An indicator table of a goal.")
class IndicatorTable(Entity):
    KIND = "table"
    NOUN = "Nyckeltalstabell"
    IDENTITY = None  # by position within its goal
    DEF = "table"
    heading: str | None = prop("Rubrik", "The table's title cell, or null.", default=None)
    ansvarig: str | None = prop(
        "Ansvarig", "Who follows the indicators up, as printed.", default=None
    )
    columns: tuple[Column, ...] = prop("Kolumner", "The value columns in order.", minItems=1)
    rows: tuple[Indicator, ...] = prop("Rader", "The indicators in order.", diff="children")
    sources_heading: str | None = prop("Källrubrik", "E.g. 'Källor:'.", default=None)
    footnotes: tuple[Annotated[str, Doc("Fotnot", "One footnote.")], ...] = prop(
        "Fotnoter", "Footnotes as printed.", default=()
    )
    note: str | None = note()


@model("Mål", "A goal (KF or KS) with its desired results and indicators.")
class Goal(Entity):
    KIND = "goal"
    NOUN = "Mål"
    DEF = "goal"
    id: str = prop(
        "Id",
        "Stable identity of the goal; never changes when renumbered or retitled.",
        pattern=SLUG_PATTERN,
    )
    number: str | None = number()
    level: str = prop(
        "Nivå", "KF: Kommunfullmäktiges mål; KS: Kommunstyrelsens mål.", enum=["KF", "KS"]
    )
    title: str = prop("Titel", "The goal as printed, without its suffix.", minLength=1)
    suffix: str | None = prop(
        "Ansvar", "The responsibility suffix as printed, e.g. '(KS, KFN)'.", default=None
    )
    text: Blocks = blocks("Text", "Any further text of the goal.")
    onskat_resultat_heading: str | None = prop(
        "Rubrik för önskat resultat", "As printed, e.g. 'Önskat resultat:'.", default=None
    )
    onskat_resultat: Blocks = blocks(
        "Önskat resultat", "The desired results, as printed.", required=True
    )
    nyckeltal: tuple[IndicatorTable, ...] = prop(
        "Nyckeltal", "The goal's indicator tables.", diff="children"
    )
    kompletterande_heading: str | None = prop(
        "Rubrik för kompletterande beskrivning",
        "E.g. 'Kompletterande beskrivning (KS)'.",
        default=None,
    )
    kompletterande: Blocks = blocks(
        "Kompletterande beskrivning", "Kommunstyrelsen's complementary text, verbatim."
    )
    delas_till: tuple[Owner, ...] = prop(
        "Delas till",
        "The divisions Kommunstyrelsen shares the goal to.",
        uniqueItems=True,
        members=True,
    )
    note: str | None = note()


@model("Grundverksamhet", "A GRUNDVERKSAMHET entry pointing at a division's grunduppdrag.")
class Grundverksamhet(Entity):
    KIND = "grundverksamhet"
    NOUN = "Grundverksamhet"
    DEF = "grundverksamhet"
    id: str = prop("Id", "Stable identity of the entry; never changes.", pattern=SLUG_PATTERN)
    number: str | None = number()
    title: str = prop(
        "Titel",
        "The title as printed, e.g. 'Grunduppdrag: Fokus nöjd kund'.",
        minLength=1,
    )
    suffix: str | None = prop(
        "Ansvar", "The responsibility suffix as printed, e.g. '(KS - KLK)'.", default=None
    )
    owners: tuple[Owner, ...] = prop(
        "Verksamheter", "The divisions the entry concerns.", uniqueItems=True, members=True
    )
    text: Blocks = blocks("Beskrivning", "The entry's text, verbatim.", required=True)
    followup: tuple[Occasion, ...] = followup()
    note: str | None = note()


@model("Målområde eller verksamhetsområde", "What målområden and their sub-areas share.")
class GoalArea(Entity):
    id: str = prop(
        "Id", "Stable identity of the målområde or verksamhetsområde.", pattern=SLUG_PATTERN
    )
    number: str | None = number(required=False)
    title: str = prop("Titel", "The title without the word 'Målområde' or 'Verksamhetsområde'.")
    fokus: Fokus | None = prop(
        "I fokus mandatperioden",
        "The political focus text of the term of office, or null.",
        default=None,
    )
    text: Blocks = blocks("Text", "Any introductory or further text.")
    goals: tuple[Goal, ...] = prop("Mål", "The goals standing directly under it.", diff="hoisted")
    grundverksamhet: tuple[Grundverksamhet, ...] = prop(
        "Grundverksamhet", "GRUNDVERKSAMHET entries.", default=(), diff="hoisted"
    )


@model("Verksamhetsområde", "A sub-area of a målområde.")
class Verksamhetsomrade(GoalArea):
    KIND = "verksamhetsomrade"
    NOUN = "Verksamhetsområde"
    note: str | None = note()


@model("Målområde", "A goal area.")
class Malomrade(GoalArea):
    KIND = "malomrade"
    NOUN = "Målområde"
    verksamhetsomraden: tuple[Verksamhetsomrade, ...] = prop(
        "Verksamhetsområden", "The sub-areas.", diff="children"
    )
    note: str | None = note()


@model(
    "Målområden och mål",
    "Goal areas, goals with desired results and indicators, and grundverksamhet.",
)
class Malomraden(Entity):
    KIND = "malomraden"
    NOUN = "Målområden och mål"
    IDENTITY = None
    year: int = year()
    heading: str | None = prop(
        "Rubrik", "The part's heading as printed, e.g. '2. Målområden och mål'.", default=None
    )
    text: Blocks = blocks("Text", "Any introductory text.")
    malomraden: tuple[Malomrade, ...] = prop(
        "Målområden", "The goal areas in order.", diff="children"
    )
    note: str | None = note()


# --- overenskommelse.yaml -------------------------------------------------------------------


@model("Uppföljningstillfälle", "The dates of one follow-up occasion of the year.")
class OccasionDates(Entity):
    KIND = "occasion"
    NOUN = "Uppföljningstillfälle"
    IDENTITY = None  # by its key, the occasion
    as_of: dt.date | None = optional_date(
        "Per datum",
        "The date the occasion's reports describe (YYYY-MM-DD), or null for ovk's default.",
    )
    deadline: dt.date | None = optional_date(
        "Sista dag för rapport",
        "The last day to hand in the occasion's reports (YYYY-MM-DD), or null: not set.",
    )


@model("Part", "One party.")
class Party(Entity):
    name: str = prop("Namn", "The party's name.")
    code: str | None = prop(
        "Kod", "The division code, or null for Kommunstyrelsen.", pattern=DIVISION_CODE_PATTERN
    )


@model("Kommun", "The municipality whose agreement it is.")
class Municipality(Entity):
    name: str = prop(
        "Namn",
        "The municipality's name as Kolada writes it, e.g. 'Nyköping'; rendered pages say "
        "'Nyköpings kommun'.",
        minLength=1,
    )
    kolada_id: str | None = prop(
        "Kolada-id",
        "The municipality's four-digit id in Kolada (SCB's kommunkod), e.g. '0480' Nyköping, "
        "'0000' the whole country; or null.",
        default=None,
        pattern=MUNICIPALITY_ID_PATTERN,
    )


@model("Verksamhet", "A division.")
class DivisionRef(Entity):
    code: str = prop("Kod", "The division code.", pattern=DIVISION_CODE_PATTERN)
    name: str = prop("Namn", "The division's name.")


@model("Avsnitt", "A general section of the agreement.")
class Section(Entity):
    KIND = "section"
    NOUN = "Avsnitt"
    DEF = "section"
    id: str = prop("Id", "Stable identity of the section.", pattern=SLUG_PATTERN)
    number: str | None = number(required=False)
    heading: str | None = prop(
        "Rubrik", "The heading as printed, suffix included; null for untitled opening text."
    )
    text: Blocks = blocks("Text", "The section's text.", required=True)
    sections: tuple[Section, ...] = prop(
        "Underavsnitt", "Sub-sections.", default=(), diff="children"
    )
    note: str | None = note()


@model(
    "Överenskommelse om verksamhet",
    "The year's agreement: parties, divisions and general sections.",
)
class Agreement(Entity):
    KIND = "agreement"
    NOUN = "Överenskommelsen"
    IDENTITY = None
    year: int = year()
    municipality: Municipality | None = prop(
        "Kommun",
        "The municipality whose agreement it is: its name and Kolada id; rendered pages name "
        "it. Null or left out: the pages name none.",
        default=None,
    )
    title: str = prop("Titel", "The document title as printed.", minLength=1)
    diarienummer: str | None = prop(
        "Diarienummer", "The case number, e.g. 'KK25/566'.", default=None
    )
    parties: tuple[Party, ...] = prop("Parter", "The parties to the agreement.")
    divisions: tuple[DivisionRef, ...] = prop(
        "Verksamheter",
        "Every division that year; 'alla verksamheter' expands to these. A new repository "
        "starts with none ('ovk new division' adds them).",
    )
    sections: tuple[Section, ...] = prop(
        "Avsnitt", "The general sections in order.", diff="children"
    )
    uppfoljning: Mapping[str, OccasionDates] = prop(
        "Uppföljningstillfällen",
        "Per follow-up occasion (vår, delår, helår) the date its reports describe and their "
        "deadline; an occasion left out has ovk's defaults (docs/followup.md).",
        default={},
        diff="children",
        propertyNames={"enum": list(FOLLOWUP_OCCASIONS)},
    )
    note: str | None = note()

    @property
    def codes(self) -> tuple[str, ...]:
        """The year's division codes, in the order the agreement lists them."""
        return tuple(d.code for d in self.divisions)

    @property
    def names(self) -> dict[str, str]:
        """Division code → name."""
        return {d.code: d.name for d in self.divisions}


# --- divisions/<CODE>.yaml ------------------------------------------------------------------


@model("Område", "A process or responsibility of a section (the source's left column).")
class Area(Entity):
    KIND = "area"
    NOUN = "Område"
    id: str = prop("Id", "Stable identity of the area within the division.", pattern=SLUG_PATTERN)
    heading: str = prop("Rubrik", "The area's heading as printed.")
    text: Blocks = blocks("Text", "The area's responsibilities.", required=True)
    uppfoljning: Blocks = blocks("Uppföljning", "The area's 'Uppföljning' text.")
    note: str | None = note()


@model("Avsnitt", "A part of the grunduppdrag: 'Allmänt' or a department (avdelning).")
class GrunduppdragSection(Entity):
    KIND = "grunduppdrag"
    NOUN = "Grunduppdrag"
    id: str = prop(
        "Id", "Stable identity of the section within the division.", pattern=SLUG_PATTERN
    )
    number: str | None = number(required=False)
    heading: str = prop("Rubrik", "The heading as printed, without its number.")
    text: Blocks = blocks("Text", "Introductory text.", required=True)
    areas: tuple[Area, ...] = prop("Områden", "The section's areas.", diff="children")
    uppfoljning: Blocks = blocks("Uppföljning", "An 'Uppföljning' text for the whole section.")
    note: str | None = note()


@model("Grunduppdrag", "The division's standing mission.")
class Grunduppdrag(Entity):
    number: str | None = number(required=False)
    title: str = prop("Titel", "The annex title as printed.")
    sections: tuple[GrunduppdragSection, ...] = prop(
        "Avsnitt", "'Allmänt' and the departments in order.", minItems=1, diff="children"
    )
    note: str | None = note()


@model("Rad", "A table row.")
class ErsattningRow(Entity):
    KIND = "ersattning-row"
    NOUN = "Ersättning"
    IDENTITY = "verksamhet"
    verksamhet: str = prop("Verksamhet", "The row's label as printed.")
    belopp: float = prop("Belopp", "Amount in the table's unit (mnkr).", amount=True)


@model("Summa", "The total row.")
class Total(Entity):
    label: str = prop("Etikett", "E.g. 'Summa gemensamt'.")
    belopp: float = prop("Belopp", "Amount in the table's unit (mnkr).", amount=True)


@model("Ersättning", "Compensation from Kommunstyrelsen to the division.")
class Ersattning(Entity):
    KIND = "ersattning"
    NOUN = "Ersättning"
    IDENTITY = None
    heading: str = prop("Rubrik", "The heading or table caption as printed.")
    text: Blocks = blocks("Text", "Text around the table.")
    unit: str = prop("Enhet", "The unit of the amounts.", enum=["mnkr", "tkr", "kr"])
    missing_in_source: bool = prop(
        "Saknas i underlaget",
        "True when the source lacks the table (it was an image); then rows is empty.",
        diff="same-year",
    )
    rows: tuple[ErsattningRow, ...] = prop("Rader", "One row per verksamhet.", diff="children")
    total: Total | None = prop("Summa", "The stated total, or null.", default=None)
    note: str | None = note()


@model("Samråd", "Heading and text.")
class Samrad(Entity):
    KIND = "samrad"
    NOUN = "Samråd om investeringar"
    IDENTITY = None
    heading: str = prop("Rubrik", "The heading as printed.")
    text: Blocks = blocks("Text", "The samråd text.", required=True)


@model("Verksamhet", "A division's grunduppdrag, ersättning and samråd.")
class Division(Entity):
    KIND = "division"
    NOUN = "Verksamhet"
    IDENTITY = "code"
    year: int = year()
    code: str = prop(
        "Kod", "The division code; equals the file name.", pattern=DIVISION_CODE_PATTERN
    )
    name: str = prop("Namn", "The division's name.")
    grunduppdrag: Grunduppdrag = prop("Grunduppdrag", "The division's standing mission.")
    ersattning: Ersattning | None = prop(
        "Ersättning",
        "The compensation, or null when the agreement has none.",
        default=None,
        diff="children",
    )
    samrad: Samrad | None = prop(
        "Samråd om investeringar", "The samråd text, or null.", default=None, diff="children"
    )
    note: str | None = note()


# --- uppdrag/<id>.yaml ----------------------------------------------------------------------


@model("Särskilt uppdrag", "One special assignment; the file name is its id.")
class Uppdrag(Entity):
    KIND = "uppdrag"
    NOUN = "Uppdrag"
    id: str = prop(
        "Id", "Stable identity; equals the file name and never changes.", pattern=SLUG_PATTERN
    )
    year: int = year()
    number: str | None = number()
    title: str = prop("Titel", "The title as printed, without its suffix.", minLength=1)
    suffix: str | None = prop(
        "Ansvar", "The responsibility suffix as printed, e.g. '(KS - SHB)'.", default=None
    )
    origin: str = prop(
        "Ursprung",
        "KF (Kommunfullmäktige) or KS (Kommunstyrelsen, 'NÄMND').",
        enum=list(ORIGINS),
    )
    malomrade: str | None = prop(
        "Målområde", "Id of the målområde it stands under.", default=None, pattern=SLUG_PATTERN
    )
    verksamhetsomrade: str | None = prop(
        "Verksamhetsområde", "Id of the verksamhetsområde.", default=None, pattern=SLUG_PATTERN
    )
    text: Blocks = blocks("Beskrivning", "The description, verbatim.", required=True)
    kompletterande_heading: str | None = prop(
        "Rubrik för kompletterande beskrivning",
        "E.g. 'Kompletterande beskrivning (KS)'.",
        default=None,
    )
    kompletterande: Blocks = blocks("Kompletterande beskrivning", "Complementary text, verbatim.")
    owners: tuple[Owner, ...] = prop(
        "Mottagare", "The divisions given the uppdrag.", uniqueItems=True, members=True
    )
    lead: str | None = prop(
        "Huvudansvarig",
        "The lead (huvudansvarig, sammanhållande) division, or null.",
        pattern=DIVISION_CODE_PATTERN,
    )
    mottagare: str | None = prop(
        "Mottagare (text)", "The 'Mottagare' cell as printed (2024).", default=None
    )
    financing: str | None = prop("Finansiering", "As printed, e.g. 'Inom ram'.", default=None)
    rapportering: str | None = prop(
        "Rapportering", "The 'Rapportering' cell as printed, e.g. 'V+D+H'.", default=None
    )
    start: dt.date | None = prop("Startdatum", "Start date (YYYY-MM-DD), or null.")
    due: dt.date | None = prop("Slutdatum", "Due date (YYYY-MM-DD), or null.")
    followup: tuple[Occasion, ...] = followup()
    note: str | None = note()


# --- uppfoljning/<occasion>/<CODE>.yaml -----------------------------------------------------


def _reported(title: str, description: str, **schema: Any) -> str | None:
    return prop(title, description, default=None, **schema)  # type: ignore[no-any-return]


def _one_of(title: str, words: tuple[str, ...], description: str) -> str | None:
    """A word of a closed list, or null: not yet filled in."""
    return _reported(
        title,
        f"One of the closed list, or null (not yet filled in){description}",
        enum=[*words, None],
    )


@model("Uppdragsstatus", "What a division reports on one särskilt uppdrag at an occasion.")
class UppdragReport(Entity):
    KIND = "uppdrag-status"
    NOUN = "Status för uppdrag"
    IDENTITY = None  # by its key, the uppdrag id
    status: str | None = _one_of(
        "Status", STATUSES, "; 'försenat' is never written: ovk derives it from the dates."
    )
    comment: str | None = _reported(
        "Kommentar",
        "Why and what next; required for 'pågår med avvikelse', 'avbrutet', 'vilande', a late "
        "uppdrag and a status that goes back from 'klart'.",
    )
    new_due: dt.date | None = optional_date(
        "Nytt slutdatum",
        "A new due date (YYYY-MM-DD) after the uppdrag's own, when it slips; or null.",
    )
    done_on: dt.date | None = optional_date(
        "Klart datum",
        "The date it was done (YYYY-MM-DD), not after as_of; required for 'klart'.",
    )


@model("Målbedömning", "What a division reports on one goal at an occasion.")
class GoalReport(Entity):
    KIND = "goal-assessment"
    NOUN = "Bedömning av mål"
    IDENTITY = None  # by its key, the goal id
    assessment: str | None = _one_of(
        "Bedömning", ASSESSMENTS, "; at vår and delår the forecast for the year."
    )
    analysis: str | None = _reported(
        "Analys", "The analysis behind it; required for every assessment but 'uppfyllt'."
    )


@model("Indikatorutfall", "What a division reports on one indicator at an occasion.")
class IndicatorReport(Entity):
    KIND = "indicator-outcome"
    NOUN = "Utfall för indikator"
    IDENTITY = None  # by its key, the indicator id
    value: float | None = prop(
        "Utfall", "The outcome, a finite number, or null (not yet known).", default=None
    )
    period: int | None = prop(
        "Period",
        "The year the outcome refers to, or null.",
        default=None,
        minimum=2000,
        maximum=2100,
    )
    comment: str | None = _reported("Kommentar", "A comment on the outcome, or null.")
    kolada: KoladaId | None = prop(
        "Kolada",
        "The Kolada KPI whose value and period 'ovk followup new' took from the year's "
        "Kolada snapshot (kolada.json): its value for all (T) in the latest period up to the "
        "agreement's year. Rendered with 'Källa: Kolada'. Null when a person typed the "
        "outcome; set it to null when replacing a value taken from Kolada.",
        default=None,
    )


@model(
    "Uppföljning",
    "A division's follow-up report at one occasion of the year: per uppdrag a status, per "
    "goal an assessment, per indicator an outcome.",
)
class FollowupReport(Entity):
    KIND = "uppfoljning"
    NOUN = "Uppföljning"
    IDENTITY = "place"  # the occasion folder and the division's file name
    year: int = year()
    occasion: Occasion = prop(
        "Uppföljningstillfälle",
        "vår, delår or helår; equals the folder (var, delar, helar).",
        diff="ignored",
    )
    division: str = prop(
        "Verksamhet",
        "The reporting division's code; equals the file name.",
        pattern=DIVISION_CODE_PATTERN,
        diff="ignored",
    )
    as_of: dt.date = prop("Per datum", "The date the report describes (YYYY-MM-DD).")
    state: str = prop(
        "Läge",
        "utkast (draft), inlämnad (handed in) or godkänd (approved: every item filled in).",
        enum=list(REPORT_STATES),
    )
    reported_by: str | None = _reported("Rapporterad av", "Who reports, as text, or null.")
    uppdrag: Mapping[str, UppdragReport] = prop(
        "Särskilda uppdrag",
        "Uppdrag id → its status at this occasion.",
        diff="children",
        propertyNames={"pattern": SLUG_PATTERN},
    )
    goals: Mapping[str, GoalReport] = prop(
        "Mål",
        "Goal id → its assessment at this occasion.",
        diff="children",
        propertyNames={"pattern": SLUG_PATTERN},
    )
    indicators: Mapping[str, IndicatorReport] = prop(
        "Indikatorer",
        "Indicator id → its outcome at this occasion.",
        diff="children",
        propertyNames={"pattern": SLUG_PATTERN},
    )
    note: str | None = _reported("Anteckning", "A note on the report as a whole, or null.")

    @property
    def place(self) -> str:
        """What identifies the report in its year: 'delår KLK'."""
        return f"{self.occasion} {self.division}"


# The agreement section whose text is every division's samråd when its own file has none.
SAMRAD_SECTION = "samrad-om-investeringar"


def ended_before(due: dt.date | None, year: int) -> bool:
    """An uppdrag due before `year` starts has ended by then: `ovk new year` leaves it
    behind, and `ovk diff` calls it avslutat when the new year has it no more."""
    return due is not None and due < dt.date(year, 1, 1)


# The file kinds: kind → (root entity, schema file name), in the order they are documented.
DOCUMENTS: dict[str, type[Entity]] = {
    "overenskommelse": Agreement,
    "malomraden": Malomraden,
    "division": Division,
    "uppdrag": Uppdrag,
    "uppfoljning": FollowupReport,
}
assert tuple(DOCUMENTS) == DOCUMENT_KINDS  # the layout knows the kinds by these names
Document = Agreement | Malomraden | Division | Uppdrag | FollowupReport

# Every entity kind (what diff and findings call it) → its class.
KINDS: dict[str, type[Entity]] = {
    cls.KIND: cls for cls in reachable(DOCUMENTS.values()) if cls.KIND
}
