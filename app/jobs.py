"""The registry's periodic jobs as plain functions. The one-off commands (`covenant-registry lapse-overdue`,
`sweep-expired`) and the scheduler (app/scheduler.py) both run these, so a job behaves the same however it is
started. Each opens its own engine and disposes of it, so nothing stays connected between runs."""

from dataclasses import dataclass
from datetime import date

from app.config import Settings
from app.db import create_engine, create_sessionmaker

DEFAULT_GRACE_DAYS = 30
# A log line names at most this many lapsed pledges; the audit trail has every one.
NAMED_IN_LOG = 20


@dataclass(frozen=True)
class SweepCounts:
    idempotency_records: int
    rate_limit_buckets: int

    def describe(self) -> str:
        return (
            f"deleted {self.idempotency_records} expired idempotency records"
            f" and {self.rate_limit_buckets} spent rate-limit buckets"
        )


async def lapse_overdue(settings: Settings, *, grace_days: int, today: date) -> list[str]:
    """Lapse every published pledge more than `grace_days` past its review date; the ids of those lapsed."""
    # Here, so the command line's --help does not load the service layer.
    from app.services import public_writes, reviews

    engine = create_engine(settings)
    try:
        # The registry's rules place what lapsing touched, so workers forget only those covenants' answers.
        async with create_sessionmaker(engine, public_writes.RULES)() as session, session.begin():
            return await reviews.lapse_overdue(session, None, covenant_id=None, grace_days=grace_days, today=today)
    finally:
        await engine.dispose()


def describe_lapsed(lapsed: list[str], grace_days: int) -> str:
    summary = f"lapsed {len(lapsed)} pledges overdue for review by more than {grace_days} days"
    if not lapsed:
        return summary
    named = ", ".join(lapsed[:NAMED_IN_LOG])
    more = f" and {len(lapsed) - NAMED_IN_LOG} more" if len(lapsed) > NAMED_IN_LOG else ""
    return f"{summary}: {named}{more}"


async def remind_reviews_due(settings: Settings, *, today: date) -> list[str]:
    """Write a reminder to each organisation whose published pledge's review falls within 30 days and that has
    not been told of that date yet; the ids of the pledges. The worker sends them."""
    from app.services import notifications, public_writes

    engine = create_engine(settings)
    try:
        # Reminders are private: the rules keep them from emptying every worker's memory of public answers.
        async with create_sessionmaker(engine, public_writes.RULES)() as session, session.begin():
            return await notifications.remind_reviews_due(session, today=today)
    finally:
        await engine.dispose()


def describe_reminded(reminded: list[str]) -> str:
    return f"wrote {len(reminded)} review reminders for pledges due within 30 days"


async def sweep_expired(settings: Settings) -> SweepCounts:
    """Delete idempotency records past their retention and rate-limit buckets whose window is over."""
    from app.services import idempotency, rate_limits

    engine = create_engine(settings, pooled=False)
    try:
        async with engine.begin() as conn:
            records = await idempotency.sweep_expired(conn)
            buckets = await rate_limits.sweep_spent(conn)
    finally:
        await engine.dispose()
    return SweepCounts(idempotency_records=records, rate_limit_buckets=buckets)
