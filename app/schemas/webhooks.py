"""Webhook endpoints and their deliveries."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from app.schemas.changes import Change, ChangeType
from app.schemas.fields import SINGLE_LINE, Distinct, Strict, Url, distinct

# A Standard Webhooks secret: `whsec_` and 24 to 64 random bytes, base64.
SECRET_PATTERN = r"^whsec_[A-Za-z0-9+/]{32,86}={0,2}$"


class WebhookCreate(Strict):
    """A new endpoint: where to send which public changes."""

    url: Url = Field(description="Where to POST each change: https (plain http only to loopback, where allowed).")
    event_types: Annotated[list[ChangeType], Field(min_length=1, max_length=20), Distinct, AfterValidator(distinct)] = (
        Field(description="Which kinds of change to send (repeat none).")
    )
    description: str = Field(default="", max_length=200, pattern=SINGLE_LINE, description="What it is for.")
    secret: str | None = Field(
        default=None,
        max_length=100,
        pattern=SECRET_PATTERN,
        description="Your own signing secret (`whsec_` and 24-64 bytes in base64); one is made if left out.",
    )


class WebhookOwner(BaseModel):
    """Who registered the endpoint."""

    kind: Literal["operator", "authority"] = Field(description="The registry operator, or a council.")
    authority_id: str | None = Field(description="The council, for a council's endpoint.")


class WebhookEndpoint(BaseModel):
    """An endpoint and its state."""

    id: str = Field(description="The endpoint's id.", examples=["whk_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    url: str = Field(description="Where changes are sent.")
    description: str = Field(description="What it is for.")
    event_types: list[ChangeType] = Field(description="The kinds of change it is sent.")
    owner: WebhookOwner = Field(description="Who registered it.")
    status: Literal["active", "disabled"] = Field(description="`disabled` after a day of failed deliveries.")
    disabled_reason: str | None = Field(description="Why it was disabled.")
    created_at: datetime = Field(description="When it was registered.")


class WebhookCreated(WebhookEndpoint):
    """A new endpoint, with its signing secret: shown this once, never again."""

    secret: str = Field(description="Verify each delivery's `webhook-signature` with it (Standard Webhooks).")


class WebhookList(BaseModel):
    """Your endpoints (the operator: everyone's)."""

    items: list[WebhookEndpoint] = Field(description="The endpoints, oldest first.")


class WebhookDelivery(BaseModel):
    """One change sent (or being sent) to one endpoint."""

    id: str = Field(description="The delivery's id.")
    change_id: str = Field(description="The change: the `webhook-id` header of every attempt.")
    status: Literal["pending", "delivered", "abandoned"] = Field(
        description="`pending` while it is retried, `delivered` on a 2xx, `abandoned` after a day of failures."
    )
    attempts: int = Field(description="Attempts made so far.")
    next_attempt_at: datetime | None = Field(description="When it is tried next (pending only).")
    last_status_code: int | None = Field(description="The HTTP status of the last attempt, if one came back.")
    last_error: str | None = Field(description="What went wrong last, if anything did.")
    delivered_at: datetime | None = Field(description="When the endpoint accepted it.")
    created_at: datetime = Field(description="When the change was queued for the endpoint.")


class WebhookDeliveries(BaseModel):
    """An endpoint's latest deliveries."""

    endpoint: WebhookEndpoint = Field(description="The endpoint.")
    counts: dict[str, int] = Field(description="Deliveries in each state.")
    items: list[WebhookDelivery] = Field(description="The latest deliveries, newest first.")


class WebhookPayload(BaseModel):
    """What each delivery POSTs (with `webhook-id`, `webhook-timestamp` and `webhook-signature` headers)."""

    type: ChangeType = Field(description="The kind of change.")
    timestamp: datetime = Field(description="When the change was made.")
    data: Change = Field(description="The change, as the change feed gives it.")
