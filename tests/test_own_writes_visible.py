"""A worker that made a write serves the new state on its very next public read, at the default data-version
TTL: neither a remembered answer nor a 304 to a tag from before the write may hide it."""

from collections.abc import AsyncIterator

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.flows import bearer, council, published_pledge


@pytest.fixture
async def worker(database_url, app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """A client of one worker with the default settings (the session's `app`, requested so the tables are emptied
    afterwards, trusts no version at all)."""
    settings = Settings(database_url=database_url, db_pool_size=5)
    assert settings.data_version_ttl > 0, "this worker must keep the version it read, as the default does"
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def remembered(http: httpx.AsyncClient, url: str) -> httpx.Response:
    """Read twice, so the worker has just read the version and holds the answer in memory."""
    first = await http.get(url)
    again = await http.get(url)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    return first


async def test_a_withdrawn_commitment_is_gone_from_the_next_read(worker, keyring, app):
    lancashire = await council(worker, await keyring.operator())
    _, org_key, pledge = await published_pledge(worker, lancashire, offers=2)
    url = f"/v1/commitments?covenant={lancashire.slug}"
    offer_ids = {offer["id"] for offer in pledge["commitments"]}
    assert {item["id"] for item in (await remembered(worker, url)).json()["items"]} == offer_ids
    withdrawn_id = pledge["commitments"][0]["id"]

    response = await worker.post(
        f"/v1/commitments/{withdrawn_id}/withdraw", json={"reason": "The scheme has ended."}, headers=bearer(org_key)
    )
    assert response.status_code == 200, response.text

    after = await worker.get(url)
    assert {item["id"] for item in after.json()["items"]} == offer_ids - {withdrawn_id}


async def test_a_tag_from_before_a_pause_is_not_304_on_the_next_read(worker, keyring, app):
    lancashire = await council(worker, await keyring.operator())
    _, org_key, pledge = await published_pledge(worker, lancashire)
    offer_id = pledge["commitments"][0]["id"]
    etag = (await worker.get(f"/v1/commitments/{offer_id}", headers=bearer(org_key))).headers["etag"]
    url = f"/v1/commitments?covenant={lancashire.slug}"
    before = await remembered(worker, url)
    assert [item["status"] for item in before.json()["items"]] == ["active"]

    paused = await worker.patch(
        f"/v1/commitments/{offer_id}", json={"status": "paused"}, headers={**bearer(org_key), "If-Match": etag}
    )
    assert paused.status_code == 200, paused.text

    after = await worker.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert [(item["id"], item["status"]) for item in after.json()["items"]] == [(offer_id, "paused")]
