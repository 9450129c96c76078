"""You said, we did: what young people raise is private until an officer approves a public wording, and then it is
shown with what was done about it; the public form asks for nothing personal, is limited per address, drops what
automated senders send, and a flood of it is cleared in one action. The private words appear in no public
answer: the JSON, the page, the annual report, the change feed, the ORUK feed."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from app.config import Settings
from app.ids import new_id
from app.main import create_app
from app.models import VoiceEntry
from tests.flows import bearer, commitment_body, council, draft_pledge, published_pledge, register

SAID = "Nobody told me what they'd pay for when I moved, I had no bed for a week (Jade, 19)."
PUBLIC = "We don't know what the council will pay for when we move into our first flat."
DID = "The local offer now lists what we pay for in a first home, and advisers go through it with you."


async def record(client, lancashire, **overrides) -> dict:
    body = {"source": "care_leavers_forum", "raised_on": str(date.today()), "words": SAID, "priority": "HOME"}
    answer = await client.post(
        f"/v1/covenants/{lancashire.slug}/you-said", json=body | overrides, headers=bearer(lancashire.officer_key)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def public_text(client, lancashire) -> str:
    """Everything the public can read where a "you said" might show."""
    year = date.today().year if date.today().month >= 4 else date.today().year - 1
    paths = [
        f"/v1/covenants/{lancashire.slug}/you-said-we-did",
        f"/v1/covenants/{lancashire.slug}/you-said-we-did.html",
        f"/v1/covenants/{lancashire.slug}/annual-report?year={year}",
        f"/v1/covenants/{lancashire.slug}/annual-report.html?year={year}",
        "/v1/changes",
        "/oruk/services",
        "/v1/commitments.csv",
    ]
    answers = [await client.get(path) for path in paths]
    assert [answer.status_code for answer in answers] == [200] * len(paths), [a.text[:200] for a in answers]
    return "".join(answer.text for answer in answers)


async def test_a_you_said_is_private_until_approved_then_shown_with_its_we_did(client, keyring):
    lancashire = await council(client, await keyring.operator())
    entry = await record(client, lancashire)
    assert entry["entry_status"] == "submitted" and entry["said"] is None and entry["words"] == SAID

    assert "Jade" not in await public_text(client, lancashire)
    assert (await client.get(f"/v1/covenants/{lancashire.slug}/you-said-we-did")).json()["items"] == []

    officer = bearer(lancashire.officer_key)
    approved = await client.post(f"/v1/you-said/{entry['id']}/approve", json={"public_words": PUBLIC}, headers=officer)
    assert approved.status_code == 200, approved.text
    answered = await client.post(
        f"/v1/you-said/{entry['id']}/responses",
        json={"did": DID, "status": "done", "done_on": str(date.today())},
        headers=officer,
    )
    assert answered.status_code == 201, answered.text

    (shown,) = (await client.get(f"/v1/covenants/{lancashire.slug}/you-said-we-did")).json()["items"]
    assert (shown["said"], shown["status"], shown["priority"]["code"]) == (PUBLIC, "done", "HOME")
    assert [response["did"] for response in shown["responses"]] == [DID]
    assert "words" not in shown and "entry_status" not in shown
    everything = await public_text(client, lancashire)
    assert "Jade" not in everything and SAID not in everything
    page = (await client.get(f"/v1/covenants/{lancashire.slug}/you-said-we-did.html")).text
    assert page.index("don&#39;t know what the council will pay") < page.index("The local offer now lists")
    report = (await client.get(f"/v1/covenants/{lancashire.slug}/annual-report?year={_year()}")).json()
    assert [item["said"] for item in report["you_said_we_did"]] == [PUBLIC]


def _year() -> int:
    return date.today().year if date.today().month >= 4 else date.today().year - 1


async def test_newest_first_each_paired_with_its_own_we_did(client, keyring):
    lancashire = await council(client, await keyring.operator())
    officer = bearer(lancashire.officer_key)
    older = await record(client, lancashire, raised_on=str(date.today() - timedelta(days=20)), public_words="Older")
    newer = await record(client, lancashire, raised_on=str(date.today() - timedelta(days=2)), public_words="Newer")
    for entry, did in ((older, "Did older"), (newer, "Did newer")):
        answer = await client.post(
            f"/v1/you-said/{entry['id']}/responses", json={"did": did, "status": "in_progress"}, headers=officer
        )
        assert answer.status_code == 201
    not_possible = await client.post(
        f"/v1/you-said/{older['id']}/responses",
        json={"did": "We looked at free travel for everyone.", "status": "not_possible", "reason": "No budget"},
        headers=officer,
    )
    assert not_possible.status_code == 201

    items = (await client.get(f"/v1/covenants/{lancashire.slug}/you-said-we-did")).json()["items"]
    assert [(item["said"], [r["did"] for r in item["responses"]]) for item in items] == [
        ("Newer", ["Did newer"]),
        ("Older", ["We looked at free travel for everyone.", "Did older"]),
    ]
    assert items[1]["status"] == "not_possible" and items[1]["responses"][0]["reason"] == "No budget"


async def test_the_public_form_takes_no_personal_data_and_keeps_it_private(client, keyring):
    lancashire = await council(client, await keyring.operator())
    sent = await client.post(
        f"/v1/covenants/{lancashire.slug}/you-said/intake", json={"words": "Bus passes should last until 25."}
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == "received" and "id" not in sent.json()
    assert int(sent.headers["ratelimit-remaining"]) >= 0
    assert "Bus passes" not in await public_text(client, lancashire)
    (waiting,) = (
        await client.get(
            f"/v1/covenants/{lancashire.slug}/you-said?status=submitted", headers=bearer(lancashire.officer_key)
        )
    ).json()["items"]
    assert waiting["through_intake"] is True and waiting["words"] == "Bus passes should last until 25."


async def test_what_automated_senders_fill_in_is_dropped(client, keyring):
    lancashire = await council(client, await keyring.operator())
    bot = await client.post(
        f"/v1/covenants/{lancashire.slug}/you-said/intake",
        json={"words": "Cheap watches", "website": "https://spam.example"},
    )
    assert bot.status_code == 202  # told nothing a bot could learn from
    listed = await client.get(f"/v1/covenants/{lancashire.slug}/you-said", headers=bearer(lancashire.officer_key))
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"words": ""}, "/words"),
        ({"words": "x" * 2001}, "/words"),
        ({"words": "bell\x07 in the text"}, "/words"),
        ({"words": "fine", "source": "gossip"}, "/source"),
        ({"words": "fine", "priority": "NOPE"}, "/priority"),
        ({"words": "fine", "name": "Jade"}, "/name"),
    ],
)
async def test_bad_intake_is_a_validation_problem(client, keyring, body, pointer):
    lancashire = await council(client, await keyring.operator())
    answer = await client.post(f"/v1/covenants/{lancashire.slug}/you-said/intake", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert pointer in [error["pointer"] for error in answer.json()["errors"]]


async def test_the_form_is_limited_per_address_behind_a_trusted_proxy(keyring, database_url):
    limited = create_app(
        Settings(database_url=database_url, in_process_worker=False, voice_intake_limit=2, trusted_proxies="127.0.0.1")
    )
    async with limited.router.lifespan_context(limited):
        transport = httpx.ASGITransport(app=limited, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            lancashire = await council(client, await keyring.operator())
            path = f"/v1/covenants/{lancashire.slug}/you-said/intake"

            def sent_from(address: str) -> dict:
                return {"X-Forwarded-For": address}

            first = [await client.post(path, json={"words": "hi"}, headers=sent_from("203.0.113.7")) for _ in range(3)]
            other = await client.post(path, json={"words": "hi"}, headers=sent_from("203.0.113.8"))
    assert [answer.status_code for answer in first] == [202, 202, 429]
    assert first[2].headers["content-type"].startswith("application/problem+json")
    assert other.status_code == 202  # another address has its own allowance


async def test_a_flood_of_a_thousand_is_cleared_in_one_action(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    covenant_id = lancashire.covenant["id"]
    started = datetime.now(UTC)
    async with app.state.sessionmaker() as session, session.begin():
        session.add_all(
            VoiceEntry(
                id=new_id("voice_entry"),
                covenant_id=covenant_id,
                source="individual",
                raised_on=date.today(),
                words=f"automated message {number}",
                through_intake=True,
            )
            for number in range(1000)
        )
    kept = await record(client, lancashire)  # an officer's entry is not touched by the bulk action

    cleared = await client.post(
        f"/v1/covenants/{lancashire.slug}/you-said/dismiss",
        json={"received_from": (started - timedelta(minutes=1)).isoformat()},
        headers=bearer(lancashire.officer_key),
    )

    assert cleared.status_code == 200, cleared.text
    assert cleared.json() == {"dismissed": 1000}
    waiting = await client.get(
        f"/v1/covenants/{lancashire.slug}/you-said?status=submitted", headers=bearer(lancashire.officer_key)
    )
    assert [item["id"] for item in waiting.json()["items"]] == [kept["id"]]


async def test_only_the_covenant_s_officers_record_and_approve(client, keyring):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    _, org_key, _ = await published_pledge(client, lancashire)
    entry = await record(client, lancashire)
    path = f"/v1/you-said/{entry['id']}/approve"

    assert (await client.post(path, json={"public_words": PUBLIC}, headers=bearer(org_key))).status_code == 403
    assert (
        await client.post(path, json={"public_words": PUBLIC}, headers=bearer(elsewhere.officer_key))
    ).status_code in (403, 404)
    assert (await client.get(f"/v1/covenants/{lancashire.slug}/you-said")).status_code == 401
    other_priority = await client.post(
        f"/v1/you-said/{entry['id']}/responses",
        json={"did": "x", "status": "not_possible"},
        headers=bearer(lancashire.officer_key),
    )
    assert other_priority.status_code == 422 and other_priority.json()["errors"][0]["pointer"] == "/reason"
    future = await client.post(
        f"/v1/covenants/{lancashire.slug}/you-said",
        json={"source": "survey", "raised_on": str(date.today() + timedelta(days=3)), "words": "x"},
        headers=bearer(lancashire.officer_key),
    )
    assert future.status_code == 422


async def test_an_offer_the_public_cannot_see_is_not_named_by_a_you_said_or_its_we_did(client, keyring):
    """Officers may link any offer of their covenant, but one of a pledge still in draft, or one that has ended,
    is named only to them: the public reads the entry and what was done, without the offer."""
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    draft = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    added = await client.post(
        f"/v1/pledges/{draft['id']}/commitments",
        json=commitment_body(title="Heron Kitchen trial shifts, not yet public"),
        headers=bearer(org_key),
    )
    assert added.status_code == 201, added.text
    hidden = added.json()
    _, _, published = await published_pledge(client, lancashire)
    shown_offer = published["commitments"][0]
    entry = await record(client, lancashire, public_words=PUBLIC, offer=hidden["id"])
    answer = await client.post(
        f"/v1/you-said/{entry['id']}/responses",
        json={"did": DID, "status": "done", "offer": hidden["id"]},
        headers=bearer(lancashire.officer_key),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["offer"]["id"] == hidden["id"]  # officers see it
    other = await record(client, lancashire, public_words="Another.", offer=shown_offer["id"])

    items = {
        item["id"]: item
        for item in (await client.get(f"/v1/covenants/{lancashire.slug}/you-said-we-did")).json()["items"]
    }
    assert items[entry["id"]]["offer"] is None and items[entry["id"]]["responses"][0]["offer"] is None
    assert items[other["id"]]["offer"]["id"] == shown_offer["id"]
    text = await public_text(client, lancashire)
    assert hidden["id"] not in text and hidden["title"] not in text
