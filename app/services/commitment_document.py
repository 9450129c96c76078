"""A commitment's document: the columns it is made from and the JSON it becomes.

One definition serves three readers: the public read model (app/services/projection.py renders every public
offer's document from `public_commitments()`), the owner's and officers' private view (app/services/private_read.py
adds what only they see), and the rules of what an offer shows. Which commitments are public is decided here, in
`public_commitments()`, because the read model is built from it and every public offer read comes from the read
model.
"""

from typing import Any

from sqlalchemy import Row, Select, func, select

from app.enums import PUBLIC_COMMITMENT_STATUSES, Audience, CareStatus, PledgeStatus, SignatoryStatus, mask_to_flags
from app.models import Commitment, CommitmentArea, Covenant, Pledge, Priority, Signatory, table_of
from app.services.areas import named_areas, split_areas

commitment = table_of(Commitment)
commitment_area = table_of(CommitmentArea)
covenant = table_of(Covenant)
pledge = table_of(Pledge)
priority = table_of(Priority)
signatory = table_of(Signatory)

PUBLISHED = PledgeStatus.PUBLISHED.value
VERIFIED = SignatoryStatus.VERIFIED.value

# Bit masks decode to the same few lists again and again: decode each once.
AUDIENCES_BY_MASK = {mask: mask_to_flags(Audience, mask) for mask in range(1 << len(Audience))}
CARE_STATUSES_BY_MASK = {mask: mask_to_flags(CareStatus, mask) for mask in range(1 << len(CareStatus))}


def commitment_columns() -> Select[Any]:
    """Commitments in any state with the columns of their documents (owners and officers see these)."""
    areas = (
        select(func.aggregate_strings(commitment_area.c.area_code, ","))
        .where(commitment_area.c.commitment_id == commitment.c.id)
        .scalar_subquery()
    )
    return select(
        commitment.c.id,
        commitment.c.title,
        commitment.c.description,
        commitment.c.offer_type,
        commitment.c.status,
        commitment.c.pledge_id,
        commitment.c.covenant_id,
        covenant.c.slug.label("covenant_slug"),
        covenant.c.title.label("covenant_title"),
        commitment.c.signatory_id,
        signatory.c.name.label("signatory_name"),
        signatory.c.sector.label("signatory_sector"),
        commitment.c.priority_id,
        priority.c.code.label("priority_code"),
        priority.c.title.label("priority_title"),
        commitment.c.min_age,
        commitment.c.max_age,
        commitment.c.audience_mask,
        commitment.c.care_status_mask,
        areas.label("areas"),
        commitment.c.capacity_places,
        commitment.c.capacity_period,
        commitment.c.access_text,
        commitment.c.access_url,
        commitment.c.starts_on,
        commitment.c.ends_on,
        commitment.c.apply_by,
        commitment.c.updated_at,
        commitment.c.created_at,
        commitment.c.withdrawn_reason,
    ).select_from(
        commitment.join(pledge, pledge.c.id == commitment.c.pledge_id)
        .join(signatory, signatory.c.id == commitment.c.signatory_id)
        .join(priority, priority.c.id == commitment.c.priority_id)
        .join(covenant, covenant.c.id == commitment.c.covenant_id)
    )


def public_commitments() -> Select[Any]:
    """The public offers: active, paused or full commitments of published pledges of verified organisations."""
    return commitment_columns().where(
        pledge.c.status == PUBLISHED,
        signatory.c.status == VERIFIED,
        commitment.c.status.in_(PUBLIC_COMMITMENT_STATUSES),
    )


def public_document(row: Row[Any]) -> dict[str, Any]:
    """What anyone sees of an offer."""
    return {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "offer_type": row.offer_type,
        "status": row.status,
        "pledge_id": row.pledge_id,
        "covenant": {"id": row.covenant_id, "slug": row.covenant_slug, "title": row.covenant_title},
        "signatory": {"id": row.signatory_id, "name": row.signatory_name, "sector": row.signatory_sector},
        "priority": {"id": row.priority_id, "code": row.priority_code, "title": row.priority_title},
        "eligibility": {
            "min_age": row.min_age,
            "max_age": row.max_age,
            "audiences": AUDIENCES_BY_MASK[row.audience_mask],
            "care_statuses": CARE_STATUSES_BY_MASK[row.care_status_mask],
        },
        **named_areas(split_areas(row.areas)),
        "capacity": {"places": row.capacity_places, "period": row.capacity_period},
        "how_to_access": {"text": row.access_text, "url": row.access_url},
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "apply_by": row.apply_by,
        "updated_at": row.updated_at,
        "view": "public",
    }


def private_document(row: Row[Any]) -> dict[str, Any]:
    """What its organisation and the covenant's officers see: the public document and its history."""
    return public_document(row) | {
        "withdrawn_reason": row.withdrawn_reason,
        "created_at": row.created_at,
        "view": "private",
    }
