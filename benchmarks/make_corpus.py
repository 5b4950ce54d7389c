"""A national-scale synthetic corpus of agreements, built from the real ones (seeded).

    python benchmarks/make_corpus.py --municipalities 290 --years 1 -o /tmp/ovk-corpus-M

Layout (one root, so one `ovk validate` call and one check-jsonschema call per schema):

    DIR/schema/*.schema.json                          the repository's schemas
    DIR/agreements/<kommun>/<year>/overenskommelse.yaml, malomraden.yaml,
                                  divisions/<CODE>.yaml, uppdrag/<id>.yaml,
                                  uppfoljning/<var|delar|helar>/<CODE>.yaml

Every municipality's year is the real 2026 folder with the municipality's name in the texts,
the year (and dates) moved, indicator values varied, some divisions with extra departments
(grunduppdrag sections), a varying number of uppdrag (cloned under new ids), and every
division's follow-up report at each occasion (seeded, every required item filled in). About 1 % of
the files are then broken the way people break them: an impossible date, an unknown division
code, a missing field, a duplicated key. `DIR/expected.json` lists the broken files.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ovk.model import followup as fu  # noqa: E402
from ovk.model.build import build  # noqa: E402
from ovk.model.entities import (  # noqa: E402
    ASSESSMENTS,
    FOLLOWUP_OCCASIONS,
    Agreement,
    Malomraden,
    Uppdrag,
)
from ovk.model.schema import KINDS  # noqa: E402
from ovk.model.values import OCCASION_SLUGS  # noqa: E402
from ovk.yamlio.loader import load_path  # noqa: E402

TEMPLATE_YEAR = REPO / "agreements" / "2026"
FIRST = ["Ny", "Berg", "Sjö", "Lind", "Ek", "Norr", "Sö", "Väst", "Ås", "Hög", "Sand", "Mal"]
LAST = ["köping", "sala", "by", "hamn", "torp", "vik", "ström", "näs", "lund", "holm", "å"]
BROKEN_SHARE = 0.01


def kommun_names(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(FIRST) + rng.choice(LAST)
        if name in names:
            name = f"{name} {len(names)}"
        names.append(name)
    return names


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


def load(path: Path) -> Any:
    result = load_path(path, path.name)
    assert result.document is not None and not result.findings, path
    return result.document.data


def rename(node: Any, name: str) -> Any:
    """Every text with the real municipality's name carries the new one."""
    if isinstance(node, dict):
        return {k: rename(v, name) for k, v in node.items()}
    if isinstance(node, list):
        return [rename(v, name) for v in node]
    if isinstance(node, str):
        return node.replace("Nyköpings", f"{name}s").replace("Nyköping", name)
    return node


def vary_values(node: Any, rng: random.Random) -> None:
    """Indicator values (e.g. "20,0%") get other digits."""
    if isinstance(node, dict):
        values = node.get("values")
        if isinstance(values, dict):
            for key, value in values.items():
                if isinstance(value, str) and any(c.isdigit() for c in value):
                    values[key] = "".join(
                        str(rng.randrange(10)) if c.isdigit() else c for c in value
                    )
        for value in node.values():
            vary_values(value, rng)
    elif isinstance(node, list):
        for value in node:
            vary_values(value, rng)


def shift_date(text: Any, delta: int) -> Any:
    if isinstance(text, str) and len(text) == 10 and text[4] == "-":
        return f"{int(text[:4]) + delta}{text[4:]}"
    return text


def dump(data: Any, modeline: str) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    out = io.StringIO()
    yaml.dump(data, out)
    return f"{modeline}\n{out.getvalue()}"


def build_year(
    templates: dict[str, Any], name: str, year: int, rng: random.Random
) -> dict[str, tuple[str, Any]]:
    """relative path → (kind, data) for one municipality's year."""
    delta = year - 2026
    files: dict[str, tuple[str, Any]] = {}
    for relative, (kind, data) in templates.items():
        if kind == "uppdrag":
            continue
        data = rename(copy.deepcopy(data), name)
        data["year"] = year
        if kind == "malomraden":
            vary_values(data, rng)
        if kind == "division" and rng.random() < 0.3:  # a division with more departments
            sections = data["grunduppdrag"]["sections"]
            for n in range(rng.randint(1, 3)):
                extra = copy.deepcopy(rng.choice(sections[: len(sections) - n]))
                extra["id"] = f"{extra['id']}-avdelning-{n + 2}"
                extra["heading"] = f"{extra['heading']} ({n + 2})"
                for area in extra["areas"]:
                    area["id"] = f"{area['id']}-avdelning-{n + 2}"
                sections.append(extra)
        files[relative] = (kind, data)
    uppdrag = [(r, d) for r, (k, d) in templates.items() if k == "uppdrag"]
    count = rng.randint(len(uppdrag) // 2, len(uppdrag) * 2)  # some years with more uppdrag
    chosen = rng.sample(uppdrag, min(count, len(uppdrag)))
    while len(chosen) < count:
        chosen.append(rng.choice(uppdrag))
    seen: dict[str, int] = {}
    for _, template in chosen:
        data = rename(copy.deepcopy(template), name)
        clone = seen.get(data["id"], 0)
        seen[data["id"]] = clone + 1
        if clone:  # the same kind of uppdrag again: its own id, no number
            data["id"] = f"{data['id']}-{clone + 1}"
            data["number"] = None
            data["title"] = f"{data['title']} ({clone + 1})"
        data["year"] = year
        data["start"], data["due"] = (
            shift_date(data["start"], delta),
            shift_date(data["due"], delta),
        )
        if rng.random() < 0.5:
            data["text"] = [*data["text"], f"Uppdraget följs upp av {name}s kommunstyrelse."]
        files[f"uppdrag/{data['id']}.yaml"] = ("uppdrag", data)
    seed_reports(files, year, rng)
    return files


# What the seeded reports say of an uppdrag at each occasion (a comment always, as the
# municipalities' own reports have one, so no comment rule fires on a clean report).
STATUS_CHOICES = ("ej påbörjat", "pågår", "pågår", "pågår", "pågår med avvikelse", "klart")


def seed_reports(files: dict[str, tuple[str, Any]], year: int, rng: random.Random) -> None:
    """Each division's follow-up report at each occasion (vår, delår, helår), with every
    item the follow-up rule asks of it filled in: added to `files`."""
    agreement = build(Agreement, files["overenskommelse.yaml"][1])
    malomraden = build(Malomraden, files["malomraden.yaml"][1])
    uppdrag = [build(Uppdrag, d) for k, d in files.values() if k == "uppdrag"]
    dates = fu.occasion_dates(agreement)
    done: set[str] = set()  # klart stays klart at the later occasions
    for occasion in FOLLOWUP_OCCASIONS:
        as_of = dates[occasion].as_of
        for code in agreement.codes:
            need = fu.required(agreement.codes, uppdrag, malomraden, occasion, code)
            if not need:
                continue
            items: dict[str, Any] = {}
            for u in need.uppdrag:
                status = "klart" if f"{code}/{u.id}" in done else rng.choice(STATUS_CHOICES)
                if status == "klart":
                    done.add(f"{code}/{u.id}")
                items[u.id] = {
                    "status": status,
                    "comment": f"Lägesbeskrivning för {u.title[:40]}.",
                    "new_due": None,
                    "done_on": as_of.isoformat() if status == "klart" else None,
                }
            goals = {}
            for g in need.goals:
                assessment = rng.choice(ASSESSMENTS)
                analysis = None if assessment == fu.MET else f"Analys av {g.title[:40]}."
                goals[g.id] = {"assessment": assessment, "analysis": analysis}
            indicators = {
                i.id: {"value": round(rng.uniform(0, 100), 1), "period": year - 1, "comment": None}
                for _, i in need.indicators
            }
            state = "godkänd" if occasion != FOLLOWUP_OCCASIONS[-1] else "inlämnad"
            files[f"uppfoljning/{OCCASION_SLUGS[occasion]}/{code}.yaml"] = (
                "uppfoljning",
                {
                    "year": year,
                    "occasion": occasion,
                    "division": code,
                    "as_of": as_of.isoformat(),
                    "state": state,
                    "reported_by": None,
                    "uppdrag": items,
                    "goals": goals,
                    "indicators": indicators,
                    "note": None,
                },
            )


def break_file(kind: str, data: Any, rng: random.Random) -> tuple[Any, str, str]:
    """(data, extra text to append, how) for a realistically broken file."""
    ways = ["missing field", "duplicate key"]
    if kind == "uppdrag":
        ways += ["wrong date", "unknown code"]
    if kind == "uppfoljning" and data["uppdrag"]:
        ways += ["unknown status"]
    how = rng.choice(ways)
    data = copy.deepcopy(data)
    if how == "unknown status":  # the word no closed list has: it is derived
        data["uppdrag"][next(iter(data["uppdrag"]))]["status"] = "försenat"
    elif how == "wrong date":
        data["due"] = f"{data['year']}-02-30"
    elif how == "unknown code":
        data["owners"] = ["KLX", *data["owners"][1:]]
    elif how == "missing field":
        del data["year"]
    else:
        return data, f"year: {data['year']}\n", how
    return data, "", how


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    templates: dict[str, tuple[str, Any]] = {}
    for path in sorted(TEMPLATE_YEAR.rglob("*.yaml")):
        relative = path.relative_to(TEMPLATE_YEAR).as_posix()
        kind = (
            path.stem
            if path.parent == TEMPLATE_YEAR
            else {"divisions": "division", "uppdrag": "uppdrag"}[path.parent.name]
        )
        templates[relative] = (kind, load(path))
    if args.output.exists():
        shutil.rmtree(args.output)
    shutil.copytree(REPO / "schema", args.output / "schema")
    years = list(range(2027 - args.years, 2027))
    broken: dict[str, str] = {}
    total = 0
    for index, name in enumerate(kommun_names(args.municipalities, rng)):
        kommun = f"{index + 1:03d}-{slug(name)}"
        for year in years:
            for relative, (kind, data) in build_year(templates, name, year, rng).items():
                target = args.output / "agreements" / kommun / str(year) / relative
                depth = len(target.relative_to(args.output).parts) - 1
                modeline = f"# yaml-language-server: $schema={'../' * depth}schema/{KINDS[kind]}"
                extra = ""
                if rng.random() < BROKEN_SHARE:
                    data, extra, how = break_file(kind, data, rng)
                    broken[target.relative_to(args.output).as_posix()] = how
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(dump(data, modeline) + extra, encoding="utf-8")
                total += 1
    (args.output / "expected.json").write_text(
        json.dumps({"files": total, "broken": broken}, indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    print(f"{total} files ({len(broken)} broken) in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
