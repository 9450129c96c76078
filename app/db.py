"""Engines and sessions. One async engine per process; SQLite in a file by default, PostgreSQL in production."""

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as sa_create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, NullPool

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


# SQLSTATEs that say the database, not the request, is the trouble: connection failures (class 08), a server
# shutting down or starting up (57P01-57P03), a statement that ran past `statement_timeout` (57014), too many
# connections (53300).
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "57014", "53300"})
# Those where a connection that was working went away under the request, and a fresh one may well succeed.
DROPPED_SQLSTATES = frozenset({"57P01", "57P02"})


def _causes(error: BaseException) -> list[BaseException]:
    """The error, what it wraps (SQLAlchemy's `orig`) and what caused it, outermost first."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        orig = getattr(current, "orig", None)
        pending.extend([current.__context__, current.__cause__, orig if isinstance(orig, BaseException) else None])
    return found


def _sqlstate(error: BaseException) -> str:
    return str(getattr(error, "sqlstate", "") or getattr(error, "pgcode", "") or "")


def connection_dropped(error: BaseException) -> bool:
    """A connection the request was using died (the server restarted, or ended it): worth one more try."""
    for cause in _causes(error):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, ConnectionResetError) or _sqlstate(cause) in DROPPED_SQLSTATES:
            return True
    return False


def database_unavailable(error: BaseException) -> bool:
    """The database could not be reached or could not serve the statement in time: a 503, not a 500."""
    if connection_dropped(error):
        return True
    for cause in _causes(error):
        # Refused, unreachable host, unknown name, or no answer within DB_CONNECT_TIMEOUT (TimeoutError is an OSError).
        if isinstance(cause, (ConnectionError, TimeoutError, PoolTimeout)) or type(cause).__name__ == "gaierror":
            return True
        state = _sqlstate(cause)
        if state.startswith("08") or state in UNAVAILABLE_SQLSTATES:
            return True
    return False


class CountingPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's async queue pool, counting the checkouts waiting for a connection (for /metrics). The count
    is taken around the pool's own checkout, the one place a request waits for a connection to come back."""

    waiting = 0

    def _do_get(self) -> ConnectionPoolEntry:
        self.waiting += 1
        try:
            return super()._do_get()
        finally:
            self.waiting -= 1


class ConnectionGate:
    """A first-come-first-served gate as wide as the pool (an asyncio.Semaphore), counting who waits at it."""

    def __init__(self, width: int) -> None:
        self._semaphore = asyncio.Semaphore(width)
        self.waiting = 0

    async def __aenter__(self) -> None:
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1

    async def __aexit__(self, *_exc: object) -> None:
        self._semaphore.release()


def create_engine(settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    url = async_database_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        engine = sa_create_async_engine(url, echo=settings.db_echo, poolclass=CountingPool if pooled else NullPool)
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect(settings.db_lock_timeout_ms))
        return engine
    if not pooled:
        return sa_create_async_engine(
            url, echo=settings.db_echo, poolclass=NullPool, connect_args=_postgresql_connect_args(settings)
        )
    return sa_create_async_engine(
        url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        poolclass=CountingPool,
        # No ping per checkout: a dead connection is met as an error, and a read retries once on a fresh one.
        pool_pre_ping=False,
        # A request waits for a free connection no longer than it would for a new one.
        pool_timeout=settings.db_connect_timeout,
        connect_args=_postgresql_connect_args(settings),
    )


def _postgresql_connect_args(settings: Settings) -> dict[str, Any]:
    # Statements are compiled once and cached; asyncpg prepares them once per connection. The timeouts are set
    # per connection, so no request pays a round trip for them. lock_timeout: a statement waiting longer for rows
    # another transaction holds fails instead of holding its connection (a retried POST then gets 409).
    # statement_timeout bounds the server's work; command_timeout (a little longer) bounds the wait for an
    # answer that never comes, as when the network to the database goes quiet.
    return {
        "timeout": settings.db_connect_timeout,
        "command_timeout": settings.db_statement_timeout_ms / 1000 + 1,
        "server_settings": {
            "application_name": "covenant-registry",
            "lock_timeout": str(settings.db_lock_timeout_ms),
            "statement_timeout": str(settings.db_statement_timeout_ms),
        },
    }


class WriteRules(Protocol):
    """Which writes the public can see (app/services/public_writes.py holds the registry's). A session made
    without rules takes every write for a public one, as the safe default."""

    def row_is_public(self, session: Session, row: Any, kind: str) -> bool:
        """Whether an ORM row just flushed (`kind`: insert, update or delete) changed what the public sees."""
        ...

    def table_is_public(self, table: str) -> bool:
        """Whether a statement writing `table` outside the ORM's flush may have changed what the public sees."""
        ...

    def row_scopes(self, row: Any, kind: str) -> frozenset[str]:
        """Which public answers a row taken for public may have changed (app/services/public_scopes.py): none
        for a row of a table no public route reads, EVERYTHING when it cannot be placed."""
        ...

    def table_scopes(self, table: str) -> frozenset[str]:
        """The same for a public table written outside the ORM's flush, whose rows are not seen one by one."""
        ...


class RegistrySession(Session):
    """A session that bumps the data version (app/services/data_version.py) in any transaction that changed
    something the public can see, and remembers the version it made current (`committed_version`)."""


# RETURNING (PostgreSQL, SQLite 3.35+) hands the writer the version its commit makes current.
BUMP_DATA_VERSION = text("UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version")
# Beside each version, what its transaction touched, so a worker forgets only the answers it may have changed
# (app/api/revalidation.py). A version with no row (a bump from outside the application, or one pruned) is read
# as having touched everything.
RECORD_SCOPES = text("INSERT INTO data_version_scope (version, scopes) VALUES (:version, :scopes)")
# Every KEPT_SCOPES versions, the rows older than that go: a worker that far behind forgets everything anyway.
KEPT_SCOPES = 1_000
PRUNE_SCOPES = text("DELETE FROM data_version_scope WHERE version <= :version")
# A scope every answer depends on (app/services/public_scopes.py names the rest).
EVERYTHING = "*"
# More scopes than this in one transaction (a rebuild, a bulk change) are stored as EVERYTHING.
MOST_SCOPES = 500
STAMP_PUBLIC_CHANGES = text("UPDATE public_change SET version = :version WHERE version IS NULL")
# Most writes record no public change (a draft, a key, a private contact): `note_public_changes` marks the
# connection of a transaction that did, and only that commit runs the stamp. A mark left by a rollback costs one
# stamp with nothing to stamp, never a change left unstamped.
PUBLIC_CHANGES_PENDING = "public_changes_pending"


def note_public_changes(conn: AsyncConnection) -> None:
    """Say that this connection's transaction added rows to the change feed's outbox."""
    conn.info[PUBLIC_CHANGES_PENDING] = True


WRITE_RULES = "write_rules"
# A session whose writes the public never sees (the webhook worker's bookkeeping): its commits leave the data
# version, and so every worker's memory of public answers, alone, whatever its rules would say.
PRIVATE_ONLY = "private_only"
# A statement's execution option: it writes no data at all (a no-op UPDATE taken for its lock).
WRITES_NOTHING = "writes_nothing"
_BEFORE_FLUSH = "core_writes_before_flush"
_CONNECTION = "connection_info"
# Kept in the connection's info for the length of one transaction (cleared when the next one begins).
_CORE_WRITES = "registry_core_writes"
# What the read model's writer said it changed (`note_public_write`); there at all, the transaction is public.
_MARKED_SCOPES = "registry_marked_scopes"
# Kept in the session's info until its transaction ends: the scopes its public rows touched (none: no row of the
# transaction was public yet).
_SCOPES = "public_scopes"


# Every write statement on any connection is noted by table, whatever issued it (the ORM's flush, a Core
# statement run through a session or straight on its connection): a write no rule looked at is still seen.
@event.listens_for(Engine, "after_cursor_execute")
def _note_core_write(conn: Connection, _cursor: Any, _sql: str, _params: Any, context: Any, _many: bool) -> None:
    if context is None or not (context.isinsert or context.isupdate or context.isdelete):
        return
    if context.execution_options.get(WRITES_NOTHING):
        return
    table = getattr(getattr(context.compiled, "statement", None), "table", None)
    # A statement whose table cannot be told is noted under a name no rule knows: public.
    conn.info.setdefault(_CORE_WRITES, set()).add(getattr(table, "name", "") or "?")


@event.listens_for(Engine, "begin")
def _forget_core_writes(conn: Connection) -> None:
    conn.info.pop(_CORE_WRITES, None)
    conn.info.pop(_MARKED_SCOPES, None)


def note_public_write(conn: AsyncConnection, scopes: Iterable[str] | None = None) -> None:
    """For a writer whose tables the rules leave to it (the public read model): what the public sees changed,
    in `scopes` (None: anything), so this transaction bumps the data version."""
    info = conn.sync_connection.info  # type: ignore[union-attr]
    info.setdefault(_MARKED_SCOPES, set()).update(scopes if scopes is not None else (EVERYTHING,))


async def record_scopes(conn: AsyncConnection, version: int, scopes: Iterable[str]) -> None:
    """Store what the transaction making `version` touched (for Core-only writers; the session hook does it)."""
    await conn.run_sync(lambda sync: _record_scopes(sync.execute, version, scopes))


def _record_scopes(execute: Callable[..., Any], version: int, scopes: Iterable[str]) -> None:
    named = set(scopes)
    stored = EVERYTHING if EVERYTHING in named or len(named) > MOST_SCOPES or not named else " ".join(sorted(named))
    execute(RECORD_SCOPES, {"version": version, "scopes": stored})
    if version % KEPT_SCOPES == 0:
        execute(PRUNE_SCOPES, {"version": version - KEPT_SCOPES})


@event.listens_for(RegistrySession, "after_begin")
def _remember_connection(session: Session, _transaction: Any, connection: Connection) -> None:
    session.info[_CONNECTION] = connection.info


@event.listens_for(RegistrySession, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    # A deleted row is judged as it was, before the flush removes it and what the database clears with it.
    _judge(session, "delete", session.deleted)
    # The flush's own statements are judged row by row, not by table: keep the writes that came before them.
    session.info[_BEFORE_FLUSH] = set(session.connection().info.get(_CORE_WRITES, ()))


@event.listens_for(RegistrySession, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # Inserted and changed rows are judged with the flush written (a new row's parent is there to be read);
    # new and dirty still hold them here, with their attributes' history.
    _judge(session, "insert", session.new)
    _judge(session, "update", [row for row in session.dirty if session.is_modified(row)])
    session.connection().info[_CORE_WRITES] = session.info.pop(_BEFORE_FLUSH, set())


def _judge(session: Session, kind: str, rows: Any) -> None:
    rules: WriteRules | None = session.info.get(WRITE_RULES)
    touched: set[str] = session.info.setdefault(_SCOPES, set())
    for row in rows:
        if rules is None:
            touched.add(EVERYTHING)
        elif touched or rules.row_is_public(session, row, kind):
            # Once the transaction is public (a public row always has a scope) its rows are placed, not judged
            # again: a row placed that the public does not see costs a needless miss, never a wrong 304.
            touched.update(rules.row_scopes(row, kind))


def _touched(session: Session) -> set[str] | None:
    """What the transaction changed that the public sees, by scope; None if it changed nothing public."""
    rules: WriteRules | None = session.info.get(WRITE_RULES)
    connection = session.info.get(_CONNECTION) or {}
    touched = set(session.info.get(_SCOPES, ()))
    public = bool(touched) or _MARKED_SCOPES in connection
    touched |= connection.get(_MARKED_SCOPES, set())
    for table in connection.get(_CORE_WRITES, set()):
        if rules is None or rules.table_is_public(table):
            public = True
            touched.update(rules.table_scopes(table) if rules is not None else (EVERYTHING,))
    return touched if public else None


@event.listens_for(RegistrySession, "before_commit")
def _bump_data_version(session: Session) -> None:
    session.info.pop("data_version", None)
    if session.info.get(PRIVATE_ONLY):
        session.info.pop(_SCOPES, None)
        return
    # Changes not flushed yet are judged too: commit would flush them only after this hook.
    session.flush()
    touched = _touched(session)
    if touched is not None:
        version = session.execute(BUMP_DATA_VERSION).scalar_one()
        _record_scopes(session.execute, version, touched)
        # The change feed's outbox rows of this transaction take the version: versions follow commit order
        # (the bump holds the row's lock until the commit), so a reader paging by them never skips a change.
        # Writing public_change is itself a public write, so a transaction with a change always gets here; only
        # one that recorded a change (`note_public_changes`) runs the stamp.
        if session.connection().info.pop(PUBLIC_CHANGES_PENDING, False):
            session.execute(STAMP_PUBLIC_CHANGES, {"version": version})
        session.info["data_version"] = version
    session.info.pop(_SCOPES, None)


@event.listens_for(RegistrySession, "after_rollback")
def _forget_write(session: Session) -> None:
    session.info.pop(_SCOPES, None)
    session.info.pop("data_version", None)


def committed_version(session: AsyncSession) -> int | None:
    """The data version the session's last commit made current, if it wrote anything."""
    return session.info.get("data_version")


def create_sessionmaker(engine: AsyncEngine, rules: WriteRules | None = None) -> async_sessionmaker[AsyncSession]:
    """Sessions judging their writes by `rules` (app/services/public_writes.py): without them every committed
    write bumps the data version."""
    # expire_on_commit=False: services return objects after commit without a hidden reload.
    info = {WRITE_RULES: rules} if rules is not None else {}
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=RegistrySession, info=info)


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
