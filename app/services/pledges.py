"""Pledges: an organisation drafts and submits; an officer of the covenant's authority approves or asks for
changes; either side withdraws a published pledge. Every step is audited, and the public read model follows."""

from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.enums import CovenantStatus, PledgeStatus, SignatoryStatus
from app.errors import Conflict, Forbidden, InvalidTransition, NotFound
from app.ids import is_id, new_id, utcnow
from app.models import Commitment, Covenant, Pledge, Signatory
from app.schemas.writes import PledgeCreate, PledgeUpdate
from app.services import audit, projection
from app.services.access import Principal, can_see_pledge_privately, require_officer_of_covenant
from app.services.concurrency import check_version
from app.services.dates import add_months
from app.services.lifecycle import PLEDGE_ACTIONS, PLEDGE_EDITABLE, allowed_actions, next_pledge_status
from app.services.public_read import PUBLIC_COMMITMENT_STATUSES


async def covenant_by_reference(session: AsyncSession, reference: str) -> Covenant | None:
    column = Covenant.id if is_id("covenant", reference) else Covenant.slug
    return (await session.execute(select(Covenant).where(column == reference))).scalar()


def scope_of(pledge: Pledge, covenant: Covenant) -> audit.Scope:
    return audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id, signatory_id=pledge.signatory_id)


async def covenant_of(session: AsyncSession, pledge: Pledge) -> Covenant:
    covenant = await session.get(Covenant, pledge.covenant_id)
    assert covenant is not None  # a foreign key guarantees it
    return covenant


async def get_for(session: AsyncSession, principal: Principal, pledge_id: str) -> Pledge:
    """A pledge the caller may see privately (its organisation, the covenant's officers, the operator), or 404."""
    pledge = await session.get(Pledge, pledge_id)
    if pledge is None or not await can_see_pledge_privately(session, principal, pledge):
        raise NotFound(f"No pledge {pledge_id}.")
    return pledge


# A write to a pledge or its commitments needs the covenant too (its rules, the audit scope): one round trip.
PLEDGE_WITH_COVENANT = (
    select(Pledge, Covenant).join(Covenant, Covenant.id == Pledge.covenant_id).where(Pledge.id == bindparam("pledge"))
)


async def pledge_with_covenant(session: AsyncSession, pledge_id: str) -> tuple[Pledge, Covenant] | None:
    found = (await session.execute(PLEDGE_WITH_COVENANT, {"pledge": pledge_id})).one_or_none()
    return None if found is None else (found[0], found[1])


async def own_pledge_with_covenant(
    session: AsyncSession, principal: Principal, pledge_id: str
) -> tuple[Pledge, Covenant]:
    """The caller's own pledge and its covenant; another organisation's pledge is a 404."""
    found = await pledge_with_covenant(session, pledge_id)
    if found is None or found[0].signatory_id != principal.signatory_id:
        raise NotFound(f"No pledge {pledge_id}.")
    return found


async def officers_pledge(session: AsyncSession, principal: Principal, pledge_id: str) -> tuple[Pledge, Covenant]:
    """A pledge in one of the officer's covenants. Another authority's pledge is 403 if public, else 404."""
    pledge = await session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(f"No pledge {pledge_id}.")
    try:
        await require_officer_of_covenant(session, principal, pledge.covenant_id)
    except Forbidden:
        if pledge.status != PledgeStatus.PUBLISHED:
            raise NotFound(f"No pledge {pledge_id}.") from None
        raise
    return pledge, await covenant_of(session, pledge)


async def create(session: AsyncSession, principal: Principal, body: PledgeCreate) -> Pledge:
    covenant = await covenant_by_reference(session, body.covenant)
    if covenant is None or covenant.status == CovenantStatus.DRAFT:
        raise NotFound(f"No covenant {body.covenant}.")
    if covenant.status != CovenantStatus.OPEN:
        raise Conflict(f"Covenant {covenant.slug} is {covenant.status} and takes no new pledges.")
    signatory = await session.get(Signatory, principal.signatory_id)
    if signatory is None or signatory.status == SignatoryStatus.WITHDRAWN:
        raise Conflict("A withdrawn organisation cannot pledge.")
    existing = (
        await session.execute(
            select(Pledge.id).where(
                Pledge.signatory_id == signatory.id,
                Pledge.covenant_id == covenant.id,
                Pledge.status != PledgeStatus.WITHDRAWN,
            )
        )
    ).scalar()
    if existing:
        raise Conflict(f"You already have pledge {existing} in this covenant; change that one instead.")
    pledge = Pledge(
        id=new_id("pledge"),
        signatory_id=signatory.id,
        covenant_id=covenant.id,
        statement=body.statement,
        status=PledgeStatus.DRAFT,
        signed_on=body.signed_on or date.today(),
    )
    session.add(pledge)
    await session.flush()
    audit.record(session, principal, "pledge.create", pledge, before=None, scope=scope_of(pledge, covenant))
    return pledge


async def update(
    session: AsyncSession, principal: Principal, pledge_id: str, expected_version: int, body: PledgeUpdate
) -> Pledge:
    pledge, covenant = await own_pledge_with_covenant(session, principal, pledge_id)
    check_version(pledge, expected_version)
    require_editable(pledge, "edit")
    before = audit.snapshot(pledge)
    given = body.model_fields_set
    if "statement" in given and body.statement is not None:
        pledge.statement = body.statement
    if "signed_on" in given:
        pledge.signed_on = body.signed_on
    pledge.updated_at = utcnow()
    await session.flush()
    audit.record(session, principal, "pledge.update", pledge, before=before, scope=scope_of(pledge, covenant))
    return pledge


def require_editable(pledge: Pledge, action: str) -> None:
    if pledge.status not in PLEDGE_EDITABLE:
        raise InvalidTransition("pledge", pledge.status, action, allowed_actions(PLEDGE_ACTIONS, pledge.status))


COMMITMENTS_OF_PLEDGE = select(func.count()).select_from(Commitment).where(Commitment.pledge_id == bindparam("pledge"))
PUBLIC_COMMITMENTS_OF_PLEDGE = COMMITMENTS_OF_PLEDGE.where(
    Commitment.status.in_(PUBLIC_COMMITMENT_STATUSES)  # type: ignore[attr-defined]
)


async def count_commitments(session: AsyncSession, pledge_id: str, *, public_only: bool) -> int:
    statement = PUBLIC_COMMITMENTS_OF_PLEDGE if public_only else COMMITMENTS_OF_PLEDGE
    return (await session.execute(statement, {"pledge": pledge_id})).scalar_one()


async def _transition(
    session: AsyncSession, principal: Principal | None, pledge: Pledge, covenant: Covenant, action: str, **changes: Any
) -> Pledge:
    before = audit.snapshot(pledge)
    pledge.status = next_pledge_status(pledge.status, action)
    for field, value in changes.items():
        setattr(pledge, field, value)
    pledge.updated_at = utcnow()
    await session.flush()
    audit.record(
        session,
        principal,
        f"pledge.{action}",
        pledge,
        before=before,
        scope=scope_of(pledge, covenant),
        keyless_actor="system",
    )
    await projection.refresh_public_commitments(await session.connection(), projection.for_pledge(pledge.id))
    return pledge


async def submit(session: AsyncSession, principal: Principal, pledge_id: str) -> Pledge:
    pledge, covenant = await own_pledge_with_covenant(session, principal, pledge_id)
    next_pledge_status(pledge.status, "submit")  # a clear 409 before anything else
    if await count_commitments(session, pledge.id, public_only=True) == 0:
        raise Conflict("Add at least one active commitment before submitting the pledge.")
    return await _transition(session, principal, pledge, covenant, "submit", submitted_at=utcnow())


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


# Both rows are found by primary key: joined on true, they come back as one row in one round trip.
PLEDGE_PARTIES = (
    select(
        Signatory.id.label("signatory_id"),
        Signatory.name.label("signatory_name"),
        Signatory.sector,
        Covenant.id.label("covenant_id"),
        Covenant.slug,
        Covenant.title,
    )
    .join(Covenant, true())
    .where(Signatory.id == bindparam("signatory"), Covenant.id == bindparam("covenant"))
)


async def private_document(session: AsyncSession, pledge: Pledge) -> dict[str, Any]:
    from app.services.commitments import private_documents_of_pledge

    parties = (
        await session.execute(PLEDGE_PARTIES, {"signatory": pledge.signatory_id, "covenant": pledge.covenant_id})
    ).one()
    return {
        "id": pledge.id,
        "signatory": {"id": parties.signatory_id, "name": parties.signatory_name, "sector": parties.sector},
        "covenant": {"id": parties.covenant_id, "slug": parties.slug, "title": parties.title},
        "statement": pledge.statement,
        "status": pledge.status,
        "signed_on": pledge.signed_on,
        "submitted_at": pledge.submitted_at,
        "published_at": pledge.published_at,
        "review_due": pledge.review_due,
        "review_comment": pledge.review_comment,
        "withdrawn_reason": pledge.withdrawn_reason,
        "withdrawn_at": pledge.withdrawn_at,
        "created_at": pledge.created_at,
        "updated_at": pledge.updated_at,
        "allowed_actions": allowed_actions(PLEDGE_ACTIONS, pledge.status),
        "commitments": await private_documents_of_pledge(session, pledge.id),
    }


async def lapse(session: AsyncSession, principal: Principal | None, pledge: Pledge, covenant: Covenant) -> Pledge:
    """Mark a published pledge whose review is overdue as lapsed (by an officer, or by the scheduled job)."""
    return await _transition(session, principal, pledge, covenant, "lapse")
