"""The offers finder for council pages, over HTTP: the script as it is served (type, caching, 304, CORS, size), and
the iframe page, which shows the same offers as `GET /v1/commitments` for the same filters, pages by links, says
what to change in plain words when a filter cannot be used, and shows nothing private."""

import gzip
import html
import re
from html.parser import HTMLParser

import pytest

from app.services.embed import SCRIPT, content_security_policy

PRESTON = "E07000123"
LANCASHIRE = "E10000017"
LEEDS = "E08000035"


class Page(HTMLParser):
    """What a test reads of the finder page: the result cards' ids, links, and the form's fields."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.card_ids: list[str] = []
        self.links: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        self._link: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "h3" and (found.get("id") or "").startswith("offer-"):
            self.card_ids.append((found["id"] or "").removeprefix("offer-"))
        if tag == "a":
            self._link = found.get("href")
        if tag == "input" and found.get("name"):
            self.inputs[found["name"] or ""] = found.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._link is not None and data.strip():
            self.links.setdefault(data.strip(), self._link)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._link = None


@pytest.fixture
async def offers(factory):
    """A covenant with offers in Preston, in Lancashire (Preston's county), nationally and in Leeds."""
    covenant, priorities = await factory.covenant(slug="lancashire-care-leavers", title="Lancashire Care Leavers")
    made = []
    for number, (areas, offer_type, min_age) in enumerate(
        [
            ((PRESTON,), "job", 16),
            ((LANCASHIRE,), "apprenticeship", 18),
            (("national",), "job", 21),
            ((LEEDS,), "job", 16),
            ((PRESTON,), "mentoring", 16),
            ((LANCASHIRE,), "job", 16),
            (("remote",), "job", 16),
        ]
    ):
        signatory = await factory.signatory(name=f"Bakery {number:02d}")
        pledge = await factory.pledge(signatory, covenant)
        made.append(
            await factory.commitment(
                pledge,
                priorities[number % 2],
                areas=areas,
                offer_type=offer_type,
                min_age=min_age,
                title=f"Chef training {number}" if number % 2 else f"Kitchen job {number}",
            )
        )
    # Not public: a draft pledge's offer.
    hidden_pledge = await factory.pledge(await factory.signatory(), covenant, status="draft", published_at=None)
    await factory.commitment(hidden_pledge, priorities[0], areas=(PRESTON,), title="Draft offer")
    return covenant, made


async def api_ids(client, **query) -> list[str]:
    response = await client.get("/v1/commitments", params=query)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# ---------------------------------------------------------------- the script


async def test_the_script_is_javascript_cached_by_etag_and_open_to_every_origin(client):
    response = await client.get("/embed/v1/offers.js", headers={"Origin": "https://www.council.example"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == SCRIPT.read_bytes()
    assert "customElements.define" in response.text
    etag = response.headers["etag"]
    assert re.fullmatch(r'(W/)?"[0-9a-f]{32}"', etag)

    again = await client.get("/embed/v1/offers.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"].removeprefix("W/") == etag.removeprefix("W/")
    stale = await client.get("/embed/v1/offers.js", headers={"If-None-Match": '"0123"'})
    assert stale.status_code == 200


async def test_the_script_is_under_30_kb_gzipped():
    size = len(gzip.compress(SCRIPT.read_bytes(), compresslevel=9))
    assert size < 30 * 1024, f"offers.js is {size} bytes gzipped"


def test_the_script_asks_only_its_own_registry_and_keeps_nothing():
    source = SCRIPT.read_text()
    assert "new URL(import.meta.url).origin" in source
    assert re.findall(r"https?://", source.split("*/", 1)[1]) == [], "a host named in the script's code"
    for keeping in ("document.cookie", "localStorage", "sessionStorage", "indexedDB", "sendBeacon"):
        assert keeping not in source


# ---------------------------------------------------------------- the iframe page


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"area": "PR1 2HE"},
        {"area": "Preston", "age": "17"},
        {"area": "PR1 2HE", "offer_type": "job"},
        {"area": LEEDS, "q": "kitchen"},
        {"q": "chef", "priority": "P1"},
    ],
)
async def test_the_page_shows_what_the_api_finds_for_the_same_filters(client, offers, query):
    covenant, _ = offers
    # An empty `area` is everywhere (absent, the page starts from the covenant's council).
    query = {"covenant": covenant.slug, "limit": "100", "area": "", **query}
    response = await client.get("/embed/v1/offers", params=query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    expected = await api_ids(client, **{name: value for name, value in query.items() if value})
    assert expected, "a query that finds nothing proves little"
    assert Page(response.text).card_ids == expected


async def test_the_next_page_link_pages_through_every_offer_once(client, offers):
    covenant, made = offers
    url = f"/embed/v1/offers?covenant={covenant.slug}&limit=3&area="
    seen: list[str] = []
    for _ in range(10):
        response = await client.get(url)
        assert response.status_code == 200
        page = Page(response.text)
        seen += page.card_ids
        if "Next page of offers" not in page.links:
            break
        url = page.links["Next page of offers"].replace("&amp;", "&")
    assert len(seen) == len(set(seen)) == len(made)
    assert seen == await api_ids(client, covenant=covenant.slug, limit=100)


async def test_without_an_area_the_page_starts_from_the_covenants_council(client, factory):
    lancashire = await factory.authority(name="Lancashire County Council", gss_code=LANCASHIRE)
    covenant, priorities = await factory.covenant(lancashire)
    pledge = await factory.pledge(await factory.signatory(), covenant)
    near = await factory.commitment(pledge, priorities[0], areas=(PRESTON,))
    await factory.commitment(pledge, priorities[0], areas=(LEEDS,))
    page = Page((await client.get(f"/embed/v1/offers?covenant={covenant.slug}")).text)
    assert page.inputs["area"] == "Lancashire"
    assert page.card_ids == [near.id]
    # Emptied on purpose, it means everywhere.
    assert len(Page((await client.get(f"/embed/v1/offers?covenant={covenant.slug}&area=")).text).card_ids) == 2


async def test_the_page_may_be_framed_as_the_setting_says_and_says_so_in_its_policy(client, offers):
    covenant, _ = offers
    response = await client.get(f"/embed/v1/offers?covenant={covenant.slug}")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert "x-frame-options" not in response.headers
    # The inline stylesheet is allowed by its hash, not by 'unsafe-inline'.
    assert "unsafe-inline" not in policy


async def test_the_page_revalidates_by_etag(client, offers):
    covenant, _ = offers
    url = f"/embed/v1/offers?covenant={covenant.slug}&area=PR1+2HE"
    first = await client.get(url)
    assert first.headers["cache-control"] == "public, max-age=60"
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def test_an_unknown_postcode_is_a_message_beside_its_field_with_status_422(client, offers):
    covenant, _ = offers
    response = await client.get(f"/embed/v1/offers?covenant={covenant.slug}&area=ZZ9+9ZZ&age=19")
    assert response.status_code == 422
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "content-security-policy" in response.headers
    assert "We could not find “ZZ9 9ZZ”" in response.text
    assert 'aria-describedby="area-hint area-error" aria-invalid="true"' in response.text
    assert Page(response.text).card_ids == []
    assert (await client.get("/v1/commitments?area=ZZ9+9ZZ")).status_code == 422  # as the API says


async def test_a_name_that_could_be_several_councils_offers_each_as_a_link(client, offers):
    covenant, _ = offers
    problem = (await client.get("/v1/commitments", params={"area": "North"})).json()
    assert problem["status"] == 422 and len(problem["candidates"]) > 1
    response = await client.get("/embed/v1/offers", params={"covenant": covenant.slug, "area": "North"})
    assert response.status_code == 422
    page = Page(response.text)
    for candidate in problem["candidates"]:
        assert f"area={candidate['code']}" in page.links[candidate["name"]]
    assert "could be more than one council" in response.text


async def test_a_bad_age_and_text_are_said_in_plain_words(client, offers):
    covenant, _ = offers
    response = await client.get("/embed/v1/offers", params={"covenant": covenant.slug, "age": "forty"})
    assert response.status_code == 422
    assert "Enter your age as a number, like 19." in response.text
    response = await client.get("/embed/v1/offers", params={"covenant": covenant.slug, "age": "40"})
    assert "Enter an age from 0 to 30." in response.text


async def test_an_unknown_covenant_is_a_message_not_an_error_page(client):
    response = await client.get("/embed/v1/offers?covenant=no-such-covenant")
    assert response.status_code == 422
    assert "the council's covenant is not known" in html.unescape(response.text)


async def test_the_page_shows_nothing_private(client, offers):
    covenant, made = offers
    response = await client.get(f"/embed/v1/offers?covenant={covenant.slug}&limit=100&area=")
    assert "Draft offer" not in response.text
    for private in ("Private Person", "private.person.", "07700 900000"):
        assert private not in response.text
    assert len(Page(response.text).card_ids) == len(made)


async def test_the_example_page_shows_both_ways_and_may_run_the_script(client, offers):
    covenant, _ = offers
    response = await client.get(f"/embed/v1/example?covenant={covenant.slug}")
    assert response.status_code == 200
    assert f'<covenant-offers covenant="{covenant.slug}"' in response.text
    assert '<script type="module" src="/embed/v1/offers.js"></script>' in response.text
    assert f'<iframe src="/embed/v1/offers?covenant={covenant.slug}"' in response.text
    assert "http://testserver/embed/v1/offers.js" in response.text  # the snippet to copy names the registry
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "frame-src 'self'" in policy
    assert (await client.get("/embed/v1/example")).status_code == 200  # the first open covenant
    assert (await client.get("/embed/v1/example?covenant=nothing-here")).status_code == 404


async def test_the_embed_routes_are_not_part_of_the_contract(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [path for path in paths if path.startswith("/embed")]


@pytest.mark.parametrize(
    ("configured", "sources"),
    [
        ("*", "*"),
        (
            "https://www.lancashire.gov.uk https://*.lancashire.gov.uk",
            "'self' https://www.lancashire.gov.uk https://*.lancashire.gov.uk",
        ),
        ("'none'", "'self'"),  # the example page still frames the finder
        ("", "'self'"),
    ],
)
def test_frame_ancestors_follow_the_setting(configured, sources):
    policy = content_security_policy(configured)
    assert f"frame-ancestors {sources}" in policy.split("; ")
