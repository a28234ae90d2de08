"""Client of the France Travail "Offres d'emploi v2" API: OAuth2, paging, date windows, retries, rate cap.

The API (https://francetravail.io, "API Offres d'emploi v2") serves the live job offers:

- token: ``POST <FT_TOKEN_URL>`` (default ``https://entreprise.francetravail.fr/connexion/oauth2/
  access_token?realm=/partenaire``), form ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``, ``scope=api_offresdemploiv2 o2dsoffre``; answers ``access_token`` and ``expires_in``.
  The token is cached until shortly before it expires, and fetched again once on a 401.
- search: ``GET <FT_API_URL>/v2/offres/search`` (default API URL
  ``https://api.francetravail.io/partenaire/offresdemploi``) with ``region``, ``departement``,
  ``commune``, ``minCreationDate``/``maxCreationDate`` (``yyyy-MM-ddTHH:mm:ssZ``, both or neither) and
  ``range=0-149`` (at most 150 offers a page; the first index may not pass 3000 nor the last 3149).
  Answers 206 + ``Content-Range: offres 0-149/1234`` for a partial page, 200 for the last one, 204 when
  nothing matches, 400 with ``{"message": …}`` for a bad request, 429 with ``Retry-After`` when too fast.

A query matching more offers than the API lets one page through (3,150) is split into creation-date
windows, halved until each fits; this is logged (``grepp.sources.france_travail_api``) and counted in
:attr:`FranceTravailClient.stats`. Windows share their boundary second, so offers are de-duplicated by
``id``. 5xx and network errors are retried with exponential backoff and jitter, a bounded number of
times, then raise a :class:`SourceError` naming the URL. The client secret never appears in a log line,
an exception message or a ``repr``::

    with client_from_env() as client:
        for offer in client.iter_offers(region="44", min_creation_date="2025-01-01"):
            offer["id"], offer["intitule"], offer["lieuTravail"].get("commune")
"""

from __future__ import annotations

import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx

from grepp.errors import ConfigError, SourceError

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.francetravail.io/partenaire/offresdemploi"
DEFAULT_TOKEN_URL = "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire"
SCOPE = "api_offresdemploiv2 o2dsoffre"
SEARCH_PATH = "/v2/offres/search"

#: Offers per page, and the API's limits on the ``range`` parameter.
PAGE_SIZE = 150
MAX_START = 3000
MAX_END = 3149

#: Lower bound of the creation-date window used to split a query that gave no dates.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

_CONTENT_RANGE = re.compile(r"(\d+)-(\d+)/(\d+)")

DateLike = datetime | date | str


def api_datetime(value: DateLike, *, parameter: str = "date") -> datetime:
    """A UTC datetime (second precision) from a datetime, a date or an ISO 8601 string.

    >>> api_datetime("2025-01-01").isoformat()
    '2025-01-01T00:00:00+00:00'
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ConfigError(f"{parameter} {value!r} is not an ISO 8601 date", hint="e.g. 2025-01-01") from exc
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def format_api_datetime(value: datetime) -> str:
    """The API's ``yyyy-MM-ddTHH:mm:ssZ`` form."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now_ceil() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)


@dataclass(frozen=True)
class Page:
    """One page of search results: the offers, the HTTP status and the query's total."""

    offers: list[dict[str, Any]]
    status: int
    total: int


@dataclass
class ClientStats:
    """What a client did: requests, retries, token fetches and date-window splits."""

    requests: int = 0
    retries: int = 0
    tokens: int = 0
    splits: int = 0
    capped_windows: int = 0


class _Secret:
    """A string that never shows itself in a repr or a message."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


@dataclass
class _Token:
    value: str
    expires_at: float


@dataclass
class FranceTravailClient:
    """An authenticated, rate-capped, retrying client of the Offres d'emploi v2 search.

    >>> client = FranceTravailClient("PAR_grepp_1234", "s3cret", requests_per_second=3)  # doctest: +SKIP
    >>> sum(1 for _ in client.iter_offers(departement="67"))  # doctest: +SKIP
    4211
    """

    client_id: str
    client_secret: _Secret | str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    token_url: str = DEFAULT_TOKEN_URL
    requests_per_second: float = 3.0
    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    timeout: float = 30.0
    max_start: int = MAX_START
    max_end: int = MAX_END
    http: httpx.Client | None = field(default=None, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    stats: ClientStats = field(default_factory=ClientStats)
    _token: _Token | None = field(default=None, init=False, repr=False)
    _last_request: float = field(default=0.0, init=False, repr=False)
    _own_http: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.client_secret, _Secret):
            self.client_secret = _Secret(self.client_secret)
        if not self.client_id or not self.client_secret.reveal():
            raise ConfigError("France Travail client id and secret must not be empty")
        if self.requests_per_second <= 0:
            raise ConfigError(f"requests_per_second must be positive, got {self.requests_per_second}")
        self.api_url = self.api_url.rstrip("/")
        if self.http is None:
            self.http = httpx.Client(timeout=httpx.Timeout(self.timeout), headers={"Accept": "application/json"})
            self._own_http = True

    # --- lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP connections the client opened itself."""
        if self._own_http and self.http is not None:
            self.http.close()

    def __enter__(self) -> FranceTravailClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def search_url(self) -> str:
        return self.api_url + SEARCH_PATH

    # --- HTTP plumbing ----------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        assert isinstance(self.client_secret, _Secret)
        secret = self.client_secret.reveal()
        return text.replace(secret, "***") if secret else text

    def _throttle(self) -> None:
        wait = self._last_request + 1.0 / self.requests_per_second - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_request = time.monotonic()

    def _backoff_delay(self, attempt: int) -> float:
        return float(min(self.backoff * 2**attempt, self.max_backoff) * random.uniform(0.5, 1.0))

    def _retry_after(self, response: httpx.Response, attempt: int) -> float:
        header = response.headers.get("Retry-After", "").strip()
        if header.isdigit():
            return min(float(header), self.max_backoff)
        if header:
            try:
                when = parsedate_to_datetime(header)
                return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), self.max_backoff)
            except (TypeError, ValueError):
                pass
        return self._backoff_delay(attempt)

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request with the rate cap, retrying 5xx, 429 and network errors a bounded number of times."""
        assert self.http is not None
        failures = 0
        while True:
            self._throttle()
            self.stats.requests += 1
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {self._scrub(str(exc))}"
                delay = self._backoff_delay(failures)
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
                problem = f"HTTP {response.status_code}"
                if response.status_code == 429:
                    delay = self._retry_after(response, failures)
                else:
                    delay = self._backoff_delay(failures)
            if failures >= self.max_retries:
                raise SourceError(
                    f"France Travail API {url}: {problem} after {failures + 1} attempts",
                    hint="the service may be down or rate-limiting; try again later",
                )
            failures += 1
            self.stats.retries += 1
            logger.warning("France Travail API %s: %s, retry %d in %.1f s", url, problem, failures, delay)
            self.sleep(delay)

    def _fetch_token(self) -> _Token:
        assert isinstance(self.client_secret, _Secret)
        response = self._send(
            "POST",
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret.reveal(),
                "scope": SCOPE,
            },
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if response.status_code != 200:
            detail = self._scrub(_api_message(response))
            raise ConfigError(
                f"France Travail token endpoint {self.token_url} refused client id {self.client_id!r}: "
                f"HTTP {response.status_code} {detail}",
                hint="check FT_CLIENT_ID / FT_CLIENT_SECRET and that the application has the Offres d'emploi v2 API",
            )
        try:
            body = response.json()
            value = str(body["access_token"])
            lifetime = float(body.get("expires_in", 1499))
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(f"France Travail token endpoint {self.token_url}: unexpected answer") from exc
        self.stats.tokens += 1
        # renew a little before expiry: 10% of the lifetime, at most a minute
        return _Token(value, time.monotonic() + lifetime - min(60.0, lifetime * 0.1))

    def _bearer(self, *, renew: bool = False) -> str:
        if renew or self._token is None or time.monotonic() >= self._token.expires_at:
            self._token = self._fetch_token()
        return self._token.value

    # --- search -----------------------------------------------------------------------------------

    def search_page(self, params: Mapping[str, str], start: int, end: int) -> Page:
        """One page ``range=start-end`` of a search (at most 150 offers)."""
        query = {**params, "range": f"{start}-{end}"}
        response = self._send("GET", self.search_url, params=query, headers=self._auth())
        if response.status_code == 401:
            logger.info("France Travail API: token refused (expired?), fetching a new one")
            response = self._send("GET", self.search_url, params=query, headers=self._auth(renew=True))
            if response.status_code == 401:
                raise ConfigError(
                    f"France Travail API {self.search_url}: HTTP 401 even with a fresh token",
                    hint="check that the application is subscribed to the Offres d'emploi v2 API",
                )
        status = response.status_code
        if status == 204:
            return Page([], 204, 0)
        if status == 400:
            raise SourceError(
                f"France Travail API {self.search_url} rejected the query {query}: {_api_message(response)}"
            )
        if status not in (200, 206):
            raise SourceError(f"France Travail API {self.search_url}: HTTP {status} {_api_message(response)}")
        try:
            offers = response.json().get("resultats") or []
        except ValueError as exc:
            raise SourceError(f"France Travail API {self.search_url}: the answer is not JSON ({exc})") from exc
        match = _CONTENT_RANGE.search(response.headers.get("Content-Range", ""))
        total = int(match.group(3)) if match else start + len(offers)
        return Page(list(offers), status, total)

    def _auth(self, *, renew: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._bearer(renew=renew)}"}

    def _iter_window(
        self, params: dict[str, str], window: tuple[datetime, datetime] | None
    ) -> Iterator[dict[str, Any]]:
        query = dict(params)
        if window is not None:
            query["minCreationDate"] = format_api_datetime(window[0])
            query["maxCreationDate"] = format_api_datetime(window[1])
        first = self.search_page(query, 0, PAGE_SIZE - 1)
        cap = self.max_end + 1
        if first.total > cap:
            lo, hi = window or (EARLIEST, _now_ceil())
            if hi - lo > timedelta(seconds=1):
                middle = (lo + (hi - lo) // 2).replace(microsecond=0)
                self.stats.splits += 1
                halves = f"{format_api_datetime(lo)}..{format_api_datetime(middle)}..{format_api_datetime(hi)}"
                logger.info(
                    f"France Travail query {params}: {first.total} offers, over the API's {cap}: "
                    f"splitting by creation date {halves}"
                )
                yield from self._iter_window(params, (lo, middle))
                yield from self._iter_window(params, (middle, hi))
                return
            self.stats.capped_windows += 1
            logger.warning(f"France Travail query {query}: {first.total} offers in one second, only {cap} reachable")
        yield from first.offers
        page, start = first, PAGE_SIZE
        while (
            page.status == 206 and page.offers and start < min(page.total, self.max_end + 1) and start <= self.max_start
        ):
            end = min(start + PAGE_SIZE - 1, self.max_end, page.total - 1)
            page = self.search_page(query, start, end)
            yield from page.offers
            start = end + 1

    def iter_offers(
        self,
        region: str | None = None,
        departement: str | None = None,
        commune: str | None = None,
        min_creation_date: DateLike | None = None,
        max_creation_date: DateLike | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every offer matching the filters, as the API's raw JSON dicts, each once.

        Filters are INSEE codes (``region="44"``, ``departement="67"``, ``commune="67482"``; the API takes
        comma-separated lists too). Give one creation date and the other defaults to 2000-01-01 or now.
        """
        params = {k: v for k, v in (("region", region), ("departement", departement), ("commune", commune)) if v}
        window: tuple[datetime, datetime] | None = None
        if min_creation_date is not None or max_creation_date is not None:
            lo = api_datetime(min_creation_date, parameter="min_creation_date") if min_creation_date else EARLIEST
            hi = api_datetime(max_creation_date, parameter="max_creation_date") if max_creation_date else _now_ceil()
            if lo > hi:
                raise ConfigError(f"min_creation_date {lo:%Y-%m-%d} is after max_creation_date {hi:%Y-%m-%d}")
            window = (lo, hi)
        seen: set[str] = set()
        for offer in self._iter_window(params, window):
            key = str(offer.get("id"))
            if key not in seen:
                seen.add(key)
                yield offer


def iter_offers(
    region: str | None = None,
    departement: str | None = None,
    commune: str | None = None,
    min_creation_date: DateLike | None = None,
    max_creation_date: DateLike | None = None,
    *,
    client: FranceTravailClient | None = None,
) -> Iterator[dict[str, Any]]:
    """The offers matching the filters, through ``client`` or a client built from the environment.

    >>> next(iter_offers(region="44", min_creation_date="2025-01-01"))["id"]  # doctest: +SKIP
    '189XKQM'
    """
    filters = (region, departement, commune, min_creation_date, max_creation_date)
    if client is not None:
        yield from client.iter_offers(*filters)
        return
    with client_from_env() as own:
        yield from own.iter_offers(*filters)


def _api_message(response: httpx.Response) -> str:
    """The API's own explanation (``message`` or ``error_description``), else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        for key in ("message", "error_description", "error"):
            if body.get(key):
                return str(body[key])
    return response.text[:200]


def client_from_env(env: Mapping[str, str] = os.environ, **options: Any) -> FranceTravailClient:
    """A client configured by ``FT_CLIENT_ID``, ``FT_CLIENT_SECRET`` and optionally ``FT_API_URL``,
    ``FT_TOKEN_URL``, ``FT_REQUESTS_PER_SECOND``; a ConfigError when the credentials are missing.

    >>> client_from_env({"FT_CLIENT_ID": "PAR_x", "FT_CLIENT_SECRET": "y"}).api_url  # doctest: +SKIP
    'https://api.francetravail.io/partenaire/offresdemploi'
    """
    missing = [name for name in ("FT_CLIENT_ID", "FT_CLIENT_SECRET") if not env.get(name)]
    if missing:
        raise ConfigError(
            f"France Travail API credentials missing: set {' and '.join(missing)}",
            hint="register an application with the 'Offres d'emploi v2' API on https://francetravail.io",
        )
    rate = env.get("FT_REQUESTS_PER_SECOND")
    try:
        requests_per_second = float(rate) if rate else 3.0
    except ValueError as exc:
        raise ConfigError(f"FT_REQUESTS_PER_SECOND {rate!r} is not a number") from exc
    settings: dict[str, Any] = {
        "api_url": env.get("FT_API_URL") or DEFAULT_API_URL,
        "token_url": env.get("FT_TOKEN_URL") or DEFAULT_TOKEN_URL,
        "requests_per_second": requests_per_second,
    }
    settings.update(options)
    return FranceTravailClient(env["FT_CLIENT_ID"], _Secret(env["FT_CLIENT_SECRET"]), **settings)
