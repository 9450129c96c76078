"""The audit trail: who did what to which record, before and after, written in the change's own transaction.

Use cases say what they change, and the trail follows from it: `created` after adding a record, `async with
changing(...)` around a change (the state before is taken on entry, the state after once the block is flushed,
and the public read model is refreshed in the same transaction when the change can alter what the public sees),
`deleted` to remove one. No use case writes the before and after by hand.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.ids import new_id
from app.models import ApiKey, AuditEvent, Covenant, Signatory, table_of
from app.observability import request_id_var
from app.services import changes, projection
from app.services.access import Principal

# Never copied into an audit record, whatever the record type.
SECRET_FIELDS = frozenset({"secret_hash", "lookup", "secret"})


def snapshot(record: SQLModel | None) -> dict[str, Any] | None:
    """A JSON-ready copy of a record's columns, without key material."""
    if record is None:
        return None
    values = {}
    for column in table_of(type(record)).columns:
        if column.key in SECRET_FIELDS:
            continue
        value = getattr(record, column.key)
        values[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return values


@dataclass(frozen=True)
class Scope:
    """Whose officers may read an event, and what it concerns."""

    authority_id: str | None = None
    covenant_id: str | None = None
    signatory_id: str | None = None


def record(
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    subject: SQLModel,
    *,
    before: dict[str, Any] | None,
    scope: Scope = Scope(),
    keyless_actor: str = "anonymous",
) -> AuditEvent:
    """Add an audit event for `subject` (its state after the change) to the session's transaction.

    Without a principal the actor is `keyless_actor`: "anonymous" for self-registration, "system" for scheduled
    jobs such as lapsing overdue pledges."""
    table_name = table_of(type(subject)).name
    subject_id = str(getattr(subject, "id", None) or getattr(subject, "commitment_id", ""))
    if isinstance(subject, ApiKey):
        scope = Scope(authority_id=subject.authority_id, signatory_id=subject.signatory_id)
    event = AuditEvent(
        id=new_id("audit_event"),
        actor_kind=actor.kind.value if actor else keyless_actor,
        actor_key_id=actor.key_id if actor else None,
        action=action,
        record_type=table_name,
        record_id=subject_id,
        authority_id=scope.authority_id,
        covenant_id=scope.covenant_id,
        signatory_id=scope.signatory_id,
        before=before,
        after=snapshot(subject),
        request_id=request_id_var.get(),
    )
    session.add(event)
    return event


async def created(
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    subject: SQLModel,
    *,
    scope: Scope = Scope(),
    keyless_actor: str = "anonymous",
) -> None:
    """Audit a record just added to the session: flushed first, so the event holds its id and defaults."""
    await session.flush()
    record(session, actor, action, subject, before=None, scope=scope, keyless_actor=keyless_actor)
    await record_public_change(session, subject, None)  # a covenant created open is opened


async def created_all(
    session: AsyncSession, actor: Principal | None, action: str, subjects: list[SQLModel], *, scope: Scope = Scope()
) -> None:
    """Audit records just added together: one flush for all of them, then one event each (written by the next
    flush in one batch), so a request creating many records pays no round trip per record."""
    await session.flush()
    for subject in subjects:
        record(session, actor, action, subject, before=None, scope=scope)
        await record_public_change(session, subject, None)


@asynccontextmanager
async def changing(
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    subject: SQLModel,
    *,
    scope: Scope = Scope(),
    keyless_actor: str = "anonymous",
    note: str = "",
    public: ColumnElement[bool] | None = None,
) -> AsyncIterator[None]:
    """Audit the change the block makes to `subject` (with the actor's `note`, if any). With `public` (a scope of
    commitments, from app/services/projection.py), their public read model is re-rendered afterwards."""
    before = snapshot(subject)
    yield
    await session.flush()
    event = record(session, actor, action, subject, before=before, scope=scope, keyless_actor=keyless_actor)
    if note:
        event.after = {**(event.after or {}), "note": note}
    if public is not None:
        await projection.refresh_public_commitments(await session.connection(), public)
    await record_public_change(session, subject, (before or {}).get("status"))


async def record_public_change(session: AsyncSession, subject: SQLModel, status_before: str | None) -> None:
    """An organisation's or a covenant's status change, in the change feed if the public sees it."""
    if isinstance(subject, Signatory):
        change = changes.organisation_change(status_before, subject.status, subject.id)
    elif isinstance(subject, Covenant):
        change = changes.covenant_change(status_before, subject.status, subject.id)
    else:
        return
    await changes.record(await session.connection(), [change])


async def deleted(
    session: AsyncSession, actor: Principal | None, action: str, subject: SQLModel, *, scope: Scope = Scope()
) -> None:
    """Audit and delete a record: the event keeps what it was."""
    record(session, actor, action, subject, before=snapshot(subject), scope=scope).after = None
    await session.delete(subject)
