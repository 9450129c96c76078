"""The Open Referral UK 3.0 objects the registry publishes (HSDS 3.0 with the UK profile), as the standard defines
them: only its fields, required ones always present, optional ones left out when empty (never null), ids as
UUIDs. The field lists follow the UK profile's schema files (service, organization, service_area, cost_option,
attribute, taxonomy, taxonomy_term) and its OpenAPI document (the page and the feed's metadata)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

# An optional field of the standard: absent when empty. SkipJsonSchema keeps `null` out of the contract, since
# the feed never sends it (the answers are built without the empty fields).
Absent = SkipJsonSchema[None]
Uuid = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
Uri = Annotated[str, Field(json_schema_extra={"format": "uri"})]
Email = Annotated[str, Field(json_schema_extra={"format": "email"})]

ServiceStatus = Literal["active", "inactive", "defunct", "temporarily closed"]
UK_PROFILE = "https://open-referral-uk-profile.readthedocs.io/en/latest/"


class Standard(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrukMeta(Standard):
    """What the feed is: the HSDS version, its profile, and the OpenAPI document describing it."""

    version: str = Field(description="HSDS version of this API: `3.0`.", examples=["3.0"])
    profile: Uri = Field(description="The HSDS profile this API follows (the UK profile).")
    openapi_url: Uri = Field(description="URL of the OpenAPI document of this feed.")


class TaxonomyTerm(Standard):
    """A term of one of the registry's taxonomies: an offer type, an audience, a care status, or one of a
    covenant's priorities."""

    id: Uuid = Field(description="The term's UUID, stable across requests.")
    name: str = Field(description="The term in plain words.")
    description: str = Field(description="What the term means.")
    taxonomy: str | Absent = Field(default=None, description="The name of the taxonomy it belongs to.")
    taxonomy_id: Uuid | Absent = Field(default=None, description="The taxonomy it belongs to.")
    term: str | Absent = Field(default=None, description="The registry's own code for it (`job`, `EET`).")


class Taxonomy(Standard):
    """One of the registry's vocabularies: offer types, audiences, care statuses, or a covenant's priorities."""

    id: Uuid = Field(description="The taxonomy's UUID, stable across requests.")
    name: str = Field(description="Its name.")
    description: str = Field(description="What it classifies.")
    version: str | Absent = Field(default=None, description="The version of the vocabulary.")


class Organization(Standard):
    """A verified organisation that has signed a covenant."""

    id: Uuid = Field(description="The organisation's UUID (the registry's signatory id, as a UUID).")
    name: str = Field(description="The organisation's name.")
    description: str = Field(description="What the organisation does, in its own words.")
    email: Email | Absent = Field(default=None, description="Its public contact, when that is an email address.")
    website: Uri | Absent = Field(default=None, description="Its web site.")


class ServiceArea(Standard):
    """Where an offer is available: a council's area (by its ONS GSS code), national, or remote."""

    id: Uuid = Field(description="The area's UUID for this service.")
    service_id: Uuid = Field(description="The service it belongs to.")
    name: str | Absent = Field(default=None, description="The area's name (`Preston`, `National`).")
    uri: Uri | Absent = Field(
        default=None,
        description="The ONS statistical geography URI of a council's area; absent for national and remote reach.",
    )


class CostOption(Standard):
    """What the offer costs a young person it is open to."""

    id: Uuid = Field(description="The cost option's UUID.")
    service_id: Uuid = Field(description="The service it belongs to.")
    option: str | Absent = Field(default=None, description="Who the cost applies to.")
    amount: float | Absent = Field(default=None, description="The cost in pounds: 0 for a free offer.")
    amount_description: str | Absent = Field(default=None, description="The cost in words.")


class Attribute(Standard):
    """A taxonomy term linked to a service: its offer type, its covenant priority, an audience, a care status."""

    id: Uuid = Field(description="The link's UUID.")
    link_id: Uuid = Field(description="The service the term describes.")
    link_type: str = Field(description="What the term describes: `service_type`, `priority` or `eligibility`.")
    taxonomy_term_id: Uuid = Field(description="The term.")
    taxonomy_term: TaxonomyTerm = Field(description="The term itself.")


class ServiceSummary(Standard):
    """A public offer as a list gives it: the service's own fields and its organisation."""

    id: Uuid = Field(description="The service's UUID (the registry's commitment id, as a UUID).")
    organization_id: Uuid = Field(description="The organisation making the offer.")
    name: str = Field(description="The offer's title.")
    description: str | Absent = Field(default=None, description="What is offered.")
    url: Uri | Absent = Field(default=None, description="Where to apply or find out more.")
    email: Email | Absent = Field(default=None, description="The organisation's public email address.")
    status: ServiceStatus = Field(
        description="`active`, or `temporarily closed` while the offer is paused or its places are full."
    )
    minimum_age: int | Absent = Field(default=None, description="The youngest age the offer is open to.")
    maximum_age: int | Absent = Field(default=None, description="The oldest age the offer is open to.")
    assured_date: str | Absent = Field(
        default=None, description="When a council officer last approved the offer's pledge (YYYY-MM-DD)."
    )
    last_modified: datetime | Absent = Field(default=None, description="When the public last saw the offer change.")
    organization: Organization = Field(description="The organisation making the offer.")


class Service(ServiceSummary):
    """A public offer with everything it links: its areas, its cost and its taxonomy terms."""

    service_areas: list[ServiceArea] = Field(description="Where it is available.")
    cost_options: list[CostOption] = Field(description="What it costs (empty when the registry does not know).")
    attributes: list[Attribute] = Field(description="Its offer type, covenant priority, audiences, care statuses.")


class MinimalService(Standard):
    """A service as `minimal=true` gives it: enough to tell what changed."""

    id: Uuid = Field(description="The service's UUID.")
    last_modified: datetime = Field(description="When the public last saw the offer change.")


class Page(Standard):
    """A page of results, numbered from 1."""

    total_items: int = Field(description="How many results match, on every page.")
    total_pages: int = Field(description="How many pages of `per_page` they fill (0 when nothing matches).")
    page_number: int = Field(description="This page's number, from 1.")
    size: int = Field(description="How many results this page holds.")
    first_page: bool = Field(description="Whether this is the first page.")
    last_page: bool = Field(description="Whether no page follows this one.")
    empty: bool = Field(description="Whether this page holds no results.")


class ServicePage(Page):
    contents: list[ServiceSummary | Service | MinimalService] = Field(
        description="The services: summaries, or full services with `full=true`, or ids and times with `minimal=true`."
    )


class OrganizationPage(Page):
    contents: list[Organization] = Field(description="The organisations.")


class TaxonomyPage(Page):
    contents: list[Taxonomy] = Field(description="The taxonomies.")


class TaxonomyTermPage(Page):
    contents: list[TaxonomyTerm] = Field(description="The taxonomy terms.")


# ---------------------------------------------------------------- query parameters

MAX_PER_PAGE = 100
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class PageParams(BaseModel):
    page: int = Field(default=1, ge=1, le=1_000_000, description="The page to return, from 1.")
    per_page: int = Field(
        default=50, ge=1, le=MAX_PER_PAGE, description=f"Results per page, 1 to {MAX_PER_PAGE} (more is a 422)."
    )


class SearchParams(PageParams):
    search: str | None = Field(
        default=None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1F\x7F]*$", description="Free text search."
    )


class ServiceFilters(SearchParams):
    """The services' filters, combined with AND."""

    taxonomy_term_id: str | None = Field(
        default=None, pattern=UUID_PATTERN, description="Only services linked to this taxonomy term."
    )
    taxonomy_id: str | None = Field(
        default=None, pattern=UUID_PATTERN, description="Only services linked to any term of this taxonomy."
    )
    organization_id: str | None = Field(
        default=None, pattern=UUID_PATTERN, description="Only services of this organisation."
    )
    modified_after: datetime | None = Field(
        default=None, description="Only services the public last saw change at or after this time (ISO 8601)."
    )
    postcode: str | None = Field(
        default=None,
        min_length=5,
        max_length=10,
        pattern=r"^[A-Za-z0-9 ]+$",
        description="Only services available to someone living at this postcode: offers for its district, for "
        "the county it is in, national and remote ones (the ONS Postcode Directory).",
    )
    minimal: bool = Field(default=False, description="Return only each service's `id` and `last_modified`.")
    full: bool = Field(default=False, description="Return fully nested services.")
    format: Literal["json", "ndjson"] = Field(
        default="json",
        description="`ndjson` streams every matching service, one JSON object per line, without pages.",
    )


class TaxonomyTermFilters(SearchParams):
    taxonomy_id: str | None = Field(default=None, pattern=UUID_PATTERN, description="Only terms of this taxonomy.")
    top_only: bool = Field(default=False, description="Only terms without a parent (all of the registry's).")
    parent_id: str | None = Field(
        default=None, pattern=UUID_PATTERN, description="Only terms under this one (the registry's are flat)."
    )
