"""A council's corporate parenting strategy for a covenant: the period it covers and who approved it, a lead for
each priority, the action plan and the measures.

Officers of the covenant's authority (and the operator) write and read everything; another authority's officers
get what `lookup.officers_covenant` gives them (403, or 404 for a draft covenant). The public reads the current
strategy only where the covenant publishes it (`publish_strategy`), without officers' notes: no progress update
texts, no reasons, and counts of young people from delivery returns suppressed as the statistics suppress them.

Rules that need another record live here: an action's or measure's priority is of the strategy's covenant, an
action is due within the strategy's period, a value's period overlaps it. RAG is `rag.derived_rag` unless an
officer set one with a reason. A measure that follows the registry's own evidence is computed for each
financial year of the strategy from the registry's records (`registry_evidence`), never entered.
"""

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from app.enums import ActionStatus, MeasureSource, MeasureUnit, RegistryEvidence
from app.errors import Conflict, NotFound, ValidationFailed
from app.ids import is_id, new_id, utcnow
from app.models import (
    ActionUpdate,
    Commitment,
    Covenant,
    Measure,
    MeasureValue,
    Pledge,
    Priority,
    ProgressReport,
    Strategy,
    StrategyAction,
    table_of,
)
from app.schemas.strategies import (
    ActionChange,
    ActionCreate,
    MeasureChange,
    MeasureCreate,
    MeasureValueInput,
    ProgressNote,
    StrategyCreate,
    StrategyUpdate,
)
from app.services import audit, public_read
from app.services.access import Principal
from app.services.concurrency import Precondition, check_version
from app.services.lookup import officers_covenant, visible_covenant
from app.services.open_data import safe_cell
from app.services.rag import Period, derived_rag, financial_years, on_track, parse_period
from app.services.statistics import financial_year, suppress_parts

Executor = AsyncConnection | AsyncSession

strategy_table = table_of(Strategy)
action_table = table_of(StrategyAction)
update_table = table_of(ActionUpdate)
measure_table = table_of(Measure)
value_table = table_of(MeasureValue)
priority_table = table_of(Priority)
commitment_table = table_of(Commitment)
pledge_table = table_of(Pledge)
report_table = table_of(ProgressReport)

# Counts of young people: suppressed in public as the covenant's statistics suppress them.
YOUNG_PEOPLE = frozenset({RegistryEvidence.STARTS, RegistryEvidence.SUSTAINED})
NOT_NEGATIVE = frozenset({MeasureUnit.COUNT, MeasureUnit.DAYS, MeasureUnit.WEEKS, MeasureUnit.POUNDS})


def _scope(covenant: Covenant) -> audit.Scope:
    return audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id)


# ---------------------------------------------------------------- finding records, access checked


async def officers_strategy(session: AsyncSession, principal: Principal, strategy_id: str) -> tuple[Strategy, Covenant]:
    """A strategy of one of the officer's covenants. Another authority's is 403, or 404 if its covenant is a
    draft (as for the covenant itself)."""
    strategy = await session.get(Strategy, strategy_id)
    if strategy is None:
        raise NotFound(f"No strategy {strategy_id}.")
    try:
        covenant = await officers_covenant(session, principal, strategy.covenant_id)
    except NotFound:
        raise NotFound(f"No strategy {strategy_id}.") from None
    return strategy, covenant


async def _officers_action(
    session: AsyncSession, principal: Principal, action_id: str
) -> tuple[StrategyAction, Strategy, Covenant]:
    action = await session.get(StrategyAction, action_id)
    if action is None:
        raise NotFound(f"No action {action_id}.")
    try:
        strategy, covenant = await officers_strategy(session, principal, action.strategy_id)
    except NotFound:
        raise NotFound(f"No action {action_id}.") from None
    return action, strategy, covenant


async def _officers_measure(
    session: AsyncSession, principal: Principal, measure_id: str
) -> tuple[Measure, Strategy, Covenant]:
    measure = await session.get(Measure, measure_id)
    if measure is None:
        raise NotFound(f"No measure {measure_id}.")
    try:
        strategy, covenant = await officers_strategy(session, principal, measure.strategy_id)
    except NotFound:
        raise NotFound(f"No measure {measure_id}.") from None
    return measure, strategy, covenant


async def _priority_of(session: AsyncSession, covenant: Covenant, reference: str) -> Priority:
    """A priority of the covenant by id or code; any other is a 422 pointing at `priority`."""
    column = col(Priority.id) if is_id("priority", reference) else col(Priority.code)
    found = (
        await session.execute(select(Priority).where(col(Priority.covenant_id) == covenant.id, column == reference))
    ).scalar()
    if found is None:
        raise ValidationFailed(f"The covenant {covenant.slug} has no priority {reference}.", pointer="/priority")
    return found


# ---------------------------------------------------------------- strategies


def _check_period(start: date, end: date) -> None:
    if end <= start:
        raise ValidationFailed("period_end must be after period_start.", pointer="/period_end")


async def create_strategy(
    session: AsyncSession, principal: Principal, reference: str, body: StrategyCreate
) -> Strategy:
    covenant = await officers_covenant(session, principal, reference)
    _check_period(body.period_start, body.period_end)
    strategy = Strategy(id=new_id("strategy"), covenant_id=covenant.id, **body.model_dump())
    session.add(strategy)
    await audit.created(session, principal, "strategy.create", strategy, scope=_scope(covenant))
    return strategy


async def update_strategy(
    session: AsyncSession, principal: Principal, strategy_id: str, precondition: Precondition, body: StrategyUpdate
) -> Strategy:
    strategy, covenant = await officers_strategy(session, principal, strategy_id)
    check_version(strategy, precondition)
    changes = {
        field: getattr(body, field)
        for field in body.model_fields_set
        if getattr(body, field) is not None or field == "approved_on"
    }
    start = changes.get("period_start", strategy.period_start)
    end = changes.get("period_end", strategy.period_end)
    _check_period(start, end)
    due = (
        await session.execute(
            select(func.min(col(StrategyAction.due_on)), func.max(col(StrategyAction.due_on))).where(
                col(StrategyAction.strategy_id) == strategy.id
            )
        )
    ).one()
    if due[0] is not None and (due[0] < start or due[1] > end):
        pointer = "/period_start" if due[0] < start else "/period_end"
        raise ValidationFailed(
            f"Actions of this strategy are due from {due[0]} to {due[1]}; the period must include those dates.",
            pointer=pointer,
        )
    async with audit.changing(session, principal, "strategy.update", strategy, scope=_scope(covenant)):
        for field, value in changes.items():
            setattr(strategy, field, value)
        strategy.updated_at = utcnow()
    return strategy


# ---------------------------------------------------------------- actions


def _settle_action(action: StrategyAction, strategy: Strategy, today: date) -> None:
    """The rules an action's fields keep together, checked on the state a create or change would leave."""
    if not strategy.period_start <= action.due_on <= strategy.period_end:
        raise ValidationFailed(
            f"due_on must lie within the strategy's period, {strategy.period_start} to {strategy.period_end}.",
            pointer="/due_on",
        )
    if action.status == ActionStatus.DROPPED and not action.dropped_reason:
        raise ValidationFailed("A dropped action needs a reason (dropped_reason).", pointer="/dropped_reason")
    if action.status != ActionStatus.DROPPED:
        action.dropped_reason = None
    if (action.rag_override is None) != (action.rag_reason is None):
        pointer = "/rag_reason" if action.rag_reason is None else "/rag_override"
        raise ValidationFailed("An officer's RAG needs both rag_override and rag_reason.", pointer=pointer)
    if action.status == ActionStatus.DROPPED and action.rag_override is not None:
        raise ValidationFailed("A dropped action has no RAG to set.", pointer="/rag_override")
    if action.status == ActionStatus.DONE:
        if action.completed_on is None:
            action.completed_on = today
        if action.completed_on > today:
            raise ValidationFailed("completed_on cannot be in the future.", pointer="/completed_on")
    elif action.completed_on is not None:
        raise ValidationFailed("completed_on is set only when the status is done.", pointer="/completed_on")


async def create_action(
    session: AsyncSession, principal: Principal, strategy_id: str, body: ActionCreate, today: date
) -> StrategyAction:
    strategy, covenant = await officers_strategy(session, principal, strategy_id)
    priority = await _priority_of(session, covenant, body.priority)
    action = StrategyAction(
        id=new_id("strategy_action"),
        strategy_id=strategy.id,
        covenant_id=covenant.id,
        priority_id=priority.id,
        **body.model_dump(exclude={"priority"}),
    )
    _settle_action(action, strategy, today)
    taken = select(col(StrategyAction.id)).where(
        col(StrategyAction.strategy_id) == strategy.id, col(StrategyAction.reference) == body.reference
    )
    if (await session.execute(taken)).first():
        raise Conflict(f"This strategy already has an action {body.reference}.")
    session.add(action)
    await audit.created(session, principal, "strategy_action.create", action, scope=_scope(covenant))
    return action


async def update_action(
    session: AsyncSession,
    principal: Principal,
    action_id: str,
    precondition: Precondition,
    body: ActionChange,
    today: date,
) -> StrategyAction:
    action, strategy, covenant = await _officers_action(session, principal, action_id)
    check_version(action, precondition)
    given = body.model_fields_set
    # Null clears the officer's RAG and its reason, and the completion date; other fields keep their value.
    clearable = {"rag_override", "rag_reason", "completed_on", "dropped_reason"}
    changes = {field: getattr(body, field) for field in given if getattr(body, field) is not None or field in clearable}
    async with audit.changing(session, principal, "strategy_action.update", action, scope=_scope(covenant)):
        for field, value in changes.items():
            setattr(action, field, value)
        if action.status != ActionStatus.DONE and "completed_on" not in given:
            action.completed_on = None
        if action.status == ActionStatus.DROPPED and "rag_override" not in given:
            # Dropping an action ends any RAG an officer had set on it.
            action.rag_override, action.rag_reason = None, None
        _settle_action(action, strategy, today)
        action.updated_at = utcnow()
    return action


async def add_progress_update(
    session: AsyncSession, principal: Principal, action_id: str, body: ProgressNote, today: date
) -> StrategyAction:
    action, _strategy, covenant = await _officers_action(session, principal, action_id)
    if body.noted_on > today:
        raise ValidationFailed("noted_on cannot be in the future.", pointer="/noted_on")
    note = ActionUpdate(id=new_id("action_update"), action_id=action.id, noted_on=body.noted_on, text=body.text)
    session.add(note)
    await audit.created(session, principal, "action_update.create", note, scope=_scope(covenant))
    return action


# ---------------------------------------------------------------- measures


async def create_measure(session: AsyncSession, principal: Principal, strategy_id: str, body: MeasureCreate) -> Measure:
    strategy, covenant = await officers_strategy(session, principal, strategy_id)
    priority = await _priority_of(session, covenant, body.priority)
    if body.source == MeasureSource.REGISTRY:
        if body.evidence is None:
            raise ValidationFailed("A measure from the registry says which evidence it follows.", pointer="/evidence")
        if body.unit != MeasureUnit.COUNT:
            raise ValidationFailed("The registry's evidence is a count: unit must be count.", pointer="/unit")
    elif body.evidence is not None:
        raise ValidationFailed("evidence is for measures with source registry.", pointer="/evidence")
    _check_baseline_period(body.baseline_period)
    measure = Measure(
        id=new_id("measure"),
        strategy_id=strategy.id,
        covenant_id=covenant.id,
        priority_id=priority.id,
        **body.model_dump(exclude={"priority"}),
    )
    session.add(measure)
    await audit.created(session, principal, "measure.create", measure, scope=_scope(covenant))
    return measure


def _check_baseline_period(label: str | None) -> None:
    if label is not None and parse_period(label) is None:
        raise ValidationFailed(f"{label} is not a financial year such as 2025/26.", pointer="/baseline_period")


async def update_measure(
    session: AsyncSession, principal: Principal, measure_id: str, precondition: Precondition, body: MeasureChange
) -> Measure:
    measure, _strategy, covenant = await _officers_measure(session, principal, measure_id)
    check_version(measure, precondition)
    changes = {field: getattr(body, field) for field in body.model_fields_set}
    if measure.source == MeasureSource.REGISTRY and changes.get("unit") not in (None, MeasureUnit.COUNT):
        raise ValidationFailed("The registry's evidence is a count: unit must be count.", pointer="/unit")
    _check_baseline_period(changes.get("baseline_period"))
    for required in ("name", "unit", "direction", "source_note"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(f"{required} cannot be null.", pointer=f"/{required}")
    async with audit.changing(session, principal, "measure.update", measure, scope=_scope(covenant)):
        for field, value in changes.items():
            setattr(measure, field, value)
        measure.updated_at = utcnow()
    return measure


async def record_value(
    session: AsyncSession, principal: Principal, measure_id: str, body: MeasureValueInput
) -> Measure:
    """Set one period's value of an entered measure, replacing any value it had."""
    measure, strategy, covenant = await _officers_measure(session, principal, measure_id)
    if measure.source == MeasureSource.REGISTRY:
        raise Conflict("This measure's values come from the registry's records; they are not entered.")
    period = parse_period(body.period)
    if period is None:
        raise ValidationFailed(f"{body.period} is not a financial year such as 2025/26.", pointer="/period")
    if not period.overlaps(strategy.period_start, strategy.period_end):
        raise ValidationFailed(
            f"{body.period} is outside the strategy's period, {strategy.period_start} to {strategy.period_end}.",
            pointer="/period",
        )
    if measure.unit == MeasureUnit.PERCENTAGE and not 0 <= body.value <= 100:
        raise ValidationFailed("A percentage lies from 0 to 100.", pointer="/value")
    if measure.unit in NOT_NEGATIVE and body.value < 0:
        raise ValidationFailed(f"A measure in {measure.unit} cannot be negative.", pointer="/value")
    note = f"{period.label}: {body.value}"
    async with audit.changing(session, principal, "measure.record_value", measure, scope=_scope(covenant), note=note):
        existing = await session.get(MeasureValue, (measure.id, period.label))
        if existing is None:
            session.add(MeasureValue(measure_id=measure.id, period=period.label, value=body.value, note=body.note))
        else:
            existing.value, existing.note, existing.updated_at = body.value, body.note, utcnow()
        # The values are part of the measure's document: its version (and ETag) moves with them.
        measure.updated_at = utcnow()
    return measure


# ---------------------------------------------------------------- the registry's own evidence


async def registry_evidence(
    executor: Executor, covenant_id: str, years: list[Period], today: date
) -> dict[tuple[str, int], dict[str, int]]:
    """The registry's figures per (priority, financial year) of a covenant: public offers on the register at some
    time in the year, and the sums of delivery returns whose period starts in it. Only years that have begun."""
    begun = [year for year in years if year.first_day <= today]
    figures: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(RegistryEvidence, 0))
    if not begun:
        return figures
    year_column = financial_year(report_table.c.period_start).label("year")
    delivery = (
        select(
            commitment_table.c.priority_id,
            year_column,
            func.sum(report_table.c.places_offered).label("places_offered"),
            func.sum(report_table.c.starts).label("starts"),
            func.sum(report_table.c.sustained).label("sustained"),
        )
        .select_from(report_table.join(commitment_table, commitment_table.c.id == report_table.c.commitment_id))
        .where(
            commitment_table.c.covenant_id == covenant_id,
            report_table.c.period_start >= begun[0].first_day,
            report_table.c.period_start <= begun[-1].last_day,
        )
        .group_by(commitment_table.c.priority_id, year_column)
    )
    for row in (await executor.execute(delivery)).all():
        cell = figures[(row.priority_id, int(row.year))]
        for evidence in (RegistryEvidence.PLACES_OFFERED, RegistryEvidence.STARTS, RegistryEvidence.SUSTAINED):
            cell[evidence] = int(getattr(row, evidence))
    for year in begun:
        starts = datetime.combine(year.first_day, time.min, UTC)
        ends = datetime.combine(year.last_day, time.max, UTC)
        offers = (
            select(commitment_table.c.priority_id, func.count().label("offers"))
            .select_from(commitment_table.join(pledge_table, pledge_table.c.id == commitment_table.c.pledge_id))
            .where(
                commitment_table.c.covenant_id == covenant_id,
                pledge_table.c.published_at <= ends,
                commitment_table.c.created_at <= ends,
                or_(pledge_table.c.withdrawn_at.is_(None), pledge_table.c.withdrawn_at >= starts),
                or_(commitment_table.c.withdrawn_at.is_(None), commitment_table.c.withdrawn_at >= starts),
            )
            .group_by(commitment_table.c.priority_id)
        )
        for row in (await executor.execute(offers)).all():
            figures[(row.priority_id, year.start_year)][RegistryEvidence.OFFERS] = int(row.offers)
    return figures


def _registry_values(
    measure: Any,
    years: list[Period],
    figures: dict[tuple[str, int], dict[str, int]],
    priority_ids: list[str],
    today: date,
    *,
    exact: bool,
) -> list[dict[str, Any]]:
    values = []
    for year in years:
        if year.first_day > today:
            continue
        cell: int | str = figures[(measure.priority_id, year.start_year)][measure.evidence]
        if not exact and measure.evidence in YOUNG_PEOPLE:
            # The same parts the covenant's statistics publish for the year, so both hide the same cells.
            parts = [figures[(priority_id, year.start_year)][measure.evidence] for priority_id in priority_ids]
            cell = suppress_parts(parts)[0][priority_ids.index(measure.priority_id)]
        values.append({"period": year.label, "value": cell, "note": ""})
    return values


# ---------------------------------------------------------------- documents


def _number(value: float | None) -> float | int | None:
    # Whole numbers read as whole numbers (12, not 12.0): most measures are counts.
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def _priority_ref(priority: Any) -> dict[str, Any]:
    return {"id": priority.id, "code": priority.code, "title": priority.title}


def _lead(priority: Any) -> dict[str, Any] | None:
    if not priority.lead_role:
        return None
    return {"role": priority.lead_role, "name": priority.lead_name}


def action_document(action: Any, priority: Any, updates: list[Any], today: date, *, private: bool) -> dict[str, Any]:
    derived = derived_rag(action.status, action.due_on, action.completed_on, today)
    if action.status == ActionStatus.DROPPED:
        rag, source = None, None
    elif action.rag_override is not None:
        rag, source = action.rag_override, "officer"
    else:
        rag, source = derived.rag, "derived"
    document: dict[str, Any] = {
        "id": action.id,
        "priority": _priority_ref(priority),
        "reference": action.reference,
        "description": action.description,
        "owner_role": action.owner_role,
        "milestones": action.milestones,
        "due_on": action.due_on,
        "status": action.status,
        "completed_on": action.completed_on,
        "last_update_on": updates[0].noted_on if updates else None,
    }
    if private:
        # RAG is worked out on the day it is asked for: not in public answers, which may be remembered until the
        # next write, perhaps days later, when a due date has passed.
        document |= {
            "rag": rag,
            "rag_source": source,
            "done_late": derived.done_late,
            "strategy_id": action.strategy_id,
            "dropped_reason": action.dropped_reason,
            "rag_reason": action.rag_reason if source == "officer" else None,
            "updates": [
                {"id": row.id, "noted_on": row.noted_on, "text": row.text, "created_at": row.created_at}
                for row in updates
            ],
            "created_at": action.created_at,
            "updated_at": action.updated_at,
        }
    return document


def measure_document(measure: Any, priority: Any, values: list[dict[str, Any]], *, private: bool) -> dict[str, Any]:
    ordered = sorted(values, key=lambda value: _period_order(value["period"]))
    latest = ordered[-1] if ordered else None
    latest_number = latest["value"] if latest is not None and not isinstance(latest["value"], str) else None
    document: dict[str, Any] = {
        "id": measure.id,
        "priority": _priority_ref(priority),
        "name": measure.name,
        "unit": measure.unit,
        "direction": measure.direction,
        "baseline": _number(measure.baseline),
        "baseline_period": measure.baseline_period,
        "target": _number(measure.target),
        "source_note": measure.source_note,
        "source": measure.source,
        "evidence": measure.evidence,
        "values": ordered,
        "latest": latest,
        "on_track": on_track(latest_number, measure.target, measure.direction),
    }
    if private:
        document |= {
            "strategy_id": measure.strategy_id,
            "created_at": measure.created_at,
            "updated_at": measure.updated_at,
        }
    return document


def _period_order(label: str) -> tuple[date, date]:
    period = parse_period(label)
    assert period is not None  # stored periods were parsed when they were recorded
    return period.order


PRIORITIES = (
    select(priority_table)
    .where(priority_table.c.covenant_id == bindparam("covenant"))
    .order_by(priority_table.c.position, priority_table.c.code)
)
ACTIONS = (
    select(action_table).where(action_table.c.strategy_id == bindparam("strategy")).order_by(action_table.c.reference)
)
UPDATES = (
    select(update_table)
    .join(action_table, action_table.c.id == update_table.c.action_id)
    .where(action_table.c.strategy_id == bindparam("strategy"))
    .order_by(update_table.c.noted_on.desc(), update_table.c.created_at.desc(), update_table.c.id.desc())
)
MEASURES = (
    select(measure_table).where(measure_table.c.strategy_id == bindparam("strategy")).order_by(measure_table.c.id)
)
VALUES = (
    select(value_table)
    .join(measure_table, measure_table.c.id == value_table.c.measure_id)
    .where(measure_table.c.strategy_id == bindparam("strategy"))
)


class Plan:
    """Everything a strategy's documents are made of, read in a fixed number of queries."""

    def __init__(self, strategy: Any, priorities: list[Any], actions: list[Any], updates: dict[str, list[Any]]) -> None:
        self.strategy = strategy
        self.priorities = priorities
        self.by_id = {priority.id: priority for priority in priorities}
        self.actions = actions
        self.updates = updates
        self.measures: list[Any] = []
        self.values: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.figures: dict[tuple[str, int], dict[str, int]] = {}
        self.years: list[Period] = []

    def actions_of(self, priority_id: str | None = None) -> list[Any]:
        return [action for action in self.actions if priority_id is None or action.priority_id == priority_id]

    def action_documents(self, today: date, *, private: bool, priority_id: str | None = None) -> list[dict[str, Any]]:
        return [
            action_document(action, self.by_id[action.priority_id], self.updates[action.id], today, private=private)
            for action in self._in_priority_order(self.actions_of(priority_id))
        ]

    def measure_documents(self, today: date, *, private: bool, priority_id: str | None = None) -> list[dict[str, Any]]:
        priority_ids = [priority.id for priority in self.priorities]
        documents = []
        for measure in self._in_priority_order(self.measures):
            if priority_id is not None and measure.priority_id != priority_id:
                continue
            if measure.source == MeasureSource.REGISTRY:
                values = _registry_values(measure, self.years, self.figures, priority_ids, today, exact=private)
            else:
                values = self.values[measure.id]
            documents.append(measure_document(measure, self.by_id[measure.priority_id], values, private=private))
        return documents

    def _in_priority_order(self, rows: list[Any]) -> list[Any]:
        position = {priority.id: index for index, priority in enumerate(self.priorities)}
        return sorted(rows, key=lambda row: position[row.priority_id])


async def read_plan(executor: Executor, strategy: Any, today: date) -> Plan:
    priorities = list((await executor.execute(PRIORITIES, {"covenant": strategy.covenant_id})).all())
    actions = list((await executor.execute(ACTIONS, {"strategy": strategy.id})).all())
    updates: dict[str, list[Any]] = defaultdict(list)
    for row in (await executor.execute(UPDATES, {"strategy": strategy.id})).all():
        updates[row.action_id].append(row)
    plan = Plan(strategy, priorities, actions, updates)
    plan.measures = list((await executor.execute(MEASURES, {"strategy": strategy.id})).all())
    for row in (await executor.execute(VALUES, {"strategy": strategy.id})).all():
        plan.values[row.measure_id].append({"period": row.period, "value": _number(row.value), "note": row.note})
    plan.years = financial_years(strategy.period_start, strategy.period_end)
    if any(measure.source == MeasureSource.REGISTRY for measure in plan.measures):
        plan.figures = await registry_evidence(executor, strategy.covenant_id, plan.years, today)
    return plan


def strategy_summary(strategy: Any, covenant: Any) -> dict[str, Any]:
    return {
        "id": strategy.id,
        "covenant": {"id": covenant.id, "slug": covenant.slug, "title": covenant.title},
        "title": strategy.title,
        "period_start": strategy.period_start,
        "period_end": strategy.period_end,
        "approved_on": strategy.approved_on,
        "approved_by": strategy.approved_by,
        "body": strategy.body,
    }


def strategy_out(strategy: Any, covenant: Any) -> dict[str, Any]:
    return strategy_summary(strategy, covenant) | {"created_at": strategy.created_at, "updated_at": strategy.updated_at}


def strategy_document(strategy: Any, covenant: Any, plan: Plan, today: date, *, private: bool) -> dict[str, Any]:
    priorities = [
        {
            **_priority_ref(priority),
            "lead": _lead(priority),
            "actions": plan.action_documents(today, private=private, priority_id=priority.id),
            "measures": plan.measure_documents(today, private=private, priority_id=priority.id),
        }
        for priority in plan.priorities
    ]
    if private:
        return strategy_out(strategy, covenant) | {
            "publish_strategy": covenant.publish_strategy,
            "priorities": priorities,
            "view": "private",
        }
    return strategy_summary(strategy, covenant) | {"priorities": priorities, "view": "public"}


# ---------------------------------------------------------------- reads


async def strategy_view(session: AsyncSession, principal: Principal, strategy_id: str, today: date) -> tuple[Any, Any]:
    strategy, covenant = await officers_strategy(session, principal, strategy_id)
    plan = await read_plan(session, strategy, today)
    return strategy, strategy_document(strategy, covenant, plan, today, private=True)


async def strategy_rendered(session: AsyncSession, strategy: Strategy, today: date) -> dict[str, Any]:
    """A strategy's officers' document, after a change to it."""
    covenant = await session.get(Covenant, strategy.covenant_id)
    assert covenant is not None  # a foreign key guarantees it
    return strategy_document(strategy, covenant, await read_plan(session, strategy, today), today, private=True)


async def action_rendered(session: AsyncSession, action: StrategyAction, today: date) -> dict[str, Any]:
    strategy = await session.get(Strategy, action.strategy_id)
    assert strategy is not None
    plan = await read_plan(session, strategy, today)
    return next(document for document in plan.action_documents(today, private=True) if document["id"] == action.id)


async def measure_rendered(session: AsyncSession, measure: Measure, today: date) -> dict[str, Any]:
    strategy = await session.get(Strategy, measure.strategy_id)
    assert strategy is not None
    plan = await read_plan(session, strategy, today)
    return next(document for document in plan.measure_documents(today, private=True) if document["id"] == measure.id)


async def action_view(session: AsyncSession, principal: Principal, action_id: str, today: date) -> tuple[Any, Any]:
    action, _strategy, _covenant = await _officers_action(session, principal, action_id)
    return action, await action_rendered(session, action, today)


async def measure_view(session: AsyncSession, principal: Principal, measure_id: str, today: date) -> tuple[Any, Any]:
    measure, _strategy, _covenant = await _officers_measure(session, principal, measure_id)
    return measure, await measure_rendered(session, measure, today)


async def list_strategies(session: AsyncSession, principal: Principal, reference: str) -> list[dict[str, Any]]:
    """A covenant's strategies, latest period first, for its officers."""
    covenant = await officers_covenant(session, principal, reference)
    rows = (
        await session.execute(
            select(Strategy)
            .where(col(Strategy.covenant_id) == covenant.id)
            .order_by(col(Strategy.period_start).desc(), col(Strategy.id).desc())
        )
    ).scalars()
    return [strategy_out(strategy, covenant) for strategy in rows]


async def list_actions(
    session: AsyncSession, principal: Principal, strategy_id: str, today: date
) -> list[dict[str, Any]]:
    strategy, _covenant = await officers_strategy(session, principal, strategy_id)
    return (await read_plan(session, strategy, today)).action_documents(today, private=True)


async def list_measures(
    session: AsyncSession, principal: Principal, strategy_id: str, today: date
) -> list[dict[str, Any]]:
    strategy, _covenant = await officers_strategy(session, principal, strategy_id)
    return (await read_plan(session, strategy, today)).measure_documents(today, private=True)


def _current_strategy_statement(covenant_id: str, today: date) -> Any:
    # The strategy whose period holds today, else the one that started last.
    holds_today = (strategy_table.c.period_start <= today) & (strategy_table.c.period_end >= today)
    return (
        select(strategy_table)
        .where(strategy_table.c.covenant_id == covenant_id)
        .order_by(holds_today.desc(), strategy_table.c.period_start.desc(), strategy_table.c.id.desc())
        .limit(1)
    )


async def current_strategy_view(
    session: AsyncSession, principal: Principal, reference: str, today: date
) -> tuple[Any, Any]:
    """The covenant's current strategy with everything, for its officers and the operator, published or not; 404
    for anyone else (who gets the public one, if it is published)."""
    covenant = await visible_covenant(session, principal, reference)
    found = (await session.execute(_current_strategy_statement(covenant.id, today))).first()
    if found is None:
        raise NotFound(f"The covenant {reference} has no strategy yet.")
    strategy = await session.get(Strategy, found.id)
    assert strategy is not None
    return strategy, strategy_document(
        strategy, covenant, await read_plan(session, strategy, today), today, private=True
    )


async def strategy_of_year(conn: AsyncConnection, covenant_id: str, start_year: int) -> Any:
    """The strategy whose period overlaps the financial year, the latest to start if several do; None if none."""
    first_day, last_day = date(start_year, 4, 1), date(start_year + 1, 3, 31)
    statement = (
        select(strategy_table)
        .where(
            strategy_table.c.covenant_id == covenant_id,
            strategy_table.c.period_start <= last_day,
            strategy_table.c.period_end >= first_day,
        )
        .order_by(strategy_table.c.period_start.desc(), strategy_table.c.id.desc())
        .limit(1)
    )
    return (await conn.execute(statement)).first()


async def strategy_in_report(
    conn: AsyncConnection, covenant: Any, start_year: int, today: date, *, exact: bool
) -> dict[str, Any] | None:
    """The strategy covering a year, for the annual report: everything for its officers; for the public only if
    the covenant publishes its strategy (as GET /v1/covenants/{covenant}/strategy would show it); else None."""
    if not exact and not covenant.publish_strategy:
        return None
    strategy = await strategy_of_year(conn, covenant.id, start_year)
    if strategy is None:
        return None
    plan = await read_plan(conn, strategy, today)
    return strategy_document(strategy, covenant, plan, today, private=exact)


async def public_strategy(conn: AsyncConnection, reference: str, today: date) -> dict[str, Any]:
    """The current strategy of a public covenant that publishes it: no officers' notes or update texts, counts
    of young people suppressed. 404 where the covenant does not publish it."""
    covenant = await public_read.public_covenant_row(conn, reference)
    if not covenant.publish_strategy:
        raise NotFound(f"The covenant {reference} does not publish its strategy.")
    strategy = (await conn.execute(_current_strategy_statement(covenant.id, today))).first()
    if strategy is None:
        raise NotFound(f"The covenant {reference} has no strategy yet.")
    plan = await read_plan(conn, strategy, today)
    return strategy_document(strategy, covenant, plan, today, private=False)


# ---------------------------------------------------------------- the action plan as a table

ACTION_PLAN_COLUMNS = ["Ref", "Priority", "Action", "Owner", "Milestones", "Due", "Status", "RAG", "Latest update"]
STATUS_WORDS = {
    ActionStatus.NOT_STARTED: "Not started",
    ActionStatus.ON_TRACK: "On track",
    ActionStatus.AT_RISK: "At risk",
    ActionStatus.OFF_TRACK: "Off track",
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped",
}


def action_plan_row(document: dict[str, Any]) -> list[Any]:
    latest = document["updates"][0] if document["updates"] else None
    priority = document["priority"]
    return [
        document["reference"],
        f"{priority['code']} {priority['title']}",
        document["description"],
        document["owner_role"],
        document["milestones"],
        document["due_on"].isoformat(),
        STATUS_WORDS[ActionStatus(document["status"])],
        (document["rag"] or "").capitalize(),
        f"{latest['noted_on'].isoformat()}: {latest['text']}" if latest else "",
    ]


async def action_plan_csv(
    session: AsyncSession, principal: Principal, strategy_id: str, today: date, *, for_excel: bool
) -> bytes:
    """The action plan as the table councils put before the panel, one row per action in priority order.
    Text a spreadsheet would run as a formula is prefixed with an apostrophe, as in the open data."""
    documents = await list_actions(session, principal, strategy_id, today)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ACTION_PLAN_COLUMNS)
    writer.writerows([safe_cell(cell) for cell in action_plan_row(document)] for document in documents)
    return ("\ufeff" if for_excel else "").encode() + buffer.getvalue().encode()
