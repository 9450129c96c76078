"""Lost updates and duplicate POSTs under real concurrency: requests run at once on several database connections
(on PostgreSQL each in its own transaction; SQLite serialises the writers)."""

import asyncio
import uuid

from tests.flows import bearer, commitment_body, council, draft_pledge, register

ATTEMPTS = 20


async def test_concurrent_patches_with_one_etag_let_exactly_one_through(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug)
    offer = (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"][0]
    etag = (await client.get(f"/v1/commitments/{offer['id']}", headers=bearer(org_key))).headers["etag"]

    async def patch(number: int):
        return await client.patch(
            f"/v1/commitments/{offer['id']}",
            json={"title": f"Title from writer {number}"},
            headers={**bearer(org_key), "If-Match": etag},
        )

    responses = await asyncio.gather(*(patch(number) for number in range(ATTEMPTS)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [412] * (ATTEMPTS - 1), statuses

    winner = next(response for response in responses if response.status_code == 200)
    stored = (await client.get(f"/v1/commitments/{offer['id']}", headers=bearer(org_key))).json()
    assert stored["title"] == winner.json()["title"]  # the one that succeeded is the one that stuck
    trail = await client.get(
        f"/v1/audit-events?record_id={offer['id']}&action=commitment.update", headers=bearer(lancashire.officer_key)
    )
    assert len(trail.json()["items"]) == 1


async def test_concurrent_retries_of_one_post_create_one_record(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    idempotency_key = str(uuid.uuid4())
    body = commitment_body(title="Guaranteed interview")

    async def post():
        return await client.post(
            f"/v1/pledges/{pledge['id']}/commitments",
            json=body,
            headers={**bearer(org_key), "Idempotency-Key": idempotency_key},
        )

    responses = await asyncio.gather(*(post() for _ in range(ATTEMPTS)))
    assert {response.status_code for response in responses} == {201}
    assert len({response.content for response in responses}) == 1  # every caller got the same response
    assert sum(response.headers.get("idempotent-replayed") == "true" for response in responses) == ATTEMPTS - 1

    stored = (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"]
    assert [offer["title"] for offer in stored] == ["Guaranteed interview"]


async def test_same_key_with_another_body_is_422(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    headers = {**bearer(org_key), "Idempotency-Key": "retry-me-1"}
    first = await client.post(f"/v1/pledges/{pledge['id']}/commitments", json=commitment_body(), headers=headers)
    assert first.status_code == 201
    again = await client.post(f"/v1/pledges/{pledge['id']}/commitments", json=commitment_body(), headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    different = await client.post(
        f"/v1/pledges/{pledge['id']}/commitments", json=commitment_body(title="Another offer"), headers=headers
    )
    assert different.status_code == 422
    assert different.json()["type"] == "/problems/idempotency-key-reused"


async def test_a_failed_first_attempt_does_not_hold_the_key(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    headers = {**bearer(org_key), "Idempotency-Key": "after-a-fix"}
    body = commitment_body(priority="NOPE")
    failed = await client.post(f"/v1/pledges/{pledge['id']}/commitments", json=body, headers=headers)
    assert failed.status_code == 422
    # Nothing was kept: the same key now works for the corrected request.
    fixed = await client.post(f"/v1/pledges/{pledge['id']}/commitments", json=commitment_body(), headers=headers)
    assert fixed.status_code == 201


async def test_keys_are_per_caller(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, alpha_key = await register(client)
    _, beta_key = await register(client)
    alpha = await client.post(
        "/v1/pledges",
        json={"covenant": lancashire.slug, "statement": "A"},
        headers={**bearer(alpha_key), "Idempotency-Key": "shared-name"},
    )
    beta = await client.post(
        "/v1/pledges",
        json={"covenant": lancashire.slug, "statement": "A"},
        headers={**bearer(beta_key), "Idempotency-Key": "shared-name"},
    )
    assert alpha.status_code == beta.status_code == 201
    assert alpha.json()["id"] != beta.json()["id"]
