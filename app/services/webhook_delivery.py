"""Delivering public changes to webhook endpoints, outside any request, at least once each.

A round (`run_once`) queues new changes for each active endpoint (from the change feed, after the endpoint's
own cursor), then claims the deliveries that are due and sends them. A claim is made in a transaction that
locks the rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers on several hosts share the work and
never take the same attempt) and moves `next_attempt_at` on by the backoff before anything is sent: a worker
that dies mid-send leaves the delivery to be tried again when that time comes. Every attempt of one change
carries the same `webhook-id`, so a receiver de-duplicates. Each is signed as the Standard Webhooks
specification describes: HMAC-SHA256 of `{id}.{timestamp}.{body}` with the endpoint's secret.

A delivery that keeps failing for a day is abandoned and its endpoint disabled, with the reason recorded and
logged. SQLite has one writer, so there one worker runs inside the web process (app/main.py).
"""

import asyncio
import base64
import hashlib
import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.db import PRIVATE_ONLY
from app.ids import assume_utc, new_id, utcnow
from app.models import Covenant, PublicChange, WebhookDelivery, WebhookEndpoint
from app.serialization import dump_json
from app.services import notifications
from app.services.changes import change_document
from app.services.retries import GIVE_UP_AFTER, wait_after
from app.services.webhooks import refused_address, secret_key

log = logging.getLogger(__name__)

# A claim's lease is the first wait (30 s): the batch is sent and recorded well within it, each attempt being
# cut off after ATTEMPT_DEADLINE whatever the endpoint does, so no other worker can take an attempt in flight.
QUEUE_BATCH, CLAIM_BATCH = 500, 5
ATTEMPT_DEADLINE = 5.0
TIMEOUT = httpx.Timeout(ATTEMPT_DEADLINE)


@dataclass
class Round:
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    abandoned: int = 0


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload(change: Any) -> bytes:
    document = change_document(change)
    return dump_json({"type": change.type, "timestamp": change.occurred_at, "data": document})


def private_session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncSession:
    """A session for the worker's own bookkeeping, which the public never sees: its commits leave the data
    version alone, so deliveries do not empty every worker's memory of public answers (app/db.py)."""
    session = sessionmaker()
    session.info[PRIVATE_ONLY] = True
    return session


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    *,
    allow_private: bool,
    now: datetime | None = None,
) -> Round:
    """One round: queue what is new, then send what is due (as of `now`, the clock's time unless given)."""
    moment = now or utcnow()
    done = Round(queued=await queue_new_changes(sessionmaker, moment))
    for delivery_id, attempts in await claim_due(sessionmaker, moment):
        await attempt(sessionmaker, http, delivery_id, attempts, moment, done, allow_private=allow_private)
    return done


async def queue_new_changes(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """A delivery for each new change each active endpoint asked for; each endpoint's cursor moves past them."""
    queued = 0
    async with private_session(sessionmaker) as session, session.begin():
        endpoints = (
            await session.execute(
                select(WebhookEndpoint)
                .where(col(WebhookEndpoint.status) == "active")
                .order_by(col(WebhookEndpoint.id))
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        for endpoint in endpoints:
            queued += await _queue_for(session, endpoint, now)
    return queued


async def _queue_for(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> int:
    statement = (
        select(PublicChange)
        .where(col(PublicChange.version).is_not(None))
        .where(_after(endpoint.after_version, endpoint.after_seq))
        .order_by(col(PublicChange.version), col(PublicChange.seq))
        .limit(QUEUE_BATCH)
    )
    found: Sequence[PublicChange] = (await session.execute(statement)).scalars().all()
    if not found:
        return 0
    covenants = await _covenants_of(session, endpoint)
    wanted = [change for change in found if _wants(endpoint, change, covenants)]
    session.add_all(
        WebhookDelivery(
            id=new_id("webhook_delivery"), endpoint_id=endpoint.id, change_id=change.id, next_attempt_at=now
        )
        for change in wanted
    )
    endpoint.after_version, endpoint.after_seq = found[-1].version or 0, found[-1].seq or 0
    return len(wanted)


def _after(version: int, seq: int) -> Any:
    return tuple_(col(PublicChange.version), col(PublicChange.seq)) > tuple_(version, seq)


async def _covenants_of(session: AsyncSession, endpoint: WebhookEndpoint) -> set[str] | None:
    """The covenants a council's endpoint hears of (None: the operator's hears of everything)."""
    if endpoint.authority_id is None:
        return None
    rows = await session.execute(select(col(Covenant.id)).where(col(Covenant.authority_id) == endpoint.authority_id))
    return set(rows.scalars())


def _wants(endpoint: WebhookEndpoint, change: PublicChange, covenants: set[str] | None) -> bool:
    if change.type not in endpoint.event_types:
        return False
    return covenants is None or change.covenant_id in covenants


async def claim_due(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> list[tuple[str, int]]:
    """Take the due deliveries no other worker holds, and put their next attempt off by the backoff before any is
    sent: the lease that keeps another worker from sending the same attempt."""
    async with private_session(sessionmaker) as session, session.begin():
        active = select(col(WebhookEndpoint.id)).where(col(WebhookEndpoint.status) == "active")
        due = (
            await session.execute(
                select(WebhookDelivery)
                .where(col(WebhookDelivery.status) == "pending", col(WebhookDelivery.next_attempt_at) <= now)
                .where(col(WebhookDelivery.endpoint_id).in_(active))
                .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        claimed = []
        for delivery in due:
            delivery.attempts += 1
            delivery.next_attempt_at = now + wait_after(delivery.attempts)
            claimed.append((delivery.id, delivery.attempts))
    return claimed


async def attempt(
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    delivery_id: str,
    attempts: int,
    now: datetime,
    done: Round,
    *,
    allow_private: bool,
) -> None:
    async with private_session(sessionmaker) as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
        found = (
            await session.execute(select(PublicChange).where(col(PublicChange.id) == delivery.change_id))
            if delivery
            else None
        )
        change = found.scalar_one() if found else None
    if delivery is None or endpoint is None or change is None:
        return  # the endpoint was removed meanwhile, and its deliveries with it
    status, error = await send(http, endpoint, change, allow_private=allow_private)
    async with private_session(sessionmaker) as session, session.begin():
        delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.attempts != attempts or delivery.status != "pending":
            return  # removed, or taken again after the lease ran out: that attempt's outcome is the one to keep
        delivery.last_status_code, delivery.last_error = status, error
        if error is None:
            delivery.status, delivery.delivered_at = "delivered", utcnow()
            done.delivered += 1
        elif now - assume_utc(delivery.created_at) >= GIVE_UP_AFTER:
            delivery.status = "abandoned"
            done.abandoned += 1
            await _disable(session, delivery.endpoint_id, error)
        else:
            done.failed += 1


async def _disable(session: AsyncSession, endpoint_id: str, error: str) -> None:
    """Stop sending to an endpoint that failed for a day: it and its other pending deliveries are given up."""
    reason = f"Deliveries failed for a day; the last: {error}"[:500]
    endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
    if endpoint is None or endpoint.status != "active":
        return  # removed, or already disabled by another worker's abandoned delivery
    endpoint.status, endpoint.disabled_reason = "disabled", reason
    await session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.endpoint_id) == endpoint_id, col(WebhookDelivery.status) == "pending")
        .values(status="abandoned")
    )
    log.warning("webhook %s disabled: %s", endpoint_id, reason)
    await notifications.webhook_disabled(
        session, authority_id=endpoint.authority_id, endpoint_id=endpoint_id, url=endpoint.url, reason=reason
    )


async def send(
    http: httpx.AsyncClient, endpoint: WebhookEndpoint, change: PublicChange, *, allow_private: bool
) -> tuple[int | None, str | None]:
    """POST the change; (status, None) on a 2xx, else what went wrong. The address is checked again here, so a
    name that resolved to a public address at registration cannot be pointed inward later."""
    host = urlsplit(endpoint.url).hostname or ""
    refused = await asyncio.to_thread(refused_address, host, allow_private=allow_private)
    if refused:
        return None, refused
    body = payload(change)
    timestamp = int(utcnow().timestamp())
    headers = {
        "content-type": "application/json",
        "webhook-id": change.id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(endpoint.secret, change.id, timestamp, body),
        "user-agent": "covenant-registry-webhooks",
    }
    try:
        async with asyncio.timeout(ATTEMPT_DEADLINE):
            # Streamed and never read: only the status matters, and an endless reply must not fill memory.
            async with http.stream("POST", endpoint.url, content=body, headers=headers, timeout=TIMEOUT) as response:
                code = response.status_code
    except TimeoutError:
        return None, f"no answer within {ATTEMPT_DEADLINE:g} s"
    except httpx.HTTPError as failure:
        return None, f"{type(failure).__name__}: {failure}"[:500]
    if 200 <= code < 300:
        return code, None
    return code, f"answered {code}"
