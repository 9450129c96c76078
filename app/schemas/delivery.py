"""Delivery returns: what an organisation reports doing for one commitment over one period. The organisation
and the covenant's officers see exact numbers; the public sees only the covenant's statistics
(app/schemas/reports.py)."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.schemas.covenants import PriorityRef
from app.schemas.fields import Prose, Strict
from app.schemas.signatories import SignatoryRef

# ---------------------------------------------------------------- inputs


class ProgressReportInput(Strict):
    """A delivery return for one commitment and one period."""

    period_start: date = Field(description="First day of the period reported on.", examples=["2025-04-01"])
    period_end: date = Field(description="Last day of the period (not in the future).", examples=["2026-03-31"])
    places_offered: int = Field(ge=0, le=1_000_000, description="Places made available to care leavers.")
    referrals: int = Field(ge=0, le=1_000_000, description="Young people referred (by advisers or themselves).")
    applications: int = Field(ge=0, le=1_000_000, description="Applications received.")
    starts: int = Field(ge=0, le=1_000_000, description="Young people who started (at most the applications).")
    sustained: int = Field(ge=0, le=1_000_000, description="Still in place six months after starting (at most starts).")
    narrative: Prose = Field(default="", description="What happened, in plain English.")


class ProgressReportUpdate(Strict):
    """A correction to a delivery return while its window is open: send only the fields to change."""

    places_offered: int | None = Field(default=None, ge=0, le=1_000_000, description="Places made available.")
    referrals: int | None = Field(default=None, ge=0, le=1_000_000, description="Young people referred.")
    applications: int | None = Field(default=None, ge=0, le=1_000_000, description="Applications received.")
    starts: int | None = Field(default=None, ge=0, le=1_000_000, description="Young people who started.")
    sustained: int | None = Field(default=None, ge=0, le=1_000_000, description="Still in place after six months.")
    narrative: Prose | None = Field(default=None, description="What happened.")


class NarrativeApproval(Strict):
    """An officer's approval of a return's narrative for the public annual report."""

    public_narrative: Prose | None = Field(
        default=None,
        min_length=1,
        description="The words the public will read: the narrative as written if left out, or a version with "
        "anything that could identify a young person taken out.",
        examples=["Our first three ring-fenced apprentices started in September, in parks, housing and IT."],
    )


# ---------------------------------------------------------------- private outputs


class ProgressReportOut(BaseModel):
    """A delivery return, as its organisation and council officers see it (exact numbers)."""

    id: str = Field(description="The return's id.")
    commitment_id: str = Field(description="The commitment reported on.")
    commitment_title: str = Field(description="The commitment's title.")
    signatory: SignatoryRef = Field(description="The organisation reporting.")
    priority: PriorityRef = Field(description="The priority of the commitment.")
    period_start: date = Field(description="First day of the period.")
    period_end: date = Field(description="Last day of the period.")
    places_offered: int = Field(description="Places made available.")
    referrals: int = Field(description="Young people referred.")
    applications: int = Field(description="Applications received.")
    starts: int = Field(description="Young people who started.")
    sustained: int = Field(description="Still in place six months after starting.")
    narrative: str = Field(description="What happened, as the organisation wrote it (private).")
    public_narrative: str | None = Field(
        description="The version an officer approved for the public annual report; null: none is public."
    )
    narrative_approved_at: datetime | None = Field(description="When an officer approved the public version.")
    correctable_until: date = Field(description="Last day the organisation may correct this return.")
    created_at: datetime = Field(description="When it was filed.")
    updated_at: datetime = Field(description="When it was last corrected.")


class ProgressReportPage(BaseModel):
    """A page of delivery returns."""

    items: list[ProgressReportOut] = Field(description="The returns on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
