"""The Open Referral UK read feed under /oruk: HSDS 3.0 with the UK profile, checked against the standard.

Where each rule comes from (snapshots of the standard, read when this file was written):

- Objects: the UK profile, github.com/OpenReferralUK/uk-profile at commit ecdfabf78944d480d7f580d08b702b08cbec4b09.
  `SCHEMAS` below lists, for each object type, the properties and the required ones of `schema/service.json`,
  `schema/organization.json`, `schema/service_area.json`, `schema/cost_option.json`, `schema/attribute.json`,
  `schema/taxonomy.json` and `schema/taxonomy_term.json` (their `properties` and `required`), with each property's
  `type`, its `format` (uuid, uri, email, date-time) and `datapackage_type: date` (assured_date, valid_from,
  valid_to). The profile drops HSDS 3.0 properties (`profile/*.json`: e.g. `metadata`, cost_option `currency`,
  attribute `link_entity` and `value`), so none of them may appear. The service `status` enumeration (active,
  inactive, defunct, temporarily closed) is service.json's `enum`. A list item is `schema/compiled/service_list.json`:
  the service's own scalar properties and `organization` without its arrays; a detail is
  `schema/compiled/service.json`.
- Endpoints, pages and parameters: the UK profile's `schema/openapi.json` (paths, `components/schemas/Page`) and
  HSDS 3.0, github.com/openreferral/specification at commit 279fd2eb3552c349bf698c07c00cc25f5fc8249b:
  `schema/openapi.json` (the /services parameters search, page, per_page, format, taxonomy_term_id, taxonomy_id,
  organization_id, modified_after, minimal, full; /taxonomy_terms taxonomy_id, top_only, parent_id; /organizations)
  and `docs/hsds/api_reference.md` (lists are pages with `contents`; filters are cumulative, a boolean AND;
  modified_after is "on or after"; `format=ndjson` streams every result without pagination). That snapshot holds
  no `docs/hsds/uk_compliance.md`; the UK rules are the profile's `docs/profile_compliance.md`: endpoints open
  without a key, `Access-Control-Allow-Origin: *` on every HTTP response.
- How our records become services (a service is a public offer, its id the 128 bits of the offer id's ULID, the
  status mapping, areas as statistics.data.gov.uk URIs, the postcode filter following the council hierarchy) is
  this registry's design for the feed, stated in the tests. Council names and a postcode's council come from the
  ONS data, read by tests/test_area_hierarchy.py.

Every test starts from empty tables (tests/conftest.py); expected sets are still the records each test made.
"""

import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.conftest import migrated_database
from tests.test_area_hierarchy import council_names
from tests.test_areas import onspd_district

ORIGIN = {"Origin": "https://directory.example.gov.uk"}
PRESTON, LANCASHIRE, BRISTOL = "E07000123", "E10000017", "E06000023"
STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}
PAGED = ["/oruk/services", "/oruk/organizations", "/oruk/taxonomies", "/oruk/taxonomy_terms"]
SERVICE_STATUSES = {"active", "inactive", "defunct", "temporarily closed"}  # schema/service.json `status` enum
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# ---------------------------------------------------------------- the UK profile's objects


@dataclass(frozen=True)
class Schema:
    """One object type: its required properties, and each property's kind: "string", "number", "string:<format>",
    the name of a nested object's schema, or [the name of the schema of an array's items]."""

    required: tuple[str, ...]
    properties: dict[str, Any]


# fmt: off
SCHEMAS = {
    "service": Schema(required=("id", "name", "status"), properties={
        "id": "string:uuid", "organization_id": "string:uuid", "name": "string", "description": "string",
        "url": "string:uri", "email": "string:email", "status": "string", "fees": "string",
        "accreditations": "string", "minimum_age": "number", "maximum_age": "number",
        "assured_date": "string:date", "assurer_email": "string:email", "alert": "string",
        "last_modified": "string:date-time", "schedules": ["schedule"], "service_areas": ["service_area"],
        "service_at_locations": ["service_at_location"], "languages": ["language"],
        "organization": "organization", "funding": ["funding"], "cost_options": ["cost_option"],
        "contacts": ["contact"], "attributes": ["attribute"],
    }),
    "organization": Schema(required=("id", "name", "description"), properties={
        "id": "string:uuid", "name": "string", "description": "string", "email": "string:email",
        "website": "string:uri", "logo": "string", "uri": "string:uri", "parent_organization_id": "string:uuid",
        "organization_identifiers": ["organization_identifier"], "attributes": ["attribute"],
    }),
    # `uri` has no `format` in service_area.json, but "A URI which acts as a persistent identifier": checked as one.
    "service_area": Schema(required=("id",), properties={
        "id": "string:uuid", "service_id": "string:uuid", "name": "string", "extent": "string",
        "extent_type": "string", "uri": "string:uri", "service_area": "string",
    }),
    "cost_option": Schema(required=("id",), properties={
        "id": "string:uuid", "service_id": "string:uuid", "valid_from": "string:date", "valid_to": "string:date",
        "option": "string", "amount": "number", "amount_description": "string",
    }),
    "attribute": Schema(required=("id",), properties={
        "id": "string:uuid", "link_id": "string:uuid", "taxonomy_term_id": "string:uuid", "link_type": "string",
        "taxonomy_term": "taxonomy_term",
    }),
    "taxonomy": Schema(required=("id", "name", "description"), properties={
        "id": "string:uuid", "name": "string", "description": "string", "uri": "string:uri", "version": "string",
        "taxonomy_terms": ["taxonomy_term"],
    }),
    "taxonomy_term": Schema(required=("id", "name", "description"), properties={
        "id": "string:uuid", "name": "string", "description": "string", "parent_id": "string:uuid",
        "taxonomy": "string", "taxonomy_id": "string:uuid", "term_uri": "string:uri", "term": "string",
    }),
}
# fmt: on


def scalars_of(schema: Schema) -> dict[str, Any]:
    return {name: kind for name, kind in schema.properties.items() if not isinstance(kind, list)}


# schema/compiled/service_list.json: the service's scalars and its organization's (no arrays at either level).
SCHEMAS["organization_in_list"] = Schema(SCHEMAS["organization"].required, scalars_of(SCHEMAS["organization"]))
SCHEMAS["service_list_item"] = Schema(
    SCHEMAS["service"].required, scalars_of(SCHEMAS["service"]) | {"organization": "organization_in_list"}
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def value_problems(value: Any, kind: str, where: str) -> list[str]:
    base, _, fmt = kind.partition(":")
    if base == "number":
        return [] if isinstance(value, int | float) and not isinstance(value, bool) else [f"{where}: not a number"]
    if not isinstance(value, str):
        return [f"{where}: not a string: {value!r}"]
    if value == "":
        return [f"{where}: an empty string"]
    if fmt == "uuid" and not is_canonical_uuid(value):
        return [f"{where}: not a lower-case canonical UUID: {value!r}"]
    if fmt == "uri" and not has_scheme_and_host(value):
        return [f"{where}: not an absolute URI: {value!r}"]
    if fmt == "email" and not EMAIL.match(value):
        return [f"{where}: not an email address: {value!r}"]
    if fmt == "date-time" and not is_datetime(value):
        return [f"{where}: not an ISO 8601 date-time with a time zone: {value!r}"]
    if fmt == "date" and not is_date(value):
        return [f"{where}: not an ISO 8601 date: {value!r}"]
    return []


def problems(value: Any, schema_name: str, where: str = "$") -> list[str]:
    """Every way `value` breaks the UK profile's schema `schema_name` (an empty list when it conforms)."""
    schema = SCHEMAS[schema_name]
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    found = [f"{where}: required `{name}` missing" for name in schema.required if name not in value]
    for name, item in value.items():
        at = f"{where}.{name}"
        if name not in schema.properties:
            found.append(f"{at}: not a property of {schema_name}")
            continue
        if item is None:
            found.append(f"{at}: null")
            continue
        kind = schema.properties[name]
        if isinstance(kind, list):
            if not isinstance(item, list):
                found.append(f"{at}: not an array")
            elif kind[0] not in SCHEMAS:
                # Nothing in this registry fills schedules, contacts, locations...: such arrays must stay empty.
                found += [f"{at}: holds {kind[0]} objects, which this feed has none of"] if item else []
            else:
                for index, element in enumerate(item):
                    found += problems(element, kind[0], f"{at}[{index}]")
        elif kind in SCHEMAS:
            found += problems(item, kind, at)
        else:
            found += value_problems(item, kind, at)
    if schema_name in ("service", "service_list_item") and value.get("status") not in SERVICE_STATUSES:
        found.append(f"{where}.status: {value.get('status')!r} is not one of {sorted(SERVICE_STATUSES)}")
    return found


def nulls_and_empty_strings(value: Any, where: str = "$") -> list[str]:
    if value is None:
        return [f"{where}: null"]
    if value == "":
        return [f"{where}: empty string"]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in nulls_and_empty_strings(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [
            found for index, item in enumerate(value) for found in nulls_and_empty_strings(item, f"{where}[{index}]")
        ]
    return []


def is_canonical_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def has_scheme_and_host(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc)


def parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def is_datetime(value: str) -> bool:
    try:
        return "T" in value and parse_datetime(value).tzinfo is not None
    except ValueError:
        return False


def is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def assert_conforms(value: Any, schema_name: str) -> None:
    found = problems(value, schema_name)
    assert not found, found


# ---------------------------------------------------------------- our ids as UUIDs


def as_uuid(our_id: str) -> str:
    """`cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G` → the UUID of its ULID's 128 bits (Crockford base32, 26 characters)."""
    _, body = our_id.split("_", 1)
    number = 0
    for character in body:
        number = number * 32 + CROCKFORD.index(character)
    return str(uuid.UUID(int=number))


def test_as_uuid_decodes_crockford_base32():
    # The ULID spec's example: 01ARZ3NDEKTSV4RRFFQ69G5FAV is 0x01563E3AB5D3D6764C61EFB99302BD5B.
    assert as_uuid("cmt_01ARZ3NDEKTSV4RRFFQ69G5FAV") == "01563e3a-b5d3-d676-4c61-efb99302bd5b"
    assert as_uuid("cmt_00000000000000000000000001") == "00000000-0000-0000-0000-000000000001"


# ---------------------------------------------------------------- HTTP


async def fetch(client: httpx.AsyncClient, path: str, params: Any = None) -> httpx.Response:
    """GET as a directory's web page would, without a key; every answer must let any page read it."""
    response = await client.get(path, params=params, headers=ORIGIN)
    assert response.headers.get("access-control-allow-origin") == "*", (path, response.status_code)
    return response


async def answer(client: httpx.AsyncClient, path: str, params: Any = None) -> Any:
    response = await fetch(client, path, params)
    assert response.status_code == 200, (path, params, response.text)
    assert response.headers["content-type"].split(";")[0] == "application/json", response.headers["content-type"]
    body = response.json()
    assert nulls_and_empty_strings(body) == []
    return body


async def problem(client: httpx.AsyncClient, path: str, params: Any = None, *, status: tuple[int, ...]) -> dict:
    response = await fetch(client, path, params)
    assert response.status_code in status, (path, params, response.status_code, response.text)
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body = response.json()
    assert body["status"] == response.status_code
    return body


def check_page(body: dict, *, page_number: int, per_page: int) -> None:
    """The Page schema's arithmetic: pages of per_page items, counted from 1."""
    assert set(body) >= PAGE_KEYS, set(body)
    total, contents = body["total_items"], body["contents"]
    assert all(isinstance(body[key], int) and not isinstance(body[key], bool) for key in ("total_items", "size"))
    assert all(isinstance(body[key], bool) for key in ("first_page", "last_page", "empty"))
    assert body["total_pages"] == math.ceil(total / per_page)
    assert body["page_number"] == page_number
    assert body["size"] == len(contents)
    assert body["empty"] is (len(contents) == 0)
    assert body["first_page"] is (page_number == 1)
    if page_number < body["total_pages"]:
        assert len(contents) == per_page
        assert body["last_page"] is False
    elif page_number == body["total_pages"]:
        assert len(contents) == total - per_page * (body["total_pages"] - 1)
        assert body["last_page"] is True
    else:
        assert contents == []


async def page_of(client: httpx.AsyncClient, path: str, **params: Any) -> dict:
    body = await answer(client, path, params)
    check_page(body, page_number=int(params.get("page", 1)), per_page=int(params.get("per_page", 50)))
    return body


async def every_item(client: httpx.AsyncClient, path: str, per_page: int = 100, **params: Any) -> list[dict]:
    """Every item of a paged list, page after page up to the last, as a crawler reads it."""
    items: list[dict] = []
    number = 1
    while True:
        body = await page_of(client, path, page=number, per_page=per_page, **params)
        items += body["contents"]
        if body["last_page"] or number >= body["total_pages"]:
            return items
        number += 1


async def service_ids(client: httpx.AsyncClient, **params: Any) -> set[str]:
    ids = [item["id"] for item in await every_item(client, "/oruk/services", **params)]
    assert len(ids) == len(set(ids)), "a service is listed twice"
    return set(ids)


async def service(client: httpx.AsyncClient, offer_id: str) -> dict:
    return await answer(client, f"/oruk/services/{as_uuid(offer_id)}")


async def public_offer_uuids(client: httpx.AsyncClient) -> set[str]:
    """What the main API lists as public offers, as service ids."""
    response = await client.get("/v1/commitments?status=active&status=paused&status=full&limit=100")
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return {as_uuid(item["id"]) for item in response.json()["items"]}


async def organization_id_of(client: httpx.AsyncClient, offer_id: str) -> str:
    return (await service(client, offer_id))["organization_id"]


def normal(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def attribute_about(service_detail: dict, phrase: str) -> dict:
    """The one attribute whose term is named `phrase` (in its `name` or its `term`, case and `_` aside)."""
    names = [{normal(term.get(key, "")) for key in ("name", "term")} for term in terms_of(service_detail)]
    found = [attribute for attribute, named in zip(service_detail["attributes"], names, strict=True) if phrase in named]
    assert len(found) == 1, (phrase, names)
    return found[0]


def terms_of(service_detail: dict) -> list[dict]:
    return [attribute["taxonomy_term"] for attribute in service_detail["attributes"]]


@pytest.fixture
async def chain(factory):
    """A covenant with two priorities and a verified organisation with a published pledge in it."""
    covenant, priorities = await factory.covenant(priorities=2)
    signatory = await factory.signatory()
    pledge = await factory.pledge(signatory, covenant)
    return {"covenant": covenant, "priorities": priorities, "signatory": signatory, "pledge": pledge}


async def offer(factory, chain, priority: int = 0, **overrides: Any):
    return await factory.commitment(chain["pledge"], chain["priorities"][priority], **overrides)


# ---------------------------------------------------------------- the base endpoint and the OpenAPI documents


async def test_root_names_hsds_3_the_uk_profile_and_the_feed_openapi_url(client):
    body = await answer(client, "/oruk/")
    assert body["version"] == "3.0"
    assert isinstance(body["profile"], str) and has_scheme_and_host(body["profile"])
    assert "uk-profile" in body["profile"].lower() or "openreferraluk" in body["profile"].lower(), body["profile"]
    assert has_scheme_and_host(body["openapi_url"]) and body["openapi_url"].endswith("/oruk/openapi.json")


async def test_feed_openapi_document_lists_every_endpoint(client):
    root = await answer(client, "/oruk/")
    document = await answer(client, urlsplit(root["openapi_url"]).path)
    assert document["openapi"].startswith("3.")
    expected = ["/", "/services", "/services/{id}", "/organizations", "/organizations/{id}", "/taxonomies"]
    expected += ["/taxonomies/{id}", "/taxonomy_terms", "/taxonomy_terms/{id}"]
    servers = [server["url"] for server in document.get("servers", [])]
    if any(url.rstrip("/").endswith("/oruk") for url in servers):
        assert set(expected) <= set(document["paths"]), sorted(document["paths"])
    else:
        prefixed = {"/oruk" + path if path != "/" else "/oruk/" for path in expected}
        assert prefixed <= set(document["paths"]), sorted(document["paths"])


async def test_main_contract_links_the_feed_document_but_not_its_paths(client):
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert not [path for path in response.json()["paths"] if path.startswith("/oruk")]
    assert "oruk/openapi.json" in response.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/oruk/", 200),
        ("/oruk/openapi.json", 200),
        *((path, 200) for path in PAGED),
        ("/oruk/services?format=ndjson", 200),
        ("/oruk/services?per_page=0", 422),
        ("/oruk/services/00000000-0000-4000-8000-000000000000", 404),
        ("/oruk/organizations/00000000-0000-4000-8000-000000000000", 404),
        ("/oruk/taxonomies/00000000-0000-4000-8000-000000000000", 404),
        ("/oruk/taxonomy_terms/00000000-0000-4000-8000-000000000000", 404),
    ],
)
async def test_every_answer_is_open_to_any_origin_without_a_key(client, path, status):
    response = await fetch(client, path)
    assert response.status_code == status, response.text


# ---------------------------------------------------------------- services: shape


async def test_service_list_items_are_service_list_objects(client, factory, chain):
    await offer(factory, chain, audiences=("care_leavers", "send"), care_statuses=("relevant",))
    await offer(factory, chain, areas=("national",), access_url=None)
    items = (await page_of(client, "/oruk/services"))["contents"]
    assert len(items) == 2
    for item in items:
        assert_conforms(item, "service_list_item")
        assert not [key for key, value in item.items() if isinstance(value, list)], "a list item nests an array"


async def test_service_detail_is_a_service_object(client, factory, chain):
    row = await offer(
        factory, chain, areas=(PRESTON, "national"), audiences=("care_leavers", "send"), care_statuses=("relevant",)
    )
    assert_conforms(await service(client, row.id), "service")


async def test_service_id_is_the_uuid_of_the_offer_ulid(client, factory, chain):
    rows = [await offer(factory, chain) for _ in range(3)]
    assert await service_ids(client) == {as_uuid(row.id) for row in rows}
    for row in rows:
        assert (await service(client, row.id))["id"] == as_uuid(row.id)


async def test_service_fields_come_from_the_offer_and_its_organisation(client, factory):
    covenant, (priority,) = await factory.covenant(priorities=1)
    signatory = await factory.signatory(
        name="Ribble Valley Bakery",
        description="Bread since 1920.",
        website="https://bakery.example.org/",
        public_contact="jobs@bakery.example.org",
    )
    pledge = await factory.pledge(signatory, covenant)
    row = await factory.commitment(
        pledge,
        priority,
        title="Bakery apprenticeship",
        description="Early starts and a named mentor.",
        access_url="https://bakery.example.org/apply",
        min_age=16,
        max_age=21,
    )
    detail = await service(client, row.id)
    (item,) = (await page_of(client, "/oruk/services"))["contents"]
    for shown in (item, detail):
        assert shown["name"] == "Bakery apprenticeship"
        assert shown["description"] == "Early starts and a named mentor."
        assert shown["url"] == "https://bakery.example.org/apply"
        assert shown["email"] == "jobs@bakery.example.org"
        assert shown["status"] == "active"
        assert (shown["minimum_age"], shown["maximum_age"]) == (16, 21)
        assert shown["organization_id"] == shown["organization"]["id"]
        organization = shown["organization"]
        assert organization["name"] == "Ribble Valley Bakery"
        assert organization["description"] == "Bread since 1920."
        assert organization["website"] == "https://bakery.example.org/"
        assert organization["email"] == "jobs@bakery.example.org"
    assert {key: value for key, value in detail.items() if not isinstance(value, list)} == item


async def test_url_and_email_are_left_out_when_there_are_none(client, factory):
    covenant, (priority,) = await factory.covenant(priorities=1)
    by_phone = await factory.signatory(public_contact="01772 000111", website=None)
    row = await factory.commitment(await factory.pledge(by_phone, covenant), priority, access_url=None)
    detail = await service(client, row.id)
    assert "url" not in detail and "email" not in detail
    assert "email" not in detail["organization"] and "website" not in detail["organization"]
    assert_conforms(detail, "service")


async def test_organisation_without_a_description_still_has_one(client, factory):
    # organization.json requires `description`; an empty string is no value.
    covenant, (priority,) = await factory.covenant(priorities=1)
    quiet = await factory.signatory(description="")
    row = await factory.commitment(await factory.pledge(quiet, covenant), priority)
    detail = await service(client, row.id)
    assert_conforms(detail, "service")
    organization = await answer(client, f"/oruk/organizations/{detail['organization_id']}")
    assert_conforms(organization, "organization")


@pytest.mark.parametrize(
    ("ours", "theirs"), [("active", "active"), ("paused", "temporarily closed"), ("full", "temporarily closed")]
)
async def test_status_is_active_or_temporarily_closed(client, factory, chain, ours, theirs):
    row = await offer(factory, chain, status=ours)
    assert (await service(client, row.id))["status"] == theirs
    (item,) = (await page_of(client, "/oruk/services"))["contents"]
    assert item["status"] == theirs


async def test_only_public_offers_are_services(client, factory, chain):
    public = [
        await offer(factory, chain, status="active"),
        await offer(factory, chain, status="paused"),
        await offer(factory, chain, status="full"),
    ]
    hidden = [
        await offer(factory, chain, status="withdrawn", withdrawn_reason="No longer running."),
        await offer(factory, chain, status="ended"),
    ]
    second_covenant, (second_priority,) = await factory.covenant(priorities=1)
    draft = await factory.pledge(chain["signatory"], second_covenant, status="draft", published_at=None)
    hidden.append(await factory.commitment(draft, second_priority))
    for status in ("pending", "suspended"):
        pledge = await factory.pledge(await factory.signatory(status=status), chain["covenant"])
        hidden.append(await factory.commitment(pledge, chain["priorities"][0]))
    listed = await service_ids(client)
    assert listed == {as_uuid(row.id) for row in public}
    assert listed == await public_offer_uuids(client)
    for row in hidden:
        await problem(client, f"/oruk/services/{as_uuid(row.id)}", status=(404,))


async def test_offers_of_a_suspended_organisation_leave_the_feed(client, factory, chain):
    row = await offer(factory, chain)
    assert await service_ids(client) == {as_uuid(row.id)}
    await factory.update(chain["signatory"], status="suspended")
    assert await service_ids(client) == set()
    await problem(client, f"/oruk/services/{as_uuid(row.id)}", status=(404,))


# ---------------------------------------------------------------- services: what the detail nests


async def test_service_areas_name_each_council_by_its_statistical_geography_uri(client, factory, chain):
    row = await offer(factory, chain, areas=(PRESTON, LANCASHIRE, BRISTOL, "national", "remote"))
    detail = await service(client, row.id)
    areas = detail["service_areas"]
    assert all(area["service_id"] == detail["id"] for area in areas)
    assert len({area["id"] for area in areas}) == len(areas) == 5
    names = council_names()
    councils = {area["uri"]: area["name"] for area in areas if "uri" in area}
    assert councils == {STATISTICAL_GEOGRAPHY + code: names[code] for code in (PRESTON, LANCASHIRE, BRISTOL)}
    others = [area for area in areas if "uri" not in area]
    assert len(others) == 2 and all(area["name"] for area in others)


async def test_cost_options_say_the_offer_is_free(client, factory, chain):
    row = await offer(factory, chain)
    detail = await service(client, row.id)
    assert detail["cost_options"], "no cost option"
    for option in detail["cost_options"]:
        assert option["amount"] == 0
        assert option["service_id"] == detail["id"]


async def test_attributes_link_offer_type_priority_audiences_and_care_statuses(client, factory, chain):
    row = await offer(
        factory,
        chain,
        offer_type="mentoring",
        audiences=("care_leavers", "children_in_care"),
        care_statuses=("eligible", "qualifying"),
    )
    detail = await service(client, row.id)
    attributes = detail["attributes"]
    assert len(attributes) == 6, terms_of(detail)
    assert len({attribute["id"] for attribute in attributes}) == 6
    assert len({attribute["taxonomy_term_id"] for attribute in attributes}) == 6
    for attribute in attributes:
        assert attribute["link_id"] == detail["id"]
        assert attribute["link_type"]
        assert attribute["taxonomy_term_id"] == attribute["taxonomy_term"]["id"]
        assert "taxonomy_id" in attribute["taxonomy_term"]
    for phrase in ("mentoring", "care leavers", "children in care", "eligible", "qualifying"):
        attribute_about(detail, phrase)
    attribute_about(detail, normal(chain["priorities"][0].title))


async def test_every_linked_term_and_its_taxonomy_can_be_fetched(client, factory, chain):
    row = await offer(factory, chain, audiences=("care_leavers", "send"), care_statuses=("relevant",))
    for attribute in (await service(client, row.id))["attributes"]:
        nested = attribute["taxonomy_term"]
        term = await answer(client, f"/oruk/taxonomy_terms/{nested['id']}")
        assert_conforms(term, "taxonomy_term")
        assert {key: term[key] for key in ("id", "name", "description", "taxonomy_id")} == {
            key: nested[key] for key in ("id", "name", "description", "taxonomy_id")
        }
        taxonomy = await answer(client, f"/oruk/taxonomies/{term['taxonomy_id']}")
        assert_conforms(taxonomy, "taxonomy")
        assert taxonomy["id"] == term["taxonomy_id"]


@pytest.mark.parametrize(
    "path",
    [
        "/oruk/services/00000000-0000-4000-8000-000000000000",
        "/oruk/organizations/00000000-0000-4000-8000-000000000000",
        "/oruk/taxonomies/00000000-0000-4000-8000-000000000000",
        "/oruk/taxonomy_terms/00000000-0000-4000-8000-000000000000",
    ],
)
async def test_unknown_uuid_is_a_not_found_problem(client, path):
    await problem(client, path, status=(404,))


@pytest.mark.parametrize("value", ["not-a-uuid", "cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G", "0" * 33])
async def test_an_id_that_is_not_a_uuid_is_a_problem(client, value):
    await problem(client, f"/oruk/services/{value}", status=(404, 422))


# ---------------------------------------------------------------- pages


async def test_pages_follow_per_page_and_count_from_one(client, factory, chain):
    made = {as_uuid((await offer(factory, chain)).id) for _ in range(5)}
    seen: list[str] = []
    for number in (1, 2, 3):
        body = await page_of(client, "/oruk/services", page=number, per_page=2)
        assert (body["total_items"], body["total_pages"]) == (5, 3)
        seen += [item["id"] for item in body["contents"]]
    assert sorted(seen) == sorted(made)
    past = await page_of(client, "/oruk/services", page=4, per_page=2)
    assert past["contents"] == [] and past["empty"] is True and past["size"] == 0


async def test_page_defaults_to_the_first_of_fifty(client, factory, chain):
    for _ in range(51):
        await offer(factory, chain)
    body = await page_of(client, "/oruk/services")
    assert (body["page_number"], body["size"], body["total_items"], body["total_pages"]) == (1, 50, 51, 2)
    assert len((await page_of(client, "/oruk/services", page=2))["contents"]) == 1
    assert len((await page_of(client, "/oruk/services", per_page=100))["contents"]) == 51


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "page=-1", "per_page=ten"])
async def test_out_of_range_paging_is_a_validation_problem(client, path, query):
    await problem(client, f"{path}?{query}", status=(422,))


async def test_empty_registry_has_one_empty_page(tmp_path_factory):
    with migrated_database(tmp_path_factory, "oruk_empty") as url:
        application = create_app(Settings(database_url=url))
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                for path in ("/oruk/services", "/oruk/organizations"):
                    body = await page_of(http, path)
                    assert body["total_items"] == body["total_pages"] == body["size"] == 0
                    assert body["contents"] == [] and body["empty"] is True
                    assert body["first_page"] is True and body["last_page"] is True
                    assert body["page_number"] == 1
                response = await fetch(http, "/oruk/services", {"format": "ndjson"})
                assert response.status_code == 200 and response.text.strip() == ""


async def test_a_crawler_gets_every_public_service_once_and_each_detail(client, factory, chain):
    for index in range(7):
        await offer(factory, chain, priority=index % 2, status=("active", "paused", "full")[index % 3])
    await offer(factory, chain, status="withdrawn", withdrawn_reason="Stopped.")
    other = await factory.signatory()
    await offer(factory, {**chain, "pledge": await factory.pledge(other, chain["covenant"])})
    crawled = [item["id"] for item in await every_item(client, "/oruk/services", per_page=3)]
    assert len(crawled) == len(set(crawled)) == 8
    assert set(crawled) == await public_offer_uuids(client)
    for service_id in crawled:
        assert_conforms(await answer(client, f"/oruk/services/{service_id}"), "service")


# ---------------------------------------------------------------- services: filters


async def test_search_finds_words_of_the_title_or_description(client, factory, chain):
    in_title = await offer(factory, chain, title="Bakery apprenticeship", description="Early starts.")
    in_text = await offer(factory, chain, title="Shop assistant", description="Serve customers in our BAKERY.")
    await offer(factory, chain, title="Online mentoring", description="Weekly video calls.")
    both = {as_uuid(in_title.id), as_uuid(in_text.id)}
    assert await service_ids(client, search="bakery") == both
    assert await service_ids(client, search="Bakery") == both
    assert await service_ids(client, search="customers") == {as_uuid(in_text.id)}
    assert await service_ids(client, search="spaceship") == set()


async def test_organization_id_keeps_that_organisation_s_services(client, factory, chain):
    ours = {as_uuid((await offer(factory, chain)).id) for _ in range(2)}
    other = await factory.signatory()
    theirs = await offer(factory, {**chain, "pledge": await factory.pledge(other, chain["covenant"])})
    theirs_id = await organization_id_of(client, theirs.id)
    assert await service_ids(client, organization_id=theirs_id) == {as_uuid(theirs.id)}
    ours_id = (await answer(client, f"/oruk/services/{min(ours)}"))["organization_id"]
    assert ours_id != theirs_id
    assert await service_ids(client, organization_id=ours_id) == ours
    assert await service_ids(client, organization_id="00000000-0000-4000-8000-000000000000") == set()


async def test_taxonomy_term_id_keeps_services_linked_to_that_term(client, factory, chain):
    mentoring = await offer(factory, chain, offer_type="mentoring", care_statuses=("eligible",))
    job = await offer(factory, chain, offer_type="job", audiences=("children_in_care",))
    other_priority = await offer(factory, chain, priority=1, offer_type="mentoring")
    details = {row.id: await service(client, row.id) for row in (mentoring, job, other_priority)}
    mentoring_term = attribute_about(details[mentoring.id], "mentoring")["taxonomy_term_id"]
    job_term = attribute_about(details[job.id], "job")["taxonomy_term_id"]
    assert await service_ids(client, taxonomy_term_id=mentoring_term) == {
        as_uuid(mentoring.id),
        as_uuid(other_priority.id),
    }
    assert await service_ids(client, taxonomy_term_id=job_term) == {as_uuid(job.id)}
    # Any term: exactly the services whose attributes name it.
    for term_id in {a["taxonomy_term_id"] for detail in details.values() for a in detail["attributes"]}:
        linked = {d["id"] for d in details.values() if term_id in {a["taxonomy_term_id"] for a in d["attributes"]}}
        named = next(term for detail in details.values() for term in terms_of(detail) if term["id"] == term_id)
        assert await service_ids(client, taxonomy_term_id=term_id) == linked, named


async def test_taxonomy_id_keeps_services_with_any_term_of_that_taxonomy(client, factory, chain):
    with_statuses = await offer(factory, chain, offer_type="mentoring", care_statuses=("eligible",))
    other_type = await offer(factory, chain, offer_type="job", care_statuses=("qualifying",))
    without = await offer(factory, chain, offer_type="job")
    care_status_taxonomy = attribute_about(await service(client, with_statuses.id), "eligible")["taxonomy_term"][
        "taxonomy_id"
    ]
    offer_type_taxonomy = attribute_about(await service(client, with_statuses.id), "mentoring")["taxonomy_term"][
        "taxonomy_id"
    ]
    assert care_status_taxonomy != offer_type_taxonomy
    assert await service_ids(client, taxonomy_id=care_status_taxonomy) == {
        as_uuid(with_statuses.id),
        as_uuid(other_type.id),
    }
    everyone = {as_uuid(row.id) for row in (with_statuses, other_type, without)}
    assert await service_ids(client, taxonomy_id=offer_type_taxonomy) == everyone
    assert await service_ids(client, taxonomy_id="00000000-0000-4000-8000-000000000000") == set()


async def test_modified_after_keeps_services_changed_on_or_after_it(client, factory, chain):
    unchanged = await offer(factory, chain)
    edited = await offer(factory, chain)
    before_edit = datetime.now(UTC)
    await factory.update(edited, title="A new title")
    after = await service(client, edited.id)
    # Compared to the second: millisecond accuracy has its own test.
    assert parse_datetime(after["last_modified"]) >= before_edit.replace(microsecond=0)
    assert parse_datetime((await service(client, unchanged.id))["last_modified"]) < before_edit
    assert await service_ids(client, modified_after=before_edit.isoformat()) == {as_uuid(edited.id)}
    # On or after: a service's own last_modified keeps it.
    assert as_uuid(edited.id) in await service_ids(client, modified_after=after["last_modified"])
    year_ago, tomorrow = before_edit - timedelta(days=365), before_edit + timedelta(days=1)
    assert await service_ids(client, modified_after=year_ago.isoformat()) == {
        as_uuid(unchanged.id),
        as_uuid(edited.id),
    }
    assert await service_ids(client, modified_after=tomorrow.isoformat()) == set()


async def test_last_modified_has_millisecond_accuracy(client, factory, chain):
    # service.json: last_modified "Should have millisecond accuracy" (its example: 2023-03-15T10:30:45.123Z).
    row = await offer(factory, chain)
    for shown in (
        await service(client, row.id),
        (await page_of(client, "/oruk/services", minimal="true"))["contents"][0],
    ):
        assert re.search(r"T\d\d:\d\d:\d\d\.\d{3}", shown["last_modified"]), shown["last_modified"]


async def test_last_modified_follows_what_the_service_shows(client, factory, chain):
    row = await offer(factory, chain)
    first = (await service(client, row.id))["last_modified"]
    await offer(factory, chain)  # another offer: nothing of this one changed
    assert (await service(client, row.id))["last_modified"] == first
    before_rename = datetime.now(UTC)
    await factory.update(chain["signatory"], name="Renamed Organisation Ltd")  # shown in service.organization
    renamed = await service(client, row.id)
    assert renamed["organization"]["name"] == "Renamed Organisation Ltd"
    assert as_uuid(row.id) in await service_ids(client, modified_after=before_rename.isoformat())


async def test_an_unreadable_modified_after_is_a_validation_problem(client):
    await problem(client, "/oruk/services", {"modified_after": "last tuesday"}, status=(422,))


async def test_postcode_finds_offers_for_its_council_its_county_and_national_and_remote(client, factory, chain):
    assert onspd_district("PR1 2HE") == PRESTON
    serving = {as_uuid((await offer(factory, chain, areas=(area,))).id) for area in (PRESTON, LANCASHIRE)}
    serving |= {as_uuid((await offer(factory, chain, areas=(area,))).id) for area in ("national", "remote")}
    await offer(factory, chain, areas=(BRISTOL,))
    assert await service_ids(client, postcode="PR1 2HE") == serving
    assert await service_ids(client, postcode="pr12he") == serving


async def test_filters_combine_with_and(client, factory, chain):
    wanted = await offer(factory, chain, offer_type="mentoring", title="Mentoring in Preston", areas=(PRESTON,))
    await offer(factory, chain, offer_type="job", title="Mentoring shop job", areas=(PRESTON,))
    await offer(factory, chain, offer_type="mentoring", title="Mentoring in Bristol", areas=(BRISTOL,))
    await offer(factory, chain, offer_type="mentoring", title="Video calls", areas=(PRESTON,))
    other = await factory.signatory()
    await offer(
        factory,
        {**chain, "pledge": await factory.pledge(other, chain["covenant"])},
        offer_type="mentoring",
        title="Mentoring elsewhere",
        areas=(PRESTON,),
    )
    detail = await service(client, wanted.id)
    params = {
        "search": "mentoring",
        "taxonomy_term_id": attribute_about(detail, "mentoring")["taxonomy_term_id"],
        "organization_id": detail["organization_id"],
        "postcode": "PR1 2HE",
    }
    assert await service_ids(client, **params) == {as_uuid(wanted.id)}


# ---------------------------------------------------------------- services: minimal, full, ndjson


async def test_minimal_items_are_an_id_and_last_modified(client, factory, chain):
    rows = [await offer(factory, chain) for _ in range(3)]
    body = await page_of(client, "/oruk/services", minimal="true")
    assert body["total_items"] == 3
    for item in body["contents"]:
        assert set(item) == {"id", "last_modified"}
        assert is_canonical_uuid(item["id"]) and is_datetime(item["last_modified"])
    assert {item["id"] for item in body["contents"]} == {as_uuid(row.id) for row in rows}


async def test_full_items_are_the_full_services(client, factory, chain):
    rows = [await offer(factory, chain, areas=(PRESTON, "national")) for _ in range(2)]
    body = await page_of(client, "/oruk/services", full="true")
    assert len(body["contents"]) == 2
    for item in body["contents"]:
        assert_conforms(item, "service")
        assert item == await answer(client, f"/oruk/services/{item['id']}")
    assert {item["id"] for item in body["contents"]} == {as_uuid(row.id) for row in rows}


async def test_ndjson_streams_every_matching_service_without_pages(client, factory, chain):
    ours = {as_uuid((await offer(factory, chain)).id) for _ in range(3)}
    other = await factory.signatory()
    await offer(factory, {**chain, "pledge": await factory.pledge(other, chain["covenant"])})
    organization = (await answer(client, f"/oruk/services/{min(ours)}"))["organization_id"]
    response = await fetch(
        client, "/oruk/services", {"format": "ndjson", "per_page": 1, "organization_id": organization}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    assert {line["id"] for line in lines} == ours and len(lines) == 3
    for line in lines:
        assert not PAGE_KEYS & set(line)
        assert nulls_and_empty_strings(line) == []
        assert problems(line, "service") == [] or problems(line, "service_list_item") == [], line


# ---------------------------------------------------------------- organizations


async def test_organizations_are_the_verified_organisations(client, factory, chain):
    offering = chain["signatory"]
    await offer(factory, chain)
    without_offers = await factory.signatory()
    for status in ("pending", "suspended", "withdrawn"):
        await factory.signatory(status=status)
    items = await every_item(client, "/oruk/organizations")
    assert {item["name"] for item in items} == {offering.name, without_offers.name}
    for item in items:
        assert_conforms(item, "organization")
        detail = await answer(client, f"/oruk/organizations/{item['id']}")
        assert_conforms(detail, "organization")
        assert detail["id"] == item["id"] and detail["name"] == item["name"]


async def test_organization_is_the_one_its_services_name(client, factory, chain):
    row = await offer(factory, chain)
    detail = await service(client, row.id)
    organization = await answer(client, f"/oruk/organizations/{detail['organization_id']}")
    assert organization["name"] == chain["signatory"].name
    assert organization["description"] == chain["signatory"].description
    assert organization["website"] == chain["signatory"].website
    assert organization["email"] == chain["signatory"].public_contact
    assert {key: organization[key] for key in detail["organization"]} == detail["organization"]


async def test_an_organisation_that_is_no_longer_verified_is_not_found(client, factory, chain):
    row = await offer(factory, chain)
    organization = await organization_id_of(client, row.id)
    await factory.update(chain["signatory"], status="suspended")
    await problem(client, f"/oruk/organizations/{organization}", status=(404,))
    assert await every_item(client, "/oruk/organizations") == []


# ---------------------------------------------------------------- taxonomies and terms


async def test_taxonomies_are_taxonomy_objects_each_fetchable(client, factory, chain):
    await offer(factory, chain)
    taxonomies = await every_item(client, "/oruk/taxonomies")
    assert taxonomies
    assert len({taxonomy["id"] for taxonomy in taxonomies}) == len(taxonomies)
    for taxonomy in taxonomies:
        assert_conforms(taxonomy, "taxonomy")
        detail = await answer(client, f"/oruk/taxonomies/{taxonomy['id']}")
        assert_conforms(detail, "taxonomy")
        assert {key: detail[key] for key in ("id", "name", "description")} == {
            key: taxonomy[key] for key in ("id", "name", "description")
        }


async def test_taxonomy_terms_are_term_objects_of_listed_taxonomies(client, factory, chain):
    row = await offer(factory, chain, audiences=("care_leavers", "send"), care_statuses=("relevant",))
    taxonomies = {taxonomy["id"] for taxonomy in await every_item(client, "/oruk/taxonomies")}
    terms = await every_item(client, "/oruk/taxonomy_terms")
    assert len({term["id"] for term in terms}) == len(terms)
    for term in terms:
        assert_conforms(term, "taxonomy_term")
        assert term["taxonomy_id"] in taxonomies
    linked = {attribute["taxonomy_term_id"] for attribute in (await service(client, row.id))["attributes"]}
    assert linked <= {term["id"] for term in terms}


def by_id(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item["id"])


async def test_taxonomy_terms_filter_by_taxonomy_top_only_and_parent(client, factory, chain):
    await offer(factory, chain)
    terms = await every_item(client, "/oruk/taxonomy_terms")
    for taxonomy_id in {term["taxonomy_id"] for term in terms}:
        expected = [term for term in terms if term["taxonomy_id"] == taxonomy_id]
        assert by_id(await every_item(client, "/oruk/taxonomy_terms", taxonomy_id=taxonomy_id)) == by_id(expected)
    top = await every_item(client, "/oruk/taxonomy_terms", top_only="true")
    assert by_id(top) == by_id([term for term in terms if "parent_id" not in term])
    for parent in {term["parent_id"] for term in terms if "parent_id" in term} | {terms[0]["id"]}:
        children = await every_item(client, "/oruk/taxonomy_terms", parent_id=parent)
        assert by_id(children) == by_id([term for term in terms if term.get("parent_id") == parent])
