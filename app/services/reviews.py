"""The review cycle: every published pledge has `review_due` (publication plus the covenant's cycle). Officers
see what is due soon or overdue; pledges overdue past a grace period lapse, leave the public lists, and come
back when the organisation resubmits and an officer approves them again."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

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
        select(Pledge, col(Signatory.name), col(Signatory.sector))
        .join(Signatory, col(Signatory.id) == col(Pledge.signatory_id))
        .where(
            col(Pledge.covenant_id) == covenant_id,
            col(Pledge.status) == PledgeStatus.PUBLISHED,
            col(Pledge.review_due) <= horizon,
        )
        .order_by(col(Pledge.review_due), col(Pledge.id))
    )
    return [review_item(pledge, name, sector, today) for pledge, name, sector in rows.all()]


def review_item(pledge: Pledge, name: str, sector: str, today: date) -> dict[str, Any]:
    due = pledge.review_due
    assert due is not None  # every published pledge has a review date (set when it is approved)
    return {
        "pledge": {
            "id": pledge.id,
            "signatory": {"id": pledge.signatory_id, "name": name, "sector": sector},
            "status": pledge.status,
            "published_at": pledge.published_at,
        },
        "review_due": due,
        "days_until_due": (due - today).days,
        "overdue": due < today,
    }


async def lapse_overdue(
    session: AsyncSession, principal: Principal | None, *, covenant_id: str | None, grace_days: int, today: date
) -> list[str]:
    """Lapse published pledges whose review_due is more than `grace_days` ago (one covenant, or all)."""
    cutoff = today - timedelta(days=grace_days)
    statement = select(Pledge).where(col(Pledge.status) == PledgeStatus.PUBLISHED, col(Pledge.review_due) < cutoff)
    if covenant_id is not None:
        statement = statement.where(col(Pledge.covenant_id) == covenant_id)
    lapsed = []
    for pledge in (await session.execute(statement.order_by(col(Pledge.id)))).scalars().all():
        await pledges.lapse(session, principal, pledge, await covenant_of(session, pledge))
        lapsed.append(pledge.id)
    return lapsed


async def lapse_overdue_in(
    session: AsyncSession, principal: Principal, reference: str, *, grace_days: int, today: date
) -> list[str]:
    """An officer lapses their own covenant's overdue pledges."""
    covenant = await officers_covenant(session, principal, reference)
    return await lapse_overdue(session, principal, covenant_id=covenant.id, grace_days=grace_days, today=today)
