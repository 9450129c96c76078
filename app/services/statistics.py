"""Public statistics of a covenant: one SQL aggregate per figure, small numbers suppressed in public.

As in the Department for Education's statistics on children in care, a count from 1 to 4 could point at a
young person, so public output shows it as "<5" (zero is shown as 0). Officers of the covenant see exact
numbers. Counts of offers come from the public read model, so they agree with what the public lists show.
"""

from typing import Any

from sqlalchemy import and_, case, exists, extract, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.enums import OfferType, PledgeStatus, Sector, SignatoryStatus, SizeBand
from app.models import Commitment, Pledge, Priority, ProgressReport, PublicCommitment, Signatory

SUPPRESSED = "<5"

public_commitment = PublicCommitment.__table__
pledge = Pledge.__table__
signatory = Signatory.__table__
priority = Priority.__table__
commitment = Commitment.__table__
report = ProgressReport.__table__


def suppress(count: int) -> int | str:
    return SUPPRESSED if 1 <= count <= 4 else count


def financial_year(column: Any) -> Any:
    """The UK financial year a date falls in, by its starting year: 2025 for 1 April 2025 to 31 March 2026."""
    year = extract("year", column)
    return case((extract("month", column) >= 4, year), else_=year - 1)


def year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _published_signatories(covenant_id: str) -> Any:
    return and_(
        pledge.c.covenant_id == covenant_id,
        pledge.c.status == PledgeStatus.PUBLISHED,
        signatory.c.status == SignatoryStatus.VERIFIED,
    )


async def _counted(conn: AsyncConnection, statement: Any) -> dict[str, int]:
    return {key: count for key, count in (await conn.execute(statement)).all()}


async def signatories_by(conn: AsyncConnection, covenant_id: str, column: Any) -> dict[str, int]:
    return await _counted(
        conn,
        select(column, func.count(func.distinct(signatory.c.id)))
        .select_from(pledge.join(signatory, signatory.c.id == pledge.c.signatory_id))
        .where(_published_signatories(covenant_id))
        .group_by(column),
    )


async def published_pledges(conn: AsyncConnection, covenant_id: str) -> int:
    statement = (
        select(func.count())
        .select_from(pledge.join(signatory, signatory.c.id == pledge.c.signatory_id))
        .where(_published_signatories(covenant_id))
    )
    return (await conn.execute(statement)).scalar_one()


async def commitments_by_priority(conn: AsyncConnection, covenant_id: str) -> list[dict[str, Any]]:
    counted = (
        select(public_commitment.c.priority_id, func.count().label("offers"))
        .where(public_commitment.c.covenant_id == covenant_id)
        .group_by(public_commitment.c.priority_id)
        .subquery()
    )
    statement = (
        select(priority.c.id, priority.c.code, priority.c.title, func.coalesce(counted.c.offers, 0))
        .select_from(priority.outerjoin(counted, counted.c.priority_id == priority.c.id))
        .where(priority.c.covenant_id == covenant_id)
        .order_by(priority.c.position, priority.c.code)
    )
    return [
        {"priority": {"id": id_, "code": code, "title": title}, "commitments": offers}
        for id_, code, title, offers in (await conn.execute(statement)).all()
    ]


async def commitments_by_offer_type(conn: AsyncConnection, covenant_id: str) -> dict[str, int]:
    return await _counted(
        conn,
        select(public_commitment.c.offer_type, func.count())
        .where(public_commitment.c.covenant_id == covenant_id)
        .group_by(public_commitment.c.offer_type),
    )


async def priorities_without_active_offer(conn: AsyncConnection, covenant_id: str) -> list[dict[str, str]]:
    active_offer = exists().where(
        public_commitment.c.priority_id == priority.c.id, public_commitment.c.status == "active"
    )
    statement = (
        select(priority.c.id, priority.c.code, priority.c.title)
        .where(priority.c.covenant_id == covenant_id, ~active_offer)
        .order_by(priority.c.position, priority.c.code)
    )
    return [{"id": id_, "code": code, "title": title} for id_, code, title in (await conn.execute(statement)).all()]


async def delivery_by_year(conn: AsyncConnection, covenant_id: str) -> list[dict[str, Any]]:
    year = financial_year(report.c.period_start).label("year")
    statement = (
        select(
            year,
            func.count().label("returns"),
            func.sum(report.c.places_offered).label("places_offered"),
            func.sum(report.c.starts).label("starts"),
            func.sum(report.c.sustained).label("sustained"),
        )
        .select_from(report.join(commitment, commitment.c.id == report.c.commitment_id))
        .where(commitment.c.covenant_id == covenant_id)
        .group_by(year)
        .order_by(year)
    )
    return [
        {
            "year": year_label(int(row.year)),
            "returns": row.returns,
            "places_offered": int(row.places_offered),
            "starts": int(row.starts),
            "sustained": int(row.sustained),
        }
        for row in (await conn.execute(statement)).all()
    ]


def _full(counted: dict[str, int], names: Any) -> dict[str, int]:
    # Every category appears, zeros included, so the shape of the answer never changes.
    return {name.value: counted.get(name.value, 0) for name in names}


async def covenant_statistics(conn: AsyncConnection, covenant_id: str) -> dict[str, Any]:
    """Exact figures. `for_public` suppresses them."""
    return {
        "signatories_by_sector": _full(await signatories_by(conn, covenant_id, signatory.c.sector), Sector),
        "signatories_by_size": _full(await signatories_by(conn, covenant_id, signatory.c.size_band), SizeBand),
        "published_pledges": await published_pledges(conn, covenant_id),
        "commitments_by_priority": await commitments_by_priority(conn, covenant_id),
        "commitments_by_offer_type": _full(await commitments_by_offer_type(conn, covenant_id), OfferType),
        "priorities_without_active_offer": await priorities_without_active_offer(conn, covenant_id),
        "delivery_by_year": await delivery_by_year(conn, covenant_id),
    }


def for_public(figures: dict[str, Any]) -> dict[str, Any]:
    """The same figures with every count from 1 to 4 replaced by "<5"."""
    return {
        "signatories_by_sector": {k: suppress(v) for k, v in figures["signatories_by_sector"].items()},
        "signatories_by_size": {k: suppress(v) for k, v in figures["signatories_by_size"].items()},
        "published_pledges": suppress(figures["published_pledges"]),
        "commitments_by_priority": [
            {**row, "commitments": suppress(row["commitments"])} for row in figures["commitments_by_priority"]
        ],
        "commitments_by_offer_type": {k: suppress(v) for k, v in figures["commitments_by_offer_type"].items()},
        "priorities_without_active_offer": figures["priorities_without_active_offer"],
        "delivery_by_year": [
            {"year": row["year"], **{k: suppress(v) for k, v in row.items() if k != "year"}}
            for row in figures["delivery_by_year"]
        ],
    }
