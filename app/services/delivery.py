"""Delivery returns: what an organisation reports it delivered against a commitment, period by period.

A return covers a past period that overlaps no earlier return of the same commitment, with numbers that can be
true (nobody starts without applying; nobody is sustained without starting). The organisation may correct it
until its window closes, `RETURN_WINDOW` after the period ends; officers read every return of their covenants.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.enums import PledgeStatus
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.ids import new_id, utcnow
from app.models import Commitment, Priority, ProgressReport, Signatory, table_of
from app.schemas.delivery import ProgressReportInput, ProgressReportUpdate
from app.services import audit
from app.services.access import Principal, require_officer_of
from app.services.concurrency import Precondition, check_version
from app.services.lookup import (
    audit_scope,
    officers_covenant,
    own_commitment,
    pledge_and_covenant_of,
    visible_commitment,
)
from app.services.pagination import Keyset, Page

RETURN_WINDOW = timedelta(days=90)
# Returns are filed for offers that are or were public; a draft has delivered nothing yet.
REPORTABLE_PLEDGE_STATES = frozenset({PledgeStatus.PUBLISHED, PledgeStatus.WITHDRAWN, PledgeStatus.LAPSED})
COUNTS = ("places_offered", "referrals", "applications", "starts", "sustained")


def correctable_until(report: ProgressReport) -> date:
    return report.period_end + RETURN_WINDOW


def check_counts(counts: dict[str, int]) -> None:
    if counts["starts"] > counts["applications"]:
        raise ValidationFailed("starts cannot exceed applications: every start applied first.", pointer="/starts")
    if counts["sustained"] > counts["starts"]:
        raise ValidationFailed("sustained cannot exceed starts.", pointer="/sustained")


def check_period(period_start: date, period_end: date, today: date) -> None:
    if period_end < period_start:
        raise ValidationFailed("period_end must not be before period_start.", pointer="/period_end")
    if period_end > today:
        raise ValidationFailed(
            f"The period has not ended yet ({period_end}); report once it has.", pointer="/period_end"
        )


async def _refuse_overlap(session: AsyncSession, commitment_id: str, start: date, end: date) -> None:
    clash = (
        await session.execute(
            select(ProgressReport).where(
                col(ProgressReport.commitment_id) == commitment_id,
                col(ProgressReport.period_start) <= end,
                col(ProgressReport.period_end) >= start,
            )
        )
    ).scalar()
    if clash is not None:
        raise ValidationFailed(
            f"This period overlaps return {clash.id} ({clash.period_start} to {clash.period_end}); "
            "correct that return instead.",
            pointer="/period_start",
        )


async def file_report(
    session: AsyncSession, principal: Principal, commitment_id: str, body: ProgressReportInput
) -> ProgressReport:
    commitment = await own_commitment(session, principal, commitment_id)
    pledge, covenant = await pledge_and_covenant_of(session, commitment)
    if pledge.status not in REPORTABLE_PLEDGE_STATES:
        raise Conflict(f"The pledge is {pledge.status}: delivery is reported on offers once they are published.")
    check_period(body.period_start, body.period_end, utcnow().date())
    check_counts(body.model_dump(include=set(COUNTS)))
    await _refuse_overlap(session, commitment.id, body.period_start, body.period_end)
    report = ProgressReport(id=new_id("progress_report"), commitment_id=commitment.id, **body.model_dump())
    session.add(report)
    await audit.created(session, principal, "progress_report.create", report, scope=audit_scope(pledge, covenant))
    return report


async def correct_report(
    session: AsyncSession, principal: Principal, report_id: str, precondition: Precondition, body: ProgressReportUpdate
) -> ProgressReport:
    report = await session.get(ProgressReport, report_id)
    commitment = await session.get(Commitment, report.commitment_id) if report else None
    if report is None or commitment is None or commitment.signatory_id != principal.signatory_id:
        raise NotFound(f"No progress report {report_id}.")
    check_version(report, precondition)
    closes = correctable_until(report)
    if utcnow().date() > closes:
        raise Conflict(f"The window for correcting this return closed on {closes}.")
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    check_counts({field: changes.get(field, getattr(report, field)) for field in COUNTS})
    pledge, covenant = await pledge_and_covenant_of(session, commitment)
    async with audit.changing(
        session, principal, "progress_report.correct", report, scope=audit_scope(pledge, covenant)
    ):
        if changes.get("narrative", report.narrative) != report.narrative:
            # New words have not been read by an officer: none of them is public until approved again.
            report.public_narrative, report.narrative_approved_at = None, None
        for field, value in changes.items():
            setattr(report, field, value)
        report.updated_at = utcnow()
    return report


async def _officers_report(session: AsyncSession, principal: Principal, report_id: str) -> tuple[ProgressReport, Any]:
    report = await session.get(ProgressReport, report_id)
    commitment = await session.get(Commitment, report.commitment_id) if report else None
    if report is None or commitment is None:
        raise NotFound(f"No progress report {report_id}.")
    pledge, covenant = await pledge_and_covenant_of(session, commitment)
    try:
        require_officer_of(principal, covenant.authority_id)
    except Forbidden:
        raise NotFound(f"No progress report {report_id}.") from None
    return report, audit_scope(pledge, covenant)


async def approve_narrative(
    session: AsyncSession, principal: Principal, report_id: str, public_text: str | None
) -> ProgressReport:
    """An officer of the covenant publishes the narrative in the annual report, as written or redacted."""
    report, scope = await _officers_report(session, principal, report_id)
    wording = public_text if public_text is not None else report.narrative
    if not wording.strip():
        raise ValidationFailed(
            "This return has no narrative to publish; send the public wording.", pointer="/public_narrative"
        )
    async with audit.changing(session, principal, "progress_report.approve_narrative", report, scope=scope):
        report.public_narrative, report.narrative_approved_at = wording, utcnow()
        report.updated_at = utcnow()
    return report


async def withhold_narrative(session: AsyncSession, principal: Principal, report_id: str) -> ProgressReport:
    """An officer takes the public version down: the narrative is private again."""
    report, scope = await _officers_report(session, principal, report_id)
    async with audit.changing(session, principal, "progress_report.withhold_narrative", report, scope=scope):
        report.public_narrative, report.narrative_approved_at = None, None
        report.updated_at = utcnow()
    return report


def report_select() -> Select[*tuple[Any, ...]]:
    return (
        select(
            ProgressReport,
            col(Commitment.title).label("commitment_title"),
            col(Signatory.id).label("signatory_id"),
            col(Signatory.name).label("signatory_name"),
            col(Signatory.sector).label("signatory_sector"),
            col(Priority.id).label("priority_id"),
            col(Priority.code).label("priority_code"),
            col(Priority.title).label("priority_title"),
        )
        .join(Commitment, col(Commitment.id) == col(ProgressReport.commitment_id))
        .join(Signatory, col(Signatory.id) == col(Commitment.signatory_id))
        .join(Priority, col(Priority.id) == col(Commitment.priority_id))
    )


def report_document(row: Any) -> dict[str, Any]:
    report: ProgressReport = row.ProgressReport
    return {
        "id": report.id,
        "commitment_id": report.commitment_id,
        "commitment_title": row.commitment_title,
        "signatory": {"id": row.signatory_id, "name": row.signatory_name, "sector": row.signatory_sector},
        "priority": {"id": row.priority_id, "code": row.priority_code, "title": row.priority_title},
        "period_start": report.period_start,
        "period_end": report.period_end,
        **{field: getattr(report, field) for field in COUNTS},
        "narrative": report.narrative,
        "public_narrative": report.public_narrative,
        "narrative_approved_at": report.narrative_approved_at,
        "correctable_until": correctable_until(report),
        "created_at": report.created_at,
        "updated_at": report.updated_at,
    }


REPORT_BY_ID = report_select().where(col(ProgressReport.id) == bindparam("id"))
REPORTS_OF_COMMITMENT = (
    report_select()
    .where(col(ProgressReport.commitment_id) == bindparam("commitment"))
    .order_by(col(ProgressReport.period_start))
)


async def report_document_of(session: AsyncSession, report_id: str) -> dict[str, Any]:
    """One return as the API shows it (after it was filed or corrected)."""
    return report_document((await session.execute(REPORT_BY_ID, {"id": report_id})).one())


async def commitment_reports(session: AsyncSession, principal: Principal, commitment_id: str) -> list[dict[str, Any]]:
    """Every return of one commitment, oldest period first: for its organisation, its covenant's officers and
    the operator."""
    await visible_commitment(session, principal, commitment_id)
    rows = (await session.execute(REPORTS_OF_COMMITMENT, {"commitment": commitment_id})).all()
    return [report_document(row) for row in rows]


async def report_view(session: AsyncSession, principal: Principal, report_id: str) -> tuple[ProgressReport, Any]:
    """One return, for its organisation, its covenant's officers and the operator; 404 for anyone else."""
    report = await session.get(ProgressReport, report_id)
    if report is None:
        raise NotFound(f"No progress report {report_id}.")
    try:
        await visible_commitment(session, principal, report.commitment_id)
    except NotFound:
        raise NotFound(f"No progress report {report_id}.") from None
    return report, await report_document_of(session, report.id)


REPORT_KEYSET = Keyset((table_of(ProgressReport).c.id,))


async def covenant_reports(
    session: AsyncSession,
    principal: Principal,
    reference: str,
    *,
    period_from: date | None,
    period_to: date | None,
    cursor: str | None,
    limit: int,
) -> Page:
    """A page of an officer's covenant's returns in filing order, optionally only periods starting within a
    range."""
    covenant = await officers_covenant(session, principal, reference)
    statement = report_select().where(col(Commitment.covenant_id) == covenant.id)
    if period_from is not None:
        statement = statement.where(col(ProgressReport.period_start) >= period_from)
    if period_to is not None:
        statement = statement.where(col(ProgressReport.period_start) <= period_to)
    rows = (await session.execute(REPORT_KEYSET.apply(statement, cursor, limit))).all()
    shown, next_cursor = REPORT_KEYSET.page(rows, limit, lambda row: (row.ProgressReport.id,))
    return Page([report_document(row) for row in shown], next_cursor)
