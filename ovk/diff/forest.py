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
from ovk.model.spec import Entity as ModelEntity, Property, entity_types, properties, property_path
from ovk.model.text import lines
from ovk.output.swedish import sv_date, sv_number


@dataclass(frozen=True)
class Text:
    """A text field: its paragraphs (list items and headings flattened to lines); for a list
    of objects, also the keys that identify them in the data (a column's key), compared but
    not shown to people."""

    paragraphs: tuple[str, ...]
    keys: tuple[str, ...] = ()

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


@dataclass(frozen=True)
class Date:
    """A date (an uppdrag's start and due date)."""

    value: dt.date


@dataclass(frozen=True)
class Place:
    """Where a hoisted entity stands: the ids of the areas above it, and their titles for
    people ("Hållbar utveckling › Social hållbarhet"). Two places are the same by their ids."""

    path: str
    names: str = field(compare=False)


Value = str | int | float | bool | None | Text | Members | Values | Amount | Date | Place
PLACE = "place"  # the field a hoisted entity's place is compared as
PLACE_TITLE = "Placering"  # its label for people (it is no property of the model)


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
    number: str | None = None  # its number as printed, for ordering
    due: dt.date | None = None  # an uppdrag's due date
    every: bool = False  # it concerns every division of its year ("alla verksamheter")
    lead: str | None = None  # the division that leads it (an uppdrag's, inherited by its parts)
    named: bool = False  # it has an identity of its own, so a new title is a new name
    missing_in_source: bool = False  # its source document lacks it (a table that was an image)
    amount: Amount | None = None  # its own amount (an ersättning row's belopp)


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
    for report in data.reports.values():
        forest.extend(member_forest(report, data.codes))
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
    if isinstance(obj, m.Section) and obj.heading is None:  # the opening text
        return f"{obj.NOUN} utan rubrik"
    if isinstance(obj, m.Division):
        return f"{obj.code} {obj.name} ({_contents(m.Division)})"
    if isinstance(obj, m.Agreement):
        return obj.NOUN
    if isinstance(obj, m.FollowupReport):  # "Uppföljning delår KLK"
        return f"{obj.NOUN} {obj.occasion} {obj.division}"
    if parent is not None and parent.kind == m.FollowupReport.KIND:  # an item, by its id
        return f"{parent.label} › {obj.NOUN} {position}"
    if parent is not None and parent.kind == "division":  # the division's code: its id
        if isinstance(obj, m.GrunduppdragSection):
            return f"Grunduppdrag {parent.id} › {name}"
        return f"{obj.NOUN} {parent.id}"  # its ersättning, its samråd
    if parent is not None and parent.kind in ("grunduppdrag", "ersattning"):
        return f"{parent.label} › {name}"
    if parent is not None and isinstance(obj, m.IndicatorTable):  # "Mål 1.1.1 › Nyckeltalstabell 1"
        goal = f"{m.KINDS[parent.kind].NOUN} {parent.number}" if parent.number else parent.label
        return f"{goal} › {obj.NOUN} {position}"
    if parent is not None and isinstance(obj, m.Indicator):  # "Mål 1.1.1 › Indikator …"
        return f"{parent.label.rpartition(' › ')[0]} › {obj.NOUN} {name}"
    return f"{obj.NOUN} {_numbered(getattr(obj, 'number', None), name)}"


def _contents(cls: type[ModelEntity]) -> str:
    """What an entity holds, by the titles of its entity properties: "grunduppdrag,
    ersättning och samråd om investeringar"."""
    parts = [p.spec.title.lower() for p in properties(cls) if any(entity_types(p.type))]
    return " och ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def field_title(cls: type[ModelEntity], field_name: str) -> str | None:
    """The Swedish title of a compared field for people, from the model: "Önskat resultat",
    "I fokus mandatperioden › Text" for a nested "fokus.text"; None when it names no
    property of `cls`."""
    if field_name == PLACE:
        return PLACE_TITLE
    path = property_path(cls, field_name)
    return " › ".join(p.spec.title for p in path) if path else None


def _title(cls: type[ModelEntity], name: str) -> str:
    title = field_title(cls, name)
    assert title is not None, name
    return title


def _summary(obj: ModelEntity, unit: str | None) -> str | None:
    """An added or removed entity in brief, in the words of the model's titles."""
    if isinstance(obj, m.Uppdrag):
        brief = [f"{_title(m.Uppdrag, 'owners').lower()} {', '.join(obj.owners)}"]
        brief += [f"{_title(m.Uppdrag, 'lead').lower()} {obj.lead}"] if obj.lead else []
        brief += [f"{_title(m.Uppdrag, 'due').lower()} {sv_date(obj.due)}"] if obj.due else []
        return "; ".join(brief)
    if isinstance(obj, m.Goal) and obj.delas_till:
        return f"{_title(m.Goal, 'delas_till').lower()} {', '.join(obj.delas_till)}"
    if isinstance(obj, m.ErsattningRow):
        return " ".join(p for p in (sv_number(obj.belopp), unit) if p)
    return None


def _own_divisions(obj: ModelEntity, codes: tuple[str, ...]) -> tuple[tuple[str, ...], bool] | None:
    """The divisions an entity concerns when it says so itself (children inherit them), and
    whether that is every division of its year. An uppdrag concerns its owners and its lead."""
    if isinstance(obj, m.Division):
        return (obj.code,), False
    if isinstance(obj, m.FollowupReport):
        return (obj.division,), False
    owners: tuple[str, ...] | None = None
    if isinstance(obj, m.Uppdrag):
        owners = (*obj.owners, *([obj.lead] if obj.lead and obj.lead not in obj.owners else []))
    elif isinstance(obj, m.Grundverksamhet):
        owners = obj.owners
    elif isinstance(obj, m.Goal):
        owners = obj.delas_till
    if owners is None:
        return None
    expanded = expand_owners(owners, codes)
    return expanded, bool(codes) and set(codes) <= set(expanded)


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
        trail: tuple[tuple[str, str], ...] = (),
        place: Place | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> Entity:
        """`obj` as a comparable entity; `trail` holds the (id, title) of the areas above it."""
        cls = type(obj)
        identity = str(getattr(obj, cls.IDENTITY)) if cls.IDENTITY else (position or cls.KIND)
        own = _own_divisions(obj, self.codes)
        unit = obj.unit if isinstance(obj, m.Ersattning) else (parent.unit if parent else None)
        number = getattr(obj, "number", None)
        due = getattr(obj, "due", None)
        node = Entity(
            kind=cls.KIND,
            id=identity,
            label=_label(obj, parent, position),
            title=_name(obj),
            divisions=own[0] if own is not None else divisions,
            file=self.file,
            fields={} if place is None else {PLACE: place},
            unit=unit,
            summary=_summary(obj, unit),
            number=number if isinstance(number, str) else None,
            due=due if isinstance(due, dt.date) else None,
            every=own[1] if own is not None else bool(parent and parent.every),
            lead=obj.lead if isinstance(obj, m.Uppdrag) else (parent.lead if parent else None),
            named=cls.IDENTITY is not None,
            missing_in_source=getattr(obj, "missing_in_source", False) is True,
        )
        same_year: set[str] = set()
        area = isinstance(obj, m.Malomrade | m.Verksamhetsomrade)
        inner = (*trail, (identity, _name(obj) or identity)) if area else trail
        self.properties(obj, node, "", same_year, inner, labels or {})
        node.same_year = frozenset(same_year)
        return node

    def properties(
        self,
        obj: ModelEntity,
        node: Entity,
        prefix: str,
        same_year: set[str],
        trail: tuple[tuple[str, str], ...],
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
            if role == "children" and isinstance(value, Mapping):  # entities by their key
                for key, child in value.items():
                    node.children.append(self.entity(child, node, str(key), node.divisions))
                continue
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
                        place=_place(trail) if role == "hoisted" else None,
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
            if prop.spec.amount and not prefix:
                node.amount = Amount(float(value))


def _place(trail: tuple[tuple[str, str], ...]) -> Place:
    return Place("/".join(i for i, _ in trail), " › ".join(n for _, n in trail))


def _value(value: Any, prop: Property, labels: Mapping[str, str]) -> Value:
    if prop.spec.members:
        return Members(tuple(str(v) for v in value))
    if prop.spec.amount:
        return Amount(float(value))
    if isinstance(value, dt.date):
        return Date(value)
    if isinstance(value, Mapping):  # indicator values, by column label
        return Values(tuple((labels.get(k, k), str(v)) for k, v in value.items()))
    if isinstance(value, tuple):
        keys = tuple(str(getattr(i, type(i).IDENTITY, "")) for i in value if _is_object(i))
        return Text(tuple(_item_lines(value)), keys if any(keys) else ())
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot compare {prop.name}: {value!r}")


def _item_lines(value: tuple[Any, ...]) -> Iterator[str]:
    """Text blocks through the text walker; a list of objects (parties, columns) one line each."""
    for item in value:
        if _is_object(item):
            yield _item_line(item)
        else:
            yield from lines((item,))


def _is_object(item: Any) -> bool:
    """An object in a list (a party, a column), not a text block."""
    return isinstance(item, ModelEntity) and not isinstance(
        item, m.ListBlock | m.SubHeading | m.TableBlock
    )


def _item_line(item: ModelEntity) -> str:
    """An object in a list (a party, a column) on one line, by its properties' titles; what
    only identifies it for the data (a column's key) is left out, and a single value stands
    alone ("Utfall 2026")."""
    shown = [
        (p.spec.title, getattr(item, p.name))
        for p in properties(type(item))
        if p.name != type(item).IDENTITY and getattr(item, p.name) is not None
    ]
    if len(shown) == 1:
        return str(shown[0][1])
    return " · ".join(f"{title}: {value}" for title, value in shown)
