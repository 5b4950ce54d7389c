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
    rendered amount is never rounded away from the data.
    """
    if value is None:
        return ""
    exponent = Decimal(str(value)).as_tuple().exponent
    places = max(decimals, -exponent if isinstance(exponent, int) else 0)
    text = f"{value:,.{places}f}"
    return text.replace(",", NBSP).replace(".", ",")
