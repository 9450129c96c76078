"""The two public forms as pages for council sites, in the offers finder's family (its stylesheet, policy and
patterns): "Report a problem with this offer" on every public offer, and "Tell the council something" for a
covenant. Both work with no JavaScript, and both send through the JSON endpoints' own schemas, limits and
service functions (app/services/public_forms.py), so a page can never take what the API would refuse.

What cannot be used is said beside its field (422), as the finder does; over the address's allowance is a page
of its own (429, with Retry-After); an offer that is not public, or a covenant that is not open, is a 404 page.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from app.enums import CovenantStatus, VoiceSource
from app.errors import NotFound, ValidationFailed
from app.schemas.problem_reports import DETAILS_MAX, HONEYPOT_FIELD, ProblemReportCreate
from app.schemas.voice import VoiceIntake
from app.serialization import dump_json
from app.services import problem_reports, public_forms, public_read, voice
from app.services.embed import TEMPLATES, page_style
from app.services.public_forms import Action, Sent
from app.services.rate_limits import Allowance

PROBLEM_FIELDS = ("reason", "details", "contact", "form_token", HONEYPOT_FIELD)
VOICE_FIELDS = ("words", "source", "priority", HONEYPOT_FIELD)
WORDS_MAX = 2000
ID_MAX_LENGTH = 40

# The reasons as a person would say them (the emails' words, starting with a capital).
REASONS = {reason.value: words[0].upper() + words[1:] for reason, words in problem_reports.REASON_WORDS.items()}
SOURCES = {
    VoiceSource.INDIVIDUAL.value: "A young person (me, or someone I help)",
    VoiceSource.CHILDREN_IN_CARE_COUNCIL.value: "The children in care council",
    VoiceSource.CARE_LEAVERS_FORUM.value: "A care leavers' group or forum",
    VoiceSource.SURVEY.value: "Answers to a survey",
    VoiceSource.CONSULTATION_EVENT.value: "People at an event",
}

TOO_LONG = f"Use {WORDS_MAX:,} characters or fewer."
UNUSUAL = "Take out the unusual characters: some text pasted from elsewhere has characters that cannot be sent."
PROBLEM_MESSAGES: public_forms.Messages = {
    "reason": {"": "Choose what went wrong."},
    "details": {
        problem_reports.DETAILS_NEEDED: "Say what went wrong, as you chose “Something else”.",
        "string_too_long": TOO_LONG,
        "": UNUSUAL,
    },
    "contact": {
        "": "Enter an email address, like name@example.com, or a phone number, like 07700 900982. Or leave it "
        "empty if you do not want a reply."
    },
    "form_token": {
        problem_reports.TOKEN_TOO_QUICK: "That was sent very quickly. Check your answers, then send the report again.",
        problem_reports.TOKEN_EXPIRED: "This form was open over a day. Check your answers, then send it again.",
        "": "This form is out of date. Check your answers, then send the report again.",
    },
    HONEYPOT_FIELD: {"": "Leave the hidden field empty."},
}
VOICE_MESSAGES: public_forms.Messages = {
    "words": {
        "string_too_short": "Tell us what you want the council to know.",
        "string_too_long": TOO_LONG,
        "": UNUSUAL,
    },
    "source": {"": "Choose who is telling us from the list, or leave it."},
    "priority": {"": "Choose a topic from the list, or leave it."},
    HONEYPOT_FIELD: {"": "Leave the hidden field empty."},
}
FIELD_LABELS = {
    "reason": "What went wrong",
    "details": "What happened",
    "contact": "Email or phone number",
    "form_token": "Send the report",
    "words": "What you want the council to know",
    "source": "Who is telling us",
    "priority": "Topic",
    HONEYPOT_FIELD: "Hidden field",
}
# Where the error summary's link for a field takes focus: the field itself, or the button for what has none.
ANCHORS = {"form_token": "send", HONEYPOT_FIELD: "send"}


@dataclass
class Page:
    """One rendering of a form page: its HTTP status, its HTML and the allowance's headers."""

    status: int
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def render(template: str, status: int = 200, headers: Mapping[str, str] | None = None, **context: Any) -> Page:
    style, _ = page_style()
    errors: dict[str, str] = context.setdefault("errors", {})
    summary = [(ANCHORS.get(name, name), FIELD_LABELS.get(name, name), message) for name, message in errors.items()]
    html = TEMPLATES.get_template(template).render(style=style, summary=summary, **context)
    return Page(status, html, dict(headers or {}))


def not_found(what: str) -> Page:
    return render("form_message.html", 404, title="Page not found", paragraphs=[what], back=None)


def limited_page(sent: Sent, back: str | None) -> Page:
    assert sent.limited is not None
    minutes = max(1, round(int(sent.headers.get("Retry-After", "60")) / 60))
    paragraphs = [sent.limited.detail, f"You can send another in about {minutes} minute{'s' if minutes != 1 else ''}."]
    return render(
        "form_message.html", 429, sent.headers, title="Please try again later", paragraphs=paragraphs, back=back
    )


def thanks_page(message: str, sent: Sent, back: str | None) -> Page:
    return render("form_message.html", 200, sent.headers, title="Thank you", paragraphs=[message], back=back)


def action_url(path: str, **query: str | None) -> str:
    given = {name: value for name, value in query.items() if value}
    return f"{path}?{urlencode(given)}" if given else path


# ---------------------------------------------------------------- report a problem with an offer


async def public_offer(conn: AsyncConnection, commitment_id: str) -> dict[str, Any] | None:
    if len(commitment_id) > ID_MAX_LENGTH:
        return None
    try:
        document = (await public_read.get_commitment(conn, commitment_id)).document
    except NotFound:
        return None
    # The read model's document is pre-rendered JSON, passed on unparsed to JSON answers: read it here.
    offer: dict[str, Any] = orjson.loads(dump_json(document))
    return offer


def problem_input(values: Mapping[str, str]) -> dict[str, Any]:
    """The JSON endpoint's body from the form: an unchosen reason is missing, an empty contact is none."""
    given: dict[str, Any] = {name: value for name, value in values.items() if name in PROBLEM_FIELDS}
    if not given.get("reason"):
        given.pop("reason", None)
    given["contact"] = given.get("contact") or None
    return given


async def problem_form(
    conn: AsyncConnection,
    commitment_id: str,
    *,
    path: str,
    now: datetime,
    min_seconds: float,
    return_to: str | None,
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Page:
    """The form for a public offer, with a fresh token (a person re-reading what to change takes longer than the
    minimum), filled in as it was sent when it comes back with `errors`."""
    offer = await public_offer(conn, commitment_id)
    if offer is None:
        return not_found("There is no offer at this address: it may have ended or been taken down.")
    token = (await problem_reports.form(conn, commitment_id, now, min_seconds))["form_token"]
    return render(
        "problem.html",
        422 if errors else 200,
        headers,
        offer={"title": offer["title"], "organisation": offer["signatory"]["name"]},
        reasons=REASONS,
        values=values or {},
        errors=errors or {},
        form_token=token,
        honeypot=HONEYPOT_FIELD,
        details_max=DETAILS_MAX,
        action=action_url(path, **{"return": public_forms.return_link(return_to)}),
    )


async def send_problem(
    conn: AsyncConnection,
    commitment_id: str,
    body: bytes,
    *,
    path: str,
    count: Callable[[], Awaitable[Allowance]],
    apply: Callable[[Action], Awaitable[Any]],
    now: datetime,
    min_seconds: float,
    return_to: str | None,
) -> Page:
    """A report sent from the page: the schema, the allowance, then `problem_reports.report` in one
    transaction; a filled honeypot is thanked as any report is, as the endpoint answers it."""
    values = public_forms.form_values(body, PROBLEM_FIELDS)

    async def again(errors: dict[str, str] | None = None, headers: Mapping[str, str] | None = None) -> Page:
        return await problem_form(
            conn,
            commitment_id,
            path=path,
            now=now,
            min_seconds=min_seconds,
            return_to=return_to,
            values=values,
            errors=errors,
            headers=headers,
        )

    if await public_offer(conn, commitment_id) is None:
        return await again()
    report, errors = public_forms.checked(ProblemReportCreate, problem_input(values), PROBLEM_MESSAGES)
    if report is None:
        return await again(errors)

    async def action(session: Any) -> Any:
        return await problem_reports.report(session, commitment_id, report, now, min_seconds=min_seconds)

    sent = await public_forms.send(PROBLEM_MESSAGES, count=count, apply=apply, action=action)
    back = public_forms.return_link(return_to)
    if sent.limited:
        return limited_page(sent, back)
    if sent.errors:
        return await again(sent.errors, sent.headers)
    return thanks_page(problem_reports.RECEIVED, sent, back)


# ---------------------------------------------------------------- tell the council something


async def open_covenant(conn: AsyncConnection, reference: str | None) -> dict[str, Any] | None:
    if not reference or len(reference) > 100:
        return None
    try:
        covenant: dict[str, Any] = await public_read.get_covenant(conn, reference)
    except (NotFound, ValidationFailed):
        return None
    return covenant if covenant["status"] == CovenantStatus.OPEN else None


def voice_input(values: Mapping[str, str]) -> dict[str, Any]:
    """The intake endpoint's body from the form: who is telling us and the topic count only when chosen."""
    return {name: value for name, value in values.items() if value or name == "words"}


async def voice_form(
    conn: AsyncConnection,
    reference: str | None,
    *,
    path: str,
    return_to: str | None,
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Page:
    covenant = await open_covenant(conn, reference)
    if covenant is None:
        return not_found("This form is set up wrongly: the council's covenant is not known, or it is closed.")
    return render(
        "you_said.html",
        422 if errors else 200,
        headers,
        covenant=covenant,
        sources=SOURCES,
        priorities=covenant["priorities"],
        values=values or {},
        errors=errors or {},
        honeypot=HONEYPOT_FIELD,
        words_max=WORDS_MAX,
        action=action_url(path, covenant=covenant["slug"], **{"return": public_forms.return_link(return_to)}),
    )


async def send_voice(
    conn: AsyncConnection,
    reference: str | None,
    body: bytes,
    *,
    path: str,
    count: Callable[[], Awaitable[Allowance]],
    apply: Callable[[Action], Awaitable[Any]],
    return_to: str | None,
) -> Page:
    """A message sent from the page: the schema, the allowance, then `voice.intake` in one transaction; what a
    bot sends (the honeypot) is thanked and dropped, as the endpoint does."""
    values = public_forms.form_values(body, VOICE_FIELDS)

    async def again(errors: dict[str, str] | None = None, headers: Mapping[str, str] | None = None) -> Page:
        return await voice_form(
            conn, reference, path=path, return_to=return_to, values=values, errors=errors, headers=headers
        )

    covenant = await open_covenant(conn, reference)
    if covenant is None:
        return await again()
    intake, errors = public_forms.checked(VoiceIntake, voice_input(values), VOICE_MESSAGES)
    if intake is None:
        return await again(errors)

    async def action(session: Any) -> Any:
        return await voice.intake(session, covenant["slug"], intake)

    sent = await public_forms.send(VOICE_MESSAGES, count=count, apply=apply, action=action)
    back = public_forms.return_link(return_to)
    if sent.limited:
        return limited_page(sent, back)
    if sent.errors:
        return await again(sent.errors, sent.headers)
    return thanks_page(voice.received_message()["message"], sent, back)
