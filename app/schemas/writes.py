"""What organisations, officers and the operator send and get back. Inputs forbid unknown fields, so a field a
caller may not set (status, signatory id, review dates…) is a 422, never silently ignored."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl

from app.enums import (
    Audience,
    CapacityPeriod,
    CareStatus,
    CommitmentStatus,
    CovenantStatus,
    OfferType,
    OrganisationType,
    PledgeStatus,
    Sector,
    SignatoryStatus,
    SizeBand,
)
from app.schemas.public import (
    AREA_PATTERN,
    GSS_PATTERN,
    SLUG_PATTERN,
    Capacity,
    CovenantRef,
    Eligibility,
    HowToAccess,
    PriorityRef,
    SignatoryRef,
)
from app.schemas.types import COVENANT_REFERENCE, RECORD_ID, SINGLE_LINE

COMPANIES_HOUSE_PATTERN = r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$"
CHARITY_NUMBER_PATTERN = r"^([0-9]{6,7}(-[0-9]{1,2})?|SC0[0-9]{5}|NIC[0-9]{6})$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{6,19}$"
PRIORITY_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{0,19}$"


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


def _url_text(value: Any) -> Any:
    # Checked as sent, before normalising (which may add a "/"), so the limit is exactly the documented one.
    if isinstance(value, str) and len(value) > URL_MAX_LENGTH:
        raise ValueError(f"must be at most {URL_MAX_LENGTH} characters")
    return value


Line = Annotated[str, Field(pattern=SINGLE_LINE)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)]
Prose = Annotated[str, Field(max_length=4000, pattern=r"^[^\x00]*$")]
URL_MAX_LENGTH = 500
Url = Annotated[HttpUrl, BeforeValidator(_url_text), Field(json_schema_extra={"maxLength": URL_MAX_LENGTH})]
# uniqueItems in the contract, and the same rule enforced, so a repeated value is refused before any work.
Distinct = Field(json_schema_extra={"uniqueItems": True})
AreaList = Annotated[
    list[Annotated[str, Field(pattern=AREA_PATTERN)]],
    Field(min_length=1, max_length=50),
    Distinct,
    AfterValidator(_distinct),
]
SignatoryAreaList = Annotated[
    list[Annotated[str, Field(pattern=r"^([EWSNK][0-9]{8}|national)$")]],
    Field(min_length=1, max_length=50),
    Distinct,
    AfterValidator(_distinct),
]
# Deliberately plain: an address that looks like one is accepted; deliverability is the organisation's business.
# Spelled out rather than \s, which means different things to Python and to the ECMAScript regexes of JSON Schema.
_NOT_IN_EMAIL = r"@ \x00-\x1F\x7F-\x9F\u00A0\u2000-\u200B\u2028\u2029\u3000\uFEFF"
EMAIL_PATTERN = rf"^[^{_NOT_IN_EMAIL}]{{1,64}}@[^{_NOT_IN_EMAIL}]{{1,252}}$"
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- organisations


class PrivateContact(Strict):
    """Who the registry and council officers contact at an organisation. Never public."""

    name: Name = Field(description="The contact's name.", examples=["Priya Shah"])
    email: Email = Field(description="The contact's email address.", examples=["priya.shah@bakery.example.org"])
    phone: str | None = Field(
        default=None, pattern=PHONE_PATTERN, description="The contact's phone number.", examples=["01772 000123"]
    )


class SignatoryRegistration(Strict):
    """An organisation registering with the registry. It starts `pending` until an officer verifies it."""

    name: Name = Field(description="The organisation's name.", examples=["Ribble Valley Bakery Co-operative"])
    description: Prose = Field(default="", description="What the organisation does, in its own words.")
    sector: Sector = Field(description="The organisation's sector.")
    organisation_type: OrganisationType = Field(description="The kind of organisation.")
    size_band: SizeBand = Field(description="Staff headcount band.")
    companies_house_number: str | None = Field(
        default=None, pattern=COMPANIES_HOUSE_PATTERN, description="8 digits, or 2 letters and 6 digits (SC123456)."
    )
    charity_number: str | None = Field(
        default=None,
        pattern=CHARITY_NUMBER_PATTERN,
        description="England and Wales (1123456), Scotland (SC012345) or Northern Ireland (NIC100001).",
    )
    website: Url | None = Field(default=None, description="The organisation's web site.")
    public_contact: Annotated[str, Field(min_length=3, max_length=200, pattern=SINGLE_LINE)] | None = Field(
        default=None, description="How a young person or the public gets in touch (an email address or web page)."
    )
    areas: SignatoryAreaList = Field(description="Areas served: GSS codes, or `national`.", examples=[["E10000017"]])
    contact: PrivateContact = Field(description="The private contact for the registry and council officers.")


class SignatoryUpdate(Strict):
    """Changes to an organisation's own profile: send only the fields to change."""

    name: Name | None = Field(default=None, description="The organisation's name.")
    description: Prose | None = Field(default=None, description="What the organisation does.")
    sector: Sector | None = Field(default=None, description="The organisation's sector.")
    organisation_type: OrganisationType | None = Field(default=None, description="The kind of organisation.")
    size_band: SizeBand | None = Field(default=None, description="Staff headcount band.")
    companies_house_number: str | None = Field(
        default=None, pattern=COMPANIES_HOUSE_PATTERN, description="See registration."
    )
    charity_number: str | None = Field(default=None, pattern=CHARITY_NUMBER_PATTERN, description="See registration.")
    website: Url | None = Field(default=None, description="The organisation's web site.")
    public_contact: Annotated[str, Field(min_length=3, max_length=200, pattern=SINGLE_LINE)] | None = Field(
        default=None, description="How a young person or the public gets in touch."
    )
    areas: SignatoryAreaList | None = Field(default=None, description="Areas served: GSS codes, or `national`.")
    contact: PrivateContact | None = Field(default=None, description="The private contact.")


class SignatoryPrivate(BaseModel):
    """An organisation as it, its council officers and the operator see it: with its private contact."""

    id: str = Field(description="The signatory's id.")
    name: str = Field(description="The organisation's name.")
    description: str = Field(description="What the organisation does.")
    sector: Sector = Field(description="The organisation's sector.")
    organisation_type: OrganisationType = Field(description="The kind of organisation.")
    size_band: SizeBand = Field(description="Staff headcount band.")
    companies_house_number: str | None = Field(description="Companies House number.")
    charity_number: str | None = Field(description="Charity number.")
    website: str | None = Field(description="The organisation's web site.")
    public_contact: str | None = Field(description="How the public gets in touch.")
    areas: list[str] = Field(description="Areas served.")
    contact: PrivateContact = Field(description="The private contact.")
    status: SignatoryStatus = Field(description="pending, verified, suspended or withdrawn.")
    verified_at: datetime | None = Field(description="When an officer verified the organisation.")
    created_at: datetime = Field(description="When the organisation registered.")
    updated_at: datetime = Field(description="When the profile last changed.")
    allowed_actions: list[str] = Field(description="Officer decisions possible now (verify, suspend, reinstate).")


class SignatoryPrivatePage(BaseModel):
    """A page of organisations as council officers see them."""

    items: list[SignatoryPrivate] = Field(description="The organisations on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


# ---------------------------------------------------------------- keys


class KeyCreate(Strict):
    """A new key for the caller's own organisation or authority (the operator may name an authority)."""

    name: Name = Field(description="What the key is for, to recognise it later.", examples=["HR system sync"])
    scopes: list[Annotated[str, Field(pattern=r"^(read|write|keys)$")]] | None = Field(
        default=None,
        description="Any of read, write, keys; at most the scopes of the key that creates it (default: the same).",
    )
    expires_at: datetime | None = Field(default=None, description="When the key stops working (optional).")
    authority_id: str | None = Field(
        default=None,
        max_length=40,
        pattern=RECORD_ID,
        description="Operator only: issue an officer key for this authority.",
    )


class KeyInfo(BaseModel):
    """A key as listed: never its secret."""

    id: str = Field(description="The key's id.")
    name: str = Field(description="What the key is for.")
    prefix: str = Field(description="The key's first characters, to recognise it.", examples=["ccreg_k3f9a2m1q7zx"])
    owner_kind: str = Field(description="signatory, authority or operator.")
    signatory_id: str | None = Field(description="The organisation that owns the key.")
    authority_id: str | None = Field(description="The authority that owns the key.")
    scopes: list[str] = Field(description="What the key may do: read, write, keys.")
    created_at: datetime = Field(description="When the key was issued.")
    expires_at: datetime | None = Field(description="When the key stops working.")
    last_used_at: datetime | None = Field(description="When the key was last used (to the minute).")
    revoked_at: datetime | None = Field(description="When the key was revoked.")


class IssuedKey(KeyInfo):
    """A key just issued. `key` is shown in this response only; a replay of the request shows null."""

    key: str | None = Field(description="The key itself. Store it now: the registry keeps only a hash.")


class KeyList(BaseModel):
    """The caller's keys."""

    items: list[KeyInfo] = Field(description="Keys, oldest first.")
    next_cursor: str | None = Field(description="Always null: every key fits on one page.")


class Registration(BaseModel):
    """A registered organisation and its first key."""

    signatory: SignatoryPrivate = Field(description="The organisation, pending verification.")
    api_key: IssuedKey = Field(description="The organisation's first key, with every scope.")


# ---------------------------------------------------------------- pledges and commitments


class PledgeCreate(Strict):
    """A new pledge, as a draft, in an open covenant."""

    covenant: str = Field(max_length=100, pattern=COVENANT_REFERENCE, description="The covenant's id or slug.")
    statement: Prose = Field(min_length=1, description="The pledge in the organisation's own words.")
    signed_on: date | None = Field(default=None, description="The date it was signed (default: today).")


class PledgeUpdate(Strict):
    """Changes to a draft pledge: send only the fields to change."""

    statement: Prose | None = Field(default=None, min_length=1, description="The pledge in the organisation's words.")
    signed_on: date | None = Field(default=None, description="The date it was signed.")


class Withdrawal(Strict):
    """Why a pledge or commitment is withdrawn; shown to the other side and kept in the audit trail."""

    reason: Annotated[str, Field(min_length=3, max_length=2000, pattern=r"^[^\x00]*$")] = Field(
        description="Why it is withdrawn."
    )


class ChangesRequested(Strict):
    """What an officer asks the organisation to change before the pledge can be published."""

    comment: Annotated[str, Field(min_length=3, max_length=2000, pattern=r"^[^\x00]*$")] = Field(
        description="What to change."
    )


class EligibilityInput(Strict):
    """Who can take up an offer; ages must lie inside the covenant's range."""

    min_age: int = Field(ge=0, le=30, description="Youngest eligible age.")
    max_age: int = Field(ge=0, le=30, description="Oldest eligible age.")
    audiences: (
        Annotated[list[Audience], Field(min_length=1, max_length=3), Distinct, AfterValidator(_distinct)] | None
    ) = Field(default=None, description="Audiences; default: the covenant's.")
    care_statuses: Annotated[list[CareStatus], Field(max_length=4), Distinct, AfterValidator(_distinct)] = Field(
        default_factory=list, description="Limit to these care-leaver statuses; empty means any."
    )


class CapacityInput(Strict):
    """How many places an offer has."""

    places: int | None = Field(default=None, ge=1, le=100_000, description="Number of places; null if unlimited.")
    period: CapacityPeriod = Field(description="What `places` counts.")


class HowToAccessInput(Strict):
    """How a young person takes an offer up."""

    text: Annotated[str, Field(min_length=3, max_length=2000, pattern=r"^[^\x00]*$")] = Field(
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


class CommitmentPrivate(BaseModel):
    """A commitment as its organisation and council officers see it, whatever its state."""

    id: str = Field(description="The commitment's id.")
    pledge_id: str = Field(description="The pledge that holds it.")
    covenant: CovenantRef = Field(description="The covenant.")
    signatory: SignatoryRef = Field(description="The organisation.")
    priority: PriorityRef = Field(description="The priority it serves.")
    offer_type: OfferType = Field(description="The kind of offer.")
    title: str = Field(description="Title.")
    description: str = Field(description="What is offered.")
    eligibility: Eligibility = Field(description="Who can take it up.")
    areas: list[str] = Field(description="Where it is available.")
    capacity: Capacity = Field(description="How many places.")
    how_to_access: HowToAccess = Field(description="How to take it up.")
    starts_on: date | None = Field(description="First date.")
    ends_on: date | None = Field(description="Last date.")
    apply_by: date | None = Field(description="Deadline.")
    status: CommitmentStatus = Field(description="Its state.")
    withdrawn_reason: str | None = Field(description="Why it was withdrawn.")
    created_at: datetime = Field(description="When it was added.")
    updated_at: datetime = Field(description="When it last changed.")


class PledgePrivate(BaseModel):
    """A pledge as its organisation and council officers see it, with every commitment and what can happen next."""

    id: str = Field(description="The pledge's id.")
    signatory: SignatoryRef = Field(description="The organisation.")
    covenant: CovenantRef = Field(description="The covenant.")
    statement: str = Field(description="The pledge in the organisation's words.")
    status: PledgeStatus = Field(description="Its state.")
    signed_on: date | None = Field(description="When it was signed.")
    submitted_at: datetime | None = Field(description="When it was last submitted for approval.")
    published_at: datetime | None = Field(description="When it was approved.")
    review_due: date | None = Field(description="When it is next due for review.")
    review_comment: str | None = Field(description="The officer's last request for changes.")
    withdrawn_reason: str | None = Field(description="Why it was withdrawn.")
    withdrawn_at: datetime | None = Field(description="When it was withdrawn.")
    created_at: datetime = Field(description="When it was created.")
    updated_at: datetime = Field(description="When it last changed.")
    allowed_actions: list[str] = Field(description="Lifecycle actions possible now (submit, approve, …).")
    commitments: list[CommitmentPrivate] = Field(description="Every commitment, whatever its state.")


class PledgePrivatePage(BaseModel):
    """A page of pledges, as their organisation or council officers see them (without commitments)."""

    items: list[PledgePrivate] = Field(description="The pledges on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


# ---------------------------------------------------------------- officers and the operator


class AuthorityCreate(Strict):
    """A council or national body joining the registry (operator only)."""

    name: Name = Field(description="The authority's name.", examples=["Lancashire County Council"])
    gss_code: str = Field(pattern=GSS_PATTERN, description="ONS GSS code, e.g. E10000017.")
    region: Name = Field(description="Region, e.g. North West.")
    website: Url | None = Field(default=None, description="The authority's web site.")


class PriorityInput(Strict):
    """An outcome area of a covenant."""

    code: str = Field(
        pattern=PRIORITY_CODE_PATTERN, description="Short code, unique in the covenant.", examples=["EET"]
    )
    title: Name = Field(description="Title.")
    description: Prose = Field(default="", description="What it covers.")
    position: int | None = Field(default=None, ge=0, le=1000, description="Order in the list (default: last).")


class PriorityUpdate(Strict):
    """Changes to a priority: send only the fields to change."""

    title: Name | None = Field(default=None, description="Title.")
    description: Prose | None = Field(default=None, description="What it covers.")
    position: int | None = Field(default=None, ge=0, le=1000, description="Order in the list.")


class CovenantCreate(Strict):
    """A new covenant of the officer's authority (one per audience)."""

    slug: str = Field(min_length=3, max_length=80, pattern=SLUG_PATTERN, description="Readable unique name.")
    title: Name = Field(description="Title.")
    audience: Audience = Field(default=Audience.CARE_LEAVERS, description="Who it is for.")
    min_age: int = Field(default=16, ge=0, le=30, description="Youngest age covered.")
    max_age: int = Field(default=25, ge=0, le=30, description="Oldest age covered.")
    description: Prose = Field(default="", description="What the covenant is about.")
    status: CovenantStatus = Field(default=CovenantStatus.DRAFT, description="draft (not public) or open.")
    launched_on: date | None = Field(default=None, description="Launch date.")
    review_cycle_months: int = Field(default=12, ge=1, le=60, description="How often pledges are reviewed.")
    priorities: list[PriorityInput] = Field(default_factory=list, max_length=50, description="Priorities, in order.")
    authority_id: str | None = Field(
        default=None, max_length=40, pattern=RECORD_ID, description="Operator only: whose covenant."
    )


class CovenantUpdate(Strict):
    """Changes to a covenant: send only the fields to change."""

    title: Name | None = Field(default=None, description="Title.")
    description: Prose | None = Field(default=None, description="What the covenant is about.")
    status: CovenantStatus | None = Field(default=None, description="draft, open or closed.")
    min_age: int | None = Field(default=None, ge=0, le=30, description="Youngest age covered.")
    max_age: int | None = Field(default=None, ge=0, le=30, description="Oldest age covered.")
    launched_on: date | None = Field(default=None, description="Launch date.")
    review_cycle_months: int | None = Field(default=None, ge=1, le=60, description="Review cycle in months.")


class OfficerDecision(Strict):
    """An officer's note on a decision about an organisation (kept in the audit trail)."""

    note: Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$")] = Field(
        default="", description="Why, for the record."
    )


class AuditEventOut(BaseModel):
    """One entry of the audit trail."""

    id: str = Field(description="The event's id (time-ordered).")
    occurred_at: datetime = Field(description="When it happened.")
    actor_kind: str = Field(description="signatory, authority, operator or anonymous (self-registration).")
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


# ---------------------------------------------------------------- delivery returns


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
    narrative: str = Field(description="What happened.")
    correctable_until: date = Field(description="Last day the organisation may correct this return.")
    created_at: datetime = Field(description="When it was filed.")
    updated_at: datetime = Field(description="When it was last corrected.")


class ProgressReportPage(BaseModel):
    """A page of delivery returns."""

    items: list[ProgressReportOut] = Field(description="The returns on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class LapseRequest(Strict):
    """Lapse the covenant's published pledges whose review is overdue by more than the grace period."""

    grace_days: int = Field(default=30, ge=0, le=365, description="Days after `review_due` before a pledge lapses.")


class LapseResult(BaseModel):
    """The pledges that lapsed."""

    lapsed: list[str] = Field(description="Ids of the pledges marked lapsed.")
    as_of: date = Field(description="The date the review dates were compared with.")


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
