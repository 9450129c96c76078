"""Dependencies and parameter types shared by the routers, and the one place a read opens its session.

Public reads run on a plain connection (`ReadConnection`); reads that only a key may make get an ORM session
(`PrivateSession`); writes get theirs from app/api/transactions.py. Routers never open either by hand.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.responses import Response

from app.api.etags import record_etag
from app.api.http import private_json, public_json
from app.errors import NotFound
from app.schemas.fields import ID_CHARS
from app.services.access import Principal
from app.services.public_scopes import Scoped

RecordId = Annotated[str, Path(max_length=40, pattern=ID_CHARS, description="The record's id.")]
CovenantReference = Annotated[str, Path(max_length=100, pattern=ID_CHARS, description="The covenant's id or slug.")]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description="The record's ETag from your last read of it (required)."),
]
# Detail reads answer anyone; a key (optional) may unlock the private view of the caller's own records.
OPTIONAL_KEY: dict[str, Any] = {"x-key-optional": True}


@asynccontextmanager
async def public_connection(state: Any) -> AsyncIterator[AsyncConnection]:
    """A public read's connection (autocommit), for a route's dependency or a keyless read (keyless_reads.py)."""
    # Readers queue at a first-come-first-served gate as wide as the pool: the pool's own queue lets a newcomer
    # take a connection that was released for a reader already waiting, which starves a few requests for
    # seconds under load (p99 1.4 s against p50 12 ms before this gate).
    async with state.read_gate, state.read_engine.connect() as connection:
        yield connection


async def read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    async with public_connection(request.app.state) as connection:
        yield connection


async def private_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


ReadConnection = Annotated[AsyncConnection, Depends(read_connection)]
PrivateSession = Annotated[AsyncSession, Depends(private_session)]


async def private_view(request: Request, view: Callable[[AsyncSession], Awaitable[tuple[Any, Any]]]) -> Response | None:
    """The private representation of a record, if the caller's key may see one: `view(session)` returns the
    record and its document, or raises NotFound. None sends the caller the public one (or its 404). A session is
    opened only here, when a key was sent, so a keyless read of the same URL costs nothing more."""
    async with request.app.state.sessionmaker() as session:
        try:
            record, document = await view(session)
        except NotFound:
            return None
    return private_json(document, headers={"ETag": record_etag(record), "Vary": "Authorization"})


async def detail_read(
    request: Request,
    caller: Principal | None,
    private: Callable[[AsyncSession, Principal], Awaitable[tuple[Any, Any]]],
    public: Callable[[], Awaitable[Any]],
) -> Response:
    """A record's read that a key may unlock: the private view when the caller's key may see one, else the public
    document (or its 404), marked as varying by key."""
    if caller is not None:
        answer = await private_view(request, lambda session: private(session, caller))
        if answer is not None:
            return answer
    return await public_detail(request, public)


async def public_detail(request: Request, public: Callable[[], Awaitable[Any]]) -> Response:
    """A record's public document (or its 404), marked as varying by key: the same URL may answer a key holder
    with the private view. A read that says what it depends on (`Scoped`) is remembered until that changes."""
    found = await public()
    if isinstance(found, Scoped):
        return public_json(request, found.document, varies_by_key=True, depends_on=found.depends_on)
    return public_json(request, found, varies_by_key=True)
