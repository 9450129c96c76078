"""Dependencies shared by the routers."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


async def read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    # Readers queue at a first-come-first-served gate as wide as the pool: the pool's own queue lets a newcomer
    # take a connection that was released for a reader already waiting, which starves a few requests for
    # seconds under load (p99 1.4 s against p50 12 ms before this gate).
    async with request.app.state.read_gate, request.app.state.read_engine.connect() as connection:
        yield connection


async def write_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


ReadConnection = Annotated[AsyncConnection, Depends(read_connection)]
WriteSession = Annotated[AsyncSession, Depends(write_session)]
