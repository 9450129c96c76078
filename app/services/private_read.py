"""Lists that only a key may read: an organisation's pledges in every state, an officer's review queue and the
organisations of their covenants, the audit trail. Same keyset pages as the public lists."""

from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.models import AuditEvent, Covenant, Pledge, Signatory
from app.services import pledges, signatories
from app.services.access import Principal, can_see_signatory_privately
from app.services.pagination import Keyset
from app.services.public_read import Page

PLEDGE_KEYSET = Keyset((Pledge.__table__.c.id,))
SIGNATORY_KEYSET = Keyset((Signatory.__table__.c.name, Signatory.__table__.c.id))
AUDIT_KEYSET = Keyset((AuditEvent.__table__.c.id,), descending=True)


async def _pledge_page(session: AsyncSession, statement: Any, cursor: str | None, limit: int) -> Page:
    rows = list((await session.execute(PLEDGE_KEYSET.apply(statement, cursor, limit))).scalars())
    shown, next_cursor = PLEDGE_KEYSET.page(rows, limit, lambda pledge: (pledge.id,))
    return Page([await pledges.private_document(session, pledge) for pledge in shown], next_cursor)


async def pledges_of_signatory(
    session: AsyncSession, principal: Principal, signatory_id: str, statuses: list[str], cursor: str | None, limit: int
) -> Page:
    """Every pledge of an organisation: for itself, the operator, or (in their covenants) an officer."""
    if not await can_see_signatory_privately(session, principal, signatory_id):
        raise NotFound(f"No signatory {signatory_id}.")
    statement = select(Pledge).where(Pledge.signatory_id == signatory_id)
    if principal.is_officer:
        statement = statement.where(Pledge.covenant_id.in_(_covenants_of(principal)))  # type: ignore[attr-defined]
    if statuses:
        statement = statement.where(Pledge.status.in_(statuses))  # type: ignore[attr-defined]
    return await _pledge_page(session, statement, cursor, limit)


def _covenants_of(principal: Principal) -> Any:
    return select(Covenant.id).where(Covenant.authority_id == principal.authority_id)


async def pledges_in_covenant(
    session: AsyncSession, covenant_id: str, statuses: list[str], cursor: str | None, limit: int
) -> Page:
    """The pledges of a covenant in any state; `status=submitted` is the officers' review queue."""
    statement = select(Pledge).where(Pledge.covenant_id == covenant_id)
    if statuses:
        statement = statement.where(Pledge.status.in_(statuses))  # type: ignore[attr-defined]
    return await _pledge_page(session, statement, cursor, limit)


async def signatories_in_covenant(
    session: AsyncSession, covenant_id: str, statuses: list[str], cursor: str | None, limit: int
) -> Page:
    """Organisations with a pledge (in any state) in a covenant: `status=pending` is the verification queue."""
    statement = select(Signatory).where(
        exists().where(Pledge.signatory_id == Signatory.id, Pledge.covenant_id == covenant_id)
    )
    if statuses:
        statement = statement.where(Signatory.status.in_(statuses))  # type: ignore[attr-defined]
    rows = list((await session.execute(SIGNATORY_KEYSET.apply(statement, cursor, limit))).scalars())
    shown, next_cursor = SIGNATORY_KEYSET.page(rows, limit, lambda row: (row.name, row.id))
    return Page([await signatories.private_document(session, row) for row in shown], next_cursor)


async def audit_events(
    session: AsyncSession, principal: Principal, filters: dict[str, str | None], cursor: str | None, limit: int
) -> Page:
    """The trail, newest first. Officers see their authority's events and those of organisations pledging to it."""
    statement = select(AuditEvent)
    if principal.is_officer:
        reaching = select(Pledge.signatory_id).where(Pledge.covenant_id.in_(_covenants_of(principal)))  # type: ignore[attr-defined]
        statement = statement.where(
            or_(AuditEvent.authority_id == principal.authority_id, AuditEvent.signatory_id.in_(reaching))  # type: ignore[attr-defined]
        )
    for column, value in filters.items():
        if value is not None:
            statement = statement.where(getattr(AuditEvent, column) == value)
    rows = list((await session.execute(AUDIT_KEYSET.apply(statement, cursor, limit))).scalars())
    shown, next_cursor = AUDIT_KEYSET.page(rows, limit, lambda event: (event.id,))
    return Page([audit_document(event) for event in shown], next_cursor)


def audit_document(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at,
        "actor_kind": event.actor_kind,
        "actor_key_id": event.actor_key_id,
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "covenant_id": event.covenant_id,
        "signatory_id": event.signatory_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }
