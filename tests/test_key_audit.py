"""Every key issued, by whatever path, leaves exactly one `api_key.create` event on the audit trail; a rotation
also leaves one `api_key.revoke` for the key it replaces."""

from typing import Any

import httpx

from tests.flows import bearer, council, register, registration, run_command


async def key_events(client: httpx.AsyncClient, operator_key: str, key_id: str) -> list[dict[str, Any]]:
    """The audit events of one key, as the operator reads them, every page."""
    events: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"record_type": "api_key", "record_id": key_id, "limit": 100} | ({"cursor": cursor} if cursor else {})
        response = await client.get("/v1/audit-events", params=params, headers=bearer(operator_key))
        assert response.status_code == 200, response.text
        events += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return events


async def assert_issued_once(client: httpx.AsyncClient, operator_key: str, key_id: str) -> None:
    events = await key_events(client, operator_key, key_id)
    assert [(e["action"], e["record_type"], e["record_id"]) for e in events] == [
        ("api_key.create", "api_key", key_id)
    ], f"audit events of key {key_id}: {events}"


async def test_registration_records_the_first_key(client, keyring):
    response = await client.post("/v1/signatories", json=registration())
    assert response.status_code == 201, response.text
    await assert_issued_once(client, await keyring.operator(), response.json()["api_key"]["id"])


async def test_a_key_an_organisation_issues_is_recorded(client, keyring):
    _, org_key = await register(client)
    issued = await client.post("/v1/keys", json={"name": "integration"}, headers=bearer(org_key))
    assert issued.status_code == 201, issued.text
    await assert_issued_once(client, await keyring.operator(), issued.json()["id"])


async def test_an_officer_key_the_operator_issues_is_recorded(client, keyring):
    operator = await keyring.operator()
    lancashire = await council(client, operator)
    issued = await client.post(
        "/v1/keys", json={"name": "Second officer", "authority_id": lancashire.authority_id}, headers=bearer(operator)
    )
    assert issued.status_code == 201, issued.text
    await assert_issued_once(client, operator, issued.json()["id"])


async def test_a_rotation_records_the_new_key_once_and_the_old_one_revoked_once(client, keyring):
    operator = await keyring.operator()
    lancashire = await council(client, operator)
    old = await client.post(
        "/v1/keys", json={"name": "Rotating officer", "authority_id": lancashire.authority_id}, headers=bearer(operator)
    )
    old_id = old.json()["id"]
    rotated = await client.post(f"/v1/keys/{old_id}/rotate", headers=bearer(old.json()["key"]))
    assert rotated.status_code == 201, rotated.text
    await assert_issued_once(client, operator, rotated.json()["id"])
    old_actions = [event["action"] for event in await key_events(client, operator, old_id)]
    assert sorted(old_actions) == ["api_key.create", "api_key.revoke"], old_actions


async def test_an_operator_key_from_the_command_line_is_recorded(client, keyring, database_url):
    printed = (await run_command(database_url, "create-operator-key")).strip().splitlines()[-1]
    listed = await client.get("/v1/keys", headers=bearer(printed))
    assert listed.status_code == 200, listed.text
    (key_id,) = [key["id"] for key in listed.json()["items"] if key["prefix"] == printed[:18]]
    await assert_issued_once(client, await keyring.operator(), key_id)
