"""Signatories: the organisations that sign covenants. The public sees verified ones without their private
contact; the organisation itself, its council officers and the operator see the private profile, which is the
public one plus what only they may read."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.enums import OrganisationType, Sector, SignatoryStatus, SizeBand
from app.schemas.areas import AreaDetail
from app.schemas.common import PrivateView, PublicView
from app.schemas.covenants import CovenantRef
from app.schemas.fields import (
    AREA_FILTER_RULE,
    CHARITY_NUMBER_PATTERN,
    COMPANIES_HOUSE_PATTERN,
    COVENANT_REFERENCE,
    MULTI_LINE,
    PHONE_PATTERN,
    SINGLE_LINE,
    AreaFilter,
    Email,
    Name,
    Prose,
    SignatoryAreaList,
    Strict,
    Url,
)
from app.schemas.keys import IssuedKey
from app.schemas.pages import FreeTextParams
from app.schemas.recognition import RECOGNITION_RULE, EarnedLevel, RecognitionPrivate, RecognitionPublic

# ---------------------------------------------------------------- references embedded in other records


class SignatoryRef(BaseModel):
    """The organisation behind a pledge or commitment."""

    id: str = Field(description="The signatory's id.", examples=["sig_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    name: str = Field(description="The organisation's name.", examples=["Ribble Valley Bakery Co-operative"])
    sector: Sector = Field(description="The organisation's sector.")


# ---------------------------------------------------------------- public outputs


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
    area_details: list[AreaDetail] = Field(
        description="The same areas in the same order, each with its name and kind, for pages to show."
    )
    status: SignatoryStatus = Field(description="Always `verified` in public responses.")
    verified_at: datetime | None = Field(description="When a council officer verified the organisation.")
    recognition: RecognitionPublic = Field(description="What its delivery record earns it.")


class PledgeSummary(BaseModel):
    """A published pledge, as listed on its signatory."""

    id: str = Field(description="The pledge's id.")
    covenant: CovenantRef = Field(description="The covenant the pledge is made in.")
    published_at: datetime | None = Field(description="When the pledge was approved and published.")
    commitment_count: int = Field(description="How many of its commitments are public.")


class SignatoryDetail(SignatoryPublic):
    """A verified organisation with its published pledges."""

    view: PublicView
    pledges: list[PledgeSummary] = Field(description="The organisation's published pledges.")


class SignatoryPage(BaseModel):
    """A page of verified signatories."""

    items: list[SignatoryPublic] = Field(description="The signatories on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


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
    area: AreaFilter = Field(
        description="Where someone lives or a council's area: a council's GSS code, its name or a postcode, or "
        f"`national`. Organisations serving that area by the same rule as offers: {AREA_FILTER_RULE}"
    )
    recognition: EarnedLevel | None = Field(
        default=None, description=f"Only organisations at this level or above (never withheld). {RECOGNITION_RULE}"
    )


# ---------------------------------------------------------------- inputs


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


class OfficerDecision(Strict):
    """An officer's note on a decision about an organisation (kept in the audit trail)."""

    note: Annotated[str, Field(max_length=2000, pattern=MULTI_LINE)] = Field(
        default="", description="Why, for the record."
    )


# ---------------------------------------------------------------- private outputs


class SignatoryPrivate(SignatoryPublic):
    """An organisation as it, its council officers and the operator see it: with its private contact."""

    # Private answers show an organisation in any state, not only verified ones.
    view: PrivateView
    status: SignatoryStatus = Field(description="pending, verified, suspended or withdrawn.")
    contact: PrivateContact = Field(description="The private contact.")
    recognition: RecognitionPrivate = Field(description="Its level, and for officers whether and why it is withheld.")
    created_at: datetime = Field(description="When the organisation registered.")
    updated_at: datetime = Field(description="When the profile last changed.")
    allowed_actions: list[str] = Field(
        description="Decisions the calling key could take now (verify, suspend, reinstate): an officer's, never "
        "the organisation's own."
    )


class SignatoryPrivatePage(BaseModel):
    """A page of organisations as council officers see them."""

    items: list[SignatoryPrivate] = Field(description="The organisations on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Registration(BaseModel):
    """A registered organisation and its first key."""

    signatory: SignatoryPrivate = Field(description="The organisation, pending verification.")
    api_key: IssuedKey = Field(description="The organisation's first key, with every scope.")


SignatoryRead = Annotated[SignatoryDetail | SignatoryPrivate, Field(discriminator="view")]
"""A signatory read: the public representation, or the private one for a key that may see it (by `view`)."""
