"""The registry's data version: one number, in the database, that grows with every committed write the public
can see.

Public responses carry it in their ETag. A client revalidating with If-None-Match therefore names the version
its copy was made at, and if nothing public has been written since, the copy is current: the worker can answer
304 without running the query (app/api/revalidation.py).

Correctness rests on two rules:
- every write transaction that changes something the public can see bumps the version before it commits (the
  session hook in app/db.py, judging the transaction's writes by app/services/public_writes.py; Core-only bulk
  writes call `bump` themselves), so public content never changes without the version changing. Writes the
  public never sees (drafts, submissions, private contacts, keys, audit, Idempotency-Key records, rate limits,
  notifications, webhook bookkeeping) leave it, and every worker's memory of public answers, alone;
- a response's ETag carries a version read *before* its query ran, so a tag never claims a newer version than
  the content it came with. A tag may claim an older one; that costs a needless full answer, never a wrong 304.

Each worker keeps the last version it read for at most `DATA_VERSION_TTL` seconds (default 1), so a change is
seen by every worker on every host within that time plus one request, with one tiny query per second each. The
worker that made a change sees it at once: its commit returns the new version, and it advances its own clock.
"""

import time

from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db import (
    BUMP_DATA_VERSION,
    KEPT_SCOPES,
    PUBLIC_CHANGES_PENDING,
    STAMP_PUBLIC_CHANGES,
    database_unavailable,
    record_scopes,
)
from app.models import DataVersion, DataVersionScope, table_of
from app.services.public_scopes import EVERYTHING, Scopes, decode

data_version = table_of(DataVersion)
data_version_scope = table_of(DataVersionScope)
READ = select(data_version.c.version).where(data_version.c.id == 1)
SCOPES_BETWEEN = select(data_version_scope.c.scopes).where(
    data_version_scope.c.version > bindparam("since"), data_version_scope.c.version <= bindparam("until")
)


async def bump(conn: AsyncConnection) -> int:
    """For Core-only writes, which the session hook in app/db.py does not see. Returns the new version, with
    which the transaction's changes for the change feed are stamped, as the hook does."""
    version: int = (await conn.execute(BUMP_DATA_VERSION)).scalar_one()
    conn.info.pop(PUBLIC_CHANGES_PENDING, None)  # stamped here, whether or not the mark was set
    await conn.execute(STAMP_PUBLIC_CHANGES, {"version": version})
    await record_scopes(conn, version, [EVERYTHING])  # a bulk write is not placed: every answer forgets
    return version


class VersionClock:
    """This worker's view of the data version: read from the database at most once per `ttl` seconds."""

    def __init__(self, engine: AsyncEngine, ttl: float) -> None:
        self.engine = engine
        self.ttl = ttl
        self.version = 0
        self.read_at = float("-inf")

    def advance(self, version: int) -> None:
        """This worker has just committed `version`: its own next read must not be answered from before it."""
        self.version = max(self.version, version)

    async def current(self) -> int | None:
        """The version, or None when it cannot be read because the schema is not there (not migrated yet): then
        nothing is revalidated by version and every ETag is a plain content hash. A database that cannot be
        reached raises: the request could not be served anyway, and it should not wait twice to find out."""
        now = time.monotonic()
        if now - self.read_at >= self.ttl:
            try:
                async with self.engine.connect() as conn:
                    found = (await conn.execute(READ)).scalar()
            except (SQLAlchemyError, OSError) as error:
                if database_unavailable(error):
                    raise  # the request cannot be served either: a 503 now, not a second wait in the route
                return None
            # Two reads can overlap and finish out of order; the version only grows, so keep the larger.
            self.version = max(self.version, found or 0)
            self.read_at = now
        return self.version

    async def touched_between(self, since: int, until: int) -> Scopes | None:
        """What the versions after `since` up to `until` touched, or None if not every one of them says (made
        outside the application, before scopes were kept, or pruned): then anything may have changed."""
        if until - since > KEPT_SCOPES:
            return None
        async with self.engine.connect() as conn:
            stored = (await conn.execute(SCOPES_BETWEEN, {"since": since, "until": until})).scalars().all()
        if len(stored) != until - since:
            return None
        touched = frozenset().union(*(decode(scopes) for scopes in stored))
        return None if EVERYTHING in touched else touched
