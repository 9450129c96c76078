"""Revalidation by data version: a poller holding a current copy gets a 304 without a query, and a change is
seen by every worker, in every process, within two seconds of the response that made it."""

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import text

from tests.flows import bearer, council, draft_pledge, published_pledge, register

LIST = "/v1/commitments?limit=100"


async def test_a_current_copy_is_304_and_a_changed_one_is_200(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire, offers=2)
    first = await client.get(LIST)
    version = first.headers["etag"].removeprefix("W/").strip('"').split(".")[0]
    assert (await client.get(LIST, headers={"If-None-Match": first.headers["etag"]})).status_code == 304

    withdrawn = await client.post(
        f"/v1/pledges/{pledge['id']}/withdraw", json={"reason": "Closed."}, headers=bearer(org_key)
    )
    assert withdrawn.status_code == 200
    after = await client.get(LIST, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["items"] == []
    assert int(after.headers["etag"].removeprefix("W/").strip('"').split(".")[0]) > int(version)


async def test_a_tag_is_good_only_for_the_request_it_came_from(client, keyring):
    lancashire = await council(client, await keyring.operator())
    await published_pledge(client, lancashire, offers=2)
    tag = (await client.get(LIST)).headers["etag"]
    other = await client.get("/v1/commitments?limit=1", headers={"If-None-Match": tag})
    assert other.status_code == 200
    assert len(other.json()["items"]) == 1


async def test_an_older_tag_for_unchanged_content_is_still_304(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire)
    tag = (await client.get("/v1/authorities")).headers["etag"]
    # A public write elsewhere moves the data version on; the authorities are unchanged.
    withdrawn = await client.post(
        f"/v1/pledges/{pledge['id']}/withdraw", json={"reason": "Closed."}, headers=bearer(org_key)
    )
    assert withdrawn.status_code == 200
    response = await client.get("/v1/authorities", headers={"If-None-Match": tag})
    assert response.status_code == 304
    assert response.headers["etag"] != tag


async def test_a_version_that_does_not_say_what_it_touched_forgets_every_answer(client, engine, keyring):
    """An offer by id is remembered until its own row changes; a version made outside the application (an
    operator's SQL, which must bump the version but cannot say what it touched) forgets it all the same."""
    lancashire = await council(client, await keyring.operator())
    _, _, pledge = await published_pledge(client, lancashire)
    path = f"/v1/commitments/{pledge['commitments'][0]['id']}"
    title = (await client.get(path)).json()["title"]
    async with engine.begin() as conn:
        edit = "UPDATE public_commitment SET document = replace(document, :old, :new) WHERE commitment_id = :id"
        await conn.execute(text(edit), {"old": title, "new": "Retitled by hand", "id": pledge["commitments"][0]["id"]})
        await conn.execute(text("UPDATE data_version SET version = version + 1"))
    assert (await client.get(path)).json()["title"] == "Retitled by hand"


async def test_a_key_holder_is_never_answered_from_the_version_alone(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire)
    public_tag = (await client.get(f"/v1/pledges/{pledge['id']}")).headers["etag"]
    private = await client.get(f"/v1/pledges/{pledge['id']}", headers={"If-None-Match": public_tag, **bearer(org_key)})
    assert private.status_code == 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_workers(database_url):
    """Two separate server processes on one database, each with the default one-second version cache."""
    ports = [free_port(), free_port()]
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "warning"}
    env.pop("DATA_VERSION_TTL", None)
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 30
        for url in urls:
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield urls
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


async def test_a_withdrawal_reaches_every_worker_within_two_seconds(client, keyring, two_workers):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire, offers=3)
    offer_ids = {offer["id"] for offer in pledge["commitments"]}
    async with httpx.AsyncClient(timeout=5) as http:
        tags = {}
        for url in two_workers:
            # Each worker has served the offers and cached the data version they were read at.
            response = await http.get(url + LIST)
            assert offer_ids <= {item["id"] for item in response.json()["items"]}
            tags[url] = response.headers["etag"]
            assert (await http.get(url + LIST, headers={"If-None-Match": tags[url]})).status_code == 304

        withdrawn = await http.post(
            two_workers[0] + f"/v1/pledges/{pledge['id']}/withdraw", json={"reason": "Closed."}, headers=bearer(org_key)
        )
        assert withdrawn.status_code == 200
        answered_at = time.monotonic()

        # Poll every worker, with and without the old tag, until well past the promise; note when each last
        # showed the offers. After that moment they must never come back.
        last_seen = {url: 0.0 for url in two_workers}
        while time.monotonic() - answered_at < 3:
            for url in two_workers:
                for headers in ({"If-None-Match": tags[url]}, {}):
                    response = await http.get(url + LIST, headers=headers)
                    shows = response.status_code == 304 or offer_ids & {i["id"] for i in response.json()["items"]}
                    if shows:
                        last_seen[url] = time.monotonic() - answered_at
            await asyncio.sleep(0.02)
    gone_after = last_seen
    assert max(gone_after.values()) < 2.0, gone_after


async def test_a_remembered_answer_is_kept_apart_by_accept(client, keyring):
    lancashire = await council(client, await keyring.operator())
    await published_pledge(client, lancashire)
    path = f"/v1/covenants/{lancashire.slug}/annual-report?year=2025"
    as_json = await client.get(path, headers={"Accept": "application/json"})
    as_page = await client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_page.headers["content-type"].startswith("text/html")
    again = await client.get(path, headers={"Accept": "application/json"})
    assert again.content == as_json.content
    assert again.headers["x-request-id"] != as_json.headers["x-request-id"]


async def test_a_private_write_leaves_every_worker_answering_304(client, keyring, two_workers):
    lancashire = await council(client, await keyring.operator())
    await published_pledge(client, lancashire, offers=2)
    _, draft_key = await register(client)
    draft = await draft_pledge(client, draft_key, lancashire.slug)
    async with httpx.AsyncClient(timeout=5) as http:
        tags = {url: (await http.get(url + LIST)).headers["etag"] for url in two_workers}
        path = f"/v1/pledges/{draft['id']}"
        etag = (await http.get(two_workers[0] + path, headers=bearer(draft_key))).headers["etag"]
        edited = await http.patch(
            two_workers[0] + path,
            json={"statement": "We will open more doors."},
            headers={**bearer(draft_key), "If-Match": etag},
        )
        assert edited.status_code == 200, edited.text
        await asyncio.sleep(1.5)  # past each worker's one-second clock: both have read the data version again
        for url in two_workers:
            again = await http.get(url + LIST, headers={"If-None-Match": tags[url]})
            assert again.status_code == 304
            assert again.headers["etag"].removeprefix("W/") == tags[url].removeprefix("W/")
