"""Problems reported with a public offer: anyone may report one, without a key; the offer's organisation and the
covenant's officers hear of it by email, see it in their queues, and answer it (`resolved` or `not_upheld`, with
a note); officers clear noise in bulk (`dismissed`).

What keeps it usable by people and not by scripts, without any third party:
- a limit per address (`count_report`, as registration's), counted before anything else;
- a form token (`form_token`): signed, naming the offer and when it was fetched; a report sent sooner than
  `PROBLEM_FORM_MIN_SECONDS` (3) after it, or a day later, or with a token for another offer, is a 422;
- a honeypot field a page hides from people (`website`): a report that fills it in gets the same answer as any
  other, but is not stored and tells nobody, so a script learns nothing from the answer.

The reporter's contact is private: it is in the officers' and the organisation's queue and in the emails to
them, and in nothing public (no public read touches this table). An offer with a report open for more than
14 days (`FLAG_AFTER_DAYS`) is flagged for review in its private views.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.config import get_settings
from app.enums import ProblemReason, ProblemStatus
from app.errors import Conflict, NotFound, ValidationFailed
from app.ids import assume_utc, new_id
from app.models import (
    Authority,
    Commitment,
    Covenant,
    Notification,
    ProblemReport,
    PublicCommitment,
    Signatory,
    table_of,
)
from app.notifications import messages
from app.schemas.problem_reports import (
    FLAG_AFTER_DAYS,
    HONEYPOT_FIELD,
    ProblemDismissal,
    ProblemFilters,
    ProblemReportCreate,
)
from app.services import audit, notifications, rate_limits
from app.services.access import Principal, require_officer_of
from app.services.lookup import officers_covenant
from app.services.pagination import FilteredList, Keyset, Page, Shape

REPORT_WINDOW = timedelta(hours=1)
TOKEN_LIFETIME = timedelta(days=1)
FLAG_AFTER = timedelta(days=FLAG_AFTER_DAYS)

problem = table_of(ProblemReport)
commitment = table_of(Commitment)
signatory = table_of(Signatory)
public_commitment = table_of(PublicCommitment)
notification = table_of(Notification)

REASON_WORDS = {
    ProblemReason.NO_REPLY: "nobody replied",
    ProblemReason.NO_LONGER_AVAILABLE: "the offer is no longer available",
    ProblemReason.LINK_OR_CONTACT_BROKEN: "the link or contact details do not work",
    ProblemReason.NOT_AS_DESCRIBED: "the offer was not as described",
    ProblemReason.OTHER: "something else",
}
RECEIVED = (
    "Thank you. Your report has been passed to the organisation and to the council's officers, who will look "
    "into it. If you left a contact, they may reply."
)


# ---------------------------------------------------------------- the form token


def _signature(commitment_id: str, issued: int) -> str:
    # Keyed by the cursor secret, every worker and host has it; the label keeps a token from passing as anything else.
    key = get_settings().cursor_secret.encode()
    mac = hmac.new(key, f"problem-form|{commitment_id}|{issued}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def form_token(commitment_id: str, issued_at: datetime) -> str:
    issued = int(issued_at.timestamp())
    return f"{issued}.{_signature(commitment_id, issued)}"


# The form token's refusals, named so that a page can say each in its own words (app/services/embed_forms.py).
TOKEN_FORGED = "form_token is not one this service issued for this offer: fetch the form again."
TOKEN_EXPIRED = "form_token has expired: fetch the form again."
TOKEN_TOO_QUICK = "The report came too quickly after the form was fetched: wait a few seconds and send it again."
DETAILS_NEEDED = "Please say what went wrong (details) when the reason is `other`."


def check_token(token: str, commitment_id: str, now: datetime, min_seconds: float) -> None:
    """A 422 for a token this service did not issue for this offer, an expired one, or one sent too soon."""
    issued_text, _, signature = token.partition(".")
    valid = issued_text.isdigit() and hmac.compare_digest(
        signature.encode(), _signature(commitment_id, int(issued_text)).encode()
    )
    if not valid:
        raise ValidationFailed(TOKEN_FORGED, pointer="/form_token")
    issued = datetime.fromtimestamp(int(issued_text), UTC)
    if now - issued > TOKEN_LIFETIME:
        raise ValidationFailed(TOKEN_EXPIRED, pointer="/form_token")
    if (now - issued).total_seconds() < min_seconds:
        raise ValidationFailed(TOKEN_TOO_QUICK, pointer="/form_token")


async def _public_offer(executor: Any, commitment_id: str) -> Any:
    row = (
        await executor.execute(
            select(public_commitment.c.commitment_id, public_commitment.c.covenant_id).where(
                public_commitment.c.commitment_id == commitment_id
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"No commitment {commitment_id}.")
    return row


async def form(conn: Any, commitment_id: str, now: datetime, min_seconds: float) -> dict[str, Any]:
    """What a page needs to show the form for a public offer (404 for any other)."""
    await _public_offer(conn, commitment_id)
    return {
        "form_token": form_token(commitment_id, now),
        "not_before": now + timedelta(seconds=min_seconds),
        "expires_at": now + TOKEN_LIFETIME,
        "honeypot_field": HONEYPOT_FIELD,
        "reasons": list(ProblemReason),
    }


# ---------------------------------------------------------------- reporting


async def count_report(engine: AsyncEngine, address: str, limit: int) -> rate_limits.Allowance:
    """Reports need no key, so they are limited per address, every attempt counted (on a connection of its own,
    committed at once) before anything else is looked at."""
    async with engine.connect() as conn:
        return await rate_limits.hit(
            conn, f"problem:{address}", limit=limit, window=REPORT_WINDOW, what="problem reports"
        )


@dataclass(frozen=True)
class Discarded:
    """A report a script filled in (the honeypot): answered like any other, kept by nobody."""

    id: str
    commitment_id: str
    reason: str
    received_at: datetime


async def report(
    session: AsyncSession, commitment_id: str, body: ProblemReportCreate, now: datetime, *, min_seconds: float
) -> ProblemReport | Discarded:
    offer = await _public_offer(session, commitment_id)
    check_token(body.form_token, commitment_id, now, min_seconds)
    if body.reason == ProblemReason.OTHER and not body.details.strip():
        raise ValidationFailed(DETAILS_NEEDED, pointer="/details")
    if body.website:
        return Discarded(new_id("problem_report"), commitment_id, body.reason, now)
    found = await session.get(Commitment, offer.commitment_id)
    assert found is not None  # the read model holds public offers only
    row = ProblemReport(
        id=new_id("problem_report"),
        commitment_id=found.id,
        covenant_id=found.covenant_id,
        signatory_id=found.signatory_id,
        reason=body.reason,
        details=body.details.strip(),
        contact=body.contact,
        received_at=now,
    )
    session.add(row)
    covenant = await session.get(Covenant, found.covenant_id)
    assert covenant is not None
    scope = audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id, signatory_id=found.signatory_id)
    await audit.created(session, None, "problem_report.create", row, scope=scope)
    await _tell(session, row, found, covenant)
    return row


async def _tell(session: AsyncSession, row: ProblemReport, offer: Commitment, covenant: Covenant) -> None:
    """The organisation's private contact and the covenant's officers, and nobody else."""
    organisation = await session.get(Signatory, offer.signatory_id)
    authority = await session.get(Authority, covenant.authority_id)
    assert organisation is not None and authority is not None
    base = get_settings().public_base_url.rstrip("/")
    told: dict[str, Any] = {
        "offer": offer.title,
        "organisation": organisation.name,
        "covenant": covenant.title,
        "reason": REASON_WORDS[ProblemReason(row.reason)],
        "details": row.details,
        "contact": row.contact,
    }
    to_organisation = messages.problem_reported_to_organisation(
        **told,
        contact_name=organisation.contact_name or organisation.name,
        queue_url=f"{base}/v1/commitments/{offer.id}/problems?status=open",
    )
    notifications.write_to_organisation(
        session, organisation, "problem.reported", to_organisation, record_id=row.id, authority_id=authority.id
    )
    to_officers = messages.problem_reported_to_officers(
        **told, authority=authority.name, queue_url=f"{base}/v1/covenants/{covenant.slug}/problems?status=open"
    )
    notifications.write_to_officers(session, authority, "problem.reported", to_officers, record_id=row.id)


# ---------------------------------------------------------------- the queues


def flagged(status: str, received_at: datetime, now: datetime) -> bool:
    """Open for more than 14 days: the offer needs reviewing. 14 days to the second is not yet more."""
    return status == ProblemStatus.OPEN and now - assume_utc(received_at) > FLAG_AFTER


QUEUE = FilteredList(
    select(
        problem,
        commitment.c.title.label("commitment_title"),
        signatory.c.name.label("signatory_name"),
    ).select_from(
        problem.join(commitment, commitment.c.id == problem.c.commitment_id).join(
            signatory, signatory.c.id == problem.c.signatory_id
        )
    ),
    Keyset((problem.c.id,), descending=True),
    {
        "covenant": problem.c.covenant_id == bindparam("covenant"),
        "commitment": problem.c.commitment_id == bindparam("commitment"),
        "signatory": problem.c.signatory_id == bindparam("signatory"),
        "status": problem.c.status == bindparam("status"),
    },
)


def problem_document(row: Any, now: datetime) -> dict[str, Any]:
    return {
        "id": row.id,
        "commitment": {"id": row.commitment_id, "title": row.commitment_title},
        "signatory": {"id": row.signatory_id, "name": row.signatory_name},
        "covenant_id": row.covenant_id,
        "reason": row.reason,
        "details": row.details,
        "contact": row.contact,
        "status": row.status,
        "received_at": row.received_at,
        "flagged_for_review": flagged(row.status, row.received_at, now),
        "closed_at": row.closed_at,
        "closed_by": row.closed_by,
        "note": row.note,
    }


async def _page(session: AsyncSession, shape: Shape, filters: ProblemFilters, now: datetime) -> Page:
    if filters.status:
        shape.use("status", status=filters.status.value)
    if filters.signatory:
        shape.use("signatory", signatory=filters.signatory)
    if filters.commitment:
        shape.use("commitment", commitment=filters.commitment)
    rows, next_cursor = await QUEUE.page(await session.connection(), shape, filters.cursor, filters.limit)
    return Page([problem_document(row, now) for row in rows], next_cursor)


async def in_covenant(
    session: AsyncSession, principal: Principal, reference: str, filters: ProblemFilters, now: datetime
) -> Page:
    """A covenant's reports, newest first, for its officers (per organisation or offer by the filters)."""
    covenant = await officers_covenant(session, principal, reference)
    shape = Shape()
    shape.use("covenant", covenant=covenant.id)
    return await _page(session, shape, filters, now)


async def _reaches_offer(session: AsyncSession, principal: Principal, offer: Commitment) -> bool:
    if principal.is_operator:
        return True
    if principal.is_organisation:
        return principal.signatory_id == offer.signatory_id
    covenant = await session.get(Covenant, offer.covenant_id)
    return covenant is not None and covenant.authority_id == principal.authority_id


async def of_offer(
    session: AsyncSession, principal: Principal, commitment_id: str, filters: ProblemFilters, now: datetime
) -> Page:
    """An offer's reports, for its organisation and the covenant's officers (404 for anyone else)."""
    offer = await session.get(Commitment, commitment_id)
    if offer is None or not await _reaches_offer(session, principal, offer):
        raise NotFound(f"No commitment {commitment_id}.")
    shape = Shape()
    shape.use("commitment", commitment=offer.id)
    return await _page(session, shape, filters.model_copy(update={"commitment": None}), now)


async def problem_view(session: AsyncSession, problem_id: str, now: datetime) -> dict[str, Any]:
    row = (await session.execute(QUEUE.base.where(problem.c.id == problem_id))).one()
    return problem_document(row, now)


async def open_summaries(session: AsyncSession, commitment_ids: list[str], now: datetime) -> dict[str, dict[str, Any]]:
    """Per offer: how many reports are open, and whether one has been open long enough to flag the offer for
    review; one grouped query for any number of offers."""
    rows = await session.execute(
        select(problem.c.commitment_id, func.count(), func.min(problem.c.received_at))
        .where(problem.c.commitment_id.in_(commitment_ids), problem.c.status == ProblemStatus.OPEN)
        .group_by(problem.c.commitment_id)
    )
    found = {row[0]: (row[1], row[2]) for row in rows.all()}
    return {
        offer: {
            "open": found[offer][0] if offer in found else 0,
            "flagged_for_review": offer in found and flagged(ProblemStatus.OPEN, found[offer][1], now),
        }
        for offer in commitment_ids
    }


# ---------------------------------------------------------------- answers


async def resolve(
    session: AsyncSession, principal: Principal, problem_id: str, outcome: str, note: str, now: datetime
) -> ProblemReport:
    """Answer an open report: its organisation or the covenant's officers (404 for anyone else)."""
    row = await session.get(ProblemReport, problem_id)
    offer = await session.get(Commitment, row.commitment_id) if row is not None else None
    if row is None or offer is None or not await _reaches_offer(session, principal, offer):
        raise NotFound(f"No problem report {problem_id}.")
    if row.status != ProblemStatus.OPEN:
        raise Conflict(f"The report {problem_id} is already {row.status}.")
    covenant = await session.get(Covenant, row.covenant_id)
    assert covenant is not None
    scope = audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id, signatory_id=row.signatory_id)
    async with audit.changing(session, principal, "problem_report.resolve", row, scope=scope):
        row.status = outcome
        row.note = note
        row.closed_at = now
        row.closed_by = "organisation" if principal.is_organisation else "officers"
    return row


async def dismiss(
    session: AsyncSession, principal: Principal, reference: str, body: ProblemDismissal, now: datetime
) -> int:
    """Dismiss open reports of the covenant at once, by id or by when they were received, and stop the emails
    about them that have not gone yet; one audit event says how many and why."""
    covenant = await officers_covenant(session, principal, reference)
    require_officer_of(principal, covenant.authority_id)
    if not body.ids and body.received_from is None and body.received_to is None:
        raise ValidationFailed("Name the reports to dismiss: ids, or received_from and/or received_to.", pointer="/ids")
    chosen = [problem.c.covenant_id == covenant.id, problem.c.status == ProblemStatus.OPEN]
    if body.ids:
        chosen.append(problem.c.id.in_(body.ids))
    if body.received_from is not None:
        chosen.append(problem.c.received_at >= body.received_from)
    if body.received_to is not None:
        chosen.append(problem.c.received_at < body.received_to)
    await session.execute(
        update(notification)
        .where(
            notification.c.status == "pending",
            notification.c.record_id.in_(select(problem.c.id).where(and_(*chosen))),
        )
        .values(status="abandoned", last_error="Not sent: the report was dismissed.")
    )
    result = await (await session.connection()).execute(
        update(problem)
        .where(*chosen)
        .values(status=ProblemStatus.DISMISSED, closed_at=now, closed_by="officers", note=body.note)
    )
    dismissed = result.rowcount
    scope = audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id)
    async with audit.changing(
        session, principal, "problem_report.dismiss", covenant, scope=scope, note=f"{dismissed} dismissed: {body.note}"
    ):
        pass  # the reports changed above; the covenant's trail records how many and why
    return dismissed
