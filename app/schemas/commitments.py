"""Commitments: the concrete offers inside a pledge. The public sees active, paused and full ones; the
organisation and the covenant's officers see every one, in any state, with its history."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from app.enums import (
    Audience,
    CapacityPeriod,
    CareStatus,
    CommitmentStatus,
    OfferType,
    PublicCommitmentStatus,
    Sector,
)
from app.schemas.areas import AreaDetail
from app.schemas.common import PrivateView, PublicView
from app.schemas.covenants import CovenantRef, PriorityRef
from app.schemas.fields import (
    AREA_FILTER_RULE,
    COVENANT_REFERENCE,
    MULTI_LINE,
    PRIORITY_REFERENCE,
    RECORD_ID,
    SINGLE_LINE,
    AreaFilter,
    AreaList,
    Distinct,
    Prose,
    Strict,
    Url,
    distinct,
)
from app.schemas.pages import FreeTextParams
from app.schemas.problem_reports import ProblemSummary
from app.schemas.signatories import SignatoryRef

# ---------------------------------------------------------------- parts of an offer


class Eligibility(BaseModel):
    """Who can take up an offer."""

    min_age: int = Field(description="Youngest eligible age.", examples=[16])
    max_age: int = Field(description="Oldest eligible age.", examples=[25])
    audiences: list[Audience] = Field(description="Which audiences the offer is for.")
    care_statuses: list[CareStatus] = Field(
        description="Care-leaver statuses the offer is limited to; empty means any status."
    )


class Capacity(BaseModel):
    """How many places an offer has."""

    places: int | None = Field(description="Number of places; null when unlimited or not counted.", examples=[5])
    period: CapacityPeriod = Field(description="What `places` counts: once, per year, ongoing, or unlimited.")


class HowToAccess(BaseModel):
    """How a young person or their personal adviser takes up an offer."""

    text: str = Field(description="Instructions in plain English.")
    url: str | None = Field(description="Where to apply or find out more.")


# ---------------------------------------------------------------- public outputs


class CommitmentBase(BaseModel):
    """What the public and the commitment's organisation and officers alike see of an offer. Its `status` is
    not here: the public sees only active, paused and full offers, the others every state."""

    id: str = Field(description="The commitment's id.", examples=["cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    title: str = Field(description="The offer's title.", examples=["Guaranteed interview for any vacancy"])
    description: str = Field(description="What is offered.")
    offer_type: OfferType = Field(description="The kind of offer.")
    pledge_id: str = Field(description="The pledge that holds this commitment.")
    covenant: CovenantRef = Field(description="The covenant the commitment is made in.")
    signatory: SignatoryRef = Field(description="The organisation making the offer.")
    priority: PriorityRef = Field(description="The covenant priority the offer serves.")
    eligibility: Eligibility = Field(description="Who can take it up.")
    areas: list[str] = Field(
        description="Where the offer is available: GSS codes, `national` or `remote`.",
        examples=[["E10000017", "remote"]],
    )
    area_details: list[AreaDetail] = Field(
        description="The same areas in the same order, each with its name and kind, for pages to show."
    )
    capacity: Capacity = Field(description="How many places there are.")
    how_to_access: HowToAccess = Field(description="How to take the offer up.")
    starts_on: date | None = Field(description="First date the offer runs.")
    ends_on: date | None = Field(description="Last date the offer runs.")
    apply_by: date | None = Field(description="Application deadline.")
    updated_at: datetime = Field(description="When the commitment last changed.")


class CommitmentPublic(CommitmentBase):
    """A public offer, with everything a council page needs to show it."""

    view: PublicView
    status: PublicCommitmentStatus = Field(description="`active`, `paused` (temporarily closed) or `full`.")


class CommitmentPage(BaseModel):
    """A page of public commitments."""

    items: list[CommitmentPublic] = Field(description="The commitments on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class CommitmentFilters(FreeTextParams):
    covenant: str | None = Field(
        default=None,
        max_length=100,
        pattern=COVENANT_REFERENCE,
        description="Only commitments in this covenant (id or slug).",
    )
    priority: str | None = Field(
        default=None,
        max_length=40,
        pattern=PRIORITY_REFERENCE,
        description="Only commitments under this priority: its id, or its code (EET), in `covenant` if given, "
        "else in every covenant.",
    )
    offer_type: list[OfferType] = Field(default_factory=list, description="Only these offer types (repeat to combine).")
    sector: list[Sector] = Field(
        default_factory=list, description="Only offers from organisations in these sectors (repeat to combine)."
    )
    area: AreaFilter = Field(
        description="Where the young person lives: a council's GSS code (`E07000123`), its name (`Preston`, "
        "case and punctuation aside) or a postcode (`PR1 2HE`, which means its district), or `national`. "
        f"{AREA_FILTER_RULE} Remote offers match every area. An unknown code or postcode, or a name that "
        "could be several councils, is a 422 whose `candidates` lists the councils it could mean."
    )
    age: int | None = Field(default=None, ge=0, le=30, description="Only offers whose age range includes this age.")
    audience: Audience | None = Field(default=None, description="Only offers open to this audience.")
    status: list[PublicCommitmentStatus] = Field(
        default_factory=list, description="Only these statuses (default: active, paused and full)."
    )
    signatory: str | None = Field(
        default=None, max_length=40, pattern=RECORD_ID, description="Only offers of this signatory (id)."
    )
    pledge: str | None = Field(
        default=None, max_length=40, pattern=RECORD_ID, description="Only offers in this pledge (id)."
    )


# ---------------------------------------------------------------- inputs


class EligibilityInput(Strict):
    """Who can take up an offer; ages must lie inside the covenant's range."""

    min_age: int = Field(ge=0, le=30, description="Youngest eligible age.")
    max_age: int = Field(ge=0, le=30, description="Oldest eligible age.")
    audiences: (
        Annotated[list[Audience], Field(min_length=1, max_length=3), Distinct, AfterValidator(distinct)] | None
    ) = Field(default=None, description="Audiences; default: the covenant's.")
    care_statuses: Annotated[list[CareStatus], Field(max_length=4), Distinct, AfterValidator(distinct)] = Field(
        default_factory=list, description="Limit to these care-leaver statuses; empty means any."
    )


class CapacityInput(Strict):
    """How many places an offer has."""

    places: int | None = Field(default=None, ge=1, le=100_000, description="Number of places; null if unlimited.")
    period: CapacityPeriod = Field(description="What `places` counts.")


class HowToAccessInput(Strict):
    """How a young person takes an offer up."""

    text: Annotated[str, Field(min_length=3, max_length=2000, pattern=MULTI_LINE)] = Field(
        description="Instructions in plain English."
    )
    url: Url | None = Field(default=None, description="Where to apply or find out more.")


class CommitmentCreate(Strict):
    """A new commitment in a draft pledge (or one with changes requested)."""

    priority: str = Field(max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="Priority id, or code (e.g. EET).")
    offer_type: OfferType = Field(description="The kind of offer.")
    title: Annotated[str, Field(min_length=3, max_length=200, pattern=SINGLE_LINE)] = Field(description="Title.")
    description: Prose = Field(default="", description="What is offered.")
    eligibility: EligibilityInput = Field(description="Who can take it up.")
    areas: AreaList = Field(description="GSS codes, `national` or `remote`.")
    capacity: CapacityInput = Field(description="How many places there are.")
    how_to_access: HowToAccessInput = Field(description="How to take it up.")
    starts_on: date | None = Field(default=None, description="First date the offer runs.")
    ends_on: date | None = Field(default=None, description="Last date the offer runs.")
    apply_by: date | None = Field(default=None, description="Application deadline.")


class CommitmentUpdate(Strict):
    """Changes to a commitment: send only the fields to change. While the pledge is published only `status`
    may change (active, paused, full, ended); everything else needs the pledge back in draft."""

    priority: str | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="Priority.")
    offer_type: OfferType | None = Field(default=None, description="The kind of offer.")
    title: Annotated[str, Field(min_length=3, max_length=200, pattern=SINGLE_LINE)] | None = Field(
        default=None, description="Title."
    )
    description: Prose | None = Field(default=None, description="What is offered.")
    eligibility: EligibilityInput | None = Field(default=None, description="Who can take it up.")
    areas: AreaList | None = Field(default=None, description="Where it is available.")
    capacity: CapacityInput | None = Field(default=None, description="How many places.")
    how_to_access: HowToAccessInput | None = Field(default=None, description="How to take it up.")
    starts_on: date | None = Field(default=None, description="First date.")
    ends_on: date | None = Field(default=None, description="Last date.")
    apply_by: date | None = Field(default=None, description="Deadline.")
    status: CommitmentStatus | None = Field(
        default=None, description="active, paused, full or ended (withdraw with POST …/withdraw)."
    )


# ---------------------------------------------------------------- private outputs


class CommitmentPrivate(CommitmentBase):
    """A commitment as its organisation and council officers see it, whatever its state."""

    view: PrivateView
    status: CommitmentStatus = Field(description="Its state: active, paused, full, ended or withdrawn.")
    withdrawn_reason: str | None = Field(description="Why it was withdrawn.")
    created_at: datetime = Field(description="When it was added.")
    problems: ProblemSummary | None = Field(
        default=None, description="Its open problem reports (on a read of this commitment by id)."
    )


CommitmentRead = Annotated[CommitmentPublic | CommitmentPrivate, Field(discriminator="view")]
"""A commitment read: the public representation, or the private one for a key that may see it (by `view`)."""
