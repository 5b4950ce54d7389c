"""Schema-valid data → the model's typed entities (and the JSON path of each entity).

The data has passed its kind's schema, so its shape is known; building only converts: lists
to tuples, ISO dates to `datetime.date`, mappings to the entity classes. A union of entities
(a text block) is told apart by its keys, as the schema's closed objects are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from ovk.errors import UsageError
from ovk.model.spec import Entity, is_entity, properties, union_members, unwrap

T = TypeVar("T", bound=Entity)
JsonPath = tuple[str | int, ...]


def build(cls: type[T], data: Mapping[str, Any]) -> T:
    """An entity of `cls` from its (schema-valid) data."""
    result: T = _convert(cls, data)
    return result


def _convert(tp: Any, value: Any) -> Any:
    inner, _ = unwrap(tp)
    if is_entity(inner):
        return inner(**{p.name: _convert(p.type, value[p.key]) for p in _present(inner, value)})
    alternatives = union_members(inner)
    if alternatives is not None:
        if value is None:
            return None
        return _convert(_choose(alternatives, value), value)
    if inner is dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    if inner is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    origin = typing.get_origin(inner)
    if origin is tuple:
        item = typing.get_args(inner)[0]
        return tuple(_convert(item, v) for v in value)
    if origin in (Mapping, dict):
        return dict(value)
    return value


def _present(cls: type[Any], value: Mapping[str, Any]) -> Iterator[Any]:
    return (p for p in properties(cls) if p.key in value)


def _keys(cls: type[Any]) -> frozenset[str]:
    return frozenset(p.key for p in properties(cls))


def _choose(alternatives: tuple[Any, ...], value: Any) -> Any:
    """The alternative of a union that `value` is: a scalar by its type, an entity by keys."""
    for alternative in alternatives:
        inner, _ = unwrap(alternative)
        if is_entity(inner):
            if isinstance(value, Mapping) and set(value) <= _keys(inner):
                required = {p.key for p in properties(inner) if p.required}
                if required <= set(value):
                    return alternative
        elif inner is not type(None) and _scalar_matches(inner, value):
            return alternative
    raise TypeError(f"no alternative of {alternatives!r} fits {value!r}")


def shape_of(tp: Any, value: Any) -> Any:
    """The type that describes `value` where the model expects `tp`: the fitting alternative
    of a union (for data not yet checked: the entity whose keys fit best), else `tp`."""
    inner, _ = unwrap(tp)
    alternatives = union_members(inner)
    if alternatives is None:
        return inner
    try:
        return unwrap(_choose(alternatives, value))[0]
    except TypeError:
        if isinstance(value, Mapping):  # unknown or missing keys: the closest entity
            entities = [unwrap(a)[0] for a in alternatives if is_entity(unwrap(a)[0])]
            if entities:
                return max(entities, key=lambda cls: len(set(value) & _keys(cls)))
        return None


def item_type(tp: Any) -> Any:
    """The type of the items of a tuple type, else None."""
    inner, _ = unwrap(tp)
    return typing.get_args(inner)[0] if typing.get_origin(inner) is tuple else None


def skeleton(cls: type[Entity], values: Mapping[str, Any]) -> dict[str, Any]:
    """The data of a new `cls`: every key in the model's order, the given value, else the
    empty one (null, an empty list, false); a required key without one is a usage error."""
    out: dict[str, Any] = {}
    for p in properties(cls):
        inner, _ = unwrap(p.type)
        if p.key in values:
            out[p.key] = values[p.key]
        elif type(None) in (union_members(inner) or ()):
            out[p.key] = None
        elif typing.get_origin(inner) is tuple:
            out[p.key] = []
        elif inner is bool:
            out[p.key] = False
        elif p.required:
            raise UsageError(f"a new file needs a value for '{p.key}'")
    return out


def _scalar_matches(tp: Any, value: Any) -> bool:
    if tp is dt.date:
        return isinstance(value, str | dt.date)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    origin = typing.get_origin(tp)
    if origin is tuple:
        return isinstance(value, list | tuple)
    return isinstance(value, tp) if isinstance(tp, type) else False


def walk(entity: Entity, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Entity]]:
    """Every entity inside `entity` (itself first) with its JSON path in the file."""
    yield path, entity
    for p in properties(type(entity)):
        yield from _walk_value(getattr(entity, p.name), (*path, p.key))


def _walk_value(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, Entity]]:
    if isinstance(value, Entity) and dataclasses.is_dataclass(value):
        yield from walk(value, path)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _walk_value(item, (*path, index))
