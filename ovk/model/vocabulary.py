"""The model's words, known without its entities: the kinds of document a repository holds
and their schemas' names, the published schemas' address, the closed vocabularies and the
patterns of codes, ids and dates.

The entities (ovk/model/entities.py) are built from these and export them as their own; the
layout (finding and naming a repository's files) and a warm `ovk validate` need only these,
and so do not pay for making the entities' classes (a third of a one-file run's start).
"""

from __future__ import annotations

from ovk import REPOSITORY, __version__

# The file kinds, in the order they are documented (the keys of ovk.model.entities.DOCUMENTS),
# and each one's schema file name.
DOCUMENT_KINDS = ("overenskommelse", "malomraden", "division", "uppdrag", "uppfoljning")
KINDS = {kind: f"{kind}.schema.json" for kind in DOCUMENT_KINDS}

# The published schemas: schema/ of the release tag of this version in ovk's repository, so a
# modeline naming a URL (a repository without schema/ of its own) pins the version written.
SCHEMA_BASE_URI = (
    "https://raw.githubusercontent.com/"
    + REPOSITORY.removeprefix("https://github.com/")
    + f"/v{__version__}/schema/"
)

ALL_DIVISIONS = "alla verksamheter"
FOLLOWUP_OCCASIONS = ("vår", "delår", "helår")
# The closed vocabularies of a follow-up report (uppföljning); "försenat" is never among them:
# it is derived from the dates (`ovk.model.followup.is_late`).
STATUSES = ("ej påbörjat", "pågår", "pågår med avvikelse", "klart", "avbrutet", "vilande")
# The statuses in order of how much they need attention, most first: when several divisions
# report one uppdrag (several owners, no lead), `ovk list` shows the first of theirs. A
# deviation from the plan first, then what has not moved, what is under way, what has ended.
ATTENTION = ("pågår med avvikelse", "vilande", "ej påbörjat", "pågår", "avbrutet", "klart")
assert sorted(ATTENTION) == sorted(STATUSES)
ASSESSMENTS = ("uppfyllt", "delvis uppfyllt", "ej uppfyllt", "kan ej bedömas")
REPORT_STATES = ("utkast", "inlämnad", "godkänd")
ORIGINS = ("KF", "KS")  # who issued an uppdrag: Kommunfullmäktige or Kommunstyrelsen (NÄMND)
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
NUMBER_PATTERN = r"^[0-9]+(\.[0-9]+)*\.?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A Kolada KPI id: N (municipalities' KPIs) or U (their organisations') and five digits.
KOLADA_PATTERN = r"^[NU][0-9]{5}$"
# A municipality's (or a region's) code in Kolada, the same as SCB's: four digits.
MUNICIPALITY_ID_PATTERN = r"^[0-9]{4}$"
# A division code's form; which codes a year has is data (overenskommelse.yaml's divisions).
DIVISION_CODE_PATTERN = r"^[A-ZÅÄÖ][A-ZÅÄÖ0-9]{1,9}$"
OWNER_PATTERN = r"^([A-ZÅÄÖ][A-ZÅÄÖ0-9]{1,9}|alla verksamheter)$"
COLUMN_KEY_PATTERN = r"^(totalt|kvinnor|man|jamforvarde|trend|[0-9]{4})$"
