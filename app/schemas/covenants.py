"""Covenants, one authority's scheme for one audience, and their priorities, the outcome areas every commitment
is filed under."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from app.enums import Audience, CovenantStatus
from app.schemas.authorities import AuthorityRef
from app.schemas.fields import PRIORITY_CODE_PATTERN, RECORD_ID, SINGLE_LINE, SLUG_PATTERN, Name, Prose, Strict
from app.schemas.pages import PageParams

# ---------------------------------------------------------------- references embedded in other records


class CovenantRef(BaseModel):
    """The covenant a record belongs to."""

    id: str = Field(description="The covenant's id.", examples=["cov_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    slug: str = Field(
        description="The covenant's slug, usable in place of its id.", examples=["lancashire-care-leavers"]
    )
    title: str = Field(description="The covenant's title.", examples=["Lancashire Care Leavers Covenant"])


class PriorityRef(BaseModel):
    """The covenant priority a commitment serves."""

    id: str = Field(description="The priority's id.", examples=["pri_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    code: str = Field(description="The priority's short code within its covenant.", examples=["EET"])
    title: str = Field(description="The priority's title.", examples=["Education, training and employment"])


# ---------------------------------------------------------------- outputs


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
    status: CovenantStatus = Field(
        description="`open` for new pledges, or `closed`; its own officers also see it as a `draft` (not public)."
    )
    launched_on: date | None = Field(description="The date the covenant was launched.")
    review_cycle_months: int = Field(description="How often pledges are reviewed, in months.", examples=[12])
    publish_strategy: bool = Field(
        description="Whether the council publishes its strategy for this covenant (`GET .../strategy`)."
    )


class CovenantDetail(CovenantPublic):
    """A covenant with its priorities, in order."""

    priorities: list[PriorityPublic] = Field(description="The covenant's priorities, in order.")


class CovenantPage(BaseModel):
    """A page of covenants."""

    items: list[CovenantPublic] = Field(description="The covenants on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PriorityList(BaseModel):
    """All priorities of a covenant, in order (never more than one page)."""

    items: list[PriorityPublic] = Field(description="The covenant's priorities, in order.")
    next_cursor: str | None = Field(description="Always null: the whole list fits on one page.")


class CovenantFilters(PageParams):
    authority: str | None = Field(
        default=None, max_length=40, pattern=RECORD_ID, description="Only covenants of this authority (id)."
    )
    audience: Audience | None = Field(default=None, description="Only covenants for this audience.")
    status: CovenantStatus | None = Field(default=None, description="Only `open` or only `closed` covenants.")


# ---------------------------------------------------------------- inputs (officers)


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
    lead_role: Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)] | None = Field(
        default=None, description="The role leading this priority in the strategy (null: no lead)."
    )
    lead_name: Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)] | None = Field(
        default=None,
        description="The lead's name, public only where the covenant publishes its strategy (null: none given).",
    )


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
    publish_strategy: bool = Field(default=False, description="Publish the council's strategy for this covenant.")
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
    publish_strategy: bool | None = Field(default=None, description="Publish the council's strategy for it.")
