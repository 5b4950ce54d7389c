"""Cross-file rules: what one file's schema cannot see, checked over one year folder.

The checks only see documents that passed their schema, so they can rely on the shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovk.findings import Finding, finding, json_path
from ovk.model.entities import ALL_DIVISIONS
from ovk.yamlio.loader import Document, JsonPath


@dataclass
class YearFiles:
    """The schema-valid documents of one year folder, keyed by display path."""

    year_dir: Path
    overenskommelse: tuple[str, Document] | None = None
    malomraden: tuple[str, Document] | None = None
    divisions: list[tuple[str, Document]] = field(default_factory=list)
    uppdrag: list[tuple[str, Document]] = field(default_factory=list)
    # Display paths of files that exist but could not be used (unreadable or schema-invalid)
    broken: set[str] = field(default_factory=set)

    @property
    def year(self) -> int:
        return int(self.year_dir.name)


class _Reporter:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(
        self,
        display: str,
        document: Document,
        path: JsonPath,
        rule: str,
        message: str,
        *,
        key: bool = False,
    ) -> None:
        line, column = document.locate(path, key=key)
        self.findings.append(finding(display, line, column, rule, message, json_path(path)))


def check_year(files: YearFiles, year_display: str) -> list[Finding]:
    """Every cross-file finding of one year folder."""
    out = _Reporter()
    _check_required_files(files, year_display, out)
    for display, document in _all(files):
        if document.data.get("year") != files.year:
            out.add(
                display,
                document,
                ("year",),
                "year-mismatch",
                f"year {document.data.get('year')} in a file of folder {files.year}",
            )
    codes = _division_codes(files)
    _check_parties(files, codes, out)
    _check_divisions(files, codes, out)
    _check_uppdrag(files, codes, out)
    _check_malomraden(files, codes, out)
    _check_numbers(files, out)
    return out.findings


def _all(files: YearFiles) -> Iterator[tuple[str, Document]]:
    for single in (files.overenskommelse, files.malomraden):
        if single:
            yield single
    yield from files.divisions
    yield from files.uppdrag


def _check_required_files(files: YearFiles, year_display: str, out: _Reporter) -> None:
    for name, present in (
        ("overenskommelse.yaml", files.overenskommelse),
        ("malomraden.yaml", files.malomraden),
    ):
        if present is None and f"{year_display}/{name}" not in files.broken:
            out.findings.append(
                finding(year_display, 1, 1, "missing-file", f"year {files.year} has no {name}")
            )


def _division_codes(files: YearFiles) -> set[str] | None:
    """The year's division codes, or None when overenskommelse.yaml is not usable."""
    if files.overenskommelse is None:
        return None
    return {division["code"] for division in files.overenskommelse[1].data["divisions"]}


def _check_codes(
    display: str,
    document: Document,
    path: JsonPath,
    values: list[str],
    codes: set[str] | None,
    out: _Reporter,
) -> None:
    """Every code of a list (owners, delas_till) is a division of the year, or 'alla
    verksamheter'."""
    for index, code in enumerate(values):
        if code != ALL_DIVISIONS:
            _check_code(display, document, (*path, index), code, codes, out)


def _check_code(
    display: str,
    document: Document,
    path: JsonPath,
    code: str,
    codes: set[str] | None,
    out: _Reporter,
) -> None:
    """A code is one of the divisions in the year's overenskommelse.yaml (unknown when the
    file is not usable: nothing to report then)."""
    if codes is not None and code not in codes:
        out.add(
            display,
            document,
            path,
            "unknown-division",
            f"'{code}' is not a division of this year (divisions: {', '.join(sorted(codes))})",
        )


def _check_file_name(display: str, document: Document, key: str, out: _Reporter) -> None:
    """The file name is the identity: a division's code, an uppdrag's id."""
    value = document.data[key]
    if value != Path(display).stem:
        out.add(
            display,
            document,
            (key,),
            "filename-id",
            f"{key} '{value}' in file {Path(display).name}; the file name is the {key}",
        )


def _check_parties(files: YearFiles, codes: set[str] | None, out: _Reporter) -> None:
    """A party's code (null for Kommunstyrelsen) is one of the year's divisions."""
    if files.overenskommelse is None:
        return
    display, document = files.overenskommelse
    for index, party in enumerate(document.data["parties"]):
        if party["code"] is not None:
            _check_code(display, document, ("parties", index, "code"), party["code"], codes, out)


def _check_divisions(files: YearFiles, codes: set[str] | None, out: _Reporter) -> None:
    for display, document in files.divisions:
        data = document.data
        _check_file_name(display, document, "code", out)
        _check_code(display, document, ("code",), data["code"], codes, out)
        _check_unique_ids(display, document, _division_ids(data), out)
        ersattning = data.get("ersattning")
        if ersattning and ersattning.get("total") and ersattning["rows"]:
            total = sum(row["belopp"] for row in ersattning["rows"])
            stated = ersattning["total"]["belopp"]
            if abs(total - stated) > 0.05:
                out.add(
                    display,
                    document,
                    ("ersattning", "total", "belopp"),
                    "sum-mismatch",
                    f"rows add up to {total:.1f} {ersattning['unit']}, "
                    f"the stated total is {stated:.1f}",
                )


def _division_ids(data: dict[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    for s, section in enumerate(data["grunduppdrag"]["sections"]):
        yield ("grunduppdrag", "sections", s, "id"), section["id"]
        for a, area in enumerate(section["areas"]):
            yield ("grunduppdrag", "sections", s, "areas", a, "id"), area["id"]


def _check_unique_ids(
    display: str, document: Document, ids: Iterator[tuple[JsonPath, str]], out: _Reporter
) -> None:
    first: dict[str, JsonPath] = {}
    for path, value in ids:
        if value in first:
            line, _ = document.locate(first[value])
            out.add(
                display,
                document,
                path,
                "duplicate-id",
                f"id '{value}' is used twice in this file (first at line {line})",
            )
        else:
            first[value] = path


def _check_uppdrag(files: YearFiles, codes: set[str] | None, out: _Reporter) -> None:
    places = _malomrade_places(files)
    first_by_id: dict[str, str] = {}
    for display, document in files.uppdrag:
        data = document.data
        _check_file_name(display, document, "id", out)
        if data["id"] in first_by_id:
            out.add(
                display,
                document,
                ("id",),
                "duplicate-id",
                f"uppdrag id '{data['id']}' is also the id of {first_by_id[data['id']]}",
            )
        else:
            first_by_id[data["id"]] = display
        _check_codes(display, document, ("owners",), data["owners"], codes, out)
        lead = data["lead"]
        if lead is not None:
            _check_code(display, document, ("lead",), lead, codes, out)
            if lead not in data["owners"] and ALL_DIVISIONS not in data["owners"]:
                out.add(
                    display,
                    document,
                    ("lead",),
                    "lead-not-owner",
                    f"lead {lead} is not among the owners ({', '.join(data['owners'])})",
                )
        start, due = _date(data["start"]), _date(data["due"])
        if start and due and due < start:
            out.add(
                display,
                document,
                ("due",),
                "end-before-start",
                f"Slutdatum {data['due']} is before Startdatum {data['start']}",
            )
        if due and due.year < files.year:
            out.add(
                display,
                document,
                ("due",),
                "due-outside-year",
                f"Slutdatum {data['due']} is before the agreement year {files.year}",
            )
        if places is not None:
            malomrade, verksamhetsomrade = data.get("malomrade"), data.get("verksamhetsomrade")
            if malomrade is not None and malomrade not in places:
                out.add(
                    display,
                    document,
                    ("malomrade",),
                    "unknown-reference",
                    f"målområde '{malomrade}' is not in malomraden.yaml "
                    f"(ids: {', '.join(sorted(places))})",
                )
            elif verksamhetsomrade is not None:
                # Under its målområde when one is named, else anywhere in the year.
                allowed = places[malomrade] if malomrade else set().union(*places.values())
                if verksamhetsomrade not in allowed:
                    out.add(
                        display,
                        document,
                        ("verksamhetsomrade",),
                        "unknown-reference",
                        f"verksamhetsområde '{verksamhetsomrade}' is not in malomraden.yaml",
                    )


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # already a schema finding
        return None


def _malomrade_places(files: YearFiles) -> dict[str, set[str]] | None:
    """målområde id → its verksamhetsområde ids, or None when malomraden.yaml is unusable."""
    if files.malomraden is None:
        return None
    return {
        malomrade["id"]: {vo["id"] for vo in malomrade["verksamhetsomraden"]}
        for malomrade in files.malomraden[1].data["malomraden"]
    }


def _goal_containers(data: dict[str, Any]) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    """Every object holding goals and grundverksamhet: målområden and verksamhetsområden."""
    for m, malomrade in enumerate(data["malomraden"]):
        yield ("malomraden", m), malomrade
        for v, vo in enumerate(malomrade["verksamhetsomraden"]):
            yield ("malomraden", m, "verksamhetsomraden", v), vo


def _check_malomraden(files: YearFiles, codes: set[str] | None, out: _Reporter) -> None:
    if files.malomraden is None:
        return
    display, document = files.malomraden
    ids: list[tuple[JsonPath, str]] = []
    for m, malomrade in enumerate(document.data["malomraden"]):
        ids.append((("malomraden", m, "id"), malomrade["id"]))
        for v, vo in enumerate(malomrade["verksamhetsomraden"]):
            ids.append((("malomraden", m, "verksamhetsomraden", v, "id"), vo["id"]))
    for path, container in _goal_containers(document.data):
        for g, goal in enumerate(container["goals"]):
            ids.append(((*path, "goals", g, "id"), goal["id"]))
            _check_columns(display, document, (*path, "goals", g), goal, out)
            _check_codes(
                display,
                document,
                (*path, "goals", g, "delas_till"),
                goal["delas_till"],
                codes,
                out,
            )
        for e, entry in enumerate(container.get("grundverksamhet", [])):
            ids.append(((*path, "grundverksamhet", e, "id"), entry["id"]))
            _check_codes(
                display,
                document,
                (*path, "grundverksamhet", e, "owners"),
                entry["owners"],
                codes,
                out,
            )
    _check_unique_ids(display, document, iter(ids), out)


def _check_columns(
    display: str, document: Document, path: JsonPath, goal: dict[str, Any], out: _Reporter
) -> None:
    """Every indicator value stands in a column of its table (else no renderer shows it)."""
    for t, table in enumerate(goal["nyckeltal"]):
        keys = [column["key"] for column in table["columns"]]
        for r, row in enumerate(table["rows"]):
            for key in row["values"]:
                if key not in keys:
                    out.add(
                        display,
                        document,
                        (*path, "nyckeltal", t, "rows", r, "values", key),
                        "unknown-column",
                        f"value for column {key!r}, which the table does not have "
                        f"(columns: {', '.join(keys) or 'none'})",
                        key=True,
                    )


def _check_numbers(files: YearFiles, out: _Reporter) -> None:
    """Goals, uppdrag and grundverksamhet share one numbering within a year."""
    numbered: list[tuple[str, Document, JsonPath, str]] = []
    if files.malomraden:
        display, document = files.malomraden
        for path, container in _goal_containers(document.data):
            for kind in ("goals", "grundverksamhet"):
                for index, entity in enumerate(container.get(kind, [])):
                    if entity["number"]:
                        numbered.append(
                            (display, document, (*path, kind, index, "number"), entity["number"])
                        )
    for display, document in files.uppdrag:
        if document.data["number"]:
            numbered.append((display, document, ("number",), document.data["number"]))
    first: dict[str, tuple[str, Document, JsonPath]] = {}
    for display, document, path, number in numbered:
        key = number.rstrip(".")
        if key in first:
            # Located only now: fast-loaded documents find their lines when a finding asks.
            first_display, first_document, first_path = first[key]
            line, _ = first_document.locate(first_path)
            out.add(
                display,
                document,
                path,
                "duplicate-number",
                f"number {number} is also used by {first_display}:{line}",
            )
        else:
            first[key] = (display, document, path)
