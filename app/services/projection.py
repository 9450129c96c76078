"""Keeps the public read model (public_commitment) in step with the normalised tables.

Every change that can alter what the public sees of a commitment calls `refresh_public_commitments` with the
scope it touched (one commitment, a pledge, a signatory, a priority, a covenant), inside the same transaction:
the rows in scope are deleted and re-rendered from `commitment_document.public_commitments()`, which says
which commitments are public. A commitment that is no longer public simply is not re-inserted.

The same refresh keeps public_offer_count (offers per covenant, priority, offer type and status) in step: it
adds what was inserted and takes away what was deleted, so statistics never count the offers one by one.
"""

from collections import Counter
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Row, delete, func, insert, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import bulk_insert, note_public_write, upsert_insert
from app.ids import utcnow
from app.models import PublicCommitment, PublicCommitmentArea, PublicOfferCount, table_of
from app.serialization import dump_json
from app.services import changes, public_scopes
from app.services.areas import served_areas, split_areas
from app.services.commitment_document import commitment, public_commitments, public_document

public_commitment = table_of(PublicCommitment)
public_commitment_area = table_of(PublicCommitmentArea)
public_offer_count = table_of(PublicOfferCount)
COUNTED_BY = ("covenant_id", "priority_id", "offer_type", "status")

REBUILD_BATCH = 5_000


def search_text(title: str, description: str) -> str:
    # Lower-cased once here, so `q` matching is a plain LIKE and case rules are Python's on every database.
    return f"{title}\n{description}".lower()


def projection_row(row: Row[Any]) -> dict[str, Any]:
    return {
        "commitment_id": row.id,
        "covenant_id": row.covenant_id,
        "priority_id": row.priority_id,
        "pledge_id": row.pledge_id,
        "signatory_id": row.signatory_id,
        "offer_type": row.offer_type,
        "sector": row.signatory_sector,
        "status": row.status,
        "min_age": row.min_age,
        "max_age": row.max_age,
        "audience_mask": row.audience_mask,
        "search_text": search_text(row.title, row.description),
        "document": dump_json(public_document(row)).decode(),
    }


def changed_fields(stored: str, rendered: str) -> list[str]:
    """The top-level fields whose content differs between two renderings of an offer, [] when they say the same
    however they were spelled (a migration may have written one with other spacing)."""
    if stored == rendered:
        return []
    old, new = orjson.loads(stored), orjson.loads(rendered)
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))


def area_rows(row: Row[Any]) -> list[dict[str, Any]]:
    """The read model's index of where an offer serves (its rows go when its public row is deleted)."""
    return [{"commitment_id": row.id, "area_code": code} for code in served_areas(split_areas(row.areas))]


async def insert_public_rows(
    conn: AsyncConnection, rows: list[Row[Any]], before: dict[str, tuple[str, datetime]] | None = None
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The public rows of these commitments and their area index. `before` holds the documents and modification
    times the rows had: an offer rendered the same keeps its time. Returns the public rows, and for each row
    that was there before, the fields that changed."""
    now, previously = utcnow(), before or {}
    public_rows, changed = [], {}
    for row in rows:
        public = projection_row(row)
        previous = previously.get(public["commitment_id"])
        public["modified_at"] = now
        if previous is not None:
            changed[row.id] = changed_fields(previous[0], public["document"])
            if not changed[row.id]:
                public["modified_at"] = previous[1]
        public_rows.append(public)
    await bulk_insert(conn, public_commitment, public_rows)
    await bulk_insert(conn, public_commitment_area, [area for row in rows for area in area_rows(row)])
    return public_rows, changed


async def refresh_public_commitments(conn: AsyncConnection, scope: ColumnElement[bool]) -> None:
    """Re-render the public rows of the commitments matching `scope` (a condition on commitment columns)."""
    removed = (
        await conn.execute(
            delete(public_commitment)
            .where(public_commitment.c.commitment_id.in_(select(commitment.c.id).where(scope)))
            .returning(
                public_commitment.c.commitment_id,
                public_commitment.c.document,
                public_commitment.c.modified_at,
                public_commitment.c.signatory_id,
                *(public_commitment.c[name] for name in COUNTED_BY),
            )
        )
    ).all()
    change = Counter[tuple[str, ...]]()
    change.subtract(tuple(row[4:]) for row in removed)
    before = {row.commitment_id: (row.document, row.modified_at) for row in removed}
    found = list((await conn.execute(public_commitments().where(scope))).all())
    rows, changed = await insert_public_rows(conn, found, before)
    covenants_before = {row.commitment_id: row.covenant_id for row in removed}
    covenants_after = {row["commitment_id"]: row["covenant_id"] for row in rows}
    if covenants_before.keys() != covenants_after.keys() or any(changed.values()):
        # What the public sees changed (an offer came, went, or renders otherwise, if only its updated_at): the
        # rows rewritten the same as they were leave the data version, and remembered answers, alone.
        note_public_write(conn, {scope for row in [*removed, *rows] for scope in scopes_of(row)})
    await changes.record(conn, changes.offer_changes(covenants_before, covenants_after, changed))
    change.update(tuple(row[name] for name in COUNTED_BY) for row in rows)
    await adjust_offer_counts(conn, change)


def scopes_of(row: Any) -> list[str]:
    """Where an offer's public row is (app/services/public_scopes.py): every answer that reads the read model is
    narrowed to one of these, or depends on everything."""
    get = row.get if isinstance(row, dict) else row._mapping.get
    named = [
        (public_scopes.offer, get("commitment_id")),
        (public_scopes.covenant, get("covenant_id")),
        (public_scopes.signatory, get("signatory_id")),
        (public_scopes.priority, get("priority_id")),
    ]
    return [scope(value) for scope, value in named if value is not None]


async def adjust_offer_counts(conn: AsyncConnection, change: Counter[tuple[str, ...]]) -> None:
    """Add each (covenant, priority, offer type, status) key's change to its count, creating missing rows."""
    # Sorted, so two transactions touching the same counts lock them in the same order and cannot deadlock.
    rows = [dict(zip(COUNTED_BY, key, strict=True), offers=n) for key, n in sorted(change.items()) if n != 0]
    if not rows:
        return
    statement = upsert_insert(conn.dialect.name, public_offer_count).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(COUNTED_BY), set_={"offers": public_offer_count.c.offers + statement.excluded.offers}
    )
    await conn.execute(statement)


async def recount_offers(conn: AsyncConnection, covenant_ids: Any) -> None:
    """Count the public offers of these covenants afresh (after a bulk rebuild of the read model)."""
    await conn.execute(delete(public_offer_count).where(public_offer_count.c.covenant_id.in_(covenant_ids)))
    keys = [public_commitment.c[name] for name in COUNTED_BY]
    counted = select(*keys, func.count()).where(public_commitment.c.covenant_id.in_(covenant_ids)).group_by(*keys)
    await conn.execute(insert(public_offer_count).from_select([*COUNTED_BY, "offers"], counted))


async def rebuild_public_commitments(conn: AsyncConnection, scope: ColumnElement[bool] | None = None) -> int:
    """Rebuild the read model, all of it or a scope, in batches (after bulk loads, or to repair it), and recount
    the offers of the covenants in scope. An offer that renders as it did keeps its modification time.

    Returns the number of public rows written."""
    scope = scope if scope is not None else true()
    in_scope = public_commitment.c.commitment_id.in_(select(commitment.c.id).where(scope))
    total, after = 0, ""
    while True:
        statement = (
            public_commitments().where(scope, commitment.c.id > after).order_by(commitment.c.id).limit(REBUILD_BATCH)
        )
        rows = (await conn.execute(statement)).all()
        # The public rows of this batch's range go (with those of commitments no longer public); the last round,
        # with no rows, takes whatever is left past the last batch.
        window = [in_scope, public_commitment.c.commitment_id > after]
        if rows:
            window.append(public_commitment.c.commitment_id <= rows[-1].id)
        removed = await conn.execute(
            delete(public_commitment)
            .where(*window)
            .returning(public_commitment.c.commitment_id, public_commitment.c.document, public_commitment.c.modified_at)
        )
        before = {row.commitment_id: (row.document, row.modified_at) for row in removed.all()}
        if not rows:
            break
        await insert_public_rows(conn, list(rows), before)
        total, after = total + len(rows), rows[-1].id
    await recount_offers(conn, select(commitment.c.covenant_id).where(scope).distinct())
    note_public_write(conn)  # a repair or a bulk load: not worth telling whether anything differs
    return total


def for_commitment(commitment_id: str) -> ColumnElement[bool]:
    return commitment.c.id == commitment_id


def for_pledge(pledge_id: str) -> ColumnElement[bool]:
    return commitment.c.pledge_id == pledge_id


def for_signatory(signatory_id: str) -> ColumnElement[bool]:
    return commitment.c.signatory_id == signatory_id


def for_covenant(covenant_id: str) -> ColumnElement[bool]:
    return commitment.c.covenant_id == covenant_id


def for_priority(priority_id: str) -> ColumnElement[bool]:
    return commitment.c.priority_id == priority_id
