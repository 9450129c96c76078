"""Who hears of what, by email. Each message is written to the `notification` outbox in the transaction of the
change it tells of, so a change that rolls back sends nothing and one that commits is never forgotten; the
worker (app/services/notification_delivery.py) sends it afterwards.

- An authority's officers (its `officer_email`) hear of every pledge submitted to one of its covenants, and of a
  webhook endpoint of theirs that was disabled.
- An organisation's private contact hears that its pledge was approved, that changes were requested (with the
  officer's comment), that its review is due in 30 days, and that it lapsed.

The addresses are the private contacts: nothing here is ever public, and a message names only the people and
records it is about."""

import logging
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.config import get_settings
from app.enums import PledgeStatus
from app.errors import NotFound
from app.ids import new_id, utcnow
from app.models import Authority, Covenant, Notification, Pledge, Signatory
from app.notifications import messages
from app.notifications.messages import Email
from app.services import audit
from app.services.access import Principal, require_officer_of

log = logging.getLogger(__name__)

REVIEW_NOTICE_DAYS = 30
# The lifecycle steps an organisation is told of, and what each notification is called.
ORGANISATION_KINDS = {
    "approve": "pledge.approved",
    "request_changes": "pledge.changes_requested",
    "lapse": "pledge.lapsed",
}


async def pledge_changed(
    session: AsyncSession, pledge: Pledge, covenant: Covenant, action: str, *, commitments: int = 0
) -> None:
    """The messages one step of a pledge's lifecycle sends (app/services/pledges.py calls this for each step)."""
    signatory = await session.get(Signatory, pledge.signatory_id)
    assert signatory is not None  # a foreign key guarantees it
    pledge_url = f"{_base_url()}/v1/pledges/{pledge.id}"
    if action == "submit":
        authority = await session.get(Authority, covenant.authority_id)
        assert authority is not None
        email = messages.pledge_submitted(
            organisation=signatory.name,
            covenant=covenant.title,
            commitments=commitments,
            review_url=pledge_url,
            authority=authority.name,
        )
        write_to_officers(session, authority, "pledge.submitted", email, record_id=pledge.id)
        return
    told = _to_organisation(signatory, pledge, covenant, action, pledge_url)
    if told is not None:
        write_to_organisation(
            session,
            signatory,
            ORGANISATION_KINDS[action],
            told,
            record_id=pledge.id,
            authority_id=covenant.authority_id,
        )


def _to_organisation(
    signatory: Signatory, pledge: Pledge, covenant: Covenant, action: str, pledge_url: str
) -> Email | None:
    names = {"contact": signatory.contact_name or signatory.name, "organisation": signatory.name}
    if action == "approve":
        return messages.pledge_approved(
            **names, covenant=covenant.title, review_due=_long_date(pledge.review_due), pledge_url=pledge_url
        )
    if action == "request_changes":
        return messages.changes_requested(
            **names, covenant=covenant.title, comment=pledge.review_comment or "", pledge_url=pledge_url
        )
    if action == "lapse":
        return messages.pledge_lapsed(**names, covenant=covenant.title, pledge_url=pledge_url)
    return None  # a withdrawal is made by the organisation or told to it by the officer who made it


def write_to_officers(
    session: AsyncSession, authority: Authority, kind: str, email: Email, *, record_id: str, dedupe_key: str = ""
) -> None:
    if not authority.officer_email:
        log.info("%s for %s: %s has no officer email set, so nobody is told", kind, record_id, authority.id)
        return
    session.add(
        Notification(
            **_message(kind, email, record_id, dedupe_key),
            audience="officers",
            recipient=authority.officer_email,
            authority_id=authority.id,
        )
    )


def write_to_organisation(
    session: AsyncSession,
    signatory: Signatory,
    kind: str,
    email: Email,
    *,
    record_id: str,
    authority_id: str,
    dedupe_key: str = "",
) -> None:
    """A message to an organisation's contact about a record in a covenant of `authority_id`, whose officers
    may see that it was sent."""
    if not signatory.contact_email:
        log.info("%s for %s: %s has no contact email, so nobody is told", kind, record_id, signatory.id)
        return
    session.add(
        Notification(
            **_message(kind, email, record_id, dedupe_key),
            audience="organisation",
            recipient=signatory.contact_email,
            authority_id=authority_id,
            signatory_id=signatory.id,
        )
    )


def _message(kind: str, email: Email, record_id: str, dedupe_key: str) -> dict[str, Any]:
    return {
        "id": new_id("notification"),
        "kind": kind,
        "subject": email.subject,
        "text_body": email.text(),
        "html_body": email.html(),
        "dedupe_key": dedupe_key or None,
        "record_id": record_id,
    }


async def remind_reviews_due(session: AsyncSession, *, today: date) -> list[str]:
    """Tell each published pledge's organisation that its review is due within 30 days, once per review date
    (a day the job did not run is caught up the next day); the ids of the pledges whose organisations were told."""
    horizon = today + timedelta(days=REVIEW_NOTICE_DAYS)
    rows = await session.execute(
        select(Pledge, Covenant, Signatory)
        .join(Covenant, col(Covenant.id) == col(Pledge.covenant_id))
        .join(Signatory, col(Signatory.id) == col(Pledge.signatory_id))
        .where(
            col(Pledge.status) == PledgeStatus.PUBLISHED,
            col(Pledge.review_due) >= today,
            col(Pledge.review_due) <= horizon,
        )
        .order_by(col(Pledge.review_due), col(Pledge.id))
    )
    due = [(pledge, covenant, signatory) for pledge, covenant, signatory in rows.all()]
    keys = {pledge.id: _review_key(pledge) for pledge, _, _ in due}
    told = set(
        (
            await session.execute(
                select(col(Notification.dedupe_key)).where(col(Notification.dedupe_key).in_(keys.values()))
            )
        )
        .scalars()
        .all()
    )
    reminded = []
    for pledge, covenant, signatory in due:
        if keys[pledge.id] in told or not signatory.contact_email:
            continue
        assert pledge.review_due is not None  # the query asked for it
        email = messages.review_due(
            contact=signatory.contact_name or signatory.name,
            organisation=signatory.name,
            covenant=covenant.title,
            review_due=_long_date(pledge.review_due),
            days=(pledge.review_due - today).days,
            pledge_url=f"{_base_url()}/v1/pledges/{pledge.id}",
        )
        write_to_organisation(
            session,
            signatory,
            "review.due",
            email,
            record_id=pledge.id,
            authority_id=covenant.authority_id,
            dedupe_key=keys[pledge.id],
        )
        reminded.append(pledge.id)
    return reminded


def _review_key(pledge: Pledge) -> str:
    return f"review.due:{pledge.id}:{pledge.review_due}"


async def webhook_disabled(
    session: AsyncSession, *, authority_id: str | None, endpoint_id: str, url: str, reason: str
) -> None:
    """Tell a council's officers that their endpoint was disabled (the operator's own is logged, not mailed)."""
    if authority_id is None:
        return
    authority = await session.get(Authority, authority_id)
    if authority is None:
        return
    email = messages.webhook_disabled(
        authority=authority.name,
        url=url,
        reason=reason,
        endpoint_url=f"{_base_url()}/v1/webhooks/{endpoint_id}/deliveries",
    )
    write_to_officers(session, authority, "webhook.disabled", email, record_id=endpoint_id)


def _base_url() -> str:
    return get_settings().public_base_url.rstrip("/")


def _long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "the date shown on your pledge"


# ---------------------------------------------------------------- what officers and organisations may see


async def officers_authority(session: AsyncSession, principal: Principal, authority_id: str) -> Authority:
    authority = await session.get(Authority, authority_id)
    if authority is None:
        raise NotFound(f"No authority {authority_id}.")
    require_officer_of(principal, authority.id)
    return authority


def settings_document(authority: Authority) -> dict[str, Any]:
    return {"authority_id": authority.id, "officer_email": authority.officer_email, "updated_at": authority.updated_at}


async def settings_of(session: AsyncSession, principal: Principal, authority_id: str) -> dict[str, Any]:
    return settings_document(await officers_authority(session, principal, authority_id))


async def set_officer_email(
    session: AsyncSession, principal: Principal, authority_id: str, email: str | None
) -> Authority:
    """Where the authority's officers hear of new submissions and disabled webhooks (None: nowhere)."""
    authority = await officers_authority(session, principal, authority_id)
    async with audit.changing(
        session, principal, "authority.notifications", authority, scope=audit.Scope(authority_id=authority.id)
    ):
        authority.officer_email = email
        authority.updated_at = utcnow()
    return authority


async def recent(session: AsyncSession, principal: Principal, limit: int) -> dict[str, Any]:
    """The latest messages the caller may see, newest first: an organisation's to its own contact; an officer's
    to their authority's officers and to organisations about its covenants; the operator's, all."""
    statement = select(Notification).order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
    if principal.is_organisation:
        statement = statement.where(
            col(Notification.audience) == "organisation", col(Notification.signatory_id) == principal.signatory_id
        )
    elif not principal.is_operator:
        statement = statement.where(col(Notification.authority_id) == principal.authority_id)
    found = (await session.execute(statement.limit(limit))).scalars().all()
    return {"items": [notification_document(notification) for notification in found]}


def notification_document(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "audience": notification.audience,
        "recipient": notification.recipient,
        "subject": notification.subject,
        "record_id": notification.record_id,
        "status": notification.status,
        "attempts": notification.attempts,
        "last_error": notification.last_error,
        "created_at": notification.created_at,
        "sent_at": notification.sent_at,
    }
