"""The worker: one loop that empties both outboxes, webhook deliveries (app/services/webhook_delivery.py) and
email notifications (app/services/notification_delivery.py), a round every few seconds. `covenant-registry
worker` runs it as a service of its own, as many copies as wanted; on SQLite one runs inside the web process."""

import asyncio
import logging
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.services import notification_delivery, webhook_delivery
from app.services.notification_delivery import Mailer

log = logging.getLogger("app.worker")


@dataclass(frozen=True)
class Outboxes:
    sessionmaker: async_sessionmaker[AsyncSession]
    mailer: Mailer | None
    allow_private: bool

    @classmethod
    def of(cls, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> "Outboxes":
        return cls(sessionmaker, Mailer.from_settings(settings), settings.webhook_allow_private_networks)


async def run_once(outboxes: Outboxes, http: httpx.AsyncClient) -> str:
    """One round of each; what it did, in a few words ("" when there was nothing to do)."""
    hooks = await webhook_delivery.run_once(outboxes.sessionmaker, http, allow_private=outboxes.allow_private)
    mail = await notification_delivery.run_once(outboxes.sessionmaker, outboxes.mailer)
    said = []
    if hooks.queued or hooks.delivered or hooks.failed or hooks.abandoned:
        said.append(f"webhooks: {hooks}")
    if mail.sent or mail.recorded or mail.failed or mail.abandoned:
        said.append(f"notifications: {mail}")
    return "; ".join(said)


async def run_forever(outboxes: Outboxes, *, interval: float = 2.0) -> None:
    """Rounds every `interval` seconds until cancelled; a round that fails is logged and the next one tries."""
    async with httpx.AsyncClient(follow_redirects=False) as http:
        while True:
            try:
                if done := await run_once(outboxes, http):
                    log.info("%s", done)
            except Exception:
                log.exception("worker round failed")
            await asyncio.sleep(interval)
