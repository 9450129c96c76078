"""What the public read API returns and accepts. Only public fields live here: nothing private can leak
through a schema that never names it."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.enums import (
    Audience,
    CapacityPeriod,
    CareStatus,
    CovenantStatus,
    OfferType,
    OrganisationType,
    PledgeStatus,
    PublicCommitmentStatus,
    Sector,
    SignatoryStatus,
    SizeBand,
)
from app.schemas.types import COVENANT_REFERENCE, RECORD_ID, SINGLE_LINE

AREA_PATTERN = r"^([EWSNK][0-9]{8}|national|remote)$"
GSS_PATTERN = r"^[EWSNK][0-9]{8}$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


# ---------------------------------------------------------------- references embedded in other records


class AuthorityRef(BaseModel):
    """The authority that runs a covenant."""

    id: str = Field(description="The authority's id.", examples=["aut_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    name: str = Field(description="The authority's name.", examples=["Lancashire County Council"])


class CovenantRef(BaseModel):
    """The covenant a record belongs to."""

    id: str = Field(description="The covenant's id.", examples=["cov_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    slug: str = Field(
        description="The covenant's slug, usable in place of its id.", examples=["lancashire-care-leavers"]
    )
    title: str = Field(description="The covenant's title.", examples=["Lancashire Care Leavers Covenant"])


class SignatoryRef(BaseModel):
    """The organisation behind a pledge or commitment."""

    id: str = Field(description="The signatory's id.", examples=["sig_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    name: str = Field(description="The organisation's name.", examples=["Ribble Valley Bakery Co-operative"])
    sector: Sector = Field(description="The organisation's sector.")


class PriorityRef(BaseModel):
    """The covenant priority a commitment serves."""

    id: str = Field(description="The priority's id.", examples=["pri_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    code: str = Field(description="The priority's short code within its covenant.", examples=["EET"])
    title: str = Field(description="The priority's title.", examples=["Education, training and employment"])


# ---------------------------------------------------------------- authorities, covenants, priorities


class AuthorityPublic(BaseModel):
    """A council or national body that runs covenants."""

    id: str = Field(description="The authority's id.")
    name: str = Field(description="The authority's name.", examples=["Lancashire County Council"])
    gss_code: str = Field(description="ONS GSS code of the authority's area.", examples=["E10000017"])
    region: str = Field(description="The region the authority sits in.", examples=["North West"])
    website: str | None = Field(description="The authority's web site.", examples=["https://www.lancashire.gov.uk"])


class PriorityPublic(BaseModel):
    """An outcome area of a covenant; each commitment is filed under one."""

    id: str = Field(description="The priority's id.")
    covenant_id: str = Field(description="The covenant the priority belongs to.")
    code: str = Field(description="Short code, unique within the covenant.", examples=["EET"])
    title: str = Field(description="The priority's title.", examples=["Education, training and employment"])
    description: str = Field(description="What the priority covers.")
    position: int = Field(description="Order in which the covenant lists its priorities, from 0.")


class CovenantPublic(BaseModel):
    """A covenant: one authority's scheme for one audience."""

    id: str = Field(description="The covenant's id.")
    slug: str = Field(
        description="Readable unique name, usable in place of the id.", examples=["lancashire-care-leavers"]
    )
    title: str = Field(description="The covenant's title.")
    authority: AuthorityRef = Field(description="The authority that runs the covenant.")
    audience: Audience = Field(description="Who the covenant is for.")
    min_age: int = Field(description="Youngest age the covenant covers.", examples=[16])
    max_age: int = Field(description="Oldest age the covenant covers.", examples=[25])
    description: str = Field(description="What the covenant is about.")
    status: CovenantStatus = Field(description="`open` for new pledges, or `closed`.")
    launched_on: date | None = Field(description="The date the covenant was launched.")
    review_cycle_months: int = Field(description="How often pledges are reviewed, in months.", examples=[12])


class CovenantDetail(CovenantPublic):
    """A covenant with its priorities, in order."""

    priorities: list[PriorityPublic] = Field(description="The covenant's priorities, in order.")


# ---------------------------------------------------------------- signatories and pledges


class SignatoryPublic(BaseModel):
    """A verified organisation, as the public sees it (no private contact)."""

    id: str = Field(description="The signatory's id.")
    name: str = Field(description="The organisation's name.")
    description: str = Field(description="What the organisation does, in its own words.")
    sector: Sector = Field(description="The organisation's sector.")
    organisation_type: OrganisationType = Field(description="The kind of organisation.")
    size_band: SizeBand = Field(
        description="Staff headcount band: micro (<10), small (10-49), medium (50-249), large (250+)."
    )
    companies_house_number: str | None = Field(description="Companies House registration number.")
    charity_number: str | None = Field(description="Charity Commission (or OSCR, CCNI) number.")
    website: str | None = Field(description="The organisation's web site.")
    public_contact: str | None = Field(description="How a young person or the public gets in touch.")
    areas: list[str] = Field(description="Areas served: GSS codes, or `national`.", examples=[["E10000017"]])
    status: SignatoryStatus = Field(description="Always `verified` in public responses.")
    verified_at: datetime | None = Field(description="When a council officer verified the organisation.")


class PledgeSummary(BaseModel):
    """A published pledge, as listed on its signatory."""

    id: str = Field(description="The pledge's id.")
    covenant: CovenantRef = Field(description="The covenant the pledge is made in.")
    published_at: datetime | None = Field(description="When the pledge was approved and published.")
    commitment_count: int = Field(description="How many of its commitments are public.")


class SignatoryDetail(SignatoryPublic):
    """A verified organisation with its published pledges."""

    pledges: list[PledgeSummary] = Field(description="The organisation's published pledges.")


class PledgePublic(BaseModel):
    """A signatory's published pledge in one covenant."""

    id: str = Field(description="The pledge's id.")
    signatory: SignatoryRef = Field(description="The organisation that made the pledge.")
    covenant: CovenantRef = Field(description="The covenant the pledge is made in.")
    statement: str = Field(description="The pledge's statement, in the organisation's words.")
    status: PledgeStatus = Field(description="Always `published` in public responses.")
    signed_on: date | None = Field(description="The date the pledge was signed.")
    published_at: datetime | None = Field(description="When the pledge was approved and published.")
    review_due: date | None = Field(description="When the pledge is next due for review.")
    commitment_count: int = Field(description="How many of its commitments are public.")


# ---------------------------------------------------------------- commitments


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


class CommitmentPublic(BaseModel):
    """A public offer, with everything a council page needs to show it."""

    id: str = Field(description="The commitment's id.", examples=["cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    title: str = Field(description="The offer's title.", examples=["Guaranteed interview for any vacancy"])
    description: str = Field(description="What is offered.")
    offer_type: OfferType = Field(description="The kind of offer.")
    status: PublicCommitmentStatus = Field(description="`active`, `paused` (temporarily closed) or `full`.")
    pledge_id: str = Field(description="The pledge that holds this commitment.")
    covenant: CovenantRef = Field(description="The covenant the commitment is made in.")
    signatory: SignatoryRef = Field(description="The organisation making the offer.")
    priority: PriorityRef = Field(description="The covenant priority the offer serves.")
    eligibility: Eligibility = Field(description="Who can take it up.")
    areas: list[str] = Field(
        description="Where the offer is available: GSS codes, `national` or `remote`.",
        examples=[["E10000017", "remote"]],
    )
    capacity: Capacity = Field(description="How many places there are.")
    how_to_access: HowToAccess = Field(description="How to take the offer up.")
    starts_on: date | None = Field(description="First date the offer runs.")
    ends_on: date | None = Field(description="Last date the offer runs.")
    apply_by: date | None = Field(description="Application deadline.")
    updated_at: datetime = Field(description="When the commitment last changed.")


class PledgeDetail(PledgePublic):
    """A published pledge with its public commitments."""

    commitments: list[CommitmentPublic] = Field(description="The pledge's public commitments.")


# ---------------------------------------------------------------- pages


class AuthorityPage(BaseModel):
    """A page of authorities."""

    items: list[AuthorityPublic] = Field(description="The authorities on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class CovenantPage(BaseModel):
    """A page of covenants."""

    items: list[CovenantPublic] = Field(description="The covenants on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PriorityList(BaseModel):
    """All priorities of a covenant, in order (never more than one page)."""

    items: list[PriorityPublic] = Field(description="The covenant's priorities, in order.")
    next_cursor: str | None = Field(description="Always null: the whole list fits on one page.")


class SignatoryPage(BaseModel):
    """A page of verified signatories."""

    items: list[SignatoryPublic] = Field(description="The signatories on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PledgePage(BaseModel):
    """A page of published pledges."""

    items: list[PledgePublic] = Field(description="The pledges on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class CommitmentPage(BaseModel):
    """A page of public commitments."""

    items: list[CommitmentPublic] = Field(description="The commitments on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


# ---------------------------------------------------------------- query parameters


class PageParams(BaseModel):
    """Keyset pagination: follow `next_cursor` (or the `Link: rel="next"` header) until it is null."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=20, ge=1, le=100, description="Items per page, 1 to 100.")
    cursor: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="Opaque cursor from the previous page's `next_cursor`; absent or empty for the first page.",
    )

    @field_validator("cursor")
    @classmethod
    def empty_cursor_means_first_page(cls, value: str | None) -> str | None:
        return value or None


class FreeTextParams(PageParams):
    q: str | None = Field(default=None, max_length=200, pattern=SINGLE_LINE, description="Free text to search for.")

    @field_validator("q")
    @classmethod
    def blank_means_absent(cls, value: str | None) -> str | None:
        # A search box submitted empty should list everything, not fail.
        return value.strip() or None if value is not None else None


class AuthorityFilters(PageParams):
    region: str | None = Field(
        default=None, max_length=100, pattern=SINGLE_LINE, description="Only authorities in this region."
    )
    gss_code: str | None = Field(default=None, pattern=GSS_PATTERN, description="The authority with this GSS code.")


class CovenantFilters(PageParams):
    authority: str | None = Field(
        default=None, max_length=40, pattern=RECORD_ID, description="Only covenants of this authority (id)."
    )
    audience: Audience | None = Field(default=None, description="Only covenants for this audience.")
    status: CovenantStatus | None = Field(default=None, description="Only `open` or only `closed` covenants.")


class SignatoryFilters(FreeTextParams):
    covenant: str | None = Field(
        default=None,
        max_length=100,
        pattern=COVENANT_REFERENCE,
        description="Only organisations with a published pledge in this covenant (id or slug).",
    )
    sector: list[Sector] = Field(default_factory=list, description="Only these sectors (repeat to combine).")
    size_band: list[SizeBand] = Field(default_factory=list, description="Only these size bands (repeat to combine).")
    organisation_type: list[OrganisationType] = Field(
        default_factory=list, description="Only these kinds of organisation (repeat to combine)."
    )
    area: str | None = Field(
        default=None,
        pattern=AREA_PATTERN,
        description="GSS code: organisations serving this area, plus national ones.",
    )


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


class CommitmentFilters(FreeTextParams):
    covenant: str | None = Field(
        default=None,
        max_length=100,
        pattern=COVENANT_REFERENCE,
        description="Only commitments in this covenant (id or slug).",
    )
    priority: str | None = Field(
        default=None, max_length=40, pattern=RECORD_ID, description="Only commitments under this priority (id)."
    )
    offer_type: list[OfferType] = Field(default_factory=list, description="Only these offer types (repeat to combine).")
    sector: list[Sector] = Field(
        default_factory=list, description="Only offers from organisations in these sectors (repeat to combine)."
    )
    area: str | None = Field(
        default=None,
        pattern=AREA_PATTERN,
        description="GSS code of where the young person lives: offers in that area, plus national and remote ones.",
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
