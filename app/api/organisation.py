"""What an organisation does through the API: register, keep its profile, pledge, manage its commitments.

Every route here needs the organisation's own key (except registration, which issues the first one) and
touches only that organisation's records: another organisation's private records answer 404.
"""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import AnyReader, AnyWriter, OrganisationWriter
from app.api.deps import IfMatch, RecordId
from app.api.http import expected_version, private_json, record_etag
from app.api.keys import issued_key_document
from app.api.problems import problem_docs
from app.api.transactions import ChangeTransaction, PostTransaction, Rendered
from app.enums import PledgeStatus
from app.models import Commitment, Pledge, ProgressReport, Signatory
from app.schemas.public import PageParams
from app.schemas.writes import (
    CommitmentCreate,
    CommitmentPrivate,
    CommitmentUpdate,
    PledgeCreate,
    PledgePrivate,
    PledgePrivatePage,
    PledgeUpdate,
    ProgressReportInput,
    ProgressReportOut,
    ProgressReportPage,
    ProgressReportUpdate,
    Registration,
    SignatoryPrivate,
    SignatoryRegistration,
    SignatoryUpdate,
    Withdrawal,
)
from app.services import commitments, delivery, keys, pledges, private_read, rate_limits, signatories

router = APIRouter(prefix="/v1")

WRITE_ERRORS = (401, 403, 404, 409, 412, 422, 428)


async def render_signatory(session: AsyncSession, signatory: Signatory, status_code: int = 200) -> Rendered:
    return Rendered(
        await signatories.private_document(session, signatory), status_code, {"ETag": record_etag(signatory)}
    )


async def render_pledge(session: AsyncSession, pledge: Pledge, status_code: int = 200) -> Rendered:
    headers = {"ETag": record_etag(pledge)}
    if status_code == 201:
        headers["Location"] = f"/v1/pledges/{pledge.id}"
    return Rendered(await pledges.private_document(session, pledge), status_code, headers)


async def render_commitment(session: AsyncSession, row: Commitment, status_code: int = 200) -> Rendered:
    headers = {"ETag": record_etag(row)}
    if status_code == 201:
        headers["Location"] = f"/v1/commitments/{row.id}"
    return Rendered(await commitments.private_document(session, row.id), status_code, headers)


async def created_pledge(session: AsyncSession, pledge: Pledge) -> Rendered:
    return await render_pledge(session, pledge, 201)


async def created_commitment(session: AsyncSession, row: Commitment) -> Rendered:
    return await render_commitment(session, row, 201)


# ---------------------------------------------------------------- registration and profile


@router.post(
    "/signatories",
    status_code=201,
    response_model=Registration,
    tags=["Organisations"],
    summary="Register an organisation",
    responses=problem_docs(409, 413, 422, 429),
)
async def register_signatory(request: Request, body: SignatoryRegistration, tx: PostTransaction) -> Response:
    """Register an organisation (no key needed). It starts `pending` until a council officer verifies it, and
    gets its first API key in this response: store it, it is never shown again. Rate-limited per address."""
    settings = request.app.state.settings
    address = request.client.host if request.client else "unknown"
    async with request.app.state.engine.connect() as conn:
        await rate_limits.hit(
            conn,
            f"register:{address}",
            limit=settings.registration_limit,
            window=timedelta(hours=1),
            what="registrations",
        )

    async def render(session: AsyncSession, result: tuple[Signatory, keys.NewKey]) -> Rendered:
        signatory, new_key = result
        document = {
            "signatory": await signatories.private_document(session, signatory),
            "api_key": issued_key_document(new_key.row, new_key.plaintext),
        }
        replay = {**document, "api_key": issued_key_document(new_key.row, None)}
        headers = {"Location": f"/v1/signatories/{signatory.id}", "ETag": record_etag(signatory)}
        return Rendered(document, 201, headers, replay_document=replay)

    return await tx.run(lambda session: signatories.register(session, body), render)


@router.patch(
    "/signatories/{signatory_id}",
    response_model=SignatoryPrivate,
    tags=["Organisations"],
    summary="Update your organisation's profile",
    responses=problem_docs(*WRITE_ERRORS),
)
async def update_signatory(
    signatory_id: RecordId,
    body: SignatoryUpdate,
    caller: OrganisationWriter,
    tx: ChangeTransaction,
    if_match: IfMatch = None,
) -> Response:
    """Change your own profile, private contact included. Send only the fields to change, with If-Match."""
    version = expected_version(if_match, signatory_id)
    return await tx.run(
        lambda session: signatories.update_profile(session, caller, signatory_id, version, body), render_signatory
    )


@router.get(
    "/signatories/{signatory_id}/pledges",
    response_model=PledgePrivatePage,
    tags=["Organisations"],
    summary="List an organisation's pledges in every state",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.page(examples.PLEDGE_PRIVATE))},
)
async def list_signatory_pledges(
    request: Request,
    signatory_id: RecordId,
    caller: AnyReader,
    page: Annotated[PageParams, Query()],
    status: Annotated[list[PledgeStatus], Query(description="Only pledges in these states.")] = [],  # noqa: B006
) -> Response:
    """Drafts and all: for the organisation itself, the operator, and officers (for their own covenants)."""
    async with request.app.state.sessionmaker() as session:
        result = await private_read.pledges_of_signatory(
            session, caller, signatory_id, [s.value for s in status], page.cursor, page.limit
        )
    return private_json(result.as_document())


# ---------------------------------------------------------------- pledges


@router.post(
    "/pledges",
    status_code=201,
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Start a pledge",
    responses=problem_docs(401, 403, 404, 409, 413, 422),
)
async def create_pledge(body: PledgeCreate, caller: OrganisationWriter, tx: PostTransaction) -> Response:
    """Start a draft pledge in an open covenant. Add commitments, then submit it for approval."""
    return await tx.run(lambda session: pledges.create(session, caller, body), created_pledge)


@router.patch(
    "/pledges/{pledge_id}",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Edit a draft pledge",
    responses=problem_docs(*WRITE_ERRORS),
)
async def update_pledge(
    pledge_id: RecordId, body: PledgeUpdate, caller: OrganisationWriter, tx: ChangeTransaction, if_match: IfMatch = None
) -> Response:
    """Change the statement or signing date while the pledge is a draft or has changes requested."""
    version = expected_version(if_match, pledge_id)
    return await tx.run(lambda session: pledges.update(session, caller, pledge_id, version, body), render_pledge)


@router.post(
    "/pledges/{pledge_id}/submit",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Submit a pledge for approval",
    responses=problem_docs(401, 403, 404, 409, 422),
)
async def submit_pledge(pledge_id: RecordId, caller: OrganisationWriter, tx: PostTransaction) -> Response:
    """Send a draft (or a pledge with changes requested, or a lapsed one) to the council for approval."""
    return await tx.run(lambda session: pledges.submit(session, caller, pledge_id), render_pledge)


@router.post(
    "/pledges/{pledge_id}/withdraw",
    response_model=PledgePrivate,
    tags=["Pledges"],
    summary="Withdraw a published pledge",
    responses=problem_docs(401, 403, 404, 409, 422),
)
async def withdraw_pledge(pledge_id: RecordId, body: Withdrawal, caller: AnyWriter, tx: PostTransaction) -> Response:
    """Withdraw a published pledge, with a reason: its organisation or an officer of the covenant may."""
    return await tx.run(lambda session: pledges.withdraw(session, caller, pledge_id, body.reason), render_pledge)


# ---------------------------------------------------------------- commitments


@router.post(
    "/pledges/{pledge_id}/commitments",
    status_code=201,
    response_model=CommitmentPrivate,
    tags=["Commitments"],
    summary="Add a commitment to a pledge",
    responses=problem_docs(401, 403, 404, 409, 413, 422),
)
async def create_commitment(
    pledge_id: RecordId, body: CommitmentCreate, caller: OrganisationWriter, tx: PostTransaction
) -> Response:
    """Add an offer to a draft pledge (or one with changes requested, or lapsed)."""
    return await tx.run(lambda session: commitments.add(session, caller, pledge_id, body), created_commitment)


@router.patch(
    "/commitments/{commitment_id}",
    response_model=CommitmentPrivate,
    tags=["Commitments"],
    summary="Edit a commitment or change its status",
    responses=problem_docs(*WRITE_ERRORS),
)
async def update_commitment(
    commitment_id: RecordId,
    body: CommitmentUpdate,
    caller: OrganisationWriter,
    tx: ChangeTransaction,
    if_match: IfMatch = None,
) -> Response:
    """Edit a commitment of a draft pledge; on a published pledge only `status` changes (paused, full, ended,
    active again), with no new approval. Send only the fields to change, with If-Match."""
    version = expected_version(if_match, commitment_id)
    return await tx.run(
        lambda session: commitments.update(session, caller, commitment_id, version, body), render_commitment
    )


@router.delete(
    "/commitments/{commitment_id}",
    status_code=204,
    tags=["Commitments"],
    summary="Remove a commitment from a draft pledge",
    responses=problem_docs(*WRITE_ERRORS),
)
async def delete_commitment(
    commitment_id: RecordId, caller: OrganisationWriter, tx: ChangeTransaction, if_match: IfMatch = None
) -> Response:
    """Remove a commitment while its pledge is a draft; once published, withdraw it instead."""
    version = expected_version(if_match, commitment_id)

    async def no_content(_session: AsyncSession, _result: Any) -> Rendered:
        return Rendered(None, 204)

    return await tx.run(lambda session: commitments.remove(session, caller, commitment_id, version), no_content)


@router.post(
    "/commitments/{commitment_id}/withdraw",
    response_model=CommitmentPrivate,
    tags=["Commitments"],
    summary="Withdraw a published commitment",
    responses=problem_docs(401, 403, 404, 409, 422),
)
async def withdraw_commitment(
    commitment_id: RecordId, body: Withdrawal, caller: OrganisationWriter, tx: PostTransaction
) -> Response:
    """Withdraw one offer of a published pledge, with a reason. It leaves the public lists at once."""
    return await tx.run(
        lambda session: commitments.withdraw(session, caller, commitment_id, body.reason), render_commitment
    )


# ---------------------------------------------------------------- delivery returns


async def render_report(session: AsyncSession, report: ProgressReport, status_code: int = 200) -> Rendered:
    statement = delivery.report_select().where(ProgressReport.id == report.id)
    (document,) = await delivery.report_documents(session, statement)
    headers = {"ETag": record_etag(report)}
    if status_code == 201:
        headers["Location"] = f"/v1/progress-reports/{report.id}"
    return Rendered(document, status_code, headers)


async def created_report(session: AsyncSession, report: ProgressReport) -> Rendered:
    return await render_report(session, report, 201)


@router.post(
    "/commitments/{commitment_id}/progress-reports",
    status_code=201,
    response_model=ProgressReportOut,
    tags=["Delivery"],
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
    tags=["Delivery"],
    summary="Correct a delivery return",
    responses=problem_docs(*WRITE_ERRORS),
)
async def update_progress_report(
    report_id: RecordId,
    body: ProgressReportUpdate,
    caller: OrganisationWriter,
    tx: ChangeTransaction,
    if_match: IfMatch = None,
) -> Response:
    """Correct your return while its window is open (until `correctable_until`), with If-Match."""
    version = expected_version(if_match, report_id)
    return await tx.run(
        lambda session: delivery.correct_report(session, caller, report_id, version, body), render_report
    )


@router.get(
    "/commitments/{commitment_id}/progress-reports",
    response_model=ProgressReportPage,
    tags=["Delivery"],
    summary="List a commitment's delivery returns",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.PROGRESS_REPORT, next_cursor=None)),
    },
)
async def list_commitment_progress_reports(request: Request, commitment_id: RecordId, caller: AnyReader) -> Response:
    """Every return of one commitment, oldest period first: for its organisation, its covenant's officers and
    the operator."""
    async with request.app.state.sessionmaker() as session:
        await commitments.get_for(session, caller, commitment_id)
        statement = delivery.report_select().where(ProgressReport.commitment_id == commitment_id)
        documents = await delivery.report_documents(session, statement.order_by(ProgressReport.period_start))
    return private_json({"items": documents, "next_cursor": None})
