"""The public registry as an Open Referral UK 3.0 feed: offers as services, verified organisations as
organizations, the registry's vocabularies and each covenant's priorities as taxonomies.

Everything here is public: it reads the public read model (public_commitment and its area index) and verified
organisations only. Answers leave out empty optional fields rather than send null, as the standard asks.
"""

import math
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.enums import Audience, CareStatus, flags_to_mask
from app.errors import NotFound
from app.geography.authorities import GSS_CODE
from app.ids import assume_utc
from app.models import Commitment, PublicCommitment, PublicCommitmentArea, PublicOfferCount, table_of
from app.schemas.oruk import PageParams, ServiceFilters, TaxonomyTermFilters
from app.serialization import dump_json
from app.services.areas import offer_areas_wanted
from app.services.commitment_document import VERIFIED, covenant, pledge, priority, signatory
from app.services.oruk_vocabulary import (
    AUDIENCE,
    CARE_STATUS,
    OFFER_TYPE,
    PRIORITY_LINK_TYPE,
    TERM_BY_ID,
    VOCABULARIES,
    VOCABULARY_BY_ID,
    named_uuid,
    priorities_taxonomy_name,
    record_id,
    record_uuid,
    term_document,
    vocabulary_document,
)
from app.services.public_read import PUBLIC_COVENANT_STATUSES, like_pattern

offer_table = table_of(PublicCommitment)
offer = offer_table.c
offer_area = table_of(PublicCommitmentArea).c
commitment = table_of(Commitment).c

STATUSES = {"active": "active", "paused": "temporarily closed", "full": "temporarily closed"}
GEOGRAPHY_URI = "http://statistics.data.gov.uk/id/statistical-geography/{code}"
LOOKS_LIKE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STREAM_BATCH = 500


def without_empty(document: dict[str, Any]) -> dict[str, Any]:
    """The standard's rule: an empty optional field is left out, never sent as null."""
    return {key: value for key, value in document.items() if value is not None and value != ""}


def to_the_millisecond(moment: datetime) -> str:
    """`2026-12-01T18:24:21.123Z`: the standard asks for millisecond accuracy (SQLite's times come naive UTC)."""
    utc = assume_utc(moment).astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def page_of(contents: list[Any], total: int, params: PageParams) -> dict[str, Any]:
    pages = math.ceil(total / params.per_page)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": params.page,
        "size": len(contents),
        "first_page": params.page == 1,
        "last_page": params.page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def sliced(items: list[Any], params: PageParams) -> dict[str, Any]:
    start = (params.page - 1) * params.per_page
    return page_of(items[start : start + params.per_page], len(items), params)


# ---------------------------------------------------------------- organizations


def organization_document(row: Any) -> dict[str, Any]:
    contact = row.public_contact or ""
    return without_empty(
        {
            "id": record_uuid(row.id),
            "name": row.name,
            # Required by the standard; an organisation may have registered without one.
            "description": row.description or f"{row.name} has signed a care-leavers covenant.",
            "email": contact if LOOKS_LIKE_EMAIL.match(contact) else None,
            "website": row.website,
        }
    )


ORGANIZATIONS = select(
    signatory.c.id, signatory.c.name, signatory.c.description, signatory.c.website, signatory.c.public_contact
).where(signatory.c.status == VERIFIED)


async def organizations_by_id(conn: AsyncConnection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    rows = (await conn.execute(ORGANIZATIONS.where(signatory.c.id.in_(set(ids))))).all()
    return {row.id: organization_document(row) for row in rows}


async def organizations_page(conn: AsyncConnection, params: PageParams, search: str | None) -> dict[str, Any]:
    conditions = [signatory.c.name.ilike(like_pattern(search), escape="/")] if search else []
    total = (
        await conn.execute(select(func.count()).select_from(ORGANIZATIONS.where(*conditions).subquery()))
    ).scalar_one()
    statement = ORGANIZATIONS.where(*conditions).order_by(signatory.c.id).limit(params.per_page)
    rows = (await conn.execute(statement.offset((params.page - 1) * params.per_page))).all()
    return page_of([organization_document(row) for row in rows], total, params)


async def organization_by_id(conn: AsyncConnection, organization_uuid: str) -> dict[str, Any]:
    found = await organizations_by_id(conn, [record_id("signatory", organization_uuid)])
    if not found:
        raise NotFound(f"No organization {organization_uuid}.")
    return next(iter(found.values()))


# ---------------------------------------------------------------- taxonomies


async def public_covenants(conn: AsyncConnection) -> Sequence[Any]:
    statement = (
        select(covenant.c.id, covenant.c.title)
        .where(covenant.c.status.in_(PUBLIC_COVENANT_STATUSES))
        .order_by(covenant.c.id)
    )
    return (await conn.execute(statement)).all()


def priorities_taxonomy(covenant_row: Any) -> dict[str, Any]:
    return {
        "id": record_uuid(covenant_row.id),
        "name": priorities_taxonomy_name(covenant_row.title),
        "description": f"The priorities of the {covenant_row.title}: the outcome areas its offers serve.",
    }


async def all_taxonomies(conn: AsyncConnection) -> list[dict[str, Any]]:
    fixed = [vocabulary_document(vocabulary) for vocabulary in VOCABULARIES.values()]
    return fixed + [priorities_taxonomy(row) for row in await public_covenants(conn)]


async def taxonomies_page(conn: AsyncConnection, params: PageParams, search: str | None) -> dict[str, Any]:
    return sliced(_searched(await all_taxonomies(conn), search), params)


async def taxonomy_by_id(conn: AsyncConnection, taxonomy_uuid: str) -> dict[str, Any]:
    for taxonomy in await all_taxonomies(conn):
        if taxonomy["id"] == taxonomy_uuid.lower():
            return taxonomy
    raise NotFound(f"No taxonomy {taxonomy_uuid}.")


def priority_term(row: Any) -> dict[str, Any]:
    return without_empty(
        {
            "id": record_uuid(row.id),
            "name": row.title,
            "description": row.description or row.title,
            "taxonomy": priorities_taxonomy_name(row.covenant_title),
            "taxonomy_id": record_uuid(row.covenant_id),
            "term": row.code,
        }
    )


PRIORITY_TERMS = (
    select(
        priority.c.id,
        priority.c.code,
        priority.c.title,
        priority.c.description,
        priority.c.covenant_id,
        covenant.c.title.label("covenant_title"),
    )
    .join(covenant, covenant.c.id == priority.c.covenant_id)
    .where(covenant.c.status.in_(PUBLIC_COVENANT_STATUSES))
)


async def priority_terms(conn: AsyncConnection, ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Priorities of public covenants as taxonomy terms, by priority id (all of them, or these)."""
    statement = PRIORITY_TERMS if ids is None else PRIORITY_TERMS.where(priority.c.id.in_(set(ids)))
    rows = (await conn.execute(statement.order_by(priority.c.covenant_id, priority.c.position))).all()
    return {row.id: priority_term(row) for row in rows}


async def all_terms(conn: AsyncConnection) -> list[dict[str, Any]]:
    fixed = [term_document(vocabulary, code) for vocabulary in VOCABULARIES.values() for code in vocabulary.terms]
    return fixed + list((await priority_terms(conn)).values())


async def taxonomy_terms_page(conn: AsyncConnection, filters: TaxonomyTermFilters) -> dict[str, Any]:
    terms = _searched(await all_terms(conn), filters.search)
    if filters.taxonomy_id:
        terms = [term for term in terms if term["taxonomy_id"] == filters.taxonomy_id.lower()]
    if filters.parent_id:
        terms = []  # the registry's vocabularies are flat: no term has a parent
    return sliced(terms, filters)


async def taxonomy_term_by_id(conn: AsyncConnection, term_uuid: str) -> dict[str, Any]:
    wanted = term_uuid.lower()
    if wanted in TERM_BY_ID:
        return term_document(*TERM_BY_ID[wanted])
    found = await priority_terms(conn, [record_id("priority", wanted)])
    if not found:
        raise NotFound(f"No taxonomy term {term_uuid}.")
    return next(iter(found.values()))


def _searched(items: list[dict[str, Any]], search: str | None) -> list[dict[str, Any]]:
    if not search:
        return items
    wanted = search.casefold()
    return [item for item in items if wanted in item["name"].casefold() or wanted in item["description"].casefold()]


# ---------------------------------------------------------------- services: which


def service_conditions(filters: ServiceFilters, council: str | None) -> list[ColumnElement[bool]]:
    """The filters as conditions on the read model, combined with AND; `council` is the postcode's."""
    conditions: list[ColumnElement[bool]] = []
    if filters.search:
        conditions.append(offer.search_text.like(like_pattern(filters.search.lower()), escape="/"))
    if filters.organization_id:
        conditions.append(offer.signatory_id == record_id("signatory", filters.organization_id))
    if filters.modified_after:
        # Without an offset a time is UTC, never the server's local time; compared in UTC, as stored.
        conditions.append(offer.modified_at >= assume_utc(filters.modified_after).astimezone(UTC))
    if filters.taxonomy_term_id:
        conditions.append(_with_term(filters.taxonomy_term_id.lower()))
    if filters.taxonomy_id:
        conditions.append(_in_taxonomy(filters.taxonomy_id.lower()))
    if council:
        conditions.append(
            exists().where(
                offer_area.commitment_id == offer.commitment_id, offer_area.area_code.in_(offer_areas_wanted(council))
            )
        )
    return conditions


def _with_term(term_uuid: str) -> ColumnElement[bool]:
    if term_uuid not in TERM_BY_ID:  # a priority's term, or one no service has
        return offer.priority_id == record_id("priority", term_uuid)
    vocabulary, code = TERM_BY_ID[term_uuid]
    if vocabulary.key == OFFER_TYPE:
        return offer.offer_type == code
    if vocabulary.key == AUDIENCE:
        return offer.audience_mask.op("&")(flags_to_mask(Audience, [code])) != 0
    # A care status: the offers linked to it (limited to it, among others), as their attributes say. An offer
    # open to every status is linked to none, as it is limited by none.
    mask = commitment.care_status_mask
    return exists().where(commitment.id == offer.commitment_id, mask.op("&")(flags_to_mask(CareStatus, [code])) != 0)


def _in_taxonomy(taxonomy_uuid: str) -> ColumnElement[bool]:
    vocabulary = VOCABULARY_BY_ID.get(taxonomy_uuid)
    if vocabulary is None:  # a covenant's priorities, or a taxonomy no service uses
        return offer.covenant_id == record_id("covenant", taxonomy_uuid)
    if vocabulary.key == CARE_STATUS:
        return exists().where(commitment.id == offer.commitment_id, commitment.care_status_mask != 0)
    return true()  # every offer has an offer type and at least one audience


ALL_OFFERS = select(func.coalesce(func.sum(table_of(PublicOfferCount).c.offers), 0))
SERVICE_ROWS = select(offer.commitment_id, offer.document, offer.modified_at, pledge.c.published_at).join(
    pledge, pledge.c.id == offer.pledge_id
)


async def services_page(conn: AsyncConnection, filters: ServiceFilters, council: str | None) -> dict[str, Any]:
    conditions = service_conditions(filters, council)
    # Unfiltered (a directory's crawl), the count is the read model's own tally rather than a count of its rows.
    counted = select(func.count()).select_from(offer_table).where(*conditions) if conditions else ALL_OFFERS
    total = (await conn.execute(counted)).scalar_one()
    # The page's ids first (an index walk), then only their documents: a deep page skips ids, not documents.
    ids = (
        select(offer.commitment_id)
        .where(*conditions)
        .order_by(offer.commitment_id)
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    )
    statement = SERVICE_ROWS.where(offer.commitment_id.in_(ids.scalar_subquery())).order_by(offer.commitment_id)
    rows = (await conn.execute(statement)).all()
    return page_of(await rendered(conn, rows, filters), total, filters)


async def stream_services(engine: AsyncEngine, filters: ServiceFilters, council: str | None) -> AsyncIterator[bytes]:
    """Every matching service as one JSON line each, a batch at a time on a short-lived connection, so memory
    stays flat and no pooled connection is held for the whole download."""
    conditions = service_conditions(filters, council)
    after = ""
    while True:
        statement = SERVICE_ROWS.where(*conditions, offer.commitment_id > after)
        async with engine.connect() as conn:
            rows = (await conn.execute(statement.order_by(offer.commitment_id).limit(STREAM_BATCH))).all()
            documents = await rendered(conn, rows, filters)
        if not rows:
            return
        yield b"".join(dump_json(document) + b"\n" for document in documents)
        after = rows[-1].commitment_id


async def service_by_id(conn: AsyncConnection, service_uuid: str) -> dict[str, Any]:
    statement = SERVICE_ROWS.where(offer.commitment_id == record_id("commitment", service_uuid))
    rows = (await conn.execute(statement)).all()
    if not rows:
        raise NotFound(f"No service {service_uuid}.")
    (document,) = await rendered(conn, rows, ServiceFilters(full=True))
    return document


# ---------------------------------------------------------------- services: how they read


async def rendered(conn: AsyncConnection, rows: Sequence[Any], filters: ServiceFilters) -> list[dict[str, Any]]:
    if filters.minimal:
        return [
            {"id": record_uuid(row.commitment_id), "last_modified": to_the_millisecond(row.modified_at)} for row in rows
        ]
    documents = [orjson.loads(row.document) for row in rows]
    organizations = await organizations_by_id(conn, {document["signatory"]["id"] for document in documents})
    summaries = [
        service_summary(document, row, organizations[document["signatory"]["id"]])
        for document, row in zip(documents, rows, strict=True)
    ]
    if not filters.full:
        return summaries
    terms = await priority_terms(conn, {document["priority"]["id"] for document in documents})
    return [
        summary | service_links(document, summary["id"], terms[document["priority"]["id"]])
        for document, summary in zip(documents, summaries, strict=True)
    ]


def service_summary(document: dict[str, Any], row: Any, organization: dict[str, Any]) -> dict[str, Any]:
    eligibility = document["eligibility"]
    return without_empty(
        {
            "id": record_uuid(document["id"]),
            "organization_id": organization["id"],
            "name": document["title"],
            "description": document["description"],
            "url": document["how_to_access"]["url"],
            "email": organization.get("email"),
            "status": STATUSES[document["status"]],
            "minimum_age": eligibility["min_age"],
            "maximum_age": eligibility["max_age"],
            "assured_date": row.published_at.date().isoformat() if row.published_at else None,
            "last_modified": to_the_millisecond(row.modified_at),
            "organization": organization,
        }
    )


def service_links(document: dict[str, Any], service_id: str, priority: dict[str, Any]) -> dict[str, Any]:
    return {
        "service_areas": [service_area(document["id"], service_id, area) for area in document["area_details"]],
        "cost_options": cost_options(document, service_id),
        "attributes": attributes(document, service_id, priority),
    }


def service_area(commitment_id: str, service_id: str, area: dict[str, Any]) -> dict[str, Any]:
    code = area["code"]
    return without_empty(
        {
            "id": named_uuid(commitment_id, "area", code),
            "service_id": service_id,
            "name": area["name"] or code,
            "uri": GEOGRAPHY_URI.format(code=code) if GSS_CODE.match(code) else None,
        }
    )


def cost_options(document: dict[str, Any], service_id: str) -> list[dict[str, Any]]:
    """Covenant offers are free to the young people they are open to; a discount is a lower price, of which
    the registry does not know the amount, so it says nothing of its cost."""
    if document["offer_type"] == "discount":
        return []
    return [
        {
            "id": named_uuid(document["id"], "cost"),
            "service_id": service_id,
            "option": "Young people the offer is open to",
            "amount": 0,
            "amount_description": "Free",
        }
    ]


def attributes(document: dict[str, Any], service_id: str, priority: dict[str, Any]) -> list[dict[str, Any]]:
    eligibility = document["eligibility"]
    offer_type, audience, care_status = (VOCABULARIES[key] for key in (OFFER_TYPE, AUDIENCE, CARE_STATUS))
    linked = [
        (offer_type.link_type, term_document(offer_type, document["offer_type"])),
        (PRIORITY_LINK_TYPE, priority),
        *((audience.link_type, term_document(audience, code)) for code in eligibility["audiences"]),
        *((care_status.link_type, term_document(care_status, code)) for code in eligibility["care_statuses"]),
    ]
    return [
        {
            "id": named_uuid(document["id"], "attribute", term["id"]),
            "link_id": service_id,
            "link_type": link_type,
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
        }
        for link_type, term in linked
    ]
