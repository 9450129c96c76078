"""Signatories: the organisations that sign covenants. Anyone reads verified ones; an organisation registers
and keeps its own profile; officers verify, suspend and reinstate the organisations pledging to their
covenants, and read their private profiles."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import OfficerReader, OfficerWriter, OptionalCaller, OrganisationWriter
from app.api.deps import (
    OPTIONAL_KEY,
    CovenantReference,
    IfMatch,
    PrivateSession,
    ReadConnection,
    RecordId,
    detail_read,
    public_detail,
)
from app.api.etags import precondition
from app.api.http import private_json, public_page
from app.api.keyless_reads import KeylessRead
from app.api.problems import ACTION_ERRORS, CHANGE_ERRORS, problem_docs, read_docs
from app.api.responses import Rendered, created, current, with_allowance
from app.api.transactions import ChangeTransaction, PostTransaction
from app.enums import SignatoryStatus
from app.errors import DomainError
from app.models import Signatory
from app.schemas.pages import PageParams
from app.schemas.signatories import (
    OfficerDecision,
    Registration,
    SignatoryFilters,
    SignatoryPage,
    SignatoryPrivate,
    SignatoryPrivatePage,
    SignatoryRead,
    SignatoryRegistration,
    SignatoryUpdate,
)
from app.services import councils, keys, private_read, public_read, signatories
from app.services.access import Principal

router = APIRouter(prefix="/v1")


def render_signatory(caller: Principal) -> Callable[[AsyncSession, Signatory], Awaitable[Rendered]]:
    """The organisation as the caller now sees it, with the decisions the caller may take."""

    async def render(session: AsyncSession, signatory: Signatory) -> Rendered:
        return current(await private_read.signatory_document(session, signatory, caller), signatory)

    return render


# ---------------------------------------------------------------- public reads


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
    return public_page(request, await public_read.list_signatories(conn, await councils.with_area_resolved(filters)))


@router.get(
    "/signatories/{signatory_id}",
    response_model=SignatoryRead,
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
    return await detail_read(
        request,
        caller,
        lambda session, key: private_read.signatory_view(session, key, signatory_id),
        lambda: public_read.get_signatory(conn, signatory_id),
    )


async def public_signatory(request: Request, conn: AsyncConnection, signatory_id: str) -> Response:
    """What `get_signatory` answers without a key."""
    return await public_detail(request, lambda: public_read.get_signatory(conn, signatory_id))


KEYLESS_READS = [KeylessRead("/v1/signatories/{signatory_id}", public_signatory, path_types={"signatory_id": RecordId})]


# ---------------------------------------------------------------- an organisation's own


@router.post(
    "/signatories",
    status_code=201,
    response_model=Registration,
    tags=["Organisations"],
    summary="Register an organisation",
    responses=with_allowance(problem_docs(409, 413, 422, 429), 201, 409, 429, counted="Registrations"),
)
async def register_signatory(request: Request, body: SignatoryRegistration, tx: PostTransaction) -> Response:
    """Register an organisation (no key needed). It starts `pending` until a council officer verifies it, and
    gets its first API key in this response: store it, it is never shown again. Rate-limited per address."""
    engine, limit = request.app.state.engine, request.app.state.settings.registration_limit
    address = request.client.host if request.client else "unknown"
    allowance = await signatories.count_registration(engine, address, limit)

    async def render(session: AsyncSession, result: tuple[Signatory, keys.NewKey]) -> Rendered:
        signatory, new_key = result
        profile = await private_read.signatory_document(session, signatory, None)
        document = {"signatory": profile, "api_key": private_read.issued_key_document(new_key.row, new_key.plaintext)}
        replay = {**document, "api_key": private_read.issued_key_document(new_key.row, None)}
        return created(document, f"/v1/signatories/{signatory.id}", signatory, replay_document=replay)

    try:
        response = await tx.run(lambda session: signatories.register(session, body), render)
    except DomainError as refused:
        refused.headers.update((await signatories.uncount_registration(engine, address, limit)).headers())
        raise
    response.headers.update(allowance.headers())
    return response


@router.patch(
    "/signatories/{signatory_id}",
    response_model=SignatoryPrivate,
    tags=["Organisations"],
    summary="Update your organisation's profile",
    responses=problem_docs(*CHANGE_ERRORS),
)
async def update_signatory(
    signatory_id: RecordId,
    body: SignatoryUpdate,
    caller: OrganisationWriter,
    tx: ChangeTransaction,
    if_match: IfMatch = None,
) -> Response:
    """Change your own profile, private contact included. Send only the fields to change, with If-Match."""
    expected = precondition(if_match)
    return await tx.run(
        lambda session: signatories.update_profile(session, caller, signatory_id, expected, body),
        render_signatory(caller),
    )


# ---------------------------------------------------------------- officers


@router.get(
    "/covenants/{covenant}/signatories",
    tags=["Signatories"],
    response_model=SignatoryPrivatePage,
    summary="List the organisations of a covenant (verification queue)",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.SIGNATORY_PRIVATE)),
    },
)
async def list_covenant_signatories(
    covenant: CovenantReference,
    caller: OfficerReader,
    session: PrivateSession,
    page: Annotated[PageParams, Query()],
    status: Annotated[
        list[SignatoryStatus], Query(description="Only these states; `pending` awaits verification.")
    ] = [],  # noqa: B006
) -> Response:
    """Organisations with a pledge in your covenant, with private contacts. `?status=pending` is the
    verification queue."""
    statuses = [s.value for s in status]
    result = await private_read.signatories_in_covenant(session, caller, covenant, statuses, page.cursor, page.limit)
    return private_json(result.as_document())


def _decision_route(action: str, summary: str, description: str) -> Callable[..., Awaitable[Response]]:
    @router.post(
        f"/signatories/{{signatory_id}}/{action}",
        response_model=SignatoryPrivate,
        tags=["Signatories"],
        summary=summary,
        description=description,
        responses=problem_docs(*ACTION_ERRORS),
        name=f"{action}_signatory",
    )
    async def decide(
        signatory_id: RecordId, caller: OfficerWriter, tx: PostTransaction, body: OfficerDecision | None = None
    ) -> Response:
        note = body.note if body else ""
        return await tx.run(
            lambda session: signatories.decide(session, caller, signatory_id, action, note), render_signatory(caller)
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
