"""What each notification says, as one plain structure rendered twice: plain text and HTML (both sent, as
`multipart/alternative`). Transactional mail to the contact the record names, so no unsubscribe link: the
footer says why the person is getting it and who to ask instead."""

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
TEXT_WIDTH = 72


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Email:
    """One message: a subject, short paragraphs, an officer's words quoted as they wrote them, and a link."""

    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    why: str = field(default="")
    quote: str | None = None
    link: Link | None = None

    def text(self) -> str:
        return TEMPLATES.get_template("message.txt").render(
            email=self, wrap=lambda value: textwrap.fill(value, TEXT_WIDTH), quoted=_quoted
        )

    def html(self) -> str:
        return TEMPLATES.get_template("message.html").render(email=self)


def _quoted(value: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in value.splitlines())


def pledge_submitted(*, organisation: str, covenant: str, commitments: int, review_url: str, authority: str) -> Email:
    offers = "1 offer" if commitments == 1 else f"{commitments} offers"
    return Email(
        subject=f"New pledge to review: {organisation}",
        greeting="Hello,",
        paragraphs=(
            f"{organisation} has submitted its pledge to {covenant}, with {offers}.",
            "Please check it and either approve it or ask for changes. It stays off the public lists until "
            "it is approved.",
        ),
        link=Link("Open the pledge (with your officer key)", review_url),
        why=f"You get this email because this address receives {authority}'s covenant notifications.",
    )


def pledge_approved(*, contact: str, organisation: str, covenant: str, review_due: str, pledge_url: str) -> Email:
    return Email(
        subject=f"Your pledge to {covenant} is published",
        greeting=f"Dear {contact},",
        paragraphs=(
            f"Thank you. {organisation}'s pledge to {covenant} has been approved, and its offers are now on the "
            "public lists where young people and their personal advisers can find them.",
            f"Please review your pledge by {review_due}: check that each offer is still right, and tell us what "
            "happened through your delivery returns.",
        ),
        link=Link("See your published pledge", pledge_url),
        why=f"You get this email because you are {organisation}'s contact in the covenant registry.",
    )


def changes_requested(*, contact: str, organisation: str, covenant: str, comment: str, pledge_url: str) -> Email:
    return Email(
        subject=f"Changes requested to your pledge to {covenant}",
        greeting=f"Dear {contact},",
        paragraphs=(
            f"The council has looked at {organisation}'s pledge to {covenant} and asks for some changes before it "
            "can be published. They said:",
        ),
        quote=comment,
        link=Link("Open your pledge (with your organisation's key)", pledge_url),
        why=f"You get this email because you are {organisation}'s contact in the covenant registry. Once you "
        "have made the changes, submit the pledge again.",
    )


def review_due(*, contact: str, organisation: str, covenant: str, review_due: str, days: int, pledge_url: str) -> Email:
    when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
    return Email(
        subject=f"Your pledge to {covenant} is due for review on {review_due}",
        greeting=f"Dear {contact},",
        paragraphs=(
            f"{organisation}'s pledge to {covenant} is due for review {when}, on {review_due}.",
            "Please check that each offer is still open and correct, update or end any that have changed, and "
            "send your latest delivery return. A pledge that is not reviewed leaves the public lists 30 days "
            "after its review date.",
        ),
        link=Link("Open your pledge", pledge_url),
        why=f"You get this email because you are {organisation}'s contact in the covenant registry.",
    )


def pledge_lapsed(*, contact: str, organisation: str, covenant: str, pledge_url: str) -> Email:
    return Email(
        subject=f"Your pledge to {covenant} has lapsed",
        greeting=f"Dear {contact},",
        paragraphs=(
            f"{organisation}'s pledge to {covenant} was not reviewed in time, so it has lapsed and its offers "
            "are no longer on the public lists.",
            "To bring them back, check your offers and submit the pledge again; the council will look at it.",
        ),
        link=Link("Open your pledge", pledge_url),
        why=f"You get this email because you are {organisation}'s contact in the covenant registry.",
    )


def webhook_disabled(*, authority: str, url: str, reason: str, endpoint_url: str) -> Email:
    return Email(
        subject="A webhook endpoint was disabled",
        greeting="Hello,",
        paragraphs=(
            f"The registry stopped sending changes to {url}: its deliveries failed for a day.",
            "Fix the receiver, then remove the endpoint and register it again; it will start from the change "
            "feed's current end, and the feed (GET /v1/changes) still holds everything it missed.",
        ),
        quote=reason,
        link=Link("The endpoint (with your officer key)", endpoint_url),
        why=f"You get this email because this address receives {authority}'s covenant notifications.",
    )


def _problem_paragraphs(
    *, offer: str, organisation: str, covenant: str, reason: str, contact: str | None
) -> tuple[str, ...]:
    reply = (
        f"They would like a reply: {contact}. Please answer them yourself; the registry does not pass replies on."
        if contact
        else "They left no contact, so no reply is possible; the report is still worth acting on."
    )
    return (
        f'Someone has reported a problem with {organisation}\'s offer "{offer}" in {covenant}: {reason}.',
        reply,
        "When it is sorted, mark the report resolved (or not upheld) with a note. An offer with a report open "
        "for more than 14 days is flagged for review.",
    )


def problem_reported_to_organisation(
    *,
    contact_name: str,
    offer: str,
    organisation: str,
    covenant: str,
    reason: str,
    details: str,
    contact: str | None,
    queue_url: str,
) -> Email:
    return Email(
        subject=f"A problem was reported with your offer: {offer}",
        greeting=f"Dear {contact_name},",
        paragraphs=_problem_paragraphs(
            offer=offer, organisation=organisation, covenant=covenant, reason=reason, contact=contact
        ),
        quote=details or None,
        link=Link("See the reports on this offer (with your organisation's key)", queue_url),
        why=f"You get this email because you are {organisation}'s contact in the covenant registry. The council's "
        "officers have been told too.",
    )


def problem_reported_to_officers(
    *,
    authority: str,
    offer: str,
    organisation: str,
    covenant: str,
    reason: str,
    details: str,
    contact: str | None,
    queue_url: str,
) -> Email:
    return Email(
        subject=f"Problem reported with an offer: {offer} ({organisation})",
        greeting="Hello,",
        paragraphs=_problem_paragraphs(
            offer=offer, organisation=organisation, covenant=covenant, reason=reason, contact=contact
        ),
        quote=details or None,
        link=Link("Open problem reports in this covenant (with your officer key)", queue_url),
        why=f"You get this email because this address receives {authority}'s covenant notifications. The "
        "organisation has been told too.",
    )
