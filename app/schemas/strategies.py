"""A council's corporate parenting strategy for a covenant: its period and approval, each priority's lead, the
action plan (actions with status, RAG and dated progress updates) and the measures (baseline, target, values per
period). Officers of the covenant's authority write and read all of it; the public reads the current strategy
only where the covenant publishes it (`publish_strategy`), without officers' notes."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.enums import ActionStatus, MeasureDirection, MeasureSource, MeasureUnit, Rag, RegistryEvidence
from app.schemas.common import PrivateView, PublicView
from app.schemas.covenants import CovenantRef, PriorityRef
from app.schemas.fields import MULTI_LINE, PRIORITY_REFERENCE, SINGLE_LINE, Name, Prose, Strict

# A financial year ("2025/26") or a quarter of one ("2025/26 Q1"); app/services/rag.py reads them.
PERIOD_PATTERN = r"^[0-9]{4}/[0-9]{2}( Q[1-4])?$"
ACTION_REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9./-]{0,19}$"
Reason = Annotated[str, Field(min_length=3, max_length=2000, pattern=MULTI_LINE)]
Role = Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)]
StrategyBody = Annotated[str, Field(max_length=20000, pattern=MULTI_LINE)]
Number = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
PeriodLabel = Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2025/26", "2025/26 Q1"])]
PriorityReference = Annotated[
    str,
    Field(
        max_length=40,
        pattern=PRIORITY_REFERENCE,
        description="A priority of the strategy's covenant, by id or code.",
        examples=["EET"],
    ),
]

# ---------------------------------------------------------------- inputs


class StrategyCreate(Strict):
    """A strategy of the covenant for a period, as approved."""

    title: Name = Field(description="Title.", examples=["Corporate parenting strategy 2025 to 2028"])
    period_start: date = Field(description="First day the strategy covers.", examples=["2025-04-01"])
    period_end: date = Field(description="Last day it covers (after the first).", examples=["2028-03-31"])
    approved_on: date | None = Field(default=None, description="When it was approved.", examples=["2025-03-20"])
    approved_by: Annotated[str, Field(max_length=200, pattern=SINGLE_LINE)] = Field(
        default="", description="Who approved it.", examples=["Cabinet"]
    )
    body: StrategyBody = Field(default="", description="The strategy's text: its ambition, and how it was made.")


class StrategyUpdate(Strict):
    """Changes to a strategy: send only the fields to change."""

    title: Name | None = Field(default=None, description="Title.")
    period_start: date | None = Field(default=None, description="First day the strategy covers.")
    period_end: date | None = Field(default=None, description="Last day it covers.")
    approved_on: date | None = Field(default=None, description="When it was approved (null: not yet).")
    approved_by: Annotated[str, Field(max_length=200, pattern=SINGLE_LINE)] | None = Field(
        default=None, description="Who approved it."
    )
    body: StrategyBody | None = Field(default=None, description="The strategy's text.")


class ActionCreate(Strict):
    """One action of the plan, under a priority of the strategy's covenant."""

    priority: PriorityReference
    reference: str = Field(
        pattern=ACTION_REFERENCE, description="The action's reference, unique in the strategy.", examples=["EET-3"]
    )
    description: Annotated[str, Field(min_length=1, max_length=4000, pattern=MULTI_LINE)] = Field(
        description="What will be done."
    )
    owner_role: Role = Field(description="Who is responsible, as a role.", examples=["Head of virtual school"])
    milestones: Prose = Field(default="", description="Milestones on the way.")
    due_on: date = Field(description="When it is due: within the strategy's period.", examples=["2026-03-31"])
    status: ActionStatus = Field(default=ActionStatus.NOT_STARTED, description="Where it stands.")
    dropped_reason: Reason | None = Field(default=None, description="Why it was dropped (required when dropped).")
    completed_on: date | None = Field(default=None, description="When it was done (default: today, once done).")
    rag_override: Rag | None = Field(default=None, description="An officer's RAG instead of the derived one.")
    rag_reason: Reason | None = Field(default=None, description="Why the officer set the RAG (with rag_override).")


class ActionChange(Strict):
    """Changes to an action: send only the fields to change. `rag_override` and `rag_reason` null together
    return the RAG to the derived one."""

    description: Annotated[str, Field(min_length=1, max_length=4000, pattern=MULTI_LINE)] | None = Field(
        default=None, description="What will be done."
    )
    owner_role: Role | None = Field(default=None, description="Who is responsible, as a role.")
    milestones: Prose | None = Field(default=None, description="Milestones on the way.")
    due_on: date | None = Field(default=None, description="When it is due: within the strategy's period.")
    status: ActionStatus | None = Field(default=None, description="Where it stands.")
    dropped_reason: Reason | None = Field(default=None, description="Why it was dropped (required to drop it).")
    completed_on: date | None = Field(default=None, description="When it was done (default: today, once done).")
    rag_override: Rag | None = Field(default=None, description="An officer's RAG; null: the derived one.")
    rag_reason: Reason | None = Field(default=None, description="Why the officer set the RAG.")


class ProgressNote(Strict):
    """A dated note of progress on an action."""

    noted_on: date = Field(description="The date the progress is reported for (not in the future).")
    text: Annotated[str, Field(min_length=1, max_length=4000, pattern=MULTI_LINE)] = Field(
        description="What has happened since the last update.",
        examples=["Ring-fenced apprenticeship scheme agreed with HR; first adverts in May."],
    )


class MeasureCreate(Strict):
    """A measure of a priority's outcomes. `source: registry` follows one of the registry's own figures
    (`evidence`), computed for each financial year of the strategy rather than entered."""

    priority: PriorityReference
    name: Name = Field(
        description="What is measured.", examples=["Care leavers aged 19-21 in education, work or training"]
    )
    unit: MeasureUnit = Field(description="What the numbers count.")
    direction: MeasureDirection = Field(
        default=MeasureDirection.HIGHER_IS_BETTER, description="Which way the measure improves."
    )
    baseline: Number | None = Field(default=None, description="Where it started.", examples=[48])
    baseline_period: PeriodLabel | None = Field(default=None, description="The period of the baseline.")
    target: Number | None = Field(default=None, description="Where the strategy aims to get it.", examples=[60])
    source_note: Prose = Field(default="", description="Where the figures come from.")
    source: MeasureSource = Field(default=MeasureSource.ENTERED, description="Entered values, or the registry's.")
    evidence: RegistryEvidence | None = Field(default=None, description="With `source: registry`: which figure.")


class MeasureChange(Strict):
    """Changes to a measure: send only the fields to change."""

    name: Name | None = Field(default=None, description="What is measured.")
    unit: MeasureUnit | None = Field(default=None, description="What the numbers count (entered measures only).")
    direction: MeasureDirection | None = Field(default=None, description="Which way the measure improves.")
    baseline: Number | None = Field(default=None, description="Where it started.")
    baseline_period: PeriodLabel | None = Field(default=None, description="The period of the baseline.")
    target: Number | None = Field(default=None, description="Where the strategy aims to get it.")
    source_note: Prose | None = Field(default=None, description="Where the figures come from.")


class MeasureValueInput(Strict):
    """One period's value of an entered measure; posting a period again replaces its value."""

    period: PeriodLabel = Field(description="A financial year, or a quarter of one, within the strategy.")
    value: Number = Field(description="The value for the period.", examples=[52.5])
    note: Prose = Field(default="", description="Anything a reader should know about this value.")


# ---------------------------------------------------------------- outputs


class Lead(BaseModel):
    """Who leads a priority."""

    role: str = Field(description="The lead's role.", examples=["Director of children's services"])
    name: str | None = Field(description="The lead's name, if the council gives one.")


class ProgressUpdateOut(BaseModel):
    """A dated note of progress."""

    id: str = Field(description="The update's id.")
    noted_on: date = Field(description="The date it reports for.")
    text: str = Field(description="What happened.")
    created_at: datetime = Field(description="When it was recorded.")


class ActionPublic(BaseModel):
    """An action as the public reads it where the covenant publishes its strategy: no officers' notes."""

    id: str = Field(description="The action's id.")
    priority: PriorityRef = Field(description="The priority it serves.")
    reference: str = Field(description="The action's reference.", examples=["EET-3"])
    description: str = Field(description="What will be done.")
    owner_role: str = Field(description="Who is responsible, as a role.")
    milestones: str = Field(description="Milestones on the way.")
    due_on: date = Field(description="When it is due.")
    status: ActionStatus = Field(description="Where it stands.")
    completed_on: date | None = Field(description="When it was done.")
    last_update_on: date | None = Field(description="The date of its latest progress update.")


class ActionOut(ActionPublic):
    """An action as officers see it, with its RAG on the day asked, their notes and its progress updates, newest
    first."""

    rag: Rag | None = Field(description="Red, amber or green, on the day asked; null for a dropped action.")
    rag_source: str | None = Field(description="`derived` from status and due date, or set by an `officer`.")
    done_late: bool = Field(description="Done after its due date.")
    strategy_id: str = Field(description="The strategy whose plan it is in.")
    dropped_reason: str | None = Field(description="Why it was dropped.")
    rag_reason: str | None = Field(description="Why an officer set the RAG.")
    updates: list[ProgressUpdateOut] = Field(description="Progress updates, newest first.")
    created_at: datetime = Field(description="When it was added.")
    updated_at: datetime = Field(description="When it last changed.")


class ActionPage(BaseModel):
    """A strategy's whole action plan, in priority order, then by reference."""

    items: list[ActionOut] = Field(description="The actions.")
    next_cursor: str | None = Field(description="Always null: the whole plan fits on one page.")


class MeasureValueOut(BaseModel):
    """A measure's value for one period."""

    period: str = Field(description="The period: a financial year or a quarter of one.", examples=["2025/26"])
    value: float | str = Field(
        description='The value. Counts of young people from the registry\'s delivery returns show as "<5" (1 to '
        '4) or "[c]" (hidden so that another cell cannot be worked out) except to the covenant\'s officers.'
    )
    note: str = Field(description="A note on the value.")


class MeasurePublic(BaseModel):
    """A measure, its values in period order, and whether its latest value meets the target."""

    id: str = Field(description="The measure's id.")
    priority: PriorityRef = Field(description="The priority it measures.")
    name: str = Field(description="What is measured.")
    unit: MeasureUnit = Field(description="What the numbers count.")
    direction: MeasureDirection = Field(description="Which way the measure improves.")
    baseline: float | None = Field(description="Where it started.")
    baseline_period: str | None = Field(description="The period of the baseline.")
    target: float | None = Field(description="Where the strategy aims to get it.")
    source_note: str = Field(description="Where the figures come from.")
    source: MeasureSource = Field(description="`entered` by officers, or computed from the `registry`.")
    evidence: RegistryEvidence | None = Field(description="Which of the registry's figures it follows.")
    values: list[MeasureValueOut] = Field(description="Its values, in period order.")
    latest: MeasureValueOut | None = Field(description="The latest value, if there is one.")
    on_track: bool | None = Field(
        description="Whether the latest value meets the target, by direction; null without a value or a target."
    )


class MeasureOut(MeasurePublic):
    """A measure as officers see it."""

    strategy_id: str = Field(description="The strategy it belongs to.")
    created_at: datetime = Field(description="When it was added.")
    updated_at: datetime = Field(description="When it last changed.")


class MeasurePage(BaseModel):
    """A strategy's measures, in priority order."""

    items: list[MeasureOut] = Field(description="The measures.")
    next_cursor: str | None = Field(description="Always null: every measure fits on one page.")


class StrategySummary(BaseModel):
    """A strategy, without its plan."""

    id: str = Field(description="The strategy's id.")
    covenant: CovenantRef = Field(description="The covenant it belongs to.")
    title: str = Field(description="Title.")
    period_start: date = Field(description="First day it covers.")
    period_end: date = Field(description="Last day it covers.")
    approved_on: date | None = Field(description="When it was approved.")
    approved_by: str = Field(description="Who approved it.")
    body: str = Field(description="The strategy's text.")


class StrategyOut(StrategySummary):
    """A strategy as officers list it."""

    created_at: datetime = Field(description="When it was recorded.")
    updated_at: datetime = Field(description="When it last changed.")


class StrategyPage(BaseModel):
    """A covenant's strategies, latest period first."""

    items: list[StrategyOut] = Field(description="The strategies.")
    next_cursor: str | None = Field(description="Always null: every strategy fits on one page.")


class StrategyPriorityBase(BaseModel):
    """A priority of the strategy and its lead."""

    id: str = Field(description="The priority's id.")
    code: str = Field(description="Its code.", examples=["EET"])
    title: str = Field(description="Its title.")
    lead: Lead | None = Field(description="Who leads it; null: no lead named yet.")


class StrategyPriorityPublic(StrategyPriorityBase):
    """A priority of the strategy with its lead, actions and measures."""

    actions: list[ActionPublic] = Field(description="Its actions, by reference.")
    measures: list[MeasurePublic] = Field(description="Its measures.")


class StrategyPriority(StrategyPriorityBase):
    """A priority of the strategy as officers see it."""

    actions: list[ActionOut] = Field(description="Its actions, by reference.")
    measures: list[MeasureOut] = Field(description="Its measures.")


class StrategyPublic(StrategySummary):
    """A covenant's current strategy, as the council publishes it."""

    priorities: list[StrategyPriorityPublic] = Field(description="The covenant's priorities, in order.")
    view: PublicView


class StrategyPrivate(StrategyOut):
    """A strategy with its whole plan, as the covenant's officers see it."""

    publish_strategy: bool = Field(description="Whether the covenant publishes its current strategy.")
    priorities: list[StrategyPriority] = Field(description="The covenant's priorities, in order.")
    view: PrivateView


StrategyRead = Annotated[StrategyPublic | StrategyPrivate, Field(discriminator="view")]
"""The current strategy: the published one, or the officers' whole view for a key of the covenant's authority."""
