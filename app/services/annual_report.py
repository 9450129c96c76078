"""The annual report of a covenant for one UK financial year (1 April to 31 March): the figures a council puts
before cabinet, from the registry's records, each figure one SQL aggregate.

"During the year" has one meaning throughout: an offer counts if its pledge had been published by the year's
end and neither the pledge nor the offer was withdrawn before the year began; delivery counts the returns
whose period starts in the year; new signatories are organisations whose first pledge in the covenant was
published in the year.
"""

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import and_, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.errors import NotFound
from app.ids import utcnow
from app.models import Commitment, Covenant, Pledge, Priority, ProgressReport, Signatory, table_of
from app.services import public_read, recognition, report_links, strategies, voice
from app.services.access import Principal, sees_exact_figures
from app.services.statistics import suppress_parts, year_label

pledge = table_of(Pledge)
commitment = table_of(Commitment)
priority = table_of(Priority)
report = table_of(ProgressReport)
signatory = table_of(Signatory)
covenant = table_of(Covenant)

MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]


class Year:
    def __init__(self, start_year: int) -> None:
        self.start_year = start_year
        self.first_day = date(start_year, 4, 1)
        self.last_day = date(start_year + 1, 3, 31)
        self.starts = datetime.combine(self.first_day, time.min, UTC)
        self.ends = datetime.combine(self.last_day, time.max, UTC)

    @property
    def label(self) -> str:
        return year_label(self.start_year)


def offered_during(year: Year) -> Any:
    """An offer that was on the register at some point in the year."""
    return and_(
        pledge.c.published_at <= year.ends,
        commitment.c.created_at <= year.ends,
        or_(pledge.c.withdrawn_at.is_(None), pledge.c.withdrawn_at >= year.starts),
        or_(commitment.c.withdrawn_at.is_(None), commitment.c.withdrawn_at >= year.starts),
    )


def _offers() -> Any:
    return commitment.join(pledge, pledge.c.id == commitment.c.pledge_id)


async def _priorities(conn: AsyncConnection, covenant_id: str) -> list[Any]:
    statement = (
        select(priority.c.id, priority.c.code, priority.c.title)
        .where(priority.c.covenant_id == covenant_id)
        .order_by(priority.c.position, priority.c.code)
    )
    return list((await conn.execute(statement)).all())


async def offers_by_priority(conn: AsyncConnection, covenant_id: str, year: Year) -> dict[str, int]:
    statement = (
        select(commitment.c.priority_id, func.count())
        .select_from(_offers())
        .where(commitment.c.covenant_id == covenant_id, offered_during(year))
        .group_by(commitment.c.priority_id)
    )
    return dict((await conn.execute(statement)).all())


async def delivery_by_priority(conn: AsyncConnection, covenant_id: str, year: Year) -> dict[str, tuple[int, int, int]]:
    statement = (
        select(
            commitment.c.priority_id,
            func.sum(report.c.places_offered),
            func.sum(report.c.starts),
            func.sum(report.c.sustained),
        )
        .select_from(report.join(commitment, commitment.c.id == report.c.commitment_id))
        .where(
            commitment.c.covenant_id == covenant_id,
            report.c.period_start >= year.first_day,
            report.c.period_start <= year.last_day,
        )
        .group_by(commitment.c.priority_id)
    )
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in (await conn.execute(statement)).all()}


async def new_signatories_by_month(conn: AsyncConnection, covenant_id: str, year: Year) -> list[int]:
    first_published = (
        select(pledge.c.signatory_id, func.min(pledge.c.published_at).label("first"))
        .where(pledge.c.covenant_id == covenant_id, pledge.c.published_at.is_not(None))
        .group_by(pledge.c.signatory_id)
        .subquery()
    )
    month = extract("month", first_published.c.first)
    statement = (
        select(month, func.count())
        .where(first_published.c.first >= year.starts, first_published.c.first <= year.ends)
        .group_by(month)
    )
    counted = {int(month_number): count for month_number, count in (await conn.execute(statement)).all()}
    return [counted.get((index + 3) % 12 + 1, 0) for index in range(12)]


async def changes_by_priority(
    conn: AsyncConnection, covenant_id: str, year: Year, *, exact: bool
) -> dict[str, dict[str, list]]:
    """What happened under each priority in the year: offers that went public, offers withdrawn or ended,
    and what organisations told us they delivered: their own words for officers, and for the public only the
    version an officer approved."""
    # An offer went public when both it existed and its pledge was published: the later of the two dates.
    added = (
        select(commitment.c.priority_id, commitment.c.title, signatory.c.name)
        .select_from(_offers().join(signatory, signatory.c.id == commitment.c.signatory_id))
        .where(
            commitment.c.covenant_id == covenant_id,
            pledge.c.published_at <= year.ends,
            commitment.c.created_at <= year.ends,
            or_(pledge.c.published_at >= year.starts, commitment.c.created_at >= year.starts),
        )
        .order_by(commitment.c.id)
    )

    # Offers withdrawn on their own, or with their whole pledge, during the year.
    def withdrawn_in_year(column: Any) -> Any:
        return and_(column >= year.starts, column <= year.ends)

    withdrawn = (
        select(commitment.c.priority_id, commitment.c.title, signatory.c.name)
        .select_from(_offers().join(signatory, signatory.c.id == commitment.c.signatory_id))
        .where(
            commitment.c.covenant_id == covenant_id,
            or_(withdrawn_in_year(commitment.c.withdrawn_at), withdrawn_in_year(pledge.c.withdrawn_at)),
        )
        .order_by(commitment.c.id)
    )
    words = report.c.narrative if exact else report.c.public_narrative
    narratives = (
        select(commitment.c.priority_id, commitment.c.title, words)
        .select_from(report.join(commitment, commitment.c.id == report.c.commitment_id))
        .where(
            commitment.c.covenant_id == covenant_id,
            report.c.period_start >= year.first_day,
            report.c.period_start <= year.last_day,
            words.is_not(None),
            words != "",
        )
        .order_by(report.c.id)
    )
    changes: dict[str, dict[str, list]] = {}
    for key, statement in (("added", added), ("withdrawn", withdrawn), ("delivered", narratives)):
        for priority_id, title, detail in (await conn.execute(statement)).all():
            changes.setdefault(priority_id, {"added": [], "withdrawn": [], "delivered": []})[key].append(
                {"offer": title, "detail": detail}
            )
    return changes


def young_people_counts(parts: list[int], *, exact: bool) -> tuple[list[int | str], int | str]:
    """Counts of young people under each priority and their total: exact, or suppressed as statistics are."""
    return (list(parts), sum(parts)) if exact else suppress_parts(parts)


async def annual_report(conn: AsyncConnection, covenant_row: Any, start_year: int, *, exact: bool) -> dict[str, Any]:
    year = Year(start_year)
    priorities = await _priorities(conn, covenant_row.id)
    offers = await offers_by_priority(conn, covenant_row.id, year)
    delivery = await delivery_by_priority(conn, covenant_row.id, year)
    changes = await changes_by_priority(conn, covenant_row.id, year, exact=exact)
    monthly = await new_signatories_by_month(conn, covenant_row.id, year)
    delivered = [delivery.get(id_, (0, 0, 0)) for id_, _, _ in priorities]
    starts, total_starts = young_people_counts([row[1] for row in delivered], exact=exact)
    sustained, total_sustained = young_people_counts([row[2] for row in delivered], exact=exact)
    by_priority: list[dict[str, Any]] = [
        {
            "priority": {"id": id_, "code": code, "title": title},
            "offers": offers.get(id_, 0),
            "places_offered": places,
            "starts": starts[index],
            "sustained": sustained[index],
            "changes": changes.get(id_, {"added": [], "withdrawn": [], "delivered": []}),
        }
        for index, ((id_, code, title), (places, _, _)) in enumerate(zip(priorities, delivered, strict=True))
    ]
    return {
        "covenant": {"id": covenant_row.id, "slug": covenant_row.slug, "title": covenant_row.title},
        "authority": {"id": covenant_row.authority_id, "name": covenant_row.authority_name},
        "year": year.label,
        "period_start": year.first_day,
        "period_end": year.last_day,
        "generated_at": utcnow(),
        "exact": exact,
        "summary": {
            "offers": sum(offers.values()),
            "new_signatories": sum(monthly),
            "places_offered": sum(row[0] for row in delivered),
            "starts": total_starts,
            "sustained": total_sustained,
        },
        "priorities": by_priority,
        "new_signatories_by_month": [
            {"month": name, "signatories": n} for name, n in zip(MONTHS, monthly, strict=True)
        ],
        "gaps": [row["priority"] for row in by_priority if offers.get(row["priority"]["id"], 0) == 0],
        "strategy": await strategies.strategy_in_report(conn, covenant_row, start_year, utcnow().date(), exact=exact),
        "you_said_we_did": await voice.approved(conn, covenant_row.id, since=year.first_day, until=year.last_day),
        # Recognition as it stood at the year's end (or today, for the year under way).
        "celebrated": await recognition.celebrated(conn, covenant_row.id, min(utcnow().date(), year.last_day)),
    }


async def annual_report_for(
    conn: AsyncConnection, caller: Principal | None, reference: str, start_year: int, today: date
) -> dict[str, Any]:
    """A public covenant's report for a year that has begun: exact for its officers and the operator,
    suppressed for everyone else."""
    row = await public_read.public_covenant_row(conn, reference)
    require_started(start_year, today)
    return await annual_report(conn, row, start_year, exact=sees_exact_figures(caller, row.authority_id))


def require_started(start_year: int, today: date) -> None:
    if date(start_year, 4, 1) > today:
        # A well-formed year with no report yet: nothing is there, as for any record not yet created.
        raise NotFound(
            f"There is no report for {start_year}/{(start_year + 1) % 100:02d}: that year has not started yet."
        )


async def annual_report_by_link(
    conn: AsyncConnection, engine: AsyncEngine, token: str, reference: str, start_year: int, format: str, today: date
) -> dict[str, Any]:
    """The exact report a signed link names (an officer's, opened in a browser with no key), once."""
    row = await public_read.public_covenant_row(conn, reference)
    require_started(start_year, today)
    await report_links.redeem(engine, token, row.id, start_year, format)
    return await annual_report(conn, row, start_year, exact=True)
