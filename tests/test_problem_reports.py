"""Problems reported with an offer, through HTTP on the migrated database: who hears of one (a real SMTP
server, the worker's round run by the test), that the reporter's contact reaches nothing public, the queues and
answers, the 14-day flag at its edge, and abuse: the limit per address (trusted-proxy aware), bad input, the
form token and honeypot, and a burst of 1,000 cleared in one call."""

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import insert, select

from app.config import Settings
from app.ids import new_id, utcnow
from app.main import create_app
from app.models import Commitment, Notification, ProblemReport, table_of
from app.services import problem_reports
from tests.flows import bearer, council, published_pledge
from tests.test_notifications import mail_server, send_round, set_officer_email  # noqa: F401 (a fixture)
from tests.test_public_privacy import public_paths

OFFICERS = "corporate.parenting@council.example.gov.uk"
ELSEWHERE = "officers@elsewhere.example.gov.uk"
REPORTER = "pa.team@adviser.example.org"


def token_for(offer_id: str, seconds_ago: float = 10) -> str:
    """A form token fetched `seconds_ago`, as a person filling the form in would send it."""
    return problem_reports.form_token(offer_id, utcnow() - timedelta(seconds=seconds_ago))


def report_body(offer_id: str, **overrides: object) -> dict[str, object]:
    body = {
        "reason": "no_reply",
        "details": "I emailed twice in October and nobody replied.",
        "contact": REPORTER,
        "form_token": token_for(offer_id),
    }
    return body | overrides


async def report(client: httpx.AsyncClient, offer_id: str, **overrides: object) -> httpx.Response:
    return await client.post(f"/v1/commitments/{offer_id}/problems", json=report_body(offer_id, **overrides))


async def offer_of(client, council_) -> tuple[dict, str, str]:  # type: ignore[no-untyped-def]
    """A published offer in the council's covenant: (its organisation, the organisation's key, the offer's id)."""
    signatory, org_key, pledge = await published_pledge(client, council_)
    return signatory, org_key, pledge["commitments"][0]["id"]


async def contact_of(client, council_, signatory_id: str) -> str:  # type: ignore[no-untyped-def]
    answer = await client.get(f"/v1/signatories/{signatory_id}", headers=bearer(council_.officer_key))
    return str(answer.json()["contact"]["email"])


# ---------------------------------------------------------------- who hears of it


async def test_a_report_reaches_the_organisation_and_the_covenant_s_officers_and_nobody_else(
    client,
    keyring,
    app,
    mail_server,  # noqa: F811
):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    await set_officer_email(client, lancashire, OFFICERS)
    await set_officer_email(client, elsewhere, ELSEWHERE)
    signatory, _, offer_id = await offer_of(client, lancashire)
    bystander, _, _ = await offer_of(client, lancashire)  # another organisation in the same covenant
    other, _, _ = await offer_of(client, elsewhere)
    contact = await contact_of(client, lancashire, signatory["id"])
    bystanders = [
        await contact_of(client, lancashire, bystander["id"]),
        await contact_of(client, elsewhere, other["id"]),
    ]
    await send_round(app, mail_server.mailer())  # the approvals
    mail_server.received.clear()

    sent = await report(client, offer_id, details="The phone number rings out.\nTwice this week.")
    assert sent.status_code == 201, sent.text
    assert REPORTER not in sent.text and "rings out" not in sent.text
    done = await send_round(app, mail_server.mailer())

    assert done.sent == 2
    assert sorted(address for message in mail_server.received for address in message.recipients) == sorted(
        [OFFICERS, contact]
    )
    (to_officers,) = mail_server.to(OFFICERS)
    (to_organisation,) = mail_server.to(contact)
    assert "Problem reported with an offer:" in to_officers.subject
    assert "A problem was reported with your offer:" in to_organisation.subject
    for message in (to_officers, to_organisation):
        text = message.part("plain")
        assert "> The phone number rings out.\n> Twice this week." in text
        # The details sent, not the default ones (the reason's own words, "nobody replied", may wrap anywhere).
        assert REPORTER in text and "I emailed twice in October" not in text
        for address in [ELSEWHERE, *bystanders]:
            assert address not in message.everything()
    assert contact not in to_officers.everything() and OFFICERS not in to_organisation.everything()
    kinds = (await client.get("/v1/notifications", headers=bearer(lancashire.officer_key))).json()["items"]
    assert [item["kind"] for item in kinds][:2] == ["problem.reported", "problem.reported"]


async def test_the_reporter_s_contact_and_words_appear_nowhere_public(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, _, pledge = await published_pledge(client, lancashire)
    offer_id = pledge["commitments"][0]["id"]
    secret_contact, secret_words = "reporter.only@private.example.net", "Kestrel-words-never-public"
    assert (await report(client, offer_id, contact=secret_contact, details=secret_words)).status_code == 201
    assert (await report(client, offer_id, contact="07700 900123", details="Phone given.")).status_code == 201

    paths = public_paths(lancashire.slug, lancashire.authority_id, signatory["id"], pledge["id"], offer_id)
    for path in [*paths, "/v1/changes", "/oruk/services"]:
        answer = await client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        for secret in (secret_contact, secret_words, "07700 900123", "07700900123"):
            assert secret not in answer.text, f"{path} shows {secret}"
    queue = await client.get(f"/v1/covenants/{lancashire.slug}/problems", headers=bearer(lancashire.officer_key))
    assert secret_contact in queue.text  # where it belongs


# ---------------------------------------------------------------- queues and answers


async def test_officers_and_the_organisation_work_the_queue_and_either_answers(client, keyring):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    signatory, org_key, offer_id = await offer_of(client, lancashire)
    _, other_key, other_offer = await offer_of(client, lancashire)
    first = (await report(client, offer_id)).json()
    second = (await report(client, offer_id, reason="other", details="The address is wrong.")).json()
    await report(client, other_offer, reason="no_longer_available", contact=None)
    officers = bearer(lancashire.officer_key)

    queue = await client.get(f"/v1/covenants/{lancashire.slug}/problems?status=open", headers=officers)
    assert queue.status_code == 200 and len(queue.json()["items"]) == 3
    assert queue.json()["items"][0]["reason"] == "no_longer_available"  # newest first
    per_organisation = await client.get(
        f"/v1/covenants/{lancashire.slug}/problems", params={"signatory": signatory["id"]}, headers=officers
    )
    assert [item["id"] for item in per_organisation.json()["items"]] == [second["id"], first["id"]]
    own = await client.get(f"/v1/commitments/{offer_id}/problems?status=open", headers=bearer(org_key))
    assert [item["contact"] for item in own.json()["items"]] == [REPORTER, REPORTER]
    assert (await client.get(f"/v1/commitments/{offer_id}/problems", headers=bearer(other_key))).status_code == 404
    assert (await client.get(f"/v1/commitments/{offer_id}/problems")).status_code == 401
    another = bearer(elsewhere.officer_key)
    assert (await client.get(f"/v1/covenants/{lancashire.slug}/problems", headers=another)).status_code == 403
    assert (await client.get(f"/v1/covenants/{lancashire.slug}/problems", headers=bearer(org_key))).status_code == 403

    resolved = await client.post(
        f"/v1/problems/{first['id']}/resolve",
        json={"outcome": "resolved", "note": "Our inbox had a fault; we have replied."},
        headers=bearer(org_key),
    )
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["closed_by"]) == ("resolved", "organisation")
    again = await client.post(
        f"/v1/problems/{first['id']}/resolve", json={"outcome": "not_upheld", "note": "Again."}, headers=officers
    )
    assert again.status_code == 409
    stranger = await client.post(
        f"/v1/problems/{second['id']}/resolve", json={"outcome": "resolved", "note": "Not mine."}, headers=another
    )
    assert stranger.status_code == 404
    not_upheld = await client.post(
        f"/v1/problems/{second['id']}/resolve",
        json={"outcome": "not_upheld", "note": "Checked: the address is right."},
        headers=officers,
    )
    assert (not_upheld.json()["status"], not_upheld.json()["closed_by"]) == ("not_upheld", "officers")
    left = await client.get(f"/v1/covenants/{lancashire.slug}/problems?status=open", headers=officers)
    assert [item["commitment"]["id"] for item in left.json()["items"]] == [other_offer]
    events = (await client.get("/v1/audit-events?limit=100", headers=officers)).json()["items"]
    assert [event["action"] for event in events].count("problem_report.resolve") == 2


# ---------------------------------------------------------------- feeding "you said, we did"


async def test_an_answered_report_feeds_you_said_we_did_and_its_own_words_stay_private(client, keyring):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    _, org_key, offer_id = await offer_of(client, lancashire)
    own_words = "Heron-words-as-reported: I emailed on 3 October and 17 October."
    fixed = (await report(client, offer_id, details=own_words)).json()
    refused = (await report(client, offer_id, reason="not_as_described", details="The hours were wrong.")).json()
    still_open = (await report(client, offer_id, reason="no_longer_available", contact=None)).json()
    officers = bearer(lancashire.officer_key)
    for problem_id, outcome in ((fixed["id"], "resolved"), (refused["id"], "not_upheld")):
        answer = await client.post(
            f"/v1/problems/{problem_id}/resolve", json={"outcome": outcome, "note": "Looked into."}, headers=officers
        )
        assert answer.status_code == 200, answer.text

    def feed(problem_id: str, key: str, **body: object) -> object:
        return client.post(f"/v1/problems/{problem_id}/you-said", json=body, headers=bearer(key))

    public_said, public_did = "Someone asked about this offer twice and nobody replied.", "Replies now go to a team."
    made = await feed(fixed["id"], lancashire.officer_key, public_words=public_said, did=public_did, priority="HOME")
    assert made.status_code == 201, made.text
    entry = made.json()
    assert (entry["problem_report"], entry["offer"]["id"], entry["words"]) == (fixed["id"], offer_id, own_words)
    assert (entry["entry_status"], entry["status"], entry["responses"][0]["did"]) == ("approved", "done", public_did)
    assert made.headers["location"] == f"/v1/you-said/{entry['id']}"

    assert (await feed(refused["id"], lancashire.officer_key, did="We checked the hours.")).status_code == 422
    waiting = await feed(refused["id"], lancashire.officer_key, did="We checked.", reason="The hours were right.")
    assert waiting.status_code == 201 and waiting.json()["entry_status"] == "submitted"
    assert waiting.json()["status"] == "not_possible"
    for problem_id, key, status in (
        (fixed["id"], lancashire.officer_key, 409),  # already made one
        (still_open["id"], lancashire.officer_key, 409),  # nothing answered yet
        (fixed["id"], elsewhere.officer_key, 404),  # another council's officers
        (fixed["id"], org_key, 403),  # the organisation answers the report; officers speak for the council
    ):
        assert (await feed(problem_id, key, did="Again.")).status_code == status, (problem_id, status)

    (shown,) = (await client.get(f"/v1/covenants/{lancashire.slug}/you-said-we-did")).json()["items"]
    assert (shown["said"], shown["offer"]["id"], [r["did"] for r in shown["responses"]]) == (
        public_said,
        offer_id,
        [public_did],
    )
    assert own_words not in (await client.get(f"/v1/covenants/{lancashire.slug}/you-said-we-did.html")).text
    events = (await client.get("/v1/audit-events?limit=100", headers=officers)).json()["items"]
    actions = [event["action"] for event in events]
    assert (actions.count("voice_entry.create"), actions.count("voice_response.create")) == (2, 2)


async def store_reports(app, offer_id: str, ages: list[timedelta], *, now=None) -> list[str]:  # type: ignore[no-untyped-def]
    """Reports written straight into the table (as a burst that the rate limit would stop over HTTP)."""
    async with app.state.sessionmaker() as session, session.begin():
        found = await session.get(Commitment, offer_id)
        assert found is not None
        now = now or utcnow()
        rows = [
            {
                "id": new_id("problem_report"),
                "commitment_id": found.id,
                "covenant_id": found.covenant_id,
                "signatory_id": found.signatory_id,
                "reason": "no_reply",
                "details": "",
                "contact": None,
                "status": "open",
                "received_at": now - age,
            }
            for age in ages
        ]
        await session.execute(insert(table_of(ProblemReport)), rows)
    return [row["id"] for row in rows]


@pytest.mark.parametrize(("age", "flagged"), [(timedelta(days=13), False), (timedelta(days=15), True)])
async def test_an_offer_with_a_report_open_for_over_14_days_is_flagged_for_review(client, keyring, app, age, flagged):
    lancashire = await council(client, await keyring.operator())
    _, org_key, offer_id = await offer_of(client, lancashire)
    old, recent = await store_reports(app, offer_id, [age, timedelta(days=1)])
    officers = bearer(lancashire.officer_key)

    queue = (await client.get(f"/v1/covenants/{lancashire.slug}/problems?status=open", headers=officers)).json()
    assert {item["id"]: item["flagged_for_review"] for item in queue["items"]} == {old: flagged, recent: False}
    for key in (lancashire.officer_key, org_key):
        offer = (await client.get(f"/v1/commitments/{offer_id}", headers=bearer(key))).json()
        assert offer["problems"] == {"open": 2, "flagged_for_review": flagged}
    public = (await client.get(f"/v1/commitments/{offer_id}")).json()
    assert "problems" not in public and "flagged_for_review" not in str(public)


def test_the_flag_is_for_more_than_14_days_not_14():
    now = utcnow()
    assert not problem_reports.flagged("open", now - timedelta(days=14), now)
    assert problem_reports.flagged("open", now - timedelta(days=14, seconds=1), now)
    assert not problem_reports.flagged("resolved", now - timedelta(days=30), now)


# ---------------------------------------------------------------- abuse


async def test_bad_input_is_a_clear_422(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, _, offer_id = await offer_of(client, lancashire)
    cases = {
        "/details": report_body(offer_id, reason="other", details="   "),
        "/details ": report_body(offer_id, details="x" * 2001),
        "/details  ": report_body(offer_id, details="bell\x07"),
        "/contact": report_body(offer_id, contact="call me\x00"),
        "/contact ": report_body(offer_id, contact="not a contact"),
        "/reason": report_body(offer_id, reason="spam"),
        "/form_token": report_body(offer_id, form_token="1700000000.forged"),
        "/form_token ": report_body(offer_id, form_token=token_for("cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G")),
        "/form_token  ": report_body(offer_id, form_token=token_for(offer_id, seconds_ago=86_401)),
        "/website": report_body(offer_id, website="x" * 501),
    }
    for pointer, body in cases.items():
        answer = await client.post(f"/v1/commitments/{offer_id}/problems", json=body)
        assert answer.status_code == 422, (pointer, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert pointer.strip() in [error["pointer"] for error in answer.json()["errors"]], (pointer, answer.text)


async def test_a_report_sent_as_soon_as_the_form_is_fetched_is_refused(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, _, offer_id = await offer_of(client, lancashire)
    form = await client.get(f"/v1/commitments/{offer_id}/problems/form")
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    assert form.json()["honeypot_field"] == "website"
    quick = await report(client, offer_id, form_token=form.json()["form_token"])
    assert quick.status_code == 422 and "too quickly" in quick.json()["detail"]
    assert (await client.get("/v1/commitments/cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G/problems/form")).status_code == 404


async def test_a_filled_honeypot_is_answered_as_usual_and_goes_nowhere(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    await set_officer_email(client, lancashire, OFFICERS)
    _, _, offer_id = await offer_of(client, lancashire)

    trapped = await report(client, offer_id, website="https://cheap-pills.example.com")

    assert trapped.status_code == 201 and trapped.json()["id"].startswith("prb_")
    queue = await client.get(f"/v1/covenants/{lancashire.slug}/problems", headers=bearer(lancashire.officer_key))
    assert queue.json()["items"] == []
    async with app.state.sessionmaker() as session:
        kinds = (await session.execute(select(Notification.kind))).scalars().all()
    assert "problem.reported" not in kinds


async def test_reports_from_one_address_are_rate_limited(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    _, _, offer_id = await offer_of(client, lancashire)
    limit = app.state.settings.problem_report_limit
    for number in range(limit):
        sent = await report(client, offer_id, contact=None, details=f"Report {number}.")
        assert sent.status_code == 201, sent.text
        assert sent.headers["ratelimit-remaining"] == str(limit - number - 1)
    # Another address claimed in a header the service was not told to trust buys nothing.
    refused = await client.post(
        f"/v1/commitments/{offer_id}/problems", json=report_body(offer_id), headers={"X-Forwarded-For": "192.0.2.9"}
    )
    assert refused.status_code == 429
    assert refused.json()["type"] == "/problems/rate-limited"
    assert refused.headers["ratelimit-remaining"] == "0" and int(refused.headers["retry-after"]) > 0


async def test_behind_a_trusted_proxy_each_client_has_its_own_allowance(database_url, keyring, client):
    lancashire = await council(client, await keyring.operator())
    _, _, offer_id = await offer_of(client, lancashire)
    settings = Settings(
        database_url=database_url,
        data_version_ttl=0,
        in_process_worker=False,
        problem_report_limit=2,
        trusted_proxies="127.0.0.1",
    )
    behind_proxy = create_app(settings)
    async with behind_proxy.router.lifespan_context(behind_proxy):
        transport = httpx.ASGITransport(app=behind_proxy, client=("127.0.0.1", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as proxied:

            async def from_(address: str) -> int:
                answer = await proxied.post(
                    f"/v1/commitments/{offer_id}/problems",
                    json=report_body(offer_id),
                    headers={"X-Forwarded-For": address},
                )
                return answer.status_code

            assert [await from_("198.51.100.1") for _ in range(3)] == [201, 201, 429]
            assert await from_("198.51.100.2") == 201  # another adviser, behind the same proxy


async def test_a_burst_of_1000_is_cleared_in_one_call(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    await set_officer_email(client, lancashire, OFFICERS)
    _, _, offer_id = await offer_of(client, lancashire)
    now = utcnow()
    burst = await store_reports(app, offer_id, [timedelta(minutes=10, seconds=n / 10) for n in range(1000)], now=now)
    real = (await report(client, offer_id, details="A real one, after the burst.")).json()
    officers = bearer(lancashire.officer_key)
    window = {
        "received_from": (now - timedelta(hours=1)).isoformat(),
        "received_to": (now - timedelta(minutes=5)).isoformat(),
    }

    dismissed = await client.post(
        f"/v1/covenants/{lancashire.slug}/problems/dismiss",
        json={**window, "note": "A burst of automated submissions."},
        headers=officers,
    )

    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json() == {"dismissed": 1000}
    left = (await client.get(f"/v1/covenants/{lancashire.slug}/problems?status=open", headers=officers)).json()
    assert [item["id"] for item in left["items"]] == [real["id"]]
    async with app.state.sessionmaker() as session:
        statuses = (
            (
                await session.execute(select(ProblemReport.status).where(ProblemReport.id.in_(burst[:5])))  # type: ignore[attr-defined]
            )
            .scalars()
            .all()
        )
    assert statuses == ["dismissed"] * 5
    events = (await client.get("/v1/audit-events?limit=100", headers=officers)).json()["items"]
    (event,) = [event for event in events if event["action"] == "problem_report.dismiss"]
    assert "1000 dismissed" in str(event)
    by_id = await client.post(
        f"/v1/covenants/{lancashire.slug}/problems/dismiss",
        json={"ids": [real["id"]], "note": "Test."},
        headers=officers,
    )
    assert by_id.json() == {"dismissed": 1}
    nothing = await client.post(
        f"/v1/covenants/{lancashire.slug}/problems/dismiss", json={"note": "All?"}, headers=officers
    )
    assert nothing.status_code == 422
    async with app.state.sessionmaker() as session:
        pending = (
            (
                await session.execute(select(Notification).where(Notification.record_id == real["id"]))  # type: ignore[arg-type]
            )
            .scalars()
            .all()
        )
    assert {message.status for message in pending} == {"abandoned"}  # its emails were not yet sent: now never
