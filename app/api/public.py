"""The public read API: GET only, no key, cacheable, open to any web page (CORS).

Each route validates its parameters, asks app/services/public_read.py for plain documents and answers
through `public_json`, which adds the ETag, the 304 and the cache headers.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import OptionalCaller
from app.api.deps import OPTIONAL_KEY, CovenantReference, ReadConnection, RecordId
from app.api.http import private_json, public_json, public_page, record_etag
from app.api.problems import read_docs
from app.errors import NotFound
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
from app.schemas.writes import CommitmentPrivate, PledgePrivate, SignatoryPrivate
from app.services import commitments, pledges, public_read, signatories

router = APIRouter(prefix="/v1")

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
    response_model=SignatoryDetail | SignatoryPrivate,
    tags=["Signatories"],
    summary="Get a signatory",
    responses=read_docs(401, 404, 422),
    openapi_extra=OPTIONAL_KEY,
)
async def get_signatory(
    request: Request, signatory_id: RecordId, conn: ReadConnection, caller: OptionalCaller
) -> Response:
    """One verified organisation with its published pledges. With the organisation's own key (or that of an
    officer of a covenant it pledged to, or the operator) the private profile, whatever its status."""
    if caller is not None:
        private = await private_view(
            request,
            lambda session: signatories.get_for(session, caller, signatory_id),
            signatories.private_document,
        )
        if private is not None:
            return private
    return public_json(request, await public_read.get_signatory(conn, signatory_id), varies_by_key=True)


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
    response_model=PledgeDetail | PledgePrivate,
    tags=["Pledges"],
    summary="Get a pledge",
    responses=read_docs(401, 404, 422),
    openapi_extra=OPTIONAL_KEY,
)
async def get_pledge(request: Request, pledge_id: RecordId, conn: ReadConnection, caller: OptionalCaller) -> Response:
    """One published pledge with its public commitments. With its organisation's key (or an officer's of its
    covenant, or the operator's) the pledge in any state, with every commitment and what can happen next."""
    if caller is not None:
        private = await private_view(
            request, lambda session: pledges.get_for(session, caller, pledge_id), pledges.private_document
        )
        if private is not None:
            return private
    return public_json(request, await public_read.get_pledge(conn, pledge_id), varies_by_key=True)


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
    response_model=CommitmentPublic | CommitmentPrivate,
    tags=["Commitments"],
    summary="Get an offer",
    responses=read_docs(401, 404, 422, example=examples.COMMITMENT),
    openapi_extra=OPTIONAL_KEY,
)
async def get_commitment(
    request: Request, commitment_id: RecordId, conn: ReadConnection, caller: OptionalCaller
) -> Response:
    """One public offer. With its organisation's key (or an officer's of its covenant, or the operator's) the
    commitment in any state."""
    if caller is not None:
        private = await private_view(
            request,
            lambda session: commitments.get_for(session, caller, commitment_id),
            lambda session, row: commitments.private_document(session, row.id),
        )
        if private is not None:
            return private
    return public_json(request, await public_read.get_commitment(conn, commitment_id), varies_by_key=True)


async def private_view(
    request: Request,
    find: Callable[[AsyncSession], Awaitable[Any]],
    document: Callable[[AsyncSession, Any], Awaitable[Any]],
) -> Response | None:
    """The private representation if the caller may see one; None sends them the public one (or its 404)."""
    async with request.app.state.sessionmaker() as session:
        try:
            record = await find(session)
        except NotFound:
            return None
        body = await document(session, record)
    return private_json(body, headers={"ETag": record_etag(record), "Vary": "Authorization"})
