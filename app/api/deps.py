"""Dependencies shared by the routers."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


async def read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.read_engine.connect() as connection:
        yield connection


async def write_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


ReadConnection = Annotated[AsyncConnection, Depends(read_connection)]
WriteSession = Annotated[AsyncSession, Depends(write_session)]
