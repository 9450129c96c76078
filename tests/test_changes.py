"""The public change feed (`GET /v1/changes`): every public change once, in commit order, and nothing private.
Expected changes are the ones each test makes through the API; the out-of-order case commits two transactions
in the opposite order to the one they wrote in."""

import asyncio

import pytest
from sqlalchemy import select

from app.models import Signatory
from app.services import changes
from tests.conftest import on_postgresql
from tests.flows import bearer, council, draft_pledge, published_pledge, register


async def follow(client, after: str | None = None) -> tuple[list[dict], str]:
    """Every change after the cursor, page by page as a partner reads them, and the cursor to poll with next."""
    seen: list[dict] = []
    while True:
        answer = await client.get("/v1/changes", params={"after": after, "limit": 3} if after else {"limit": 3})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += page["items"]
        assert page["next_cursor"], "the cursor to poll with is never missing"
        if not page["items"]:
            return seen, after or page["next_cursor"]
        after = page["next_cursor"]


def kinds(seen: list[dict]) -> list[tuple[str, str]]:
    return [(change["type"], change["record"]["id"]) for change in seen]


async def test_an_offer_s_public_life_is_in_the_feed_in_order(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, cursor = await follow(client)
    signatory, org_key, pledge = await published_pledge(client, lancashire, offers=2)
    first, second = (offer["id"] for offer in pledge["commitments"])

    seen, cursor = await follow(client, cursor)
    assert kinds(seen) == [
        ("organisation.verified", signatory["id"]),
        *sorted([("offer.published", first), ("offer.published", second)], key=lambda kind: kind[1]),
    ]

    etag = (await client.get(f"/v1/commitments/{first}", headers=bearer(org_key))).headers["etag"]
    paused = await client.patch(
        f"/v1/commitments/{first}", json={"status": "paused"}, headers={**bearer(org_key), "If-Match": etag}
    )
    assert paused.status_code == 200
    withdrawn = await client.post(
        f"/v1/commitments/{second}/withdraw", json={"reason": "No places this year."}, headers=bearer(org_key)
    )
    assert withdrawn.status_code == 200

    seen, cursor = await follow(client, cursor)
    assert kinds(seen) == [("offer.status_changed", first), ("offer.withdrawn", second)]
    assert "status" in seen[0]["changes"]
    assert len({change["id"] for change in seen}) == len(seen)


async def test_renaming_an_organisation_changes_each_of_its_offers(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key, pledge = await published_pledge(client, lancashire, offers=2)
    _, cursor = await follow(client)

    etag = (await client.get(f"/v1/signatories/{signatory['id']}", headers=bearer(org_key))).headers["etag"]
    renamed = await client.patch(
        f"/v1/signatories/{signatory['id']}",
        json={"name": "Renamed Ltd"},
        headers={**bearer(org_key), "If-Match": etag},
    )
    assert renamed.status_code == 200

    seen, _ = await follow(client, cursor)
    assert sorted(kinds(seen)) == sorted(("offer.changed", offer["id"]) for offer in pledge["commitments"])
    assert all("signatory" in change["changes"] for change in seen)


async def test_suspending_an_organisation_withdraws_its_offers_from_the_feed(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, _, pledge = await published_pledge(client, lancashire, offers=1)
    _, cursor = await follow(client)

    suspended = await client.post(
        f"/v1/signatories/{signatory['id']}/suspend",
        json={"note": "Complaint under review."},
        headers=bearer(lancashire.officer_key),
    )
    assert suspended.status_code == 200, suspended.text

    seen, _ = await follow(client, cursor)
    assert sorted(kinds(seen)) == sorted(
        # Not "suspended": public reads do not say an organisation was suspended, so neither does the feed.
        [("organisation.withdrawn", signatory["id"]), ("offer.withdrawn", pledge["commitments"][0]["id"])]
    )


async def test_a_covenant_opened_and_closed(client, keyring):
    _, cursor = await follow(client)
    lancashire = await council(client, await keyring.operator())  # created open
    covenant_id = lancashire.covenant["id"]
    etag = (await client.get(f"/v1/covenants/{covenant_id}", headers=bearer(lancashire.officer_key))).headers["etag"]
    closed = await client.patch(
        f"/v1/covenants/{covenant_id}",
        json={"status": "closed"},
        headers={**bearer(lancashire.officer_key), "If-Match": etag},
    )
    assert closed.status_code == 200, closed.text

    seen, _ = await follow(client, cursor)
    assert kinds(seen) == [("covenant.opened", covenant_id), ("covenant.closed", covenant_id)]


async def test_private_changes_never_appear(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, cursor = await follow(client)

    signatory, org_key = await register(client)  # a pending organisation
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=2)  # a draft with offers
    etag = (await client.get(f"/v1/signatories/{signatory['id']}", headers=bearer(org_key))).headers["etag"]
    contact = await client.patch(
        f"/v1/signatories/{signatory['id']}",
        json={"contact": {"name": "New Contact", "email": "new@example.org"}},
        headers={**bearer(org_key), "If-Match": etag},
    )
    assert contact.status_code == 200, contact.text
    assert (await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))).status_code == 200

    seen, _ = await follow(client, cursor)
    assert seen == []


async def test_a_cursor_not_given_by_the_feed_is_a_validation_problem(client):
    answer = await client.get("/v1/changes", params={"after": "made-up"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["pointer"] == "/after"


@pytest.mark.skipif(not on_postgresql(), reason="SQLite runs one write transaction at a time")
async def test_a_change_committed_after_a_later_one_is_still_seen_once(client, app, factory):
    """Transaction A writes its change first and commits last; B writes second and commits first. A reader that
    polls between the commits has already passed B's change, and must still get A's (an id or time cursor would
    skip it, since A's row is older)."""
    # Two organisations, so neither transaction waits for the other's row lock.
    organisation_a, organisation_b = await factory.signatory(), await factory.signatory()
    _, cursor = await follow(client)
    first_written = changes.change_row("offer.changed", "commitment", "cmt_A")
    second_written = changes.change_row("offer.changed", "commitment", "cmt_B")
    a_wrote, read_between = asyncio.Event(), asyncio.Event()

    async def transaction_a() -> None:
        async with app.state.sessionmaker() as session:
            await write_change(session, organisation_a.id, first_written)
            a_wrote.set()
            await read_between.wait()  # B has committed and a reader has polled past it
            await session.commit()

    async def transaction_b() -> None:
        await a_wrote.wait()
        async with app.state.sessionmaker() as session:
            await write_change(session, organisation_b.id, second_written)
            await session.commit()

    task_a = asyncio.create_task(transaction_a())
    await transaction_b()
    seen_between, cursor = await follow(client, cursor)
    read_between.set()
    await task_a
    seen_after, _ = await follow(client, cursor)

    assert [change["id"] for change in seen_between] == [second_written["id"]]
    assert [change["id"] for change in seen_after] == [first_written["id"]]


async def write_change(session, signatory_id: str, change: dict) -> None:
    """A change's outbox row and a write beside it (as every use case makes), in the session's transaction."""
    row = (await session.execute(select(Signatory).where(Signatory.id == signatory_id))).scalar_one()
    row.description = f"{row.description}."
    await session.flush()
    await changes.record(await session.connection(), [change])


@pytest.mark.skipif(not on_postgresql(), reason="SQLite runs one write transaction at a time")
async def test_a_reader_polling_beside_concurrent_writers_sees_every_change_exactly_once(client, keyring):
    lancashire = await council(client, await keyring.operator())
    organisations = [await published_pledge(client, lancashire, offers=1) for _ in range(4)]
    _, cursor = await follow(client)
    done = asyncio.Event()

    async def toggle(org_key: str, offer_id: str) -> None:
        for status in ("paused", "active", "full", "active", "paused"):
            etag = (await client.get(f"/v1/commitments/{offer_id}", headers=bearer(org_key))).headers["etag"]
            answer = await client.patch(
                f"/v1/commitments/{offer_id}", json={"status": status}, headers={**bearer(org_key), "If-Match": etag}
            )
            assert answer.status_code == 200, answer.text

    async def read_while_they_write() -> list[dict]:
        nonlocal cursor
        collected: list[dict] = []
        while not done.is_set():
            seen, cursor = await follow(client, cursor)
            collected += seen
            await asyncio.sleep(0)
        seen, cursor = await follow(client, cursor)
        return collected + seen

    reader = asyncio.create_task(read_while_they_write())
    await asyncio.gather(*(toggle(key, pledge["commitments"][0]["id"]) for _, key, pledge in organisations))
    done.set()
    collected = await reader

    from_the_start, _ = await follow(client)
    expected = [change for change in from_the_start if change["type"] == "offer.status_changed"]
    assert len(expected) == 4 * 5
    assert [change["id"] for change in collected] == [change["id"] for change in expected]
