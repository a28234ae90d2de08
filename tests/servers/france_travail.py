"""A replay of the France Travail "Offres d'emploi v2" API on 127.0.0.1, serving real offers.

Token endpoint (``POST /connexion/oauth2/access_token?realm=/partenaire``) checks the client id, secret
and scope and issues expiring tokens; the search endpoint (``GET /partenaire/offresdemploi/v2/offres/
search``) filters the offers it was given by ``region``/``departement``/``commune`` and
``minCreationDate``/``maxCreationDate`` and pages them with ``range``, ``Content-Range`` and
206/200/204, answering 400 with the API's JSON message for a bad range or lone date::

    offers = load_offers(data_dir)
    with FranceTravailReplay(offers, regions=departement_regions(data_dir)) as api:
        api.fail_500 = 2          # the next two searches answer 500 (-1: for ever)
        api.rate_limit = 3        # the next three searches answer 429 with Retry-After: api.retry_after
        api.revoke_after = 1      # after one good page, every token issued so far is revoked (→ 401)
        client = FranceTravailClient(api.client_id, api.client_secret, api_url=api.api_url, token_url=api.token_url)
"""

from __future__ import annotations

import csv
import json
import re
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN_PATH = "/connexion/oauth2/access_token"
SEARCH_PATH = "/partenaire/offresdemploi/v2/offres/search"
OFFER_FILES = ("national-it-data-2022-2025.jsonl", "grand-est-it-data-2024.jsonl", "all-sectors-2025.jsonl")
_LIBELLE_DEP = re.compile(r"^(\d{2}|2A|2B|97\d) - ")


def load_offers(data_dir: Path, files: Iterable[str] = OFFER_FILES) -> list[dict[str, Any]]:
    """The real API v2 offers of ``offers/france-travail/*.jsonl``, each id once (the files overlap)."""
    offers: dict[str, dict[str, Any]] = {}
    for name in files:
        with (data_dir / "offers" / "france-travail" / name).open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    offer = json.loads(line)
                    offers.setdefault(str(offer["id"]), offer)
    return list(offers.values())


def departement_regions(data_dir: Path) -> dict[str, str]:
    """Département code → région code, from INSEE's COG 2024."""
    with (data_dir / "geo" / "cog-2024" / "v_departement_2024.csv").open(encoding="utf-8") as fh:
        return {row["DEP"]: row["REG"] for row in csv.DictReader(fh)}


def offer_departement(offer: Mapping[str, Any]) -> str | None:
    """The département of an offer: its commune's INSEE code prefix, else its place label ``67 - …``."""
    place = offer.get("lieuTravail") or {}
    commune = str(place.get("commune") or "")
    if commune:
        return commune[:3] if commune.startswith("97") else commune[:2]
    match = _LIBELLE_DEP.match(str(place.get("libelle") or ""))
    return match.group(1) if match else None


def created(offer: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(offer["dateCreation"]).replace("Z", "+00:00"))


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class FranceTravailReplay:
    """The API's token and search endpoints over a list of offers, with switchable faults and a log."""

    def __init__(
        self,
        offers: list[dict[str, Any]],
        *,
        regions: Mapping[str, str] | None = None,
        client_id: str = "PAR_grepp_test_0123456789",
        client_secret: str = "s3cr3t-" + "f" * 24,
        token_ttl: float = 1499.0,
        max_start: int = 3000,
        max_end: int = 3149,
    ) -> None:
        self.offers = sorted(offers, key=lambda o: (created(o), str(o["id"])), reverse=True)
        self.regions = dict(regions or {})
        self.client_id, self.client_secret = client_id, client_secret
        self.token_ttl, self.max_start, self.max_end = token_ttl, max_start, max_end
        self.fail_500 = 0
        self.rate_limit = 0
        self.retry_after = "0"
        self.revoke_after: int | None = None
        self.tokens: dict[str, float] = {}
        self.token_requests = 0
        #: every search request: (query params, status, monotonic time received)
        self.searches: list[tuple[dict[str, str], int, float]] = []
        self._good_pages = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/partenaire/offresdemploi"

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH + "?realm=/partenaire"

    def __enter__(self) -> FranceTravailReplay:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- the two endpoints ------------------------------------------------------------------------

    def token(self, realm: str | None, form: Mapping[str, str]) -> dict[str, Any]:
        with self._lock:
            self.token_requests += 1
        if realm != "/partenaire":
            raise ApiError(400, {"error": "invalid_request", "error_description": "realm must be /partenaire"})
        if form.get("grant_type") != "client_credentials":
            raise ApiError(400, {"error": "unsupported_grant_type"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            raise ApiError(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if "api_offresdemploiv2" not in form.get("scope", "").split():
            raise ApiError(400, {"error": "invalid_scope"})
        value = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[value] = time.monotonic() + self.token_ttl
        return {"access_token": value, "scope": form["scope"], "token_type": "Bearer", "expires_in": self.token_ttl}

    def search(self, authorization: str | None, query: Mapping[str, str]) -> tuple[int, dict[str, str], Any]:
        token = (authorization or "").removeprefix("Bearer ").strip()
        with self._lock:
            expiry = self.tokens.get(token)
            if expiry is None or expiry < time.monotonic():
                raise ApiError(401, {"message": "Jeton invalide ou expiré"})
            if self.fail_500:
                if self.fail_500 > 0:  # -1: for ever
                    self.fail_500 -= 1
                raise ApiError(500, {"message": "Erreur interne"})
            if self.rate_limit:
                self.rate_limit -= 1
                raise ApiError(429, {"message": "Too Many Requests"}, {"Retry-After": self.retry_after})
        start, end = self._range(query.get("range", "0-149"))
        matches = self._select(query)
        total = len(matches)
        with self._lock:
            self._good_pages += 1
            if self.revoke_after is not None and self._good_pages >= self.revoke_after:
                self.tokens.clear()
                self.revoke_after = None
        if total == 0 or start >= total:
            return 204, {}, None
        page = matches[start : end + 1]
        last = start + len(page) - 1
        status = 200 if last >= total - 1 else 206
        headers = {"Content-Range": f"offres {start}-{last}/{total}", "Accept-Range": "offres 150"}
        return status, headers, {"resultats": page, "filtresPossibles": []}

    def _range(self, text: str) -> tuple[int, int]:
        match = re.fullmatch(r"(\d+)-(\d+)", text)
        if not match:
            raise ApiError(400, {"codeHttp": 400, "message": f"Valeur du paramètre « range » incorrecte : {text}"})
        start, end = int(match.group(1)), int(match.group(2))
        if start > end or end - start >= 150:
            raise ApiError(
                400, {"codeHttp": 400, "message": "La plage de résultats demandée est trop grande (max 150)"}
            )
        if start > self.max_start or end > self.max_end:
            raise ApiError(
                400,
                {
                    "codeHttp": 400,
                    "message": f"La position de début doit être inférieure ou égale à {self.max_start} "
                    f"et la position de fin à {self.max_end}",
                },
            )
        return start, end

    def _select(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        lo_text, hi_text = query.get("minCreationDate"), query.get("maxCreationDate")
        if (lo_text is None) != (hi_text is None):
            raise ApiError(
                400, {"codeHttp": 400, "message": "minCreationDate et maxCreationDate doivent être renseignés ensemble"}
            )
        window = None
        if lo_text is not None and hi_text is not None:
            try:
                window = tuple(
                    datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for t in (lo_text, hi_text)
                )
            except ValueError as exc:
                raise ApiError(
                    400, {"codeHttp": 400, "message": "Format de date incorrect (yyyy-MM-ddTHH:mm:ssZ)"}
                ) from exc
        regions = set(query["region"].split(",")) if query.get("region") else None
        departements = set(query["departement"].split(",")) if query.get("departement") else None
        communes = set(query["commune"].split(",")) if query.get("commune") else None
        out = []
        for offer in self.offers:
            dep = offer_departement(offer)
            if regions is not None and self.regions.get(dep or "") not in regions:
                continue
            if departements is not None and dep not in departements:
                continue
            if communes is not None and (offer.get("lieuTravail") or {}).get("commune") not in communes:
                continue
            if window is not None and not (window[0] <= created(offer) <= window[1]):
                continue
            out.append(offer)
        return out

    # --- HTTP -------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _reply(self, status: int, headers: Mapping[str, str], body: Any) -> None:
                payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
                if parts.path != TOKEN_PATH:
                    self._reply(404, {}, {"message": "not found"})
                    return
                realm = parse_qs(parts.query).get("realm", [None])[0]
                try:
                    self._reply(200, {}, api.token(realm, form))
                except ApiError as exc:
                    self._reply(exc.status, exc.headers, exc.body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path != SEARCH_PATH:
                    self._reply(404, {}, {"message": "not found"})
                    return
                try:
                    status, headers, body = api.search(self.headers.get("Authorization"), query)
                except ApiError as exc:
                    status, headers, body = exc.status, exc.headers, exc.body
                with api._lock:
                    api.searches.append((query, status, time.monotonic()))
                self._reply(status, headers, body)

        return Handler
