"""The public read API: GET only, no key, cacheable, open to any web page (CORS).

Each route validates its parameters, asks app/services/public_read.py for plain documents and answers
through `public_json`, which adds the ETag, the 304 and the cache headers.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api import examples
from app.api.deps import ReadConnection
from app.api.http import public_json, public_page
from app.api.problems import problem_docs
from app.schemas.public import (
    AuthorityFilters,
    AuthorityPage,
    AuthorityPublic,
    CommitmentFilters,
    CommitmentPage,
    CommitmentPublic,
    CovenantDetail,
    CovenantFilters,
    CovenantPage,
    PledgeDetail,
    PledgeFilters,
    PledgePage,
    PriorityList,
    SignatoryDetail,
    SignatoryFilters,
    SignatoryPage,
)
from app.schemas.types import ID_CHARS
from app.services import public_read

router = APIRouter(prefix="/v1")

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the copy named by `If-None-Match` is still current."}
}


def read_docs(*statuses: int, example: Any = None) -> dict[int | str, dict[str, Any]]:
    documented = {**NOT_MODIFIED, **problem_docs(*statuses)}
    if example is not None:
        documented[200] = examples.json_example(example)
    return documented


RecordId = Annotated[str, Path(max_length=40, pattern=ID_CHARS, description="The record's id.")]
CovenantReference = Annotated[str, Path(max_length=100, pattern=ID_CHARS, description="The covenant's id or slug.")]


# ---------------------------------------------------------------- authorities


@router.get(
    "/authorities",
    response_model=AuthorityPage,
    tags=["Authorities"],
    summary="List authorities",
    responses=read_docs(422, example=examples.page(examples.AUTHORITY)),
)
async def list_authorities(
    request: Request, filters: Annotated[AuthorityFilters, Query()], conn: ReadConnection
) -> Response:
    """Councils and national bodies that run covenants, in name order."""
    return public_page(request, await public_read.list_authorities(conn, filters))


@router.get(
    "/authorities/{authority_id}",
    response_model=AuthorityPublic,
    tags=["Authorities"],
    summary="Get an authority",
    responses=read_docs(404, 422),
)
async def get_authority(request: Request, authority_id: RecordId, conn: ReadConnection) -> Response:
    """One council or national body."""
    return public_json(request, await public_read.get_authority(conn, authority_id))


# ---------------------------------------------------------------- covenants


@router.get(
    "/covenants",
    response_model=CovenantPage,
    tags=["Covenants"],
    summary="List covenants",
    responses=read_docs(422, example=examples.page(examples.COVENANT)),
)
async def list_covenants(
    request: Request, filters: Annotated[CovenantFilters, Query()], conn: ReadConnection
) -> Response:
    """Open and closed covenants (drafts are not public), oldest first."""
    return public_page(request, await public_read.list_covenants(conn, filters))


@router.get(
    "/covenants/{covenant}",
    response_model=CovenantDetail,
    tags=["Covenants"],
    summary="Get a covenant",
    responses=read_docs(404, 422),
)
async def get_covenant(request: Request, covenant: CovenantReference, conn: ReadConnection) -> Response:
    """One covenant, by id or slug, with its priorities in order."""
    return public_json(request, await public_read.get_covenant(conn, covenant))


@router.get(
    "/covenants/{covenant}/priorities",
    response_model=PriorityList,
    tags=["Covenants"],
    summary="List a covenant's priorities",
    responses=read_docs(404, 422, example=examples.page(examples.PRIORITY, next_cursor=None)),
)
async def list_priorities(request: Request, covenant: CovenantReference, conn: ReadConnection) -> Response:
    """The outcome areas of a covenant, in the covenant's order."""
    return public_page(request, await public_read.list_priorities(conn, covenant))


# ---------------------------------------------------------------- signatories


@router.get(
    "/signatories",
    response_model=SignatoryPage,
    tags=["Signatories"],
    summary="List signatories",
    responses=read_docs(422, example=examples.page(examples.SIGNATORY)),
)
async def list_signatories(
    request: Request, filters: Annotated[SignatoryFilters, Query()], conn: ReadConnection
) -> Response:
    """Verified organisations, in name order. `q` searches their names."""
    return public_page(request, await public_read.list_signatories(conn, filters))


@router.get(
    "/signatories/{signatory_id}",
    response_model=SignatoryDetail,
    tags=["Signatories"],
    summary="Get a signatory",
    responses=read_docs(404, 422),
)
async def get_signatory(request: Request, signatory_id: RecordId, conn: ReadConnection) -> Response:
    """One verified organisation with its published pledges."""
    return public_json(request, await public_read.get_signatory(conn, signatory_id))


# ---------------------------------------------------------------- pledges


@router.get(
    "/pledges",
    response_model=PledgePage,
    tags=["Pledges"],
    summary="List pledges",
    responses=read_docs(422, example=examples.page(examples.PLEDGE)),
)
async def list_pledges(request: Request, filters: Annotated[PledgeFilters, Query()], conn: ReadConnection) -> Response:
    """Published pledges of verified organisations, oldest first."""
    return public_page(request, await public_read.list_pledges(conn, filters))


@router.get(
    "/pledges/{pledge_id}",
    response_model=PledgeDetail,
    tags=["Pledges"],
    summary="Get a pledge",
    responses=read_docs(404, 422),
)
async def get_pledge(request: Request, pledge_id: RecordId, conn: ReadConnection) -> Response:
    """One published pledge with its public commitments."""
    return public_json(request, await public_read.get_pledge(conn, pledge_id))


# ---------------------------------------------------------------- commitments


@router.get(
    "/commitments",
    response_model=CommitmentPage,
    tags=["Commitments"],
    summary="Find offers",
    responses=read_docs(422, example=examples.page(examples.COMMITMENT)),
)
async def list_commitments(
    request: Request, filters: Annotated[CommitmentFilters, Query()], conn: ReadConnection
) -> Response:
    """Public offers (active, paused or full commitments of published pledges), oldest first.

    Filters combine with AND; a filter repeated (`offer_type=job&offer_type=apprenticeship`) matches any of
    its values. `area` takes the GSS code of where a young person lives and also returns national and remote
    offers; `age` returns offers whose age range includes it. Each item carries the organisation's name and
    the priority's code and title, so a page can show it without another call.
    """
    return public_page(request, await public_read.list_commitments(conn, filters))


@router.get(
    "/commitments/{commitment_id}",
    response_model=CommitmentPublic,
    tags=["Commitments"],
    summary="Get an offer",
    responses=read_docs(404, 422, example=examples.COMMITMENT),
)
async def get_commitment(request: Request, commitment_id: RecordId, conn: ReadConnection) -> Response:
    """One public offer."""
    return public_json(request, await public_read.get_commitment(conn, commitment_id))
