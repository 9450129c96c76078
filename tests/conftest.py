"""Test harness: a fresh database per run, built by the real Alembic migrations, and HTTP through the ASGI app.

TEST_DATABASE_URL picks the backend. Unset, the suite runs on a SQLite file in a temporary folder. Set to a
PostgreSQL server (postgresql://postgres@127.0.0.1:5432/test), the suite connects there only to create a
database of its own (covreg_test_<random>), and drops it at the end. Every test starts from empty tables.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from app import migrate
from app.config import Settings
from app.db import BUMP_DATA_VERSION, create_engine
from app.main import create_app
from tests.factories import Factory, Keyring

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def on_postgresql() -> bool:
    return TEST_DATABASE_URL.startswith(("postgresql", "postgres"))


def in_thread(function, *args):  # type: ignore[no-untyped-def]
    """Alembic's env.py runs its own event loop; keep it off the test loop's thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


async def _admin(statement: str) -> None:
    engine = create_engine(Settings(database_url=TEST_DATABASE_URL), pooled=False)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def fresh_database_url(tmp_path_factory: pytest.TempPathFactory, label: str) -> str:
    """A new, empty database on the backend under test."""
    if on_postgresql():
        name = f"covreg_test_{label}_{uuid.uuid4().hex[:10]}"
        in_thread(asyncio.run, _admin(f'CREATE DATABASE "{name}"'))
        return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path_factory.mktemp(label)}/registry.db"


@contextmanager
def migrated_database(tmp_path_factory: pytest.TempPathFactory, label: str) -> Iterator[str]:
    """A new database built by the real migrations, dropped afterwards."""
    url = fresh_database_url(tmp_path_factory, label)
    in_thread(migrate.upgrade, url)
    try:
        yield url
    finally:
        drop_database(url)


def drop_database(url: str) -> None:
    if on_postgresql():
        name = make_url(url).database
        in_thread(asyncio.run, _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = fresh_database_url(tmp_path_factory, "main")
    in_thread(migrate.upgrade, url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # data_version_ttl=0: every request reads the data version, so a test sees its own writes at once.
    # in_process_worker=False: webhook tests run the worker's rounds themselves; loopback receivers are allowed.
    return Settings(
        database_url=database_url,
        db_pool_size=5,
        data_version_ttl=0,
        in_process_worker=False,
        webhook_allow_private_networks=True,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def engine(app) -> AsyncEngine:  # type: ignore[no-untyped-def]
    return app.state.engine


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def factory(app) -> Factory:  # type: ignore[no-untyped-def]
    return Factory(app.state.sessionmaker)


@pytest.fixture
async def keyring(app) -> Keyring:  # type: ignore[no-untyped-def]
    return Keyring(app.state.sessionmaker)


@pytest.fixture(autouse=True)
async def empty_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test that touches the database leaves every table empty for the next."""
    if "app" not in request.fixturenames:
        yield
        return
    engine: AsyncEngine = request.getfixturevalue("engine")
    yield
    # data_version is the registry's one-row clock, seeded by its migration: it stays.
    tables = [table.name for table in reversed(SQLModel.metadata.sorted_tables) if table.name != "data_version"]
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))
        # Raw SQL passes no session hook: say so, as anyone editing the tables by hand must.
        await conn.execute(BUMP_DATA_VERSION)
