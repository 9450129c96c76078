"""The two public forms for council pages, over HTTP on the migrated database: CORS for their JSON endpoints
(and for no other write), and their server-rendered pages, which create a report or a "you said" through the
same service rules as the JSON API and say what to change beside each field."""

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
import pytest

from app.config import Settings
from app.ids import utcnow
from app.main import create_app
from app.services import embed_forms, problem_reports, voice
from app.services.embed import SCRIPT, content_security_policy
from tests.flows import bearer, council, draft_pledge, published_pledge, register
from tests.test_problem_reports import REPORTER, report_body, token_for

ORIGIN = "https://www.council.example.gov.uk"


async def offer_of(client, council_) -> str:  # type: ignore[no-untyped-def]
    _, _, pledge = await published_pledge(client, council_)
    return str(pledge["commitments"][0]["id"])


def preflight(method: str, headers: str = "content-type") -> dict[str, str]:
    return {"Origin": ORIGIN, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}


# ---------------------------------------------------------------- CORS


async def test_a_preflight_is_allowed_for_the_two_public_forms(client, keyring):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    for path in (f"/v1/covenants/{lancashire.slug}/you-said/intake", f"/v1/commitments/{offer_id}/problems"):
        answer = await client.options(path, headers=preflight("POST", "content-type, idempotency-key, x-request-id"))
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "POST" in answer.headers["access-control-allow-methods"]
        allowed = answer.headers["access-control-allow-headers"].lower()
        assert {"content-type", "idempotency-key", "x-request-id", "accept"} <= set(allowed.replace(" ", "").split(","))
        assert "access-control-allow-credentials" not in answer.headers


@pytest.mark.parametrize(
    "path", ["/v1/pledges", "/v1/signatories", "/v1/covenants/lancashire/you-said", "/v1/problems/prb_x/resolve"]
)
async def test_a_preflight_for_any_other_write_is_refused(client, path):
    answer = await client.options(path, headers=preflight("POST"))
    assert answer.status_code == 400
    assert "POST" not in answer.headers.get("access-control-allow-methods", "")


async def test_a_post_from_another_origin_may_read_the_answer_and_its_allowance(client, keyring):
    lancashire = await council(client, await keyring.operator())
    answer = await client.post(
        f"/v1/covenants/{lancashire.slug}/you-said/intake",
        json={"words": "Bus passes should last until 25."},
        headers={"Origin": ORIGIN},
    )
    assert answer.status_code == 202, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    exposed = {name.strip().lower() for name in answer.headers["access-control-expose-headers"].split(",")}
    assert {"retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-request-id"} <= exposed
    assert int(answer.headers["ratelimit-remaining"]) >= 0
    # Public reads are as open as before.
    read = await client.get("/v1/covenants", headers={"Origin": ORIGIN})
    assert read.headers["access-control-allow-origin"] == "*"
    assert "etag" in read.headers["access-control-expose-headers"].lower()


async def test_a_report_from_another_origin_may_read_where_it_went(client, keyring):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    answer = await client.post(
        f"/v1/commitments/{offer_id}/problems", json=report_body(offer_id), headers={"Origin": ORIGIN}
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "location" in answer.headers["access-control-expose-headers"].lower()
    queue = await client.get(f"/v1/covenants/{lancashire.slug}/problems", headers=bearer(lancashire.officer_key))
    assert [item["commitment"]["id"] for item in queue.json()["items"]] == [offer_id]


# ---------------------------------------------------------------- the pages: what a test reads of them


class FormPage(HTMLParser):
    """The form's fields (type, value and attributes by id), its action, its links by their text, and the
    messages beside fields by the id they carry."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, dict[str, str]] = {}
        self.action: str | None = None
        self.links: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        self.hidden_from_people: set[str] = set()
        self._link: str | None = None
        self._message: str | None = None
        self._spans = 0
        self._depth_hidden = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "div" and found.get("aria-hidden") == "true":
            self._depth_hidden += 1
        if tag == "form":
            self.action = found.get("action")
        if tag in ("input", "textarea", "select") and "name" in found:
            self.fields[found.get("id") or found["name"]] = found
            if self._depth_hidden:
                self.hidden_from_people.add(found["name"])
        if tag == "a":
            self._link = found.get("href")
        if tag == "span" and self._message is not None:
            self._spans += 1
        elif tag == "span" and found.get("class") == "message":
            self._message, self._spans = found.get("id") or "", 1
            self.messages[self._message] = ""

    def handle_data(self, data: str) -> None:
        if self._link is not None and data.strip():
            self.links.setdefault(data.strip(), self._link)
        if self._message is not None:
            self.messages[self._message] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._link = None
        if tag == "div" and self._depth_hidden:
            self._depth_hidden -= 1
        if tag == "span" and self._message is not None:
            self._spans -= 1
            if not self._spans:
                self._message = None


def problem_path(offer_id: str) -> str:
    return f"/embed/v1/offers/{offer_id}/problem"


def filled(offer_id: str, **overrides: str) -> dict[str, str]:
    """The problem form as a person sends it: a token fetched a while ago, the honeypot left empty."""
    values = {
        "reason": "no_reply",
        "details": "I emailed twice in October\r\nand nobody replied.",
        "contact": REPORTER,
        "form_token": token_for(offer_id),
        "website": "",
    }
    return values | overrides


async def open_queue(client, council_) -> list[dict]:  # type: ignore[no-untyped-def]
    queue = await client.get(f"/v1/covenants/{council_.slug}/problems", headers=bearer(council_.officer_key))
    assert queue.status_code == 200, queue.text
    return list(queue.json()["items"])


async def waiting(client, council_) -> list[dict]:  # type: ignore[no-untyped-def]
    listed = await client.get(f"/v1/covenants/{council_.slug}/you-said", headers=bearer(council_.officer_key))
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])


def assert_a_form_page(response, status: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert policy == content_security_policy("*")  # the finder page's own policy (EMBED_FRAME_ANCESTORS=*)


# ---------------------------------------------------------------- report a problem with an offer


async def test_the_problem_page_shows_the_offer_and_a_form_with_a_fresh_token(client, keyring):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    offer = (await client.get(f"/v1/commitments/{offer_id}")).json()

    response = await client.get(problem_path(offer_id))

    assert_a_form_page(response, 200)
    text = html.unescape(response.text)
    assert offer["title"] in text and f"From {offer['signatory']['name']}" in text
    for words in ("Nobody replied", "The offer is no longer available", "Something else"):
        assert words in text
    assert "never published" in text  # the contact's hint says it is private
    page = FormPage(response.text)
    assert page.action == problem_path(offer_id)
    token = page.fields["form_token"]
    assert token["type"] == "hidden"
    problem_reports.check_token(token["value"], offer_id, utcnow(), min_seconds=0)
    trap = page.fields["website"]
    assert trap["type"] == "text" and trap["autocomplete"] == "off" and trap["tabindex"] == "-1"
    assert page.hidden_from_people == {"website"}
    assert page.fields["contact"]["aria-describedby"] == "contact-hint"


async def test_a_report_sent_from_the_page_reaches_the_officers_queue(client, keyring):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)

    response = await client.post(problem_path(offer_id), data=filled(offer_id))

    assert_a_form_page(response, 200)
    assert problem_reports.RECEIVED in html.unescape(response.text)
    assert int(response.headers["ratelimit-remaining"]) >= 0
    (report,) = await open_queue(client, lancashire)
    assert report["commitment"]["id"] == offer_id and report["reason"] == "no_reply"
    assert report["details"] == "I emailed twice in October\nand nobody replied."
    assert report["contact"] == REPORTER
    assert "Back to the offers" not in response.text  # no return given


async def test_a_filled_honeypot_is_thanked_and_goes_nowhere(client, keyring):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    response = await client.post(problem_path(offer_id), data=filled(offer_id, website="https://pills.example"))
    assert_a_form_page(response, 200)
    assert problem_reports.RECEIVED in html.unescape(response.text)
    assert await open_queue(client, lancashire) == []


async def test_a_report_sent_as_soon_as_the_page_is_fetched_is_refused_beside_the_button(client, keyring):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    token = FormPage((await client.get(problem_path(offer_id))).text).fields["form_token"]["value"]

    response = await client.post(problem_path(offer_id), data=filled(offer_id, form_token=token))

    assert_a_form_page(response, 422)
    page = FormPage(response.text)
    assert "That was sent very quickly" in page.messages["form_token-error"]
    assert 'aria-describedby="form_token-error"' in response.text
    assert page.links["Send the report: " + page.messages["form_token-error"].removeprefix("Error: ")] == "#send"
    # What was typed comes back, to send again.
    assert "I emailed twice in October" in response.text
    assert page.fields["reason"]["checked"] == ""
    assert await open_queue(client, lancashire) == []


@pytest.mark.parametrize(
    ("overrides", "name", "message"),
    [
        ({"contact": "not a contact"}, "contact", "Enter an email address"),
        ({"contact": "call me\x00"}, "contact", "Enter an email address"),
        ({"reason": ""}, "reason", "Choose what went wrong."),
        ({"reason": "spam"}, "reason", "Choose what went wrong."),
        ({"reason": "other", "details": "  "}, "details", "Say what went wrong, as you chose “Something else”."),
        ({"details": "x" * 2001}, "details", "Use 2,000 characters or fewer."),
        ({"details": "a bell\x07"}, "details", "Take out the unusual characters"),
        ({"form_token": "1700000000.forged"}, "form_token", "This form is out of date."),
    ],
)
async def test_bad_input_is_a_422_page_with_the_message_beside_its_field(client, keyring, overrides, name, message):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)

    response = await client.post(problem_path(offer_id), data=filled(offer_id, **overrides))

    assert_a_form_page(response, 422)
    page = FormPage(response.text)
    assert message in page.messages[f"{name}-error"], page.messages
    assert response.text.count('class="error-summary"') == 1 and "<title>Check your answers:" in response.text
    if name in ("contact", "details"):
        described = page.fields[name]["aria-describedby"].split()
        assert described == [f"{name}-hint", f"{name}-error"] and page.fields[name]["aria-invalid"] == "true"
    assert await open_queue(client, lancashire) == []


async def test_a_page_that_is_not_a_public_offer_is_a_404_page(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    draft = await draft_pledge(client, org_key, lancashire.slug)
    (hidden,) = (await client.get(f"/v1/pledges/{draft['id']}", headers=bearer(org_key))).json()["commitments"]
    for offer_id in (hidden["id"], "cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G", "x" * 300):
        assert_a_form_page(await client.get(problem_path(offer_id)), 404)
        assert_a_form_page(await client.post(problem_path(offer_id), data=filled(offer_id)), 404)
    assert await open_queue(client, lancashire) == []


@pytest.mark.parametrize(
    ("given", "back"),
    [
        ("https://www.council.example.gov.uk/care-leavers?area=PR1#offers", True),
        ("http://intranet.council.example/offers", True),
        ("javascript:alert(1)", False),
        ("/care-leavers", False),
        ("/embed/v1/offers?covenant=lancashire", True),
        ("//evil.example/", False),
        ("https://", False),
    ],
)
async def test_the_thank_you_page_links_back_only_to_an_http_or_https_page(client, keyring, given, back):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    form = FormPage((await client.get(problem_path(offer_id), params={"return": given})).text)
    assert ("return=" in (form.action or "")) is back
    response = await client.post(form.action or "", data=filled(offer_id))
    assert_a_form_page(response, 200)
    links = FormPage(response.text).links
    assert links.get("Back to the offers") == (given if back else None)
    assert "http-equiv" not in response.text and "location" not in response.headers  # never sent there by itself


# ---------------------------------------------------------------- tell the council something


def voice_path(covenant: str, **query: str) -> str:
    return f"/embed/v1/you-said?{urlencode({'covenant': covenant, **query})}"


async def test_the_voice_page_offers_the_covenant_s_priorities_and_who_is_telling_us(client, keyring):
    lancashire = await council(client, await keyring.operator())
    response = await client.get(voice_path(lancashire.slug))
    assert_a_form_page(response, 200)
    text = html.unescape(response.text)
    assert lancashire.covenant["title"] in text
    page = FormPage(response.text)
    assert page.fields["words"]["aria-describedby"] == "words-hint"
    assert [option for option in ("EET", "HOME") if f'value="{option}"' in response.text] == ["EET", "HOME"]
    assert {f["value"] for f in page.fields.values() if f.get("name") == "source"} == set(embed_forms.SOURCES)
    assert page.hidden_from_people == {"website"} and page.fields["website"]["type"] == "text"
    assert page.action == voice_path(lancashire.slug)


async def test_a_message_sent_from_the_page_waits_for_the_officers(client, keyring):
    lancashire = await council(client, await keyring.operator())
    path = voice_path(lancashire.slug, **{"return": "https://www.council.example.gov.uk/offers"})
    sent = {"words": "Bus passes should last until 25.", "source": "care_leavers_forum", "priority": "HOME"}

    response = await client.post(path, data={**sent, "website": ""})

    assert_a_form_page(response, 200)
    assert voice.received_message()["message"] in html.unescape(response.text)
    assert FormPage(response.text).links["Back to the offers"] == "https://www.council.example.gov.uk/offers"
    (entry,) = await waiting(client, lancashire)
    assert entry["through_intake"] is True and entry["entry_status"] == "submitted"
    assert (entry["words"], entry["source"], entry["priority"]["code"]) == (sent["words"], "care_leavers_forum", "HOME")

    # Who is telling us and the topic are optional, as in the JSON API.
    assert (await client.post(path, data={"words": "More drop-in times, please."})).status_code == 200
    newest = (await waiting(client, lancashire))[0]
    assert newest["source"] == "individual" and newest["priority"] is None


async def test_what_a_bot_sends_through_the_voice_page_is_dropped(client, keyring):
    lancashire = await council(client, await keyring.operator())
    response = await client.post(voice_path(lancashire.slug), data={"words": "Cheap watches", "website": "x"})
    assert_a_form_page(response, 200)
    assert await waiting(client, lancashire) == []


@pytest.mark.parametrize(
    ("sent", "name", "message"),
    [
        ({"words": "   "}, "words", "Tell us what you want the council to know."),
        ({"words": "x" * 2001}, "words", "Use 2,000 characters or fewer."),
        ({"words": "a bell\x07"}, "words", "Take out the unusual characters"),
        ({"words": "fine", "source": "gossip"}, "source", "Choose who is telling us"),
        ({"words": "fine", "priority": "NOPE"}, "priority", "Choose a topic from the list"),
    ],
)
async def test_bad_voice_input_is_a_422_page_with_the_message_beside_its_field(client, keyring, sent, name, message):
    lancashire = await council(client, await keyring.operator())
    response = await client.post(voice_path(lancashire.slug), data=sent)
    assert_a_form_page(response, 422)
    assert message in FormPage(response.text).messages[f"{name}-error"]
    assert await waiting(client, lancashire) == []


async def test_a_voice_page_for_no_open_covenant_is_a_404_page(client):
    for path in ("/embed/v1/you-said", voice_path("no-such-covenant"), voice_path("Bad Slug!")):
        assert_a_form_page(await client.get(path), 404)
        assert_a_form_page(await client.post(path, data={"words": "hello"}), 404)


# ---------------------------------------------------------------- limits and HTTP


@pytest.fixture
async def limited(database_url):  # type: ignore[no-untyped-def]
    """The registry behind a trusted proxy, allowing one report and one message an hour per address."""
    settings = Settings(
        database_url=database_url,
        data_version_ttl=0,
        in_process_worker=False,
        problem_report_limit=1,
        voice_intake_limit=1,
        trusted_proxies="127.0.0.1",
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as proxied:
            yield proxied


async def test_over_the_limit_is_a_429_page_with_retry_after_per_forwarded_address(client, keyring, limited):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    back = {"return": "https://www.council.example.gov.uk/offers"}

    def sent_from(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": address}

    for path, returning, data in (
        (problem_path(offer_id), f"{problem_path(offer_id)}?{urlencode(back)}", lambda: filled(offer_id)),
        (voice_path(lancashire.slug), voice_path(lancashire.slug, **back), lambda: {"words": "Bus passes, please."}),
    ):
        first = await limited.post(returning, data=data(), headers=sent_from("198.51.100.1"))
        assert_a_form_page(first, 200)
        refused = await limited.post(returning, data=data(), headers=sent_from("198.51.100.1"))
        assert_a_form_page(refused, 429)
        assert int(refused.headers["retry-after"]) > 0 and refused.headers["ratelimit-remaining"] == "0"
        assert "Please try again later" in refused.text and "minutes" in refused.text
        assert FormPage(refused.text).links["Back to the offers"] == back["return"]
        other = await limited.post(path, data=data(), headers=sent_from("198.51.100.2"))
        assert_a_form_page(other, 200)  # another young person behind the same proxy
    assert len(await open_queue(client, lancashire)) == 2
    assert len(await waiting(client, lancashire)) == 2


async def test_only_the_form_pages_take_form_encoded_bodies(client, keyring):
    lancashire = await council(client, await keyring.operator())
    refused = await client.post(
        f"/v1/covenants/{lancashire.slug}/you-said/intake", data={"words": "Bus passes should last until 25."}
    )
    assert refused.status_code == 415 and refused.headers["content-type"] == "application/problem+json"
    too_big = await client.post(voice_path(lancashire.slug), data={"words": "x" * 1_000_001})
    assert too_big.status_code == 413
    assert await waiting(client, lancashire) == []


async def test_the_form_pages_are_known_paths_outside_the_contract(client):
    for path in ("/embed/v1/you-said", "/embed/v1/offers/cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G/problem"):
        answer = await client.put(path)
        assert answer.status_code == 405
        assert {method.strip() for method in answer.headers["allow"].split(",")} >= {"GET", "POST"}
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [path for path in paths if path.startswith("/embed")]


# ---------------------------------------------------------------- the finder offers both


async def test_every_offer_in_the_finder_page_links_to_its_problem_page_and_back(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, _, pledge = await published_pledge(client, lancashire, offers=2)
    finder_url = f"/embed/v1/offers?{urlencode({'covenant': lancashire.slug, 'area': ''})}"

    page = await client.get(finder_url)  # linked back to by path, whatever host name it was asked under

    assert page.status_code == 200, page.text
    reports = [
        html.unescape(href)
        for href in re.findall(r'<a class="report" href="([^"]+)">Report a problem with this offer', page.text)
    ]
    expected = {f"{problem_path(offer['id'])}?{urlencode({'return': finder_url})}" for offer in pledge["commitments"]}
    assert set(reports) == expected
    tell = FormPage(page.text).links["Tell the council something"]
    assert html.unescape(tell) == voice_path(lancashire.slug, **{"return": finder_url})

    # Followed, the report's thank-you page leads back to the same search.
    form = FormPage((await client.get(reports[0])).text)
    offer_id = reports[0].split("/")[4]
    thanks = await client.post(form.action or "", data=filled(offer_id))
    assert FormPage(thanks.text).links["Back to the offers"] == finder_url


def test_the_script_links_each_offer_and_the_finder_to_the_forms():
    source = SCRIPT.read_text()
    assert "/embed/v1/offers/${encodeURIComponent(offer.id)}/problem" in source
    assert '"/embed/v1/you-said"' in source
    assert "return: location.href" in source
