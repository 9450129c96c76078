"""Organisations: self-registration, their own profile, and officers' decisions about them."""

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col

from app.enums import SignatoryStatus
from app.errors import Conflict, NotFound
from app.ids import new_id, utcnow
from app.models import Signatory, SignatoryArea
from app.schemas.signatories import SignatoryRegistration, SignatoryUpdate
from app.services import audit, keys, projection, rate_limits
from app.services.access import Principal, officer_reaches_signatory, require_own_signatory
from app.services.concurrency import Precondition, check_version
from app.services.lifecycle import next_signatory_status

PROFILE_FIELDS = (
    "name",
    "description",
    "sector",
    "organisation_type",
    "size_band",
    "companies_house_number",
    "charity_number",
    "website",
    "public_contact",
)


async def _refuse_duplicate_numbers(
    session: AsyncSession, companies_house_number: str | None, charity_number: str | None, except_id: str | None
) -> None:
    conditions = []
    if companies_house_number:
        conditions.append(col(Signatory.companies_house_number) == companies_house_number)
    if charity_number:
        conditions.append(col(Signatory.charity_number) == charity_number)
    if not conditions:
        return
    statement = select(col(Signatory.id)).where(or_(*conditions))
    if except_id:
        statement = statement.where(col(Signatory.id) != except_id)
    if (await session.execute(statement)).first() is not None:
        raise Conflict(
            "An organisation with this Companies House or charity number is already registered. "
            "If it is yours, ask the registry for a key rather than registering again."
        )


def _set_areas(session: AsyncSession, signatory_id: str, areas: list[str]) -> None:
    session.add_all(SignatoryArea(signatory_id=signatory_id, area_code=code) for code in areas)


REGISTRATION_WINDOW = timedelta(hours=1)


async def count_registration(engine: AsyncEngine, address: str, limit: int) -> rate_limits.Allowance:
    """Registration needs no key, so it is limited per address: `limit` an hour (429 past it). The hit is
    counted on a connection of its own and committed at once, before the registration runs, so that two
    attempts at once cannot both slip under the limit."""
    async with engine.connect() as conn:
        return await rate_limits.hit(
            conn, f"register:{address}", limit=limit, window=REGISTRATION_WINDOW, what="registrations"
        )


async def uncount_registration(engine: AsyncEngine, address: str, limit: int) -> rate_limits.Allowance:
    """A registration that was refused (a duplicate, say) made nothing: it does not spend the allowance."""
    async with engine.connect() as conn:
        return await rate_limits.refund(conn, f"register:{address}", limit=limit, window=REGISTRATION_WINDOW)


async def register(session: AsyncSession, registration: SignatoryRegistration) -> tuple[Signatory, keys.NewKey]:
    """A new organisation, pending verification, with its first key (every scope)."""
    await _refuse_duplicate_numbers(
        session, registration.companies_house_number, registration.charity_number, except_id=None
    )
    signatory = Signatory(
        id=new_id("signatory"),
        **{field: _plain(getattr(registration, field)) for field in PROFILE_FIELDS},
        contact_name=registration.contact.name,
        contact_email=registration.contact.email,
        contact_phone=registration.contact.phone,
        status=SignatoryStatus.PENDING,
    )
    session.add(signatory)
    await session.flush()
    _set_areas(session, signatory.id, registration.areas)
    await audit.created(session, None, "signatory.register", signatory, scope=audit.Scope(signatory_id=signatory.id))
    new_key = await keys.issue(session, None, keys.KeyOwner.of_signatory(signatory.id), name="First key")
    return signatory, new_key


def _plain(value: Any) -> Any:
    # URLs arrive as pydantic Url objects and are stored as text.
    return str(value) if value is not None and not isinstance(value, str | int) else value


async def update_profile(
    session: AsyncSession, principal: Principal, signatory_id: str, precondition: Precondition, changes: SignatoryUpdate
) -> Signatory:
    require_own_signatory(principal, signatory_id)
    signatory = await session.get(Signatory, signatory_id)
    if signatory is None:
        raise NotFound(f"No signatory {signatory_id}.")
    check_version(signatory, precondition)
    given = changes.model_fields_set
    await _refuse_duplicate_numbers(
        session,
        changes.companies_house_number if "companies_house_number" in given else None,
        changes.charity_number if "charity_number" in given else None,
        except_id=signatory.id,
    )
    async with audit.changing(
        session,
        principal,
        "signatory.update",
        signatory,
        scope=audit.Scope(signatory_id=signatory.id),
        # Its name and sector appear in every public document of its commitments.
        public=projection.for_signatory(signatory.id),
    ):
        for field in PROFILE_FIELDS:
            if field in given:
                setattr(signatory, field, _plain(getattr(changes, field)))
        if changes.contact is not None:
            signatory.contact_name = changes.contact.name
            signatory.contact_email = changes.contact.email
            signatory.contact_phone = changes.contact.phone
        if changes.areas is not None:
            await session.execute(delete(SignatoryArea).where(col(SignatoryArea.signatory_id) == signatory.id))
            _set_areas(session, signatory.id, changes.areas)
        signatory.updated_at = utcnow()
    return signatory


async def decide(session: AsyncSession, principal: Principal, signatory_id: str, action: str, note: str) -> Signatory:
    """An officer verifies, suspends or reinstates an organisation that pledged to one of their covenants."""
    signatory = await session.get(Signatory, signatory_id)
    reachable = principal.is_operator or (
        signatory is not None and await officer_reaches_signatory(session, principal, signatory_id)
    )
    if signatory is None or not reachable:
        raise NotFound(f"No signatory {signatory_id}.")
    async with audit.changing(
        session,
        principal,
        f"signatory.{action}",
        signatory,
        scope=audit.Scope(authority_id=principal.authority_id, signatory_id=signatory.id),
        note=note,
        # Suspension hides every offer of the organisation; reinstatement shows them again.
        public=projection.for_signatory(signatory.id),
    ):
        signatory.status = next_signatory_status(signatory.status, action)
        if action == "verify":
            signatory.verified_at = utcnow()
        signatory.updated_at = utcnow()
    return signatory
