"""Values a user gives (dates, division codes, ids), read by the model's rules, so every
command reads them alike."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from ovk.errors import UsageError
from ovk.model.vocabulary import ALL_DIVISIONS, DIVISION_CODE_PATTERN, FOLLOWUP_OCCASIONS


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


# A new id is at most this long: it is a file name people type and read in lists. Ids
# written before keep theirs (ids never change), so validate holds no file to this.
NEW_ID_MAX = 60


def new_id(title: str) -> str:
    """The id `ovk new` makes from a title: its slug, cut at a hyphen to at most NEW_ID_MAX
    characters ('' when the title has no letter or digit a slug keeps)."""
    slug = slugify(title)
    if len(slug) <= NEW_ID_MAX:
        return slug
    head = slug[: NEW_ID_MAX + 1]  # a hyphen just past the limit is a cut at a word too
    return head.rsplit("-", 1)[0] if "-" in head else head[:NEW_ID_MAX]


def occasion_slug(occasion: str) -> str:
    """The folder (and UID) name of a follow-up occasion, by the id rule: 'delår' → 'delar'."""
    return slugify(occasion)


# Occasion → its slug, in the order of the year (vår, delår, helår).
OCCASION_SLUGS = {occasion: occasion_slug(occasion) for occasion in FOLLOWUP_OCCASIONS}
OCCASION_BY_SLUG = {slug: occasion for occasion, slug in OCCASION_SLUGS.items()}
