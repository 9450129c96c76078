"""API keys, for every kind of key holder: list your keys, issue another, rotate one, revoke one.

A key with the `keys` scope manages the keys of its own organisation or authority, and can never hand on a
scope it does not have. The operator also issues and manages officers' keys for any authority.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import KeyManager
from app.api.http import private_json
from app.api.problems import problem_docs
from app.api.transactions import PostTransaction, Rendered
from app.enums import KeyOwnerKind
from app.errors import Forbidden, ValidationFailed
from app.models import ApiKey, Authority
from app.schemas.types import ID_CHARS, RECORD_ID
from app.schemas.writes import IssuedKey, KeyCreate, KeyInfo, KeyList
from app.services import audit, keys
from app.services.access import Principal

router = APIRouter(prefix="/v1", tags=["Keys"])

KeyId = Annotated[str, Path(max_length=40, pattern=ID_CHARS, description="The key's id.")]


def key_document(row: ApiKey) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "prefix": f"{keys.KEY_PREFIX}{row.lookup}",
        "owner_kind": row.owner_kind,
        "signatory_id": row.signatory_id,
        "authority_id": row.authority_id,
        "scopes": list(row.scopes),
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
    }


def issued_key_document(row: ApiKey, plaintext: str | None) -> dict[str, Any]:
    return {**key_document(row), "key": plaintext}


def render_issued(new_key: keys.NewKey) -> Rendered:
    return Rendered(
        issued_key_document(new_key.row, new_key.plaintext),
        201,
        {"Location": f"/v1/keys/{new_key.row.id}"},
        # A replay of this request must not show the secret again: the registry no longer has it.
        replay_document=issued_key_document(new_key.row, None),
    )


async def _issued(_session: AsyncSession, new_key: keys.NewKey) -> Rendered:
    return render_issued(new_key)


async def _owner_for_new_key(session: AsyncSession, principal: Principal, body: KeyCreate) -> dict[str, Any]:
    if body.authority_id is not None:
        if not principal.is_operator:
            raise Forbidden("Only the registry operator issues keys for another authority.")
        if await session.get(Authority, body.authority_id) is None:
            raise ValidationFailed(f"No authority {body.authority_id}.", pointer="/authority_id")
        return {"owner_kind": KeyOwnerKind.AUTHORITY, "authority_id": body.authority_id}
    return {
        "owner_kind": principal.kind,
        "signatory_id": principal.signatory_id,
        "authority_id": principal.authority_id,
    }


@router.get(
    "/keys",
    response_model=KeyList,
    summary="List your keys",
    responses={
        **problem_docs(401, 403, 422),
        200: examples.json_example(examples.page(examples.KEY_INFO, next_cursor=None)),
    },
)
async def list_keys(
    request: Request,
    caller: KeyManager,
    authority: Annotated[
        str | None, Query(pattern=RECORD_ID, description="Operator only: list this authority's officer keys.")
    ] = None,
) -> Response:
    """The keys of your organisation or authority (never their secrets), oldest first."""
    if authority is not None and not caller.is_operator:
        raise Forbidden("Only the registry operator lists another authority's keys.")
    async with request.app.state.sessionmaker() as session:
        rows = await keys.list_keys(session, caller, authority)
    return private_json({"items": [key_document(row) for row in rows], "next_cursor": None})


@router.post(
    "/keys",
    status_code=201,
    response_model=IssuedKey,
    summary="Issue a key",
    responses=problem_docs(401, 403, 409, 413, 422),
)
async def create_key(body: KeyCreate, caller: KeyManager, tx: PostTransaction) -> Response:
    """Issue another key for your organisation or authority (the operator: for any authority's officers).
    The key is in this response only; the registry keeps just a hash of it."""

    async def issue(session: AsyncSession) -> keys.NewKey:
        new_key = keys.issue_key(
            session,
            name=body.name,
            scopes=body.scopes,
            expires_at=body.expires_at,
            granted_by=caller,
            **await _owner_for_new_key(session, caller, body),
        )
        await session.flush()
        audit.record(session, caller, "api_key.create", new_key.row, before=None)
        return new_key

    return await tx.run(issue, _issued)


@router.post(
    "/keys/{key_id}/rotate",
    status_code=201,
    response_model=IssuedKey,
    summary="Rotate a key",
    responses=problem_docs(401, 403, 404, 409, 422),
)
async def rotate_key(key_id: KeyId, caller: KeyManager, tx: PostTransaction) -> Response:
    """Replace a key with a new one (same name, scopes and expiry). The old key stops working at once."""

    async def replace(session: AsyncSession) -> keys.NewKey:
        old = await keys.manageable_key(session, caller, key_id)
        before = audit.snapshot(old)
        new_key = keys.rotate(session, caller, old)
        await session.flush()
        audit.record(session, caller, "api_key.revoke", old, before=before)
        audit.record(session, caller, "api_key.create", new_key.row, before=None)
        return new_key

    return await tx.run(replace, _issued)


@router.post(
    "/keys/{key_id}/revoke",
    response_model=KeyInfo,
    summary="Revoke a key",
    responses=problem_docs(401, 403, 404, 409, 422),
)
async def revoke_key(key_id: KeyId, caller: KeyManager, tx: PostTransaction) -> Response:
    """Stop a key working, at once and for good. Revoking the key you call with is allowed."""

    async def revoke(session: AsyncSession) -> ApiKey:
        key = await keys.manageable_key(session, caller, key_id)
        before = audit.snapshot(key)
        keys.revoke(key)
        await session.flush()
        audit.record(session, caller, "api_key.revoke", key, before=before)
        return key

    async def render(_session: AsyncSession, key: ApiKey) -> Rendered:
        return Rendered(key_document(key))

    return await tx.run(revoke, render)
