"""The public change feed: what changed in public, in commit order, for partners that keep a copy."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ChangeType = Literal[
    "offer.published",
    "offer.changed",
    "offer.status_changed",
    "offer.withdrawn",
    "organisation.verified",
    "organisation.withdrawn",
    "covenant.opened",
    "covenant.closed",
]


class ChangedRecord(BaseModel):
    """The record a change is about."""

    type: Literal["commitment", "signatory", "covenant"] = Field(description="What kind of record changed.")
    id: str = Field(
        description="Its id: read it at `/v1/commitments/{id}`, `/v1/signatories/{id}`, `/v1/covenants/{id}`."
    )


class Change(BaseModel):
    """One public change."""

    id: str = Field(description="The change's id: the same change is never given two, so use it to de-duplicate.")
    type: ChangeType = Field(
        description="`offer.published` (now public), `offer.changed` (its public fields changed), "
        "`offer.status_changed` (paused, full, or active again), `offer.withdrawn` (no longer public: withdrawn, "
        "ended, lapsed or its organisation suspended); `organisation.verified`, `organisation.withdrawn` (no longer "
        "public, whether withdrawn or suspended); "
        "`covenant.opened`, `covenant.closed`."
    )
    record: ChangedRecord = Field(description="The record that changed.")
    changes: list[str] = Field(description="For an offer that changed: which of its public fields did.")
    occurred_at: datetime = Field(description="When the change was made.")


class ChangePage(BaseModel):
    """Changes in the order they were committed, and the cursor to ask for the ones after them."""

    items: list[Change] = Field(description="The changes, oldest first.")
    next_cursor: str = Field(
        description="Never null: store it and pass it as `after` to get the changes made since, even when this "
        "page is empty or short."
    )


class ChangeParams(BaseModel):
    """Where to read from, and how much."""

    after: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="The `next_cursor` of your last read; absent for every change from the start.",
    )
    limit: int = Field(default=100, ge=1, le=500, description="Changes per answer, 1 to 500.")
