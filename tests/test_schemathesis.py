"""Property-based checks of the whole contract: Schemathesis drives every operation in-process.

No response may be a server error or break its documented schema, status codes, content type or headers.
A small registry is seeded first, so lists and lookups answer with real records.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from app.config import Settings
from app.main import create_app
from tests.test_contract import CONTRACT

OPERATIONS = sorted(
    operation.ok().label
    for operation in schemathesis.openapi.from_dict(json.loads(CONTRACT.read_text())).get_all_operations()
)


@pytest.fixture(scope="session")
def api_schema(database_url):
    # A second app instance on the same database; Schemathesis runs its lifespan on its own event loop.
    application = create_app(Settings(database_url=database_url, db_pool_size=2))
    return schemathesis.openapi.from_asgi("/openapi.json", application)


@pytest.fixture
async def seeded(factory):
    for _ in range(3):
        await factory.public_offer(areas=("E10000017", "national"))


def without_made_up_cursor(case):
    # Only a cursor the service issued can be valid, which no schema can say; cursors have their own tests.
    if case.query and case.query.get("cursor"):
        case.query = {key: value for key, value in case.query.items() if key != "cursor"}
    return case


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_honours_its_contract(label, api_schema, seeded):
    operation = api_schema.find_operation_by_label(label)

    @given(case=operation.as_strategy().map(without_made_up_cursor))
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def exchange(case):
        case.call_and_validate()

    exchange()
