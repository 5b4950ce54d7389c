"""Kolada online: the client of Kolada's API v3 and the commands that ask it.

`client.py` asks Kolada (over httpx, the optional extra `kolada`, imported only here): KPI
metadata and values in batches of at most 25 ids, every page by `next_url`, with timeouts,
retries with backoff on 429 and 5xx, a few requests a second and a User-Agent naming ovk;
whatever goes wrong is one `KoladaError` naming the URL. `online.py` is what `ovk kolada
fetch` and `ovk kolada diff` do with it: the year's ids from the model, the snapshot
(`ovk.model.kolada`) written atomically, and what Kolada revised since it was fetched.

May import errors, findings, yamlio, model and output; nothing imports it but the command line.
"""

from __future__ import annotations

from ovk.errors import DataError, ExitCode


class KoladaError(DataError):
    """Kolada could not be asked or did not answer as API v3 does (offline, a timeout, an
    HTTP error after the retries, malformed JSON, an answer of another shape): one line naming
    the URL and the reason. A run-time error, so exit 2 as a failing network is."""

    exit_code = ExitCode.USAGE
