"""Pledges: an organisation drafts and submits; an officer of the covenant's authority approves or asks for
changes; either side withdraws a published pledge. Every step is audited, and the public read model follows."""

from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.enums import PUBLIC_COMMITMENT_STATUSES, CovenantStatus, PledgeStatus, SignatoryStatus
from app.errors import Conflict, NotFound
from app.ids import new_id, utcnow
from app.models import Commitment, Covenant, Pledge, Signatory
from app.schemas.pledges import PledgeCreate, PledgeUpdate
from app.services import audit, commitments, notifications, projection
from app.services.access import Principal
from app.services.concurrency import Precondition, check_version
from app.services.dates import add_months
from app.services.lifecycle import next_pledge_status
from app.services.lookup import (
    audit_scope,
    covenant_by_reference,
    officers_pledge,
    own_pledge_with_covenant,
    require_editable,
)


async def create(session: AsyncSession, principal: Principal, body: PledgeCreate) -> Pledge:
    """A draft pledge with the commitments it was sent with, submitted at once if asked: one use case, one
    transaction, one audit event per record (and one for the submission)."""
    covenant = await _open_covenant(session, body.covenant)
    signatory = await session.get(Signatory, principal.signatory_id)
    if signatory is None or signatory.status == SignatoryStatus.WITHDRAWN:
        raise Conflict("A withdrawn organisation cannot pledge.")
    await _refuse_second_pledge(session, signatory.id, covenant.id)
    pledge = Pledge(
        id=new_id("pledge"),
        signatory_id=signatory.id,
        covenant_id=covenant.id,
        statement=body.statement,
        status=PledgeStatus.DRAFT,
        signed_on=body.signed_on or date.today(),
    )
    session.add(pledge)
    await audit.created(session, principal, "pledge.create", pledge, scope=audit_scope(pledge, covenant))
    added = await commitments.add_to_new_pledge(session, principal, pledge, covenant, body.commitments)
    if body.submit:
        return await _submit(session, principal, pledge, covenant, offers=len(added))  # every new one is active
    return pledge


async def _open_covenant(session: AsyncSession, reference: str) -> Covenant:
    covenant = await covenant_by_reference(session, reference)
    if covenant is None or covenant.status == CovenantStatus.DRAFT:
        raise NotFound(f"No covenant {reference}.")
    if covenant.status != CovenantStatus.OPEN:
        raise Conflict(f"Covenant {covenant.slug} is {covenant.status} and takes no new pledges.")
    return covenant


async def _refuse_second_pledge(session: AsyncSession, signatory_id: str, covenant_id: str) -> None:
    existing = (
        await session.execute(
            select(col(Pledge.id)).where(
                col(Pledge.signatory_id) == signatory_id,
                col(Pledge.covenant_id) == covenant_id,
                col(Pledge.status) != PledgeStatus.WITHDRAWN,
            )
        )
    ).scalar()
    if existing:
        raise Conflict(f"You already have pledge {existing} in this covenant; change that one instead.")


async def update(
    session: AsyncSession, principal: Principal, pledge_id: str, precondition: Precondition, body: PledgeUpdate
) -> Pledge:
    pledge, covenant = await own_pledge_with_covenant(session, principal, pledge_id)
    check_version(pledge, precondition)
    require_editable(pledge, "edit")
    async with audit.changing(session, principal, "pledge.update", pledge, scope=audit_scope(pledge, covenant)):
        given = body.model_fields_set
        if "statement" in given and body.statement is not None:
            pledge.statement = body.statement
        if "signed_on" in given:
            pledge.signed_on = body.signed_on
        pledge.updated_at = utcnow()
    return pledge


COMMITMENTS_OF_PLEDGE = (
    select(func.count()).select_from(Commitment).where(col(Commitment.pledge_id) == bindparam("pledge"))
)
PUBLIC_COMMITMENTS_OF_PLEDGE = COMMITMENTS_OF_PLEDGE.where(col(Commitment.status).in_(PUBLIC_COMMITMENT_STATUSES))


async def count_commitments(session: AsyncSession, pledge_id: str, *, public_only: bool) -> int:
    statement = PUBLIC_COMMITMENTS_OF_PLEDGE if public_only else COMMITMENTS_OF_PLEDGE
    return (await session.execute(statement, {"pledge": pledge_id})).scalar_one()


async def _transition(
    session: AsyncSession,
    principal: Principal | None,
    pledge: Pledge,
    covenant: Covenant,
    action: str,
    *,
    commitments: int = 0,
    **changes: Any,
) -> Pledge:
    status = next_pledge_status(pledge.status, action)
    # Only a published pledge has public offers: a step between two unpublished states (submit, request
    # changes) leaves the read model as it was, so it is not re-rendered for nothing.
    touches_public = PledgeStatus.PUBLISHED in (pledge.status, status)
    async with audit.changing(
        session,
        principal,
        f"pledge.{action}",
        pledge,
        scope=audit_scope(pledge, covenant),
        keyless_actor="system",
        public=projection.for_pledge(pledge.id) if touches_public else None,
    ):
        pledge.status = status
        for field, value in changes.items():
            setattr(pledge, field, value)
        pledge.updated_at = utcnow()
    await notifications.pledge_changed(session, pledge, covenant, action, commitments=commitments)
    return pledge


async def submit(session: AsyncSession, principal: Principal, pledge_id: str) -> Pledge:
    pledge, covenant = await own_pledge_with_covenant(session, principal, pledge_id)
    next_pledge_status(pledge.status, "submit")  # a clear 409 before anything else
    offers = await count_commitments(session, pledge.id, public_only=True)
    return await _submit(session, principal, pledge, covenant, offers=offers)


async def _submit(
    session: AsyncSession, principal: Principal, pledge: Pledge, covenant: Covenant, *, offers: int
) -> Pledge:
    """Submit a pledge holding `offers` active commitments."""
    if offers == 0:
        raise Conflict("Add at least one active commitment before submitting the pledge.")
    return await _transition(session, principal, pledge, covenant, "submit", commitments=offers, submitted_at=utcnow())


async def approve(session: AsyncSession, principal: Principal, pledge_id: str) -> Pledge:
    pledge, covenant = await officers_pledge(session, principal, pledge_id)
    next_pledge_status(pledge.status, "approve")
    signatory = await session.get(Signatory, pledge.signatory_id)
    if signatory is None or signatory.status != SignatoryStatus.VERIFIED:
        raise Conflict("Verify the organisation before approving its pledge.")
    if await count_commitments(session, pledge.id, public_only=True) == 0:
        raise Conflict("A pledge is published only with at least one active commitment.")
    now = utcnow()
    return await _transition(
        session,
        principal,
        pledge,
        covenant,
        "approve",
        published_at=now,
        review_due=add_months(now.date(), covenant.review_cycle_months),
        review_comment=None,
    )


async def request_changes(session: AsyncSession, principal: Principal, pledge_id: str, comment: str) -> Pledge:
    pledge, covenant = await officers_pledge(session, principal, pledge_id)
    return await _transition(session, principal, pledge, covenant, "request_changes", review_comment=comment)


async def withdraw(session: AsyncSession, principal: Principal, pledge_id: str, reason: str) -> Pledge:
    """Either side may withdraw a published pledge: its organisation, or an officer of the covenant."""
    if principal.is_organisation:
        pledge, covenant = await own_pledge_with_covenant(session, principal, pledge_id)
    else:
        pledge, covenant = await officers_pledge(session, principal, pledge_id)
    return await _transition(
        session, principal, pledge, covenant, "withdraw", withdrawn_reason=reason, withdrawn_at=utcnow()
    )


async def lapse(session: AsyncSession, principal: Principal | None, pledge: Pledge, covenant: Covenant) -> Pledge:
    """Mark a published pledge whose review is overdue as lapsed (by an officer, or by the scheduled job)."""
    return await _transition(session, principal, pledge, covenant, "lapse")
