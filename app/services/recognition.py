"""Recognition earned by delivery: what an organisation's own record shows, never what it says of itself.

The rule (`earned`, a pure function of the organisation's delivery returns and `today`):

- `signed`: it has a published pledge;
- `delivering`: signed, and a delivery return with at least one start whose period ended within the last 12
  months (on or after the same day a year before `today`);
- `sustaining`: delivering, and returns with young people still in place after six months (`sustained` > 0) in
  each of two consecutive financial years (April to March, a return counting in the year its period ends),
  the later of them the current financial year or the one before;
- `none`: no published pledge yet.

An officer of a covenant the organisation pledged to may withhold its level, with a reason the officers see and
the public does not: the public sees `withheld`. `years` says which financial years earned the level.

Lists filter by level in SQL (`at_least`), with the dates `Window` works out once for both, so a page is one
statement and the levels it shows are one grouped query (`recognitions`) for any number of organisations.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.enums import PledgeStatus, RecognitionLevel, SignatoryStatus
from app.errors import Conflict, NotFound
from app.models import (
    Commitment,
    Pledge,
    ProgressReport,
    RecognitionWithholding,
    Signatory,
    table_of,
)
from app.services import audit, compiled_reads
from app.services.access import Principal, can_see_signatory_privately, require_officer_of
from app.services.dates import add_months

Executor = AsyncConnection | AsyncSession

report = table_of(ProgressReport)
commitment = table_of(Commitment)
pledge = table_of(Pledge)
signatory = table_of(Signatory)
withholding = table_of(RecognitionWithholding)

LADDER = (
    RecognitionLevel.NONE,
    RecognitionLevel.SIGNED,
    RecognitionLevel.DELIVERING,
    RecognitionLevel.SUSTAINING,
)
EARNED_LEVELS = LADDER[1:]


# ---------------------------------------------------------------- the rule


@dataclass(frozen=True)
class Return:
    """What the rule reads of one delivery return."""

    period_end: date
    starts: int
    sustained: int


@dataclass(frozen=True)
class Earned:
    level: RecognitionLevel
    years: tuple[str, ...] = ()


def financial_year_of(day: date) -> int:
    """The financial year a day falls in, by its starting year (2025 for 1 April 2025 to 31 March 2026)."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(start_year: int) -> str:
    """As the statistics name years ("2025/26"); written here too because the statistics read the public lists,
    which read recognition."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


@dataclass(frozen=True)
class Window:
    """The dates the rule compares with, for one `today`."""

    today: date

    @property
    def delivering_since(self) -> date:
        return add_months(self.today, -12)

    @property
    def current_year(self) -> int:
        return financial_year_of(self.today)

    @property
    def oldest_year(self) -> int:
        """The earliest financial year that can count: the one before the previous one."""
        return self.current_year - 2

    @property
    def earliest_relevant(self) -> date:
        """No return that ended before this counts for anything."""
        return min(self.delivering_since, year_bounds(self.oldest_year)[0])


def earned(signed: bool, returns: Iterable[Return], today: date) -> Earned:
    """The level an organisation's record earns on `today` (see the module's description)."""
    if not signed:
        return Earned(RecognitionLevel.NONE)
    window = Window(today)
    recent = sorted(
        {financial_year_of(r.period_end) for r in returns if r.starts > 0 and r.period_end >= window.delivering_since}
    )
    if not recent:
        return Earned(RecognitionLevel.SIGNED)
    sustained = {financial_year_of(r.period_end) for r in returns if r.sustained > 0}
    for later in (window.current_year, window.current_year - 1):
        if later in sustained and later - 1 in sustained:
            return Earned(RecognitionLevel.SUSTAINING, (year_label(later - 1), year_label(later)))
    return Earned(RecognitionLevel.DELIVERING, tuple(year_label(year) for year in recent))


def at_least(level: RecognitionLevel, wanted: RecognitionLevel) -> bool:
    return level in LADDER and LADDER.index(level) >= LADDER.index(wanted)


# ---------------------------------------------------------------- the same rule as a filter of a list


def _returns_of(signatory_id: Any, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        commitment.c.signatory_id == signatory_id, report.c.commitment_id == commitment.c.id, *conditions
    )


def _sustained_in(signatory_id: Any, year: str) -> ColumnElement[bool]:
    return _returns_of(
        signatory_id,
        report.c.sustained > 0,
        report.c.period_end >= bindparam(f"recognition_{year}_from"),
        report.c.period_end <= bindparam(f"recognition_{year}_to"),
    )


def level_condition(signatory_id: Any, wanted: RecognitionLevel) -> ColumnElement[bool]:
    """SQL true for an organisation at `wanted` or above and not withheld; its dates are bound by
    `condition_values`. Written from `earned` clause by clause, and tested against it."""
    signed = exists().where(pledge.c.signatory_id == signatory_id, pledge.c.status == PledgeStatus.PUBLISHED)
    clauses = [signed, ~exists().where(withholding.c.signatory_id == signatory_id)]
    if at_least(wanted, RecognitionLevel.DELIVERING):
        clauses.append(
            _returns_of(
                signatory_id, report.c.starts > 0, report.c.period_end >= bindparam("recognition_delivering_since")
            )
        )
    if wanted == RecognitionLevel.SUSTAINING:
        clauses.append(
            and_(
                _sustained_in(signatory_id, "previous"),
                or_(_sustained_in(signatory_id, "current"), _sustained_in(signatory_id, "oldest")),
            )
        )
    return and_(*clauses)


def condition_values(wanted: RecognitionLevel, today: date) -> dict[str, Any]:
    window = Window(today)
    values: dict[str, Any] = {}
    if at_least(wanted, RecognitionLevel.DELIVERING):
        values["recognition_delivering_since"] = window.delivering_since
    if wanted == RecognitionLevel.SUSTAINING:
        for name, year in (
            ("current", window.current_year),
            ("previous", window.current_year - 1),
            ("oldest", window.oldest_year),
        ):
            values[f"recognition_{name}_from"], values[f"recognition_{name}_to"] = year_bounds(year)
    return values


# ---------------------------------------------------------------- levels of many organisations at once


@dataclass(frozen=True)
class Recognition:
    """An organisation's level as shown: what it earned, unless withheld."""

    earned: Earned
    withheld_reason: str | None = None
    withheld_at: Any = None
    withheld_by: str | None = None

    @property
    def shown(self) -> RecognitionLevel:
        return RecognitionLevel.WITHHELD if self.withheld_reason is not None else self.earned.level

    def public_document(self) -> dict[str, Any]:
        if self.withheld_reason is not None:
            return {"level": RecognitionLevel.WITHHELD, "years": []}
        return {"level": self.earned.level, "years": list(self.earned.years)}

    def private_document(self) -> dict[str, Any]:
        withheld = (
            None
            if self.withheld_reason is None
            else {"reason": self.withheld_reason, "withheld_at": self.withheld_at, "authority_id": self.withheld_by}
        )
        return {**self.public_document(), "earned_level": self.earned.level, "withheld": withheld}


def _facts_statement(*, by_covenant: bool) -> Any:
    """Per organisation: whether it is signed, whether and by whom it is withheld, and its returns with a start
    that can still count, summed by period end; one row per (organisation, period end)."""
    joined = commitment.join(report, report.c.commitment_id == commitment.c.id)
    relevant = [report.c.starts > 0, report.c.period_end >= bindparam("earliest")]
    # The page's organisations (or the covenant's offers) inside the grouping too, so it sums only their returns.
    if by_covenant:
        relevant.append(commitment.c.covenant_id == bindparam("covenant"))
    else:
        relevant.append(commitment.c.signatory_id.in_(bindparam("signatories", expanding=True)))
    facts = (
        select(
            commitment.c.signatory_id,
            report.c.period_end,
            func.sum(report.c.starts).label("starts"),
            func.sum(report.c.sustained).label("sustained"),
        )
        .select_from(joined)
        .where(*relevant)
        .group_by(commitment.c.signatory_id, report.c.period_end)
        .subquery()
    )
    signed_where = [pledge.c.signatory_id == signatory.c.id, pledge.c.status == PledgeStatus.PUBLISHED]
    if by_covenant:
        signed_where.append(pledge.c.covenant_id == bindparam("covenant"))
    statement = (
        select(
            signatory.c.id,
            signatory.c.name,
            exists().where(*signed_where).label("signed"),
            withholding.c.reason,
            withholding.c.withheld_at,
            withholding.c.authority_id,
            facts.c.period_end,
            facts.c.starts,
            facts.c.sustained,
        )
        .select_from(
            signatory.outerjoin(withholding, withholding.c.signatory_id == signatory.c.id).outerjoin(
                facts, facts.c.signatory_id == signatory.c.id
            )
        )
        .order_by(signatory.c.name, signatory.c.id, facts.c.period_end)
    )
    if by_covenant:
        return statement.where(exists().where(*signed_where), signatory.c.status == SignatoryStatus.VERIFIED)
    return statement.where(signatory.c.id.in_(bindparam("signatories", expanding=True)))


OF_SIGNATORIES = _facts_statement(by_covenant=False)
IN_COVENANT = _facts_statement(by_covenant=True)


def _gathered(rows: Sequence[Any], today: date) -> dict[str, tuple[str, Recognition]]:
    returns: defaultdict[str, list[Return]] = defaultdict(list)
    first: dict[str, Any] = {}
    for row in rows:
        first.setdefault(row.id, row)
        if row.period_end is not None:
            returns[row.id].append(Return(row.period_end, int(row.starts), int(row.sustained)))
    gathered = {}
    for signatory_id, row in first.items():
        level = earned(bool(row.signed), returns[signatory_id], today)
        gathered[signatory_id] = (row.name, Recognition(level, row.reason, row.withheld_at, row.authority_id))
    return gathered


async def recognitions(executor: Executor, signatory_ids: Sequence[str], today: date) -> dict[str, Recognition]:
    """The recognition of each organisation named, in one grouped query for any number of them."""
    if not signatory_ids:
        return {}
    values = {"signatories": list(signatory_ids), "earliest": Window(today).earliest_relevant}
    rows = await compiled_reads.rows(executor, OF_SIGNATORIES, values)
    return {signatory_id: found for signatory_id, (_, found) in _gathered(rows, today).items()}


async def celebrated(conn: Executor, covenant_id: str, today: date) -> list[dict[str, Any]]:
    """The verified organisations of a covenant whose delivery in it earns `delivering` or above (and is not
    withheld), in name order: the annual report's celebration. Only levels and years, never counts."""
    values = {"covenant": covenant_id, "earliest": Window(today).earliest_relevant}
    rows = (await conn.execute(IN_COVENANT, values)).all()
    return [
        {
            "signatory": {"id": signatory_id, "name": name},
            "level": found.earned.level,
            "years": list(found.earned.years),
        }
        for signatory_id, (name, found) in _gathered(rows, today).items()
        if found.withheld_reason is None and at_least(found.earned.level, RecognitionLevel.DELIVERING)
    ]


# ---------------------------------------------------------------- officers withhold and reinstate


async def _officers_signatory(session: AsyncSession, principal: Principal, signatory_id: str) -> Signatory:
    """An organisation that pledged to one of the officer's covenants (the operator: any). The organisation
    itself may see it but not decide: 403; anyone else: 404."""
    found = await session.get(Signatory, signatory_id)
    if found is None or not await can_see_signatory_privately(session, principal, signatory_id):
        raise NotFound(f"No signatory {signatory_id}.")
    require_officer_of(principal, principal.authority_id)
    return found


async def withhold(session: AsyncSession, principal: Principal, signatory_id: str, reason: str) -> Signatory:
    """Show `withheld` instead of the earned level; the reason stays with the officers (and the audit trail)."""
    found = await _officers_signatory(session, principal, signatory_id)
    if await session.get(RecognitionWithholding, signatory_id) is not None:
        raise Conflict(f"The recognition of {signatory_id} is already withheld; reinstate it first.")
    scope = audit.Scope(authority_id=principal.authority_id, signatory_id=signatory_id)
    # The organisation's record is what the decision is about, so its trail is where officers look for it.
    async with audit.changing(session, principal, "recognition.withhold", found, scope=scope, note=reason):
        session.add(
            RecognitionWithholding(signatory_id=signatory_id, authority_id=principal.authority_id, reason=reason)
        )
    return found


async def reinstate(session: AsyncSession, principal: Principal, signatory_id: str, note: str) -> Signatory:
    """Show the earned level again. Only the officers of the authority that withheld it (or the operator)."""
    found = await _officers_signatory(session, principal, signatory_id)
    row = await session.get(RecognitionWithholding, signatory_id)
    if row is None:
        raise Conflict(f"The recognition of {signatory_id} is not withheld.")
    require_officer_of(principal, row.authority_id)
    scope = audit.Scope(authority_id=row.authority_id, signatory_id=signatory_id)
    async with audit.changing(
        session, principal, "recognition.reinstate", found, scope=scope, note=note or f"was withheld: {row.reason}"
    ):
        await session.delete(row)
    return found
