"""Authorities (created by the operator), and covenants and priorities (run by an authority's officers)."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.enums import CovenantStatus
from app.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.ids import new_id, utcnow
from app.models import Authority, Commitment, Covenant, Priority
from app.schemas.authorities import AuthorityCreate
from app.schemas.covenants import CovenantCreate, CovenantUpdate, PriorityInput, PriorityUpdate
from app.services import audit, projection
from app.services.access import Principal
from app.services.concurrency import Precondition, check_version
from app.services.lookup import officers_covenant

# A draft may open; an open covenant may close; a closed one may reopen. Nothing goes back to draft.
COVENANT_STATUS_CHANGES = {
    CovenantStatus.DRAFT: {CovenantStatus.OPEN},
    CovenantStatus.OPEN: {CovenantStatus.CLOSED},
    CovenantStatus.CLOSED: {CovenantStatus.OPEN},
}


async def create_authority(session: AsyncSession, principal: Principal, body: AuthorityCreate) -> Authority:
    if (await session.execute(select(col(Authority.id)).where(col(Authority.gss_code) == body.gss_code))).first():
        raise Conflict(f"An authority with GSS code {body.gss_code} is already registered.")
    authority = Authority(
        id=new_id("authority"),
        name=body.name,
        gss_code=body.gss_code,
        region=body.region,
        website=str(body.website) if body.website else None,
    )
    session.add(authority)
    await audit.created(session, principal, "authority.create", authority, scope=audit.Scope(authority_id=authority.id))
    return authority


def _scope(covenant: Covenant) -> audit.Scope:
    return audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id)


async def _authority_for_new_covenant(session: AsyncSession, principal: Principal, body: CovenantCreate) -> str:
    if principal.is_officer:
        if body.authority_id not in (None, principal.authority_id):
            raise Forbidden("Officers create covenants for their own authority only.")
        assert principal.authority_id is not None
        return principal.authority_id
    if body.authority_id is None:
        raise ValidationFailed(
            "The operator must say which authority the covenant belongs to.", pointer="/authority_id"
        )
    if await session.get(Authority, body.authority_id) is None:
        raise ValidationFailed(f"No authority {body.authority_id}.", pointer="/authority_id")
    return body.authority_id


async def create_covenant(session: AsyncSession, principal: Principal, body: CovenantCreate) -> Covenant:
    authority_id = await _authority_for_new_covenant(session, principal, body)
    if body.min_age > body.max_age:
        raise ValidationFailed("max_age must not be below min_age.", pointer="/max_age")
    if body.status == CovenantStatus.CLOSED:
        raise ValidationFailed("A new covenant is a draft or open.", pointer="/status")
    if (await session.execute(select(col(Covenant.id)).where(col(Covenant.slug) == body.slug))).first():
        raise Conflict(f"The slug {body.slug} is taken.")
    same_audience = select(col(Covenant.slug)).where(
        col(Covenant.authority_id) == authority_id, col(Covenant.audience) == body.audience
    )
    if existing := (await session.execute(same_audience)).scalar():
        raise Conflict(f"This authority already runs covenant {existing} for {body.audience}; one per audience.")
    codes = [priority.code for priority in body.priorities]
    if len(set(codes)) != len(codes):
        raise ValidationFailed("Priority codes must be unique.", pointer="/priorities")
    covenant = Covenant(
        id=new_id("covenant"),
        authority_id=authority_id,
        **body.model_dump(exclude={"priorities", "authority_id"}),
    )
    session.add(covenant)
    await session.flush()
    for position, priority in enumerate(body.priorities):
        session.add(_priority(covenant.id, priority, position))
    await audit.created(session, principal, "covenant.create", covenant, scope=_scope(covenant))
    return covenant


def _priority(covenant_id: str, body: PriorityInput, default_position: int) -> Priority:
    return Priority(
        id=new_id("priority"),
        covenant_id=covenant_id,
        code=body.code,
        title=body.title,
        description=body.description,
        position=body.position if body.position is not None else default_position,
    )


async def _ages_in_use(session: AsyncSession, covenant_id: str) -> tuple[int | None, int | None]:
    statement = select(func.min(col(Commitment.min_age)), func.max(col(Commitment.max_age))).where(
        col(Commitment.covenant_id) == covenant_id
    )
    youngest, oldest = (await session.execute(statement)).one()
    return youngest, oldest


async def update_covenant(
    session: AsyncSession, principal: Principal, reference: str, precondition: Precondition, body: CovenantUpdate
) -> Covenant:
    covenant = await officers_covenant(session, principal, reference)
    check_version(covenant, precondition)
    given = body.model_fields_set
    async with audit.changing(
        session,
        principal,
        "covenant.update",
        covenant,
        scope=_scope(covenant),
        public=projection.for_covenant(covenant.id),
    ):
        if body.status is not None and body.status != covenant.status:
            if body.status not in COVENANT_STATUS_CHANGES[CovenantStatus(covenant.status)]:
                allowed = sorted(status.value for status in COVENANT_STATUS_CHANGES[CovenantStatus(covenant.status)])
                raise InvalidTransition("covenant", covenant.status, f"set status {body.status} on", allowed)
            covenant.status = body.status
        for field in ("title", "description", "launched_on", "review_cycle_months", "publish_strategy"):
            if field in given and (getattr(body, field) is not None or field == "launched_on"):
                setattr(covenant, field, getattr(body, field))
        await _change_ages(session, covenant, body)
        covenant.updated_at = utcnow()
    return covenant


async def _change_ages(session: AsyncSession, covenant: Covenant, body: CovenantUpdate) -> None:
    min_age = body.min_age if body.min_age is not None else covenant.min_age
    max_age = body.max_age if body.max_age is not None else covenant.max_age
    if min_age > max_age:
        raise ValidationFailed("max_age must not be below min_age.", pointer="/max_age")
    youngest, oldest = await _ages_in_use(session, covenant.id)
    if youngest is not None and oldest is not None and (min_age > youngest or max_age < oldest):
        raise ValidationFailed(
            f"Commitments already cover ages {youngest} to {oldest}; the covenant's range must include them.",
            pointer="/min_age" if min_age > youngest else "/max_age",
        )
    covenant.min_age, covenant.max_age = min_age, max_age


async def add_priority(session: AsyncSession, principal: Principal, reference: str, body: PriorityInput) -> Priority:
    covenant = await officers_covenant(session, principal, reference)
    taken = select(col(Priority.id)).where(col(Priority.covenant_id) == covenant.id, col(Priority.code) == body.code)
    if (await session.execute(taken)).first():
        raise Conflict(f"Priority code {body.code} is already used in this covenant.")
    last = await session.execute(
        select(func.max(col(Priority.position))).where(col(Priority.covenant_id) == covenant.id)
    )
    position = (last.scalar() or -1) + 1
    priority = _priority(covenant.id, body, position)
    session.add(priority)
    await audit.created(session, principal, "priority.create", priority, scope=_scope(covenant))
    return priority


async def update_priority(
    session: AsyncSession, principal: Principal, priority_id: str, precondition: Precondition, body: PriorityUpdate
) -> Priority:
    priority = await session.get(Priority, priority_id)
    if priority is None:
        raise NotFound(f"No priority {priority_id}.")
    covenant = await officers_covenant(session, principal, priority.covenant_id)
    check_version(priority, precondition)
    async with audit.changing(
        session,
        principal,
        "priority.update",
        priority,
        scope=_scope(covenant),
        # Its code and title appear in the public document of every commitment filed under it.
        public=projection.for_priority(priority.id),
    ):
        for field in ("title", "description", "position"):
            if getattr(body, field) is not None:
                setattr(priority, field, getattr(body, field))
        # A lead is a role, and optionally a name; null for the role removes the lead, name and all.
        given = body.model_fields_set
        if "lead_role" in given:
            priority.lead_role = body.lead_role
            if body.lead_role is None:
                priority.lead_name = None
        if "lead_name" in given:
            priority.lead_name = body.lead_name
        if priority.lead_name is not None and priority.lead_role is None:
            raise ValidationFailed("A lead's name needs the lead's role (lead_role).", pointer="/lead_role")
    return priority
