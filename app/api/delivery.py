"""Delivery returns: what each offer delivered, period by period. The organisation files and corrects its own;
the covenant's officers (and the operator) read them with exact numbers."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import AnyReader, OfficerReader, OfficerWriter, OrganisationWriter
from app.api.deps import CovenantReference, IfMatch, PrivateSession, RecordId, private_view
from app.api.etags import precondition
from app.api.http import private_json
from app.api.problems import ACTION_ERRORS, CHANGE_ERRORS, problem_docs
from app.api.responses import Rendered, created, current
from app.api.transactions import ChangeTransaction, PostTransaction
from app.errors import NotFound
from app.models import ProgressReport
from app.schemas.delivery import (
    NarrativeApproval,
    ProgressReportInput,
    ProgressReportOut,
    ProgressReportPage,
    ProgressReportUpdate,
)
from app.schemas.pages import PageParams
from app.services import delivery

router = APIRouter(prefix="/v1", tags=["Delivery"])


async def render_report(session: AsyncSession, report: ProgressReport) -> Rendered:
    return current(await delivery.report_document_of(session, report.id), report)


async def created_report(session: AsyncSession, report: ProgressReport) -> Rendered:
    document = await delivery.report_document_of(session, report.id)
    return created(document, f"/v1/progress-reports/{report.id}", report)


@router.post(
    "/commitments/{commitment_id}/progress-reports",
    status_code=201,
    response_model=ProgressReportOut,
    summary="File a delivery return",
    responses=problem_docs(401, 403, 404, 409, 413, 422),
)
async def create_progress_report(
    commitment_id: RecordId, body: ProgressReportInput, caller: OrganisationWriter, tx: PostTransaction
) -> Response:
    """Report what one of your published offers delivered in a past period: places offered, referrals,
    applications, starts, and how many were still there six months on. Periods may not overlap."""
    return await tx.run(lambda session: delivery.file_report(session, caller, commitment_id, body), created_report)


@router.patch(
    "/progress-reports/{report_id}",
    response_model=ProgressReportOut,
    summary="Correct a delivery return",
    responses=problem_docs(*CHANGE_ERRORS),
)
async def update_progress_report(
    report_id: RecordId,
    body: ProgressReportUpdate,
    caller: OrganisationWriter,
    tx: ChangeTransaction,
    if_match: IfMatch = None,
) -> Response:
    """Correct your return while its window is open (until `correctable_until`), with If-Match."""
    expected = precondition(if_match)
    return await tx.run(
        lambda session: delivery.correct_report(session, caller, report_id, expected, body), render_report
    )


@router.post(
    "/progress-reports/{report_id}/approve-narrative",
    response_model=ProgressReportOut,
    summary="Publish a return's narrative",
    responses={**problem_docs(*ACTION_ERRORS, 413), 200: examples.json_example(examples.PROGRESS_REPORT)},
)
async def approve_progress_report_narrative(
    report_id: RecordId, caller: OfficerWriter, tx: ChangeTransaction, body: NarrativeApproval | None = None
) -> Response:
    """Officers of the covenant: put the return's narrative in the public annual report, as written or in a
    version with anything that could identify a young person taken out (`public_narrative`). Until then, and
    after any correction of the narrative, it is private."""
    wording = body.public_narrative if body else None
    return await tx.run(lambda session: delivery.approve_narrative(session, caller, report_id, wording), render_report)


@router.post(
    "/progress-reports/{report_id}/withhold-narrative",
    response_model=ProgressReportOut,
    summary="Take a return's narrative out of public view",
    responses={**problem_docs(*ACTION_ERRORS), 200: examples.json_example(examples.PROGRESS_REPORT)},
)
async def withhold_progress_report_narrative(
    report_id: RecordId, caller: OfficerWriter, tx: ChangeTransaction
) -> Response:
    """Officers of the covenant: remove the public version; the narrative is private again."""
    return await tx.run(lambda session: delivery.withhold_narrative(session, caller, report_id), render_report)


@router.get(
    "/progress-reports/{report_id}",
    response_model=ProgressReportOut,
    summary="Get a delivery return",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.PROGRESS_REPORT)},
)
async def get_progress_report(request: Request, report_id: RecordId, caller: AnyReader) -> Response:
    """One return with exact numbers, and the ETag a correction (`PATCH`) takes in If-Match: for its
    organisation, its covenant's officers and the operator."""
    found = await private_view(request, lambda session: delivery.report_view(session, caller, report_id))
    if found is None:
        raise NotFound(f"No progress report {report_id}.")
    return found


@router.get(
    "/commitments/{commitment_id}/progress-reports",
    response_model=ProgressReportPage,
    summary="List a commitment's delivery returns",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.PROGRESS_REPORT, next_cursor=None)),
    },
)
async def list_commitment_progress_reports(
    commitment_id: RecordId, caller: AnyReader, session: PrivateSession
) -> Response:
    """Every return of one commitment, oldest period first: for its organisation, its covenant's officers and
    the operator."""
    documents = await delivery.commitment_reports(session, caller, commitment_id)
    return private_json({"items": documents, "next_cursor": None})


@router.get(
    "/covenants/{covenant}/progress-reports",
    response_model=ProgressReportPage,
    summary="List a covenant's delivery returns",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.page(examples.PROGRESS_REPORT))},
)
async def list_covenant_progress_reports(
    covenant: CovenantReference,
    caller: OfficerReader,
    session: PrivateSession,
    page: Annotated[PageParams, Query()],
    period_from: Annotated[date | None, Query(description="Only returns for periods starting on or after.")] = None,
    period_to: Annotated[date | None, Query(description="Only returns for periods starting on or before.")] = None,
) -> Response:
    """Every delivery return of your covenant, with exact numbers, in filing order."""
    reports = await delivery.covenant_reports(
        session, caller, covenant, period_from=period_from, period_to=period_to, cursor=page.cursor, limit=page.limit
    )
    return private_json(reports.as_document())
