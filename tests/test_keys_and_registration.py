"""Keys are shown once and kept only as a hash; registration is validated, deduplicated and rate-limited."""

import hashlib
import logging

import pytest
from sqlalchemy import select, text

from app.models import ApiKey
from tests.flows import bearer, council, published_pledge, register, registration


class TestKeyMaterial:
    async def test_key_has_a_recognisable_shape_and_is_stored_only_as_a_hash(self, client, app):
        signatory, key = await register(client)
        assert key.startswith("ccreg_") and len(key) == 58
        async with app.state.sessionmaker() as session:
            row = (await session.execute(select(ApiKey).where(ApiKey.signatory_id == signatory["id"]))).scalar_one()
        assert row.secret_hash == hashlib.sha256(key[18:].encode()).hexdigest()
        assert key[18:] not in str(row.model_dump())

    async def test_key_never_appears_again_in_any_response(self, client, keyring):
        lancashire = await council(client, await keyring.operator())
        signatory, org_key, pledge = await published_pledge(client, lancashire)
        secret = org_key[18:]
        responses = [
            await client.get("/v1/keys", headers=bearer(org_key)),
            await client.get(f"/v1/signatories/{signatory['id']}", headers=bearer(org_key)),
            await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key)),
            await client.get("/v1/audit-events?limit=100", headers=bearer(lancashire.officer_key)),
            await client.get(f"/v1/covenants/{lancashire.slug}/signatories", headers=bearer(lancashire.officer_key)),
        ]
        for response in responses:
            assert response.status_code == 200
            assert secret not in response.text
            assert '"secret_hash"' not in response.text

    async def test_key_never_appears_in_logs_or_audit_records(self, client, keyring, app, caplog):
        caplog.set_level(logging.DEBUG)
        operator = await keyring.operator()
        lancashire = await council(client, operator)
        _, org_key, _ = await published_pledge(client, lancashire)
        rotated = await client.post(
            "/v1/keys", json={"name": "second"}, headers={**bearer(org_key), "Idempotency-Key": "key-two"}
        )
        new_key = rotated.json()["key"]
        await client.get("/v1/keys?api_key=" + org_key)  # refused, and must not be logged either
        # Everything the service (and its database drivers) logged; httpx's lines are the test client's own.
        logged = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("httpx"))
        for key in (operator, lancashire.officer_key, org_key, new_key):
            assert key[18:] not in logged
        async with app.state.engine.connect() as conn:
            trail = "\n".join(str(row) for row in await conn.execute(text("SELECT * FROM audit_event")))
            stored = "\n".join(str(row) for row in await conn.execute(text("SELECT * FROM idempotency_record")))
        for key in (operator, lancashire.officer_key, org_key, new_key):
            assert key[18:] not in trail
            assert key[18:] not in stored
        assert "secret_hash" not in trail

    async def test_replayed_key_creation_does_not_show_the_key_again(self, client):
        _, org_key = await register(client)
        headers = {**bearer(org_key), "Idempotency-Key": "make-a-key"}
        first = await client.post("/v1/keys", json={"name": "integration"}, headers=headers)
        again = await client.post("/v1/keys", json={"name": "integration"}, headers=headers)
        assert first.json()["key"].startswith("ccreg_")
        assert again.status_code == 201
        assert again.json()["key"] is None
        assert again.json()["id"] == first.json()["id"]

    async def test_rotation_replaces_the_key(self, client):
        _, org_key = await register(client)
        listed = (await client.get("/v1/keys", headers=bearer(org_key))).json()["items"]
        rotated = await client.post(f"/v1/keys/{listed[0]['id']}/rotate", headers=bearer(org_key))
        assert rotated.status_code == 201
        new_key = rotated.json()["key"]
        assert (await client.get("/v1/keys", headers=bearer(org_key))).status_code == 401
        keys_now = (await client.get("/v1/keys", headers=bearer(new_key))).json()["items"]
        assert [key["revoked_at"] is None for key in keys_now] == [False, True]
        assert keys_now[1]["scopes"] == listed[0]["scopes"]

    async def test_last_used_is_recorded(self, client):
        _, org_key = await register(client)
        listed = (await client.get("/v1/keys", headers=bearer(org_key))).json()["items"]
        assert listed[0]["last_used_at"] is not None


class TestRegistration:
    async def test_starts_pending_with_private_contact_visible_only_to_itself(self, client):
        signatory, key = await register(client, name="Preston Print Works")
        assert signatory["status"] == "pending"
        own = await client.get(f"/v1/signatories/{signatory['id']}", headers=bearer(key))
        assert own.json()["contact"]["name"] == "Sam Okafor"
        assert (await client.get(f"/v1/signatories/{signatory['id']}")).status_code == 404
        listed = await client.get("/v1/signatories")
        assert "Preston Print Works" not in listed.text

    async def test_duplicate_registration_number_is_409(self, client):
        await register(client, companies_house_number="SC123456")
        response = await client.post("/v1/signatories", json=registration(companies_house_number="SC123456"))
        assert response.status_code == 409
        assert "already registered" in response.json()["detail"]

    @pytest.mark.parametrize(
        "field, value, pointer",
        [
            ("companies_house_number", "1234", "/companies_house_number"),
            ("charity_number", "ABC", "/charity_number"),
            ("website", "not a url", "/website"),
            ("areas", ["Lancashire"], "/areas/0"),
            ("areas", [], "/areas"),
            ("contact", {"name": "A", "email": "no-at-sign"}, "/contact/email"),
            ("size_band", "huge", "/size_band"),
        ],
    )
    async def test_invalid_fields_are_422_with_a_pointer(self, client, field, value, pointer):
        response = await client.post("/v1/signatories", json=registration(**{field: value}))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert pointer in [error["pointer"] for error in response.json()["errors"]]

    async def test_registrations_from_one_address_are_rate_limited(self, client, app):
        limit = app.state.settings.registration_limit
        for _ in range(limit):
            assert (await client.post("/v1/signatories", json=registration())).status_code == 201
        refused = await client.post("/v1/signatories", json=registration())
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
        assert refused.json()["type"] == "/problems/rate-limited"

    async def test_profile_edit_needs_if_match_and_shows_publicly(self, client, keyring):
        lancashire = await council(client, await keyring.operator())
        signatory, org_key, pledge = await published_pledge(client, lancashire)
        current = await client.get(f"/v1/signatories/{signatory['id']}", headers=bearer(org_key))
        renamed = await client.patch(
            f"/v1/signatories/{signatory['id']}",
            json={"name": "Kingsholme Builders Ltd"},
            headers={**bearer(org_key), "If-Match": current.headers["etag"]},
        )
        assert renamed.status_code == 200
        offer = (await client.get(f"/v1/pledges/{pledge['id']}")).json()["commitments"][0]
        assert offer["signatory"]["name"] == "Kingsholme Builders Ltd"
        stale = await client.patch(
            f"/v1/signatories/{signatory['id']}",
            json={"name": "Back again"},
            headers={**bearer(org_key), "If-Match": current.headers["etag"]},
        )
        assert stale.status_code == 412
