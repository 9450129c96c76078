"""Email notifications, against a real SMTP server the test starts (aiosmtpd): who gets which message, what it
says, that nobody else's address appears in it, retries of a server that refuses for a while, and what happens
with no server configured. The worker's rounds are run by the tests, at the times they choose."""

import email
import email.policy
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

import httpx
import pytest
from aiosmtpd.controller import Controller

from app.ids import utcnow
from app.services import notification_delivery, notifications, reviews, webhook_delivery
from app.services.notification_delivery import Mailer
from tests.flows import bearer, council, draft_pledge, published_pledge, register
from tests.live import free_port

OFFICERS = "corporate.parenting@council.example.gov.uk"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None and found.get_content_subtype() == subtype, f"no text/{subtype} part"
        # Mail travels with CRLF line ends; the test compares lines, not transport.
        return found.get_content().replace("\r\n", "\n")  # type: ignore[no-any-return, attr-defined]

    def words(self, subtype: str = "plain") -> str:
        """The part with its lines joined: plain text is wrapped at 72 columns, wherever names make it fall."""
        return " ".join(self.part(subtype).split())

    def everything(self) -> str:
        return self.message.as_string()


class MailServer:
    """An SMTP server on loopback that keeps every message it accepts; told to, it refuses the next few with a
    temporary failure (451), as a busy server does."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse_next = 0
        self.lock = threading.Lock()
        self.port = free_port()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's name for the hook
        with self.lock:
            if self.refuse_next:
                self.refuse_next -= 1
                return "451 4.3.0 Try again later"
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [message for message in self.received if address in message.recipients]

    def mailer(self) -> Mailer:
        return Mailer(
            host="127.0.0.1",
            port=self.port,
            security="none",
            username="",
            password="",
            sender="Covenant registry <registry@council.example.gov.uk>",
        )


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    yield server
    controller.stop()


async def send_round(app, mailer: Mailer | None, now=None) -> notification_delivery.Round:
    return await notification_delivery.run_once(app.state.sessionmaker, mailer, now=now)


async def set_officer_email(client, council_, address: str | None) -> httpx.Response:
    return await client.put(
        f"/v1/authorities/{council_.authority_id}/notification-settings",
        json={"officer_email": address},
        headers=bearer(council_.officer_key),
    )


async def submitted_pledge(client, council_) -> tuple[dict, str, dict]:
    signatory, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, council_.slug, offers=2)
    submitted = await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))
    assert submitted.status_code == 200, submitted.text
    return signatory, org_key, pledge


async def contact_of(client, council_, signatory_id: str) -> str:
    answer = await client.get(f"/v1/signatories/{signatory_id}", headers=bearer(council_.officer_key))
    return answer.json()["contact"]["email"]


async def test_the_review_journey_tells_each_side_what_it_needs(client, keyring, app, mail_server):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    assert (await set_officer_email(client, lancashire, OFFICERS)).status_code == 200
    assert (await set_officer_email(client, elsewhere, "officers@elsewhere.example.gov.uk")).status_code == 200
    signatory, org_key, pledge = await submitted_pledge(client, lancashire)
    bystander, _, _ = await submitted_pledge(client, elsewhere)  # another council's organisation, told nothing here
    contact = await contact_of(client, lancashire, signatory["id"])
    comment = "Please say who the apprenticeship is for.\nAnd add a closing date."
    asked = await client.post(
        f"/v1/pledges/{pledge['id']}/request-changes", json={"comment": comment}, headers=bearer(lancashire.officer_key)
    )
    assert asked.status_code == 200, asked.text
    assert (await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))).status_code == 200
    await client.post(f"/v1/signatories/{signatory['id']}/verify", headers=bearer(lancashire.officer_key))
    approved = await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=bearer(lancashire.officer_key))
    assert approved.status_code == 200, approved.text

    done = await send_round(app, mail_server.mailer())

    assert done.sent == 5  # two submissions here and one elsewhere, changes requested, approved: nothing else
    officers = mail_server.to(OFFICERS)
    assert [message.subject for message in officers] == [f"New pledge to review: {signatory['name']}"] * 2
    assert "with 2 offers" in officers[0].words() and pledge["id"] in officers[0].part("plain")
    organisation = mail_server.to(contact)
    assert [message.subject for message in organisation] == [
        f"Changes requested to your pledge to {lancashire.covenant['title']}",
        f"Your pledge to {lancashire.covenant['title']} is published",
    ]
    changes, published = organisation
    assert "> Please say who the apprenticeship is for.\n> And add a closing date." in changes.part("plain")
    assert "Please say who the apprenticeship is for." in changes.part("html")
    review_due = date.fromisoformat(approved.json()["review_due"])
    assert f"{review_due.day} {review_due:%B %Y}" in published.words()
    for message in [*officers, *organisation]:
        assert message.recipients in ([OFFICERS], [contact])
        assert message.message["From"] == "Covenant registry <registry@council.example.gov.uk>"
        others = {OFFICERS, contact} - set(message.recipients)
        assert not any(address in message.everything() for address in others), "another person's address"
        assert "officers@elsewhere" not in message.everything()
        assert bystander["name"] not in message.everything()
    assert [message.recipients for message in mail_server.to("officers@elsewhere.example.gov.uk")] == [
        ["officers@elsewhere.example.gov.uk"]
    ]


async def test_html_is_escaped_and_plain_text_kept_as_written(client, keyring, app, mail_server):
    lancashire = await council(client, await keyring.operator())
    signatory, _, pledge = await submitted_pledge(client, lancashire)
    contact = await contact_of(client, lancashire, signatory["id"])
    comment = 'Say what <b>"guaranteed"</b> means & who decides.'
    await client.post(
        f"/v1/pledges/{pledge['id']}/request-changes", json={"comment": comment}, headers=bearer(lancashire.officer_key)
    )

    await send_round(app, mail_server.mailer())

    (message,) = mail_server.to(contact)
    assert f"> {comment}" in message.part("plain")
    assert "&lt;b&gt;&#34;guaranteed&#34;&lt;/b&gt; means &amp; who decides." in message.part("html")
    assert "<b>" not in message.part("html")


async def test_officers_without_an_address_are_not_emailed_and_nothing_breaks(client, keyring, app, mail_server):
    lancashire = await council(client, await keyring.operator())
    await submitted_pledge(client, lancashire)

    assert (await send_round(app, mail_server.mailer())).sent == 0
    assert mail_server.received == []


async def test_a_server_that_refuses_twice_delivers_on_the_third_try_once(client, keyring, app, mail_server):
    lancashire = await council(client, await keyring.operator())
    await set_officer_email(client, lancashire, OFFICERS)
    await submitted_pledge(client, lancashire)
    mail_server.refuse_next = 2
    start = utcnow()

    first = await send_round(app, mail_server.mailer(), start)
    too_soon = await send_round(app, mail_server.mailer(), start + timedelta(seconds=10))
    second = await send_round(app, mail_server.mailer(), start + timedelta(seconds=31))
    third = await send_round(app, mail_server.mailer(), start + timedelta(seconds=31 + 121))

    assert (first.failed, too_soon.failed + too_soon.sent, second.failed, third.sent) == (1, 0, 1, 1)
    assert len(mail_server.to(OFFICERS)) == 1
    (listed,) = (await client.get("/v1/notifications", headers=bearer(lancashire.officer_key))).json()["items"]
    assert (listed["status"], listed["attempts"], listed["last_error"]) == ("sent", 3, None)


async def test_a_server_down_for_a_day_abandons_the_message(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    await set_officer_email(client, lancashire, OFFICERS)
    await submitted_pledge(client, lancashire)
    nobody_listening = Mailer("127.0.0.1", free_port(), "none", "", "", "registry@council.example.gov.uk")
    start = utcnow()

    assert (await send_round(app, nobody_listening, start)).failed == 1
    assert (await send_round(app, nobody_listening, start + timedelta(days=1, minutes=1))).abandoned == 1

    (listed,) = (await client.get("/v1/notifications", headers=bearer(lancashire.officer_key))).json()["items"]
    assert listed["status"] == "abandoned" and listed["last_error"]


async def test_with_no_mail_server_messages_are_recorded_and_logged(client, keyring, app, caplog):
    lancashire = await council(client, await keyring.operator())
    await set_officer_email(client, lancashire, OFFICERS)
    _, _, pledge = await submitted_pledge(client, lancashire)

    with caplog.at_level(logging.INFO, logger="app.services.notification_delivery"):
        assert (await send_round(app, None)).recorded == 1

    (listed,) = (await client.get("/v1/notifications", headers=bearer(lancashire.officer_key))).json()["items"]
    assert (listed["kind"], listed["status"], listed["record_id"]) == ("pledge.submitted", "recorded", pledge["id"])
    assert any(listed["id"] in line and "not sent" in line for line in caplog.messages)
    assert (await send_round(app, None)).recorded == 0  # recorded once, not again


async def test_review_reminders_go_once_thirty_days_ahead(client, keyring, app, mail_server):
    lancashire = await council(client, await keyring.operator())
    signatory, _, pledge = await published_pledge(client, lancashire)
    contact = await contact_of(client, lancashire, signatory["id"])
    due = date.fromisoformat(pledge["review_due"])
    await send_round(app, mail_server.mailer())  # the approval
    mail_server.received.clear()

    async def remind(today: date) -> list[str]:
        async with app.state.sessionmaker() as session, session.begin():
            return await notifications.remind_reviews_due(session, today=today)

    assert await remind(due - timedelta(days=31)) == []
    assert await remind(due - timedelta(days=30)) == [pledge["id"]]
    assert await remind(due - timedelta(days=29)) == []  # told of this date already
    assert await remind(due + timedelta(days=1)) == []  # overdue: lapsing is the next step, not a reminder
    await send_round(app, mail_server.mailer())

    (message,) = mail_server.to(contact)
    assert (
        message.subject == f"Your pledge to {lancashire.covenant['title']} is due for review on {due.day} {due:%B %Y}"
    )
    assert "in 30 days" in message.words()


async def test_a_lapsed_pledge_is_told_to_its_organisation(client, keyring, app, mail_server):
    lancashire = await council(client, await keyring.operator())
    signatory, _, pledge = await published_pledge(client, lancashire)
    contact = await contact_of(client, lancashire, signatory["id"])
    await send_round(app, mail_server.mailer())
    mail_server.received.clear()

    async with app.state.sessionmaker() as session, session.begin():
        lapsed = await reviews.lapse_overdue(
            session,
            None,
            covenant_id=None,
            grace_days=30,
            today=date.fromisoformat(pledge["review_due"]) + timedelta(days=31),
        )
    assert lapsed == [pledge["id"]]
    await send_round(app, mail_server.mailer())

    (message,) = mail_server.to(contact)
    assert message.subject == f"Your pledge to {lancashire.covenant['title']} has lapsed"


async def test_a_disabled_webhook_is_told_to_its_council_s_officers(client, keyring, app, mail_server):
    lancashire = await council(client, await keyring.operator())
    await set_officer_email(client, lancashire, OFFICERS)
    dead = f"http://127.0.0.1:{free_port()}/hook"
    registered = await client.post(
        "/v1/webhooks", json={"url": dead, "event_types": ["offer.published"]}, headers=bearer(lancashire.officer_key)
    )
    assert registered.status_code == 201, registered.text
    await published_pledge(client, lancashire)
    start = utcnow()
    async with httpx.AsyncClient() as http:
        await webhook_delivery.run_once(app.state.sessionmaker, http, allow_private=True, now=start)
        late = start + timedelta(days=1, minutes=1)
        assert (await webhook_delivery.run_once(app.state.sessionmaker, http, allow_private=True, now=late)).abandoned

    await send_round(app, mail_server.mailer(), late)

    (message,) = [message for message in mail_server.to(OFFICERS) if "webhook" in message.subject]
    assert message.subject == "A webhook endpoint was disabled"
    assert dead in message.words() and registered.json()["id"] in message.words()


async def test_who_may_see_and_set_the_officers_address(client, keyring, app):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    _, org_key, _ = await submitted_pledge(client, lancashire)
    path = f"/v1/authorities/{lancashire.authority_id}/notification-settings"

    assert (await set_officer_email(client, lancashire, OFFICERS)).json()["officer_email"] == OFFICERS
    assert (await client.get(path, headers=bearer(lancashire.officer_key))).json()["officer_email"] == OFFICERS
    assert (await client.get(path, headers=bearer(operator))).status_code == 200
    assert (await client.get(path, headers=bearer(elsewhere.officer_key))).status_code == 403
    assert (await client.get(path, headers=bearer(org_key))).status_code == 403
    assert (await client.get(path)).status_code == 401
    refused = await client.put(path, json={"officer_email": "x@example.org"}, headers=bearer(elsewhere.officer_key))
    assert refused.status_code == 403
    bad = await client.put(path, json={"officer_email": "not an address"}, headers=bearer(lancashire.officer_key))
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/officer_email"
    missing = await client.get(
        "/v1/authorities/aut_01JD5X3K8Q2W7N4B6C9D0E1F2G/notification-settings", headers=bearer(operator)
    )
    assert missing.status_code == 404
    audit = (await client.get("/v1/audit-events", headers=bearer(lancashire.officer_key))).json()["items"]
    assert "authority.notifications" in {event["action"] for event in audit}


async def test_private_addresses_never_reach_a_public_answer(client, keyring, app):
    lancashire = await council(client, await keyring.operator())
    await set_officer_email(client, lancashire, OFFICERS)
    signatory, _, pledge = await published_pledge(client, lancashire)
    contact = await contact_of(client, lancashire, signatory["id"])

    for path in (
        f"/v1/authorities/{lancashire.authority_id}",
        "/v1/authorities",
        f"/v1/signatories/{signatory['id']}",
        f"/v1/pledges/{pledge['id']}",
        "/v1/changes",
        "/oruk/services",
    ):
        answer = await client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert OFFICERS not in answer.text and contact not in answer.text, path


async def test_each_caller_lists_only_the_notifications_about_their_records(client, keyring, app):
    operator = await keyring.operator()
    lancashire, elsewhere = await council(client, operator), await council(client, operator)
    for each in (lancashire, elsewhere):
        await set_officer_email(client, each, OFFICERS)
    _, org_key, pledge = await submitted_pledge(client, lancashire)
    await submitted_pledge(client, elsewhere)
    await client.post(
        f"/v1/pledges/{pledge['id']}/request-changes",
        json={"comment": "More detail."},
        headers=bearer(lancashire.officer_key),
    )

    def kinds(answer: httpx.Response) -> list[tuple[str, str]]:
        assert answer.status_code == 200, answer.text
        return [(item["kind"], item["record_id"]) for item in answer.json()["items"]]

    mine = kinds(await client.get("/v1/notifications", headers=bearer(org_key)))
    officers = kinds(await client.get("/v1/notifications", headers=bearer(lancashire.officer_key)))
    everyone = kinds(await client.get("/v1/notifications", headers=bearer(operator)))
    assert mine == [("pledge.changes_requested", pledge["id"])]
    assert officers == [("pledge.changes_requested", pledge["id"]), ("pledge.submitted", pledge["id"])]
    assert len(everyone) == 3
