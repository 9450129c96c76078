"""Commitments: the concrete offers inside a pledge. Anyone finds public offers; the organisation adds, edits,
removes and withdraws its own, and changes a published offer's status (paused, full, ended)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import OptionalCaller, OrganisationWriter
from app.api.deps import OPTIONAL_KEY, IfMatch, ReadConnection, RecordId, detail_read, public_detail
from app.api.etags import precondition
from app.api.http import public_page
from app.api.keyless_reads import KeylessRead
from app.api.problems import ACTION_ERRORS, CHANGE_ERRORS, problem_docs, read_docs
from app.api.responses import NO_CONTENT, Rendered, created, current
from app.api.transactions import ChangeTransaction, PostTransaction
from app.models import Commitment
from app.schemas.commitments import (
    CommitmentCreate,
    CommitmentFilters,
    CommitmentPage,
    CommitmentPrivate,
    CommitmentRead,
    CommitmentUpdate,
)
from app.schemas.fields import Withdrawal
from app.services import commitments, councils, private_read, public_read

router = APIRouter(prefix="/v1", tags=["Commitments"])


async def render_commitment(session: AsyncSession, row: Commitment) -> Rendered:
    return current(await private_read.commitment_document(session, row.id), row)


async def created_commitment(session: AsyncSession, row: Commitment) -> Rendered:
    document = await private_read.commitment_document(session, row.id)
    return created(document, f"/v1/commitments/{row.id}", row)


# ---------------------------------------------------------------- public reads


@router.get(
    "/commitments",
    response_model=CommitmentPage,
    summary="Find offers",
    responses=read_docs(422, example=examples.page(examples.COMMITMENT)),
)
async def list_commitments(
    request: Request, filters: Annotated[CommitmentFilters, Query()], conn: ReadConnection
) -> Response:
    """Public offers (active, paused or full commitments of published pledges), oldest first.

    Filters combine with AND; a filter repeated (`offer_type=job&offer_type=apprenticeship`) matches any of
    its values. `area` takes where a young person lives (a council's GSS code, its name or a postcode) and
    follows the council tiers: a district's answer holds its county's offers, a county's its districts', and
    every answer national and remote ones; `age` returns offers whose age range includes it. Each item
    carries the organisation's name and the priority's code and title, so a page can show it without another
    call.
    """
    return await find_offers(request, conn, filters)


async def find_offers(request: Request, conn: AsyncConnection, filters: CommitmentFilters) -> Response:
    return public_page(request, await public_read.list_commitments(conn, await councils.with_area_resolved(filters)))


@router.get(
    "/commitments/{commitment_id}",
    response_model=CommitmentRead,
    summary="Get an offer",
    responses=read_docs(401, 404, 422, example=examples.COMMITMENT),
    openapi_extra=OPTIONAL_KEY,
)
async def get_commitment(
    request: Request, commitment_id: RecordId, conn: ReadConnection, caller: OptionalCaller
) -> Response:
    """One public offer. With its organisation's key (or an officer's of its covenant, or the operator's) the
    commitment in any state."""
    return await detail_read(
        request,
        caller,
        lambda session, key: private_read.commitment_view(session, key, commitment_id),
        lambda: public_read.get_commitment(conn, commitment_id),
    )


async def public_offer(request: Request, conn: AsyncConnection, commitment_id: str) -> Response:
    """What `get_commitment` answers without a key."""
    return await public_detail(request, lambda: public_read.get_commitment(conn, commitment_id))


KEYLESS_READS = [
    KeylessRead("/v1/commitments", find_offers, query=CommitmentFilters),
    KeylessRead("/v1/commitments/{commitment_id}", public_offer, path_types={"commitment_id": RecordId}),
]


# ---------------------------------------------------------------- the organisation's


@router.post(
    "/pledges/{pledge_id}/commitments",
    status_code=201,
    response_model=CommitmentPrivate,
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
    summary="Edit a commitment or change its status",
    responses=problem_docs(*CHANGE_ERRORS),
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
    expected = precondition(if_match)
    return await tx.run(
        lambda session: commitments.update(session, caller, commitment_id, expected, body), render_commitment
    )


@router.delete(
    "/commitments/{commitment_id}",
    status_code=204,
    summary="Remove a commitment from a draft pledge",
    responses=problem_docs(*CHANGE_ERRORS),
)
async def delete_commitment(
    commitment_id: RecordId, caller: OrganisationWriter, tx: ChangeTransaction, if_match: IfMatch = None
) -> Response:
    """Remove a commitment while its pledge is a draft; once published, withdraw it instead."""
    expected = precondition(if_match)

    async def no_content(_session: AsyncSession, _result: None) -> Rendered:
        return NO_CONTENT

    return await tx.run(lambda session: commitments.remove(session, caller, commitment_id, expected), no_content)


@router.post(
    "/commitments/{commitment_id}/withdraw",
    response_model=CommitmentPrivate,
    summary="Withdraw a published commitment",
    responses=problem_docs(*ACTION_ERRORS),
)
async def withdraw_commitment(
    commitment_id: RecordId, body: Withdrawal, caller: OrganisationWriter, tx: PostTransaction
) -> Response:
    """Withdraw one offer of a published pledge, with a reason. It leaves the public lists at once."""
    return await tx.run(
        lambda session: commitments.withdraw(session, caller, commitment_id, body.reason), render_commitment
    )
