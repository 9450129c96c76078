"""Engines and sessions. One async engine per process; SQLite in a file by default, PostgreSQL in production."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as sa_create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import NullPool

from app.config import Settings

# Constraint names are part of the schema: Alembic needs them to drop or alter a constraint later.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Indexes that exist on PostgreSQL only and are not in the models: the trigram indexes of free-text search
# (migration e40c1653a4ce). `alembic check` is told to expect them (migrations/env.py).
DATABASE_ONLY_INDEXES = frozenset({"ix_public_commitment_search_text_trgm", "ix_signatory_name_trgm"})


def async_database_url(url: str | URL) -> URL:
    """Accept the usual `postgresql://…` and `sqlite:///…` forms and pick the async driver ourselves."""
    parsed = make_url(url) if isinstance(url, str) else url
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    raise ValueError(f"unsupported database {backend!r}: use postgresql:// or sqlite:///")


def is_sqlite(url: str | URL) -> bool:
    return async_database_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: URL) -> None:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _on_sqlite_connect(lock_timeout_ms: int) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # SQLite ignores foreign keys unless asked; WAL lets readers run beside a writer;
        # busy_timeout makes a second writer wait (as long as PostgreSQL's lock_timeout) instead of failing at once.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={lock_timeout_ms:d}")
        cursor.close()
        # SQLite's own lower() folds only A-Z; Python's folds "É" as PostgreSQL does, so `q` matches alike on both.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    return configure


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def create_engine(settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    url = async_database_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        extra = {} if pooled else {"poolclass": NullPool}
        engine = sa_create_async_engine(url, echo=settings.db_echo, **extra)
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect(settings.db_lock_timeout_ms))
        return engine
    if not pooled:
        return sa_create_async_engine(url, echo=settings.db_echo, poolclass=NullPool)
    return sa_create_async_engine(
        url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=False,
        # Statements are compiled once and cached; asyncpg prepares them once per connection. lock_timeout is
        # set per connection, so no request pays a round trip for it: a statement waiting longer for rows another
        # transaction holds fails instead of holding its connection (a retried POST then gets 409).
        connect_args={
            "server_settings": {
                "application_name": "covenant-registry",
                "lock_timeout": str(settings.db_lock_timeout_ms),
            }
        },
    )


class RegistrySession(Session):
    """A session that bumps the data version (app/services/data_version.py) in any transaction that wrote, and
    remembers the version it made current (`committed_version`)."""


# RETURNING (PostgreSQL, SQLite 3.35+) hands the writer the version its commit makes current.
BUMP_DATA_VERSION = text("UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version")


@event.listens_for(RegistrySession, "after_flush")
def _note_write(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


@event.listens_for(RegistrySession, "do_orm_execute")
def _note_statement_write(state: ORMExecuteState) -> None:
    # Core UPDATE/DELETE/INSERT run through the session (bulk status changes) write without a flush.
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


@event.listens_for(RegistrySession, "before_commit")
def _bump_data_version(session: Session) -> None:
    # Changes not flushed yet count too: commit flushes them only after this hook runs.
    pending = session.new or session.dirty or session.deleted
    if session.info.pop("wrote", False) or pending:
        session.info["data_version"] = session.execute(BUMP_DATA_VERSION).scalar_one()


@event.listens_for(RegistrySession, "after_rollback")
def _forget_write(session: Session) -> None:
    session.info.pop("wrote", None)
    session.info.pop("data_version", None)


def committed_version(session: AsyncSession) -> int | None:
    """The data version the session's last commit made current, if it wrote anything."""
    return session.info.get("data_version")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: services return objects after commit without a hidden reload.
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=RegistrySession)


def upsert_insert(dialect_name: str, table: Table) -> Any:
    """An INSERT of `table` that can take ON CONFLICT (upserts): PostgreSQL's own, or SQLite's."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


async def bulk_insert(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the connection's transaction: COPY on PostgreSQL, executemany batches elsewhere."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        raw = await conn.get_raw_connection()
        assert raw.driver_connection is not None  # an open connection has its asyncpg connection
        columns = list(rows[0].keys())
        records = [tuple(row[column] for column in columns) for row in rows]
        await raw.driver_connection.copy_records_to_table(table.name, records=records, columns=columns)
        return
    for start in range(0, len(rows), 5_000):
        await conn.execute(table.insert(), rows[start : start + 5_000])
