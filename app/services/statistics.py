"""Public statistics of a covenant: one SQL aggregate per figure, small numbers suppressed in public.

As in the Department for Education's statistics on children in care, a count from 1 to 4 could point at a
young person, so public output shows it as "<5" (zero is shown as 0). Officers of the covenant see exact
numbers. Counts of offers come from the public read model's counts, so they agree with what the public lists
show.
"""

from collections import Counter
from typing import Any

from sqlalchemy import case, extract, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.enums import CommitmentStatus, OfferType, PledgeStatus, Sector, SignatoryStatus, SizeBand
from app.models import Commitment, Pledge, ProgressReport, PublicOfferCount, Signatory, table_of
from app.services import public_read
from app.services.access import Principal, sees_exact_figures
from app.services.lookup import PRIORITIES_OF_COVENANT

SUPPRESSED = "<5"

offer_count = table_of(PublicOfferCount)
pledge = table_of(Pledge)
signatory = table_of(Signatory)
commitment = table_of(Commitment)
report = table_of(ProgressReport)


def suppress(count: int) -> int | str:
    return SUPPRESSED if 1 <= count <= 4 else count


def financial_year(column: Any) -> Any:
    """The UK financial year a date falls in, by its starting year: 2025 for 1 April 2025 to 31 March 2026."""
    year = extract("year", column)
    return case((extract("month", column) >= 4, year), else_=year - 1)


def year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


async def organisations_and_pledges(conn: AsyncConnection, covenant_id: str) -> dict[str, Any]:
    """Organisations with a published pledge by sector and by size band, and the number of those pledges, from
    one grouped pass over the covenant's pledges."""
    statement = (
        select(signatory.c.sector, signatory.c.size_band, func.count(func.distinct(signatory.c.id)), func.count())
        .select_from(pledge.join(signatory, signatory.c.id == pledge.c.signatory_id))
        .where(
            pledge.c.covenant_id == covenant_id,
            pledge.c.status == PledgeStatus.PUBLISHED,
            signatory.c.status == SignatoryStatus.VERIFIED,
        )
        .group_by(signatory.c.sector, signatory.c.size_band)
    )
    by_sector, by_size, pledges = Counter[str](), Counter[str](), 0
    # An organisation has one sector and one size band, so adding up the groups counts nobody twice.
    for sector, size_band, organisations, pledged in (await conn.execute(statement)).all():
        by_sector[sector] += organisations
        by_size[size_band] += organisations
        pledges += pledged
    return {
        "signatories_by_sector": _full(by_sector, Sector),
        "signatories_by_size": _full(by_size, SizeBand),
        "published_pledges": pledges,
    }


async def offers(conn: AsyncConnection, covenant_id: str) -> dict[str, Any]:
    """Public offers by priority and by offer type, and the priorities with no active offer, from the counts
    the read model keeps (public_offer_count): a few dozen rows however many offers there are."""
    priorities = [
        (row.id, row.code, row.title)
        for row in (await conn.execute(PRIORITIES_OF_COVENANT, {"covenant": covenant_id})).all()
    ]
    counts = (
        await conn.execute(
            select(
                offer_count.c.priority_id, offer_count.c.offer_type, offer_count.c.status, offer_count.c.offers
            ).where(offer_count.c.covenant_id == covenant_id, offer_count.c.offers > 0)
        )
    ).all()
    by_priority, by_type, with_active_offer = Counter[str](), Counter[str](), set()
    for priority_id, offer_type, status, count in counts:
        by_priority[priority_id] += count
        by_type[offer_type] += count
        if status == CommitmentStatus.ACTIVE:
            with_active_offer.add(priority_id)
    return {
        "commitments_by_priority": [
            {"priority": {"id": id_, "code": code, "title": title}, "commitments": by_priority[id_]}
            for id_, code, title in priorities
        ],
        "commitments_by_offer_type": _full(by_type, OfferType),
        "priorities_without_active_offer": [
            {"id": id_, "code": code, "title": title} for id_, code, title in priorities if id_ not in with_active_offer
        ],
    }


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


def _full(counted: Counter[str], names: Any) -> dict[str, int]:
    # Every category appears, zeros included, so the shape of the answer never changes.
    return {name.value: counted.get(name.value, 0) for name in names}


async def covenant_statistics(conn: AsyncConnection, covenant_id: str) -> dict[str, Any]:
    """Exact figures. `for_public` suppresses them."""
    return (
        await organisations_and_pledges(conn, covenant_id)
        | await offers(conn, covenant_id)
        | {"delivery_by_year": await delivery_by_year(conn, covenant_id)}
    )


async def statistics_for(conn: AsyncConnection, caller: Principal | None, reference: str) -> dict[str, Any]:
    """A public covenant's statistics: exact for its officers and the operator, suppressed for everyone else."""
    row = await public_read.public_covenant_row(conn, reference)
    exact = sees_exact_figures(caller, row.authority_id)
    figures = await covenant_statistics(conn, row.id)
    shown = figures if exact else for_public(figures)
    return {"covenant": {"id": row.id, "slug": row.slug, "title": row.title}, "exact": exact, **shown}


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
