"""`ovk kolada link --write`: the proposed Kolada links written into malomraden.yaml.

Through the round-trip writer, as `ovk new` writes: every comment kept where it stood (or
nothing written), the file's style kept, and the result checked by validate's own checks
(`check_changes`) before it is written atomically; a link that would not validate is refused,
and nothing is written.

Each `Link` (`ovk.model.kolada`) sets the indicator's `source.kolada` to its one KPI. An
indicator whose `source` is null gets `{text: "", kolada: [id]}`: the model asks a source for
its printed text, and the source printed none, so the text stays empty rather than invented.
Values are moved to the columns Kolada confirmed (in the table's column order), and the
link's note is appended to the indicator's note.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ovk.errors import DataError
from ovk.findings import Finding
from ovk.model.kolada import Link
from ovk.model.layout import AGREEMENTS, modeline_for, year_members
from ovk.tools.fmt import without_modeline
from ovk.tools.new import _flow, _rewritten, _write_checked
from ovk.yamlio.loader import load_round_trip


def write_links(root: Path, year: int, links: Iterable[Link]) -> list[Finding]:
    """Write `links` into the year's malomraden.yaml; the warnings validate has for it."""
    folder = root / AGREEMENTS / str(year)
    member = year_members(root, folder).one("malomraden")
    if member is None:
        raise DataError(f"{AGREEMENTS}/{year}/malomraden.yaml is missing")
    path = member.path
    full = path.read_text(encoding="utf-8-sig")
    data = load_round_trip(without_modeline(full))
    for link in links:
        _apply(_at(data, link.path), link)
    modeline = modeline_for("malomraden", path, root)
    text = _rewritten(Path(member.display), full, data, modeline)
    return _write_checked(root, folder, {path: text}).warnings


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    here = data
    for step in path:
        here = here[step]
    return here


def _apply(row: Any, link: Link) -> None:
    from ruamel.yaml.comments import CommentedMap

    if row.get("source") is None:
        row["source"] = CommentedMap([("text", ""), ("kolada", _flow([link.kpi]))])
    else:
        row["source"]["kolada"] = _flow([link.kpi])
    if link.moves:
        values = row["values"]
        cells = {link.moves.get(key, key): text for key, text in values.items()}
        order = {key: place for place, key in enumerate(link.columns)}
        for key in list(values):
            del values[key]
        for key in sorted(cells, key=lambda k: order.get(k, len(order))):
            values[key] = cells[key]
    note = row.get("note")
    row["note"] = f"{note} {link.note}" if note else link.note
