"""A year as a forest of comparable entities, derived from the model.

Every property of every entity of `ovk.model.entities` becomes a compared field, unless the
model says it holds child entities ("children", "hoisted") or is not compared ("ignored"):
nothing here lists fields by hand, so a property added to the model is compared from then on.
Values the model marks are shown as what they are: sets of codes as members, amounts with
their unit, text blocks paragraph by paragraph (through the one text walker).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ovk.model import entities as m
from ovk.model.read import Loaded, YearData, expand_owners
from ovk.model.spec import Entity as ModelEntity
from ovk.model.spec import Property, properties
from ovk.model.text import lines


@dataclass(frozen=True)
class Text:
    """A text field: its paragraphs (list items and headings flattened to lines)."""

    paragraphs: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class Members:
    """A field whose value is a set of codes or words (owners, delas_till, followup …)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Values:
    """An indicator's values: (column label, value as printed) in column order."""

    cells: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return " · ".join(f"{label} {value}" for label, value in self.cells)


@dataclass(frozen=True)
class Amount:
    """An amount of money, in the unit of its entity (ersättning: mnkr)."""

    value: float


Value = str | int | float | bool | None | Text | Members | Values | Amount


@dataclass
class Entity:
    """One comparable thing of a year, with its own fields and the entities inside it."""

    kind: str
    id: str  # unique among its siblings of the same kind
    label: str  # for people: "Uppdrag 2.1.3 Ökat valdeltagande"
    title: str | None  # what title similarity compares
    divisions: tuple[str, ...]
    file: str
    fields: dict[str, Value]
    children: list[Entity] = field(default_factory=list)
    unit: str | None = None  # for amounts (ersättning: mnkr)
    summary: str | None = None  # shown with an entity that is added or removed
    same_year: frozenset[str] = frozenset()  # fields compared between revisions of one year


def year_forest(data: YearData) -> list[Entity]:
    """The forest of one year folder: the agreement, målområden (goals and grundverksamhet
    on their own, so a goal that moves between areas is still matched), divisions, uppdrag."""
    forest = member_forest(data.agreement, data.codes)
    if data.malomraden is not None:
        forest.extend(member_forest(data.malomraden, data.codes))
    for division in data.divisions.values():
        forest.extend(member_forest(division, data.codes))
    for uppdrag in data.uppdrag:
        forest.extend(member_forest(uppdrag, data.codes))
    return forest


def member_forest(member: Loaded[Any], codes: tuple[str, ...]) -> list[Entity]:
    """The entities of one file: its root entity and what the model hoists out of it."""
    hoisted: list[Entity] = []
    builder = _Builder(member.file, codes, hoisted)
    root = builder.entity(member.entity, None, "", ())
    return [root, *hoisted]


# --- labels and summaries: how people call each kind --------------------------------------


def _numbered(number: str | None, title: str | None) -> str:
    return " ".join(p for p in (number, title) if p)


def _name(obj: ModelEntity) -> str | None:
    for attribute in ("title", "heading", "verksamhet", "code"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str):
            return value
    return None


def _label(obj: ModelEntity, parent: Entity | None, position: str) -> str:
    """ "Uppdrag 2.1.3 Ökat valdeltagande"; what stands inside a division or a goal is named
    by the path from it ("Grunduppdrag KLK › Ekonomiavdelningen › Redovisningsprocessen")."""
    name = _name(obj) or position
    if isinstance(obj, m.Division):
        return f"{obj.code} {obj.name}: grunduppdrag, ersättning and samråd"
    if isinstance(obj, m.Agreement):
        return obj.NOUN
    if parent is not None and parent.kind == "division":  # the division's code: its id
        if isinstance(obj, m.GrunduppdragSection):
            return f"Grunduppdrag {parent.id} › {name}"
        return f"{obj.NOUN} {parent.id}"  # its ersättning, its samråd
    if parent is not None and parent.kind in ("grunduppdrag", "ersattning"):
        return f"{parent.label} › {name}"
    if parent is not None and isinstance(obj, m.IndicatorTable):
        return f"{parent.label} › {obj.NOUN} {position}"
    return f"{obj.NOUN} {_numbered(getattr(obj, 'number', None), name)}"


def _summary(obj: ModelEntity) -> str | None:
    if isinstance(obj, m.Uppdrag):
        brief = [f"owners {', '.join(obj.owners)}"]
        brief += [f"lead {obj.lead}"] if obj.lead else []
        brief += [f"due {obj.due.isoformat()}"] if obj.due else []
        return "; ".join(brief)
    if isinstance(obj, m.Goal) and obj.delas_till:
        return f"shared to {', '.join(obj.delas_till)}"
    return None


def _own_divisions(obj: ModelEntity, codes: tuple[str, ...]) -> tuple[str, ...] | None:
    """The divisions an entity concerns, when it says so itself (children inherit them)."""
    if isinstance(obj, m.Division):
        return (obj.code,)
    if isinstance(obj, m.Uppdrag | m.Grundverksamhet):
        return expand_owners(obj.owners, codes)
    if isinstance(obj, m.Goal):
        return expand_owners(obj.delas_till, codes)
    return None


# --- the generic walk over the model ---------------------------------------------------------


class _Builder:
    def __init__(self, file: str, codes: tuple[str, ...], hoisted: list[Entity]) -> None:
        self.file, self.codes, self.hoisted = file, codes, hoisted

    def entity(
        self,
        obj: ModelEntity,
        parent: Entity | None,
        position: str,
        divisions: tuple[str, ...],
        *,
        trail: tuple[str, ...] = (),
        place: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> Entity:
        """`obj` as a comparable entity; `trail` holds the ids of the areas above it."""
        cls = type(obj)
        identity = str(getattr(obj, cls.IDENTITY)) if cls.IDENTITY else (position or cls.KIND)
        own = _own_divisions(obj, self.codes)
        unit = obj.unit if isinstance(obj, m.Ersattning) else (parent.unit if parent else None)
        node = Entity(
            kind=cls.KIND,
            id=identity,
            label=_label(obj, parent, position),
            title=_name(obj),
            divisions=own if own is not None else divisions,
            file=self.file,
            fields={} if place is None else {"place": place},
            unit=unit,
            summary=_summary(obj),
        )
        same_year: set[str] = set()
        inner = (*trail, identity) if isinstance(obj, m.Malomrade | m.Verksamhetsomrade) else trail
        self.properties(obj, node, "", same_year, inner, labels or {})
        node.same_year = frozenset(same_year)
        return node

    def properties(
        self,
        obj: ModelEntity,
        node: Entity,
        prefix: str,
        same_year: set[str],
        trail: tuple[str, ...],
        labels: Mapping[str, str],
    ) -> None:
        """Each property of `obj` as fields of `node` (nested values flattened under
        `prefix`), child entities as its children."""
        for prop in properties(type(obj)):
            value = getattr(obj, prop.name)
            name = prefix + prop.key
            role = prop.spec.diff
            if role == "ignored" or (not prefix and prop.name == type(obj).IDENTITY):
                continue  # the identity is what matching compares (a new id: added, removed)
            if role in ("children", "hoisted"):
                items = value if isinstance(value, tuple) else (() if value is None else (value,))
                columns = (
                    {c.key: c.label for c in obj.columns}
                    if isinstance(obj, m.IndicatorTable)
                    else None
                )
                for index, child in enumerate(items, start=1):
                    made = self.entity(
                        child,
                        node,
                        str(index) if isinstance(value, tuple) else "",  # a singleton: its kind
                        node.divisions,
                        trail=trail,
                        place="/".join(trail) if role == "hoisted" else None,
                        labels=columns,
                    )
                    (self.hoisted if role == "hoisted" else node.children).append(made)
                continue
            if role == "same-year":
                same_year.add(name)
            if isinstance(value, ModelEntity) and dataclasses.is_dataclass(value):
                self.properties(value, node, name + ".", same_year, trail, labels)
                continue
            node.fields[name] = _value(value, prop, labels)


def _value(value: Any, prop: Property, labels: Mapping[str, str]) -> Value:
    if prop.spec.members:
        return Members(tuple(str(v) for v in value))
    if prop.spec.amount:
        return Amount(float(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):  # indicator values, by column label
        return Values(tuple((labels.get(k, k), str(v)) for k, v in value.items()))
    if isinstance(value, tuple):
        return Text(tuple(_item_lines(value)))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot compare {prop.name}: {value!r}")


def _item_lines(value: tuple[Any, ...]) -> Iterator[str]:
    """Text blocks through the text walker; a list of objects (parties, columns) one line each."""
    for item in value:
        if isinstance(item, ModelEntity) and not isinstance(
            item, m.ListBlock | m.SubHeading | m.TableBlock
        ):
            yield " · ".join(f"{p.key}: {getattr(item, p.name)}" for p in properties(type(item)))
        else:
            yield from lines((item,))
