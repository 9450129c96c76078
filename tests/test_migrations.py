"""The migrations build the schema the models describe, and go down and up again cleanly."""

import pytest
from sqlalchemy import inspect

from app import migrate
from app.config import Settings
from app.db import create_engine
from tests.conftest import drop_database, fresh_database_url, in_thread


async def table_names(url: str) -> set[str]:
    engine = create_engine(Settings(database_url=url), pooled=False)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


@pytest.fixture
def scratch_database(tmp_path_factory):
    url = fresh_database_url(tmp_path_factory, "migrations")
    yield url
    drop_database(url)


async def test_upgrade_check_downgrade_upgrade(scratch_database):
    in_thread(migrate.upgrade, scratch_database)
    in_thread(migrate.check, scratch_database)  # raises if models and schema differ
    assert {"commitment", "pledge", "signatory", "audit_event", "api_key"} <= await table_names(scratch_database)

    in_thread(migrate.downgrade, scratch_database)
    assert await table_names(scratch_database) <= {"alembic_version"}

    in_thread(migrate.upgrade, scratch_database)
    in_thread(migrate.check, scratch_database)
    assert "progress_report" in await table_names(scratch_database)


def test_single_head():
    assert len(migrate.head_revisions()) == 1
