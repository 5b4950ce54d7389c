"""The JSON Schemas (draft 2020-12) of the four agreement file kinds, built in one place.

The schemas are generated from this module into `schema/` (the repository's editable copies)
and `ovk/data/schema/` (the copies shipped in the wheel); a test keeps both in sync.  Each
schema is self-contained (internal `$defs` only) so any standard validator can use it offline,
given just the file named in an agreement file's modeline.

Regenerate with `python -m ovk.model.schema`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Schema = dict[str, Any]

SCHEMA_BASE_URI = "https://ovk.nykoping.example/schema/"
# A division code's form; which codes a year has is the data's (overenskommelse.yaml divisions).
DIVISION_CODE_PATTERN = r"^[A-ZÅÄÖ][A-ZÅÄÖ0-9]{1,9}$"
ALL_DIVISIONS = "alla verksamheter"
FOLLOWUP_OCCASIONS = ("vår", "delår", "helår")
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
NUMBER_PATTERN = r"^[0-9]+(\.[0-9]+)*\.?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
KOLADA_PATTERN = r"^[A-Z][0-9]{5}$"

# The file kinds, in the order they are documented; the value is the schema file name.
KINDS = {
    "overenskommelse": "overenskommelse.schema.json",
    "malomraden": "malomraden.schema.json",
    "division": "division.schema.json",
    "uppdrag": "uppdrag.schema.json",
}


def field(title: str, description: str, **schema: Any) -> Schema:
    """A property schema with the title and description every field carries."""
    return {"title": title, "description": description, **schema}


def nullable(title: str, description: str, **schema: Any) -> Schema:
    """A property whose value may also be null (the source has none)."""
    kind = schema.pop("type")
    return field(title, description, type=[kind, "null"], **schema)


def obj(title: str, description: str, properties: dict[str, Schema], required: list[str]) -> Schema:
    """A closed object: unknown keys are schema findings (typos never pass silently)."""
    return field(
        title,
        description,
        type="object",
        properties=properties,
        required=required,
        additionalProperties=False,
    )


def ref(name: str, title: str, description: str) -> Schema:
    return field(title, description, **{"$ref": f"#/$defs/{name}"})


def array_of(title: str, description: str, items: Schema, **extra: Any) -> Schema:
    return field(title, description, type="array", items=items, **extra)


def blocks(title: str, description: str) -> Schema:
    return ref("blocks", title, description)


def note() -> Schema:
    return nullable(
        "Anteckning",
        "A transcriber's note on an ambiguous reading of the source; shown discreetly "
        "when rendered.",
        type="string",
    )


def slug(title: str, description: str) -> Schema:
    return field(title, description, type="string", pattern=SLUG_PATTERN)


def number() -> Schema:
    return nullable(
        "Nummer",
        "The number as printed (e.g. '1.1.2' or '2.2.1.' with its trailing dot), or null.",
        type="string",
        pattern=NUMBER_PATTERN,
    )


def year() -> Schema:
    return field(
        "År",
        "The agreement year; must equal the name of the year folder.",
        type="integer",
        minimum=2000,
        maximum=2100,
    )


def date(title: str, description: str) -> Schema:
    return nullable(title, description, type="string", format="date", pattern=DATE_PATTERN)


def division_code(title: str, description: str) -> Schema:
    return field(title, description, type="string", pattern=DIVISION_CODE_PATTERN)


def owner_list(title: str, description: str) -> Schema:
    return array_of(
        title,
        description,
        field(
            "Verksamhet",
            f"A division code, or '{ALL_DIVISIONS}' (expanded by the tool, never in the data).",
            type="string",
            anyOf=[{"pattern": DIVISION_CODE_PATTERN}, {"const": ALL_DIVISIONS}],
        ),
        uniqueItems=True,
    )


def followup() -> Schema:
    return array_of(
        "Uppföljning",
        "The follow-up occasions of the year: vår (spring), delår (interim), helår (annual).",
        field(
            "Uppföljningstillfälle",
            "One follow-up occasion.",
            type="string",
            enum=list(FOLLOWUP_OCCASIONS),
        ),
        uniqueItems=True,
    )


def text_defs() -> dict[str, Schema]:
    """`$defs` for text blocks: paragraphs, lists (nestable), sub-headings and small tables."""
    list_item = field(
        "Listpunkt",
        "A list item as printed, or a nested list.",
        anyOf=[
            field("Punkt", "The item's text.", type="string"),
            {"$ref": "#/$defs/list_block"},
        ],
    )
    return {
        "blocks": array_of(
            "Text",
            "Text as a list of blocks: paragraphs, lists, sub-headings and tables, in order.",
            {"$ref": "#/$defs/block"},
        ),
        "block": field(
            "Textblock",
            "A paragraph (a string), a list, a sub-heading or a table.",
            anyOf=[
                field("Stycke", "One paragraph, as written.", type="string"),
                {"$ref": "#/$defs/list_block"},
                obj(
                    "Underrubrik",
                    "A sub-heading inside the text.",
                    {"heading": field("Rubrik", "The sub-heading as printed.", type="string")},
                    ["heading"],
                ),
                obj(
                    "Tabell",
                    "A small table of text cells.",
                    {
                        "table": obj(
                            "Tabellinnehåll",
                            "Column labels and rows of cells.",
                            {
                                "columns": array_of(
                                    "Kolumner",
                                    "The column labels.",
                                    field("Kolumn", "A column label.", type="string"),
                                ),
                                "rows": array_of(
                                    "Rader",
                                    "The rows of cells.",
                                    array_of(
                                        "Rad",
                                        "One row's cells.",
                                        field("Cell", "A cell.", type="string"),
                                    ),
                                ),
                            },
                            ["columns", "rows"],
                        ),
                    },
                    ["table"],
                ),
            ],
        ),
        "list_block": obj(
            "Lista",
            "A bulleted or numbered list.",
            {
                "list": array_of("Listpunkter", "The items in order.", list_item),
            },
            ["list"],
        ),
    }


def fokus() -> Schema:
    return field(
        "I fokus mandatperioden",
        "The political focus text of the term of office, or null.",
        anyOf=[
            {"type": "null"},
            obj(
                "Fokus",
                "Heading and text.",
                {
                    "heading": field(
                        "Rubrik", "E.g. 'I fokus mandatperioden 2022–2026'.", type="string"
                    ),
                    "text": blocks("Text", "The focus text."),
                    "note": note(),
                },
                ["heading", "text"],
            ),
        ],
    )


def grundverksamhet() -> Schema:
    return obj(
        "Grundverksamhet",
        "A GRUNDVERKSAMHET entry pointing at a division's grunduppdrag.",
        {
            "id": slug("Id", "Stable identity of the entry; never changes."),
            "number": number(),
            "title": field(
                "Titel",
                "The title as printed, e.g. 'Grunduppdrag: Fokus nöjd kund'.",
                type="string",
                minLength=1,
            ),
            "suffix": nullable(
                "Ansvar", "The responsibility suffix as printed, e.g. '(KS - KLK)'.", type="string"
            ),
            "owners": owner_list("Verksamheter", "The divisions the entry concerns."),
            "text": blocks("Beskrivning", "The entry's text, verbatim."),
            "followup": followup(),
            "note": note(),
        },
        ["id", "number", "title", "owners", "text", "followup"],
    )


def indicator_table() -> Schema:
    column = obj(
        "Kolumn",
        "A value column of the table.",
        {
            "key": field(
                "Nyckel",
                "The key used in each row's values: totalt, kvinnor, man, "
                "jamforvarde, trend (2024) or a year such as '2026' (Utfall).",
                type="string",
                pattern=r"^(totalt|kvinnor|man|jamforvarde|trend|[0-9]{4})$",
            ),
            "label": field(
                "Etikett", "The column label as printed, e.g. 'Utfall 2026'.", type="string"
            ),
        },
        ["key", "label"],
    )
    source = obj(
        "Källa",
        "The indicator's source.",
        {
            "text": field(
                "Text",
                "The source as printed, e.g. 'Kolada (U01405). Nuvärde avser 2022.'",
                type="string",
            ),
            "kolada": array_of(
                "Kolada",
                "The Kolada KPI ids named in the source.",
                field(
                    "Kolada-id",
                    "A Kolada KPI id such as N00712.",
                    type="string",
                    pattern=KOLADA_PATTERN,
                ),
            ),
        },
        ["text", "kolada"],
    )
    row = obj(
        "Indikator",
        "One indicator (nyckeltal) row.",
        {
            "nr": nullable("Nr", "The printed row number, or null.", type="string"),
            "kategori": nullable(
                "Kategori",
                "The group row it stands under, e.g. 'Kvalitet och resultat'.",
                type="string",
            ),
            "title": field(
                "Titel",
                "The indicator's title as printed, unit included.",
                type="string",
                minLength=1,
            ),
            "unit": nullable(
                "Enhet",
                "The unit read from the title ('%', 'antal/100 000 inv', 'kr').",
                type="string",
            ),
            "values": field(
                "Värden",
                "Column key → the cell as printed ('20,0%', '-', 'Neg'); a "
                "column without a value in the source is left out.",
                type="object",
                propertyNames={"pattern": r"^(totalt|kvinnor|man|jamforvarde|trend|[0-9]{4})$"},
                additionalProperties={"type": "string"},
            ),
            "source": field(
                "Källa", "The indicator's source, or null.", anyOf=[{"type": "null"}, source]
            ),
            "note": note(),
        },
        ["title", "values"],
    )
    return obj(
        "Nyckeltalstabell",
        "An indicator table of a goal.",
        {
            "heading": nullable("Rubrik", "The table's title cell, or null.", type="string"),
            "ansvarig": nullable(
                "Ansvarig", "Who follows the indicators up, as printed.", type="string"
            ),
            "columns": array_of("Kolumner", "The value columns in order.", column, minItems=1),
            "rows": array_of("Rader", "The indicators in order.", row),
            "sources_heading": nullable("Källrubrik", "E.g. 'Källor:'.", type="string"),
            "footnotes": array_of(
                "Fotnoter", "Footnotes as printed.", field("Fotnot", "One footnote.", type="string")
            ),
            "note": note(),
        },
        ["columns", "rows"],
    )


def goal() -> Schema:
    return obj(
        "Mål",
        "A goal (KF or KS) with its desired results and indicators.",
        {
            "id": slug(
                "Id", "Stable identity of the goal; never changes when renumbered or retitled."
            ),
            "number": number(),
            "level": field(
                "Nivå",
                "KF: Kommunfullmäktiges mål; KS: Kommunstyrelsens mål.",
                type="string",
                enum=["KF", "KS"],
            ),
            "title": field(
                "Titel", "The goal as printed, without its suffix.", type="string", minLength=1
            ),
            "suffix": nullable(
                "Ansvar", "The responsibility suffix as printed, e.g. '(KS, KFN)'.", type="string"
            ),
            "text": blocks("Text", "Any further text of the goal."),
            "onskat_resultat_heading": nullable(
                "Rubrik önskat resultat", "As printed, e.g. 'Önskat resultat:'.", type="string"
            ),
            "onskat_resultat": blocks("Önskat resultat", "The desired results, as printed."),
            "nyckeltal": array_of(
                "Nyckeltal", "The goal's indicator tables.", {"$ref": "#/$defs/table"}
            ),
            "kompletterande_heading": nullable(
                "Rubrik kompletterande", "E.g. 'Kompletterande beskrivning (KS)'.", type="string"
            ),
            "kompletterande": blocks(
                "Kompletterande beskrivning", "Kommunstyrelsen's complementary text, verbatim."
            ),
            "delas_till": owner_list(
                "Delas till", "The divisions Kommunstyrelsen shares the goal to."
            ),
            "note": note(),
        },
        ["id", "number", "level", "title", "onskat_resultat", "nyckeltal", "delas_till"],
    )


def goal_area_properties(word: str, text: str, goals: str) -> dict[str, Schema]:
    """What målområden and verksamhetsområden share: identity, focus, goals, grundverksamhet."""
    return {
        "id": slug("Id", f"Stable identity of the {word.lower()}."),
        "number": number(),
        "title": field("Titel", f"The title without the word '{word}'.", type="string"),
        "fokus": fokus(),
        "text": blocks("Text", text),
        "goals": array_of("Mål", goals, {"$ref": "#/$defs/goal"}),
        "grundverksamhet": array_of(
            "Grundverksamhet", "GRUNDVERKSAMHET entries.", {"$ref": "#/$defs/grundverksamhet"}
        ),
    }


def malomraden_schema() -> Schema:
    verksamhetsomrade = obj(
        "Verksamhetsområde",
        "A sub-area of a målområde.",
        {
            **goal_area_properties(
                "Verksamhetsområde", "Any further text.", "The goals of the verksamhetsområde."
            ),
            "note": note(),
        },
        ["id", "title", "goals"],
    )
    malomrade = obj(
        "Målområde",
        "A goal area.",
        {
            **goal_area_properties(
                "Målområde", "Any introductory text.", "Goals directly under the målområde."
            ),
            "verksamhetsomraden": array_of(
                "Verksamhetsområden", "The sub-areas.", verksamhetsomrade
            ),
            "note": note(),
        },
        ["id", "title", "goals", "verksamhetsomraden"],
    )
    return document(
        "malomraden",
        "Målområden och mål",
        "Goal areas, goals with desired results and indicators, and grundverksamhet.",
        {
            "year": year(),
            "heading": nullable(
                "Rubrik",
                "The part's heading as printed, e.g. '2. Målområden och mål'.",
                type="string",
            ),
            "text": blocks("Text", "Any introductory text."),
            "malomraden": array_of("Målområden", "The goal areas in order.", malomrade),
            "note": note(),
        },
        ["year", "malomraden"],
        {"goal": goal(), "table": indicator_table(), "grundverksamhet": grundverksamhet()},
    )


def overenskommelse_schema() -> Schema:
    section = obj(
        "Avsnitt",
        "A general section of the agreement.",
        {
            "id": slug("Id", "Stable identity of the section."),
            "number": number(),
            "heading": nullable(
                "Rubrik",
                "The heading as printed, suffix included; null for untitled opening text.",
                type="string",
            ),
            "text": blocks("Text", "The section's text."),
            "sections": array_of("Underavsnitt", "Sub-sections.", {"$ref": "#/$defs/section"}),
            "note": note(),
        },
        ["id", "heading", "text"],
    )
    return document(
        "overenskommelse",
        "Överenskommelse om verksamhet",
        "The year's agreement: parties, divisions and general sections.",
        {
            "year": year(),
            "title": field("Titel", "The document title as printed.", type="string", minLength=1),
            "diarienummer": nullable(
                "Diarienummer", "The case number, e.g. 'KK25/566'.", type="string"
            ),
            "parties": array_of(
                "Parter",
                "The parties to the agreement.",
                obj(
                    "Part",
                    "One party.",
                    {
                        "name": field("Namn", "The party's name.", type="string"),
                        "code": nullable(
                            "Kod",
                            "The division code, or null for Kommunstyrelsen.",
                            type="string",
                            pattern=DIVISION_CODE_PATTERN,
                        ),
                    },
                    ["name", "code"],
                ),
            ),
            "divisions": array_of(
                "Verksamheter",
                "Every division that year; 'alla verksamheter' expands to these.",
                obj(
                    "Verksamhet",
                    "A division.",
                    {
                        "code": division_code("Kod", "The division code."),
                        "name": field("Namn", "The division's name.", type="string"),
                    },
                    ["code", "name"],
                ),
                minItems=1,
            ),
            "sections": array_of(
                "Avsnitt", "The general sections in order.", {"$ref": "#/$defs/section"}
            ),
            "note": note(),
        },
        ["year", "title", "parties", "divisions", "sections"],
        {"section": section},
    )


def division_schema() -> Schema:
    area = obj(
        "Område",
        "A process or responsibility of a section (the source's left column).",
        {
            "id": slug("Id", "Stable identity of the area within the division."),
            "heading": field("Rubrik", "The area's heading as printed.", type="string"),
            "text": blocks("Text", "The area's responsibilities."),
            "uppfoljning": blocks("Uppföljning", "The area's 'Uppföljning' text."),
            "note": note(),
        },
        ["id", "heading", "text"],
    )
    section = obj(
        "Avsnitt",
        "A part of the grunduppdrag: 'Allmänt' or a department (avdelning).",
        {
            "id": slug("Id", "Stable identity of the section within the division."),
            "number": number(),
            "heading": field(
                "Rubrik", "The heading as printed, without its number.", type="string"
            ),
            "text": blocks("Text", "Introductory text."),
            "areas": array_of("Områden", "The section's areas.", area),
            "uppfoljning": blocks("Uppföljning", "An 'Uppföljning' text for the whole section."),
            "note": note(),
        },
        ["id", "heading", "text", "areas"],
    )
    amount = field("Belopp", "Amount in the table's unit (mnkr).", type="number")
    ersattning = obj(
        "Ersättning",
        "Compensation from Kommunstyrelsen to the division.",
        {
            "heading": field("Rubrik", "The heading or table caption as printed.", type="string"),
            "text": blocks("Text", "Text around the table."),
            "unit": field(
                "Enhet", "The unit of the amounts.", type="string", enum=["mnkr", "tkr", "kr"]
            ),
            "missing_in_source": field(
                "Saknas i underlaget",
                "True when the source lacks the table (it was an image); then rows is empty.",
                type="boolean",
            ),
            "rows": array_of(
                "Rader",
                "One row per verksamhet.",
                obj(
                    "Rad",
                    "A table row.",
                    {
                        "verksamhet": field(
                            "Verksamhet", "The row's label as printed.", type="string"
                        ),
                        "belopp": amount,
                    },
                    ["verksamhet", "belopp"],
                ),
            ),
            "total": field(
                "Summa",
                "The stated total, or null.",
                anyOf=[
                    {"type": "null"},
                    obj(
                        "Summa",
                        "The total row.",
                        {
                            "label": field("Etikett", "E.g. 'Summa gemensamt'.", type="string"),
                            "belopp": amount,
                        },
                        ["label", "belopp"],
                    ),
                ],
            ),
            "note": note(),
        },
        ["heading", "unit", "missing_in_source", "rows"],
    )
    return document(
        "division",
        "Verksamhet",
        "A division's grunduppdrag, ersättning and samråd.",
        {
            "year": year(),
            "code": division_code("Kod", "The division code; equals the file name."),
            "name": field("Namn", "The division's name.", type="string"),
            "grunduppdrag": obj(
                "Grunduppdrag",
                "The division's standing mission.",
                {
                    "number": number(),
                    "title": field("Titel", "The annex title as printed.", type="string"),
                    "sections": array_of(
                        "Avsnitt", "'Allmänt' and the departments in order.", section, minItems=1
                    ),
                    "note": note(),
                },
                ["title", "sections"],
            ),
            "ersattning": field(
                "Ersättning",
                "The compensation, or null when the agreement has none.",
                anyOf=[{"type": "null"}, ersattning],
            ),
            "samrad": field(
                "Samråd om investeringar",
                "The samråd text, or null.",
                anyOf=[
                    {"type": "null"},
                    obj(
                        "Samråd",
                        "Heading and text.",
                        {
                            "heading": field("Rubrik", "The heading as printed.", type="string"),
                            "text": blocks("Text", "The samråd text."),
                        },
                        ["heading", "text"],
                    ),
                ],
            ),
            "note": note(),
        },
        ["year", "code", "name", "grunduppdrag"],
        {},
    )


def uppdrag_schema() -> Schema:
    return document(
        "uppdrag",
        "Särskilt uppdrag",
        "One special assignment; the file name is its id.",
        {
            "id": slug("Id", "Stable identity; equals the file name and never changes."),
            "year": year(),
            "number": number(),
            "title": field(
                "Titel", "The title as printed, without its suffix.", type="string", minLength=1
            ),
            "suffix": nullable(
                "Ansvar", "The responsibility suffix as printed, e.g. '(KS - SHB)'.", type="string"
            ),
            "origin": field(
                "Ursprung",
                "KF (Kommunfullmäktige) or KS (Kommunstyrelsen, 'NÄMND').",
                type="string",
                enum=["KF", "KS"],
            ),
            "malomrade": nullable(
                "Målområde",
                "Id of the målområde it stands under.",
                type="string",
                pattern=SLUG_PATTERN,
            ),
            "verksamhetsomrade": nullable(
                "Verksamhetsområde",
                "Id of the verksamhetsområde.",
                type="string",
                pattern=SLUG_PATTERN,
            ),
            "text": blocks("Beskrivning", "The description, verbatim."),
            "kompletterande_heading": nullable(
                "Rubrik kompletterande", "E.g. 'Kompletterande beskrivning (KS)'.", type="string"
            ),
            "kompletterande": blocks("Kompletterande beskrivning", "Complementary text, verbatim."),
            "owners": owner_list("Mottagare", "The divisions given the uppdrag."),
            "lead": nullable(
                "Huvudansvarig",
                "The lead (huvudansvarig, sammanhållande) division, or null.",
                type="string",
                pattern=DIVISION_CODE_PATTERN,
            ),
            "mottagare": nullable(
                "Mottagare (text)", "The 'Mottagare' cell as printed (2024).", type="string"
            ),
            "financing": nullable("Finansiering", "As printed, e.g. 'Inom ram'.", type="string"),
            "rapportering": nullable(
                "Rapportering", "The 'Rapportering' cell as printed, e.g. 'V+D+H'.", type="string"
            ),
            "start": date("Startdatum", "Start date (YYYY-MM-DD), or null."),
            "due": date("Slutdatum", "Due date (YYYY-MM-DD), or null."),
            "followup": followup(),
            "note": note(),
        },
        [
            "id",
            "year",
            "number",
            "title",
            "origin",
            "text",
            "owners",
            "lead",
            "start",
            "due",
            "followup",
        ],
        {},
    )


def document(
    kind: str,
    title: str,
    description: str,
    properties: dict[str, Schema],
    required: list[str],
    defs: dict[str, Schema],
) -> Schema:
    """The root schema of one file kind."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE_URI + KINDS[kind],
        "title": title,
        "description": description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "$defs": {**text_defs(), **defs},
    }


BUILDERS = {
    "overenskommelse": overenskommelse_schema,
    "malomraden": malomraden_schema,
    "division": division_schema,
    "uppdrag": uppdrag_schema,
}


def build_all() -> dict[str, Schema]:
    """Every file kind's schema, keyed by kind."""
    return {kind: build() for kind, build in BUILDERS.items()}


EXPORT_SCHEMA = "export.schema.json"


def export_schema() -> Schema:
    """The schema of `ovk export --format json`: a whole year in one document.

    The four file kinds' schemas are embedded as resources of their own (`$defs`, each with
    its `$id`), so this file alone validates an export, offline, in any 2020-12 validator.
    """
    kinds = build_all()

    def kind_ref(kind: str, title: str, description: str) -> Schema:
        return field(title, description, **{"$ref": KINDS[kind]})

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE_URI + EXPORT_SCHEMA,
        "title": "Överenskommelse om verksamhet (export)",
        "description": "One year's agreement as one document: every file of the year folder.",
        "type": "object",
        "properties": {
            "year": year(),
            "overenskommelse": kind_ref(
                "overenskommelse", "Överenskommelse", "The data of overenskommelse.yaml."
            ),
            "malomraden": field(
                "Målområden och mål",
                "The data of malomraden.yaml, or null when the year has none.",
                anyOf=[{"type": "null"}, {"$ref": KINDS["malomraden"]}],
            ),
            "divisions": array_of(
                "Verksamheter",
                "The data of divisions/<CODE>.yaml, in the order of the agreement's divisions.",
                {"$ref": KINDS["division"]},
            ),
            "uppdrag": array_of(
                "Särskilda uppdrag",
                "The data of uppdrag/<id>.yaml, by id.",
                {"$ref": KINDS["uppdrag"]},
            ),
        },
        "required": ["year", "overenskommelse", "malomraden", "divisions", "uppdrag"],
        "additionalProperties": False,
        "$defs": kinds,
    }


def all_schema_files() -> dict[str, Schema]:
    """File name → schema, for every schema ovk publishes (the four kinds and the export)."""
    files = {KINDS[kind]: schema for kind, schema in build_all().items()}
    files[EXPORT_SCHEMA] = export_schema()
    return files


def dumps(schema: Schema) -> str:
    """The canonical text of a schema file."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schema_files().items():
        path = directory / name
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    package_dir = Path(__file__).parents[1] / "data" / "schema"
    for target in (package_dir, Path(__file__).parents[2] / "schema"):
        for path in write_all(target):
            print(path)
