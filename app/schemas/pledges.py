"""Pledges: an organisation's signed statement in one covenant, and the covenant officers' review of it. The
public sees published pledges with their public commitments; the organisation and its officers see every pledge,
in any state, with every commitment and what can happen next."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.enums import PledgeStatus
from app.schemas.commitments import CommitmentCreate, CommitmentPrivate, CommitmentPublic
from app.schemas.common import PrivateView, PublicView
from app.schemas.covenants import CovenantRef
from app.schemas.fields import COVENANT_REFERENCE, MULTI_LINE, RECORD_ID, Prose, Strict
from app.schemas.pages import PageParams
from app.schemas.signatories import SignatoryRef

# ---------------------------------------------------------------- public outputs


class PledgeBase(BaseModel):
    """What the public and the pledge's organisation and officers alike see of a pledge. Its `status` is not
    here: the public sees only published pledges, the others every state."""

    id: str = Field(description="The pledge's id.")
    signatory: SignatoryRef = Field(description="The organisation that made the pledge.")
    covenant: CovenantRef = Field(description="The covenant the pledge is made in.")
    statement: str = Field(description="The pledge's statement, in the organisation's words.")
    signed_on: date | None = Field(description="The date the pledge was signed.")
    published_at: datetime | None = Field(description="When the pledge was approved and published.")
    review_due: date | None = Field(description="When the pledge is next due for review.")


class PledgePublic(PledgeBase):
    """A signatory's published pledge in one covenant."""

    status: PledgeStatus = Field(description="Always `published` in public responses.")
    commitment_count: int = Field(description="How many of its commitments are public.")


class PledgeDetail(PledgePublic):
    """A published pledge with its public commitments."""

    view: PublicView
    commitments: list[CommitmentPublic] = Field(description="The pledge's public commitments.")


class PledgePage(BaseModel):
    """A page of published pledges."""

    items: list[PledgePublic] = Field(description="The pledges on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PledgeFilters(PageParams):
    covenant: str | None = Field(
        default=None,
        max_length=100,
        pattern=COVENANT_REFERENCE,
        description="Only pledges in this covenant (id or slug).",
    )
    signatory: str | None = Field(
        default=None, max_length=40, pattern=RECORD_ID, description="Only pledges of this signatory (id)."
    )


# ---------------------------------------------------------------- inputs

# A pledge's commitments created with it are checked and written in one transaction: bounded so that one request
# stays one quick transaction (and well inside the body size limit); more are added one by one afterwards.
MAX_COMMITMENTS_IN_CREATE = 50


class PledgeCreate(Strict):
    """A new pledge, as a draft, in an open covenant."""

    covenant: str = Field(max_length=100, pattern=COVENANT_REFERENCE, description="The covenant's id or slug.")
    statement: Prose = Field(min_length=1, description="The pledge in the organisation's own words.")
    signed_on: date | None = Field(default=None, description="The date it was signed (default: today).")
    commitments: list[CommitmentCreate] = Field(
        default_factory=list,
        max_length=MAX_COMMITMENTS_IN_CREATE,
        description="Commitments to create with the pledge, each as `POST /v1/pledges/{pledge_id}/commitments` "
        f"takes one (at most {MAX_COMMITMENTS_IN_CREATE}). All or nothing: one invalid item is a 422 whose error "
        "points into it (`/commitments/2/priority`), and nothing is created.",
    )
    submit: bool = Field(
        default=False,
        description="Submit the pledge for approval at once, as `POST /v1/pledges/{pledge_id}/submit` would; "
        "it needs at least one commitment.",
    )


class PledgeUpdate(Strict):
    """Changes to a draft pledge: send only the fields to change."""

    statement: Prose | None = Field(default=None, min_length=1, description="The pledge in the organisation's words.")
    signed_on: date | None = Field(default=None, description="The date it was signed.")


class ChangesRequested(Strict):
    """What an officer asks the organisation to change before the pledge can be published."""

    comment: Annotated[str, Field(min_length=3, max_length=2000, pattern=MULTI_LINE)] = Field(
        description="What to change."
    )


class LapseRequest(Strict):
    """Lapse the covenant's published pledges whose review is overdue by more than the grace period."""

    grace_days: int = Field(default=30, ge=0, le=365, description="Days after `review_due` before a pledge lapses.")


# ---------------------------------------------------------------- private outputs


class PledgePrivate(PledgeBase):
    """A pledge as its organisation and council officers see it, with every commitment and what can happen next."""

    view: PrivateView
    status: PledgeStatus = Field(description="Its state.")
    submitted_at: datetime | None = Field(description="When it was last submitted for approval.")
    review_comment: str | None = Field(description="The officer's last request for changes.")
    withdrawn_reason: str | None = Field(description="Why it was withdrawn.")
    withdrawn_at: datetime | None = Field(description="When it was withdrawn.")
    created_at: datetime = Field(description="When it was created.")
    updated_at: datetime = Field(description="When it last changed.")
    allowed_actions: list[str] = Field(
        description="What the calling key could do to the pledge now: submit and withdraw for its organisation; "
        "approve, request_changes and withdraw for the covenant's officers; none for a key without `write`."
    )
    commitments: list[CommitmentPrivate] = Field(description="Every commitment, whatever its state.")


class PledgePrivatePage(BaseModel):
    """A page of pledges, as their organisation or council officers see them, each with every commitment."""

    items: list[PledgePrivate] = Field(description="The pledges on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PledgeSummaryPrivate(BaseModel):
    """A pledge in a list of work to do."""

    id: str = Field(description="The pledge's id.")
    signatory: SignatoryRef = Field(description="The organisation.")
    status: PledgeStatus = Field(description="Its state.")
    published_at: datetime | None = Field(description="When it was last approved.")


class ReviewDue(BaseModel):
    """A published pledge due (or overdue) for review."""

    pledge: PledgeSummaryPrivate = Field(description="The pledge.")
    review_due: date = Field(description="When its review is due.")
    days_until_due: int = Field(description="Days from today to review_due; negative when overdue.")
    overdue: bool = Field(description="True when review_due has passed.")


class ReviewDuePage(BaseModel):
    """Published pledges whose review is due within the window, or overdue, soonest first."""

    items: list[ReviewDue] = Field(description="Pledges due for review.")
    next_cursor: str | None = Field(description="Always null: the whole list fits on one page.")


class LapseResult(BaseModel):
    """The pledges that lapsed."""

    lapsed: list[str] = Field(description="Ids of the pledges marked lapsed.")
    as_of: date = Field(description="The date the review dates were compared with.")


PledgeRead = Annotated[PledgeDetail | PledgePrivate, Field(discriminator="view")]
"""A pledge read: the public representation, or the private one for a key that may see it (by `view`)."""
