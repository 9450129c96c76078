"""Keyset pagination of the public lists: walking `next_cursor` or the `Link: rel="next"` header visits every
record exactly once, keeps the filters, survives records added or removed mid-walk, and refuses cursors it
did not issue with a problem, never a 500."""

import base64
import re
from datetime import UTC, datetime

import pytest

from app.ids import new_id

CREATED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CREATED_MS = int(CREATED.timestamp() * 1000)
NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')
MAX_PAGES = 200


@pytest.fixture
async def shelf(factory):
    """57 public offers sharing one created_at, their ids minted ten to a millisecond: every tie a keyset can meet.

    Every third offer is a job; offers at odd positions are for 18 to 21 year olds."""
    covenant, priorities = await factory.covenant(priorities=2)
    pledges = [await factory.pledge(await factory.signatory(), covenant) for _ in range(3)]
    rows = []
    for number in range(57):
        rows.append(
            await factory.commitment(
                pledges[number % 3],
                priorities[number % 2],
                id=new_id("commitment", at_ms=CREATED_MS + number // 10),
                created_at=CREATED,
                updated_at=CREATED,
                offer_type="job" if number % 3 == 0 else "mentoring",
                min_age=18 if number % 2 else 16,
                max_age=21 if number % 2 else 25,
                title=f"Offer {number}",
            )
        )
    return {"rows": rows, "covenant": covenant, "priorities": priorities, "pledges": pledges}


async def walk_cursors(client, path: str, params: list) -> list[list[str]]:
    """The ids of each page, following `next_cursor` until it is null."""
    pages, cursor = [], None
    while len(pages) < MAX_PAGES:
        response = await client.get(path, params=params + ([("cursor", cursor)] if cursor else []))
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        assert ("link" in response.headers) == (cursor is not None)
        if cursor is None:
            return pages
    raise AssertionError("the cursor never ran out")


async def walk_links(client, path: str, params: list) -> list[list[str]]:
    """The ids of each page, following the `Link: <...>; rel="next"` header until there is none."""
    pages, response = [], await client.get(path, params=params)
    while len(pages) < MAX_PAGES:
        assert response.status_code == 200, response.text
        pages.append([item["id"] for item in response.json()["items"]])
        link = response.headers.get("link")
        if link is None:
            assert response.json()["next_cursor"] is None
            return pages
        (url,) = NEXT_LINK.findall(link)
        response = await client.get(url)
    raise AssertionError("the Link header never ran out")


def flatten(pages: list[list[str]]) -> list[str]:
    seen = [item for page in pages for item in page]
    assert len(seen) == len(set(seen)), "an item was listed on two pages"
    return seen


WALKS = pytest.mark.parametrize("walk", [walk_cursors, walk_links], ids=["next_cursor", "link"])


@WALKS
async def test_walking_the_pages_visits_every_offer_once(client, shelf, walk):
    pages = await walk(client, "/v1/commitments", [("limit", 10)])
    assert [len(page) for page in pages] == [10, 10, 10, 10, 10, 7]
    assert set(flatten(pages)) == {row.id for row in shelf["rows"]}
    # The walk follows the same order as a single large page.
    single = (await client.get("/v1/commitments", params={"limit": 100})).json()["items"]
    assert flatten(pages) == [item["id"] for item in single]


@WALKS
@pytest.mark.parametrize("limit", [1, 7, 19, 57, 100])
async def test_any_page_size_ends_without_an_empty_page(client, shelf, walk, limit):
    pages = await walk(client, "/v1/commitments", [("limit", limit)])
    assert len(pages) == -(-57 // limit)
    assert all(0 < len(page) <= limit for page in pages)
    assert set(flatten(pages)) == {row.id for row in shelf["rows"]}


@WALKS
@pytest.mark.parametrize(
    ("params", "keeps"),
    [
        ([("offer_type", "job")], lambda row: row.offer_type == "job"),
        ([("age", 17), ("offer_type", "job")], lambda row: row.offer_type == "job" and row.min_age <= 17),
        ([("offer_type", "job"), ("offer_type", "mentoring"), ("age", 22)], lambda row: row.max_age == 25),
        ([("q", "offer 1")], lambda row: row.title.startswith("Offer 1")),
    ],
)
async def test_the_cursor_keeps_the_filter(client, shelf, walk, params, keeps):
    expected = {row.id for row in shelf["rows"] if keeps(row)}
    pages = await walk(client, "/v1/commitments", [*params, ("limit", 4)])
    assert len(pages) == -(-len(expected) // 4)
    assert set(flatten(pages)) == expected


async def test_the_cursor_keeps_a_filter_on_one_pledge(client, shelf):
    pledge = shelf["pledges"][1]
    expected = {row.id for row in shelf["rows"] if row.pledge_id == pledge.id}
    pages = await walk_links(client, "/v1/commitments", [("pledge", pledge.id), ("limit", 5)])
    assert set(flatten(pages)) == expected


async def test_offers_added_or_removed_mid_walk_cause_no_repeats_or_skips(client, factory, shelf):
    rows, pledge, priority = shelf["rows"], shelf["pledges"][0], shelf["priorities"][0]
    first = await client.get("/v1/commitments", params={"limit": 10})
    second = await client.get("/v1/commitments", params={"limit": 10, "cursor": first.json()["next_cursor"]})
    seen = [item["id"] for item in first.json()["items"] + second.json()["items"]]

    # One offer sorts before the cursor, one after; the offer the cursor points at is no longer public.
    earlier = await factory.commitment(pledge, priority, id=new_id("commitment", at_ms=CREATED_MS - 60_000))
    later = await factory.commitment(pledge, priority, id=new_id("commitment", at_ms=CREATED_MS + 60_000))
    at_cursor = next(row for row in rows if row.id == seen[-1])
    await factory.update(at_cursor, status="ended")

    rest = await walk_cursors(client, "/v1/commitments", [("limit", 10), ("cursor", second.json()["next_cursor"])])
    walked = flatten([seen, *rest])
    assert earlier.id not in walked
    assert set(walked) == {row.id for row in rows} | {later.id}


async def test_signatories_with_the_same_name_page_by_id(client, factory):
    made = [await factory.signatory(name="Same Name Ltd" if n % 3 else f"Name {n:02d}") for n in range(23)]
    for walk in (walk_cursors, walk_links):
        pages = await walk(client, "/v1/signatories", [("limit", 4)])
        assert [len(page) for page in pages] == [4, 4, 4, 4, 4, 3]
        assert set(flatten(pages)) == {row.id for row in made}


async def test_pledges_page_through(client, factory):
    covenant, _ = await factory.covenant()
    made = [await factory.pledge(await factory.signatory(), covenant) for _ in range(13)]
    for walk in (walk_cursors, walk_links):
        pages = await walk(client, "/v1/pledges", [("limit", 5), ("covenant", covenant.slug)])
        assert [len(page) for page in pages] == [5, 5, 3]
        assert set(flatten(pages)) == {row.id for row in made}


# ---------------------------------------------------------------- cursors the service did not issue


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


BAD_CURSORS = [
    "not a cursor!",
    "abc",
    "A" * 201,
    encoded(b"not json"),
    encoded(b'{"id": "cmt_01"}'),
    encoded(b"[]"),
    encoded(b"[null]"),
    encoded(b"[1.5]"),
    encoded(b'["cmt_01", "cmt_02"]'),
    encoded(b"[[1]]"),
    encoded(b"[" + b"9" * 40 + b"]"),
]
ONE_KEY = ["/v1/commitments", "/v1/pledges", "/v1/covenants"]  # ordered by id
TWO_KEYS = ["/v1/signatories", "/v1/authorities"]  # ordered by name, then id


async def assert_refused(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == response.status_code


@pytest.mark.parametrize("cursor", BAD_CURSORS)
async def test_a_tampered_cursor_is_refused(client, shelf, cursor):
    await assert_refused(await client.get("/v1/commitments", params={"cursor": cursor, "limit": 10}))


@pytest.mark.parametrize(
    ("path", "raw"),
    [(path, raw) for path in ONE_KEY for raw in (b"[1, 2]", b'["x", "y"]', b"[]")]
    + [(path, raw) for path in TWO_KEYS for raw in (b"[1]", b'["x"]', b'["a", "b", "c"]')],
)
async def test_a_cursor_with_the_wrong_number_of_keys_is_refused(client, factory, path, raw):
    await factory.public_offer()
    await assert_refused(await client.get(path, params={"cursor": encoded(raw)}))


@pytest.mark.parametrize(
    ("path", "raw"),
    [(path, raw) for path in ONE_KEY for raw in (b"[1]", b"[true]")]
    + [(path, raw) for path in TWO_KEYS for raw in (b"[1, 2]", b'["x", 2]', b"[false, true]")],
)
async def test_a_cursor_with_keys_of_the_wrong_type_is_refused(client, factory, path, raw):
    await factory.public_offer()
    await assert_refused(await client.get(path, params={"cursor": encoded(raw)}))


async def test_a_cursor_of_another_list_is_refused(client, factory):
    await factory.signatory()
    await factory.signatory()
    signatory_cursor = (await client.get("/v1/signatories", params={"limit": 1})).json()["next_cursor"]
    assert signatory_cursor is not None
    await assert_refused(await client.get("/v1/commitments", params={"cursor": signatory_cursor}))
