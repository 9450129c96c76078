"""Lost updates and duplicate POSTs under real concurrency: requests run at once on several database connections
(on PostgreSQL each in its own transaction; SQLite serialises the writers)."""

import asyncio
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import text

from app.ids import utcnow
from app.main import create_app
from tests.flows import bearer, commitment_body, council, draft_pledge, register, run_command

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


async def test_a_retry_while_the_first_attempt_holds_the_key_gets_409(client, keyring, app, settings):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    # A worker whose statements wait half a second for locked rows, beside the first attempt.
    impatient = create_app(settings.model_copy(update={"db_lock_timeout_ms": 500}))
    async with (
        impatient.router.lifespan_context(impatient),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=impatient), base_url="http://testserver") as retrier,
        app.state.engine.connect() as first_attempt,
    ):
        key_id = (
            await first_attempt.execute(
                text("SELECT id FROM api_key WHERE signatory_id = :id"), {"id": signatory["id"]}
            )
        ).scalar_one()
        await retrier.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))  # the key's use is noted first
        # What a first attempt still running holds: the key's record, claimed and not yet committed.
        await first_attempt.execute(
            text(
                "INSERT INTO idempotency_record (principal, key, fingerprint, status_code, response_headers, "
                "response_body, created_at, expires_at) VALUES (:who, 'slow-one', 'f', 0, '{}', '', :now, :later)"
            ),
            {"who": key_id, "now": utcnow(), "later": utcnow() + timedelta(days=1)},
        )
        retry = await retrier.post(
            f"/v1/pledges/{pledge['id']}/commitments",
            json=commitment_body(),
            headers={**bearer(org_key), "Idempotency-Key": "slow-one"},
        )
        await first_attempt.rollback()
    assert retry.status_code == 409
    assert retry.json()["type"] == "/problems/idempotency-key-in-use"
    stored = (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"]
    assert stored == []  # the retry changed nothing


async def expire_idempotency_key(app, key: str) -> None:
    """What a day's wait does to a key's record."""
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text("UPDATE idempotency_record SET created_at = :created, expires_at = :expired WHERE key = :key"),
            {"key": key, "created": utcnow() - timedelta(days=2), "expired": utcnow() - timedelta(days=1)},
        )


async def test_a_key_is_claimed_afresh_once_its_record_expires(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    path, headers = f"/v1/pledges/{pledge['id']}/commitments", {**bearer(org_key), "Idempotency-Key": "monthly-sync"}
    first = await client.post(path, json=commitment_body(title="First"), headers=headers)
    assert first.status_code == 201
    await expire_idempotency_key(app, "monthly-sync")

    # Past its retention the key is free: another request with it runs (no 422), and is the one now remembered.
    second = await client.post(path, json=commitment_body(title="Second"), headers=headers)
    assert second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]
    again = await client.post(path, json=commitment_body(title="Second"), headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == second.json()
    assert (await client.post(path, json=commitment_body(title="First"), headers=headers)).status_code == 422
    stored = (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"]
    assert sorted(offer["title"] for offer in stored) == ["First", "Second"]


async def test_sweep_command_deletes_expired_records_and_spent_rate_limits_only(client, keyring, app, database_url):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)  # counts a registration from the test client's address
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    path = f"/v1/pledges/{pledge['id']}/commitments"
    for key in ("kept", "expired"):
        posted = await client.post(path, json=commitment_body(), headers={**bearer(org_key), "Idempotency-Key": key})
        assert posted.status_code == 201
    await expire_idempotency_key(app, "expired")
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO rate_limit_counter (bucket, window_started_at, hits) VALUES ('register:old', :at, 3)"),
            {"at": utcnow() - timedelta(days=2)},
        )

    printed = await run_command(database_url, "sweep-expired")

    assert printed.split() == ["idempotency_records=1", "rate_limit_buckets=1"]
    async with app.state.engine.connect() as conn:
        keys = (await conn.execute(text("SELECT key FROM idempotency_record"))).scalars().all()
        buckets = (await conn.execute(text("SELECT bucket FROM rate_limit_counter"))).scalars().all()
    assert "kept" in keys and "expired" not in keys
    assert "register:old" not in buckets and len(buckets) == 1  # this hour's registration still counts
    replayed = await client.post(path, json=commitment_body(), headers={**bearer(org_key), "Idempotency-Key": "kept"})
    assert replayed.headers["idempotent-replayed"] == "true"
