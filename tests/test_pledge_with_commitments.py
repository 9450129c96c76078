"""A pledge started with its commitments in one request (`POST /v1/pledges` with `commitments`): created in one
transaction, all or nothing, one audit event per record, replayable by Idempotency-Key, bounded in length."""

from typing import Any

import httpx

from app.schemas.pledges import MAX_COMMITMENTS_IN_CREATE
from tests.flows import Council, bearer, commitment_body, council, register


def pledge_body(council: Council, commitments: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    body = {"covenant": council.slug, "statement": "We will open our doors.", "commitments": commitments}
    return body | overrides


def offers(count: int) -> list[dict[str, Any]]:
    return [commitment_body(title=f"Apprenticeship number {number}") for number in range(count)]


async def pledges_of(client: httpx.AsyncClient, signatory_id: str, org_key: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/signatories/{signatory_id}/pledges", headers=bearer(org_key))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def trail_of(client: httpx.AsyncClient, lancashire: Council, signatory_id: str) -> list[dict[str, Any]]:
    """The audit events of the organisation's pledges and commitments. (Events of one request may share a
    millisecond, and ids order events only by millisecond: tests of one request compare them unordered.)"""
    response = await client.get(
        "/v1/audit-events", params={"signatory_id": signatory_id, "limit": 100}, headers=bearer(lancashire.officer_key)
    )
    assert response.status_code == 200, response.text
    return [event for event in response.json()["items"] if event["record_type"] in ("pledge", "commitment")]


async def test_a_pledge_is_created_with_its_commitments_and_one_audit_event_each(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client)
    home_id = next(p["id"] for p in lancashire.covenant["priorities"] if p["code"] == "HOME")
    sent = [
        commitment_body(title="Paid bricklaying apprenticeship"),
        commitment_body(title="A room for your first month", offer_type="accommodation", priority=home_id),
        commitment_body(title="Guaranteed interview", offer_type="guaranteed_interview", areas=["national"]),
    ]

    response = await client.post("/v1/pledges", json=pledge_body(lancashire, sent), headers=bearer(org_key))

    assert response.status_code == 201, response.text
    pledge = response.json()
    assert response.headers["location"] == f"/v1/pledges/{pledge['id']}"
    assert pledge["status"] == "draft"
    assert pledge["allowed_actions"] == ["submit"]
    created = pledge["commitments"]
    assert [item["title"] for item in created] == [item["title"] for item in sent]  # in the order sent
    for item, body in zip(created, sent, strict=True):
        stored = await client.get(f"/v1/commitments/{item['id']}", headers=bearer(org_key))
        assert stored.status_code == 200, stored.text
        assert stored.json() | {"problems": None} == item | {"problems": None}
        assert stored.json()["pledge_id"] == pledge["id"]
        assert stored.json()["status"] == "active"
        assert stored.json()["offer_type"] == body["offer_type"]
        assert stored.json()["areas"] == body["areas"]
    assert [item["priority"]["code"] for item in created] == ["EET", "HOME", "EET"]
    assert (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json() == pledge

    trail = await trail_of(client, lancashire, signatory["id"])
    assert sorted((event["action"], event["record_id"]) for event in trail) == sorted(
        [("pledge.create", pledge["id"]), *(("commitment.create", item["id"]) for item in created)]
    )
    assert {event["request_id"] for event in trail} == {response.headers["x-request-id"]}
    after = {event["record_id"]: event["after"] for event in trail}
    assert [after[item["id"]]["title"] for item in created] == [item["title"] for item in sent]
    assert all(event["before"] is None for event in trail)


async def test_a_pledge_without_commitments_is_created_as_before(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client)
    body = {"covenant": lancashire.slug, "statement": "We will open our doors."}
    response = await client.post("/v1/pledges", json=body, headers=bearer(org_key))
    assert response.status_code == 201, response.text
    assert response.json()["commitments"] == []
    assert [event["action"] for event in await trail_of(client, lancashire, signatory["id"])] == ["pledge.create"]


async def test_submit_sends_the_new_pledge_for_approval_in_the_same_request(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client)
    body = pledge_body(lancashire, offers(2), submit=True)

    response = await client.post("/v1/pledges", json=body, headers=bearer(org_key))

    assert response.status_code == 201, response.text
    pledge = response.json()
    assert pledge["status"] == "submitted"
    assert pledge["submitted_at"] is not None
    queue = await client.get(
        f"/v1/covenants/{lancashire.slug}/pledges?status=submitted", headers=bearer(lancashire.officer_key)
    )
    assert [item["id"] for item in queue.json()["items"]] == [pledge["id"]]
    actions = [event["action"] for event in await trail_of(client, lancashire, signatory["id"])]
    assert sorted(actions) == ["commitment.create", "commitment.create", "pledge.create", "pledge.submit"]
    approved = await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=bearer(lancashire.officer_key))
    assert approved.status_code == 409  # the organisation is not verified yet: the usual rules still apply


async def test_submit_without_commitments_is_refused_and_nothing_is_written(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client)
    response = await client.post("/v1/pledges", json=pledge_body(lancashire, [], submit=True), headers=bearer(org_key))
    assert response.status_code == 409, response.text
    assert "commitment" in response.json()["detail"]
    assert await pledges_of(client, signatory["id"], org_key) == []


async def assert_refused_and_nothing_written(
    client: httpx.AsyncClient, lancashire: Council, body: dict[str, Any], pointer: str
) -> dict[str, Any]:
    signatory, org_key = await register(client)
    response = await client.post("/v1/pledges", json=body, headers=bearer(org_key))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert pointer in [error["pointer"] for error in problem["errors"]], problem
    assert await pledges_of(client, signatory["id"], org_key) == []
    assert await trail_of(client, lancashire, signatory["id"]) == []
    # Nothing half-made stands in the way: the same organisation can pledge in the covenant at once.
    retried = await client.post("/v1/pledges", json=pledge_body(lancashire, offers(1)), headers=bearer(org_key))
    assert retried.status_code == 201, retried.text
    return problem


async def test_one_commitment_breaking_a_covenant_rule_refuses_the_whole_request(client, keyring):
    lancashire = await council(client, await keyring.operator())
    sent = [*offers(1), commitment_body(priority="NOPE"), *offers(1)]
    problem = await assert_refused_and_nothing_written(
        client, lancashire, pledge_body(lancashire, sent), "/commitments/1/priority"
    )
    assert problem["type"] == "/problems/validation-error"
    assert "/commitments/1/priority" in problem["detail"]
    assert "NOPE is not a priority of this covenant" in problem["detail"]

    too_young = commitment_body(eligibility={"min_age": 14, "max_age": 20})
    await assert_refused_and_nothing_written(
        client, lancashire, pledge_body(lancashire, [*offers(2), too_young]), "/commitments/2/eligibility/min_age"
    )
    dates = commitment_body(starts_on="2026-09-01", ends_on="2026-08-01")
    await assert_refused_and_nothing_written(
        client, lancashire, pledge_body(lancashire, [dates]), "/commitments/0/ends_on"
    )


async def test_one_commitment_failing_its_schema_refuses_the_whole_request(client, keyring):
    lancashire = await council(client, await keyring.operator())
    untitled = {key: value for key, value in commitment_body().items() if key != "title"}
    problem = await assert_refused_and_nothing_written(
        client, lancashire, pledge_body(lancashire, [*offers(3), untitled]), "/commitments/3/title"
    )
    assert problem["errors"] == [{"pointer": "/commitments/3/title", "location": "body", "detail": "is required"}]


async def test_unknown_fields_are_refused_in_the_pledge_and_in_each_commitment(client, keyring):
    lancashire = await council(client, await keyring.operator())
    await assert_refused_and_nothing_written(
        client, lancashire, pledge_body(lancashire, offers(1), status="published"), "/status"
    )
    problem = await assert_refused_and_nothing_written(
        client,
        lancashire,
        pledge_body(lancashire, [*offers(1), commitment_body(status="active")]),
        "/commitments/1/status",
    )
    assert problem["errors"][0]["detail"] == "is not a field you may set"


async def test_the_number_of_commitments_is_capped(client, keyring):
    lancashire = await council(client, await keyring.operator())
    problem = await assert_refused_and_nothing_written(
        client, lancashire, pledge_body(lancashire, offers(MAX_COMMITMENTS_IN_CREATE + 1)), "/commitments"
    )
    assert str(MAX_COMMITMENTS_IN_CREATE) in problem["errors"][0]["detail"]

    _, org_key = await register(client)
    at_the_cap = pledge_body(lancashire, offers(MAX_COMMITMENTS_IN_CREATE))
    response = await client.post("/v1/pledges", json=at_the_cap, headers=bearer(org_key))
    assert response.status_code == 201, response.text
    assert len(response.json()["commitments"]) == MAX_COMMITMENTS_IN_CREATE


async def test_a_replay_with_the_same_idempotency_key_returns_the_same_reply_and_writes_nothing(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client)
    headers = {**bearer(org_key), "Idempotency-Key": "pledge-with-offers-1"}
    body = pledge_body(lancashire, offers(4), submit=True)

    first = await client.post("/v1/pledges", json=body, headers=headers)
    assert first.status_code == 201, first.text
    trail = await trail_of(client, lancashire, signatory["id"])
    replayed = await client.post("/v1/pledges", json=body, headers=headers)

    assert replayed.status_code == 201
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == first.json()
    assert replayed.headers["location"] == first.headers["location"]
    pledges = await pledges_of(client, signatory["id"], org_key)
    assert [pledge["id"] for pledge in pledges] == [first.json()["id"]]
    assert len(pledges[0]["commitments"]) == 4
    assert await trail_of(client, lancashire, signatory["id"]) == trail

    other = await client.post("/v1/pledges", json=pledge_body(lancashire, offers(3)), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "/problems/idempotency-key-reused"
