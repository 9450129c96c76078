"""You said, we did: officers record what young people raised and what was done about it; a public form takes
what young people send (anonymous, rate-limited); the public reads each approved "you said" with its "we did"."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api.auth import OfficerReader, OfficerWriter
from app.api.deps import CovenantReference, PrivateSession, ReadConnection, RecordId
from app.api.examples import json_example
from app.api.http import private_json, public_answer, public_json
from app.api.problems import ACTION_ERRORS, problem_docs, read_docs
from app.api.responses import Rendered, created, with_allowance
from app.api.transactions import ChangeTransaction, PostTransaction
from app.enums import VoiceEntryStatus
from app.models import VoiceEntry
from app.reports.annual_html import render_you_said_we_did
from app.schemas.voice import (
    Dismissed,
    IntakeReceived,
    VoiceApproval,
    VoiceDismissal,
    VoiceEntryCreate,
    VoiceIntake,
    VoiceResponseCreate,
    YouSaidFromProblem,
    YouSaidPrivate,
    YouSaidPrivatePage,
    YouSaidWeDid,
)
from app.services import voice

router = APIRouter(prefix="/v1", tags=["Voice"])
HTML_MEDIA_TYPE = "text/html; charset=utf-8"

WE_DID = {
    "id": "vdd_01JD5X3K8Q2W7N4B6C9D0E1F2H",
    "did": "The local offer now lists what we pay for in a first home, with amounts, and advisers go through it.",
    "status": "done",
    "reason": None,
    "done_on": "2026-11-02",
    "action": {"id": "act_01JD5X3K8Q2W7N4B6C9D0E1F2J", "title": "HOME-2"},
    "offer": None,
    "measure": None,
    "created_at": "2026-11-02T10:00:00Z",
}
YOU_SAID = {
    "id": "vsd_01JD5X3K8Q2W7N4B6C9D0E1F2G",
    "source": "care_leavers_forum",
    "raised_on": "2026-10-14",
    "said": "We don't know what the council will pay for when we move into our first flat.",
    "priority": {"id": "pri_01JD5X3K8Q2W7N4B6C9D0E1F2K", "code": "HOME", "title": "A suitable place to live"},
    "offer": None,
    "status": "done",
    "responses": [WE_DID],
}
YOU_SAID_PRIVATE = {
    **YOU_SAID,
    "words": "Nobody told me what they'd pay for when I moved into my flat, I had no bed for a week.",
    "entry_status": "approved",
    "through_intake": False,
    "problem_report": None,
    "approved_at": "2026-10-20T09:00:00Z",
    "created_at": "2026-10-14T18:00:00Z",
}
COVENANT_REF = {"id": "cov_01JD5X3K8Q2W7N4B6C9D0E1F2M", "slug": "lancashire-care-leavers", "title": "Lancashire"}


async def render_entry(session: AsyncSession, entry: VoiceEntry) -> Rendered:
    return Rendered(await voice.entry_view_of(session, entry.id))


@router.post(
    "/covenants/{covenant}/you-said",
    status_code=201,
    response_model=YouSaidPrivate,
    summary='Record a "you said"',
    responses={**problem_docs(401, 403, 404, 413, 415, 422), 201: json_example(YOU_SAID_PRIVATE)},
)
async def create_you_said(
    covenant: CovenantReference, body: VoiceEntryCreate, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Officers of the covenant: what young people raised, where and when, with the words as said (private).
    With `public_words` it is public at once; otherwise approve a public wording later."""

    async def render(session: AsyncSession, entry: VoiceEntry) -> Rendered:
        return created(await voice.entry_view_of(session, entry.id), f"/v1/you-said/{entry.id}")

    return await tx.run(lambda session: voice.record(session, caller, covenant, body), render)


@router.post(
    "/covenants/{covenant}/you-said/intake",
    status_code=202,
    response_model=IntakeReceived,
    summary="Tell the council something (public form)",
    responses=with_allowance(
        {
            **problem_docs(404, 413, 415, 422, 429),
            202: json_example(voice.received_message()),
        },
        202,
        429,
        counted="Messages",
    ),
)
async def send_you_said(
    request: Request, covenant: CovenantReference, body: VoiceIntake, tx: PostTransaction
) -> Response:
    """No key, and no name, address or contact asked for: what a young person, or someone for them, wants the
    council to hear. It is read by the covenant's officers and shown publicly only in a wording they approve.
    Limited per address (VOICE_INTAKE_LIMIT an hour)."""
    engine, limit = request.app.state.engine, request.app.state.settings.voice_intake_limit
    address = request.client.host if request.client else "unknown"
    allowance = await voice.count_intake(engine, address, limit)

    async def render(_session: AsyncSession, _entry: Any) -> Rendered:
        return Rendered(voice.received_message(), 202)

    response = await tx.run(lambda session: voice.intake(session, covenant, body), render)
    response.headers.update(allowance.headers())
    return response


@router.get(
    "/covenants/{covenant}/you-said",
    response_model=YouSaidPrivatePage,
    summary='List a covenant\'s "you said"',
    responses={
        **problem_docs(401, 403, 404, 422),
        200: json_example({"items": [YOU_SAID_PRIVATE], "next_cursor": None}),
    },
)
async def list_you_said(
    covenant: CovenantReference,
    caller: OfficerReader,
    session: PrivateSession,
    status: Annotated[VoiceEntryStatus | None, Query(description="Only entries in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many of the newest to show.")] = 100,
) -> Response:
    """Officers: the entries newest first, waiting ones (`status=submitted`) and dismissed ones too, with the words
    as said."""
    return private_json(await voice.officers_list(session, caller, covenant, status, limit))


@router.post(
    "/you-said/{entry_id}/approve",
    response_model=YouSaidPrivate,
    summary='Approve a "you said" for the public',
    responses={**problem_docs(*ACTION_ERRORS, 413), 200: json_example(YOU_SAID_PRIVATE)},
)
async def approve_you_said(
    entry_id: RecordId, body: VoiceApproval, caller: OfficerWriter, tx: ChangeTransaction
) -> Response:
    """Officers: the wording the public will read, with nothing that could identify a young person."""
    return await tx.run(lambda session: voice.approve(session, caller, entry_id, body.public_words), render_entry)


@router.post(
    "/you-said/{entry_id}/dismiss",
    response_model=YouSaidPrivate,
    summary='Dismiss a "you said"',
    responses={**problem_docs(*ACTION_ERRORS), 200: json_example(YOU_SAID_PRIVATE)},
)
async def dismiss_you_said(entry_id: RecordId, caller: OfficerWriter, tx: ChangeTransaction) -> Response:
    """Officers: not for the record (spam, or a duplicate); out of public view if it was in it."""
    return await tx.run(lambda session: voice.dismiss(session, caller, entry_id), render_entry)


@router.post(
    "/covenants/{covenant}/you-said/dismiss",
    response_model=Dismissed,
    summary="Dismiss waiting submissions in bulk",
    responses={**problem_docs(401, 403, 404, 413, 415, 422), 200: json_example({"dismissed": 1000})},
)
async def dismiss_many_you_said(
    covenant: CovenantReference, body: VoiceDismissal, caller: OfficerWriter, tx: ChangeTransaction
) -> Response:
    """Officers: every submission from the public form still waiting, received in a time range, dismissed in one
    go: what a flood of automated messages leaves behind."""

    async def render(_session: AsyncSession, count: int) -> Rendered:
        return Rendered({"dismissed": count})

    return await tx.run(lambda session: voice.dismiss_many(session, caller, covenant, body), render)


@router.post(
    "/you-said/{entry_id}/responses",
    status_code=201,
    response_model=YouSaidPrivate,
    summary='Record a "we did"',
    responses={**problem_docs(401, 403, 404, 413, 415, 422), 201: json_example(YOU_SAID_PRIVATE)},
)
async def respond_to_you_said(
    entry_id: RecordId, body: VoiceResponseCreate, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Officers: what the council or a partner did, where it has got to, and the strategy's action or measure or
    the offer it is linked to. The newest response's status is the entry's."""

    async def render(session: AsyncSession, entry: VoiceEntry) -> Rendered:
        return Rendered(await voice.entry_view_of(session, entry.id), 201)

    return await tx.run(lambda session: voice.respond(session, caller, entry_id, body), render)


@router.post(
    "/problems/{problem_id}/you-said",
    status_code=201,
    response_model=YouSaidPrivate,
    summary='Make an answered problem report a "you said, we did"',
    responses={**problem_docs(*ACTION_ERRORS, 413), 201: json_example(YOU_SAID_PRIVATE)},
)
async def you_said_from_problem(
    problem_id: RecordId, body: YouSaidFromProblem, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Officers of the covenant: a problem reported with an offer and since answered becomes a "you said" about
    that offer (its words private, as the report's are) with its "we did": `done` if it was resolved,
    `not_possible` with your reason if it was not upheld. With `public_words` it is public at once. One per report;
    409 for a report still open, dismissed, or already made one."""

    async def render(session: AsyncSession, entry: VoiceEntry) -> Rendered:
        return created(await voice.entry_view_of(session, entry.id), f"/v1/you-said/{entry.id}")

    return await tx.run(lambda session: voice.from_problem(session, caller, problem_id, body), render)


@router.get(
    "/covenants/{covenant}/you-said-we-did",
    response_model=YouSaidWeDid,
    summary='Read a covenant\'s "you said, we did"',
    responses=read_docs(404, 422, example={"covenant": COVENANT_REF, "items": [YOU_SAID]}),
)
async def get_you_said_we_did(request: Request, covenant: CovenantReference, conn: ReadConnection) -> Response:
    """Each approved "you said", in its public wording, with what was done about it, newest first."""
    return public_json(request, await voice.public_list(conn, covenant))


@router.get(
    "/covenants/{covenant}/you-said-we-did.html",
    response_class=HTMLResponse,
    summary='Read "you said, we did" as a page',
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "A plain page."},
        **read_docs(404, 422),
    },
)
async def get_you_said_we_did_page(request: Request, covenant: CovenantReference, conn: ReadConnection) -> Response:
    """The same, as a plain page a council can link to or print."""
    page = render_you_said_we_did(await voice.public_list(conn, covenant))
    return public_answer(request, page.encode(), HTML_MEDIA_TYPE, vary=[])
