"""API keys, for every kind of key holder: list your keys, issue another, rotate one, revoke one.

A key with the `keys` scope manages the keys of its own organisation or authority, and can never hand on a
scope it does not have. The operator also issues and manages officers' keys for any authority.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import KeyManager
from app.api.deps import PrivateSession
from app.api.http import private_json
from app.api.problems import ACTION_ERRORS, problem_docs
from app.api.responses import Rendered, created
from app.api.transactions import PostTransaction
from app.models import ApiKey
from app.schemas.fields import ID_CHARS, RECORD_ID
from app.schemas.keys import IssuedKey, KeyCreate, KeyInfo, KeyList
from app.services import keys, private_read

router = APIRouter(prefix="/v1", tags=["Keys"])

KeyId = Annotated[str, Path(max_length=40, pattern=ID_CHARS, description="The key's id.")]


async def render_issued(_session: AsyncSession, new_key: keys.NewKey) -> Rendered:
    return created(
        private_read.issued_key_document(new_key.row, new_key.plaintext),
        f"/v1/keys/{new_key.row.id}",
        # A replay of this request must not show the secret again: the registry no longer has it.
        replay_document=private_read.issued_key_document(new_key.row, None),
    )


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
    caller: KeyManager,
    session: PrivateSession,
    authority: Annotated[
        str | None, Query(pattern=RECORD_ID, description="Operator only: list this authority's officer keys.")
    ] = None,
) -> Response:
    """The keys of your organisation or authority (never their secrets), oldest first."""
    return private_json({"items": await private_read.keys_of(session, caller, authority), "next_cursor": None})


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
    return await tx.run(lambda session: keys.issue_requested(session, caller, body), render_issued)


@router.post(
    "/keys/{key_id}/rotate",
    status_code=201,
    response_model=IssuedKey,
    summary="Rotate a key",
    responses=problem_docs(*ACTION_ERRORS),
)
async def rotate_key(key_id: KeyId, caller: KeyManager, tx: PostTransaction) -> Response:
    """Replace a key with a new one (same name, scopes and expiry). The old key stops working at once."""
    return await tx.run(lambda session: keys.rotate(session, caller, key_id), render_issued)


@router.post(
    "/keys/{key_id}/revoke",
    response_model=KeyInfo,
    summary="Revoke a key",
    responses=problem_docs(*ACTION_ERRORS),
)
async def revoke_key(key_id: KeyId, caller: KeyManager, tx: PostTransaction) -> Response:
    """Stop a key working, at once and for good. Revoking the key you call with is allowed."""

    async def render(_session: AsyncSession, key: ApiKey) -> Rendered:
        return Rendered(private_read.key_document(key))

    return await tx.run(lambda session: keys.revoke(session, caller, key_id), render)
