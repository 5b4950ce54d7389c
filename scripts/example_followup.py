"""Fill follow-up reports with EXAMPLE data, for CI's check of `ovk render --followup`.

    python scripts/example_followup.py --root SCRATCH --year 2026 --occasion delår

Run it in a scratch copy of the repository, never in the checkout: the sources hold no
follow-up reports, and nothing this script writes is data. It expects the reports
`ovk followup new --year Y --occasion O --all` writes and fills them in so that every kind
of line of the rendered documents shows: every status (a deviation with its comment, a
klart with its date), one late uppdrag (the agreement's uppdrag have no due date before
delår, so the first uppdrag's due date in the scratch copy is moved to 30 June: example
data), every assessment with an analysis, some indicator outcomes, a report handed in, one
left a draft with nothing filled in, and one division's report removed, so the overview
lists it as not reported. The result validates (`ovk validate`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ovk.model.entities import ASSESSMENTS, STATUSES
from ovk.model.followup import DEVIATIONS, MET
from ovk.model.values import OCCASION_SLUGS

EXAMPLE = "Exempel (inga verkliga uppgifter)"


def yaml() -> YAML:
    handler = YAML()
    handler.preserve_quotes = True
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.width = 4096
    return handler


def load(path: Path) -> Any:
    return yaml().load(path.read_text(encoding="utf-8"))


def dump(path: Path, data: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        yaml().dump(data, handle)


def make_late(root: Path, year: int, report: Any, as_of: dt.date) -> str | None:
    """Move the first reported uppdrag's due date before `as_of` (example data)."""
    for ident in report["uppdrag"]:
        path = root / "agreements" / str(year) / "uppdrag" / f"{ident}.yaml"
        data = load(path)
        data["due"] = dt.date(year, 6, 30)
        if data.get("start") and data["start"] > data["due"]:
            data["start"] = dt.date(year, 1, 1)
        if as_of > data["due"]:
            dump(path, data)
            return str(ident)
    return None


def fill(report: Any, n: int, late: str | None) -> None:
    """Fill one report with example values; `n` shifts the words so each division differs."""
    report["state"] = "inlämnad" if n % 2 == 0 else "utkast"
    report["reported_by"] = EXAMPLE
    report["note"] = f"{EXAMPLE}: rapporten är ifylld av scripts/example_followup.py."
    for i, (ident, entry) in enumerate(report["uppdrag"].items()):
        status = STATUSES[(i + n) % len(STATUSES)]
        if ident == late:
            status = "pågår"
        entry["status"] = status
        if status in DEVIATIONS or ident == late:
            entry["comment"] = f"{EXAMPLE}: arbetet har försenats av resursbrist."
        if status == "klart":
            entry["done_on"] = dt.date.fromisoformat(str(report["as_of"])) - dt.timedelta(days=10)
    for i, entry in enumerate(report["goals"].values()):
        assessment = ASSESSMENTS[(i + n) % len(ASSESSMENTS)]
        entry["assessment"] = assessment
        if assessment != MET:
            entry["analysis"] = f"{EXAMPLE}: prognosen bygger på utfallet hittills."
    for i, entry in enumerate(report["indicators"].values()):
        if i % 3 == 0:
            entry["value"] = round(10 + i * 1.5 + n, 1)
            entry["period"] = int(report["year"])
        elif i % 3 == 1:
            entry["comment"] = f"{EXAMPLE}: utfallet kommer i årsbokslutet."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="a scratch copy of the repo")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--occasion", required=True, choices=sorted(OCCASION_SLUGS))
    args = parser.parse_args(argv)
    folder = args.root / "agreements" / str(args.year) / "uppfoljning"
    folder /= OCCASION_SLUGS[args.occasion]
    paths = sorted(folder.glob("*.yaml"))
    if len(paths) < 3:
        print(f"example_followup: fewer than 3 reports in {folder}", file=sys.stderr)
        return 1
    *filled, untouched, removed = paths
    late = None
    for n, path in enumerate(filled):
        report = load(path)
        if late is None and report["uppdrag"]:
            as_of = dt.date.fromisoformat(str(report["as_of"]))
            late = make_late(args.root, args.year, report, as_of)
        fill(report, n, late)
        dump(path, report)
    removed.unlink()
    print(
        f"example_followup: filled {len(filled)} report(s), left {untouched.name} a draft, "
        f"removed {removed.name}; late uppdrag: {late or 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
