"""Dates and numbers written the Swedish way, as the documents print them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
NBSP = "\u00a0"


def sv_date(value: dt.date | str | None) -> str:
    """A date the Swedish way: "31 december 2026"; None gives an empty string."""
    if value is None:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def sv_number(value: float | int | None, decimals: int = 1) -> str:
    """A number the Swedish way: decimal comma, non-breaking space between thousands.

    At least `decimals` decimals ("4,0", "204,6") and never fewer than the value has, so a
    rendered amount is never rounded away from the data. A float's ".0" is no decimal it has:
    with `decimals` 0, 403.0 (a whole number the model or JSON made a float) is "403".
    """
    if value is None:
        return ""
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    places = max(decimals, -exponent if isinstance(exponent, int) else 0)
    text = f"{value:,.{places}f}"
    return text.replace(",", NBSP).replace(".", ",")


# A municipality's name is the place name joined to "kommun" (Nyköping → Nyköpings kommun,
# Umeå → Umeå kommun); these few do it otherwise (Kolada's name → the municipality's own).
MUNICIPALITY_NAMES = {
    "Falun": "Falu kommun",
    "Kalmar": "Kalmar kommun",
    "Gotland": "Region Gotland",
}
_FULL_NAME_WORDS = frozenset({"kommun", "stad", "Stad", "Region", "region"})


def genitive(name: str) -> str:
    """The Swedish genitive of a name: an "s", unless it ends in s, x or z ("Borås")."""
    return name if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def municipality_name(name: str) -> str:
    """How the pages name a municipality from its name as Kolada writes it: "Nyköpings
    kommun", "Umeå kommun" (a name ending in a vowel joins without the genitive's s), "Falu
    kommun"; a name that is already whole ("Göteborgs Stad", "Region Gotland") as written."""
    name = name.strip()
    if _FULL_NAME_WORDS & set(name.split()):
        return name
    known = MUNICIPALITY_NAMES.get(name)
    if known is not None:
        return known
    if name[-1:].lower() in "aeiouyåäöé":
        return f"{name} kommun"
    return f"{genitive(name)} kommun"
