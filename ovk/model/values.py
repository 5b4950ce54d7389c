"""Values a user gives (dates, division codes, ids), read by the model's rules, so every
command reads them alike."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from ovk.errors import UsageError
from ovk.model.entities import ALL_DIVISIONS, DIVISION_CODE_PATTERN, FOLLOWUP_OCCASIONS


def parse_date(text: str, param: str) -> dt.date:
    """An ISO date (YYYY-MM-DD); anything else is a usage error naming `param`."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"<{param}> {text!r} is not a date; use YYYY-MM-DD", param) from None


def check_division(code: str, param: str, year: int, codes: Iterable[str]) -> str:
    """`code` when it is one of the year's divisions, else a usage error listing them."""
    known = list(codes)
    if code not in known:
        raise UsageError(
            f"<{param}> {code!r} is not a division of {year} (divisions: {', '.join(known)})",
            param,
        )
    return code


# A division code's form in words (DIVISION_CODE_PATTERN), for the messages that refuse one.
CODE_FORM = "2 to 10 upper-case letters (A-Z, Å, Ä, Ö) or digits, starting with a letter"


def is_code(text: str) -> bool:
    """Whether `text` has a division code's form (the year's list says which exist)."""
    return re.fullmatch(DIVISION_CODE_PATTERN, text) is not None


def is_owner(text: str) -> bool:
    return text == ALL_DIVISIONS or is_code(text)


def slugify(text: str) -> str:
    """An id from a title by the id rule: 'Ökat valdeltagande 2.0' → 'okat-valdeltagande-2-0'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def occasion_slug(occasion: str) -> str:
    """The folder (and UID) name of a follow-up occasion, by the id rule: 'delår' → 'delar'."""
    return slugify(occasion)


# Occasion → its slug, in the order of the year (vår, delår, helår).
OCCASION_SLUGS = {occasion: occasion_slug(occasion) for occasion in FOLLOWUP_OCCASIONS}
OCCASION_BY_SLUG = {slug: occasion for occasion, slug in OCCASION_SLUGS.items()}
