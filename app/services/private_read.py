"""What only a key may read: records in any state, with what the public never sees (private contacts,
drafts, withdrawn reasons, the audit trail), as documents ready to send.

Each reader checks the caller's access itself (through app/services/lookup.py and access.py), and a page of
documents is built in a fixed number of queries, whatever its size: the page, then everything its items need
for all of them at once.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.errors import NotFound
from app.ids import utcnow
from app.models import (
    ApiKey,
    AuditEvent,
    Authority,
    Commitment,
    Covenant,
    Pledge,
    Priority,
    Signatory,
    SignatoryArea,
    table_of,
)
from app.services import keys, problem_reports, recognition
from app.services.access import (
    Principal,
    can_see_signatory_privately,
    pledge_actions_for,
    signatory_actions_for,
)
from app.services.areas import named_areas, order_areas
from app.services.commitment_document import commitment, commitment_columns, private_document
from app.services.lifecycle import PLEDGE_ACTIONS, SIGNATORY_ACTIONS, allowed_actions
from app.services.lookup import (
    officers_covenant,
    priorities_of,
    priority_document,
    visible_commitment,
    visible_covenant,
    visible_pledge,
    visible_signatory,
)
from app.services.pagination import Keyset, Page

PLEDGE_KEYSET = Keyset((table_of(Pledge).c.id,))
SIGNATORY_KEYSET = Keyset((table_of(Signatory).c.name, table_of(Signatory).c.id))
AUDIT_KEYSET = Keyset((table_of(AuditEvent).c.id,), descending=True)

# ---------------------------------------------------------------- documents, for one record or a whole page

COMMITMENT_DOCUMENT = commitment_columns().where(commitment.c.id == bindparam("id"))
COMMITMENTS_OF_PLEDGES = (
    commitment_columns()
    .where(commitment.c.pledge_id.in_(bindparam("pledges", expanding=True)))
    .order_by(commitment.c.pledge_id, commitment.c.id)
)
pledge_table, signatory_table, covenant_table = table_of(Pledge), table_of(Signatory), table_of(Covenant)
PLEDGE_PARTIES = (
    select(
        pledge_table.c.id,
        signatory_table.c.name.label("signatory_name"),
        signatory_table.c.sector.label("signatory_sector"),
        covenant_table.c.slug.label("covenant_slug"),
        covenant_table.c.title.label("covenant_title"),
        covenant_table.c.authority_id,
    )
    .join(signatory_table, signatory_table.c.id == pledge_table.c.signatory_id)
    .join(covenant_table, covenant_table.c.id == pledge_table.c.covenant_id)
    .where(pledge_table.c.id.in_(bindparam("pledges", expanding=True)))
)
AREAS_OF_SIGNATORIES = select(col(SignatoryArea.signatory_id), col(SignatoryArea.area_code)).where(
    col(SignatoryArea.signatory_id).in_(bindparam("signatories", expanding=True))
)


async def commitment_document(session: AsyncSession, commitment_id: str) -> dict[str, Any]:
    return private_document((await session.execute(COMMITMENT_DOCUMENT, {"id": commitment_id})).one())


async def pledge_documents(
    session: AsyncSession, pledges: list[Pledge], principal: Principal | None
) -> list[dict[str, Any]]:
    """Pledges with every commitment and what `principal` may do with each, in two queries for any number."""
    if not pledges:
        return []
    ids = [pledge.id for pledge in pledges]
    parties = {row.id: row for row in (await session.execute(PLEDGE_PARTIES, {"pledges": ids})).all()}
    commitments: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in (await session.execute(COMMITMENTS_OF_PLEDGES, {"pledges": ids})).all():
        commitments[row.pledge_id].append(private_document(row))
    return [_pledge_document(pledge, parties[pledge.id], commitments[pledge.id], principal) for pledge in pledges]


async def pledge_document(session: AsyncSession, pledge: Pledge, principal: Principal | None) -> dict[str, Any]:
    (document,) = await pledge_documents(session, [pledge], principal)
    return document


def _pledge_document(
    pledge: Pledge, parties: Any, commitments: list[dict[str, Any]], principal: Principal | None
) -> dict[str, Any]:
    possible = allowed_actions(PLEDGE_ACTIONS, pledge.status)
    return {
        "id": pledge.id,
        "signatory": {"id": pledge.signatory_id, "name": parties.signatory_name, "sector": parties.signatory_sector},
        "covenant": {"id": pledge.covenant_id, "slug": parties.covenant_slug, "title": parties.covenant_title},
        "statement": pledge.statement,
        "status": pledge.status,
        "signed_on": pledge.signed_on,
        "submitted_at": pledge.submitted_at,
        "published_at": pledge.published_at,
        "review_due": pledge.review_due,
        "review_comment": pledge.review_comment,
        "withdrawn_reason": pledge.withdrawn_reason,
        "withdrawn_at": pledge.withdrawn_at,
        "created_at": pledge.created_at,
        "updated_at": pledge.updated_at,
        "allowed_actions": pledge_actions_for(principal, pledge, parties.authority_id, possible),
        "commitments": commitments,
        "view": "private",
    }


async def signatory_documents(
    session: AsyncSession, signatories: list[Signatory], principal: Principal | None
) -> list[dict[str, Any]]:
    """Organisations with their private contacts and areas, in one query for any number of them."""
    if not signatories:
        return []
    areas: defaultdict[str, list[str]] = defaultdict(list)
    found = await session.execute(AREAS_OF_SIGNATORIES, {"signatories": [row.id for row in signatories]})
    for signatory_id, area_code in found.all():
        areas[signatory_id].append(area_code)
    levels = await recognition.recognitions(session, [row.id for row in signatories], utcnow().date())
    return [
        _signatory_document(row, order_areas(areas[row.id]), principal)
        | {"recognition": levels[row.id].private_document()}
        for row in signatories
    ]


async def signatory_document(
    session: AsyncSession, signatory: Signatory, principal: Principal | None
) -> dict[str, Any]:
    (document,) = await signatory_documents(session, [signatory], principal)
    return document


def _signatory_document(signatory: Signatory, areas: list[str], principal: Principal | None) -> dict[str, Any]:
    return {
        "id": signatory.id,
        "name": signatory.name,
        "description": signatory.description,
        "sector": signatory.sector,
        "organisation_type": signatory.organisation_type,
        "size_band": signatory.size_band,
        "companies_house_number": signatory.companies_house_number,
        "charity_number": signatory.charity_number,
        "website": signatory.website,
        "public_contact": signatory.public_contact,
        **named_areas(areas),
        "contact": {
            "name": signatory.contact_name,
            "email": signatory.contact_email,
            "phone": signatory.contact_phone,
        },
        "status": signatory.status,
        "verified_at": signatory.verified_at,
        "created_at": signatory.created_at,
        "updated_at": signatory.updated_at,
        "allowed_actions": signatory_actions_for(principal, allowed_actions(SIGNATORY_ACTIONS, signatory.status)),
        "view": "private",
    }


async def covenant_document(session: AsyncSession, covenant: Covenant) -> dict[str, Any]:
    """A covenant as its officers see it, in any state, with its priorities in order."""
    authority = await session.get(Authority, covenant.authority_id)
    assert authority is not None
    return {
        "id": covenant.id,
        "slug": covenant.slug,
        "title": covenant.title,
        "authority": {"id": authority.id, "name": authority.name},
        "audience": covenant.audience,
        "min_age": covenant.min_age,
        "max_age": covenant.max_age,
        "description": covenant.description,
        "status": covenant.status,
        "launched_on": covenant.launched_on,
        "review_cycle_months": covenant.review_cycle_months,
        "publish_strategy": covenant.publish_strategy,
        "priorities": await priorities_of(session, covenant.id),
    }


def key_document(row: ApiKey) -> dict[str, Any]:
    """A key as its holders see it: never its secret."""
    return {
        "id": row.id,
        "name": row.name,
        "prefix": f"{keys.KEY_PREFIX}{row.lookup}",
        "owner_kind": row.owner_kind,
        "signatory_id": row.signatory_id,
        "authority_id": row.authority_id,
        "scopes": list(row.scopes),
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
    }


def issued_key_document(row: ApiKey, plaintext: str | None) -> dict[str, Any]:
    """A key as issued: the secret once, or null in a replay (the registry no longer has it)."""
    return {**key_document(row), "key": plaintext}


def audit_document(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at,
        "actor_kind": event.actor_kind,
        "actor_key_id": event.actor_key_id,
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "covenant_id": event.covenant_id,
        "signatory_id": event.signatory_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }


# ---------------------------------------------------------------- one record, in any state


async def covenant_view(session: AsyncSession, principal: Principal, reference: str) -> tuple[Covenant, Any]:
    """A covenant in any state, for its own authority's officers and the operator; 404 for everyone else."""
    covenant = await visible_covenant(session, principal, reference)
    return covenant, await covenant_document(session, covenant)


async def priority_view(session: AsyncSession, principal: Principal, priority_id: str) -> tuple[Priority, Any]:
    """A priority, in a covenant of any state, for its authority's officers and the operator; 404 for others."""
    priority = await session.get(Priority, priority_id)
    if priority is None:
        raise NotFound(f"No priority {priority_id}.")
    await visible_covenant(session, principal, priority.covenant_id)
    return priority, priority_document(priority)


async def signatory_view(session: AsyncSession, principal: Principal, signatory_id: str) -> tuple[Signatory, Any]:
    """An organisation's private profile, for itself, its covenants' officers and the operator; 404 for others."""
    signatory = await visible_signatory(session, principal, signatory_id)
    return signatory, await signatory_document(session, signatory, principal)


async def pledge_view(session: AsyncSession, principal: Principal, pledge_id: str) -> tuple[Pledge, Any]:
    """A pledge in any state with every commitment; 404 for those who may not see it privately."""
    pledge = await visible_pledge(session, principal, pledge_id)
    return pledge, await pledge_document(session, pledge, principal)


async def commitment_view(session: AsyncSession, principal: Principal, commitment_id: str) -> tuple[Commitment, Any]:
    """A commitment in any state; 404 for those who may not see it privately."""
    row = await visible_commitment(session, principal, commitment_id)
    summaries = await problem_reports.open_summaries(session, [row.id], utcnow())
    return row, await commitment_document(session, row.id) | {"problems": summaries[row.id]}


# ---------------------------------------------------------------- lists


async def _pledge_page(
    session: AsyncSession, principal: Principal, statement: Any, cursor: str | None, limit: int
) -> Page:
    rows = list((await session.execute(PLEDGE_KEYSET.apply(statement, cursor, limit))).scalars())
    shown, next_cursor = PLEDGE_KEYSET.page(rows, limit, lambda pledge: (pledge.id,))
    return Page(await pledge_documents(session, list(shown), principal), next_cursor)


def _covenants_of(principal: Principal) -> Any:
    return select(col(Covenant.id)).where(col(Covenant.authority_id) == principal.authority_id)


async def pledges_of_signatory(
    session: AsyncSession, principal: Principal, signatory_id: str, statuses: list[str], cursor: str | None, limit: int
) -> Page:
    """Every pledge of an organisation: for itself, the operator, or (in their covenants) an officer."""
    if not await can_see_signatory_privately(session, principal, signatory_id):
        raise NotFound(f"No signatory {signatory_id}.")
    statement = select(Pledge).where(col(Pledge.signatory_id) == signatory_id)
    if principal.is_officer:
        statement = statement.where(col(Pledge.covenant_id).in_(_covenants_of(principal)))
    if statuses:
        statement = statement.where(col(Pledge.status).in_(statuses))
    return await _pledge_page(session, principal, statement, cursor, limit)


async def pledges_in_covenant(
    session: AsyncSession, principal: Principal, reference: str, statuses: list[str], cursor: str | None, limit: int
) -> Page:
    """The pledges of an officer's covenant in any state; `status=submitted` is the review queue."""
    covenant = await officers_covenant(session, principal, reference)
    statement = select(Pledge).where(col(Pledge.covenant_id) == covenant.id)
    if statuses:
        statement = statement.where(col(Pledge.status).in_(statuses))
    return await _pledge_page(session, principal, statement, cursor, limit)


async def signatories_in_covenant(
    session: AsyncSession, principal: Principal, reference: str, statuses: list[str], cursor: str | None, limit: int
) -> Page:
    """Organisations with a pledge (in any state) in an officer's covenant: `status=pending` is the
    verification queue."""
    covenant = await officers_covenant(session, principal, reference)
    statement = select(Signatory).where(
        exists().where(col(Pledge.signatory_id) == col(Signatory.id), col(Pledge.covenant_id) == covenant.id)
    )
    if statuses:
        statement = statement.where(col(Signatory.status).in_(statuses))
    rows = list((await session.execute(SIGNATORY_KEYSET.apply(statement, cursor, limit))).scalars())
    shown, next_cursor = SIGNATORY_KEYSET.page(rows, limit, lambda row: (row.name, row.id))
    return Page(await signatory_documents(session, list(shown), principal), next_cursor)


async def audit_events(
    session: AsyncSession, principal: Principal, filters: dict[str, str | None], cursor: str | None, limit: int
) -> Page:
    """The trail, newest first. Officers see their authority's events and those of organisations pledging to it."""
    statement = select(AuditEvent)
    if principal.is_officer:
        reaching = select(col(Pledge.signatory_id)).where(col(Pledge.covenant_id).in_(_covenants_of(principal)))
        statement = statement.where(
            or_(col(AuditEvent.authority_id) == principal.authority_id, col(AuditEvent.signatory_id).in_(reaching))
        )
    for column, value in filters.items():
        if value is not None:
            statement = statement.where(getattr(AuditEvent, column) == value)
    rows = list((await session.execute(AUDIT_KEYSET.apply(statement, cursor, limit))).scalars())
    shown, next_cursor = AUDIT_KEYSET.page(rows, limit, lambda event: (event.id,))
    return Page([audit_document(event) for event in shown], next_cursor)


async def keys_of(session: AsyncSession, principal: Principal, authority_id: str | None) -> list[dict[str, Any]]:
    """The keys of the caller's organisation or authority (never their secrets), oldest first."""
    return [key_document(row) for row in await keys.list_keys(session, principal, authority_id)]
