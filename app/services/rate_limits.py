"""Fixed-window rate limits kept in the database, so every worker and host counts the same hits."""

import math
from datetime import timedelta

from sqlalchemy import bindparam, case, delete
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import upsert_insert
from app.errors import RateLimited
from app.ids import utcnow
from app.models import RateLimitCounter, table_of

counter = table_of(RateLimitCounter)
# No bucket counts over a longer window, so one whose window started before this is spent and may go.
LONGEST_WINDOW = timedelta(days=1)
SWEEP_SPENT = delete(counter).where(counter.c.window_started_at < bindparam("before"))


async def hit(conn: AsyncConnection, bucket: str, *, limit: int, window: timedelta, what: str) -> None:
    """Count one hit on `bucket` (committed at once) and raise 429 once the window's limit is passed."""
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
    if hits > limit:
        started = started if started.tzinfo else started.replace(tzinfo=now.tzinfo)
        retry_after = max(1, math.ceil((started + window - now).total_seconds()))
        raise RateLimited(f"Too many {what} from your address: at most {limit} an hour. Try again later.", retry_after)


async def sweep_spent(conn: AsyncConnection) -> int:
    """Delete buckets whose window is over by now whatever its length; returns how many went."""
    result = await conn.execute(SWEEP_SPENT, {"before": utcnow() - LONGEST_WINDOW})
    return result.rowcount
