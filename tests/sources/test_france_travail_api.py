"""The France Travail Offres d'emploi v2 client against a replay of the API on 127.0.0.1 (real offers)."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from grepp.config import GRAND_EST_DEPARTEMENTS
from grepp.errors import ConfigError, SourceError
from grepp.sources.france_travail_api import FranceTravailClient, api_datetime, client_from_env, iter_offers
from servers.france_travail import FranceTravailReplay, departement_regions, load_offers


@pytest.fixture(scope="session")
def offers(data_dir: Path) -> list[dict[str, Any]]:
    return load_offers(data_dir)


@pytest.fixture
def api(offers: list[dict[str, Any]], data_dir: Path) -> Iterator[FranceTravailReplay]:
    with FranceTravailReplay(offers, regions=departement_regions(data_dir)) as server:
        yield server


def client_for(api: FranceTravailReplay, **options: Any) -> FranceTravailClient:
    settings: dict[str, Any] = {"requests_per_second": 1000.0, "backoff": 0.01, "max_retries": 3}
    settings.update(options)
    return FranceTravailClient(
        api.client_id, api.client_secret, api_url=api.api_url, token_url=api.token_url, **settings
    )


# The oracle: our own reading of the file, independent of the server's filter code.
def departement_of(offer: dict[str, Any]) -> str | None:
    place = offer.get("lieuTravail") or {}
    if place.get("commune"):
        return str(place["commune"])[:2]
    label = str(place.get("libelle") or "")
    return label[:2] if label[2:5] == " - " else None


def created(offer: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(offer["dateCreation"].replace("Z", "+00:00"))


def ids(offers: Any) -> list[str]:
    return [str(o["id"]) for o in offers]


def test_paging_a_departement_returns_exactly_its_offers(api: FranceTravailReplay, offers: list[Any]) -> None:
    expected = {str(o["id"]) for o in offers if departement_of(o) == "74"}
    assert len(expected) > 300  # three pages
    with client_for(api) as client:
        got = ids(client.iter_offers(departement="74"))
    assert len(got) == len(set(got)) == len(expected)
    assert set(got) == expected
    assert [(q["range"], status) for q, status, _ in api.searches] == [
        ("0-149", 206),
        ("150-299", 206),
        (f"300-{len(expected) - 1}", 200),  # the last page asks no further than the total
    ]
    assert api.token_requests == 1  # one token, reused for every page


def test_region_filter_selects_grand_est(api: FranceTravailReplay, offers: list[Any]) -> None:
    expected = {str(o["id"]) for o in offers if departement_of(o) in GRAND_EST_DEPARTEMENTS}
    with client_for(api) as client:
        got = ids(client.iter_offers(region="44"))
    assert sorted(got) == sorted(expected) and len(expected) > 150


def test_commune_and_creation_dates_filter(api: FranceTravailReplay, offers: list[Any]) -> None:
    lo, hi = datetime(2024, 9, 1, tzinfo=UTC), datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)
    expected = {
        str(o["id"])
        for o in offers
        if (o.get("lieuTravail") or {}).get("commune") == "67482" and lo <= created(o) <= hi
    }
    assert expected
    with client_for(api) as client:
        got = ids(client.iter_offers(commune="67482", min_creation_date="2024-09-01", max_creation_date=hi))
    assert sorted(got) == sorted(expected)
    assert api.searches[0][0]["minCreationDate"] == "2024-09-01T00:00:00Z"
    assert api.searches[0][0]["maxCreationDate"] == "2024-12-31T23:59:59Z"


def test_one_creation_date_is_completed_because_the_api_needs_both(api: FranceTravailReplay, offers: list[Any]) -> None:
    since = datetime(2025, 6, 1, tzinfo=UTC)
    expected = {str(o["id"]) for o in offers if departement_of(o) == "01" and created(o) >= since}
    with client_for(api) as client:
        got = ids(client.iter_offers(departement="01", min_creation_date="2025-06-01"))
    assert sorted(got) == sorted(expected) and expected
    query = api.searches[0][0]
    assert query["minCreationDate"] == "2025-06-01T00:00:00Z" and "maxCreationDate" in query


def test_no_match_is_a_204_and_an_empty_result(api: FranceTravailReplay) -> None:
    with client_for(api) as client:
        assert list(client.iter_offers(departement="74", max_creation_date="2020-01-01")) == []
        with pytest.raises(ConfigError, match="is after max_creation_date"):
            next(client.iter_offers(min_creation_date="2030-01-01", max_creation_date="2029-01-01"))
    assert [status for _, status, _ in api.searches] == [204]


def test_more_offers_than_the_api_cap_are_split_by_date_windows(
    api: FranceTravailReplay, offers: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    assert len(offers) > 3150  # the whole replay is over the API's cap
    caplog.set_level(logging.INFO, logger="grepp.sources.france_travail_api")
    with client_for(api) as client:
        got = ids(client.iter_offers())
        assert client.stats.splits >= 1 and client.stats.capped_windows == 0
    assert len(got) == len(set(got)) == len(offers)
    assert "splitting by creation date" in caplog.text
    assert all(status != 400 for _, status, _ in api.searches)


def test_split_with_a_smaller_cap_still_returns_every_offer(offers: list[Any], data_dir: Path) -> None:
    expected = {str(o["id"]) for o in offers if departement_of(o) in ("74", "01")}
    assert len(expected) > 450
    with FranceTravailReplay(offers, max_start=300, max_end=449) as small:
        with client_for(small, max_start=300, max_end=449) as client:
            got = ids(client.iter_offers(departement="74,01"))
            assert client.stats.splits >= 1
        assert all(status != 400 for _, status, _ in small.searches)
    assert sorted(got) == sorted(expected)


def test_a_429_storm_is_survived_honouring_retry_after(api: FranceTravailReplay, offers: list[Any]) -> None:
    api.rate_limit, api.retry_after = 4, "1"
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(min(seconds, 0.01))

    with client_for(api, max_retries=5, sleep=sleep) as client:
        got = ids(client.iter_offers(departement="74"))
        assert client.stats.retries == 4
    assert len(got) == sum(1 for o in offers if departement_of(o) == "74")
    assert [status for _, status, _ in api.searches].count(429) == 4
    assert slept.count(1.0) == 4  # the server's Retry-After, not our own backoff


def test_a_short_500_burst_is_retried(api: FranceTravailReplay) -> None:
    api.fail_500 = 2
    with client_for(api) as client:
        assert len(list(client.iter_offers(departement="74"))) > 300
    assert [status for _, status, _ in api.searches][:3] == [500, 500, 206]


def test_persistent_500_ends_in_a_source_error_naming_the_url(api: FranceTravailReplay) -> None:
    api.fail_500 = -1
    with client_for(api, max_retries=2) as client, pytest.raises(SourceError) as info:
        list(client.iter_offers(departement="74"))
    assert client.search_url in str(info.value) and "HTTP 500 after 3 attempts" in str(info.value)
    assert [status for _, status, _ in api.searches] == [500, 500, 500]


def test_an_expired_token_is_refreshed_once(api: FranceTravailReplay, offers: list[Any]) -> None:
    api.revoke_after = 1
    with client_for(api) as client:
        got = ids(client.iter_offers(departement="74"))
        assert client.stats.tokens == 2
    assert len(got) == sum(1 for o in offers if departement_of(o) == "74")
    assert [status for _, status, _ in api.searches] == [206, 401, 206, 200]
    assert api.token_requests == 2


def test_a_bad_range_is_a_source_error_with_the_api_message(api: FranceTravailReplay) -> None:
    with client_for(api) as client, pytest.raises(SourceError, match="trop grande"):
        client.search_page({"departement": "74"}, 0, 199)


def test_bad_credentials_are_a_config_error(api: FranceTravailReplay) -> None:
    client = FranceTravailClient(api.client_id, "wrong-secret", api_url=api.api_url, token_url=api.token_url)
    with client, pytest.raises(ConfigError, match=r"invalid_client|Client authentication failed") as info:
        next(client.iter_offers(departement="74"))
    assert "wrong-secret" not in str(info.value) and api.client_id in str(info.value)


def test_the_secret_never_appears_in_logs_errors_or_repr(
    api: FranceTravailReplay, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    api.rate_limit, api.fail_500, api.revoke_after = 2, 1, 2
    with client_for(api) as client:
        assert list(client.iter_offers(departement="74"))
        text = repr(client)
    api.fail_500 = -1
    with client_for(api, max_retries=1) as client, pytest.raises(SourceError) as info:
        list(client.iter_offers(departement="01"))
    assert caplog.records  # the test saw the log lines it checks
    for seen in (caplog.text, text, str(info.value), repr(info.value)):
        assert api.client_secret not in seen


def test_requests_are_spaced_by_the_rate_cap(api: FranceTravailReplay) -> None:
    with client_for(api, requests_per_second=10.0) as client:
        list(client.iter_offers(departement="74"))
        list(client.iter_offers(departement="74"))
    times = [t for _, _, t in api.searches]
    assert len(times) == 6
    # Sent 100 ms apart. One gap can look short at the server when the request before it was delivered late,
    # so the check is on the span of the five gaps (500 ms), where delivery jitter counts only at the two ends;
    # without the cap the six local requests take under 100 ms here.
    assert times[-1] - times[0] > 0.4
    assert all(b > a for a, b in itertools.pairwise(times))


def test_client_from_env(api: FranceTravailReplay) -> None:
    with pytest.raises(ConfigError, match="FT_CLIENT_ID and FT_CLIENT_SECRET"):
        client_from_env({})
    with pytest.raises(ConfigError, match=r"set FT_CLIENT_SECRET \(hint"):
        client_from_env({"FT_CLIENT_ID": "PAR_x"})
    env = {
        "FT_CLIENT_ID": api.client_id,
        "FT_CLIENT_SECRET": api.client_secret,
        "FT_API_URL": api.api_url,
        "FT_TOKEN_URL": api.token_url,
        "FT_REQUESTS_PER_SECOND": "500",
    }
    with client_from_env(env) as client:
        assert client.requests_per_second == 500.0
        assert len(list(client.iter_offers(departement="52"))) == sum(1 for _ in api._select({"departement": "52"}))
        assert api.client_secret not in repr(client)


def test_dates_are_parsed_and_checked() -> None:
    assert api_datetime("2025-01-01T10:00:00Z") == datetime(2025, 1, 1, 10, tzinfo=UTC)
    assert api_datetime("2025-01-01T12:00:00+02:00") == datetime(2025, 1, 1, 10, tzinfo=UTC)
    with pytest.raises(ConfigError, match="min_creation_date 'yesterday'"):
        api_datetime("yesterday", parameter="min_creation_date")


def test_module_level_iter_offers_uses_the_given_client(api: FranceTravailReplay, offers: list[Any]) -> None:
    with client_for(api) as client:
        got = ids(iter_offers(departement="68", client=client))
    assert sorted(got) == sorted(str(o["id"]) for o in offers if departement_of(o) == "68")


def test_a_token_refused_even_when_fresh_is_a_config_error(offers: list[Any]) -> None:
    with FranceTravailReplay(offers, token_ttl=-1) as broken:  # every token is born expired
        with client_for(broken) as client, pytest.raises(ConfigError, match="HTTP 401 even with a fresh token"):
            next(client.iter_offers(departement="74"))
        assert [status for _, status, _ in broken.searches] == [401, 401]
        assert broken.token_requests == 2
