"""Fixed-window rate limits kept in the database, so every worker and host counts the same hits."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import upsert_insert
from app.errors import RateLimited
from app.ids import assume_utc, utcnow
from app.models import RateLimitCounter, table_of

counter = table_of(RateLimitCounter)
# No bucket counts over a longer window, so one whose window started before this is spent and may go.
LONGEST_WINDOW = timedelta(days=1)
SWEEP_SPENT = delete(counter).where(counter.c.window_started_at < bindparam("before"))


@dataclass(frozen=True)
class Allowance:
    """Where a bucket stands after a hit: its limit, what is left of it, and seconds until its window ends."""

    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        """As the IETF draft's RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset fields say it."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


async def hit(conn: AsyncConnection, bucket: str, *, limit: int, window: timedelta, what: str) -> Allowance:
    """Count one hit on `bucket` (committed at once); raise 429 once the window's limit is passed."""
    assert window <= LONGEST_WINDOW, "sweep_spent would forget hits of a window this long"
    now = utcnow()
    window_start = now - window
    insert = upsert_insert(conn.dialect.name, counter)
    expired = counter.c.window_started_at <= window_start
    statement = (
        insert.values(bucket=bucket, window_started_at=now, hits=1)
        .on_conflict_do_update(
            index_elements=["bucket"],
            set_={
                "hits": case((expired, 1), else_=counter.c.hits + 1),
                "window_started_at": case((expired, now), else_=counter.c.window_started_at),
            },
        )
        .returning(counter.c.hits, counter.c.window_started_at)
    )
    hits, started = (await conn.execute(statement)).one()
    await conn.commit()
    allowance = _allowance(limit, hits, started, window, now)
    if hits > limit:
        detail = f"Too many {what} from your address: at most {limit} an hour. Try again later."
        raise RateLimited(detail, allowance.reset_seconds, headers=allowance.headers())
    return allowance


async def refund(conn: AsyncConnection, bucket: str, *, limit: int, window: timedelta) -> Allowance:
    """Give back one hit on `bucket` (committed at once): for an attempt that turned out to create nothing."""
    now = utcnow()
    statement = (
        update(counter)
        .where(counter.c.bucket == bucket, counter.c.hits > 0)
        .values(hits=counter.c.hits - 1)
        .returning(counter.c.hits, counter.c.window_started_at)
    )
    found = (await conn.execute(statement)).first()
    await conn.commit()
    if found is None:
        return Allowance(limit, limit, math.ceil(window.total_seconds()))
    return _allowance(limit, found.hits, found.window_started_at, window, now)


def _allowance(limit: int, hits: int, started: datetime, window: timedelta, now: datetime) -> Allowance:
    reset = max(1, math.ceil((assume_utc(started) + window - now).total_seconds()))
    return Allowance(limit, max(0, limit - hits), reset)


async def sweep_spent(conn: AsyncConnection) -> int:
    """Delete buckets whose window is over by now whatever its length; returns how many went."""
    result = await conn.execute(SWEEP_SPENT, {"before": utcnow() - LONGEST_WINDOW})
    return result.rowcount
