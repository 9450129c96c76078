"""Authorisation, tried the way an attacker would: other organisations' records, other councils' covenants,
the wrong kind of key, raised scopes, fields a caller may not set, dead keys, keys in URLs."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.flows import bearer, commitment_body, council, draft_pledge, published_pledge, register


@pytest.fixture
async def two_organisations(client, keyring):
    lancashire = await council(client, await keyring.operator())
    alpha, alpha_key = await register(client, name="Alpha Logistics")
    beta, beta_key = await register(client, name="Beta Catering")
    beta_pledge = await draft_pledge(client, beta_key, lancashire.slug)
    beta_offer = (await client.get(f"/v1/pledges/{beta_pledge['id']}", headers=bearer(beta_key))).json()["commitments"][
        0
    ]
    return {
        "council": lancashire,
        "alpha": alpha,
        "alpha_key": alpha_key,
        "beta": beta,
        "beta_key": beta_key,
        "beta_pledge": beta_pledge,
        "beta_offer": beta_offer,
    }


class TestOrganisationCannotReachAnother:
    async def test_private_profile_is_not_shown(self, client, two_organisations):
        world = two_organisations
        response = await client.get(f"/v1/signatories/{world['beta']['id']}", headers=bearer(world["alpha_key"]))
        assert response.status_code == 404  # pending, so not public either: existence must not leak
        assert "Beta" not in response.text

    async def test_profile_cannot_be_changed(self, client, two_organisations):
        world = two_organisations
        etag = f'"{world["beta"]["id"]}-v1"'
        response = await client.patch(
            f"/v1/signatories/{world['beta']['id']}",
            json={"name": "Hijacked"},
            headers={**bearer(world["alpha_key"]), "If-Match": etag},
        )
        assert response.status_code == 404
        own = await client.get(f"/v1/signatories/{world['beta']['id']}", headers=bearer(world["beta_key"]))
        assert own.json()["name"] == "Beta Catering"

    async def test_draft_pledge_is_hidden(self, client, two_organisations):
        world = two_organisations
        pledge_id = world["beta_pledge"]["id"]
        assert (await client.get(f"/v1/pledges/{pledge_id}", headers=bearer(world["alpha_key"]))).status_code == 404
        listed = await client.get(f"/v1/signatories/{world['beta']['id']}/pledges", headers=bearer(world["alpha_key"]))
        assert listed.status_code == 404

    async def test_pledge_cannot_be_edited_or_submitted(self, client, two_organisations):
        world = two_organisations
        pledge_id = world["beta_pledge"]["id"]
        headers = {**bearer(world["alpha_key"]), "If-Match": f'"{pledge_id}-v2"'}
        assert (
            await client.patch(f"/v1/pledges/{pledge_id}", json={"statement": "x"}, headers=headers)
        ).status_code == 404
        assert (
            await client.post(f"/v1/pledges/{pledge_id}/submit", headers=bearer(world["alpha_key"]))
        ).status_code == 404
        assert (
            await client.post(
                f"/v1/pledges/{pledge_id}/commitments", json=commitment_body(), headers=bearer(world["alpha_key"])
            )
        ).status_code == 404

    async def test_commitment_cannot_be_read_changed_or_removed(self, client, two_organisations):
        world = two_organisations
        offer_id = world["beta_offer"]["id"]
        headers = {**bearer(world["alpha_key"]), "If-Match": f'"{offer_id}-v1"'}
        assert (await client.get(f"/v1/commitments/{offer_id}", headers=bearer(world["alpha_key"]))).status_code == 404
        assert (
            await client.patch(f"/v1/commitments/{offer_id}", json={"title": "Mine now"}, headers=headers)
        ).status_code == 404
        assert (await client.delete(f"/v1/commitments/{offer_id}", headers=headers)).status_code == 404
        still = await client.get(f"/v1/commitments/{offer_id}", headers=bearer(world["beta_key"]))
        assert still.json()["title"] == world["beta_offer"]["title"]


class TestWrongKindOfKey:
    async def test_organisation_key_cannot_call_officer_endpoints(self, client, two_organisations):
        world = two_organisations
        key = bearer(world["alpha_key"])
        calls = [
            client.post(f"/v1/signatories/{world['alpha']['id']}/verify", headers=key),
            client.post(f"/v1/pledges/{world['beta_pledge']['id']}/approve", headers=key),
            client.post("/v1/covenants", json={"slug": "mine", "title": "Mine"}, headers=key),
            client.get("/v1/audit-events", headers=key),
            client.get(f"/v1/covenants/{world['council'].slug}/pledges", headers=key),
            client.post("/v1/authorities", json={"name": "X", "gss_code": "E06000999", "region": "X"}, headers=key),
        ]
        for call in calls:
            response = await call
            assert response.status_code == 403, response.text
            assert response.headers["content-type"] == "application/problem+json"

    async def test_organisation_cannot_verify_itself(self, client, two_organisations):
        world = two_organisations
        response = await client.post(
            f"/v1/signatories/{world['alpha']['id']}/verify", headers=bearer(world["alpha_key"])
        )
        assert response.status_code == 403
        own = await client.get(f"/v1/signatories/{world['alpha']['id']}", headers=bearer(world["alpha_key"]))
        assert own.json()["status"] == "pending"


class TestOfficerStaysInOwnAuthority:
    async def test_officer_cannot_approve_in_another_authoritys_covenant(self, client, keyring):
        operator = await keyring.operator()
        lancashire, bristol = await council(client, operator), await council(client, operator)
        signatory, org_key = await register(client)
        pledge = await draft_pledge(client, org_key, lancashire.slug)
        await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))

        approve = await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=bearer(bristol.officer_key))
        assert approve.status_code == 404  # submitted, not public: Bristol cannot even know it exists
        verify = await client.post(f"/v1/signatories/{signatory['id']}/verify", headers=bearer(bristol.officer_key))
        assert verify.status_code == 404
        mine = await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))
        assert mine.json()["status"] == "submitted"

    async def test_officer_cannot_withdraw_another_authoritys_published_pledge(self, client, keyring):
        operator = await keyring.operator()
        lancashire, bristol = await council(client, operator), await council(client, operator)
        _, _, pledge = await published_pledge(client, lancashire)
        response = await client.post(
            f"/v1/pledges/{pledge['id']}/withdraw",
            json={"reason": "Not ours to do"},
            headers=bearer(bristol.officer_key),
        )
        assert response.status_code == 403  # it is public, so saying "not yours" leaks nothing
        assert (await client.get(f"/v1/pledges/{pledge['id']}")).json()["status"] == "published"

    async def test_officer_cannot_edit_another_authoritys_covenant(self, client, keyring):
        operator = await keyring.operator()
        lancashire, bristol = await council(client, operator), await council(client, operator)
        etag = f'"{lancashire.covenant["id"]}-v1"'
        response = await client.patch(
            f"/v1/covenants/{lancashire.slug}",
            json={"title": "Taken over"},
            headers={**bearer(bristol.officer_key), "If-Match": etag},
        )
        assert response.status_code == 403

    async def test_audit_trail_shows_only_own_authority(self, client, keyring):
        operator = await keyring.operator()
        lancashire, bristol = await council(client, operator), await council(client, operator)
        _, _, pledge = await published_pledge(client, lancashire)
        theirs = await client.get(f"/v1/audit-events?record_id={pledge['id']}", headers=bearer(bristol.officer_key))
        assert theirs.json()["items"] == []
        ours = await client.get(f"/v1/audit-events?record_id={pledge['id']}", headers=bearer(lancashire.officer_key))
        assert len(ours.json()["items"]) == 3


class TestKeysCannotRaiseThemselves:
    async def test_read_only_key_cannot_write(self, client, keyring, two_organisations):
        world = two_organisations
        reader = await keyring.organisation(world["alpha"]["id"], scopes=["read"])
        response = await client.post(
            "/v1/pledges", json={"covenant": world["council"].slug, "statement": "x"}, headers=bearer(reader)
        )
        assert response.status_code == 403

    async def test_key_cannot_issue_a_key_with_more_scopes(self, client, keyring, two_organisations):
        world = two_organisations
        limited = await keyring.organisation(world["alpha"]["id"], scopes=["read", "keys"])
        response = await client.post(
            "/v1/keys", json={"name": "escalate", "scopes": ["read", "write", "keys"]}, headers=bearer(limited)
        )
        assert response.status_code == 403
        listed = await client.get("/v1/keys", headers=bearer(limited))
        assert all(
            set(key["scopes"]) <= {"read", "keys"} for key in listed.json()["items"] if key["name"] == "escalate"
        )
        assert not [key for key in listed.json()["items"] if key["name"] == "escalate"]

    async def test_key_without_keys_scope_cannot_manage_keys(self, client, keyring, two_organisations):
        world = two_organisations
        writer = await keyring.organisation(world["alpha"]["id"], scopes=["read", "write"])
        assert (await client.get("/v1/keys", headers=bearer(writer))).status_code == 403
        assert (await client.post("/v1/keys", json={"name": "more"}, headers=bearer(writer))).status_code == 403

    async def test_organisation_cannot_issue_an_officer_key(self, client, two_organisations):
        world = two_organisations
        response = await client.post(
            "/v1/keys",
            json={"name": "officer", "authority_id": world["council"].authority_id},
            headers=bearer(world["alpha_key"]),
        )
        assert response.status_code == 403


class TestFieldsCallersMayNotSet:
    @pytest.mark.parametrize(
        "field, value",
        [("status", "verified"), ("verified_at", "2026-01-01T00:00:00Z"), ("id", "sig_01M82SAG7WBT3DWGF9RF1HPFX3")],
    )
    async def test_registration_rejects_them(self, client, field, value):
        from tests.flows import registration

        response = await client.post("/v1/signatories", json=registration(**{field: value}))
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == f"/{field}"

    @pytest.mark.parametrize(
        "field, value",
        [
            ("status", "published"),
            ("signatory_id", "sig_01M82SAG7WBT3DWGF9RF1HPFX3"),
            ("review_due", "2030-01-01"),
            ("published_at", "2026-01-01T00:00:00Z"),
        ],
    )
    async def test_pledge_rejects_them(self, client, two_organisations, field, value):
        world = two_organisations
        body = {"covenant": world["council"].slug, "statement": "We pledge.", field: value}
        response = await client.post("/v1/pledges", json=body, headers=bearer(world["alpha_key"]))
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == f"/{field}"

    async def test_commitment_rejects_status_on_create_and_pledge_id_on_edit(self, client, two_organisations):
        world = two_organisations
        pledge_id = world["beta_pledge"]["id"]
        created = await client.post(
            f"/v1/pledges/{pledge_id}/commitments",
            json=commitment_body(status="full"),
            headers=bearer(world["beta_key"]),
        )
        assert created.status_code == 422
        offer_id = world["beta_offer"]["id"]
        current = await client.get(f"/v1/commitments/{offer_id}", headers=bearer(world["beta_key"]))
        moved = await client.patch(
            f"/v1/commitments/{offer_id}",
            json={"pledge_id": "plg_01M82SAG7WBT3DWGF9RF1HPFX3"},
            headers={**bearer(world["beta_key"]), "If-Match": current.headers["etag"]},
        )
        assert moved.status_code == 422


class TestDeadAndMisplacedKeys:
    async def test_revoked_key_is_401(self, client, keyring, two_organisations):
        world = two_organisations
        spare = await keyring.organisation(world["alpha"]["id"])
        listed = (await client.get("/v1/keys", headers=bearer(world["alpha_key"]))).json()["items"]
        spare_id = next(key["id"] for key in listed if spare.startswith(key["prefix"]))
        revoked = await client.post(f"/v1/keys/{spare_id}/revoke", headers=bearer(world["alpha_key"]))
        assert revoked.status_code == 200
        response = await client.get(f"/v1/signatories/{world['alpha']['id']}/pledges", headers=bearer(spare))
        assert response.status_code == 401
        assert "revoked" in response.json()["detail"]

    async def test_expired_key_is_401(self, client, app, two_organisations):
        from app.services import keys

        async with app.state.sessionmaker() as session, session.begin():
            new_key = await keys.issue(
                session,
                None,
                keys.KeyOwner.of_signatory(two_organisations["alpha"]["id"]),
                name="short",
                expires_at=datetime.now(UTC) + timedelta(seconds=1),
            )
            new_key.row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        response = await client.get("/v1/keys", headers=bearer(new_key.plaintext))
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]

    async def test_made_up_key_is_401(self, client):
        response = await client.get("/v1/keys", headers=bearer("ccreg_" + "a" * 12 + "B" * 40))
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")

    async def test_no_key_is_401(self, client):
        assert (await client.post("/v1/pledges", json={"covenant": "x", "statement": "y"})).status_code == 401

    @pytest.mark.parametrize("parameter", ["api_key", "access_token", "token", "key"])
    async def test_key_in_query_string_is_refused(self, client, two_organisations, parameter):
        key = two_organisations["alpha_key"]
        response = await client.get(f"/v1/keys?{parameter}={key}")
        assert response.status_code == 401
        assert "URL" in response.json()["detail"]
        # Even on a public read, and even beside a valid header.
        response = await client.get(f"/v1/commitments?{parameter}={key}", headers=bearer(key))
        assert response.status_code == 401
