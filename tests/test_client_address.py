"""The client's address comes from trusted proxies only, and the registration limit counts by that address.

Anyone can send X-Forwarded-For. Believed from everyone, it lets a client pick its own rate-limit bucket; never
believed, every user behind the service's own proxy shares one bucket. TRUSTED_PROXIES says whose to believe."""

import ipaddress
from collections.abc import Iterator

import httpx
import pytest
from starlette.datastructures import Headers

from app.api.client_address import client_address, forwarded_for, parse_networks
from tests.conftest import migrated_database
from tests.flows import registration
from tests.live import serving

PROXY = parse_networks("10.0.0.0/8, 2001:db8::/32")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),  # not a proxy of ours: its header means nothing
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),  # our proxy says who it forwarded for
        ("10.0.0.2", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # what the client wrote itself comes first
        ("10.0.0.2", ["198.51.100.1", "10.0.0.9"], "198.51.100.1"),  # two of our proxies in a row
        ("10.0.0.2", ["10.0.0.8", "10.0.0.9"], "10.0.0.8"),  # every hop ours: the farthest one known
        ("10.0.0.2", ["unknown"], "10.0.0.2"),  # a hop nobody can vouch for: stop at our proxy
        ("10.0.0.2", [], "10.0.0.2"),
        ("2001:db8::5", ["[2001:db8:cafe::17]:4711"], "2001:db8:cafe::17"),
        ("10.0.0.2", ["198.51.100.1:5000"], "198.51.100.1"),
    ],
)
def test_the_client_is_the_first_address_no_trusted_proxy_added(peer, forwarded, expected):
    assert client_address(peer, forwarded, PROXY) == expected


def test_forwarded_is_read_before_x_forwarded_for():
    headers = Headers(
        raw=[
            (b"forwarded", b'for=192.0.2.60;proto=https;by=10.0.0.1, for="[2001:db8:cafe::17]:4711"'),
            (b"x-forwarded-for", b"6.6.6.6"),
        ]
    )
    assert forwarded_for(headers) == ["192.0.2.60", '"[2001:db8:cafe::17]:4711"']
    # 2001:db8:cafe::17 is inside 2001:db8::/32, one of ours: the client is the hop before it.
    assert client_address("10.0.0.2", forwarded_for(headers), PROXY) == "192.0.2.60"


def test_a_mistyped_trusted_proxy_is_refused_not_ignored():
    with pytest.raises(ValueError):
        parse_networks("10.0.0.0/8, ten.zero.zero.one")
    assert parse_networks("192.168.1.5") == (ipaddress.ip_network("192.168.1.5/32"),)


# ---------------------------------------------------------------- a live server, as the proxy would reach it


@pytest.fixture
def registry_database(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with migrated_database(tmp_path_factory, "proxies") as url:
        yield url


def register(http: httpx.Client, forwarded_for: str | None = None, **fields: object) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return http.post("/v1/signatories", json=registration(**fields), headers=headers)


def test_a_spoofed_forwarded_for_does_not_buy_a_new_allowance(registry_database):
    with serving(registry_database, REGISTRATION_LIMIT="2") as api, httpx.Client(base_url=api) as http:
        first = register(http, "198.51.100.1")
        assert first.status_code == 201
        assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("2", "1")
        assert register(http, "198.51.100.2").status_code == 201
        refused = register(http, "198.51.100.3")  # a third "client", from the same peer: the same bucket
        assert refused.status_code == 429
        assert refused.headers["ratelimit-remaining"] == "0"
        assert 0 < int(refused.headers["ratelimit-reset"]) <= 3600


def test_behind_a_trusted_proxy_each_client_has_its_own_allowance(registry_database):
    settings = {"REGISTRATION_LIMIT": "2", "TRUSTED_PROXIES": "127.0.0.1"}
    with serving(registry_database, **settings) as api, httpx.Client(base_url=api) as http:
        for _ in range(2):
            assert register(http, "198.51.100.1").status_code == 201
        assert register(http, "198.51.100.1").status_code == 429
        assert register(http, "198.51.100.2").status_code == 201  # another young person's council, same proxy


def test_a_duplicate_registration_does_not_spend_the_allowance(registry_database):
    with serving(registry_database, REGISTRATION_LIMIT="2") as api, httpx.Client(base_url=api) as http:
        made = register(http, companies_house_number="07654321")
        assert made.status_code == 201 and made.headers["ratelimit-remaining"] == "1"
        for _ in range(3):
            duplicate = register(http, companies_house_number="07654321")
            assert duplicate.status_code == 409
            assert duplicate.headers["ratelimit-remaining"] == "1"
        assert register(http, companies_house_number="07654322").status_code == 201
        assert register(http, companies_house_number="07654323").status_code == 429
