"""Authorities: councils and national bodies that run covenants. Anyone reads them; the operator adds them."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import OperatorWriter
from app.api.deps import ReadConnection, RecordId
from app.api.http import public_json, public_page
from app.api.problems import problem_docs, read_docs
from app.api.responses import Rendered, created
from app.api.transactions import PostTransaction
from app.models import Authority
from app.schemas.authorities import AuthorityCreate, AuthorityFilters, AuthorityPage, AuthorityPublic
from app.services import covenants, public_read

router = APIRouter(prefix="/v1", tags=["Authorities"])


@router.get(
    "/authorities",
    response_model=AuthorityPage,
    summary="List authorities",
    responses=read_docs(422, example=examples.page(examples.AUTHORITY)),
)
async def list_authorities(
    request: Request, filters: Annotated[AuthorityFilters, Query()], conn: ReadConnection
) -> Response:
    """Councils and national bodies that run covenants, in name order."""
    return public_page(request, await public_read.list_authorities(conn, filters))


@router.get(
    "/authorities/{authority_id}",
    response_model=AuthorityPublic,
    summary="Get an authority",
    responses=read_docs(404, 422),
)
async def get_authority(request: Request, authority_id: RecordId, conn: ReadConnection) -> Response:
    """One council or national body."""
    return public_json(request, await public_read.get_authority(conn, authority_id))


@router.post(
    "/authorities",
    status_code=201,
    response_model=AuthorityPublic,
    summary="Add an authority",
    responses=problem_docs(401, 403, 409, 413, 422),
)
async def create_authority(body: AuthorityCreate, caller: OperatorWriter, tx: PostTransaction) -> Response:
    """Registry operator only: add a council or national body, then issue its officers a key (POST /v1/keys)."""

    async def render(_session: AsyncSession, authority: Authority) -> Rendered:
        return created(public_read.authority_out(authority), f"/v1/authorities/{authority.id}")

    return await tx.run(lambda session: covenants.create_authority(session, caller, body), render)
