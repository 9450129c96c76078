"""The public reads' statements, compiled once and run on PostgreSQL's driver connection.

SQLAlchemy builds every statement and compiles it; what a cold public read does not need is the rest of its
execution layer: the greenlet hop into the sync core, an execution context, a cursor result and a Row per row,
which together cost more per request than asyncpg running the query. So on PostgreSQL a statement's SQL and the
order of its parameters are worked out once (per count of values in an expanding IN), and each read hands them
to asyncpg's own connection, which prepares the statement once per connection and returns its records. Rows keep
the shape readers use: columns by attribute (`row.document`) and by position.

Only statements whose parameters and columns need no conversion by SQLAlchemy take this path (checked when one
is first compiled); any other statement, and every statement on SQLite, runs through SQLAlchemy as before. A
driver error is turned into SQLAlchemy's own exception, and a connection that died is invalidated in the pool,
exactly as SQLAlchemy's execution would, so a dropped connection is still retried once and an unreachable
database is still a 503 (app/db.py classifies both).
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import asyncpg
from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler


class Record(asyncpg.Record):
    """asyncpg's record with columns readable as attributes too, as SQLAlchemy's rows are."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class Compiled:
    """A statement as the driver takes it: its SQL and its parameters in order, or the compiler to expand an IN."""

    compiler: SQLCompiler
    sql: str
    names: tuple[str, ...]
    fixed: dict[str, Any]  # values the statement carries itself (literals SQLAlchemy binds)
    expanding: bool

    def arguments(self, parameters: Mapping[str, Any]) -> tuple[str, Sequence[Any]]:
        if self.expanding:
            state = self.compiler.construct_expanded_state(dict(parameters))
            return state.statement, state.positional_parameters
        values = {**self.fixed, **parameters}
        return self.sql, [values[name] for name in self.names]


def _needs_conversion(compiler: SQLCompiler, dialect: Dialect, statement: Any) -> bool:
    if any(compiler._bind_processors.values()):
        return True
    columns = getattr(statement, "selected_columns", ())
    return any(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)


@functools.lru_cache(maxsize=1024)
def _compiled(statement: Executable, dialect: Dialect) -> Compiled | None:
    """The driver's form of `statement` (statements are built once per shape, so this runs once each), or None
    when SQLAlchemy must convert its values and it keeps SQLAlchemy's path."""
    compiler = cast(ClauseElement, statement).compile(dialect=dialect)
    assert isinstance(compiler, SQLCompiler)
    if _needs_conversion(compiler, dialect, statement) or compiler.positiontup is None:
        return None
    values = compiler.construct_params(_check=False)
    fixed = {name: value for name, value in values.items() if value is not None}
    late = [*compiler.literal_execute_params, *compiler.post_compile_params]
    if not late:
        return Compiled(compiler, compiler.string, tuple(compiler.positiontup), fixed, expanding=False)
    if any(bind.expanding or compiler.bind_names[bind] not in fixed for bind in late):
        # An IN whose values the caller sends: expanded on every read, for as many values as it has.
        return Compiled(compiler, compiler.string, tuple(compiler.positiontup), fixed, expanding=True)
    # Values rendered into the SQL that the statement carries itself (string_agg's separator): rendered once.
    state = compiler.construct_expanded_state(dict(values))
    assert state.positiontup is not None
    return Compiled(compiler, state.statement, tuple(state.positiontup), fixed, expanding=False)


async def _driver_rows(conn: AsyncConnection, compiled: Compiled, parameters: Mapping[str, Any]) -> list[Record]:
    sql, arguments = compiled.arguments(parameters)
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None  # an open connection has its asyncpg connection
    try:
        return await driver.fetch(sql, *arguments, record_class=Record)
    except Exception as error:
        raise await _as_sqlalchemy_error(conn, raw.dbapi_connection, sql, arguments, error) from error


async def _as_sqlalchemy_error(
    conn: AsyncConnection, adapted: Any, sql: str, arguments: Sequence[Any], error: Exception
) -> Exception:
    """The exception SQLAlchemy would have raised for `error`, with a dead connection invalidated in the pool."""
    dialect = conn.dialect
    try:
        adapted._handle_exception(error)  # raises the DBAPI-style error SQLAlchemy's adapter maps it to
    except Exception as translated:
        dbapi_error: Exception = translated
    else:  # pragma: no cover - the adapter always raises
        dbapi_error = error
    if not isinstance(dbapi_error, dialect.loaded_dbapi.Error):
        return error
    disconnected = dialect.is_disconnect(dbapi_error, adapted, None)
    if disconnected:
        await conn.invalidate(dbapi_error)
    return exc.DBAPIError.instance(
        sql,
        tuple(arguments),
        dbapi_error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=disconnected,
        dialect=dialect,
    )


Executor = AsyncConnection | AsyncSession


def _outside_transaction(executor: Executor) -> bool:
    """A PostgreSQL connection in autocommit (the public reads' engine), never a session or a transaction's
    connection: SQLAlchemy begins a transaction at its first statement, which one sent to the driver directly
    would run ahead of."""
    if not isinstance(executor, AsyncConnection) or executor.dialect.name != "postgresql":
        return False
    connection = executor.sync_connection
    return connection is not None and connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


async def rows(executor: Executor, statement: Executable, parameters: Mapping[str, Any]) -> Sequence[Any]:
    """Every row `statement` returns, each readable by attribute and by position."""
    if _outside_transaction(executor):
        assert isinstance(executor, AsyncConnection)
        compiled = _compiled(statement, executor.dialect)
        if compiled is not None:
            return await _driver_rows(executor, compiled, parameters)
    return (await executor.execute(statement, dict(parameters))).all()


async def first(executor: Executor, statement: Executable, parameters: Mapping[str, Any]) -> Any | None:
    found = await rows(executor, statement, parameters)
    return found[0] if found else None


async def scalar(executor: Executor, statement: Executable, parameters: Mapping[str, Any]) -> Any | None:
    """The first column of the first row, or None when there is none."""
    row = await first(executor, statement, parameters)
    return None if row is None else row[0]
