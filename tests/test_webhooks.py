"""Webhooks, against a real HTTP receiver the test starts: what is sent, signed as the Standard Webhooks
specification says (the signature is checked here with hmac, from the specification, not with the service's
code), retried with the same id, shared by two workers without a double send, and a dead endpoint disabled.
The worker's rounds are run by the tests, each at a time they choose, so backoff needs no waiting."""

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.config import Settings
from app.ids import utcnow
from app.main import create_app
from app.services import webhook_delivery
from tests.conftest import on_postgresql
from tests.flows import bearer, council, published_pledge
from tests.live import free_port


class Receiver:
    """An HTTP server on loopback that records each POST and answers with the statuses it is given in turn
    (204 once they run out)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses = list(statuses or [])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"

    async def hook(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=self.statuses.pop(0) if self.statuses else 204)

    def ids(self) -> list[str]:
        return [headers["webhook-id"] for headers, _ in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    application = Starlette(routes=[Route("/hook", found.hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=found.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the receiver did not start"
    yield found
    server.should_exit = True
    thread.join(timeout=10)


def signed_correctly(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check: HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the secret's bytes
    (base64 after `whsec_`), base64, in the space-separated `v1,<signature>` list."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(f"v1,{expected}", given) for given in headers["webhook-signature"].split(" "))


async def register(client, key: str, url: str, event_types: list[str]) -> dict:
    answer = await client.post("/v1/webhooks", json={"url": url, "event_types": event_types}, headers=bearer(key))
    assert answer.status_code == 201, answer.text
    return answer.json()


async def worker_round(app, now=None) -> webhook_delivery.Round:
    async with httpx.AsyncClient() as http:
        return await webhook_delivery.run_once(app.state.sessionmaker, http, allow_private=True, now=now)


async def test_a_council_s_endpoint_gets_its_covenants_offers_signed(client, keyring, app, receiver):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    endpoint = await register(client, lancashire.officer_key, receiver.url, ["offer.published"])
    assert endpoint["secret"].startswith("whsec_")
    _, _, ours = await published_pledge(client, lancashire, offers=2)
    await published_pledge(client, elsewhere, offers=1)

    done = await worker_round(app)

    assert done.delivered == 2
    bodies = [json.loads(body) for _, body in receiver.received]
    assert {body["data"]["record"]["id"] for body in bodies} == {offer["id"] for offer in ours["commitments"]}
    assert {body["type"] for body in bodies} == {"offer.published"}
    for headers, body in receiver.received:
        assert signed_correctly(endpoint["secret"], headers, body)
        assert abs(int(headers["webhook-timestamp"]) - time.time()) < 300
        assert headers["webhook-id"] == json.loads(body)["data"]["id"]  # the change's id, to de-duplicate by
    assert not signed_correctly(
        "whsec_" + base64.b64encode(b"another secret of 32 bytes......").decode(), *receiver.received[0]
    )
    listed = (await client.get("/v1/webhooks", headers=bearer(lancashire.officer_key))).json()["items"]
    assert [item["id"] for item in listed] == [endpoint["id"]] and "secret" not in listed[0]


async def test_a_new_endpoint_hears_of_changes_after_it_not_of_the_past(client, keyring, app, receiver):
    lancashire = await council(client, await keyring.operator())
    await published_pledge(client, lancashire, offers=2)  # before the endpoint
    await register(client, lancashire.officer_key, receiver.url, ["offer.published"])
    assert (await worker_round(app)).queued == 0
    _, _, later = await published_pledge(client, lancashire, offers=1)

    assert (await worker_round(app)).delivered == 1
    assert json.loads(receiver.received[0][1])["data"]["record"]["id"] == later["commitments"][0]["id"]


async def test_deliveries_leave_the_public_answers_current(client, keyring, app, receiver):
    """The worker's bookkeeping is private: a public copy stays current (304) across a round of deliveries."""
    lancashire = await council(client, await keyring.operator())
    await register(client, lancashire.officer_key, receiver.url, ["offer.published"])
    await published_pledge(client, lancashire, offers=1)
    first = await client.get("/v1/commitments")

    assert (await worker_round(app)).delivered == 1

    again = await client.get("/v1/commitments", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def test_a_receiver_that_fails_twice_gets_the_change_three_times_with_one_id(client, keyring, app, receiver):
    lancashire = await council(client, await keyring.operator())
    endpoint = await register(client, lancashire.officer_key, receiver.url, ["offer.published"])
    await published_pledge(client, lancashire, offers=1)
    receiver.statuses = [500, 503]
    start = utcnow()

    first = await worker_round(app, start)
    too_soon = await worker_round(app, start + timedelta(seconds=10))  # before the backoff's first wait ends
    second = await worker_round(app, start + timedelta(seconds=31))
    third = await worker_round(app, start + timedelta(seconds=31 + 121))

    assert (first.failed, too_soon.failed + too_soon.delivered, second.failed, third.delivered) == (1, 0, 1, 1)
    assert len(receiver.ids()) == 3 and len(set(receiver.ids())) == 1
    deliveries = (
        await client.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=bearer(lancashire.officer_key))
    ).json()
    (delivery,) = deliveries["items"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("delivered", 3, 204)
    assert deliveries["counts"] == {"delivered": 1}


async def test_an_endpoint_failing_for_a_day_is_disabled(client, keyring, app, receiver):
    lancashire = await council(client, await keyring.operator())
    await register(client, lancashire.officer_key, receiver.url, ["offer.published"])
    await published_pledge(client, lancashire, offers=1)
    receiver.statuses = [500] * 10
    start = utcnow()

    await worker_round(app, start)
    last = await worker_round(app, start + timedelta(days=1, minutes=1))

    assert last.abandoned == 1
    (listed,) = (await client.get("/v1/webhooks", headers=bearer(lancashire.officer_key))).json()["items"]
    assert listed["status"] == "disabled" and "answered 500" in listed["disabled_reason"]
    await published_pledge(client, lancashire, offers=1)
    assert (await worker_round(app, start + timedelta(days=2))).queued == 0  # nothing more is sent to it
    assert len(receiver.received) == 2


@pytest.mark.skipif(not on_postgresql(), reason="SQLite has one writer: one worker, in the web process")
async def test_two_workers_never_send_one_attempt_twice(client, keyring, app, receiver):
    lancashire = await council(client, await keyring.operator())
    await register(client, lancashire.officer_key, receiver.url, ["offer.published"])
    for _ in range(5):
        await published_pledge(client, lancashire, offers=6)
    now = utcnow()

    async def worker() -> int:
        delivered = 0
        async with httpx.AsyncClient() as http:
            for _ in range(8):  # enough rounds for either worker to empty the queue alone, a claim at a time
                done = await webhook_delivery.run_once(app.state.sessionmaker, http, allow_private=True, now=now)
                delivered += done.delivered
        return delivered

    delivered = await asyncio.gather(worker(), worker())

    assert sum(delivered) == 30, delivered
    assert sorted(receiver.ids()) == sorted(set(receiver.ids())) and len(receiver.ids()) == 30


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"url": "https://example.org/hook", "event_types": ["offer.exploded"]}, "/event_types/0"),
        ({"url": "https://example.org/hook", "event_types": []}, "/event_types"),
        (
            {"url": "https://example.org/hook", "event_types": ["offer.published"], "secret": "whsec_" + "A" * 200},
            "/secret",
        ),
        ({"url": "https://example.org/hook", "event_types": ["offer.published"], "secret": "not-a-secret"}, "/secret"),
        ({"url": "ftp://example.org/hook", "event_types": ["offer.published"]}, "/url"),
    ],
)
async def test_bad_registrations_are_validation_problems(client, keyring, body, pointer):
    lancashire = await council(client, await keyring.operator())
    answer = await client.post("/v1/webhooks", json=body, headers=bearer(lancashire.officer_key))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert pointer in [error["pointer"] for error in answer.json()["errors"]]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # not https
        "https://127.0.0.1/hook",  # loopback
        "https://10.1.2.3/hook",  # a private network
        "https://169.254.169.254/latest/meta-data",  # link-local: a cloud's metadata service
        "https://localhost/hook",
    ],
)
async def test_in_production_a_webhook_may_not_reach_inward(keyring, database_url, url):
    production = create_app(Settings(database_url=database_url, in_process_worker=False))
    async with production.router.lifespan_context(production):
        transport = httpx.ASGITransport(app=production)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            lancashire = await council(client, await keyring.operator())
            answer = await client.post(
                "/v1/webhooks",
                json={"url": url, "event_types": ["offer.published"]},
                headers=bearer(lancashire.officer_key),
            )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["pointer"] == "/url"


async def test_only_officers_and_the_operator_have_webhooks_and_each_council_its_own(client, keyring, receiver):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    ours = await register(client, lancashire.officer_key, receiver.url, ["covenant.closed"])
    theirs = await register(client, elsewhere.officer_key, receiver.url, ["covenant.closed"])
    _, org_key, _ = await published_pledge(client, lancashire, offers=1)

    refused = await client.post(
        "/v1/webhooks", json={"url": receiver.url, "event_types": ["offer.published"]}, headers=bearer(org_key)
    )
    assert refused.status_code == 403
    assert (
        await client.delete(f"/v1/webhooks/{theirs['id']}", headers=bearer(lancashire.officer_key))
    ).status_code == 403
    everyone = (await client.get("/v1/webhooks", headers=bearer(operator))).json()["items"]
    assert {item["id"] for item in everyone} == {ours["id"], theirs["id"]}
    assert (
        await client.delete(f"/v1/webhooks/{ours['id']}", headers=bearer(lancashire.officer_key))
    ).status_code == 204
    assert (await client.get("/v1/webhooks", headers=bearer(lancashire.officer_key))).json()["items"] == []
