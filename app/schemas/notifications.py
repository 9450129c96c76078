"""Email notifications: where an authority's officers are told, and the messages sent."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.fields import Email, Strict

NotificationKind = Literal[
    "pledge.submitted",
    "pledge.approved",
    "pledge.changes_requested",
    "pledge.lapsed",
    "review.due",
    "webhook.disabled",
    "problem.reported",
]


class NotificationSettingsUpdate(Strict):
    """Where the authority's officers hear of new submissions and disabled webhooks."""

    officer_email: Email | None = Field(
        description="The officers' shared mailbox (private: never shown publicly); null to send them nothing.",
        examples=["corporate.parenting@lancashire.example.gov.uk"],
    )


class NotificationSettings(BaseModel):
    """An authority's notification settings, as its officers see them."""

    authority_id: str = Field(description="The authority.", examples=["aut_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    officer_email: str | None = Field(description="Where its officers are emailed; null: nowhere.")
    updated_at: datetime = Field(description="When the authority's record last changed.")


class Notification(BaseModel):
    """One email, and what became of it."""

    id: str = Field(description="The notification's id.", examples=["ntf_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    kind: NotificationKind = Field(description="What it tells of.")
    audience: Literal["officers", "organisation"] = Field(
        description="To an authority's officers, or to an organisation's private contact."
    )
    recipient: str = Field(description="The address it went to (a private contact).")
    subject: str = Field(description="Its subject line.")
    record_id: str | None = Field(description="The pledge or webhook endpoint it is about.")
    status: Literal["pending", "sent", "recorded", "abandoned"] = Field(
        description="pending: to be sent; sent: the mail server took it; recorded: no mail server is configured, "
        "so it was logged instead; abandoned: sending failed for a day."
    )
    attempts: int = Field(description="How many times sending was tried.")
    last_error: str | None = Field(description="What went wrong the last time, if it did.")
    created_at: datetime = Field(description="When the change it tells of was made.")
    sent_at: datetime | None = Field(description="When the mail server took it.")


class NotificationList(BaseModel):
    """The latest notifications the caller may see, newest first."""

    items: list[Notification] = Field(description="The notifications.")
