"""Schema-valid data → the model's typed entities (and the JSON path of each entity).

The data has passed its kind's schema, so its shape is known; building only converts: lists
to tuples, ISO dates to `datetime.date`, mappings to the entity classes. A union of entities
(a text block) is told apart by its keys, as the schema's closed objects are.

`ovk validate` builds every file it checks, so the work of reading a type is done once per
entity class: each class gets a converter made from its properties (and a plan of where its
child entities stand, for `walk`), and building a file only runs those.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from ovk.errors import UsageError
from ovk.model.spec import Entity, is_entity, properties, union_members, unwrap

T = TypeVar("T", bound=Entity)
JsonPath = tuple[str | int, ...]
# Converts one schema-valid value of a type; None where the value is taken as it is.
Converter = Callable[[Any], Any] | None


def build(cls: type[T], data: Mapping[str, Any]) -> T:
    """An entity of `cls` from its (schema-valid) data."""
    result: T = _entity_converter(cls)(data)
    return result


# --- converters, made once per entity class ----------------------------------------------

_ENTITY_CONVERTERS: dict[type[Any], Callable[[Any], Any]] = {}
_ABSENT = object()  # what a compiled converter gets for an optional key the data lacks


def _entity_converter(cls: type[Any]) -> Callable[[Any], Any]:
    known = _ENTITY_CONVERTERS.get(cls)
    if known is not None:
        return known

    def pending(value: Mapping[str, Any]) -> Any:  # an entity inside one of its own kind
        return _ENTITY_CONVERTERS[cls](value)

    _ENTITY_CONVERTERS[cls] = pending  # before its fields: entities nest (sections, lists)
    fields = [(p.key, p.name, _converter(p.type)) for p in properties(cls)]
    if hasattr(cls, "__post_init__"):
        convert: Callable[[Any], Any] = functools.partial(_construct, cls, fields)
    else:
        convert = _compiled(cls, fields)
    _ENTITY_CONVERTERS[cls] = convert
    return convert


def _construct(
    cls: type[Any], fields: list[tuple[str, str, Converter]], value: Mapping[str, Any]
) -> Any:
    """An entity through its constructor, which fills in the defaults and says what is
    missing. (A key the model does not know is not the entity's.)"""
    attributes = {}
    for key, name, converter in fields:
        if key in value:
            item = value[key]
            attributes[name] = item if converter is None else converter(item)
    return cls(**attributes)


def _compiled(cls: type[Any], fields: list[tuple[str, str, Converter]]) -> Callable[[Any], Any]:
    """The converter of `cls` as Python source compiled once (as `dataclasses` makes its
    constructors): one expression makes the instance's dict, each value looked up and
    converted in place, with no loop over the fields; then the dict fills a new instance in
    one step, where a frozen dataclass's __init__ assigns its fields one by one through
    `object.__setattr__`. `ovk validate` builds every file it checks (400,000 entities in a
    corpus of 14,500 files): this takes a quarter off building them (benchmarks/README.md).
    A required key missing (a KeyError) goes to the constructor, which says what is
    missing."""
    namespace: dict[str, Any] = {
        "cls": cls,
        "new": object.__new__,
        "construct": functools.partial(_construct, cls, fields),
        "ABSENT": _ABSENT,
    }
    defaults = {f.name: f for f in dataclasses.fields(cls)}
    items = []
    for index, (key, name, converter) in enumerate(fields):
        namespace[f"k{index}"] = key
        if converter is not None:
            namespace[f"c{index}"] = converter
        default = defaults[name]
        if default.default is not dataclasses.MISSING:
            namespace[f"d{index}"] = default.default
            absent = f"d{index}"
        elif default.default_factory is not dataclasses.MISSING:  # an optional map: a new one
            namespace[f"d{index}"] = default.default_factory
            absent = f"d{index}()"
        else:
            absent = None
        if absent is None:  # required
            value = f"value[k{index}]"
            expression = value if converter is None else f"c{index}({value})"
        elif converter is None:
            expression = f"get(k{index}, {absent})"
        else:
            expression = f"c{index}(x) if (x := get(k{index}, ABSENT)) is not ABSENT else {absent}"
        items.append(f"{name!r}: {expression}")
    source = (
        "def convert(value):\n"
        "    get = value.get\n"
        "    try:\n"
        f"        attributes = {{{', '.join(items)}}}\n"
        "    except KeyError:\n"
        "        return construct(value)\n"
        "    entity = new(cls)\n"
        "    entity.__dict__.update(attributes)\n"
        "    return entity\n"
    )
    exec(source, namespace)
    compiled: Callable[[Any], Any] = namespace["convert"]
    return compiled


def _converter(tp: Any) -> Converter:
    inner, _ = unwrap(tp)
    if is_entity(inner):
        return _entity_converter(inner)
    alternatives = union_members(inner)
    if alternatives is not None:
        return _union_converter(alternatives)
    if inner is dt.date:
        return _date
    if inner is float:
        return _float
    origin = typing.get_origin(inner)
    if origin is tuple:
        item_type = typing.get_args(inner)[0]
        item = _converter(item_type)
        if item is None:
            return tuple
        if _text_or_entities(item_type):  # text blocks: most items are paragraphs
            return lambda value: tuple([v if type(v) is str else item(v) for v in value])
        return lambda value: tuple(map(item, value))
    if origin in (Mapping, dict):
        value = _converter(typing.get_args(inner)[1])
        if value is None:
            return dict
        convert_value = value
        return lambda mapping: {key: convert_value(item) for key, item in mapping.items()}
    return None


def _text_or_entities(tp: Any) -> bool:
    """A union of str and entities only (a text block, a list item): a str is itself."""
    alternatives = union_members(unwrap(tp)[0])
    if alternatives is None:
        return False
    inner = [unwrap(a)[0] for a in alternatives]
    return str in inner and all(a is str or is_entity(a) for a in inner)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _float(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _union_converter(alternatives: tuple[Any, ...]) -> Converter:
    """A union: None as it is; otherwise the alternative the value is (see `_choose`)."""
    if len(alternatives) == 2 and type(None) in alternatives:  # an optional value
        (other,) = (a for a in alternatives if a is not type(None))
        converter = _converter(other)
        if converter is None:
            return None
        present = converter
        return lambda value: None if value is None else present(value)
    chosen: dict[Any, Converter] = {}  # by the value's type, or a mapping's keys

    def convert(value: Any) -> Any:
        if value is None:
            return None
        shape: Any = type(value)
        if shape is not str and isinstance(value, Mapping):
            shape = tuple(value)
        try:
            converter = chosen[shape]
        except KeyError:
            converter = chosen[shape] = _converter(_choose(alternatives, value))
        return value if converter is None else converter(value)

    return convert


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


def value_type(tp: Any) -> Any:
    """The type of the values of a mapping type, else None."""
    inner, _ = unwrap(tp)
    return typing.get_args(inner)[1] if typing.get_origin(inner) in (Mapping, dict) else None


def skeleton(cls: type[Entity], values: Mapping[str, Any]) -> dict[str, Any]:
    """The data of a new `cls`: every key in the model's order, the given value, else the
    empty one (null, an empty list or map, false); a required key without one is a usage
    error."""
    out: dict[str, Any] = {}
    for p in properties(cls):
        inner, _ = unwrap(p.type)
        if p.key in values:
            out[p.key] = values[p.key]
        elif type(None) in (union_members(inner) or ()):
            out[p.key] = None
        elif typing.get_origin(inner) is tuple:
            out[p.key] = []
        elif typing.get_origin(inner) in (Mapping, dict):
            out[p.key] = {}
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


# --- walking, planned once per entity class ----------------------------------------------

Classes = tuple[type[Entity], ...]
# Where an entity class holds entities worth visiting: (attribute, YAML key, nested tuple
# levels: 0 the value itself, 1 a tuple of them …), by class and the classes looked for.
_PLANS: dict[tuple[type[Any], Classes], tuple[tuple[str, str, int], ...]] = {}


def walk(
    entity: Entity, path: JsonPath = (), only: Classes = ()
) -> Iterator[tuple[JsonPath, Entity]]:
    """Every entity inside `entity` (itself first) with its JSON path in the file, in the
    file's order. With `only`, just the entities of those classes, found without going where
    none can stand (into text blocks, say)."""
    stack: list[tuple[JsonPath, Entity]] = [(path, entity)]
    while stack:
        here, current = stack.pop()
        if not only or isinstance(current, only):
            yield here, current
        found: list[tuple[JsonPath, Entity]] = []
        for name, key, depth in _plan(type(current), only):
            value = getattr(current, name)
            if depth == 1:  # the common case, inline: a tuple of entities (or text blocks)
                for index, item in enumerate(value):
                    if isinstance(item, Entity):
                        found.append(((*here, key, index), item))
            else:
                _collect(value, (*here, key), depth, found)
        stack.extend(reversed(found))  # popped in the file's order: depth first, pre-order


def _collect(value: Any, path: JsonPath, depth: int, found: list[tuple[JsonPath, Entity]]) -> None:
    if depth == 0:
        if isinstance(value, Entity):
            found.append((path, value))
        return
    for index, item in enumerate(value):
        _collect(item, (*path, index), depth - 1, found)


def _plan(cls: type[Any], only: Classes) -> tuple[tuple[str, str, int], ...]:
    known = _PLANS.get((cls, only))
    if known is None:
        plan = []
        for p in properties(cls):
            held = _entities_in(p.type)
            if held is None:
                continue
            depth, classes = held
            if not only or any(_reaches(c, only, set()) for c in classes):
                plan.append((p.name, p.key, depth))
        known = _PLANS[(cls, only)] = tuple(plan)
    return known


def _reaches(cls: type[Any], only: Classes, seen: set[type[Any]]) -> bool:
    """Whether an entity of `cls` is, or can hold, an entity of one of the classes `only`."""
    if issubclass(cls, only):
        return True
    if cls in seen:
        return False
    seen.add(cls)
    return any(
        _reaches(c, only, seen)
        for p in properties(cls)
        if (held := _entities_in(p.type)) is not None
        for c in held[1]
    )


def _entities_in(tp: Any) -> tuple[int, frozenset[type[Any]]] | None:
    """How many tuple levels down a type holds entities, and their classes; None: it holds
    none."""
    inner, _ = unwrap(tp)
    if is_entity(inner):
        return 0, frozenset({inner})
    alternatives = union_members(inner)
    if alternatives is not None:
        held = [h for a in alternatives if (h := _entities_in(a)) is not None]
        if not held:
            return None
        if len({depth for depth, _ in held}) > 1:
            raise TypeError(f"entities at different depths in {tp!r}")
        return held[0][0], frozenset().union(*(classes for _, classes in held))
    if typing.get_origin(inner) is tuple:
        item = _entities_in(typing.get_args(inner)[0])
        return None if item is None else (item[0] + 1, item[1])
    return None
