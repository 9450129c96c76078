"""The corporate parenting panel's pack for one financial year: each priority with its lead, its actions and
their RAG, its measures against target with their values over the years held, the covenant's offers and
delivery under it this year and last, and what changed. Officers' figures: exact, for the panel, never public.

It is put together from the annual report (app/services/annual_report.py) for this year and the one before, and
from the strategy whose period covers the year (app/services/strategies.py), so its figures are the report's."""

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.errors import Forbidden, Unauthorized
from app.services import annual_report, public_read, report_links, strategies
from app.services.access import Principal, sees_exact_figures

FIGURES = ("offers", "places_offered", "starts", "sustained")


async def panel_pack_for(
    conn: AsyncConnection, caller: Principal | None, reference: str, start_year: int, today: date
) -> dict[str, Any]:
    """The pack, for the covenant's officers and the operator only."""
    row = await public_read.public_covenant_row(conn, reference)
    if caller is None:
        raise Unauthorized("The panel pack is for the covenant's officers: send your key, or open a signed link.")
    if not sees_exact_figures(caller, row.authority_id):
        raise Forbidden("The panel pack is for the covenant's own officers.")
    annual_report.require_started(start_year, today)
    return await panel_pack(conn, row, start_year, today)


async def panel_pack_by_link(
    conn: AsyncConnection, engine: AsyncEngine, token: str, reference: str, start_year: int, format: str, today: date
) -> dict[str, Any]:
    row = await public_read.public_covenant_row(conn, reference)
    annual_report.require_started(start_year, today)
    await report_links.redeem(engine, token, row.id, start_year, format, report="panel_pack")
    return await panel_pack(conn, row, start_year, today)


def _figures(row: dict[str, Any] | None) -> dict[str, int]:
    return {name: int(row[name]) if row else 0 for name in FIGURES}


def _compared(this: dict[str, int], last: dict[str, int]) -> dict[str, Any]:
    return {"this_year": this, "last_year": last, "change": {name: this[name] - last[name] for name in FIGURES}}


async def panel_pack(conn: AsyncConnection, covenant_row: Any, start_year: int, today: date) -> dict[str, Any]:
    report = await annual_report.annual_report(conn, covenant_row, start_year, exact=True)
    before = await annual_report.annual_report(conn, covenant_row, start_year - 1, exact=True)
    strategy = await strategies.strategy_of_year(conn, covenant_row.id, start_year)
    plan = await strategies.read_plan(conn, strategy, today) if strategy is not None else None
    leads = {priority.id: priority for priority in plan.priorities} if plan else {}
    last_year = {row["priority"]["id"]: row for row in before["priorities"]}
    priorities = []
    for row in report["priorities"]:
        priority_id = row["priority"]["id"]
        priority = leads.get(priority_id)
        actions = plan.action_documents(today, private=True, priority_id=priority_id) if plan else []
        priorities.append(
            {
                "priority": row["priority"],
                "lead": {"role": priority.lead_role, "name": priority.lead_name}
                if priority is not None and priority.lead_role
                else None,
                "actions": actions,
                "rag_counts": _rag_counts(actions),
                "measures": plan.measure_documents(today, private=True, priority_id=priority_id) if plan else [],
                "delivery": _compared(_figures(row), _figures(last_year.get(priority_id))),
                "changes": row["changes"],
            }
        )
    return {
        "covenant": report["covenant"],
        "authority": report["authority"],
        "year": report["year"],
        "period_start": report["period_start"],
        "period_end": report["period_end"],
        "generated_at": report["generated_at"],
        "strategy": strategies.strategy_summary(strategy, covenant_row) if strategy is not None else None,
        "summary": _compared(_figures(report["summary"]), _figures(before["summary"])),
        "rag_counts": _rag_counts([action for entry in priorities for action in entry["actions"]]),
        "priorities": priorities,
        "gaps": report["gaps"],
    }


def _rag_counts(actions: list[dict[str, Any]]) -> dict[str, int]:
    counted = {"red": 0, "amber": 0, "green": 0, "none": 0}
    for action in actions:
        counted[str(action["rag"]) if action["rag"] else "none"] += 1
    return counted
