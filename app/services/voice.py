"""You said, we did. What young people raised with a covenant's council, recorded by its officers or sent through
the public form, and what the council or a partner did about it.

Nothing of a "you said" is public until an officer approves a public wording: the words as said stay with the
officers, and the public reads only `public_words` with its responses. The public form asks for no personal data,
is rate-limited per address, and drops what automated senders send (they fill in a field people never see);
officers dismiss what is left of a flood in one action."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlmodel import col

from app.enums import (
    CovenantStatus,
    ProblemReason,
    ProblemStatus,
    VoiceEntryStatus,
    VoiceResponseStatus,
    VoiceSource,
)
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.ids import is_id, new_id, utcnow
from app.models import (
    Commitment,
    Covenant,
    Measure,
    Priority,
    ProblemReport,
    PublicCommitment,
    StrategyAction,
    VoiceEntry,
    VoiceResponse,
    table_of,
)
from app.schemas.voice import VoiceDismissal, VoiceEntryCreate, VoiceIntake, VoiceResponseCreate, YouSaidFromProblem
from app.services import audit, public_read, rate_limits
from app.services.access import Principal, require_officer_of
from app.services.lookup import covenant_by_reference, officers_covenant
from app.services.problem_reports import REASON_WORDS

INTAKE_WINDOW = timedelta(hours=1)
entry_table, response_table = table_of(VoiceEntry), table_of(VoiceResponse)
priority_table, commitment_table = table_of(Priority), table_of(Commitment)
action_table, measure_table = table_of(StrategyAction), table_of(Measure)
public_offer_table = table_of(PublicCommitment)


def _scope(covenant: Any) -> audit.Scope:
    return audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id)


async def _priority_id(session: AsyncSession, covenant_id: str, reference: str | None) -> str | None:
    if reference is None:
        return None
    column = col(Priority.id) if is_id("priority", reference) else col(Priority.code)
    found = (
        await session.execute(
            select(col(Priority.id)).where(col(Priority.covenant_id) == covenant_id, column == reference)
        )
    ).scalar()
    if found is None:
        raise ValidationFailed(f"The covenant has no priority {reference}.", pointer="/priority")
    return str(found)


async def _offer_id(session: AsyncSession, covenant_id: str, offer: str | None, pointer: str = "/offer") -> str | None:
    if offer is None:
        return None
    found = await session.get(Commitment, offer)
    if found is None or found.covenant_id != covenant_id:
        raise ValidationFailed(f"The covenant has no offer {offer}.", pointer=pointer)
    return found.id


def _approval(public_words: str | None) -> dict[str, Any]:
    """A new entry given a public wording is approved at once; without one it waits for an officer."""
    if public_words is None:
        return {"status": VoiceEntryStatus.SUBMITTED, "approved_at": None}
    return {"status": VoiceEntryStatus.APPROVED, "approved_at": utcnow()}


async def record(session: AsyncSession, principal: Principal, reference: str, body: VoiceEntryCreate) -> VoiceEntry:
    """An officer records what young people said; with a public wording it is approved at once."""
    covenant = await officers_covenant(session, principal, reference)
    if body.raised_on > utcnow().date():
        raise ValidationFailed("raised_on is in the future.", pointer="/raised_on")
    entry = VoiceEntry(
        id=new_id("voice_entry"),
        covenant_id=covenant.id,
        priority_id=await _priority_id(session, covenant.id, body.priority),
        commitment_id=await _offer_id(session, covenant.id, body.offer),
        source=body.source,
        raised_on=body.raised_on,
        words=body.words,
        public_words=body.public_words,
        **_approval(body.public_words),
    )
    session.add(entry)
    await audit.created(session, principal, "voice_entry.create", entry, scope=_scope(covenant))
    return entry


async def count_intake(engine: AsyncEngine, address: str, limit: int) -> rate_limits.Allowance:
    """The public form needs no key, so it is limited per address: `limit` an hour (429 past it)."""
    async with engine.connect() as conn:
        return await rate_limits.hit(conn, f"voice:{address}", limit=limit, window=INTAKE_WINDOW, what="messages")


async def intake(session: AsyncSession, reference: str, body: VoiceIntake) -> VoiceEntry | None:
    """Something sent through the public form, waiting for an officer; None (and nothing kept) when the field
    people never see was filled in, as automated senders do."""
    covenant = await covenant_by_reference(session, reference)
    if covenant is None or covenant.status != CovenantStatus.OPEN:
        raise NotFound(f"No open covenant {reference}.")
    if body.website:
        return None
    entry = VoiceEntry(
        id=new_id("voice_entry"),
        covenant_id=covenant.id,
        priority_id=await _priority_id(session, covenant.id, body.priority),
        commitment_id=await _offer_id(session, covenant.id, body.offer),
        source=body.source,
        raised_on=utcnow().date(),
        words=body.words,
        through_intake=True,
    )
    session.add(entry)
    await audit.created(session, None, "voice_entry.intake", entry, scope=_scope(covenant))
    return entry


async def _officers_entry(session: AsyncSession, principal: Principal, entry_id: str) -> tuple[VoiceEntry, Any]:
    entry = await session.get(VoiceEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFound(f"No entry {entry_id}.")
    try:
        covenant = await officers_covenant(session, principal, entry.covenant_id)
    except NotFound:
        raise NotFound(f"No entry {entry_id}.") from None
    return entry, covenant


async def approve(session: AsyncSession, principal: Principal, entry_id: str, public_words: str) -> VoiceEntry:
    entry, covenant = await _officers_entry(session, principal, entry_id)
    async with audit.changing(session, principal, "voice_entry.approve", entry, scope=_scope(covenant)):
        entry.public_words, entry.status, entry.approved_at = public_words, VoiceEntryStatus.APPROVED, utcnow()
        entry.updated_at = utcnow()
    return entry


async def dismiss(session: AsyncSession, principal: Principal, entry_id: str) -> VoiceEntry:
    entry, covenant = await _officers_entry(session, principal, entry_id)
    async with audit.changing(session, principal, "voice_entry.dismiss", entry, scope=_scope(covenant)):
        entry.public_words, entry.status, entry.approved_at = None, VoiceEntryStatus.DISMISSED, None
        entry.updated_at = utcnow()
    return entry


async def dismiss_many(session: AsyncSession, principal: Principal, reference: str, body: VoiceDismissal) -> int:
    """Every waiting submission from the public form in a time range dismissed at once: what a flood leaves."""
    covenant = await officers_covenant(session, principal, reference)
    conditions = [
        entry_table.c.covenant_id == covenant.id,
        entry_table.c.status == VoiceEntryStatus.SUBMITTED,
        entry_table.c.through_intake.is_(True),
    ]
    if body.received_from is not None:
        conditions.append(entry_table.c.created_at >= body.received_from)
    if body.received_until is not None:
        conditions.append(entry_table.c.created_at <= body.received_until)
    result = await session.execute(
        update(entry_table).where(*conditions).values(status=VoiceEntryStatus.DISMISSED, updated_at=utcnow())
    )
    dismissed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    audit.record(
        session, principal, "voice_entry.dismiss_many", covenant, before=None, scope=_scope(covenant)
    ).after = {
        "dismissed": dismissed,
        "received_from": body.received_from.isoformat() if body.received_from else None,
        "received_until": body.received_until.isoformat() if body.received_until else None,
    }
    return dismissed


async def respond(session: AsyncSession, principal: Principal, entry_id: str, body: VoiceResponseCreate) -> VoiceEntry:
    """What the council or a partner did about it, linked to the strategy's action or measure or an offer."""
    entry, covenant = await _officers_entry(session, principal, entry_id)
    if body.status == VoiceResponseStatus.NOT_POSSIBLE and not body.reason:
        raise ValidationFailed("Say why it was not possible.", pointer="/reason")
    if body.done_on is not None and body.done_on > utcnow().date():
        raise ValidationFailed("done_on is in the future.", pointer="/done_on")
    action_id = await _strategy_record(session, StrategyAction, covenant.id, body.action, "/action")
    measure_id = await _strategy_record(session, Measure, covenant.id, body.measure, "/measure")
    response = VoiceResponse(
        id=new_id("voice_response"),
        entry_id=entry.id,
        what_was_done=body.did,
        status=body.status,
        reason=body.reason,
        done_on=body.done_on,
        action_id=action_id,
        commitment_id=await _offer_id(session, covenant.id, body.offer),
        measure_id=measure_id,
    )
    session.add(response)
    await audit.created(session, principal, "voice_response.create", response, scope=_scope(covenant))
    entry.updated_at = utcnow()
    return entry


# What an answered problem says was done: the organisation put it right, or the report was not upheld.
ANSWERED = {
    ProblemStatus.RESOLVED: VoiceResponseStatus.DONE,
    ProblemStatus.NOT_UPHELD: VoiceResponseStatus.NOT_POSSIBLE,
}


async def _officers_problem(session: AsyncSession, principal: Principal, problem_id: str) -> tuple[ProblemReport, Any]:
    # A report is private to its covenant's officers and organisation: to anyone else it does not exist (404).
    problem = await session.get(ProblemReport, problem_id, with_for_update=True)
    covenant = await session.get(Covenant, problem.covenant_id) if problem is not None else None
    if problem is None or covenant is None:
        raise NotFound(f"No problem report {problem_id}.")
    try:
        require_officer_of(principal, covenant.authority_id)
    except Forbidden:
        raise NotFound(f"No problem report {problem_id}.") from None
    return problem, covenant


async def from_problem(
    session: AsyncSession, principal: Principal, problem_id: str, body: YouSaidFromProblem
) -> VoiceEntry:
    """Officers make an answered problem with an offer a "you said" (the report's words, private; the offer
    linked) with its "we did": `done` if it was resolved, `not_possible` with the reason if it was not upheld.
    At most one entry per report; an open or dismissed report has nothing to say yet."""
    problem, covenant = await _officers_problem(session, principal, problem_id)
    if problem.status not in ANSWERED:
        raise Conflict(f"The report {problem_id} is {problem.status}: only an answered report can be made a you said.")
    made = (
        await session.execute(select(entry_table.c.id).where(entry_table.c.problem_report_id == problem.id))
    ).scalar()
    if made is not None:
        raise Conflict(f"The report {problem_id} is already the you said {made}.")
    status = ANSWERED[ProblemStatus(problem.status)]
    if status == VoiceResponseStatus.NOT_POSSIBLE and not body.reason:
        raise ValidationFailed("The report was not upheld: say why nothing could be done.", pointer="/reason")
    entry = VoiceEntry(
        id=new_id("voice_entry"),
        covenant_id=covenant.id,
        priority_id=await _priority_id(session, covenant.id, body.priority),
        commitment_id=problem.commitment_id,
        source=VoiceSource.INDIVIDUAL,  # one young person, or someone for them, reporting an offer
        raised_on=problem.received_at.date(),
        words=problem.details or REASON_WORDS[ProblemReason(problem.reason)],
        public_words=body.public_words,
        **_approval(body.public_words),
        problem_report_id=problem.id,
    )
    session.add(entry)
    await audit.created(session, principal, "voice_entry.create", entry, scope=_scope(covenant))
    response = VoiceResponse(
        id=new_id("voice_response"),
        entry_id=entry.id,
        what_was_done=body.did,
        status=status,
        reason=body.reason if status == VoiceResponseStatus.NOT_POSSIBLE else None,
        done_on=problem.closed_at.date() if problem.closed_at else None,
        commitment_id=problem.commitment_id,
    )
    session.add(response)
    await audit.created(session, principal, "voice_response.create", response, scope=_scope(covenant))
    return entry


async def _strategy_record(
    session: AsyncSession,
    model: type[StrategyAction] | type[Measure],
    covenant_id: str,
    record_id: str | None,
    pointer: str,
) -> str | None:
    if record_id is None:
        return None
    found: StrategyAction | Measure | None = await session.get(model, record_id)
    if found is None or found.covenant_id != covenant_id:
        raise ValidationFailed(f"The covenant's strategy has no {pointer.strip('/')} {record_id}.", pointer=pointer)
    return found.id


# ---------------------------------------------------------------- reads


async def _responses(executor: Any, entry_ids: list[str], *, private: bool) -> dict[str, list[dict[str, Any]]]:
    if not entry_ids:
        return {}
    statement = (
        select(
            response_table,
            action_table.c.reference.label("action_reference"),
            commitment_table.c.title.label("offer_title"),
            public_offer_table.c.commitment_id.label("offer_in_public"),
            measure_table.c.name.label("measure_name"),
        )
        .select_from(
            response_table.outerjoin(action_table, action_table.c.id == response_table.c.action_id)
            .outerjoin(commitment_table, commitment_table.c.id == response_table.c.commitment_id)
            .outerjoin(public_offer_table, public_offer_table.c.commitment_id == response_table.c.commitment_id)
            .outerjoin(measure_table, measure_table.c.id == response_table.c.measure_id)
        )
        .where(response_table.c.entry_id.in_(entry_ids))
        .order_by(response_table.c.created_at.desc(), response_table.c.id.desc())
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for row in (await executor.execute(statement)).all():
        found.setdefault(row.entry_id, []).append(
            {
                "id": row.id,
                "did": row.what_was_done,
                "status": row.status,
                "reason": row.reason,
                "done_on": row.done_on,
                "action": _linked(row.action_id, row.action_reference),
                "offer": _linked(row.commitment_id, row.offer_title) if private or row.offer_in_public else None,
                "measure": _linked(row.measure_id, row.measure_name),
                "created_at": row.created_at,
            }
        )
    return found


def _linked(record_id: str | None, title: str | None) -> dict[str, str] | None:
    return {"id": record_id, "title": title or ""} if record_id else None


def _entries_statement(covenant_id: str) -> Any:
    return (
        select(
            entry_table,
            priority_table.c.code.label("priority_code"),
            priority_table.c.title.label("priority_title"),
            commitment_table.c.title.label("offer_title"),
            public_offer_table.c.commitment_id.label("offer_in_public"),
        )
        .select_from(
            entry_table.outerjoin(priority_table, priority_table.c.id == entry_table.c.priority_id)
            .outerjoin(commitment_table, commitment_table.c.id == entry_table.c.commitment_id)
            .outerjoin(public_offer_table, public_offer_table.c.commitment_id == entry_table.c.commitment_id)
        )
        .where(entry_table.c.covenant_id == covenant_id)
        .order_by(entry_table.c.raised_on.desc(), entry_table.c.created_at.desc(), entry_table.c.id.desc())
    )


def _document(row: Any, responses: list[dict[str, Any]], *, private: bool) -> dict[str, Any]:
    priority = (
        {"id": row.priority_id, "code": row.priority_code, "title": row.priority_title} if row.priority_id else None
    )
    # An offer the public cannot see (ended, or of a pledge not published) is not named to them: the read model
    # holds exactly the public offers.
    offer = _linked(row.commitment_id, row.offer_title) if (private or row.offer_in_public) else None
    document = {
        "id": row.id,
        "source": row.source,
        "raised_on": row.raised_on,
        "said": row.public_words,
        "priority": priority,
        "offer": offer,
        "status": responses[0]["status"] if responses else VoiceResponseStatus.HEARD,
        "responses": responses,
    }
    if private:
        document |= {
            "words": row.words,
            "entry_status": row.status,
            "through_intake": row.through_intake,
            "problem_report": row.problem_report_id,
            "approved_at": row.approved_at,
            "created_at": row.created_at,
        }
    return document


async def officers_list(
    session: AsyncSession, principal: Principal, reference: str, status: str | None, limit: int
) -> dict[str, Any]:
    covenant = await officers_covenant(session, principal, reference)
    statement = _entries_statement(covenant.id)
    if status is not None:
        statement = statement.where(entry_table.c.status == status)
    rows = (await session.execute(statement.limit(limit))).all()
    responses = await _responses(session, [row.id for row in rows], private=True)
    return {"items": [_document(row, responses.get(row.id, []), private=True) for row in rows], "next_cursor": None}


async def entry_view_of(session: AsyncSession, entry_id: str) -> dict[str, Any]:
    """An entry as officers see it, after a change to it."""
    entry = await session.get(VoiceEntry, entry_id)
    assert entry is not None  # the change just made it or read it
    row = (await session.execute(_entries_statement(entry.covenant_id).where(entry_table.c.id == entry.id))).one()
    return _document(row, (await _responses(session, [entry.id], private=True)).get(entry.id, []), private=True)


async def approved(
    conn: AsyncConnection, covenant_id: str, *, since: date | None = None, until: date | None = None
) -> list[dict[str, Any]]:
    """The approved entries with their responses, newest first (raised within the dates, if given)."""
    statement = _entries_statement(covenant_id).where(entry_table.c.status == VoiceEntryStatus.APPROVED)
    if since is not None:
        statement = statement.where(entry_table.c.raised_on >= since)
    if until is not None:
        statement = statement.where(entry_table.c.raised_on <= until)
    rows = (await conn.execute(statement)).all()
    responses = await _responses(conn, [row.id for row in rows], private=False)
    return [_document(row, responses.get(row.id, []), private=False) for row in rows]


async def public_list(conn: AsyncConnection, reference: str) -> dict[str, Any]:
    row = await public_read.public_covenant_row(conn, reference)
    return {
        "covenant": {"id": row.id, "slug": row.slug, "title": row.title},
        "items": await approved(conn, row.id),
    }


def received_message() -> dict[str, str]:
    return {
        "status": "received",
        "message": "Thank you. The council's team will read this. Nothing you sent is shown publicly unless they "
        "agree a wording that keeps you private.",
    }
