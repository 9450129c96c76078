"""Pledges: an organisation's signed statement in one covenant. Anyone reads published ones; the organisation
drafts, submits and withdraws its own; the covenant's officers review, approve, ask for changes, follow the
review cycle and lapse overdue pledges."""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import AnyReader, AnyWriter, OfficerReader, OfficerWriter, OptionalCaller, OrganisationWriter
from app.api.deps import (
    OPTIONAL_KEY,
    CovenantReference,
    IfMatch,
    PrivateSession,
    ReadConnection,
    RecordId,
    detail_read,
)
from app.api.etags import precondition
from app.api.http import private_json, public_page
from app.api.problems import ACTION_ERRORS, CHANGE_ERRORS, problem_docs, read_docs
from app.api.responses import Rendered, created, current
from app.api.transactions import ChangeTransaction, PostTransaction
from app.enums import PledgeStatus
from app.models import Pledge
from app.schemas.fields import Withdrawal
from app.schemas.pages import PageParams
from app.schemas.pledges import (
    ChangesRequested,
    LapseRequest,
    LapseResult,
    PledgeCreate,
    PledgeFilters,
    PledgePage,
    PledgePrivate,
    PledgePrivatePage,
    PledgeRead,
    PledgeUpdate,
    ReviewDuePage,
)
from app.services import pledges, private_read, public_read, reviews
from app.services.access import Principal

router = APIRouter(prefix="/v1")

PledgeStatuses = Annotated[list[PledgeStatus], Query(description="Only pledges in these states.")]


def render_pledge(caller: Principal) -> Callable[[AsyncSession, Pledge], Awaitable[Rendered]]:
    """The pledge as the caller now sees it, with what the caller may do next."""

    async def render(session: AsyncSession, pledge: Pledge) -> Rendered:
        return current(await private_read.pledge_document(session, pledge, caller), pledge)

    return render


def created_pledge(caller: Principal) -> Callable[[AsyncSession, Pledge], Awaitable[Rendered]]:
    async def render(session: AsyncSession, pledge: Pledge) -> Rendered:
        document = await private_read.pledge_document(session, pledge, caller)
        return created(document, f"/v1/pledges/{pledge.id}", pledge)

    return render


# ---------------------------------------------------------------- public reads


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
    response_model=PledgeRead,
    tags=["Pledges"],
    summary="Get a pledge",
    responses=read_docs(401, 404, 422),
    openapi_extra=OPTIONAL_KEY,
)
async def get_pledge(request: Request, pledge_id: RecordId, conn: ReadConnection, caller: OptionalCaller) -> Response:
    """One published pledge with its public commitments. With its organisation's key (or an officer's of its
    covenant, or the operator's) the pledge in any state, with every commitment and what can happen next."""
    return await detail_read(
        request,
        caller,
        lambda session, key: private_read.pledge_view(session, key, pledge_id),
        lambda: public_read.get_pledge(conn, pledge_id),
    )


# ---------------------------------------------------------------- the organisation's


@router.get(
    "/signatories/{signatory_id}/pledges",
    response_model=PledgePrivatePage,
    tags=["Organisations"],
    summary="List an organisation's pledges in every state",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.page(examples.PLEDGE_PRIVATE))},
)
async def list_signatory_pledges(
    signatory_id: RecordId,
    caller: AnyReader,
    session: PrivateSession,
    page: Annotated[PageParams, Query()],
    status: PledgeStatuses = [],  # noqa: B006
) -> Response:
    """Drafts and all: for the organisation itself, the operator, and officers (for their own covenants)."""
    statuses = [s.value for s in status]
    result = await private_read.pledges_of_signatory(session, caller, signatory_id, statuses, page.cursor, page.limit)
    return private_json(result.as_document())


@router.post(
    "/pledges",
    status_code=201,
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Start a pledge",
    responses=problem_docs(401, 403, 404, 409, 413, 422),
)
async def create_pledge(
    body: Annotated[PledgeCreate, Body(openapi_examples=examples.PLEDGE_CREATE_EXAMPLES)],
    caller: OrganisationWriter,
    tx: PostTransaction,
) -> Response:
    """Start a draft pledge in an open covenant. Add commitments, then submit it for approval: afterwards, one
    by one, or in this request (`commitments`, and `submit: true`), all or nothing. The answer holds the
    pledge with every commitment created."""
    return await tx.run(lambda session: pledges.create(session, caller, body), created_pledge(caller))


@router.patch(
    "/pledges/{pledge_id}",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Edit a draft pledge",
    responses=problem_docs(*CHANGE_ERRORS),
)
async def update_pledge(
    pledge_id: RecordId, body: PledgeUpdate, caller: OrganisationWriter, tx: ChangeTransaction, if_match: IfMatch = None
) -> Response:
    """Change the statement or signing date while the pledge is a draft or has changes requested."""
    expected = precondition(if_match)
    return await tx.run(
        lambda session: pledges.update(session, caller, pledge_id, expected, body), render_pledge(caller)
    )


@router.post(
    "/pledges/{pledge_id}/submit",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Submit a pledge for approval",
    responses=problem_docs(*ACTION_ERRORS),
)
async def submit_pledge(pledge_id: RecordId, caller: OrganisationWriter, tx: PostTransaction) -> Response:
    """Send a draft (or a pledge with changes requested, or a lapsed one) to the council for approval."""
    return await tx.run(lambda session: pledges.submit(session, caller, pledge_id), render_pledge(caller))


@router.post(
    "/pledges/{pledge_id}/withdraw",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Withdraw a published pledge",
    responses=problem_docs(*ACTION_ERRORS),
)
async def withdraw_pledge(pledge_id: RecordId, body: Withdrawal, caller: AnyWriter, tx: PostTransaction) -> Response:
    """Withdraw a published pledge, with a reason: its organisation or an officer of the covenant may."""
    return await tx.run(
        lambda session: pledges.withdraw(session, caller, pledge_id, body.reason), render_pledge(caller)
    )


# ---------------------------------------------------------------- officers


@router.get(
    "/covenants/{covenant}/pledges",
    response_model=PledgePrivatePage,
    tags=["Pledges"],
    summary="List a covenant's pledges in every state (review queue)",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.page(examples.PLEDGE_PRIVATE))},
)
async def list_covenant_pledges(
    covenant: CovenantReference,
    caller: OfficerReader,
    session: PrivateSession,
    page: Annotated[PageParams, Query()],
    status: Annotated[
        list[PledgeStatus], Query(description="Only these states; `submitted` is the review queue.")
    ] = [],  # noqa: B006
) -> Response:
    """Every pledge of your covenant with its commitments. `?status=submitted` is the review queue."""
    statuses = [s.value for s in status]
    result = await private_read.pledges_in_covenant(session, caller, covenant, statuses, page.cursor, page.limit)
    return private_json(result.as_document())


@router.post(
    "/pledges/{pledge_id}/approve",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Approve a submitted pledge",
    responses=problem_docs(*ACTION_ERRORS),
)
async def approve_pledge(pledge_id: RecordId, caller: OfficerWriter, tx: PostTransaction) -> Response:
    """Publish a submitted pledge of your covenant. Its organisation must be verified and it must hold at least
    one active commitment; `review_due` is set from the covenant's review cycle."""
    return await tx.run(lambda session: pledges.approve(session, caller, pledge_id), render_pledge(caller))


@router.post(
    "/pledges/{pledge_id}/request-changes",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Ask for changes to a submitted pledge",
    responses=problem_docs(*ACTION_ERRORS),
)
async def request_pledge_changes(
    pledge_id: RecordId, body: ChangesRequested, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Send a submitted pledge back to its organisation with a comment saying what to change."""
    return await tx.run(
        lambda session: pledges.request_changes(session, caller, pledge_id, body.comment), render_pledge(caller)
    )


@router.get(
    "/covenants/{covenant}/reviews",
    response_model=ReviewDuePage,
    tags=["Pledges"],
    summary="List pledges due for review",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.REVIEW_DUE, next_cursor=None)),
    },
)
async def list_reviews_due(
    covenant: CovenantReference,
    caller: OfficerReader,
    session: PrivateSession,
    within_days: Annotated[int, Query(ge=0, le=366, description="Due within this many days (overdue included).")] = 30,
) -> Response:
    """Published pledges of your covenant whose review is due within `within_days`, and overdue ones, soonest
    first. Overdue past the grace period, they lapse (POST …/lapse-overdue)."""
    items = await reviews.due_for_review(session, caller, covenant, within_days, date.today())
    return private_json({"items": items, "next_cursor": None})


@router.post(
    "/covenants/{covenant}/lapse-overdue",
    response_model=LapseResult,
    tags=["Pledges"],
    summary="Lapse pledges whose review is overdue",
    responses=problem_docs(*ACTION_ERRORS),
)
async def lapse_overdue_pledges(
    covenant: CovenantReference, caller: OfficerWriter, tx: PostTransaction, body: LapseRequest | None = None
) -> Response:
    """Mark your covenant's published pledges overdue for review by more than `grace_days` (default 30) as
    lapsed. They leave the public lists, and return when the organisation resubmits and you approve."""
    grace_days = (body or LapseRequest()).grace_days
    today = date.today()

    async def render(_session: AsyncSession, lapsed: list[str]) -> Rendered:
        return Rendered({"lapsed": lapsed, "as_of": today})

    return await tx.run(
        lambda session: reviews.lapse_overdue_in(session, caller, covenant, grace_days=grace_days, today=today),
        render,
    )
