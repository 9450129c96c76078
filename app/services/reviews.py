"""The review cycle: every published pledge has `review_due` (publication plus the covenant's cycle). Officers
see what is due soon or overdue; pledges overdue past a grace period lapse, leave the public lists, and come
back when the organisation resubmits and an officer approves them again."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.enums import PledgeStatus
from app.models import Pledge, Signatory
from app.services import pledges
from app.services.access import Principal
from app.services.lookup import covenant_of, officers_covenant

DEFAULT_GRACE_DAYS = 30


async def due_for_review(
    session: AsyncSession, principal: Principal, reference: str, within_days: int, today: date
) -> list[dict[str, Any]]:
    """Published pledges of an officer's covenant whose review is due within `within_days`, overdue ones
    included, soonest first."""
    covenant_id = (await officers_covenant(session, principal, reference)).id
    horizon = today + timedelta(days=within_days)
    rows = await session.execute(
        select(Pledge, Signatory.name, Signatory.sector)  # type: ignore[call-overload]
        .join(Signatory, Signatory.id == Pledge.signatory_id)
        .where(Pledge.covenant_id == covenant_id, Pledge.status == PledgeStatus.PUBLISHED, Pledge.review_due <= horizon)
        .order_by(Pledge.review_due, Pledge.id)
    )
    return [
        {
            "pledge": {
                "id": pledge.id,
                "signatory": {"id": pledge.signatory_id, "name": name, "sector": sector},
                "status": pledge.status,
                "published_at": pledge.published_at,
            },
            "review_due": pledge.review_due,
            "days_until_due": (pledge.review_due - today).days,
            "overdue": pledge.review_due < today,
        }
        for pledge, name, sector in rows.all()
    ]


async def lapse_overdue(
    session: AsyncSession, principal: Principal | None, *, covenant_id: str | None, grace_days: int, today: date
) -> list[str]:
    """Lapse published pledges whose review_due is more than `grace_days` ago (one covenant, or all)."""
    cutoff = today - timedelta(days=grace_days)
    statement = select(Pledge).where(Pledge.status == PledgeStatus.PUBLISHED, Pledge.review_due < cutoff)
    if covenant_id is not None:
        statement = statement.where(Pledge.covenant_id == covenant_id)
    lapsed = []
    for pledge in (await session.execute(statement.order_by(Pledge.id))).scalars().all():
        await pledges.lapse(session, principal, pledge, await covenant_of(session, pledge))
        lapsed.append(pledge.id)
    return lapsed


async def lapse_overdue_in(
    session: AsyncSession, principal: Principal, reference: str, *, grace_days: int, today: date
) -> list[str]:
    """An officer lapses their own covenant's overdue pledges."""
    covenant = await officers_covenant(session, principal, reference)
    return await lapse_overdue(session, principal, covenant_id=covenant.id, grace_days=grace_days, today=today)
