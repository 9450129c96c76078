"""The whole journey through HTTP: an organisation registers and pledges, an officer approves, the public sees
it; withdrawal takes it away again. Every step leaves an audit record."""

from tests.flows import bearer, commitment_body, council, draft_pledge, register


async def public_offer_ids(client) -> set[str]:
    return {item["id"] for item in (await client.get("/v1/commitments?limit=100")).json()["items"]}


async def test_pledge_is_public_only_between_approval_and_withdrawal(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client, name="Ribble Valley Bakery")
    assert signatory["status"] == "pending"

    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    offer = await client.post(
        f"/v1/pledges/{pledge['id']}/commitments",
        json=commitment_body(title="Bakery apprenticeship"),
        headers=bearer(org_key),
    )
    assert offer.status_code == 201
    offer_id = offer.json()["id"]
    assert offer_id not in await public_offer_ids(client)

    submitted = await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))
    assert submitted.json()["status"] == "submitted"
    queue = await client.get(
        f"/v1/covenants/{lancashire.slug}/pledges?status=submitted", headers=bearer(lancashire.officer_key)
    )
    assert [item["id"] for item in queue.json()["items"]] == [pledge["id"]]
    assert offer_id not in await public_offer_ids(client)

    # An unverified organisation cannot be published: the officer verifies first.
    refused = await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=bearer(lancashire.officer_key))
    assert refused.status_code == 409
    await client.post(f"/v1/signatories/{signatory['id']}/verify", headers=bearer(lancashire.officer_key))
    approved = await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=bearer(lancashire.officer_key))
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"
    assert approved.json()["review_due"] is not None

    assert offer_id in await public_offer_ids(client)
    public = (await client.get(f"/v1/commitments/{offer_id}")).json()
    assert public["signatory"]["name"] == "Ribble Valley Bakery"
    assert public["title"] == "Bakery apprenticeship"

    withdrawn = await client.post(
        f"/v1/pledges/{pledge['id']}/withdraw",
        json={"reason": "We have closed our Preston shop."},
        headers=bearer(org_key),
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_reason"] == "We have closed our Preston shop."
    assert offer_id not in await public_offer_ids(client)
    assert (await client.get(f"/v1/commitments/{offer_id}")).status_code == 404

    trail = await client.get(f"/v1/audit-events?record_id={pledge['id']}", headers=bearer(lancashire.officer_key))
    actions = [event["action"] for event in trail.json()["items"]]
    assert actions == ["pledge.withdraw", "pledge.approve", "pledge.submit", "pledge.create"]


async def test_changes_requested_then_resubmitted(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug)
    await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))

    sent_back = await client.post(
        f"/v1/pledges/{pledge['id']}/request-changes",
        json={"comment": "Please say which towns the offer covers."},
        headers=bearer(lancashire.officer_key),
    )
    assert sent_back.json()["status"] == "changes_requested"
    mine = await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))
    assert mine.json()["review_comment"] == "Please say which towns the offer covers."
    assert mine.json()["allowed_actions"] == ["submit"]

    resubmitted = await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))
    assert resubmitted.json()["status"] == "submitted"


async def test_invalid_transition_names_current_state_and_allowed_ones(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug)

    response = await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=bearer(lancashire.officer_key))
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/problems/invalid-transition"
    assert problem["current_status"] == "draft"
    assert problem["allowed"] == ["submit"]


async def test_submitting_needs_a_commitment(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    response = await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))
    assert response.status_code == 409
    assert "commitment" in response.json()["detail"]


async def test_published_commitment_changes_status_without_reapproval(client, keyring):
    from tests.flows import published_pledge

    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire)
    offer = pledge["commitments"][0]
    etag = (await client.get(f"/v1/commitments/{offer['id']}", headers=bearer(org_key))).headers["etag"]

    paused = await client.patch(
        f"/v1/commitments/{offer['id']}", json={"status": "full"}, headers={**bearer(org_key), "If-Match": etag}
    )
    assert paused.status_code == 200
    assert paused.json()["status"] == "full"
    public = (await client.get(f"/v1/commitments/{offer['id']}")).json()
    assert public["status"] == "full"

    retitle = await client.patch(
        f"/v1/commitments/{offer['id']}",
        json={"title": "Something else"},
        headers={**bearer(org_key), "If-Match": paused.headers["etag"]},
    )
    assert retitle.status_code == 409

    withdrawn = await client.post(
        f"/v1/commitments/{offer['id']}/withdraw", json={"reason": "The scheme has ended."}, headers=bearer(org_key)
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert (await client.get(f"/v1/commitments/{offer['id']}")).status_code == 404


async def test_commitment_ages_must_fit_the_covenant(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    response = await client.post(
        f"/v1/pledges/{pledge['id']}/commitments",
        json=commitment_body(eligibility={"min_age": 14, "max_age": 20}),
        headers=bearer(org_key),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/eligibility/min_age"


async def test_draft_commitment_edited_and_removed_with_if_match(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug)
    offer = (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"][0]
    current = await client.get(f"/v1/commitments/{offer['id']}", headers=bearer(org_key))

    missing = await client.patch(f"/v1/commitments/{offer['id']}", json={"title": "New title"}, headers=bearer(org_key))
    assert missing.status_code == 428
    edited = await client.patch(
        f"/v1/commitments/{offer['id']}",
        json={"title": "New title", "areas": ["E07000123", "remote"]},
        headers={**bearer(org_key), "If-Match": current.headers["etag"]},
    )
    assert edited.status_code == 200
    assert edited.json()["title"] == "New title"
    assert edited.json()["areas"] == ["remote", "E07000123"]
    assert edited.headers["etag"] != current.headers["etag"]

    stale = await client.delete(
        f"/v1/commitments/{offer['id']}", headers={**bearer(org_key), "If-Match": current.headers["etag"]}
    )
    assert stale.status_code == 412
    removed = await client.delete(
        f"/v1/commitments/{offer['id']}", headers={**bearer(org_key), "If-Match": edited.headers["etag"]}
    )
    assert removed.status_code == 204
    assert (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"] == []
