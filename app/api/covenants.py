"""Covenants and their priorities. Anyone reads open and closed covenants; an authority's officers create and
edit their own (the operator: any authority's)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import OfficerWriter, OptionalCaller
from app.api.deps import OPTIONAL_KEY, CovenantReference, IfMatch, ReadConnection, RecordId, detail_read
from app.api.etags import precondition
from app.api.http import public_page
from app.api.problems import CHANGE_ERRORS, problem_docs, read_docs
from app.api.responses import Rendered, created, current
from app.api.transactions import ChangeTransaction, PostTransaction
from app.models import Covenant, Priority
from app.schemas.covenants import (
    CovenantCreate,
    CovenantDetail,
    CovenantFilters,
    CovenantPage,
    CovenantUpdate,
    PriorityInput,
    PriorityList,
    PriorityPublic,
    PriorityUpdate,
)
from app.services import covenants, private_read, public_read
from app.services.lookup import priority_document

router = APIRouter(prefix="/v1", tags=["Covenants"])


async def render_covenant(session: AsyncSession, covenant: Covenant) -> Rendered:
    return current(await private_read.covenant_document(session, covenant), covenant)


async def created_covenant(session: AsyncSession, covenant: Covenant) -> Rendered:
    document = await private_read.covenant_document(session, covenant)
    return created(document, f"/v1/covenants/{covenant.slug}", covenant)


async def render_priority(_session: AsyncSession, priority: Priority) -> Rendered:
    return current(priority_document(priority), priority)


async def created_priority(_session: AsyncSession, priority: Priority) -> Rendered:
    # A priority is read through its covenant, which is where a client finds it again.
    rendered = current(priority_document(priority), priority)
    rendered.status_code = 201
    return rendered


# ---------------------------------------------------------------- public reads


@router.get(
    "/covenants",
    response_model=CovenantPage,
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
    summary="Get a covenant",
    responses=read_docs(401, 404, 422),
    openapi_extra=OPTIONAL_KEY,
)
async def get_covenant(
    request: Request, covenant: CovenantReference, conn: ReadConnection, caller: OptionalCaller
) -> Response:
    """One covenant, by id or slug, with its priorities in order. With a key of its authority's officers (or
    the operator's) the covenant in any state, drafts included, with the ETag that `PATCH` takes in If-Match."""
    return await detail_read(
        request,
        caller,
        lambda session, key: private_read.covenant_view(session, key, covenant),
        lambda: public_read.get_covenant(conn, covenant),
    )


@router.get(
    "/covenants/{covenant}/priorities",
    response_model=PriorityList,
    summary="List a covenant's priorities",
    responses=read_docs(404, 422, example=examples.page(examples.PRIORITY, next_cursor=None)),
)
async def list_priorities(request: Request, covenant: CovenantReference, conn: ReadConnection) -> Response:
    """The outcome areas of a covenant, in the covenant's order."""
    return public_page(request, await public_read.list_priorities(conn, covenant))


@router.get(
    "/priorities/{priority_id}",
    response_model=PriorityPublic,
    summary="Get a priority",
    responses=read_docs(401, 404, 422),
    openapi_extra=OPTIONAL_KEY,
)
async def get_priority(
    request: Request, priority_id: RecordId, conn: ReadConnection, caller: OptionalCaller
) -> Response:
    """One outcome area of a public covenant. With a key of its authority's officers (or the operator's) a
    priority of a covenant in any state, with the ETag that `PATCH` takes in If-Match."""
    return await detail_read(
        request,
        caller,
        lambda session, key: private_read.priority_view(session, key, priority_id),
        lambda: public_read.get_priority(conn, priority_id),
    )


# ---------------------------------------------------------------- officers


@router.post(
    "/covenants",
    status_code=201,
    response_model=CovenantDetail,
    summary="Create a covenant",
    responses=problem_docs(401, 403, 409, 413, 422),
)
async def create_covenant(body: CovenantCreate, caller: OfficerWriter, tx: PostTransaction) -> Response:
    """Create a covenant of your authority, as a draft (not public) or open, with its priorities."""
    return await tx.run(lambda session: covenants.create_covenant(session, caller, body), created_covenant)


@router.patch(
    "/covenants/{covenant}",
    response_model=CovenantDetail,
    summary="Edit a covenant",
    responses=problem_docs(*CHANGE_ERRORS),
)
async def update_covenant(
    covenant: CovenantReference,
    body: CovenantUpdate,
    caller: OfficerWriter,
    tx: ChangeTransaction,
    if_match: IfMatch = None,
) -> Response:
    """Edit your covenant: open a draft, close or reopen it, change its text, ages or review cycle."""
    expected = precondition(if_match)
    return await tx.run(
        lambda session: covenants.update_covenant(session, caller, covenant, expected, body), render_covenant
    )


@router.post(
    "/covenants/{covenant}/priorities",
    status_code=201,
    response_model=PriorityPublic,
    summary="Add a priority to a covenant",
    responses=problem_docs(401, 403, 404, 409, 413, 422),
)
async def create_priority(
    covenant: CovenantReference, body: PriorityInput, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Add an outcome area to your covenant (last in order unless `position` says otherwise)."""
    return await tx.run(lambda session: covenants.add_priority(session, caller, covenant, body), created_priority)


@router.patch(
    "/priorities/{priority_id}",
    response_model=PriorityPublic,
    summary="Edit a priority",
    responses=problem_docs(401, 403, 404, 412, 422, 428),
)
async def update_priority(
    priority_id: RecordId, body: PriorityUpdate, caller: OfficerWriter, tx: ChangeTransaction, if_match: IfMatch = None
) -> Response:
    """Change a priority's title, description or position; public offers under it follow at once."""
    expected = precondition(if_match)
    return await tx.run(
        lambda session: covenants.update_priority(session, caller, priority_id, expected, body), render_priority
    )
