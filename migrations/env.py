"""Alembic environment: runs migrations over the service's own async engine (asyncpg or aiosqlite)."""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from app import models  # noqa: F401  (registers every table on the metadata)
from app.config import Settings
from app.db import DATABASE_ONLY_INDEXES, create_engine, is_sqlite

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def include_object(item, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Leave out of comparisons the indexes that live in the database only (app/db.py says which)."""
    return not (type_ == "index" and reflected and compare_to is None and name in DATABASE_ONLY_INDEXES)


def database_url() -> str:
    return config.attributes.get("database_url") or Settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=is_sqlite(database_url()),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by copying it and dropping the original; with foreign keys on, that drop
        # deletes every row that references it ON DELETE CASCADE (the read model's area index, for one). SQLite
        # honours the pragma only outside a transaction, so it is set before the migrations' one begins, and
        # the keys are checked once they are done.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"the migrations left rows whose foreign keys point nowhere: {broken[:5]}")


async def run_async_migrations() -> None:
    engine = create_engine(Settings(database_url=database_url()), pooled=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
