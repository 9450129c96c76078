"""Property-based checks of the whole contract: Schemathesis drives every operation in-process.

No response may be a server error or break its documented schema, status codes, content type or headers.
A small registry is seeded first and each operation is called with the kind of key it serves (organisation,
officer or operator), so the authenticated operations are exercised past their 401.

"Schema-valid input must be accepted" is checked on reads only: writes also obey rules no JSON schema can
state (an offer's ages inside its covenant's, a priority of the same covenant, a current If-Match), which
their own tests cover.
"""

import json
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from app.config import Settings
from app.main import create_app
from tests.test_contract import CONTRACT

DOCUMENT = json.loads(CONTRACT.read_text())
OPERATIONS = sorted(op.ok().label for op in schemathesis.openapi.from_dict(DOCUMENT).get_all_operations())
OPERATOR_OPERATIONS = {"create_authority", "list_keys", "create_key", "rotate_key", "revoke_key"}
ORGANISATION_TAGS = {"Organisations"}
ORGANISATION_OPERATIONS = {
    "create_pledge",
    "update_pledge",
    "submit_pledge",
    "withdraw_pledge",
    "create_commitment",
    "update_commitment",
    "delete_commitment",
    "withdraw_commitment",
}


@pytest.fixture(scope="session")
def api_schema(database_url):
    # A second app instance on the same database; Schemathesis runs its lifespan on its own event loop.
    application = create_app(Settings(database_url=database_url, db_pool_size=2))
    return schemathesis.openapi.from_asgi("/openapi.json", application)


@pytest.fixture
async def keys_by_audience(factory, keyring):
    offer = await factory.public_offer(areas=("E10000017", "national"))
    for _ in range(2):
        await factory.public_offer()
    return {
        "organisation": await keyring.organisation(offer.signatory_id),
        "officer": await keyring.officer_of_covenant(offer.covenant_id),
        "operator": await keyring.operator(),
    }


def audience_of(operation) -> str | None:
    definition = operation.definition.raw
    operation_id = definition.get("operationId")
    if operation_id in OPERATOR_OPERATIONS:
        return "operator"
    if operation_id in ORGANISATION_OPERATIONS or set(definition.get("tags", [])) & ORGANISATION_TAGS:
        return "organisation"
    if definition.get("security") == [{"ApiKey": []}]:
        return "officer"
    return None


# What people type as `area`, in each form the filter takes.
AREAS = ("E10000017", "E07000123", "E06000023", "Preston", "st. helens", "pr1 2he", "CA1 1AA", "national")


def realistic(case):
    # Only a cursor the service issued can be valid (a page's, or the change feed's `after`), which no schema can
    # say; cursors have their own tests.
    if case.query and (case.query.get("cursor") or case.query.get("after")):
        case.query = {key: value for key, value in case.query.items() if key not in ("cursor", "after")}
    # Likewise only an area the ONS knows (a code, a name, a postcode): unknown areas have their own tests.
    if case.query and "area" in case.query:
        case.query = {**case.query, "area": AREAS[len(str(case.query["area"])) % len(AREAS)]}
    # A client makes a new Idempotency-Key per request; reuse with another body is a 422 tested elsewhere.
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers = {**case.headers, "Idempotency-Key": str(uuid.uuid4())}
    return case


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_honours_its_contract(label, api_schema, keys_by_audience):
    operation = api_schema.find_operation_by_label(label)
    audience = audience_of(operation)
    headers = {"Authorization": f"Bearer {keys_by_audience[audience]}"} if audience else {}
    excluded = [] if operation.method.upper() == "GET" else [positive_data_acceptance]

    @given(case=operation.as_strategy().map(realistic))
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def exchange(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    exchange()


# ---------------------------------------------------------------- the Open Referral UK feed's own contract

ORUK_DOCUMENT = json.loads((CONTRACT.parent / "oruk.json").read_text())
ORUK_OPERATIONS = sorted(op.ok().label for op in schemathesis.openapi.from_dict(ORUK_DOCUMENT).get_all_operations())


@pytest.fixture(scope="session")
def oruk_schema(database_url):
    application = create_app(Settings(database_url=database_url, db_pool_size=2))
    return schemathesis.openapi.from_asgi("/oruk/openapi.json", application)


def realistic_for_the_feed(case):
    # Only a postcode the ONS directory has can be valid (the unknown one's 422 has its own test).
    if case.query and "postcode" in case.query:
        case.query = {**case.query, "postcode": POSTCODES[len(str(case.query["postcode"])) % len(POSTCODES)]}
    return case


POSTCODES = ("PR1 2HE", "pr12he", "BS1 5TR", "CA1 1AA")


@pytest.mark.parametrize("label", ORUK_OPERATIONS)
def test_oruk_operation_honours_its_contract(label, oruk_schema, keys_by_audience):
    operation = oruk_schema.find_operation_by_label(label)

    @given(case=operation.as_strategy().map(realistic_for_the_feed))
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def exchange(case):
        case.call_and_validate()

    exchange()
