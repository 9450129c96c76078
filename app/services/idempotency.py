"""Idempotency-Key for POSTs (IETF httpapi draft), kept in the database so every worker and host agrees.

The key is claimed by inserting its record in the POST's own transaction, before the change is made, and the
response is written into that record before commit. A retry with the same key therefore meets one of three
things: a committed record (replay its response, or 422 if the request differs), a first attempt still in
flight (the database makes the retry wait for it; past `DB_LOCK_TIMEOUT_MS` it gets 409), or nothing (the first
attempt failed and rolled back, so the retry simply runs).

A record is kept for `RETENTION`. Past it, the same key claims the record afresh, so nothing on the request's
path has to delete old records: `covenant-registry sweep-expired` (run hourly or daily) removes them.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.db import upsert_insert
from app.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from app.ids import utcnow
from app.models import IdempotencyRecord, table_of

RETENTION = timedelta(hours=24)
record_table = table_of(IdempotencyRecord)


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes


CLAIMED_COLUMNS = ("fingerprint", "status_code", "response_headers", "response_body", "created_at", "expires_at")


def _claim_statement(dialect_name: str) -> Any:
    """Insert the key's record; over an expired record of the same key, take its place; else leave it be.
    (On PostgreSQL the existing record is locked either way, so concurrent replays of one key take turns.)"""
    insert = upsert_insert(dialect_name, record_table)
    claimed = {name: insert.excluded[name] for name in CLAIMED_COLUMNS}
    return insert.on_conflict_do_update(
        index_elements=["principal", "key"],
        set_=claimed,
        where=record_table.c.expires_at < insert.excluded.created_at,
    )


# Built once: every POST with a key runs these (see app/services/commitments.py on bound-parameter statements).
# Their VALUES and SET clauses come from the keys of the parameters they are executed with.
CLAIM = {name: _claim_statement(name) for name in ("postgresql", "sqlite")}
STORE = record_table.update().where(
    record_table.c.principal == bindparam("claimed_by"), record_table.c.key == bindparam("claimed_key")
)
SWEEP_EXPIRED = delete(record_table).where(record_table.c.expires_at < bindparam("now"))


async def sweep_expired(conn: AsyncConnection) -> int:
    """Delete every record past its retention (any caller's); returns how many went."""
    result = await conn.execute(SWEEP_EXPIRED, {"now": utcnow()})
    return result.rowcount


async def claim(session: AsyncSession, principal: str, key: str, request_fingerprint: str) -> StoredResponse | None:
    """Claim `key` for this request (None), or return the response of the request that claimed it first."""
    dialect = session.get_bind().dialect.name
    now = utcnow()
    claimed = {
        "principal": principal,
        "key": key,
        "fingerprint": request_fingerprint,
        "status_code": 0,
        "response_headers": {},
        "response_body": "",
        "created_at": now,
        "expires_at": now + RETENTION,
    }
    try:
        result = await session.execute(CLAIM[dialect], claimed)
    except (OperationalError, DBAPIError) as error:
        if "lock" in str(error.orig).lower():
            raise IdempotencyKeyInUse(
                "A request with this Idempotency-Key is still being processed; retry in a few seconds."
            ) from None
        raise
    if cast(CursorResult[Any], result).rowcount == 1:
        return None
    existing = await session.get(IdempotencyRecord, (principal, key), populate_existing=True)
    assert existing is not None, "a conflicting record must exist once its transaction committed"
    if existing.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request; use a new key for a new request."
        )
    return StoredResponse(existing.status_code, dict(existing.response_headers), existing.response_body.encode())


async def store(session: AsyncSession, principal: str, key: str, response: StoredResponse) -> None:
    """Write the response into the claimed record, in the same transaction as the change."""
    await session.execute(
        STORE,
        {
            "claimed_by": principal,
            "claimed_key": key,
            "status_code": response.status_code,
            "response_headers": response.headers,
            "response_body": response.body.decode(),
        },
    )
