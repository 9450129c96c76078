"""Finding the records a use case acts on, with the caller's access already checked.

Several services act on the same records: a pledge with its covenant, the caller's own pledge or commitment, an
officer's covenant by id or slug, a covenant's priorities. They are found here, once, so each service imports
lookups rather than another service, and a rule about who may reach a record is written in one place.
"""

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from app.db import WRITES_NOTHING
from app.enums import CovenantStatus, PledgeStatus
from app.errors import Forbidden, InvalidTransition, NotFound
from app.ids import is_id
from app.models import Commitment, Covenant, Pledge, Priority, Signatory, table_of
from app.services import audit
from app.services.access import (
    Principal,
    can_see_pledge_privately,
    can_see_signatory_privately,
    require_officer_of,
)
from app.services.lifecycle import PLEDGE_ACTIONS, PLEDGE_EDITABLE, allowed_actions

# ---------------------------------------------------------------- covenants and their priorities


async def covenant_by_reference(session: AsyncSession, reference: str) -> Covenant | None:
    """A covenant by id or slug (slugs cannot look like ids), in any state."""
    column = col(Covenant.id) if is_id("covenant", reference) else col(Covenant.slug)
    return (await session.execute(select(Covenant).where(column == reference))).scalar()


async def officers_covenant(session: AsyncSession, principal: Principal, reference: str) -> Covenant:
    """A covenant of the officer's authority (the operator: any). Another authority's is 403 once it is public,
    404 while it is a draft nobody else may know of."""
    covenant = await covenant_by_reference(session, reference)
    if covenant is None:
        raise NotFound(f"No covenant {reference}.")
    try:
        require_officer_of(principal, covenant.authority_id)
    except Forbidden:
        if covenant.status == CovenantStatus.DRAFT:
            raise NotFound(f"No covenant {reference}.") from None
        raise
    return covenant


async def visible_covenant(session: AsyncSession, principal: Principal, reference: str) -> Covenant:
    """A covenant the caller may see in any state (its authority's officers, the operator), or 404: to anyone
    else only its public view exists."""
    covenant = await covenant_by_reference(session, reference)
    if covenant is None or not (principal.is_operator or principal.authority_id == covenant.authority_id):
        raise NotFound(f"No covenant {reference}.")
    return covenant


priority = table_of(Priority)
# What a priority's document is made of (`priority_document`).
PRIORITY_COLUMNS = select(
    priority.c.id,
    priority.c.covenant_id,
    priority.c.code,
    priority.c.title,
    priority.c.description,
    priority.c.position,
)
PRIORITIES_OF_COVENANT = PRIORITY_COLUMNS.where(priority.c.covenant_id == bindparam("covenant")).order_by(
    priority.c.position, priority.c.code
)


def priority_document(row: Any) -> dict[str, Any]:
    """A priority (a row or a record) as the API shows it."""
    return {
        "id": row.id,
        "covenant_id": row.covenant_id,
        "code": row.code,
        "title": row.title,
        "description": row.description,
        "position": row.position,
    }


async def priorities_of(executor: AsyncConnection | AsyncSession, covenant_id: str) -> list[dict[str, Any]]:
    """A covenant's priorities in the covenant's order."""
    rows = (await executor.execute(PRIORITIES_OF_COVENANT, {"covenant": covenant_id})).all()
    return [priority_document(row) for row in rows]


# ---------------------------------------------------------------- pledges


def audit_scope(pledge: Pledge, covenant: Covenant) -> audit.Scope:
    """Whose officers read the audit events of a pledge and everything filed under it."""
    return audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id, signatory_id=pledge.signatory_id)


async def covenant_of(session: AsyncSession, pledge: Pledge) -> Covenant:
    covenant = await session.get(Covenant, pledge.covenant_id)
    assert covenant is not None  # a foreign key guarantees it
    return covenant


# A write to a pledge or its commitments needs the covenant too (its rules, the audit scope): one round trip.
PLEDGE_WITH_COVENANT = (
    select(Pledge, Covenant)
    .join(Covenant, col(Covenant.id) == col(Pledge.covenant_id))
    .where(col(Pledge.id) == bindparam("pledge"))
)


# A change to a pledge or to what it holds locks the pledge row first: concurrent changes to one pledge then take
# turns, each reading the pledge as the one before left it, instead of racing on its version and failing with a
# 412 that no caller asked for. PostgreSQL locks the row it selects (FOR UPDATE). SQLite has no row locks and
# reads outside the write transaction, so there a no-op UPDATE of the row takes the database's write lock before
# the pledge is read.
PLEDGE_WITH_COVENANT_TO_CHANGE = PLEDGE_WITH_COVENANT.with_for_update(of=Pledge).execution_options(
    populate_existing=True
)
pledge_table = table_of(Pledge)
# It changes no data, so it does not count as a write the public might see (app/db.py).
TAKE_WRITE_LOCK_ON_PLEDGE = (
    update(pledge_table)
    .where(pledge_table.c.id == bindparam("pledge"))
    .values(id=pledge_table.c.id)
    .execution_options(**{WRITES_NOTHING: True})
)


async def pledge_with_covenant(
    session: AsyncSession, pledge_id: str, *, to_change: bool = False
) -> tuple[Pledge, Covenant] | None:
    if to_change and session.get_bind().dialect.name == "sqlite":
        await session.execute(TAKE_WRITE_LOCK_ON_PLEDGE, {"pledge": pledge_id})
    statement = PLEDGE_WITH_COVENANT_TO_CHANGE if to_change else PLEDGE_WITH_COVENANT
    found = (await session.execute(statement, {"pledge": pledge_id})).one_or_none()
    return None if found is None else (found[0], found[1])


async def own_pledge_with_covenant(
    session: AsyncSession, principal: Principal, pledge_id: str
) -> tuple[Pledge, Covenant]:
    """The caller's own pledge and its covenant; another organisation's pledge is a 404."""
    found = await pledge_with_covenant(session, pledge_id, to_change=True)
    if found is None or found[0].signatory_id != principal.signatory_id:
        raise NotFound(f"No pledge {pledge_id}.")
    return found


async def officers_pledge(session: AsyncSession, principal: Principal, pledge_id: str) -> tuple[Pledge, Covenant]:
    """A pledge in one of the officer's covenants. Another authority's pledge is 403 if public, else 404."""
    found = await pledge_with_covenant(session, pledge_id, to_change=True)
    if found is None:
        raise NotFound(f"No pledge {pledge_id}.")
    try:
        require_officer_of(principal, found[1].authority_id)
    except Forbidden:
        if found[0].status != PledgeStatus.PUBLISHED:
            raise NotFound(f"No pledge {pledge_id}.") from None
        raise
    return found


async def pledge_and_covenant_of(session: AsyncSession, commitment: Commitment) -> tuple[Pledge, Covenant]:
    """The pledge a commitment belongs to, and its covenant."""
    found = await pledge_with_covenant(session, commitment.pledge_id, to_change=True)
    assert found is not None  # a foreign key guarantees it
    return found


def require_editable(pledge: Pledge, action: str) -> None:
    """A pledge's content changes only while it is a draft, has changes requested, or has lapsed."""
    if pledge.status not in PLEDGE_EDITABLE:
        raise InvalidTransition("pledge", pledge.status, action, allowed_actions(PLEDGE_ACTIONS, pledge.status))


# ---------------------------------------------------------------- commitments


async def own_commitment(session: AsyncSession, principal: Principal, commitment_id: str) -> Commitment:
    """The caller's own commitment; another organisation's is a 404."""
    row = await session.get(Commitment, commitment_id)
    if row is None or row.signatory_id != principal.signatory_id:
        raise NotFound(f"No commitment {commitment_id}.")
    return row


# ---------------------------------------------------------------- records seen privately


async def visible_signatory(session: AsyncSession, principal: Principal, signatory_id: str) -> Signatory:
    """An organisation the caller may see privately (itself, its covenants' officers, the operator), or 404."""
    signatory = await session.get(Signatory, signatory_id)
    if signatory is None or not await can_see_signatory_privately(session, principal, signatory_id):
        raise NotFound(f"No signatory {signatory_id}.")
    return signatory


async def visible_pledge(session: AsyncSession, principal: Principal, pledge_id: str) -> Pledge:
    """A pledge the caller may see privately (its organisation, the covenant's officers, the operator), or 404."""
    found = await pledge_with_covenant(session, pledge_id)
    if found is None or not can_see_pledge_privately(principal, *found):
        raise NotFound(f"No pledge {pledge_id}.")
    return found[0]


async def visible_commitment(session: AsyncSession, principal: Principal, commitment_id: str) -> Commitment:
    """A commitment the caller may see privately, or 404."""
    row = await session.get(Commitment, commitment_id)
    found = await pledge_with_covenant(session, row.pledge_id) if row is not None else None
    if row is None or found is None or not can_see_pledge_privately(principal, *found):
        raise NotFound(f"No commitment {commitment_id}.")
    return row
