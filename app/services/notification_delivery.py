"""Sending the notification outbox by SMTP, outside any request, at least once each.

The worker claims due messages as it claims webhook deliveries (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the next
attempt put off by the backoff before anything is sent, so two workers never send one attempt), then sends each
as `multipart/alternative` (plain text and HTML) through the configured server. A failure is retried with the
same backoff for a day, then abandoned and logged. With no SMTP server configured, a message is marked
`recorded` and logged instead: a registry run on a laptop sends nobody anything."""

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.config import Settings
from app.ids import assume_utc, utcnow
from app.models import Notification
from app.services.retries import GIVE_UP_AFTER, wait_after
from app.services.webhook_delivery import private_session

log = logging.getLogger(__name__)

CLAIM_BATCH = 10
SEND_TIMEOUT = 20.0


@dataclass(frozen=True)
class Mailer:
    """How to reach the mail server, from the SMTP_* settings."""

    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "Mailer | None":
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            sender=settings.mail_from,
        )

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username or None,
            password=self.password or None,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            timeout=SEND_TIMEOUT,
        )


@dataclass
class Round:
    sent: int = 0
    recorded: int = 0
    failed: int = 0
    abandoned: int = 0


def email_message(notification: Notification, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.recipient
    message["Subject"] = notification.subject
    message["Message-ID"] = make_msgid(idstring=notification.id)
    # Mail systems should not auto-reply to, or treat as bulk, a message sent to one person about their record.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(notification.text_body)
    message.add_alternative(notification.html_body, subtype="html")
    return message


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession], mailer: Mailer | None, *, now: datetime | None = None
) -> Round:
    moment = now or utcnow()
    done = Round()
    for notification_id, attempts in await claim_due(sessionmaker, moment):
        await attempt(sessionmaker, mailer, notification_id, attempts, moment, done)
    return done


async def claim_due(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> list[tuple[str, int]]:
    async with private_session(sessionmaker) as session, session.begin():
        due = (
            await session.execute(
                select(Notification)
                .where(col(Notification.status) == "pending", col(Notification.next_attempt_at) <= now)
                .order_by(col(Notification.next_attempt_at), col(Notification.id))
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        claimed = []
        for notification in due:
            notification.attempts += 1
            notification.next_attempt_at = now + wait_after(notification.attempts)
            claimed.append((notification.id, notification.attempts))
    return claimed


async def attempt(
    sessionmaker: async_sessionmaker[AsyncSession],
    mailer: Mailer | None,
    notification_id: str,
    attempts: int,
    now: datetime,
    done: Round,
) -> None:
    async with private_session(sessionmaker) as session:
        notification = await session.get(Notification, notification_id)
    if notification is None:
        return
    error = None
    if mailer is not None:
        try:
            await mailer.send(email_message(notification, mailer.sender))
        except (aiosmtplib.SMTPException, OSError) as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
    async with private_session(sessionmaker) as session, session.begin():
        current = await session.get(Notification, notification_id, with_for_update=True)
        if current is None or current.attempts != attempts or current.status != "pending":
            return  # taken again after the lease ran out: that attempt's outcome is the one to keep
        current.last_error = error
        if mailer is None:
            current.status = "recorded"
            done.recorded += 1
            log.info("notification %s (%s) recorded, not sent: no SMTP_HOST is set", current.id, current.kind)
        elif error is None:
            current.status, current.sent_at = "sent", utcnow()
            done.sent += 1
        elif now - assume_utc(current.created_at) >= GIVE_UP_AFTER:
            current.status = "abandoned"
            done.abandoned += 1
            log.warning("notification %s (%s) abandoned after a day: %s", current.id, current.kind, error)
        else:
            done.failed += 1
            log.info("notification %s (%s) failed, will retry: %s", current.id, current.kind, error)
