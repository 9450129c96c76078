"""What council officers do, in their own authority's covenants only: run covenants and priorities, verify
organisations, review and approve pledges, read the audit trail. The registry operator creates authorities.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import OfficerReader, OfficerWriter, OperatorWriter
from app.api.deps import CovenantReference, IfMatch, RecordId
from app.api.http import expected_version, private_json, record_etag
from app.api.organisation import render_pledge, render_signatory
from app.api.problems import problem_docs
from app.api.transactions import ChangeTransaction, PostTransaction, Rendered
from app.enums import PledgeStatus, SignatoryStatus
from app.models import Authority, Covenant, Priority
from app.schemas.public import AuthorityPublic, CovenantDetail, PageParams, PriorityPublic
from app.schemas.types import ID_CHARS, RECORD_ID, SINGLE_LINE
from app.schemas.writes import (
    AuditEventPage,
    AuthorityCreate,
    ChangesRequested,
    CovenantCreate,
    CovenantUpdate,
    LapseRequest,
    LapseResult,
    OfficerDecision,
    PledgePrivate,
    PledgePrivatePage,
    PriorityInput,
    PriorityUpdate,
    ProgressReportPage,
    ReviewDuePage,
    SignatoryPrivate,
    SignatoryPrivatePage,
)
from app.services import covenants, delivery, pledges, private_read, reviews, signatories
from app.services.public_read import authority_out

router = APIRouter(prefix="/v1")

OFFICER_POST_ERRORS = (401, 403, 404, 409, 422)


async def render_covenant(session: AsyncSession, covenant: Covenant, status_code: int = 200) -> Rendered:
    headers = {"ETag": record_etag(covenant)}
    if status_code == 201:
        headers["Location"] = f"/v1/covenants/{covenant.slug}"
    return Rendered(await covenants.covenant_document(session, covenant), status_code, headers)


async def created_covenant(session: AsyncSession, covenant: Covenant) -> Rendered:
    return await render_covenant(session, covenant, 201)


async def render_priority(_session: AsyncSession, priority: Priority, status_code: int = 200) -> Rendered:
    return Rendered(covenants.priority_document(priority), status_code, {"ETag": record_etag(priority)})


async def created_priority(session: AsyncSession, priority: Priority) -> Rendered:
    return await render_priority(session, priority, 201)


# ---------------------------------------------------------------- authorities (operator)


@router.post(
    "/authorities",
    status_code=201,
    response_model=AuthorityPublic,
    tags=["Authorities"],
    summary="Add an authority",
    responses=problem_docs(401, 403, 409, 413, 422),
)
async def create_authority(body: AuthorityCreate, caller: OperatorWriter, tx: PostTransaction) -> Response:
    """Registry operator only: add a council or national body, then issue its officers a key (POST /v1/keys)."""

    async def render(_session: AsyncSession, authority: Authority) -> Rendered:
        return Rendered(authority_out(authority), 201, {"Location": f"/v1/authorities/{authority.id}"})

    return await tx.run(lambda session: covenants.create_authority(session, caller, body), render)


# ---------------------------------------------------------------- covenants and priorities


@router.post(
    "/covenants",
    status_code=201,
    response_model=CovenantDetail,
    tags=["Covenants"],
    summary="Create a covenant",
    responses=problem_docs(401, 403, 409, 413, 422),
)
async def create_covenant(body: CovenantCreate, caller: OfficerWriter, tx: PostTransaction) -> Response:
    """Create a covenant of your authority, as a draft (not public) or open, with its priorities."""
    return await tx.run(lambda session: covenants.create_covenant(session, caller, body), created_covenant)


@router.patch(
    "/covenants/{covenant}",
    response_model=CovenantDetail,
    tags=["Covenants"],
    summary="Edit a covenant",
    responses=problem_docs(401, 403, 404, 409, 412, 422, 428),
)
async def update_covenant(
    covenant: CovenantReference,
    body: CovenantUpdate,
    caller: OfficerWriter,
    tx: ChangeTransaction,
    if_match: IfMatch = None,
) -> Response:
    """Edit your covenant: open a draft, close or reopen it, change its text, ages or review cycle."""

    async def change(session: AsyncSession) -> Covenant:
        current = await covenants.officers_covenant(session, caller, covenant)
        version = expected_version(if_match, current.id)
        return await covenants.update_covenant(session, caller, current.id, version, body)

    return await tx.run(change, render_covenant)


@router.post(
    "/covenants/{covenant}/priorities",
    status_code=201,
    response_model=PriorityPublic,
    tags=["Covenants"],
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
    tags=["Covenants"],
    summary="Edit a priority",
    responses=problem_docs(401, 403, 404, 412, 422, 428),
)
async def update_priority(
    priority_id: RecordId, body: PriorityUpdate, caller: OfficerWriter, tx: ChangeTransaction, if_match: IfMatch = None
) -> Response:
    """Change a priority's title, description or position; public offers under it follow at once."""
    version = expected_version(if_match, priority_id)
    return await tx.run(
        lambda session: covenants.update_priority(session, caller, priority_id, version, body), render_priority
    )


@router.get(
    "/covenants/{covenant}/pledges",
    response_model=PledgePrivatePage,
    tags=["Pledges"],
    summary="List a covenant's pledges in every state (review queue)",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.page(examples.PLEDGE_PRIVATE))},
)
async def list_covenant_pledges(
    request: Request,
    covenant: CovenantReference,
    caller: OfficerReader,
    page: Annotated[PageParams, Query()],
    status: Annotated[
        list[PledgeStatus], Query(description="Only these states; `submitted` is the review queue.")
    ] = [],  # noqa: B006
) -> Response:
    """Every pledge of your covenant with its commitments. `?status=submitted` is the review queue."""
    async with request.app.state.sessionmaker() as session:
        found = await covenants.officers_covenant(session, caller, covenant)
        result = await private_read.pledges_in_covenant(
            session, found.id, [s.value for s in status], page.cursor, page.limit
        )
    return private_json(result.as_document())


@router.get(
    "/covenants/{covenant}/signatories",
    response_model=SignatoryPrivatePage,
    tags=["Signatories"],
    summary="List the organisations of a covenant (verification queue)",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.SIGNATORY_PRIVATE)),
    },
)
async def list_covenant_signatories(
    request: Request,
    covenant: CovenantReference,
    caller: OfficerReader,
    page: Annotated[PageParams, Query()],
    status: Annotated[
        list[SignatoryStatus], Query(description="Only these states; `pending` awaits verification.")
    ] = [],  # noqa: B006
) -> Response:
    """Organisations with a pledge in your covenant, with private contacts. `?status=pending` is the
    verification queue."""
    async with request.app.state.sessionmaker() as session:
        found = await covenants.officers_covenant(session, caller, covenant)
        result = await private_read.signatories_in_covenant(
            session, found.id, [s.value for s in status], page.cursor, page.limit
        )
    return private_json(result.as_document())


# ---------------------------------------------------------------- decisions on organisations and pledges


def _decision_route(action: str, summary: str, description: str):  # type: ignore[no-untyped-def]
    @router.post(
        f"/signatories/{{signatory_id}}/{action}",
        response_model=SignatoryPrivate,
        tags=["Signatories"],
        summary=summary,
        description=description,
        responses=problem_docs(*OFFICER_POST_ERRORS),
        name=f"{action}_signatory",
    )
    async def decide(
        signatory_id: RecordId, caller: OfficerWriter, tx: PostTransaction, body: OfficerDecision | None = None
    ) -> Response:
        note = body.note if body else ""
        return await tx.run(
            lambda session: signatories.decide(session, caller, signatory_id, action, note), render_signatory
        )

    return decide


verify_signatory = _decision_route(
    "verify", "Verify an organisation", "Confirm an organisation pledging to your covenant is who it says it is."
)
suspend_signatory = _decision_route(
    "suspend", "Suspend an organisation", "Hide a verified organisation and all its offers until reinstated."
)
reinstate_signatory = _decision_route(
    "reinstate", "Reinstate an organisation", "Lift a suspension; its published offers show again."
)


@router.post(
    "/pledges/{pledge_id}/approve",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Approve a submitted pledge",
    responses=problem_docs(*OFFICER_POST_ERRORS),
)
async def approve_pledge(pledge_id: RecordId, caller: OfficerWriter, tx: PostTransaction) -> Response:
    """Publish a submitted pledge of your covenant. Its organisation must be verified and it must hold at least
    one active commitment; `review_due` is set from the covenant's review cycle."""
    return await tx.run(lambda session: pledges.approve(session, caller, pledge_id), render_pledge)


@router.post(
    "/pledges/{pledge_id}/request-changes",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Ask for changes to a submitted pledge",
    responses=problem_docs(*OFFICER_POST_ERRORS),
)
async def request_pledge_changes(
    pledge_id: RecordId, body: ChangesRequested, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Send a submitted pledge back to its organisation with a comment saying what to change."""
    return await tx.run(
        lambda session: pledges.request_changes(session, caller, pledge_id, body.comment), render_pledge
    )


# ---------------------------------------------------------------- audit trail


@router.get(
    "/audit-events",
    response_model=AuditEventPage,
    tags=["Audit"],
    summary="Read the audit trail",
    responses={**problem_docs(401, 403, 422), 200: examples.json_example(examples.page(examples.AUDIT_EVENT))},
)
async def list_audit_events(
    request: Request,
    caller: OfficerReader,
    page: Annotated[PageParams, Query()],
    record_type: Annotated[str | None, Query(max_length=40, pattern=SINGLE_LINE, description="e.g. pledge.")] = None,
    record_id: Annotated[str | None, Query(max_length=40, pattern=ID_CHARS, description="One record's events.")] = None,
    action: Annotated[str | None, Query(max_length=60, pattern=SINGLE_LINE, description="e.g. pledge.approve.")] = None,
    covenant_id: Annotated[str | None, Query(pattern=RECORD_ID, description="Events of one covenant.")] = None,
    signatory_id: Annotated[str | None, Query(pattern=RECORD_ID, description="Events of one organisation.")] = None,
) -> Response:
    """Who changed what, when, before and after, newest first: your authority's covenants and the organisations
    pledging to them (the operator: everything)."""
    filters = {
        "record_type": record_type,
        "record_id": record_id,
        "action": action,
        "covenant_id": covenant_id,
        "signatory_id": signatory_id,
    }
    async with request.app.state.sessionmaker() as session:
        result = await private_read.audit_events(session, caller, filters, page.cursor, page.limit)
    return private_json(result.as_document())


# ---------------------------------------------------------------- review cycle and delivery returns


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
    request: Request,
    covenant: CovenantReference,
    caller: OfficerReader,
    within_days: Annotated[int, Query(ge=0, le=366, description="Due within this many days (overdue included).")] = 30,
) -> Response:
    """Published pledges of your covenant whose review is due within `within_days`, and overdue ones, soonest
    first. Overdue past the grace period, they lapse (POST …/lapse-overdue)."""
    async with request.app.state.sessionmaker() as session:
        found = await covenants.officers_covenant(session, caller, covenant)
        items = await reviews.due_for_review(session, found.id, within_days, date.today())
    return private_json({"items": items, "next_cursor": None})


@router.post(
    "/covenants/{covenant}/lapse-overdue",
    response_model=LapseResult,
    tags=["Pledges"],
    summary="Lapse pledges whose review is overdue",
    responses=problem_docs(401, 403, 404, 409, 422),
)
async def lapse_overdue_pledges(
    covenant: CovenantReference, caller: OfficerWriter, tx: PostTransaction, body: LapseRequest | None = None
) -> Response:
    """Mark your covenant's published pledges overdue for review by more than `grace_days` (default 30) as
    lapsed. They leave the public lists, and return when the organisation resubmits and you approve."""
    grace_days = (body or LapseRequest()).grace_days
    today = date.today()

    async def lapse(session: AsyncSession) -> list[str]:
        found = await covenants.officers_covenant(session, caller, covenant)
        return await reviews.lapse_overdue(session, caller, covenant_id=found.id, grace_days=grace_days, today=today)

    async def render(_session: AsyncSession, lapsed: list[str]) -> Rendered:
        return Rendered({"lapsed": lapsed, "as_of": today})

    return await tx.run(lapse, render)


@router.get(
    "/covenants/{covenant}/progress-reports",
    response_model=ProgressReportPage,
    tags=["Delivery"],
    summary="List a covenant's delivery returns",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.page(examples.PROGRESS_REPORT))},
)
async def list_covenant_progress_reports(
    request: Request,
    covenant: CovenantReference,
    caller: OfficerReader,
    page: Annotated[PageParams, Query()],
    period_from: Annotated[date | None, Query(description="Only returns for periods starting on or after.")] = None,
    period_to: Annotated[date | None, Query(description="Only returns for periods starting on or before.")] = None,
) -> Response:
    """Every delivery return of your covenant, with exact numbers, in filing order."""
    async with request.app.state.sessionmaker() as session:
        found = await covenants.officers_covenant(session, caller, covenant)
        reports = await delivery.covenant_reports(
            session, found.id, period_from=period_from, period_to=period_to, cursor=page.cursor, limit=page.limit
        )
    return private_json(reports.as_document())
