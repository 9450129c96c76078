"""The migrations build the schema the models describe, and go down and up again cleanly."""

import json

import pytest
from sqlalchemy import inspect, text

from app import migrate
from app.config import Settings
from app.db import create_engine
from tests.conftest import drop_database, fresh_database_url, in_thread
from tests.flows import run_command


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


async def documents(url: str) -> list[dict[str, object]]:
    engine = create_engine(Settings(database_url=url), pooled=False)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT document FROM public_commitment ORDER BY commitment_id"))).scalars()
            return [json.loads(row) for row in rows]
    finally:
        await engine.dispose()


async def test_offers_rendered_before_the_view_field_gain_it_and_lose_it_going_down(scratch_database):
    in_thread(migrate.upgrade, scratch_database)
    await run_command(scratch_database, "demo-data")
    rendered_now = await documents(scratch_database)
    assert rendered_now and all(document["view"] == "public" for document in rendered_now)

    in_thread(migrate.downgrade, scratch_database, "e40c1653a4ce")  # as a registry rendered before `view` would
    older = await documents(scratch_database)
    assert len(older) == len(rendered_now) and not any("view" in document for document in older)

    in_thread(migrate.upgrade, scratch_database)
    assert await documents(scratch_database) == rendered_now


async def test_offers_rendered_before_area_names_gain_them_and_lose_them_going_down(scratch_database):
    in_thread(migrate.upgrade, scratch_database)
    await run_command(scratch_database, "demo-data")
    rendered_now = await documents(scratch_database)
    assert rendered_now and all(len(document["area_details"]) == len(document["areas"]) for document in rendered_now)
    assert {"code": "E07000123", "name": "Preston", "kind": "district"} in [
        detail for document in rendered_now for detail in document["area_details"]
    ]

    indexed_now = await area_index(scratch_database)

    in_thread(migrate.downgrade, scratch_database, "2888e563d12b")
    older = await documents(scratch_database)
    assert len(older) == len(rendered_now) and not any("area_details" in document for document in older)
    assert "public_commitment_area" not in await table_names(scratch_database)

    in_thread(migrate.upgrade, scratch_database)
    assert await documents(scratch_database) == rendered_now
    # The index the migration builds is the one the demo loader's projection wrote.
    assert await area_index(scratch_database) == indexed_now
    preston_offers = {row for row in indexed_now if row[1] == "E07000123"}
    county_wide = {document["id"] for document in rendered_now if "E10000017" in document["areas"]}
    assert county_wide and county_wide <= {commitment_id for commitment_id, _ in preston_offers}


async def area_index(url: str) -> set[tuple[str, str]]:
    engine = create_engine(Settings(database_url=url), pooled=False)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT commitment_id, area_code FROM public_commitment_area"))
            return {tuple(row) for row in rows}
    finally:
        await engine.dispose()
