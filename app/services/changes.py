"""The public change feed: what the public can see that changed, in commit order, for partners that mirror the
registry. Changes are recorded in the transaction that makes them (table public_change, an outbox) and stamped
with the data version at commit (app/db.py), which orders them as the commits were ordered.

What is recorded: offers published, changed (which public fields), paused or full again or active again
(`offer.status_changed`), withdrawn from public view (withdrawn, ended, lapsed, their organisation suspended);
organisations verified, suspended or withdrawn; covenants opened or closed. Nothing that is not public: a draft,
a pending organisation or a private contact never appears.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import note_public_changes
from app.enums import CovenantStatus, SignatoryStatus
from app.errors import ValidationFailed
from app.ids import new_id, utcnow
from app.models import PublicChange, table_of
from app.services.pagination import Keyset, Page

public_change = table_of(PublicChange)
CHANGES_KEYSET = Keyset((public_change.c.version, public_change.c.seq))
CHANGES = select(
    public_change.c.version,
    public_change.c.seq,
    public_change.c.id,
    public_change.c.type,
    public_change.c.record_type,
    public_change.c.record_id,
    public_change.c.changes,
    public_change.c.occurred_at,
).where(public_change.c.version.is_not(None))

VERIFIED, SUSPENDED, WITHDRAWN = SignatoryStatus.VERIFIED, SignatoryStatus.SUSPENDED, SignatoryStatus.WITHDRAWN
# Documents' fields that change with every rendering of the same content: not a change a partner needs.
UNREMARKABLE = frozenset({"updated_at"})


def change_row(
    change_type: str,
    record_type: str,
    record_id: str,
    changed: list[str] | None = None,
    *,
    covenant_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id("public_change"),
        "type": change_type,
        "record_type": record_type,
        "record_id": record_id,
        "covenant_id": covenant_id,
        "changes": changed or [],
        "occurred_at": utcnow(),
    }


def offer_changes(before: dict[str, str], after: dict[str, str], changed: dict[str, list[str]]) -> list[dict[str, Any]]:
    """What the public saw change among these offers: their ids (with their covenants') before and after, and
    for those public both times, the fields of their documents that changed."""
    rows = []
    for commitment_id in sorted(before.keys() | after.keys()):
        covenant_id = after.get(commitment_id) or before[commitment_id]
        if commitment_id not in before:
            rows.append(change_row("offer.published", "commitment", commitment_id, covenant_id=covenant_id))
        elif commitment_id not in after:
            rows.append(change_row("offer.withdrawn", "commitment", commitment_id, covenant_id=covenant_id))
        elif set(fields := changed.get(commitment_id, [])) - UNREMARKABLE:
            kind = "offer.status_changed" if "status" in fields else "offer.changed"
            rows.append(change_row(kind, "commitment", commitment_id, fields, covenant_id=covenant_id))
    return rows


def organisation_change(before: str | None, after: str, signatory_id: str) -> dict[str, Any] | None:
    """An organisation's status change, if the public sees it: verified (it appears), or suspended or withdrawn
    after being verified (it disappears). Both of the last are `organisation.withdrawn`: public reads do not say
    which (a 404 either way), and the feed must not tell who a council has suspended."""
    if before == after:
        return None
    if after == VERIFIED:
        return change_row("organisation.verified", "signatory", signatory_id)
    if before == VERIFIED and after in (SUSPENDED, WITHDRAWN):
        return change_row("organisation.withdrawn", "signatory", signatory_id)
    return None


def covenant_change(before: str | None, after: str, covenant_id: str) -> dict[str, Any] | None:
    if before == after:
        return None
    if after == CovenantStatus.OPEN:
        return change_row("covenant.opened", "covenant", covenant_id, covenant_id=covenant_id)
    if after == CovenantStatus.CLOSED:
        return change_row("covenant.closed", "covenant", covenant_id, covenant_id=covenant_id)
    return None


async def record(conn: AsyncConnection, rows: Sequence[dict[str, Any] | None]) -> None:
    """Add changes to the current transaction's outbox (stamped with its data version when it commits)."""
    wanted = [row for row in rows if row is not None]
    if wanted:
        await conn.execute(insert(public_change), wanted)
        note_public_changes(conn)


def change_document(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "record": {"type": row.record_type, "id": row.record_id},
        "changes": row.changes,
        "occurred_at": row.occurred_at,
    }


async def list_changes(conn: AsyncConnection, after: str | None, limit: int) -> Page:
    """The changes after the cursor `after` (all of them from the start without one), oldest first. The next
    cursor is always given, so a partner stores it and polls with it for what comes next."""
    try:
        statement = CHANGES_KEYSET.apply(CHANGES, after, limit)
    except ValidationFailed:
        raise ValidationFailed(
            "after is not a cursor this feed gave: pass a next_cursor it returned", pointer="/after", location="query"
        ) from None
    rows = (await conn.execute(statement)).all()[:limit]
    if rows:
        return Page([change_document(row) for row in rows], CHANGES_KEYSET.encode([rows[-1].version, rows[-1].seq]))
    return Page([], after or CHANGES_KEYSET.encode([0, 0]))
