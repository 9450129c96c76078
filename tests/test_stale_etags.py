"""Every kind of write, against the public answers remembered before it.

For each write, a broad set of public answers (bodies and ETags) is read before and after it. What the answers
say is read from a second app on the same database that remembers nothing, so the check does not lean on the
data version it is checking. Then:

- no wrong 304, ever: an answer whose body changed must not be revalidated by its old ETag;
- the private writes (drafts, submissions, private contacts, keys, webhooks, emails' settings, reports of
  problems, messages awaiting review) change no public body, and leave every remembered answer good: its old
  ETag is still answered 304, with the same ETag, so the data version did not move.
"""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.ids import utcnow
from app.main import create_app
from app.services import problem_reports
from tests.flows import Council, bearer, commitment_body, council, draft_pledge, published_pledge, register

TODAY = date.today()
YEAR = TODAY.year if TODAY.month >= 4 else TODAY.year - 1


@pytest.fixture(scope="module")
async def truth(settings) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """A second app on the same database that keeps no answers: what the public would be told now."""
    application = create_app(settings.model_copy(update={"public_response_cache_mb": 0}))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@dataclass
class World:
    """Two councils; a published organisation in each, one with a delivery return; an organisation still
    pending with a draft; a "you said" approved and one waiting; keys, a webhook."""

    operator: str
    lancashire: Council
    cumbria: Council
    published: dict[str, Any]
    published_key: str
    pledge: dict[str, Any]
    other_pledge: dict[str, Any]
    pending: dict[str, Any]
    pending_key: str
    draft: dict[str, Any]
    draft_offer: str
    report: dict[str, Any]
    waiting_voice: dict[str, Any]
    unused_key: dict[str, Any]
    webhook: dict[str, Any]
    ids: dict[str, set[str]] = field(default_factory=dict)

    def offer(self, index: int = 0) -> str:
        return str(self.pledge["commitments"][index]["id"])


async def ok(response: Awaitable[httpx.Response], status: int = 200) -> Any:
    answer = await response
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


async def build_world(client: httpx.AsyncClient, keyring: Any) -> World:
    operator = await keyring.operator()
    lancashire, cumbria = await council(client, operator), await council(client, operator)
    published, published_key, pledge = await published_pledge(client, lancashire, offers=2)
    _, _, other_pledge = await published_pledge(client, cumbria)
    pending, pending_key = await register(client)
    draft = await draft_pledge(client, pending_key, lancashire.slug)
    draft_offer = (await ok(client.get(f"/v1/pledges/{draft['id']}", headers=bearer(pending_key))))["commitments"]
    report = await ok(
        client.post(
            f"/v1/commitments/{pledge['commitments'][0]['id']}/progress-reports",
            json={
                "period_start": f"{YEAR}-04-01",
                "period_end": f"{YEAR}-09-30",
                "places_offered": 4,
                "referrals": 9,
                "applications": 6,
                "starts": 3,
                "sustained": 2,
                "narrative": "Three care leavers started in the bakery.",
            },
            headers=bearer(published_key),
        ),
        201,
    )
    officer = bearer(lancashire.officer_key)
    said = {"source": "care_leavers_forum", "raised_on": str(TODAY), "words": "Buses.", "priority": "HOME"}
    approved = await ok(
        client.post(
            f"/v1/covenants/{lancashire.slug}/you-said", json=said | {"public_words": "Bus passes."}, headers=officer
        ),
        201,
    )
    waiting = await ok(client.post(f"/v1/covenants/{lancashire.slug}/you-said", json=said, headers=officer), 201)
    unused_key = await ok(client.post("/v1/keys", json={"name": "Spare"}, headers=bearer(published_key)), 201)
    webhook = await ok(
        client.post(
            "/v1/webhooks", json={"url": "http://127.0.0.1:9/a", "event_types": ["offer.published"]}, headers=officer
        ),
        201,
    )
    world = World(
        operator,
        lancashire,
        cumbria,
        published,
        published_key,
        pledge,
        other_pledge,
        pending,
        pending_key,
        draft,
        draft_offer[0]["id"],
        report,
        waiting,
        unused_key,
        webhook,
    )
    world.ids = {
        "signatories": {published["id"], pending["id"], str(other_pledge["signatory"]["id"])},
        "pledges": {pledge["id"], other_pledge["id"], draft["id"]},
        "commitments": {world.offer(0), world.offer(1), world.draft_offer, other_offer(world)},
        "priorities": {priority["id"] for priority in lancashire.covenant["priorities"]},
    }
    assert approved["id"]
    return world


def other_offer(world: World) -> str:
    return str(world.other_pledge["commitments"][0]["id"])


def narrowed_paths(place: Council) -> list[str]:
    """The lists remembered only until their own covenant's, priority's or organisation's rows change
    (app/services/public_scopes.py)."""
    covenant_id, priorities = place.covenant["id"], place.covenant["priorities"]
    paths = [f"/v1/commitments?covenant={covenant_id}", f"/v1/commitments?covenant={covenant_id}&status=paused"]
    paths += [f"/v1/commitments?priority={priority['id']}" for priority in priorities]
    paths += [f"/v1/commitments?covenant={covenant_id}&priority={priorities[0]['code']}"]
    return paths


def public_paths(world: World) -> list[str]:
    """The public answers to watch: every list, feed, page and download, and each record the world holds."""
    paths = ["/v1", "/v1/authorities", "/v1/covenants", "/v1/signatories", "/v1/pledges", "/v1/commitments?limit=100"]
    paths += ["/v1/changes?limit=100", "/v1/commitments.csv", "/v1/signatories.csv", "/oruk/services"]
    paths += ["/oruk/organizations", "/oruk/taxonomy_terms"]
    for place in (world.lancashire, world.cumbria):
        covenant = f"/v1/covenants/{place.slug}"
        paths += [f"/v1/authorities/{place.authority_id}", covenant, f"{covenant}/priorities"]
        paths += [f"{covenant}/statistics", f"{covenant}/annual-report?year={YEAR}", f"{covenant}/strategy"]
        paths += [f"{covenant}/annual-report-for-young-people.html?year={YEAR}", f"{covenant}/you-said-we-did"]
        paths += [f"{covenant}/you-said-we-did.html", f"/embed/v1/offers?covenant={place.slug}"]
        paths += [f"/v1/commitments?covenant={place.slug}", f"/v1/signatories?covenant={place.slug}"]
    paths += [f"/v1/{kind}/{record_id}" for kind, ids in world.ids.items() for record_id in sorted(ids)]
    paths += narrowed_paths(world.lancashire) + narrowed_paths(world.cumbria)
    paths += [f"/v1/commitments?signatory={signatory_id}" for signatory_id in sorted(world.ids["signatories"])]
    return paths


@dataclass(frozen=True)
class Answer:
    status: int
    etag: str | None
    body: Any


VOLATILE = frozenset({"generated_at", "request_id"})
# Lines of a page that say when it was made, not what the registry holds.
MADE_AT = re.compile(rb"generated_at|Generated|\d{1,2} \w+ \d{4}, \d{2}:\d{2}")


def content(response: httpx.Response) -> Any:
    """What an answer says, without the moment it was made (the annual report's `generated_at`) or the request
    it answered (a problem's `request_id`)."""
    if "json" in response.headers.get("content-type", ""):
        return without_made_at(orjson.loads(response.content))
    return [line for line in response.content.splitlines() if not MADE_AT.search(line)]


def without_made_at(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_made_at(item) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [without_made_at(item) for item in value]
    return value


async def read(http: httpx.AsyncClient, paths: list[str]) -> dict[str, Answer]:
    answers = {}
    for path in paths:
        response = await http.get(path)
        answers[path] = Answer(response.status_code, response.headers.get("etag"), content(response))
    return answers


@dataclass
class Outcome:
    changed: list[str]  # answers whose body the write changed
    refetched: list[str]  # unchanged answers whose old ETag no longer got a 304
    renamed: list[str]  # unchanged answers whose 304 came with another ETag (a newer data version)


async def unstamped_changes(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM public_change WHERE version IS NULL"))).scalar_one())


async def write_and_revalidate(
    client: httpx.AsyncClient,
    truth: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    write: Callable[..., Awaitable[None]],
) -> Outcome:
    """Read every public answer (remembered by `client`'s worker), write, and revalidate each old ETag."""
    paths = public_paths(world)
    remembered = await read(client, paths)
    before = await read(truth, paths)
    await write(client, world)
    # The change feed shows only changes stamped with a data version: one left unstamped would never be seen.
    assert await unstamped_changes(engine) == 0
    after = await read(truth, paths)
    outcome = Outcome([], [], [])
    for path, answer in remembered.items():
        changed = (before[path].status, before[path].body) != (after[path].status, after[path].body)
        if changed:
            outcome.changed.append(path)
        if answer.status != 200 or answer.etag is None:
            continue
        again = await client.get(path, headers={"If-None-Match": answer.etag})
        if changed:
            assert again.status_code != 304, f"{path}: a stale copy was told it is current"
            assert (again.status_code, content(again)) == (after[path].status, after[path].body), path
        elif again.status_code != 304:
            outcome.refetched.append(path)
        elif strong(again.headers["etag"]) != strong(answer.etag):
            outcome.renamed.append(path)
    return outcome


def strong(etag: str) -> str:
    """A tag without the weakness the compression layer gives a gzipped answer's (its 304 has no body to gzip)."""
    return etag.removeprefix("W/")


async def if_match(client: httpx.AsyncClient, path: str, key: str) -> dict[str, str]:
    etag = (await client.get(path, headers=bearer(key))).headers["etag"]
    return {**bearer(key), "If-Match": etag}


# ---------------------------------------------------------------- the writes the public never sees


async def register_organisation(client: httpx.AsyncClient, world: World) -> None:
    await register(client)


async def create_draft_pledge(client: httpx.AsyncClient, world: World) -> None:
    body = {"covenant": world.cumbria.slug, "statement": "We will open doors."}
    await ok(client.post("/v1/pledges", json=body, headers=bearer(world.pending_key)), 201)


async def edit_draft(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/pledges/{world.draft['id']}"
    headers = await if_match(client, path, world.pending_key)
    await ok(client.patch(path, json={"statement": "We will open more doors."}, headers=headers))


async def add_commitment_to_draft(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/pledges/{world.draft['id']}/commitments"
    await ok(client.post(path, json=commitment_body(title="Work experience"), headers=bearer(world.pending_key)), 201)


async def edit_draft_commitment(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/commitments/{world.draft_offer}"
    headers = await if_match(client, path, world.pending_key)
    await ok(client.patch(path, json={"title": "Renamed", "areas": ["national"]}, headers=headers))


async def delete_draft_commitment(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/commitments/{world.draft_offer}"
    headers = await if_match(client, path, world.pending_key)
    assert (await client.delete(path, headers=headers)).status_code == 204


async def submit(client: httpx.AsyncClient, world: World) -> None:
    await ok(client.post(f"/v1/pledges/{world.draft['id']}/submit", headers=bearer(world.pending_key)))


async def prepare_submitted(client: httpx.AsyncClient, world: World) -> None:
    await submit(client, world)


async def request_changes(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/pledges/{world.draft['id']}/request-changes"
    await ok(client.post(path, json={"comment": "Say which towns."}, headers=bearer(world.lancashire.officer_key)))


async def update_private_contact(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/signatories/{world.published['id']}"
    headers = await if_match(client, path, world.published_key)
    contact = {"name": "Ada Brown", "email": "ada.brown@builders.example.org", "phone": "01772 000222"}
    await ok(client.patch(path, json={"contact": contact}, headers=headers))


async def issue_key(client: httpx.AsyncClient, world: World) -> None:
    await ok(client.post("/v1/keys", json={"name": "Another"}, headers=bearer(world.published_key)), 201)


async def rotate_key(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/keys/{world.unused_key['id']}/rotate"
    await ok(client.post(path, headers=bearer(world.published_key)), 201)


async def revoke_key(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/keys/{world.unused_key['id']}/revoke"
    await ok(client.post(path, headers=bearer(world.published_key)))


async def use_key(client: httpx.AsyncClient, world: World) -> None:
    # Its first use stamps when it was last used.
    await ok(client.get("/v1/keys", headers=bearer(world.unused_key["key"])))


async def register_webhook(client: httpx.AsyncClient, world: World) -> None:
    body = {"url": "http://127.0.0.1:9/b", "event_types": ["offer.withdrawn"]}
    await ok(client.post("/v1/webhooks", json=body, headers=bearer(world.lancashire.officer_key)), 201)


async def delete_webhook(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/webhooks/{world.webhook['id']}"
    assert (await client.delete(path, headers=bearer(world.lancashire.officer_key))).status_code == 204


async def set_notification_settings(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/authorities/{world.lancashire.authority_id}/notification-settings"
    body = {"officer_email": "care.leavers@council.example.org"}
    await ok(client.put(path, json=body, headers=bearer(world.lancashire.officer_key)))


async def report_problem(client: httpx.AsyncClient, world: World) -> None:
    token = problem_reports.form_token(world.offer(), utcnow() - timedelta(seconds=10))
    body = {"reason": "no_reply", "details": "Nobody replied.", "contact": "me@example.org", "form_token": token}
    await ok(client.post(f"/v1/commitments/{world.offer()}/problems", json=body), 201)


async def send_you_said(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/covenants/{world.lancashire.slug}/you-said/intake"
    assert (await client.post(path, json={"words": "Bus passes should last until 25."})).status_code == 202


async def edit_private_narrative(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/progress-reports/{world.report['id']}"
    headers = await if_match(client, path, world.published_key)
    await ok(client.patch(path, json={"narrative": "Three started; one moved on to college."}, headers=headers))


PRIVATE_WRITES: list[tuple[Callable[..., Awaitable[None]] | None, Callable[..., Awaitable[None]]]] = [
    (None, register_organisation),
    (None, create_draft_pledge),
    (None, edit_draft),
    (None, add_commitment_to_draft),
    (None, edit_draft_commitment),
    (None, delete_draft_commitment),
    (None, submit),
    (prepare_submitted, request_changes),
    (None, update_private_contact),
    (None, issue_key),
    (None, rotate_key),
    (None, revoke_key),
    (None, use_key),
    (None, register_webhook),
    (None, delete_webhook),
    (None, set_notification_settings),
    (None, report_problem),
    (None, send_you_said),
    (None, edit_private_narrative),
]


@pytest.mark.parametrize(("prepare", "write"), PRIVATE_WRITES, ids=[write.__name__ for _, write in PRIVATE_WRITES])
async def test_a_private_write_leaves_every_remembered_answer_current(client, truth, engine, keyring, prepare, write):
    world = await build_world(client, keyring)
    if prepare is not None:
        await prepare(client, world)
    outcome = await write_and_revalidate(client, truth, engine, world, write)
    assert outcome.changed == []
    # Every remembered answer is still current, by its own tag: the data version has not moved.
    assert (outcome.refetched, outcome.renamed) == ([], [])


# ---------------------------------------------------------------- writes the public sees


async def verify_organisation(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/signatories/{world.pending['id']}/verify"
    await ok(client.post(path, headers=bearer(world.lancashire.officer_key)))


async def approve(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/pledges/{world.draft['id']}/approve"
    await ok(client.post(path, headers=bearer(world.lancashire.officer_key)))


async def prepare_approvable(client: httpx.AsyncClient, world: World) -> None:
    await submit(client, world)
    await verify_organisation(client, world)


async def withdraw(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/pledges/{world.pledge['id']}/withdraw"
    await ok(client.post(path, json={"reason": "Closed."}, headers=bearer(world.published_key)))


async def pause_offer(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/commitments/{world.offer(1)}"
    headers = await if_match(client, path, world.published_key)
    await ok(client.patch(path, json={"status": "paused"}, headers=headers))


async def rename_organisation(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/signatories/{world.published['id']}"
    headers = await if_match(client, path, world.published_key)
    await ok(client.patch(path, json={"name": "Kingsholme and Daughters"}, headers=headers))


async def file_delivery_return(client: httpx.AsyncClient, world: World) -> None:
    body = {"period_start": f"{YEAR}-04-01", "period_end": f"{YEAR}-09-30", "places_offered": 7, "referrals": 8}
    body |= {"applications": 7, "starts": 6, "sustained": 5}
    path = f"/v1/commitments/{world.offer(1)}/progress-reports"
    await ok(client.post(path, json=body, headers=bearer(world.published_key)), 201)


async def approve_narrative(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/progress-reports/{world.report['id']}/approve-narrative"
    await ok(client.post(path, headers=bearer(world.lancashire.officer_key)))


async def approve_you_said(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/you-said/{world.waiting_voice['id']}/approve"
    await ok(
        client.post(path, json={"public_words": "Longer bus passes."}, headers=bearer(world.lancashire.officer_key))
    )


async def answer_you_said(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/you-said/{world.waiting_voice['id']}/responses"
    body = {"did": "Passes now last to 25.", "status": "done", "done_on": str(TODAY)}
    await ok(client.post(path, json=body, headers=bearer(world.lancashire.officer_key)), 201)


async def prepare_approved_you_said(client: httpx.AsyncClient, world: World) -> None:
    await approve_you_said(client, world)


async def publish_strategy(client: httpx.AsyncClient, world: World) -> None:
    officer = world.lancashire.officer_key
    strategy = {
        "title": "Corporate parenting strategy",
        "period_start": f"{YEAR}-04-01",
        "period_end": f"{YEAR + 3}-03-31",
        "approved_on": f"{YEAR}-04-01",
        "approved_by": "Cabinet",
        "body": "Every young person leaving our care has a home and a purpose.",
    }
    await ok(
        client.post(f"/v1/covenants/{world.lancashire.slug}/strategies", json=strategy, headers=bearer(officer)), 201
    )
    path = f"/v1/covenants/{world.lancashire.slug}"
    await ok(client.patch(path, json={"publish_strategy": True}, headers=await if_match(client, path, officer)))


async def edit_covenant(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/covenants/{world.lancashire.slug}"
    headers = await if_match(client, path, world.lancashire.officer_key)
    # The title shows beside each of its organisations' pledges too.
    body = {"title": "The Lancashire promise", "description": "Our promise, renewed."}
    await ok(client.patch(path, json=body, headers=headers))


async def withhold_recognition(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/signatories/{world.published['id']}/recognition/withhold"
    await ok(client.post(path, json={"reason": "Under review."}, headers=bearer(world.lancashire.officer_key)))


async def suspend_organisation(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/signatories/{world.published['id']}/suspend"
    await ok(client.post(path, json={"note": "Complaint."}, headers=bearer(world.lancashire.officer_key)))


PUBLIC_WRITES: list[tuple[Callable[..., Awaitable[None]] | None, Callable[..., Awaitable[None]]]] = [
    (None, verify_organisation),
    (prepare_approvable, approve),
    (None, withdraw),
    (None, pause_offer),
    (None, rename_organisation),
    (None, file_delivery_return),
    (None, approve_narrative),
    (None, approve_you_said),
    (prepare_approved_you_said, answer_you_said),
    (None, publish_strategy),
    (None, edit_covenant),
    (None, withhold_recognition),
    (None, suspend_organisation),
]


@pytest.mark.parametrize(("prepare", "write"), PUBLIC_WRITES, ids=[write.__name__ for _, write in PUBLIC_WRITES])
async def test_a_public_write_never_leaves_a_stale_copy_current(client, truth, engine, keyring, prepare, write):
    world = await build_world(client, keyring)
    if prepare is not None:
        await prepare(client, world)
    outcome = await write_and_revalidate(client, truth, engine, world, write)
    # The write shows somewhere (else this check proves nothing), and write_and_revalidate has found no answer
    # whose old ETag was still taken for current after its body changed.
    assert outcome.changed, "the write changed no public answer"


async def test_a_change_in_one_covenant_leaves_the_others_answers_remembered(client, truth, engine, keyring):
    """Pausing an offer in Lancashire forgets only what reads it: the other covenant's offers, priority lists and
    organisation, and Lancashire's other offer, are still answered from memory (their old tags, made before the
    version moved, come back with a 304), while every answer that did change is told so."""
    world = await build_world(client, keyring)
    outcome = await write_and_revalidate(client, truth, engine, world, pause_offer)
    cumbria = [
        *narrowed_paths(world.cumbria),
        f"/v1/commitments/{other_offer(world)}",
        f"/v1/signatories/{world.other_pledge['signatory']['id']}",
        f"/v1/commitments?signatory={world.other_pledge['signatory']['id']}",
        f"/v1/commitments?covenant={world.cumbria.slug}",
        f"/embed/v1/offers?covenant={world.cumbria.slug}",
        f"/v1/covenants/{world.cumbria.slug}/statistics",
    ]
    untouched = [*cumbria, f"/v1/commitments/{world.offer(0)}"]
    assert f"/v1/commitments/{world.offer(1)}" in outcome.changed
    assert [path for path in untouched if path in outcome.changed + outcome.refetched + outcome.renamed] == []
    # What depends on everything, or on Lancashire, was made again: its 304 names the new version.
    assert "/v1/commitments?limit=100" in outcome.changed
    assert f"/v1/commitments?covenant={world.lancashire.covenant['id']}&status=paused" in outcome.changed
