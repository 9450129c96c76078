"""The review cycle: due and overdue pledges listed for officers; overdue past the grace period they lapse,
leave the public lists, and come back after resubmission and approval."""

from datetime import date, timedelta

from sqlalchemy import text

from tests.flows import bearer, council, published_pledge, run_command


async def set_review_due(app, pledge_id: str, due: date) -> None:
    async with app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE pledge SET review_due = :due WHERE id = :id"), {"due": due, "id": pledge_id})


async def public_ids(client) -> set[str]:
    return {item["id"] for item in (await client.get("/v1/pledges?limit=100")).json()["items"]}


async def test_officers_see_due_and_overdue_reviews(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    _, _, soon = await published_pledge(client, lancashire)
    _, _, late = await published_pledge(client, lancashire)
    _, _, later = await published_pledge(client, lancashire)
    await set_review_due(app, soon["id"], date.today() + timedelta(days=10))
    await set_review_due(app, late["id"], date.today() - timedelta(days=5))
    await set_review_due(app, later["id"], date.today() + timedelta(days=200))

    response = await client.get(
        f"/v1/covenants/{lancashire.slug}/reviews?within_days=30", headers=bearer(lancashire.officer_key)
    )
    items = response.json()["items"]
    assert [item["pledge"]["id"] for item in items] == [late["id"], soon["id"]]
    assert [item["overdue"] for item in items] == [True, False]
    assert [item["days_until_due"] for item in items] == [-5, 10]


async def test_approval_sets_review_due_from_the_covenant_cycle(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, _, pledge = await published_pledge(client, lancashire)
    published = date.fromisoformat(pledge["published_at"][:10])
    assert pledge["review_due"] == published.replace(year=published.year + 1).isoformat()


async def test_lapse_and_return_of_a_pledge(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    _, org_key, overdue = await published_pledge(client, lancashire)
    _, _, in_grace = await published_pledge(client, lancashire)
    await set_review_due(app, overdue["id"], date.today() - timedelta(days=45))
    await set_review_due(app, in_grace["id"], date.today() - timedelta(days=10))
    offer_id = overdue["commitments"][0]["id"]

    response = await client.post(
        f"/v1/covenants/{lancashire.slug}/lapse-overdue",
        json={"grace_days": 30},
        headers=bearer(lancashire.officer_key),
    )
    assert response.status_code == 200
    assert response.json()["lapsed"] == [overdue["id"]]
    assert overdue["id"] not in await public_ids(client)
    assert in_grace["id"] in await public_ids(client)
    assert (await client.get(f"/v1/commitments/{offer_id}")).status_code == 404
    trail = await client.get(
        f"/v1/audit-events?record_id={overdue['id']}&action=pledge.lapse", headers=bearer(lancashire.officer_key)
    )
    assert len(trail.json()["items"]) == 1

    resubmitted = await client.post(f"/v1/pledges/{overdue['id']}/submit", headers=bearer(org_key))
    assert resubmitted.json()["status"] == "submitted"
    assert overdue["id"] not in await public_ids(client)
    approved = await client.post(f"/v1/pledges/{overdue['id']}/approve", headers=bearer(lancashire.officer_key))
    assert approved.json()["status"] == "published"
    assert date.fromisoformat(approved.json()["review_due"]) > date.today()
    assert overdue["id"] in await public_ids(client)
    assert (await client.get(f"/v1/commitments/{offer_id}")).status_code == 200


async def test_lapse_overdue_command(client, keyring, app, database_url):
    lancashire = await council(client, await keyring.operator())
    _, _, overdue = await published_pledge(client, lancashire)
    await set_review_due(app, overdue["id"], date.today() - timedelta(days=31))

    printed = await run_command(database_url, "lapse-overdue", "--grace-days", "30")
    assert printed.split() == [overdue["id"]]
    mine = await client.get(f"/v1/pledges/{overdue['id']}", headers=bearer(lancashire.officer_key))
    assert mine.json()["status"] == "lapsed"
    trail = await client.get(f"/v1/audit-events?record_id={overdue['id']}", headers=bearer(lancashire.officer_key))
    assert trail.json()["items"][0]["actor_kind"] == "system"
