"""A council's corporate parenting strategy for a covenant: strategies, their action plans (with RAG and
progress updates) and measures. The covenant's officers (and the operator) write and read them; the public reads
the current strategy where the covenant publishes it."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import OfficerReader, OfficerWriter, OptionalCaller
from app.api.deps import (
    OPTIONAL_KEY,
    CovenantReference,
    IfMatch,
    PrivateSession,
    ReadConnection,
    RecordId,
    detail_read,
    private_view,
)
from app.api.etags import precondition
from app.api.http import NO_STORE, private_json
from app.api.problems import CHANGE_ERRORS, problem_docs, read_docs
from app.api.responses import Rendered, created, current
from app.api.transactions import ChangeTransaction, PostTransaction
from app.errors import NotFound
from app.ids import utcnow
from app.models import Measure, Strategy, StrategyAction
from app.schemas.strategies import (
    ActionChange,
    ActionCreate,
    ActionOut,
    ActionPage,
    MeasureChange,
    MeasureCreate,
    MeasureOut,
    MeasurePage,
    MeasureValueInput,
    ProgressNote,
    StrategyCreate,
    StrategyPage,
    StrategyPrivate,
    StrategyRead,
    StrategyUpdate,
)
from app.services import strategies

router = APIRouter(prefix="/v1", tags=["Strategies"])

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def today() -> date:
    # RAG and the years of evidence are worked out for the day of the request, in UTC like every stored time.
    return utcnow().date()


async def render_strategy(session: AsyncSession, strategy: Strategy) -> Rendered:
    return current(await strategies.strategy_rendered(session, strategy, today()), strategy)


async def created_strategy(session: AsyncSession, strategy: Strategy) -> Rendered:
    document = await strategies.strategy_rendered(session, strategy, today())
    return created(document, f"/v1/strategies/{strategy.id}", strategy)


async def render_action(session: AsyncSession, action: StrategyAction) -> Rendered:
    return current(await strategies.action_rendered(session, action, today()), action)


async def created_action(session: AsyncSession, action: StrategyAction) -> Rendered:
    document = await strategies.action_rendered(session, action, today())
    return created(document, f"/v1/actions/{action.id}", action)


async def render_measure(session: AsyncSession, measure: Measure) -> Rendered:
    return current(await strategies.measure_rendered(session, measure, today()), measure)


async def created_measure(session: AsyncSession, measure: Measure) -> Rendered:
    document = await strategies.measure_rendered(session, measure, today())
    return created(document, f"/v1/measures/{measure.id}", measure)


def _found(answer: Response | None, what: str) -> Response:
    if answer is None:
        raise NotFound(f"No {what}.")
    return answer


# ---------------------------------------------------------------- strategies


@router.post(
    "/covenants/{covenant}/strategies",
    status_code=201,
    response_model=StrategyPrivate,
    summary="Record a strategy",
    responses={**problem_docs(401, 403, 404, 409, 413, 422), 201: examples.json_example(examples.STRATEGY)},
)
async def create_strategy(
    covenant: CovenantReference, body: StrategyCreate, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Record your council's corporate parenting strategy for this covenant: its period and who approved it.
    Its plan is then built with actions and measures under the covenant's priorities."""
    return await tx.run(lambda session: strategies.create_strategy(session, caller, covenant, body), created_strategy)


@router.get(
    "/covenants/{covenant}/strategies",
    response_model=StrategyPage,
    summary="List a covenant's strategies",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.STRATEGY_SUMMARY, next_cursor=None)),
    },
)
async def list_strategies(covenant: CovenantReference, caller: OfficerReader, session: PrivateSession) -> Response:
    """Every strategy of your covenant, latest period first."""
    items = await strategies.list_strategies(session, caller, covenant)
    return private_json({"items": items, "next_cursor": None})


@router.get(
    "/covenants/{covenant}/strategy",
    response_model=StrategyRead,
    summary="Get a covenant's current strategy",
    responses=read_docs(401, 404, 422, example=examples.STRATEGY_PUBLIC),
    openapi_extra=OPTIONAL_KEY,
)
async def get_current_strategy(
    request: Request, covenant: CovenantReference, conn: ReadConnection, caller: OptionalCaller
) -> Response:
    """The strategy whose period holds today (else the latest): priorities with their leads, actions with
    status and RAG, measures with their values. Public only where the covenant publishes its strategy, and then
    without officers' notes or progress update texts; its officers' key reads all of it, published or not."""
    return await detail_read(
        request,
        caller,
        lambda session, key: strategies.current_strategy_view(session, key, covenant, today()),
        lambda: strategies.public_strategy(conn, covenant, today()),
    )


@router.get(
    "/strategies/{strategy_id}",
    response_model=StrategyPrivate,
    summary="Get a strategy",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.STRATEGY)},
)
async def get_strategy(request: Request, strategy_id: RecordId, caller: OfficerReader) -> Response:
    """A strategy with its whole plan, and the ETag that `PATCH` takes in If-Match."""
    found = await private_view(request, lambda session: strategies.strategy_view(session, caller, strategy_id, today()))
    return _found(found, f"strategy {strategy_id}")


@router.patch(
    "/strategies/{strategy_id}",
    response_model=StrategyPrivate,
    summary="Edit a strategy",
    responses={**problem_docs(*CHANGE_ERRORS), 200: examples.json_example(examples.STRATEGY)},
)
async def update_strategy(
    strategy_id: RecordId,
    body: StrategyUpdate,
    caller: OfficerWriter,
    tx: ChangeTransaction,
    if_match: IfMatch = None,
) -> Response:
    """Change a strategy's title, period, approval or text, with If-Match. The period must still hold every
    action's due date."""
    expected = precondition(if_match)
    return await tx.run(
        lambda session: strategies.update_strategy(session, caller, strategy_id, expected, body), render_strategy
    )


@router.get(
    "/strategies/{strategy_id}/action-plan.csv",
    response_class=Response,
    summary="Download a strategy's action plan as CSV",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, one row per action."},
        **problem_docs(401, 403, 404, 422),
    },
)
async def download_action_plan(
    strategy_id: RecordId,
    caller: OfficerReader,
    session: PrivateSession,
    excel: Annotated[
        bool, Query(description="Excel's dialect: a UTF-8 byte order mark first, so £ and é show as they are.")
    ] = False,
) -> Response:
    """The action plan as the table the panel reads: Ref, Priority, Action, Owner, Milestones, Due, Status, RAG
    and Latest update, one row per action in priority order."""
    body = await strategies.action_plan_csv(session, caller, strategy_id, today(), for_excel=excel)
    headers = {
        "Content-Disposition": f'attachment; filename="action-plan-{today().isoformat()}.csv"',
        "Cache-Control": NO_STORE,
    }
    return Response(body, media_type=CSV_MEDIA_TYPE, headers=headers)


# ---------------------------------------------------------------- actions


@router.post(
    "/strategies/{strategy_id}/actions",
    status_code=201,
    response_model=ActionOut,
    summary="Add an action to a strategy's plan",
    responses={**problem_docs(401, 403, 404, 409, 413, 422), 201: examples.json_example(examples.ACTION)},
)
async def create_action(
    strategy_id: RecordId, body: ActionCreate, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Add an action under one of the covenant's priorities, due within the strategy's period, with a reference
    unique in the strategy (409 if taken)."""
    return await tx.run(
        lambda session: strategies.create_action(session, caller, strategy_id, body, today()), created_action
    )


@router.get(
    "/strategies/{strategy_id}/actions",
    response_model=ActionPage,
    summary="List a strategy's actions",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.ACTION, next_cursor=None)),
    },
)
async def list_actions(strategy_id: RecordId, caller: OfficerReader, session: PrivateSession) -> Response:
    """The whole action plan, in the covenant's priority order and by reference, each with its RAG and updates."""
    items = await strategies.list_actions(session, caller, strategy_id, today())
    return private_json({"items": items, "next_cursor": None})


@router.get(
    "/actions/{action_id}",
    response_model=ActionOut,
    summary="Get an action",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.ACTION)},
)
async def get_action(request: Request, action_id: RecordId, caller: OfficerReader) -> Response:
    """One action with its progress updates, newest first, and the ETag that `PATCH` takes in If-Match."""
    found = await private_view(request, lambda session: strategies.action_view(session, caller, action_id, today()))
    return _found(found, f"action {action_id}")


@router.patch(
    "/actions/{action_id}",
    response_model=ActionOut,
    summary="Edit an action",
    responses={**problem_docs(*CHANGE_ERRORS), 200: examples.json_example(examples.ACTION)},
)
async def update_action(
    action_id: RecordId, body: ActionChange, caller: OfficerWriter, tx: ChangeTransaction, if_match: IfMatch = None
) -> Response:
    """Change an action's status, due date or text, or set its RAG with a reason, with If-Match. Done records
    `completed_on` (today unless given); dropped needs `dropped_reason`."""
    expected = precondition(if_match)
    return await tx.run(
        lambda session: strategies.update_action(session, caller, action_id, expected, body, today()), render_action
    )


@router.post(
    "/actions/{action_id}/updates",
    status_code=201,
    response_model=ActionOut,
    summary="Add a progress update to an action",
    responses={**problem_docs(401, 403, 404, 409, 413, 422), 201: examples.json_example(examples.ACTION)},
)
async def create_action_update(
    action_id: RecordId, body: ProgressNote, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Note the progress made on an action, dated (not in the future); the action comes back with every update,
    newest first."""
    return await tx.run(
        lambda session: strategies.add_progress_update(session, caller, action_id, body, today()), created_action
    )


# ---------------------------------------------------------------- measures


@router.post(
    "/strategies/{strategy_id}/measures",
    status_code=201,
    response_model=MeasureOut,
    summary="Add a measure to a strategy",
    responses={**problem_docs(401, 403, 404, 409, 413, 422), 201: examples.json_example(examples.MEASURE)},
)
async def create_measure(
    strategy_id: RecordId, body: MeasureCreate, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Add a measure under one of the covenant's priorities, with its unit, direction, baseline and target.
    With `source: registry` its values are the registry's own figures (`evidence`) for each financial year."""
    return await tx.run(lambda session: strategies.create_measure(session, caller, strategy_id, body), created_measure)


@router.get(
    "/strategies/{strategy_id}/measures",
    response_model=MeasurePage,
    summary="List a strategy's measures",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: examples.json_example(examples.page(examples.MEASURE, next_cursor=None)),
    },
)
async def list_measures(strategy_id: RecordId, caller: OfficerReader, session: PrivateSession) -> Response:
    """Every measure of the strategy, in the covenant's priority order, with values and whether each is on track."""
    items = await strategies.list_measures(session, caller, strategy_id, today())
    return private_json({"items": items, "next_cursor": None})


@router.get(
    "/measures/{measure_id}",
    response_model=MeasureOut,
    summary="Get a measure",
    responses={**problem_docs(401, 403, 404, 422), 200: examples.json_example(examples.MEASURE)},
)
async def get_measure(request: Request, measure_id: RecordId, caller: OfficerReader) -> Response:
    """One measure with its values in period order, and the ETag that `PATCH` takes in If-Match."""
    found = await private_view(request, lambda session: strategies.measure_view(session, caller, measure_id, today()))
    return _found(found, f"measure {measure_id}")


@router.patch(
    "/measures/{measure_id}",
    response_model=MeasureOut,
    summary="Edit a measure",
    responses={**problem_docs(*CHANGE_ERRORS), 200: examples.json_example(examples.MEASURE)},
)
async def update_measure(
    measure_id: RecordId, body: MeasureChange, caller: OfficerWriter, tx: ChangeTransaction, if_match: IfMatch = None
) -> Response:
    """Change a measure's name, unit, direction, baseline, target or source note, with If-Match."""
    expected = precondition(if_match)
    return await tx.run(
        lambda session: strategies.update_measure(session, caller, measure_id, expected, body), render_measure
    )


@router.post(
    "/measures/{measure_id}/values",
    response_model=MeasureOut,
    summary="Record a measure's value for a period",
    responses={**problem_docs(401, 403, 404, 409, 413, 422), 200: examples.json_example(examples.MEASURE)},
)
async def record_measure_value(
    measure_id: RecordId, body: MeasureValueInput, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Set the value of an entered measure for a financial year or quarter within the strategy's period,
    replacing any value that period had. A measure from the registry's records takes no values (409)."""
    return await tx.run(lambda session: strategies.record_value(session, caller, measure_id, body), render_measure)
