"""Webhook endpoints: the operator's (every public change) and a council's officers' (changes to their
covenants' offers and the covenants themselves). Registering one shows its signing secret once; deliveries are
made by app/services/webhook_delivery.py, outside any request."""

import asyncio
import base64
import ipaddress
import secrets
import socket
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.errors import Forbidden, NotFound, ValidationFailed
from app.ids import new_id
from app.models import PublicChange, WebhookDelivery, WebhookEndpoint
from app.schemas.webhooks import WebhookCreate
from app.services import audit
from app.services.access import Principal

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def refused_address(host: str, *, allow_private: bool) -> str | None:
    """Why a webhook may not be sent to `host` (every address it resolves to is checked), or None."""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return f"{host} does not resolve"
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        # Not globally routable: private, loopback, link-local, shared (100.64/10, where some clouds keep their
        # metadata service), reserved.
        if (not address.is_global and not allow_private) or address.is_multicast or address.is_unspecified:
            return f"{host} resolves to {address}, which webhooks may not reach"
    return None


def checked_url(url: str, *, allow_private: bool) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    local = allow_private and (host in ("localhost",) or _is_ip(host))
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ValidationFailed("A webhook URL must be https.", pointer="/url")
    if parts.username or parts.password:
        raise ValidationFailed(
            "A webhook URL must not carry credentials: sign with the secret instead.", pointer="/url"
        )
    why = refused_address(host, allow_private=allow_private)
    if why:
        raise ValidationFailed(why, pointer="/url")
    return url


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def endpoint_document(endpoint: WebhookEndpoint, *, secret: str | None = None) -> dict[str, Any]:
    document = {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "owner": {"kind": endpoint.owner_kind, "authority_id": endpoint.authority_id},
        "status": endpoint.status,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
    }
    return document | ({"secret": secret} if secret else {})


async def create(
    session: AsyncSession, principal: Principal, body: WebhookCreate, *, allow_private: bool
) -> dict[str, Any]:
    secret = body.secret or new_secret()
    endpoint = WebhookEndpoint(
        id=new_id("webhook_endpoint"),
        # Resolving the host can take a moment: off the event loop.
        url=await asyncio.to_thread(checked_url, str(body.url), allow_private=allow_private),
        description=body.description,
        event_types=sorted(set(body.event_types)),
        secret=secret,
        owner_kind="operator" if principal.is_operator else "authority",
        authority_id=None if principal.is_operator else principal.authority_id,
    )
    # From now on: an endpoint hears of the changes after its registration, not of the registry's history.
    latest = (
        await session.execute(
            select(col(PublicChange.version), col(PublicChange.seq))
            .where(col(PublicChange.version).is_not(None))
            .order_by(col(PublicChange.version).desc(), col(PublicChange.seq).desc())
            .limit(1)
        )
    ).first()
    if latest is not None:
        endpoint.after_version, endpoint.after_seq = latest[0] or 0, latest[1] or 0
    session.add(endpoint)
    await audit.created(
        session, principal, "webhook.create", endpoint, scope=audit.Scope(authority_id=endpoint.authority_id)
    )
    return endpoint_document(endpoint, secret=secret)


async def owned(session: AsyncSession, principal: Principal, endpoint_id: str) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook {endpoint_id}.")
    if not principal.is_operator and endpoint.authority_id != principal.authority_id:
        raise Forbidden("This webhook belongs to another council.")
    return endpoint


async def listed(session: AsyncSession, principal: Principal) -> list[dict[str, Any]]:
    statement = select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))
    if not principal.is_operator:
        statement = statement.where(col(WebhookEndpoint.authority_id) == principal.authority_id)
    return [endpoint_document(endpoint) for endpoint in (await session.execute(statement)).scalars()]


async def remove(session: AsyncSession, principal: Principal, endpoint_id: str) -> None:
    endpoint = await owned(session, principal, endpoint_id)
    await audit.deleted(
        session, principal, "webhook.delete", endpoint, scope=audit.Scope(authority_id=endpoint.authority_id)
    )


async def deliveries(session: AsyncSession, principal: Principal, endpoint_id: str, limit: int) -> dict[str, Any]:
    """An endpoint's latest deliveries, newest first, and how many are in each state."""
    endpoint = await owned(session, principal, endpoint_id)
    recent = (
        await session.execute(
            select(WebhookDelivery)
            .where(col(WebhookDelivery.endpoint_id) == endpoint.id)
            .order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc())
            .limit(limit)
        )
    ).scalars()
    counts = await session.execute(
        select(col(WebhookDelivery.status), func.count())
        .where(col(WebhookDelivery.endpoint_id) == endpoint.id)
        .group_by(col(WebhookDelivery.status))
    )
    return {
        "endpoint": endpoint_document(endpoint),
        "counts": {status: count for status, count in counts.all()},
        "items": [delivery_document(delivery) for delivery in recent],
    }


def delivery_document(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "change_id": delivery.change_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending" else None,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
    }
