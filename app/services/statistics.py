"""Public statistics of a covenant: one SQL aggregate per figure, small counts of young people suppressed in
public.

As in the Department for Education's statistics on children in care, a count of young people from 1 to 4
(starts, sustained) could point at someone, so public output shows it as "<5" (zero is shown as 0); where a
published total and its other parts would give a hidden count away, one more part is hidden too, as "[c]"
(`suppress_parts`). Counts of organisations, pledges and offers are exact everywhere: the public lists show
them anyway. Officers of the covenant see every number exactly. Counts of offers come from the public read
model's counts, so they agree with what the public lists show.
"""

from collections import Counter
from typing import Any

from sqlalchemy import bindparam, case, extract, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.enums import CommitmentStatus, OfferType, PledgeStatus, Sector, SignatoryStatus, SizeBand
from app.models import Commitment, Pledge, ProgressReport, PublicOfferCount, Signatory, table_of
from app.services import compiled_reads, public_read, public_scopes
from app.services.access import Principal, sees_exact_figures
from app.services.compiled_reads import Executor
from app.services.lookup import PRIORITIES_OF_COVENANT
from app.services.public_scopes import Scoped

SUPPRESSED = "<5"
# Hidden only because, with the total and the other parts published, it would reveal a "<5" by subtraction.
SECONDARY = "[c]"

offer_count = table_of(PublicOfferCount)
pledge = table_of(Pledge)
signatory = table_of(Signatory)
commitment = table_of(Commitment)
report = table_of(ProgressReport)


def suppress(count: int) -> int | str:
    return SUPPRESSED if 1 <= count <= 4 else count


def suppress_parts(parts: list[int]) -> tuple[list[int | str], int | str]:
    """Parts of a total, and the total, as the public may see them. Each count from 1 to 4 is "<5" (primary
    suppression). Then, while the published cells would let someone work out a hidden part exactly (one hidden
    part is the total minus the others; two "<5"s summing to 2 are both 1; a "<5" beside a hidden 5 summing to 6
    is a 1), the smallest published non-zero part is hidden too, as "[c]", or the total once no part is left
    (secondary suppression)."""
    shown: list[int | str] = [suppress(part) for part in parts]
    total: int | str = suppress(sum(parts))
    while isinstance(total, int) and _gives_a_part_away(shown, total):
        published = [index for index, part in enumerate(parts) if part > 0 and isinstance(shown[index], int)]
        if published:
            shown[min(published, key=lambda index: (parts[index], index))] = SECONDARY
        else:
            total = SECONDARY
    return shown, total


# What a reader knows of a hidden cell: a "<5" is 1 to 4; a "[c]" is a part that was not small, so 5 or more.
KNOWN_RANGE = {SUPPRESSED: (1, 4), SECONDARY: (5, None)}


def _gives_a_part_away(shown: list[int | str], total: int) -> bool:
    """Whether the published cells and total pin a hidden part to one value. The hidden parts add up to the
    total less the published ones; each lies in its known range, so each can take exactly the values of an
    interval, and a part is given away when that interval is a single number."""
    rest = total - sum(cell for cell in shown if isinstance(cell, int))
    ranges = [KNOWN_RANGE[cell] for cell in shown if isinstance(cell, str)]
    for index, (low, high) in enumerate(ranges):
        others = ranges[:index] + ranges[index + 1 :]
        others_high = None if any(h is None for _, h in others) else sum(h for _, h in others if h is not None)
        lowest = low if others_high is None else max(low, rest - others_high)
        highest = rest - sum(low for low, _ in others)
        if high is not None:
            highest = min(high, highest)
        if lowest == highest:
            return True
    return False


def financial_year(column: Any) -> Any:
    """The UK financial year a date falls in, by its starting year: 2025 for 1 April 2025 to 31 March 2026."""
    year = extract("year", column)
    return case((extract("month", column) >= 4, year), else_=year - 1)


def year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


ORGANISATIONS_AND_PLEDGES = (
    select(signatory.c.sector, signatory.c.size_band, func.count(func.distinct(signatory.c.id)), func.count())
    .select_from(pledge.join(signatory, signatory.c.id == pledge.c.signatory_id))
    .where(
        pledge.c.covenant_id == bindparam("covenant"),
        pledge.c.status == PledgeStatus.PUBLISHED,
        signatory.c.status == SignatoryStatus.VERIFIED,
    )
    .group_by(signatory.c.sector, signatory.c.size_band)
)


async def organisations_and_pledges(conn: Executor, covenant_id: str) -> dict[str, Any]:
    """Organisations with a published pledge by sector and by size band, and the number of those pledges, from
    one grouped pass over the covenant's pledges."""
    by_sector, by_size, pledges = Counter[str](), Counter[str](), 0
    # An organisation has one sector and one size band, so adding up the groups counts nobody twice.
    for sector, size_band, organisations, pledged in await compiled_reads.rows(
        conn, ORGANISATIONS_AND_PLEDGES, {"covenant": covenant_id}
    ):
        by_sector[sector] += organisations
        by_size[size_band] += organisations
        pledges += pledged
    return {
        "signatories_by_sector": _full(by_sector, Sector),
        "signatories_by_size": _full(by_size, SizeBand),
        "published_pledges": pledges,
    }


OFFER_COUNTS = select(
    offer_count.c.priority_id, offer_count.c.offer_type, offer_count.c.status, offer_count.c.offers
).where(offer_count.c.covenant_id == bindparam("covenant"), offer_count.c.offers > 0)


async def offers(conn: Executor, covenant_id: str) -> dict[str, Any]:
    """Public offers by priority and by offer type, and the priorities with no active offer, from the counts
    the read model keeps (public_offer_count): a few dozen rows however many offers there are."""
    priorities = [
        (row.id, row.code, row.title)
        for row in await compiled_reads.rows(conn, PRIORITIES_OF_COVENANT, {"covenant": covenant_id})
    ]
    counts = await compiled_reads.rows(conn, OFFER_COUNTS, {"covenant": covenant_id})
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


_year = financial_year(report.c.period_start).label("year")
DELIVERY_BY_YEAR = (
    select(
        _year,
        commitment.c.priority_id,
        func.count().label("returns"),
        func.sum(report.c.places_offered).label("places_offered"),
        func.sum(report.c.starts).label("starts"),
        func.sum(report.c.sustained).label("sustained"),
    )
    .select_from(report.join(commitment, commitment.c.id == report.c.commitment_id))
    .where(commitment.c.covenant_id == bindparam("covenant"))
    .group_by(_year, commitment.c.priority_id)
    .order_by(_year)
)


async def delivery_by_year(conn: Executor, covenant_id: str) -> list[dict[str, Any]]:
    """Each financial year's returns, places, starts and sustained, with the starts and sustained under each
    priority: the parts the annual report publishes, which the public totals must be suppressed with."""
    years: dict[int, dict[str, Any]] = {}
    for row in await compiled_reads.rows(conn, DELIVERY_BY_YEAR, {"covenant": covenant_id}):
        figures = years.setdefault(int(row.year), {"returns": 0, "places_offered": 0, "starts": [], "sustained": []})
        figures["returns"] += row.returns
        figures["places_offered"] += int(row.places_offered)
        figures["starts"].append(int(row.starts))
        figures["sustained"].append(int(row.sustained))
    return [{"year": year_label(start), **figures} for start, figures in sorted(years.items())]


def _delivery_shown(row: dict[str, Any], *, exact: bool) -> dict[str, Any]:
    def total(parts: list[int]) -> int | str:
        return sum(parts) if exact else suppress_parts(parts)[1]

    return {**row, "starts": total(row["starts"]), "sustained": total(row["sustained"])}


def _full(counted: Counter[str], names: Any) -> dict[str, int]:
    # Every category appears, zeros included, so the shape of the answer never changes.
    return {name.value: counted.get(name.value, 0) for name in names}


async def covenant_statistics(conn: Executor, covenant_id: str) -> dict[str, Any]:
    """Exact figures, delivery's starts and sustained still in their parts (`statistics_for` adds them up, or
    suppresses them)."""
    return (
        await organisations_and_pledges(conn, covenant_id)
        | await offers(conn, covenant_id)
        | {"delivery_by_year": await delivery_by_year(conn, covenant_id)}
    )


async def statistics_for(conn: AsyncConnection, caller: Principal | None, reference: str) -> Scoped:
    """A public covenant's statistics: exact for its officers and the operator, suppressed for everyone else.

    They read the covenant's own rows (its pledges, priorities, offer counts and offers' returns) and its
    organisations', whose rows touch everything when they change (app/services/public_scopes.py), so they
    depend on the covenant alone."""
    row = await public_read.public_covenant_row(conn, reference)
    exact = sees_exact_figures(caller, row.authority_id)
    figures = await covenant_statistics(conn, row.id)
    shown = {
        **figures,
        "delivery_by_year": [_delivery_shown(year, exact=exact) for year in figures["delivery_by_year"]],
    }
    document = {"covenant": {"id": row.id, "slug": row.slug, "title": row.title}, "exact": exact, **shown}
    return Scoped(document, frozenset({public_scopes.covenant(row.id)}))
