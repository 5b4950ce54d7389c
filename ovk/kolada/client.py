"""A small client of Kolada's API v3 over httpx: what ovk asks, and only that.

Kolada publishes no rate limit; its guidance (and the maintained clients) is to keep to a
few requests a second, name the client in the User-Agent and back off on 429 and 5xx. The
server is not trusted: a `next_url` must stay on the scheme, host and port of the base URL,
an answer is read up to a size cap and a deadline (a server that trickles bytes forever
would slip under a read timeout alone), and every answer is checked to be v3-shaped before
any of it is used. Whatever goes wrong is one `KoladaError` naming the URL and the reason.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from ovk import REPOSITORY, __version__
from ovk.errors import short_repr
from ovk.kolada import KoladaError
from ovk.model.kolada import API, GENDERS, Kpi, Value, is_kpi_id, value_of

BATCH = 25  # at most this many values in one path segment (Kolada's limit)
PER_PAGE = 5000  # the most Kolada gives on one page
USER_AGENT = f"ovk/{__version__} (+{REPOSITORY})"
ENVIRONMENT = "OVK_KOLADA_URL"  # replaces the public API's base URL (a mirror, a test server)


@dataclass(frozen=True)
class Settings:
    """How patiently Kolada is asked; the tests make every wait short."""

    read_timeout: float = 30.0  # seconds without a byte from the server
    connect_timeout: float = 10.0
    deadline: float = 120.0  # seconds for one whole answer, however it trickles
    attempts: int = 4  # tries of one URL answered 429 or 5xx
    backoff: float = 1.0  # seconds before the second try; doubled for each next one
    max_wait: float = 60.0  # the most a Retry-After is honoured
    interval: float = 0.34  # seconds between two requests: about three a second
    max_bytes: int = 50_000_000  # of one answer


DEFAULT = Settings()


def base_url() -> str:
    """The API's base URL: `OVK_KOLADA_URL` when set, else Kolada's public API."""
    url = (os.environ.get(ENVIRONMENT) or API).rstrip("/")
    parsed = httpx.URL(url) if _parses(url) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise KoladaError(f"{ENVIRONMENT} {url!r} is not an http(s) URL")
    return url


def _parses(url: str) -> bool:
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    return True


def batches(items: Sequence[str], size: int = BATCH) -> Iterator[list[str]]:
    """`items` in runs of at most `size`, in order."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


Key = tuple[str, int, str]  # KPI id, period, gender


@dataclass
class Values:
    """Kolada's values for one municipality: the live ones, and those Kolada marks deleted
    (which `ovk kolada diff` reports as removed; a snapshot never holds them)."""

    live: dict[Key, Value] = field(default_factory=dict)
    deleted: set[Key] = field(default_factory=set)


class Client:
    """Kolada's API at `base` (default: `base_url()`), asked with `settings`; `requests`
    records every URL asked, once each, in the order first asked."""

    def __init__(
        self,
        base: str | None = None,
        settings: Settings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base = (base or base_url()).rstrip("/")
        self.settings = settings or DEFAULT
        self.requests: list[str] = []
        self._sleep = sleep
        self._origin = _origin(httpx.URL(self.base))
        self._last = -math.inf
        timeout = httpx.Timeout(self.settings.read_timeout, connect=self.settings.connect_timeout)
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,  # no proxy or netrc from the environment of a CI job
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def kpis(self, ids: Iterable[str]) -> dict[str, Kpi]:
        """The metadata of the KPIs `ids` that Kolada knows, by id (no values)."""
        asked = sorted(set(ids))
        found: dict[str, Kpi] = {}
        for batch in batches(asked):
            url = f"{self.base}/kpi/{','.join(batch)}"
            for where, item in self._items(url, {}):
                kpi = _kpi(item, where)
                if kpi.id in batch:  # an id not asked for is no answer to this question
                    found[kpi.id] = kpi
        return found

    def catalogue(self) -> list[Kpi]:
        """Every KPI Kolada knows (`GET /kpi`, every page), metadata only, in Kolada's order;
        an id listed twice is one KPI (its last listing)."""
        found: dict[str, Kpi] = {}
        for where, item in self._items(f"{self.base}/kpi", {"per_page": str(PER_PAGE)}):
            kpi = _kpi(item, where)
            found.pop(kpi.id, None)
            found[kpi.id] = kpi
        return list(found.values())

    def values(
        self,
        kpis: Iterable[str],
        municipality: str,
        years: Iterable[int],
        from_date: str | None = None,
    ) -> Values:
        """The values of `kpis` for `municipality` in `years` (those updated since
        `from_date`, YYYY-MM-DD, when given)."""
        result = Values()
        params: dict[str, str] = {"per_page": str(PER_PAGE)}
        if from_date is not None:
            params["from_date"] = from_date
        periods = [str(year) for year in sorted(set(years))]
        for kpi_batch in batches(sorted(set(kpis))):
            for year_batch in batches(periods):
                url = (
                    f"{self.base}/data/kpi/{','.join(kpi_batch)}/municipality/{municipality}"
                    f"/year/{','.join(year_batch)}"
                )
                for where, item in self._items(url, params):
                    _data_item(item, where, municipality, kpi_batch, year_batch, result)
        return result

    # -- the wire ---------------------------------------------------------------------------

    def _items(self, url: str, params: Mapping[str, str]) -> Iterator[tuple[str, Any]]:
        """Every item of every page of the answer to `url`, with the URL of its page."""
        asked = str(httpx.URL(url, params=dict(params)) if params else httpx.URL(url))
        seen: set[str] = set()
        while True:
            if asked in seen:
                raise KoladaError(f"Kolada: {asked}: next_url leads back to a page already read")
            seen.add(asked)
            body = self._get(asked)
            if not isinstance(body, dict) or not isinstance(body.get("values"), list):
                raise KoladaError(f"Kolada: {asked}: not an API v3 answer (no 'values' list)")
            for item in body["values"]:
                yield asked, item
            following = body.get("next_url")
            if following is None:
                return
            if not isinstance(following, str) or not following:
                raise KoladaError(f"Kolada: {asked}: next_url is not a URL")
            asked = self._next(asked, following)

    def _next(self, current: str, following: str) -> str:
        try:
            target = httpx.URL(current).join(following)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise KoladaError(
                f"Kolada: {current}: next_url {short_repr(following)} is not a URL"
            ) from None
        if _origin(target) != self._origin:
            raise KoladaError(
                f"Kolada: {current}: next_url {short_repr(following)} leaves {self.base}; "
                "not followed"
            )
        return str(target)

    def _get(self, url: str) -> Any:
        """The JSON answer to `url`, retried on 429 and 5xx."""
        if url not in self.requests:
            self.requests.append(url)
        settings = self.settings
        for attempt in range(1, settings.attempts + 1):
            status, headers, content = self._fetch(url)
            if status == 429 or 500 <= status < 600:
                if attempt == settings.attempts:
                    raise KoladaError(
                        f"Kolada: {url}: HTTP {status} {_reason(status)} after {attempt} tries"
                    )
                wait = _retry_after(headers.get("retry-after")) if status == 429 else None
                if wait is None:
                    wait = settings.backoff * 2 ** (attempt - 1)
                self._sleep(min(wait, settings.max_wait))
                continue
            if status != 200:
                raise KoladaError(f"Kolada: {url}: HTTP {status} {_reason(status)}")
            try:
                return json.loads(content)
            except (ValueError, RecursionError) as error:  # not UTF-8, or nested too deep
                raise KoladaError(f"Kolada: {url}: malformed JSON ({error})") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _fetch(self, url: str) -> tuple[int, httpx.Headers, bytes]:
        """One request: its status, headers and body, within the size cap and deadline."""
        self._throttle()
        settings = self.settings
        started = time.monotonic()
        try:
            with self._http.stream("GET", url) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():  # decoded, so the cap is of what is read
                    size += len(chunk)
                    if size > settings.max_bytes:
                        raise KoladaError(
                            f"Kolada: {url}: the answer exceeds {settings.max_bytes} bytes"
                        )
                    if time.monotonic() - started > settings.deadline:
                        raise KoladaError(
                            f"Kolada: {url}: no whole answer within {settings.deadline:g} s"
                        )
                    chunks.append(chunk)
                return response.status_code, response.headers, b"".join(chunks)
        except httpx.TimeoutException as error:
            raise KoladaError(f"Kolada: {url}: timed out ({_what(error)})") from None
        except httpx.HTTPError as error:  # the network: refused, reset, DNS, protocol …
            raise KoladaError(f"Kolada: {url}: {_what(error)}") from None
        finally:
            self._last = time.monotonic()

    def _throttle(self) -> None:
        wait = self._last + self.settings.interval - time.monotonic()
        if wait > 0:
            self._sleep(wait)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


def _what(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _reason(status: int) -> str:
    return httpx.codes.get_reason_phrase(status)


def _retry_after(header: str | None) -> float | None:
    """Retry-After in seconds; its HTTP-date form (or anything else) gives None (back off)."""
    if header is None:
        return None
    try:
        seconds = float(header.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


# -- the shape of an answer ----------------------------------------------------------------


def _kpi(item: Any, where: str) -> Kpi:
    if not isinstance(item, dict):
        raise _shape(where, "a KPI is not an object")
    kpi_id, title = item.get("id"), item.get("title")
    if not isinstance(kpi_id, str) or not is_kpi_id(kpi_id):
        raise _shape(where, f"KPI id {short_repr(kpi_id)} is not N or U and five digits")
    if not isinstance(title, str):
        raise _shape(where, f"KPI {kpi_id} has no title")
    divided = item.get("is_divided_by_gender", False)
    if divided is None or divided in (0, 1):  # v3 says true/false; 0/1 as v2 did
        divided = bool(divided)
    if not isinstance(divided, bool):
        raise _shape(
            where, f"KPI {kpi_id}: is_divided_by_gender {short_repr(divided)} is not a boolean"
        )
    return Kpi(
        kpi_id,
        title,
        _optional_text(item, "description", where),
        _optional_text(item, "operating_area", where),
        divided,
        _optional_text(item, "municipality_type", where),
        _optional_text(item, "publication_date", where),
    )


def _optional_text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _shape(where, f"KPI {item['id']}: {key} is not a string")
    return value


def _data_item(
    item: Any,
    where: str,
    municipality: str,
    kpis: list[str],
    years: list[str],
    into: Values,
) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("values"), list):
        raise _shape(where, "a data item is not an object with a 'values' list")
    kpi, place, period = item.get("kpi"), item.get("municipality"), item.get("period")
    if kpi not in kpis or place != municipality:
        raise _shape(
            where,
            f"an item of KPI {short_repr(kpi)} and municipality {short_repr(place)} "
            "was not asked for",
        )
    if isinstance(period, bool) or not isinstance(period, int) or str(period) not in years:
        raise _shape(where, f"KPI {kpi}: period {short_repr(period)} was not asked for")
    for cell in item["values"]:
        if not isinstance(cell, dict):
            raise _shape(where, f"KPI {kpi} {period}: a value is not an object")
        gender = cell.get("gender")
        if gender not in GENDERS:
            raise _shape(where, f"KPI {kpi} {period}: gender {short_repr(gender)} is not T, K or M")
        key = (kpi, period, gender)
        deleted = cell.get("isdeleted", False)
        if not isinstance(deleted, bool):
            raise _shape(where, f"KPI {kpi} {period} {gender}: isdeleted is not a boolean")
        if deleted:
            into.deleted.add(key)
            into.live.pop(key, None)
            continue
        into.deleted.discard(key)
        into.live[key] = _value(cell, where, key)


def _value(cell: Any, where: str, key: Key) -> Value:
    try:
        return value_of(cell)
    except ValueError as error:
        raise _shape(where, f"KPI {' '.join(map(str, key))}: {error}") from None


def _shape(where: str, reason: str) -> KoladaError:
    return KoladaError(f"Kolada: {where}: not an API v3 answer ({reason})")
