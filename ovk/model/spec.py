"""How the model is declared: a field's title and description, its schema constraints, and
what the tools do with it (compare it, show it as an amount, treat it as a set of codes).

The entities in `ovk.model.entities` are frozen dataclasses whose fields carry this metadata;
`ovk.model.schema` turns them into JSON Schemas, `ovk.model.build` turns validated data into
them, and `ovk diff` reads the diff flags. Nothing else describes the agreement's shape.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform


@dataclass(frozen=True, eq=False)  # hashed by identity: types that carry it go into unions
class Doc:
    """A type's title, description and extra JSON Schema keywords (pattern, minLength …)."""

    title: str
    description: str
    schema: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    name: str | None = None  # placed in the schema's `$defs` under this name


# How `ovk diff` treats a property.
#   "value"     compared; shown as a value (text word by word)
#   "children"  holds child entities, compared entity by entity (not as a value)
#   "hoisted"   child entities that stand on their own at the top of the year (goals move
#               between areas and are still the same goal); their place becomes a field
#   "ignored"   not compared: the agreement year, which always differs between two years
#   "same-year" compared between revisions of one year only: transcribers' bookkeeping that
#               speaks of a source document, not of the agreement (notes, missing_in_source)
DiffRole = Literal["value", "children", "hoisted", "ignored", "same-year"]


@dataclass(frozen=True)
class FieldSpec:
    """The model's knowledge of one property."""

    title: str
    description: str
    schema: Mapping[str, Any]
    diff: DiffRole = "value"
    members: bool = False  # a set of codes or words: diff shows members added and removed
    amount: bool = False  # an amount of money, in the unit of its entity
    key: str | None = None  # the YAML key when it is no Python name ("list")


def prop(
    title: str,
    description: str,
    *,
    default: Any = dataclasses.MISSING,
    diff: DiffRole = "value",
    members: bool = False,
    amount: bool = False,
    key: str | None = None,
    **schema: Any,
) -> Any:
    """A dataclass field with the model's metadata; without `default` the key is required."""
    spec = FieldSpec(title, description, schema, diff, members, amount, key)
    metadata = {"ovk": spec}
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata=metadata)
    if isinstance(default, tuple | type(None) | str | int | float | bool):
        return dataclasses.field(default=default, metadata=metadata)
    if isinstance(default, Mapping) and not default:  # an optional map: empty when absent
        return dataclasses.field(default_factory=dict, metadata=metadata)
    raise TypeError(f"unsupported default {default!r}")


class Entity:
    """Base of the model's objects. Class attributes say what the tools need to know.

    KIND: the entity's kind for diff and findings ("uppdrag", "goal" …), or "" for an object
    that is only a value of its owner (a column, a party).
    IDENTITY: the property that identifies it among its siblings (None: a singleton, or its
    position for unnamed ones).
    DEF: the name under which the schema places it in `$defs` (shared or recursive types).
    """

    KIND: ClassVar[str] = ""
    NOUN: ClassVar[str] = ""  # for people: "Uppdrag", "Mål"
    IDENTITY: ClassVar[str | None] = "id"
    DEF: ClassVar[str | None] = None
    TITLE: ClassVar[str]
    DESCRIPTION: ClassVar[str]


C = TypeVar("C", bound=type[Any])


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(prop,))
def model(title: str, description: str) -> Callable[[C], C]:
    """Declare an entity: a frozen, keyword-only dataclass with a schema title (type checkers
    see its fields and constructor)."""

    def wrap(cls: C) -> C:
        cls.TITLE = title
        cls.DESCRIPTION = description
        cls.__doc__ = cls.__doc__ or f"{title}: {description}"  # (dataclass would inspect)
        return typing.cast(C, dataclass(frozen=True, kw_only=True)(cls))

    return wrap


@dataclass(frozen=True)
class Property:
    """One property of an entity class, resolved: its name, type and spec."""

    name: str  # the Python attribute
    key: str  # the key in the YAML file
    type: Any
    spec: FieldSpec
    required: bool


_PROPERTIES: dict[type[Any], tuple[Property, ...]] = {}


def properties(cls: type[Any]) -> tuple[Property, ...]:
    """The properties of an entity class in declaration order (the canonical key order)."""
    known = _PROPERTIES.get(cls)
    if known is not None:
        return known
    hints = typing.get_type_hints(cls, include_extras=True)
    out = []
    for item in dataclasses.fields(cls):
        spec = item.metadata.get("ovk")
        if not isinstance(spec, FieldSpec):
            raise TypeError(f"{cls.__name__}.{item.name} is not declared with prop()")
        required = (
            item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        )
        out.append(Property(item.name, spec.key or item.name, hints[item.name], spec, required))
    _PROPERTIES[cls] = tuple(out)
    return _PROPERTIES[cls]


def unwrap(tp: Any) -> tuple[Any, Doc | None]:
    """`(inner type, its Doc)` for `Annotated[inner, Doc]`, else `(tp, None)`."""
    if typing.get_origin(tp) is typing.Annotated:
        inner, *extras = typing.get_args(tp)
        doc = next((e for e in extras if isinstance(e, Doc)), None)
        return inner, doc
    return tp, None


def union_members(tp: Any) -> tuple[Any, ...] | None:
    """The alternatives of a union type, or None when `tp` is no union."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return None


def is_entity(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Entity) and dataclasses.is_dataclass(tp)


def entity_types(tp: Any) -> Iterator[type[Entity]]:
    """The entity classes a property's type holds (inside optionals, tuples and unions)."""
    inner, _ = unwrap(tp)
    if is_entity(inner):
        yield inner
        return
    for arg in union_members(inner) or typing.get_args(inner):
        if arg is not Ellipsis:
            yield from entity_types(arg)


def reachable(roots: Iterable[type[Entity]]) -> list[type[Entity]]:
    """Every entity class reachable from `roots` through their properties, roots first."""
    seen: list[type[Entity]] = []
    todo = list(roots)
    while todo:
        cls = todo.pop(0)
        if cls in seen:
            continue
        seen.append(cls)
        for p in properties(cls):
            todo.extend(entity_types(p.type))
    return seen


def property_path(cls: type[Entity], dotted: str) -> tuple[Property, ...] | None:
    """The properties a dotted YAML key path names from `cls` ("fokus.text": the goal
    area's `fokus`, then the Fokus's `text`), or None when it names no property."""
    path: list[Property] = []
    current: type[Entity] | None = cls
    for key in dotted.split("."):
        found = next((p for p in properties(current) if p.key == key), None) if current else None
        if found is None:
            return None
        path.append(found)
        current = next(entity_types(found.type), None)
    return tuple(path)


def title_of(cls: type[Entity], dotted: str) -> str:
    """The Swedish title of the property a dotted key path names ("uppfoljning.deadline":
    "Sista dag för rapport"); a KeyError when it names none."""
    found = property_path(cls, dotted)
    if found is None:
        raise KeyError(f"{cls.__name__} has no property {dotted!r}")
    return found[-1].spec.title
