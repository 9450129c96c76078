"""The Open Referral UK 3.0 feed: every public offer as a `service`, for council directories, Family Hubs and
anyone who speaks the standard. Open (no key), any origin, and described by its own OpenAPI document
(`/oruk/openapi.json`, made from these routes) rather than the registry's contract, which links to it."""

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from starlette.responses import JSONResponse, Response, StreamingResponse

from app.api.deps import ReadConnection
from app.api.http import public_cache_control, public_json
from app.api.openapi import decorate_operations, operation_id
from app.api.problems import read_docs
from app.schemas.oruk import (
    UK_PROFILE,
    UUID_PATTERN,
    Organization,
    OrganizationPage,
    OrukMeta,
    SearchParams,
    Service,
    ServiceFilters,
    ServicePage,
    Taxonomy,
    TaxonomyPage,
    TaxonomyTerm,
    TaxonomyTermFilters,
    TaxonomyTermPage,
)
from app.services import councils, oruk

PREFIX = "/oruk"
TAG = "Open Referral UK"
NDJSON = "application/x-ndjson"
# Operation ids are the function names, as in the registry's contract (list_oruk_services, …).
router = APIRouter(prefix=PREFIX, tags=[TAG], generate_unique_id_function=operation_id)

RecordUuid = Annotated[str, Path(pattern=UUID_PATTERN, description="The record's UUID.")]


@router.get("/", response_model=OrukMeta, summary="What this feed is", responses=read_docs())
async def get_oruk_meta(request: Request) -> Response:
    """The HSDS version (3.0), the UK profile, and where this feed's OpenAPI document is."""
    base = str(request.base_url).rstrip("/")
    return public_json(
        request, {"version": "3.0", "profile": UK_PROFILE, "openapi_url": f"{base}{PREFIX}/openapi.json"}
    )


@router.get("/openapi.json", include_in_schema=False)
async def get_oruk_openapi(request: Request) -> Response:
    return JSONResponse(oruk_openapi(request.app))


NDJSON_RESPONSE = {
    "content": {NDJSON: {"schema": {"type": "string", "description": "One service (JSON) per line."}}},
    "description": "The page, or with `format=ndjson` every matching service, one per line.",
}


@router.get(
    "/services",
    response_model=ServicePage,
    summary="List services",
    responses={**read_docs(422), 200: NDJSON_RESPONSE},
)
async def list_oruk_services(
    request: Request, filters: Annotated[ServiceFilters, Query()], conn: ReadConnection
) -> Response:
    """Every public covenant offer as an ORUK service, by page (`page` from 1, `per_page` up to 100), oldest
    first. Filters combine with AND. `format=ndjson` streams every match, one service per line, without pages.
    `postcode` keeps the offers someone living there can use: those for its district, for the county it is in,
    and national and remote ones."""
    council = await councils.postcode_council(filters.postcode, pointer="/postcode") if filters.postcode else None
    if filters.format == "ndjson":
        return StreamingResponse(
            oruk.stream_services(request.app.state.engine, filters, council),
            media_type=NDJSON,
            headers={"Cache-Control": public_cache_control(request)},
        )
    return public_json(request, await oruk.services_page(conn, filters, council))


@router.get("/services/{id}", response_model=Service, summary="Get a service", responses=read_docs(404, 422))
async def get_oruk_service(request: Request, id: RecordUuid, conn: ReadConnection) -> Response:
    """One public offer, fully nested: its organisation, areas, cost and taxonomy terms."""
    return public_json(request, await oruk.service_by_id(conn, id))


@router.get("/organizations", response_model=OrganizationPage, summary="List organizations", responses=read_docs(422))
async def list_oruk_organizations(
    request: Request, params: Annotated[SearchParams, Query()], conn: ReadConnection
) -> Response:
    """Every verified organisation that has signed a covenant, by page; `search` matches their names."""
    return public_json(request, await oruk.organizations_page(conn, params, params.search))


@router.get(
    "/organizations/{id}", response_model=Organization, summary="Get an organization", responses=read_docs(404, 422)
)
async def get_oruk_organization(request: Request, id: RecordUuid, conn: ReadConnection) -> Response:
    """One verified organisation."""
    return public_json(request, await oruk.organization_by_id(conn, id))


@router.get("/taxonomies", response_model=TaxonomyPage, summary="List taxonomies", responses=read_docs(422))
async def list_oruk_taxonomies(
    request: Request, params: Annotated[SearchParams, Query()], conn: ReadConnection
) -> Response:
    """The offer types, audiences and care statuses, then each public covenant's priorities."""
    return public_json(request, await oruk.taxonomies_page(conn, params, params.search))


@router.get("/taxonomies/{id}", response_model=Taxonomy, summary="Get a taxonomy", responses=read_docs(404, 422))
async def get_oruk_taxonomy(request: Request, id: RecordUuid, conn: ReadConnection) -> Response:
    """One taxonomy."""
    return public_json(request, await oruk.taxonomy_by_id(conn, id))


@router.get("/taxonomy_terms", response_model=TaxonomyTermPage, summary="List taxonomy terms", responses=read_docs(422))
async def list_oruk_taxonomy_terms(
    request: Request, filters: Annotated[TaxonomyTermFilters, Query()], conn: ReadConnection
) -> Response:
    """Every term of every taxonomy (`taxonomy_id` for one's); the registry's terms are flat, so `top_only`
    changes nothing and `parent_id` finds none."""
    return public_json(request, await oruk.taxonomy_terms_page(conn, filters))


@router.get(
    "/taxonomy_terms/{id}", response_model=TaxonomyTerm, summary="Get a taxonomy term", responses=read_docs(404, 422)
)
async def get_oruk_taxonomy_term(request: Request, id: RecordUuid, conn: ReadConnection) -> Response:
    """One taxonomy term."""
    return public_json(request, await oruk.taxonomy_term_by_id(conn, id))


# ---------------------------------------------------------------- its own OpenAPI document

ORUK_DESCRIPTION = """\
The registry's public offers as an Open Referral UK feed (HSDS 3.0, UK profile): each offer is a `service`,
each verified organisation an `organization`, and offer types, audiences, care statuses and each covenant's
priorities are taxonomies. Open, no key, any origin. Empty optional fields are left out, never null.
The registry's own API is described at `/openapi.json`."""


def oruk_openapi(app: FastAPI) -> dict[str, Any]:
    """This feed's OpenAPI document, made once per app from these routes alone."""
    if not hasattr(app.state, "oruk_openapi"):
        built = get_openapi(
            title="Care-leavers covenant registry: Open Referral UK feed",
            version="3.0",
            openapi_version="3.1.0",
            description=ORUK_DESCRIPTION,
            routes=router.routes,
            tags=[{"name": TAG, "description": "The Open Referral UK 3.0 read endpoints."}],
        )
        decorate_operations(built, keyset_pages=False)  # numbered pages, no Link
        app.state.oruk_openapi = built
    document: dict[str, Any] = app.state.oruk_openapi
    return document
