"""The audit trail: every change, who made it and with which key, for officers and the operator."""

from datetime import datetime

from pydantic import BaseModel, Field


class AuditEventOut(BaseModel):
    """One entry of the audit trail."""

    id: str = Field(description="The event's id (time-ordered).")
    occurred_at: datetime = Field(description="When it happened.")
    actor_kind: str = Field(
        description="signatory, authority or operator (the key's owner); anonymous (self-registration), system "
        "(scheduled jobs such as lapsing overdue pledges) or console (a key issued from the command line)."
    )
    actor_key_id: str | None = Field(description="The key used.")
    action: str = Field(description="What was done, e.g. pledge.approve.", examples=["pledge.approve"])
    record_type: str = Field(description="The kind of record.")
    record_id: str = Field(description="The record's id.")
    covenant_id: str | None = Field(description="The covenant it concerns, if any.")
    signatory_id: str | None = Field(description="The organisation it concerns, if any.")
    before: dict | None = Field(description="The record before the change.")
    after: dict | None = Field(description="The record after the change.")
    request_id: str | None = Field(description="The request that made the change.")


class AuditEventPage(BaseModel):
    """A page of the audit trail, newest first."""

    items: list[AuditEventOut] = Field(description="Events on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
