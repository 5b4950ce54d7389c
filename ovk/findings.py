"""Findings (the problems validate reports) and the registry of rule ids.

Rule ids are stable: users grep for them and `docs/rules.md` documents each one (a test keeps
that page and this registry in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Rule(NamedTuple):
    severity: Severity
    summary: str
    hint: str


RULES: dict[str, Rule] = {
    # Reading the file
    "file-size": Rule(
        Severity.ERROR,
        "The file is larger than the size cap.",
        "Split the file, or raise the cap with --max-bytes if it is genuine.",
    ),
    "encoding": Rule(
        Severity.ERROR,
        "The file is not UTF-8 (UTF-16, Latin-1 or invalid bytes).",
        "Save the file as UTF-8.",
    ),
    "yaml-syntax": Rule(
        Severity.ERROR,
        "The file is not well-formed YAML.",
        "Fix the YAML at the position shown (indentation, quotes, colons).",
    ),
    "duplicate-key": Rule(
        Severity.ERROR, "A mapping has the same key twice.", "Remove or rename one of the two keys."
    ),
    "unsafe-tag": Rule(
        Severity.ERROR,
        "A YAML tag other than the plain data types is used "
        "(e.g. !!python/object); it is never executed.",
        "Remove the tag; agreement files hold plain text, numbers, lists and maps.",
    ),
    "tag-mismatch": Rule(
        Severity.ERROR,
        "A plain data type's tag names a type its text is not (!!bool maybe, !!null text, "
        "!!int x, !!str on a list); ovk does not coerce it.",
        "Remove the tag and write the value plainly (true, 5, null), or quote it as text.",
    ),
    "alias": Rule(
        Severity.ERROR,
        "Anchors and aliases expand too far or refer to themselves.",
        "Write the repeated content out instead of using anchors (&) and aliases (*).",
    ),
    "nesting-depth": Rule(
        Severity.ERROR,
        "The file nests deeper than any agreement needs.",
        "Flatten the structure; see docs/model.md for the shape.",
    ),
    # The file's shape
    "schema": Rule(
        Severity.ERROR,
        "The file does not match the JSON Schema of its kind.",
        "See the schema named on the file's first line and docs/model.md.",
    ),
    "non-finite-number": Rule(
        Severity.ERROR,
        "A number is not finite (.nan, .inf or too large for a float); the schema's number "
        "type lets it through, but no amount can be one.",
        "Write the amount as a finite number, such as 27.5.",
    ),
    "modeline": Rule(
        Severity.WARNING,
        "The first line does not name the file's JSON Schema, or names a schema file in the "
        "repository that does not exist.",
        "Run `ovk schema -o schema/` (the schemas the modeline names) or `ovk fmt` (the "
        "modeline for the repository: its schema/, else the published schema's URL).",
    ),
    "unknown-file": Rule(
        Severity.WARNING,
        "A file or folder under agreements/ is not part of the layout, so nothing checks it.",
        "Move it to <year>/, <year>/divisions/, <year>/uppdrag/ or "
        "<year>/uppfoljning/<occasion>/ (var, delar, helar), or remove it.",
    ),
    # Across files of one year
    "missing-file": Rule(
        Severity.ERROR,
        "A year folder lacks a file every year needs.",
        "Add overenskommelse.yaml (and malomraden.yaml) to the year folder.",
    ),
    "year-mismatch": Rule(
        Severity.ERROR,
        "The year in a file differs from its year folder.",
        "Correct the year field, or move the file to the right folder.",
    ),
    "filename-id": Rule(
        Severity.ERROR,
        "The id or code in a file differs from its file name.",
        "The file name is the identity: rename the file or fix the id/code.",
    ),
    "duplicate-id": Rule(
        Severity.ERROR,
        "Two entities of the same kind in a year share an id.",
        "Give the new entity its own id; ids never change once written.",
    ),
    "duplicate-number": Rule(
        Severity.ERROR,
        "Two goals, uppdrag or grundverksamhet entries in a year share a number.",
        "Renumber one of them.",
    ),
    "unknown-division": Rule(
        Severity.ERROR,
        "A division code (a party's, a division file's, an owner, a lead, a goal's delas_till) "
        "is not among the divisions of the year's overenskommelse.yaml.",
        "Use one of the codes the message lists, or add the division with 'ovk new division'.",
    ),
    "lead-not-owner": Rule(
        Severity.ERROR,
        "The lead (huvudansvarig) is not among the owners.",
        "Add the lead to owners, or correct the lead.",
    ),
    "end-before-start": Rule(
        Severity.ERROR,
        "Slutdatum (due) is before Startdatum (start).",
        "Correct one of the two dates.",
    ),
    "due-outside-year": Rule(
        Severity.WARNING,
        "An uppdrag ends before its agreement year begins.",
        "Check the due date, or carry the uppdrag to the right year.",
    ),
    "sum-mismatch": Rule(
        Severity.ERROR,
        "The ersättning rows do not add up to the stated total.",
        "Correct a row or the total; amounts are in mnkr with one decimal.",
    ),
    "unknown-column": Rule(
        Severity.ERROR,
        "An indicator has a value for a column its table does not have.",
        "Add the column to the table's columns, or move the value to an existing column.",
    ),
    "unknown-reference": Rule(
        Severity.ERROR,
        "An uppdrag names a målområde or verksamhetsområde that malomraden.yaml does not have.",
        "Use an id from the year's malomraden.yaml.",
    ),
    # The year's Kolada snapshot (kolada.json, written by `ovk kolada fetch`) against the year
    "kolada-snapshot": Rule(
        Severity.ERROR,
        "The year's kolada.json is not a Kolada snapshot ovk can read (not UTF-8, not JSON, "
        "not of its format, or larger than the size cap); no other Kolada check runs.",
        "Fetch it again with `ovk kolada fetch --year <year>` (ovk writes it; it is not "
        "edited by hand).",
    ),
    "kolada-municipality": Rule(
        Severity.ERROR,
        "The snapshot is of another municipality than overenskommelse.yaml's "
        "municipality.kolada_id.",
        "Correct municipality.kolada_id, or fetch the snapshot again for the agreement's "
        "municipality.",
    ),
    "kolada-unknown": Rule(
        Severity.ERROR,
        "An indicator's Kolada id is one Kolada does not know (the snapshot lists it as "
        "unknown: an error), or one the snapshot does not hold (a warning: it was fetched "
        "before the id was written).",
        "Correct the id (kolada.se shows every KPI's), or fetch the snapshot again with "
        "`ovk kolada fetch --year <year>`.",
    ),
    "kolada-title": Rule(
        Severity.WARNING,
        "An indicator's title is not its KPI's title in Kolada (compared without case, "
        "spacing, dashes and separating punctuation): a retitled KPI may now measure "
        "something else.",
        "Read the KPI's description in Kolada: if it still measures the indicator, write "
        "Kolada's title; else choose the KPI that does.",
    ),
    "kolada-value": Rule(
        Severity.WARNING,
        "A printed value (a Nuvärde cell for the year the source names, or an Utfall year's) "
        "is not Kolada's value for that year and gender at the precision printed, or Kolada "
        "has none.",
        "Print Kolada's value, or keep the printed one when the agreement deliberately "
        "prints another figure (Kolada revises its data).",
    ),
    "kolada-outcome": Rule(
        Severity.ERROR,
        "A follow-up outcome is marked as Kolada's (`kolada`) but its indicator does not name "
        "that KPI (an error), or, against the year's snapshot, its value for its period is "
        "not Kolada's (a warning): the render would attribute to Kolada a figure it did not "
        "give.",
        "Set the outcome's `kolada` to null when the value was typed or computed; else take "
        "Kolada's value (`ovk followup new` fills it from the snapshot).",
    ),
    # Follow-up reports (uppfoljning/<occasion>/<CODE>.yaml) against their year
    "occasion-mismatch": Rule(
        Severity.ERROR,
        "A follow-up report's occasion differs from its folder (var: vår, delar: delår, "
        "helar: helår).",
        "Correct the occasion, or move the file to the folder of its occasion.",
    ),
    "as-of-date": Rule(
        Severity.ERROR,
        "A follow-up date is outside the agreement year, or out of order: a report's as_of "
        "before that of the division's report at the previous occasion, an occasion's as_of "
        "in overenskommelse.yaml before the previous occasion's, or a deadline before its "
        "as_of.",
        "Correct the date; a report describes the year at a date after the last report.",
    ),
    "unknown-item": Rule(
        Severity.ERROR,
        "A follow-up report names an uppdrag, goal or indicator id the year does not have.",
        "Use an id of the year (ovk followup new writes every required one), or remove it.",
    ),
    "not-required": Rule(
        Severity.WARNING,
        "A follow-up report holds an item its division does not report: an uppdrag another "
        "division leads (or owns), a goal not shared to it, or an indicator of such a goal.",
        "Remove the item; the division that reports it does so in its own report.",
    ),
    "occasion-not-followed": Rule(
        Severity.WARNING,
        "A follow-up report holds an uppdrag at an occasion its followup does not name.",
        "Remove the item, or add the occasion to the uppdrag's followup.",
    ),
    "comment-required": Rule(
        Severity.ERROR,
        "A status of 'pågår med avvikelse', 'avbrutet' or 'vilande', a late uppdrag (due, or "
        "newly due, before as_of and neither 'klart' nor 'avbrutet'), or an assessment other "
        "than 'uppfyllt' has no comment (for a goal: analysis).",
        "Write why, and what happens next, in its comment (a goal's analysis).",
    ),
    "done-on": Rule(
        Severity.ERROR,
        "An uppdrag reported 'klart' has no done_on, or its done_on is after the report's as_of.",
        "Give the date it was done, on or before as_of.",
    ),
    "new-due": Rule(
        Severity.ERROR,
        "An uppdrag's new_due is not after its due date in the agreement.",
        "A new due date moves the due date later; correct it, or leave it null.",
    ),
    "status-regression": Rule(
        Severity.ERROR,
        "An uppdrag reported 'klart' at the previous occasion goes back to another status "
        "without a comment.",
        "Say in its comment why it is no longer klart.",
    ),
    "report-incomplete": Rule(
        Severity.ERROR,
        "A follow-up report is godkänd but a required item is missing or not filled in.",
        "Fill in every item (ovk followup status lists them), or set state back to inlämnad.",
    ),
    # The layout of a year folder (ovk.model.layout): such a file is never read
    "link-outside": Rule(
        Severity.ERROR,
        "An agreement file (or a year or kind folder) is a link out of the repository.",
        "Copy the file into the repository instead of linking to it.",
    ),
    "broken-link": Rule(
        Severity.ERROR,
        "An agreement file (or a year or kind folder) is a link that loops or leads nowhere.",
        "Remove the link, or point it at a file inside the repository.",
    ),
    "not-a-file": Rule(
        Severity.ERROR,
        "A folder (or a pipe, socket or device) is named like an agreement file.",
        "Rename or remove it; an agreement file is a regular file.",
    ),
    "duplicate-file": Rule(
        Severity.ERROR,
        "Two files of a folder have the same name but for .yaml and .yml.",
        "Keep one of them: the name is the identity, whichever suffix it has.",
    ),
}


# The rules that judge the agreement against its year's Kolada snapshot: naming the snapshot
# (`ovk validate agreements/2024/kolada.json`) reports their findings, wherever they stand.
KOLADA_RULES = frozenset(rule for rule in RULES if rule.startswith("kolada-"))


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file, located as precisely as the data allows."""

    file: str  # path relative to the root, with forward slashes
    line: int  # 1-based
    column: int  # 1-based
    rule: str
    message: str
    path: str = ""  # JSON path of the value, e.g. "$.owners[1]"
    severity: Severity = Severity.ERROR

    @property
    def hint(self) -> str:
        return RULES[self.rule].hint


def finding(
    file: str,
    line: int,
    column: int,
    rule: str,
    message: str,
    path: str = "",
    severity: Severity | None = None,
) -> Finding:
    """A finding with the rule's registered severity (or, for a rule of two, the one given)."""
    return Finding(file, line, column, rule, message, path, severity or RULES[rule].severity)


def json_path(parts: tuple[str | int, ...]) -> str:
    """'$.owners[1]' for ('owners', 1)."""
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text
