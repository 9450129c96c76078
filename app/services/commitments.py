"""Commitments: added, edited and removed while their pledge is a draft (or has changes requested, or lapsed);
once published, only their status changes (paused, full, ended) or they are withdrawn with a reason."""

from datetime import date

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.enums import Audience, CapacityPeriod, CareStatus, CommitmentStatus, PledgeStatus, flags_to_mask
from app.errors import Conflict, InvalidTransition, ValidationFailed
from app.ids import is_id, new_id, new_ids, utcnow
from app.models import Commitment, CommitmentArea, Covenant, Pledge, Priority
from app.schemas.commitments import CapacityInput, CommitmentCreate, CommitmentUpdate, EligibilityInput
from app.services import audit, projection
from app.services.access import Principal
from app.services.concurrency import Precondition, check_version
from app.services.lifecycle import (
    COMMITMENT_WITHDRAWABLE,
    PLEDGE_EDITABLE,
    check_commitment_status_change,
)
from app.services.lookup import (
    audit_scope,
    own_commitment,
    own_pledge_with_covenant,
    pledge_and_covenant_of,
    priorities_of,
    require_editable,
)

CONTENT_FIELDS = (
    "priority",
    "offer_type",
    "title",
    "description",
    "eligibility",
    "areas",
    "capacity",
    "how_to_access",
    "starts_on",
    "ends_on",
    "apply_by",
)


# Statements run on every write are built once with bound parameters: SQLAlchemy then skips rebuilding them and
# recomputing their cache keys, which cost more than running them (a commitment's document: 595 -> 255 us).
PRIORITY_BY_ID = select(col(Priority.id)).where(
    col(Priority.covenant_id) == bindparam("covenant"), col(Priority.id) == bindparam("ref")
)
PRIORITY_BY_CODE = select(col(Priority.id)).where(
    col(Priority.covenant_id) == bindparam("covenant"), col(Priority.code) == bindparam("ref")
)


async def _resolve_priority(session: AsyncSession, covenant_id: str, reference: str) -> str:
    statement = PRIORITY_BY_ID if is_id("priority", reference) else PRIORITY_BY_CODE
    found = (await session.execute(statement, {"covenant": covenant_id, "ref": reference})).scalar()
    if found is None:
        raise ValidationFailed(f"{reference} is not a priority of this covenant.", pointer="/priority")
    return found


def _check_eligibility(eligibility: EligibilityInput, covenant: Covenant) -> None:
    if eligibility.min_age > eligibility.max_age:
        raise ValidationFailed("max_age must not be below min_age.", pointer="/eligibility/max_age")
    if eligibility.min_age < covenant.min_age:
        raise ValidationFailed(
            f"The covenant covers ages {covenant.min_age} to {covenant.max_age}.", pointer="/eligibility/min_age"
        )
    if eligibility.max_age > covenant.max_age:
        raise ValidationFailed(
            f"The covenant covers ages {covenant.min_age} to {covenant.max_age}.", pointer="/eligibility/max_age"
        )


def _check_capacity(capacity: CapacityInput) -> None:
    if capacity.period == CapacityPeriod.UNLIMITED and capacity.places is not None:
        raise ValidationFailed("An unlimited offer has no number of places.", pointer="/capacity/places")
    if capacity.period in (CapacityPeriod.ONE_OFF, CapacityPeriod.PER_YEAR) and capacity.places is None:
        raise ValidationFailed("Say how many places there are.", pointer="/capacity/places")


def _check_dates(starts_on: date | None, ends_on: date | None, apply_by: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed("ends_on must not be before starts_on.", pointer="/ends_on")
    if apply_by and ends_on and apply_by > ends_on:
        raise ValidationFailed("apply_by must not be after ends_on.", pointer="/apply_by")


def _apply_eligibility(row: Commitment, eligibility: EligibilityInput, covenant: Covenant) -> None:
    _check_eligibility(eligibility, covenant)
    row.min_age, row.max_age = eligibility.min_age, eligibility.max_age
    row.audience_mask = flags_to_mask(Audience, eligibility.audiences or [covenant.audience])
    row.care_status_mask = flags_to_mask(CareStatus, eligibility.care_statuses)


def _apply_capacity(row: Commitment, capacity: CapacityInput) -> None:
    _check_capacity(capacity)
    row.capacity_places, row.capacity_period = capacity.places, capacity.period


def _add_areas(session: AsyncSession, commitment_id: str, areas: list[str]) -> None:
    session.add_all(CommitmentArea(commitment_id=commitment_id, area_code=code) for code in areas)


async def _set_areas(session: AsyncSession, commitment_id: str, areas: list[str]) -> None:
    await session.execute(delete(CommitmentArea).where(col(CommitmentArea.commitment_id) == commitment_id))
    _add_areas(session, commitment_id, areas)


def _touch(pledge: Pledge) -> None:
    # The pledge's private representation includes its commitments: its version (and ETag) moves with them.
    pledge.updated_at = utcnow()


def _new_commitment(
    commitment_id: str, pledge: Pledge, covenant: Covenant, body: CommitmentCreate, priority_id: str
) -> Commitment:
    """A commitment of `pledge` as `body` describes it, with the rules that need its covenant checked."""
    row = Commitment(
        id=commitment_id,
        pledge_id=pledge.id,
        covenant_id=covenant.id,
        signatory_id=pledge.signatory_id,
        priority_id=priority_id,
        offer_type=body.offer_type,
        title=body.title,
        description=body.description,
        access_text=body.how_to_access.text,
        access_url=str(body.how_to_access.url) if body.how_to_access.url else None,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        apply_by=body.apply_by,
        status=CommitmentStatus.ACTIVE,
        min_age=0,
        max_age=0,
        audience_mask=0,
    )
    _apply_eligibility(row, body.eligibility, covenant)
    _apply_capacity(row, body.capacity)
    return row


async def add(session: AsyncSession, principal: Principal, pledge_id: str, body: CommitmentCreate) -> Commitment:
    pledge, covenant = await own_pledge_with_covenant(session, principal, pledge_id)
    require_editable(pledge, "add commitments to")
    _check_dates(body.starts_on, body.ends_on, body.apply_by)
    priority_id = await _resolve_priority(session, covenant.id, body.priority)
    row = _new_commitment(new_id("commitment"), pledge, covenant, body, priority_id)
    session.add(row)
    await session.flush()
    _add_areas(session, row.id, body.areas)  # a new commitment has no areas to replace
    _touch(pledge)
    await audit.created(session, principal, "commitment.create", row, scope=audit_scope(pledge, covenant))
    return row


async def add_to_new_pledge(
    session: AsyncSession, principal: Principal, pledge: Pledge, covenant: Covenant, bodies: list[CommitmentCreate]
) -> list[Commitment]:
    """The commitments a pledge is created with, in its transaction. Their priorities are found in one query and
    their rows, areas and audit events written in one batch each, so ten cost about what one does. An invalid
    item is a 422 pointing into it (`/commitments/2/priority`), and nothing is written. Their ids sort as they
    were sent, so the pledge lists them in that order."""
    if not bodies:
        return []
    priorities = await _priorities_by_reference(session, covenant.id)
    rows = []
    for index, (commitment_id, body) in enumerate(zip(new_ids("commitment", len(bodies)), bodies, strict=True)):
        try:
            rows.append(_checked_commitment(commitment_id, pledge, covenant, body, priorities))
        except ValidationFailed as error:
            raise error.within(f"/commitments/{index}") from None
    session.add_all(rows)
    for row, body in zip(rows, bodies, strict=True):
        _add_areas(session, row.id, body.areas)
    await audit.created_all(session, principal, "commitment.create", list(rows), scope=audit_scope(pledge, covenant))
    return rows


def _checked_commitment(
    commitment_id: str, pledge: Pledge, covenant: Covenant, body: CommitmentCreate, priorities: dict[str, str]
) -> Commitment:
    # The same checks, in the same order, as `add`: dates, then the priority, then what needs the covenant.
    _check_dates(body.starts_on, body.ends_on, body.apply_by)
    priority_id = priorities.get(body.priority)
    if priority_id is None:
        raise ValidationFailed(f"{body.priority} is not a priority of this covenant.", pointer="/priority")
    return _new_commitment(commitment_id, pledge, covenant, body, priority_id)


async def _priorities_by_reference(session: AsyncSession, covenant_id: str) -> dict[str, str]:
    """A covenant's priority ids by each way a caller may name one: the id itself, or the code. (A covenant has
    a handful of priorities: reading them all once beats one lookup per commitment.)"""
    found = await priorities_of(session, covenant_id)
    return {priority["id"]: priority["id"] for priority in found} | {
        priority["code"]: priority["id"] for priority in found
    }


async def update(
    session: AsyncSession, principal: Principal, commitment_id: str, precondition: Precondition, body: CommitmentUpdate
) -> Commitment:
    row = await own_commitment(session, principal, commitment_id)
    check_version(row, precondition)
    pledge, covenant = await pledge_and_covenant_of(session, row)
    given = body.model_fields_set
    content_changes = [field for field in CONTENT_FIELDS if field in given]
    if pledge.status == PledgeStatus.PUBLISHED and content_changes:
        raise Conflict(
            f"The pledge is published, so only this commitment's status may change (not {', '.join(content_changes)}). "
            "Withdraw the commitment and add a new one to change what is offered."
        )
    if pledge.status not in PLEDGE_EDITABLE and pledge.status != PledgeStatus.PUBLISHED:
        require_editable(pledge, "edit commitments of")
    async with audit.changing(
        session,
        principal,
        "commitment.update",
        row,
        scope=audit_scope(pledge, covenant),
        public=projection.for_commitment(row.id),
    ):
        await _apply_content(session, row, body, given, covenant)
        if body.status is not None:
            if row.status == CommitmentStatus.WITHDRAWN or body.status == CommitmentStatus.WITHDRAWN:
                raise InvalidTransition("commitment", row.status, f"set status {body.status} on", [])
            check_commitment_status_change(row.status, body.status)
            row.status = body.status
        row.updated_at = utcnow()
        _touch(pledge)
    return row


async def _apply_content(
    session: AsyncSession, row: Commitment, body: CommitmentUpdate, given: set[str], covenant: Covenant
) -> None:
    if "priority" in given and body.priority is not None:
        row.priority_id = await _resolve_priority(session, covenant.id, body.priority)
    for field in ("offer_type", "title", "description"):
        if field in given and getattr(body, field) is not None:
            setattr(row, field, getattr(body, field))
    for field in ("starts_on", "ends_on", "apply_by"):
        if field in given:
            setattr(row, field, getattr(body, field))
    _check_dates(row.starts_on, row.ends_on, row.apply_by)
    if body.eligibility is not None:
        _apply_eligibility(row, body.eligibility, covenant)
    if body.capacity is not None:
        _apply_capacity(row, body.capacity)
    if body.how_to_access is not None:
        row.access_text = body.how_to_access.text
        row.access_url = str(body.how_to_access.url) if body.how_to_access.url else None
    if body.areas is not None:
        await _set_areas(session, row.id, body.areas)


async def remove(session: AsyncSession, principal: Principal, commitment_id: str, precondition: Precondition) -> None:
    row = await own_commitment(session, principal, commitment_id)
    check_version(row, precondition)
    pledge, covenant = await pledge_and_covenant_of(session, row)
    require_editable(pledge, "remove commitments from")
    await audit.deleted(session, principal, "commitment.delete", row, scope=audit_scope(pledge, covenant))
    _touch(pledge)
    await session.flush()


async def withdraw(session: AsyncSession, principal: Principal, commitment_id: str, reason: str) -> Commitment:
    row = await own_commitment(session, principal, commitment_id)
    pledge, covenant = await pledge_and_covenant_of(session, row)
    if pledge.status != PledgeStatus.PUBLISHED:
        raise Conflict(
            f"The pledge is {pledge.status}: only a commitment of a published pledge is withdrawn. "
            "While the pledge is a draft, remove the commitment instead."
        )
    if row.status not in COMMITMENT_WITHDRAWABLE:
        raise InvalidTransition("commitment", row.status, "withdraw", [])
    async with audit.changing(
        session,
        principal,
        "commitment.withdraw",
        row,
        scope=audit_scope(pledge, covenant),
        public=projection.for_commitment(row.id),
    ):
        row.status = CommitmentStatus.WITHDRAWN
        row.withdrawn_reason, row.withdrawn_at = reason, utcnow()
        row.updated_at = utcnow()
        _touch(pledge)
    return row
