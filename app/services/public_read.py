"""The public read side: what anyone may see, as one SQL query per page.

Visibility rules live here: covenants that are not drafts, verified signatories, published pledges of verified
signatories. Which commitments are public is decided where their documents are made
(app/services/commitment_document.py), because the public read model those reads come from is built from it.
Queries return plain rows; the `*_out` functions shape them into the public JSON documents (the `*Public` and
`*Detail` schemas of each resource's module in app/schemas/).
"""

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.enums import Audience, CovenantStatus, RecognitionLevel, flags_to_mask
from app.errors import NotFound
from app.ids import is_id, utcnow
from app.models import Authority, PublicCommitment, PublicCommitmentArea, SignatoryArea, table_of
from app.schemas.authorities import AuthorityFilters
from app.schemas.commitments import CommitmentFilters
from app.schemas.covenants import CovenantFilters
from app.schemas.fields import RECORD_ID
from app.schemas.pledges import PledgeFilters
from app.schemas.signatories import SignatoryFilters
from app.serialization import embedded
from app.services import compiled_reads, public_scopes, recognition
from app.services.areas import named_areas, offer_areas_wanted, split_areas, wanted_areas
from app.services.commitment_document import (
    PUBLISHED,
    VERIFIED,
    covenant,
    pledge,
    priority,
    signatory,
)
from app.services.lookup import PRIORITY_COLUMNS, priorities_of, priority_document
from app.services.pagination import FilteredList, Keyset, Page, Shape
from app.services.public_scopes import Scoped

authority = table_of(Authority)
signatory_area = table_of(SignatoryArea)
public_commitment = table_of(PublicCommitment)
public_commitment_area = table_of(PublicCommitmentArea)

PUBLIC_COVENANT_STATUSES = (CovenantStatus.OPEN.value, CovenantStatus.CLOSED.value)
RECORD_ID_FORM = re.compile(RECORD_ID)


def trigram_searchable(text: str) -> bool:
    """Whether PostgreSQL's trigram indexes (pg_trgm) can narrow a search for `text`: they need three letters or
    digits in a row. Below that an index would read all of itself (280 ms at 200k offers, against 45 ms for a
    plain scan), so such a search uses `unindexed`, a form of the column the indexes do not serve."""
    return re.search(r"[^\W_]{3}", text) is not None


def unindexed(column: Any) -> Any:
    return column.concat("")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its own % and _ taken literally (escape character /)."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def covenant_id_by_slug(slug: Any) -> Any:
    """The id of the covenant with this slug (a value or a bound parameter), as a scalar subquery."""
    return select(covenant.c.id).where(covenant.c.slug == slug).scalar_subquery()


def covenant_conditions(condition: Callable[[Any], ColumnElement[bool]]) -> dict[str, ColumnElement[bool]]:
    """A covenant filter's two forms, given its condition on a covenant id: by id, or by slug."""
    return {
        "covenant_id": condition(bindparam("covenant")),
        "covenant_slug": condition(covenant_id_by_slug(bindparam("covenant"))),
    }


def covenant_form(reference: str) -> str:
    """Which of `covenant_conditions` a reference needs: slugs cannot look like ids (no underscore)."""
    return "covenant_id" if is_id("covenant", reference) else "covenant_slug"


def use_covenant(shape: Shape, reference: str) -> None:
    shape.use(covenant_form(reference), covenant=reference)


def use_text_search(shape: Shape, q: str, pattern: str) -> None:
    shape.use("q" if trigram_searchable(q) else "q_short", q_pattern=pattern)


# ---------------------------------------------------------------- authorities


AUTHORITY_KEYSET = Keyset((authority.c.name, authority.c.id))


def authority_out(row: Any) -> dict[str, Any]:
    """An authority (a row or a record) as anyone sees it."""
    return {
        "id": row.id,
        "name": row.name,
        "gss_code": row.gss_code,
        "region": row.region,
        "website": row.website,
    }


def authority_select() -> Select[Any]:
    return select(authority.c.id, authority.c.name, authority.c.gss_code, authority.c.region, authority.c.website)


AUTHORITY_LIST = FilteredList(
    authority_select(),
    AUTHORITY_KEYSET,
    {
        "region": func.lower(authority.c.region) == bindparam("region"),
        "gss_code": authority.c.gss_code == bindparam("gss_code"),
    },
)
AUTHORITY_BY_ID = authority_select().where(authority.c.id == bindparam("id"))


async def list_authorities(conn: AsyncConnection, filters: AuthorityFilters) -> Page:
    shape = Shape()
    if filters.region:
        shape.use("region", region=filters.region.lower())
    if filters.gss_code:
        shape.use("gss_code", gss_code=filters.gss_code)
    rows, next_cursor = await AUTHORITY_LIST.page(conn, shape, filters.cursor, filters.limit)
    return Page([authority_out(row) for row in rows], next_cursor)


async def get_authority(conn: AsyncConnection, authority_id: str) -> dict[str, Any]:
    row = (await conn.execute(AUTHORITY_BY_ID, {"id": authority_id})).first()
    if row is None:
        raise NotFound(f"No authority {authority_id}.")
    return authority_out(row)


# ---------------------------------------------------------------- covenants and priorities


COVENANT_KEYSET = Keyset((covenant.c.id,))


def covenant_select() -> Select[Any]:
    return (
        select(
            covenant.c.id,
            covenant.c.slug,
            covenant.c.title,
            covenant.c.authority_id,
            authority.c.name.label("authority_name"),
            covenant.c.audience,
            covenant.c.min_age,
            covenant.c.max_age,
            covenant.c.description,
            covenant.c.status,
            covenant.c.launched_on,
            covenant.c.review_cycle_months,
            covenant.c.publish_strategy,
        )
        .select_from(covenant.join(authority, authority.c.id == covenant.c.authority_id))
        .where(covenant.c.status.in_(PUBLIC_COVENANT_STATUSES))
    )


def covenant_out(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "slug": row.slug,
        "title": row.title,
        "authority": {"id": row.authority_id, "name": row.authority_name},
        "audience": row.audience,
        "min_age": row.min_age,
        "max_age": row.max_age,
        "description": row.description,
        "status": row.status,
        "launched_on": row.launched_on,
        "review_cycle_months": row.review_cycle_months,
        "publish_strategy": row.publish_strategy,
    }


COVENANT_LIST = FilteredList(
    covenant_select(),
    COVENANT_KEYSET,
    {
        "authority": covenant.c.authority_id == bindparam("authority"),
        "audience": covenant.c.audience == bindparam("audience"),
        "status": covenant.c.status == bindparam("status"),
    },
)
COVENANT_BY_REFERENCE = {
    form: covenant_select().where(condition)
    for form, condition in covenant_conditions(lambda covenant_id: covenant.c.id == covenant_id).items()
}


async def list_covenants(conn: AsyncConnection, filters: CovenantFilters) -> Page:
    shape = Shape()
    if filters.authority:
        shape.use("authority", authority=filters.authority)
    if filters.audience:
        shape.use("audience", audience=filters.audience.value)
    if filters.status:
        shape.use("status", status=filters.status.value)
    rows, next_cursor = await COVENANT_LIST.page(conn, shape, filters.cursor, filters.limit)
    return Page([covenant_out(row) for row in rows], next_cursor)


async def public_covenant_row(conn: AsyncConnection, reference: str) -> Row[Any]:
    row = await compiled_reads.first(conn, COVENANT_BY_REFERENCE[covenant_form(reference)], {"covenant": reference})
    if row is None:
        raise NotFound(f"No covenant {reference}.")
    return row


async def get_covenant(conn: AsyncConnection, reference: str) -> dict[str, Any]:
    row = await public_covenant_row(conn, reference)
    return covenant_out(row) | {"priorities": await priorities_of(conn, row.id)}


PRIORITY_BY_ID = PRIORITY_COLUMNS.join(covenant, covenant.c.id == priority.c.covenant_id).where(
    priority.c.id == bindparam("id"), covenant.c.status.in_(PUBLIC_COVENANT_STATUSES)
)


async def get_priority(conn: AsyncConnection, priority_id: str) -> dict[str, Any]:
    row = (await conn.execute(PRIORITY_BY_ID, {"id": priority_id})).first()
    if row is None:
        raise NotFound(f"No priority {priority_id}.")
    return priority_document(row)


async def list_priorities(conn: AsyncConnection, reference: str) -> Page:
    row = await public_covenant_row(conn, reference)
    return Page(await priorities_of(conn, row.id), None)


# ---------------------------------------------------------------- signatories


SIGNATORY_KEYSET = Keyset((signatory.c.name, signatory.c.id))


def signatory_select() -> Select[Any]:
    areas = (
        select(func.aggregate_strings(signatory_area.c.area_code, ","))
        .where(signatory_area.c.signatory_id == signatory.c.id)
        .scalar_subquery()
    )
    return select(
        signatory.c.id,
        signatory.c.name,
        signatory.c.description,
        signatory.c.sector,
        signatory.c.organisation_type,
        signatory.c.size_band,
        signatory.c.companies_house_number,
        signatory.c.charity_number,
        signatory.c.website,
        signatory.c.public_contact,
        signatory.c.status,
        signatory.c.verified_at,
        areas.label("areas"),
    ).where(signatory.c.status == VERIFIED)


def signatory_out(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "sector": row.sector,
        "organisation_type": row.organisation_type,
        "size_band": row.size_band,
        "companies_house_number": row.companies_house_number,
        "charity_number": row.charity_number,
        "website": row.website,
        "public_contact": row.public_contact,
        **named_areas(split_areas(row.areas)),
        "status": row.status,
        "verified_at": row.verified_at,
    }


def one_of_values(column: Any, name: str) -> ColumnElement[bool]:
    """A filter that may repeat: any of the values bound as `name` (an IN list)."""
    return column.in_(bindparam(name, expanding=True))


SIGNATORY_LIST = FilteredList(
    signatory_select(),
    SIGNATORY_KEYSET,
    {
        **covenant_conditions(
            lambda covenant_id: exists().where(
                pledge.c.signatory_id == signatory.c.id,
                pledge.c.status == PUBLISHED,
                pledge.c.covenant_id == covenant_id,
            )
        ),
        "sector": one_of_values(signatory.c.sector, "sectors"),
        "size_band": one_of_values(signatory.c.size_band, "size_bands"),
        "organisation_type": one_of_values(signatory.c.organisation_type, "organisation_types"),
        "area": exists().where(
            signatory_area.c.signatory_id == signatory.c.id, one_of_values(signatory_area.c.area_code, "areas")
        ),
        # ILIKE on PostgreSQL (which the trigram index serves), lower() on both sides elsewhere.
        "q": signatory.c.name.ilike(bindparam("q_pattern"), escape="/"),
        "q_short": unindexed(signatory.c.name).ilike(bindparam("q_pattern"), escape="/"),
        # The recognition rule as SQL, one filter per level (app/services/recognition.py), dates bound per day.
        **{
            f"recognition_{level}": recognition.level_condition(signatory.c.id, level)
            for level in recognition.EARNED_LEVELS
        },
    },
)


async def with_recognition(conn: AsyncConnection, documents: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Each organisation's recognition beside it: one grouped query for the page, however long."""
    found = await recognition.recognitions(conn, [document["id"] for document in documents], today)
    return [document | {"recognition": found[document["id"]].public_document()} for document in documents]


async def list_signatories(conn: AsyncConnection, filters: SignatoryFilters, today: date | None = None) -> Page:
    today = today or utcnow().date()
    shape = Shape()
    if filters.covenant:
        use_covenant(shape, filters.covenant)
    if filters.sector:
        shape.use("sector", sectors=[s.value for s in filters.sector])
    if filters.size_band:
        shape.use("size_band", size_bands=[s.value for s in filters.size_band])
    if filters.organisation_type:
        shape.use("organisation_type", organisation_types=[t.value for t in filters.organisation_type])
    if filters.area:
        shape.use("area", areas=wanted_areas(filters.area))
    if filters.q:
        use_text_search(shape, filters.q, like_pattern(filters.q))
    if filters.recognition:
        level = RecognitionLevel(filters.recognition)
        shape.use(f"recognition_{level}", **recognition.condition_values(level, today))
    rows, next_cursor = await SIGNATORY_LIST.page(conn, shape, filters.cursor, filters.limit)
    return Page(await with_recognition(conn, [signatory_out(row) for row in rows], today), next_cursor)


async def get_signatory(conn: AsyncConnection, signatory_id: str, today: date | None = None) -> Scoped:
    row = await compiled_reads.first(conn, SIGNATORY_BY_ID, {"id": signatory_id})
    if row is None:
        raise NotFound(f"No signatory {signatory_id}.")
    pledges = [
        {
            "id": summary.id,
            "covenant": {"id": summary.covenant_id, "slug": summary.covenant_slug, "title": summary.covenant_title},
            "published_at": summary.published_at,
            "commitment_count": summary.commitment_count,
        }
        for summary in await compiled_reads.rows(conn, PLEDGES_OF_SIGNATORY, {"id": signatory_id})
    ]
    (document,) = await with_recognition(conn, [signatory_out(row)], today or utcnow().date())
    # Its row, areas and withholding are its own; its pledges, their offers and covenants carry theirs.
    depends_on = {public_scopes.signatory(signatory_id)} | {
        public_scopes.covenant(summary["covenant"]["id"]) for summary in pledges
    }
    return Scoped(document | {"pledges": pledges, "view": "public"}, frozenset(depends_on))


# ---------------------------------------------------------------- pledges


PLEDGE_KEYSET = Keyset((pledge.c.id,))


def pledge_select() -> Select[Any]:
    commitment_count = select(func.count()).where(public_commitment.c.pledge_id == pledge.c.id).scalar_subquery()
    return (
        select(
            pledge.c.id,
            pledge.c.signatory_id,
            signatory.c.name.label("signatory_name"),
            signatory.c.sector.label("signatory_sector"),
            pledge.c.covenant_id,
            covenant.c.slug.label("covenant_slug"),
            covenant.c.title.label("covenant_title"),
            pledge.c.statement,
            pledge.c.status,
            pledge.c.signed_on,
            pledge.c.published_at,
            pledge.c.review_due,
            commitment_count.label("commitment_count"),
        )
        .select_from(
            pledge.join(signatory, signatory.c.id == pledge.c.signatory_id).join(
                covenant, covenant.c.id == pledge.c.covenant_id
            )
        )
        .where(pledge.c.status == PUBLISHED, signatory.c.status == VERIFIED)
    )


def pledge_out(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "signatory": {"id": row.signatory_id, "name": row.signatory_name, "sector": row.signatory_sector},
        "covenant": {"id": row.covenant_id, "slug": row.covenant_slug, "title": row.covenant_title},
        "statement": row.statement,
        "status": row.status,
        "signed_on": row.signed_on,
        "published_at": row.published_at,
        "review_due": row.review_due,
        "commitment_count": row.commitment_count,
    }


# The hottest reads are built once with bound parameters: building a statement and working out its cache key
# again on every request cost more than running it (about 120 microseconds a query, measured).
SIGNATORY_BY_ID = signatory_select().where(signatory.c.id == bindparam("id"))
PLEDGES_OF_SIGNATORY = (
    pledge_select().where(pledge.c.signatory_id == bindparam("id")).order_by(pledge.c.published_at, pledge.c.id)
)


PLEDGE_LIST = FilteredList(
    pledge_select(),
    PLEDGE_KEYSET,
    {
        **covenant_conditions(lambda covenant_id: pledge.c.covenant_id == covenant_id),
        "signatory": pledge.c.signatory_id == bindparam("signatory"),
    },
)
PLEDGE_BY_ID = pledge_select().where(pledge.c.id == bindparam("id"))
DOCUMENTS_OF_PLEDGE = (
    select(public_commitment.c.document)
    .where(public_commitment.c.pledge_id == bindparam("id"))
    .order_by(public_commitment.c.commitment_id)
)


async def list_pledges(conn: AsyncConnection, filters: PledgeFilters) -> Page:
    shape = Shape()
    if filters.covenant:
        use_covenant(shape, filters.covenant)
    if filters.signatory:
        shape.use("signatory", signatory=filters.signatory)
    rows, next_cursor = await PLEDGE_LIST.page(conn, shape, filters.cursor, filters.limit)
    return Page([pledge_out(row) for row in rows], next_cursor)


async def get_pledge(conn: AsyncConnection, pledge_id: str) -> dict[str, Any]:
    row = (await conn.execute(PLEDGE_BY_ID, {"id": pledge_id})).first()
    if row is None:
        raise NotFound(f"No pledge {pledge_id}.")
    documents = (await conn.execute(DOCUMENTS_OF_PLEDGE, {"id": pledge_id})).scalars()
    return pledge_out(row) | {"commitments": [embedded(document) for document in documents], "view": "public"}


# ---------------------------------------------------------------- commitments


# The list reads the public read model (app/services/projection.py): filter columns plus pre-rendered documents.
COMMITMENT_KEYSET = Keyset((public_commitment.c.commitment_id,))
_offer = public_commitment.c
COMMITMENT_LIST = FilteredList(
    select(_offer.commitment_id, _offer.document, _offer.covenant_id),
    COMMITMENT_KEYSET,
    {
        **covenant_conditions(lambda covenant_id: _offer.covenant_id == covenant_id),
        "priority": _offer.priority_id == bindparam("priority"),
        # A priority named by its code: within a covenant (named by id or by slug), where codes are unique, or
        # in every covenant (EET offers anywhere).
        "priority_code": _offer.priority_id.in_(
            select(priority.c.id).where(priority.c.code == bindparam("priority_code"))
        ),
        **{
            f"priority_code_in_{form}": _offer.priority_id
            == select(priority.c.id)
            .where(priority.c.covenant_id == covenant_id, priority.c.code == bindparam("priority_code"))
            .scalar_subquery()
            for form, covenant_id in (
                ("covenant_id", bindparam("covenant")),
                ("covenant_slug", covenant_id_by_slug(bindparam("covenant"))),
            )
        },
        "offer_type": one_of_values(_offer.offer_type, "offer_types"),
        "sector": one_of_values(_offer.sector, "sectors"),
        # The read model's area index already holds the hierarchy (app/services/projection.py).
        "area": exists().where(
            public_commitment_area.c.commitment_id == _offer.commitment_id,
            one_of_values(public_commitment_area.c.area_code, "areas"),
        ),
        "age": and_(_offer.min_age <= bindparam("age"), _offer.max_age >= bindparam("age")),
        "audience": _offer.audience_mask.op("&")(bindparam("audience_bit")) != 0,
        "status": one_of_values(_offer.status, "statuses"),
        "signatory": _offer.signatory_id == bindparam("signatory"),
        "pledge": _offer.pledge_id == bindparam("pledge"),
        # search_text is stored in lower case (app/services/projection.py).
        "q": _offer.search_text.like(bindparam("q_pattern"), escape="/"),
        "q_short": unindexed(_offer.search_text).like(bindparam("q_pattern"), escape="/"),
    },
)


def use_priority(shape: Shape, reference: str, covenant_reference: str | None) -> None:
    """A priority by id (any record id: one that is not a priority's matches nothing), or by code."""
    if RECORD_ID_FORM.match(reference):
        shape.use("priority", priority=reference)
    elif covenant_reference is None:
        shape.use("priority_code", priority_code=reference)
    else:
        shape.use(f"priority_code_in_{covenant_form(covenant_reference)}", priority_code=reference)


def commitment_shape(filters: CommitmentFilters) -> Shape:
    """The filters a request uses, and the values to bind for them."""
    shape = Shape()
    if filters.covenant:
        use_covenant(shape, filters.covenant)
    if filters.priority:
        use_priority(shape, filters.priority, filters.covenant)
    if filters.offer_type:
        shape.use("offer_type", offer_types=[t.value for t in filters.offer_type])
    if filters.sector:
        shape.use("sector", sectors=[s.value for s in filters.sector])
    if filters.area:
        shape.use("area", areas=offer_areas_wanted(filters.area))
    if filters.age is not None:
        shape.use("age", age=filters.age)
    if filters.audience:
        shape.use("audience", audience_bit=flags_to_mask(Audience, [filters.audience.value]))
    if filters.status:
        shape.use("status", statuses=[s.value for s in filters.status])
    if filters.signatory:
        shape.use("signatory", signatory=filters.signatory)
    if filters.pledge:
        shape.use("pledge", pledge=filters.pledge)
    if filters.q:
        use_text_search(shape, filters.q, like_pattern(filters.q.lower()))
    return shape


async def commitment_rows(conn: AsyncConnection, filters: CommitmentFilters) -> tuple[list[Row[Any]], str | None]:
    """One page of the read model's rows (commitment_id, document) matching `filters`, and the next cursor."""
    rows, next_cursor = await COMMITMENT_LIST.page(conn, commitment_shape(filters), filters.cursor, filters.limit)
    return list(rows), next_cursor


async def list_commitments(conn: AsyncConnection, filters: CommitmentFilters) -> Page:
    rows, next_cursor = await commitment_rows(conn, filters)
    return Page([embedded(row.document) for row in rows], next_cursor, offers_depend_on(filters, rows))


def offers_depend_on(filters: CommitmentFilters, rows: Sequence[Any]) -> public_scopes.Scopes | None:
    """What a list of offers depends on (app/services/public_scopes.py): the read model's rows of one priority,
    covenant or organisation, when the filters name one and read no other table; else everything.

    A covenant named by slug is looked up in the covenant's own row: the page's offers say which covenant that
    was (an empty page cannot, so it depends on everything). A priority's code outside a covenant is looked up
    in every covenant's priorities."""
    covenant_by_id = filters.covenant is not None and is_id("covenant", filters.covenant)
    if filters.covenant is not None and not covenant_by_id:
        return frozenset({public_scopes.covenant(rows[0].covenant_id)}) if rows else None
    if filters.priority is not None:
        if RECORD_ID_FORM.match(filters.priority):
            return frozenset({public_scopes.priority(filters.priority)})
        if not covenant_by_id:
            return None
    if covenant_by_id:
        return frozenset({public_scopes.covenant(str(filters.covenant))})
    if filters.signatory is not None:
        return frozenset({public_scopes.signatory(filters.signatory)})
    return None


COMMITMENT_BY_ID = select(_offer.document).where(_offer.commitment_id == bindparam("id"))


async def get_commitment(conn: AsyncConnection, commitment_id: str) -> Scoped:
    """An offer's public document: its read model row alone, so it depends only on that row."""
    document = await compiled_reads.scalar(conn, COMMITMENT_BY_ID, {"id": commitment_id})
    if document is None:
        raise NotFound(f"No commitment {commitment_id}.")
    return Scoped(embedded(document), frozenset({public_scopes.offer(commitment_id)}))
