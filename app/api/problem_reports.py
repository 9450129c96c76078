"""Problems reported with a public offer: the public form and report (no key), the officers' and the
organisation's queues, their answers, and the officers' bulk dismissal."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import AnyReader, AnyWriter, OfficerReader, OfficerWriter
from app.api.deps import CovenantReference, PrivateSession, ReadConnection, RecordId
from app.api.http import private_json
from app.api.problems import ACTION_ERRORS, problem_docs
from app.api.responses import Rendered, created, with_allowance
from app.api.transactions import PostTransaction
from app.errors import DomainError
from app.ids import utcnow
from app.models import ProblemReport
from app.schemas.problem_reports import (
    ProblemDismissal,
    ProblemDismissed,
    ProblemFilters,
    ProblemForm,
    ProblemReceipt,
    ProblemReportCreate,
    ProblemReportOut,
    ProblemReportPage,
    ProblemResolution,
)
from app.services import problem_reports

router = APIRouter(prefix="/v1", tags=["Problem reports"])


@router.get(
    "/commitments/{commitment_id}/problems/form",
    response_model=ProblemForm,
    summary="Get the form to report a problem with an offer",
    responses={**problem_docs(404, 422), 200: examples.json_example(examples.PROBLEM_FORM)},
)
async def get_problem_form(request: Request, commitment_id: RecordId, conn: ReadConnection) -> Response:
    """A token to send back with a report on this public offer, and when it may be sent: a report sent within
    a few seconds of fetching the form is refused as a script's. Not cached: each token is fresh."""
    min_seconds = request.app.state.settings.problem_form_min_seconds
    return private_json(await problem_reports.form(conn, commitment_id, utcnow(), min_seconds))


@router.post(
    "/commitments/{commitment_id}/problems",
    status_code=201,
    response_model=ProblemReceipt,
    summary="Report a problem with an offer",
    responses=with_allowance(
        {**problem_docs(404, 409, 413, 422, 429), 201: examples.json_example(examples.PROBLEM_RECEIPT)},
        201,
        429,
        counted="Reports",
    ),
)
async def report_problem(
    request: Request, commitment_id: RecordId, body: ProblemReportCreate, tx: PostTransaction
) -> Response:
    """Tell the organisation and the council that a public offer did not answer, has gone, has a broken link
    or was not as described; no key, no name needed. Send the `form_token` from the form, and leave `website`
    empty (it is a trap for scripts: such a report is answered as usual and goes nowhere). A `contact` for a
    reply is seen only by the organisation and the council's officers. Rate-limited per address, every attempt
    counted."""
    engine, limit = request.app.state.engine, request.app.state.settings.problem_report_limit
    address = request.client.host if request.client else "unknown"
    allowance = await problem_reports.count_report(engine, address, limit)
    now, min_seconds = utcnow(), request.app.state.settings.problem_form_min_seconds

    async def render(_session: AsyncSession, received: Any) -> Rendered:
        document = {
            "id": received.id,
            "commitment_id": received.commitment_id,
            "reason": received.reason,
            "received_at": received.received_at,
            "message": problem_reports.RECEIVED,
        }
        return created(document, f"/v1/commitments/{commitment_id}/problems")

    try:
        response = await tx.run(
            lambda session: problem_reports.report(session, commitment_id, body, now, min_seconds=min_seconds), render
        )
    except DomainError as refused:
        refused.headers.update(allowance.headers())
        raise
    response.headers.update(allowance.headers())
    return response


@router.get(
    "/commitments/{commitment_id}/problems",
    response_model=ProblemReportPage,
    summary="List the problems reported with an offer",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.PROBLEM_REPORT, next_cursor=None)),
    },
)
async def list_offer_problems(
    commitment_id: RecordId,
    filters: Annotated[ProblemFilters, Query()],
    caller: AnyReader,
    session: PrivateSession,
) -> Response:
    """Reports on one offer, newest first, with reporters' contacts: for its organisation and the covenant's
    officers. `?status=open` is what is still to answer."""
    page = await problem_reports.of_offer(session, caller, commitment_id, filters, utcnow())
    return private_json(page.as_document())


@router.get(
    "/covenants/{covenant}/problems",
    response_model=ProblemReportPage,
    summary="List the problems reported in a covenant",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.PROBLEM_REPORT, next_cursor=None)),
    },
)
async def list_covenant_problems(
    covenant: CovenantReference,
    filters: Annotated[ProblemFilters, Query()],
    caller: OfficerReader,
    session: PrivateSession,
) -> Response:
    """Reports on your covenant's offers, newest first; `?status=open` is the queue, `signatory` or `commitment`
    narrows it to one organisation or offer. `flagged_for_review` marks a report open for more than 14 days."""
    page = await problem_reports.in_covenant(session, caller, covenant, filters, utcnow())
    return private_json(page.as_document())


@router.post(
    "/problems/{problem_id}/resolve",
    response_model=ProblemReportOut,
    summary="Answer a problem report",
    responses={**problem_docs(*ACTION_ERRORS, 413), 200: examples.json_example(examples.PROBLEM_REPORT_RESOLVED)},
)
async def resolve_problem(
    problem_id: RecordId, body: ProblemResolution, caller: AnyWriter, tx: PostTransaction
) -> Response:
    """Close an open report as `resolved` or `not_upheld`, with a note: the offer's organisation or the
    covenant's officers. 409 if it is no longer open."""
    now = utcnow()

    async def render(session: AsyncSession, row: ProblemReport) -> Rendered:
        return Rendered(await problem_reports.problem_view(session, row.id, now))

    return await tx.run(
        lambda session: problem_reports.resolve(session, caller, problem_id, body.outcome, body.note, now), render
    )


@router.post(
    "/covenants/{covenant}/problems/dismiss",
    response_model=ProblemDismissed,
    summary="Dismiss many problem reports at once",
    responses={**problem_docs(401, 403, 404, 413, 422), 200: examples.json_example({"dismissed": 1000})},
)
async def dismiss_problems(
    covenant: CovenantReference, body: ProblemDismissal, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Clear open reports as noise (a burst of automated submissions, say): these `ids`, or every open one
    received from `received_from` and before `received_to`, or both together. Their emails not yet sent are not
    sent; one audit event records how many and why."""
    now = utcnow()

    async def render(_session: AsyncSession, dismissed: int) -> Rendered:
        return Rendered({"dismissed": dismissed})

    return await tx.run(lambda session: problem_reports.dismiss(session, caller, covenant, body, now), render)
