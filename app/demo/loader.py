"""Loads app/demo/content.py into the database, idempotently.

Every demo record gets an id derived from its key, so a second load finds the records already there and adds
only what is missing: loading twice never duplicates anything.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from app.demo import content, council_content
from app.enums import (
    Audience,
    CareStatus,
    MeasureSource,
    PledgeStatus,
    SignatoryStatus,
    VoiceEntryStatus,
    flags_to_mask,
)
from app.ids import new_id
from app.models import (
    Authority,
    Commitment,
    CommitmentArea,
    Covenant,
    Measure,
    MeasureValue,
    Pledge,
    Priority,
    ProblemReport,
    ProgressReport,
    Signatory,
    SignatoryArea,
    Strategy,
    StrategyAction,
    VoiceEntry,
    VoiceResponse,
    table_of,
)
from app.services.dates import add_months
from app.services.projection import rebuild_public_commitments

commitment_table = table_of(Commitment)

# Demo ids carry this instant as their time part, plus a position, so they sort in content order.
DEMO_EPOCH_MS = int(datetime(2025, 9, 1, tzinfo=UTC).timestamp() * 1000)
DEMO_TODAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def demo_id(kind: str, key: str, position: int) -> str:
    randomness = int.from_bytes(hashlib.sha256(f"{kind}:{key}".encode()).digest()[:10], "big")
    return new_id(kind, at_ms=DEMO_EPOCH_MS + position, randomness=randomness)


def on_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def at_ten(value: str | None) -> datetime | None:
    return ten_on(value) if value else None


def ten_on(value: str) -> datetime:
    return datetime.combine(date.fromisoformat(value), time(10, 0), tzinfo=UTC)


@dataclass
class DemoRecords:
    """Every row of the demo data, in insertion order."""

    rows: list[SQLModel] = field(default_factory=list)
    counter: int = 0
    # Offers by their content key (`signatory/covenant/number`), for the councils' records that point at one.
    commitments: dict[str, Commitment] = field(default_factory=dict)

    def next_position(self) -> int:
        self.counter += 1
        return self.counter


def build_demo_records() -> DemoRecords:
    records = DemoRecords()
    authority_ids = {a["key"]: _authority(records, a) for a in content.AUTHORITIES}
    covenants = {c["key"]: _covenant(records, c, authority_ids[c["authority"]]) for c in content.COVENANTS}
    signatory_ids = {s["key"]: _signatory(records, s) for s in content.SIGNATORIES}
    for pledge in content.PLEDGES:
        _pledge(records, pledge, covenants[pledge["covenant"]], signatory_ids[pledge["signatory"]])
    # After the organisations' records, so adding the councils' ones left every earlier demo id as it was.
    action_ids: dict[str, str] = {}
    for strategy in council_content.STRATEGIES:
        action_ids |= _strategy(records, strategy, covenants[strategy["covenant"]])
    for entry in council_content.YOU_SAID:
        _you_said(records, entry, covenants[entry["covenant"]], action_ids)
    for problem in council_content.PROBLEMS:
        _problem(records, problem)
    return records


def _authority(records: DemoRecords, data: dict[str, Any]) -> str:
    authority_id = demo_id("authority", data["key"], records.next_position())
    records.rows.append(
        Authority(
            id=authority_id,
            name=data["name"],
            gss_code=data["gss_code"],
            region=data["region"],
            website=data.get("website"),
        )
    )
    return authority_id


PUBLISHED_STRATEGIES = {strategy["covenant"] for strategy in council_content.STRATEGIES if strategy["publish"]}


@dataclass
class DemoCovenant:
    id: str
    cycle_months: int
    audience: str
    priority_ids: dict[str, str]


def _covenant(records: DemoRecords, data: dict[str, Any], authority_id: str) -> DemoCovenant:
    covenant_id = demo_id("covenant", data["key"], records.next_position())
    records.rows.append(
        Covenant(
            id=covenant_id,
            authority_id=authority_id,
            slug=data["key"],
            title=data["title"],
            audience=data["audience"],
            min_age=data["min_age"],
            max_age=data["max_age"],
            description=data["description"],
            status=data["status"],
            launched_on=on_date(data.get("launched_on")),
            review_cycle_months=data["review_cycle_months"],
            publish_strategy=data["key"] in PUBLISHED_STRATEGIES,
        )
    )
    priority_ids = {}
    for position, priority in enumerate(data["priorities"]):
        priority_id = demo_id("priority", f"{data['key']}/{priority['code']}", records.next_position())
        priority_ids[priority["code"]] = priority_id
        records.rows.append(
            Priority(
                id=priority_id,
                covenant_id=covenant_id,
                code=priority["code"],
                title=priority["title"],
                description=priority["description"],
                position=position,
            )
        )
    return DemoCovenant(covenant_id, data["review_cycle_months"], data["audience"], priority_ids)


def _signatory(records: DemoRecords, data: dict[str, Any]) -> str:
    signatory_id = demo_id("signatory", data["key"], records.next_position())
    contact = data.get("contact") or {}
    verified = data["status"] in (SignatoryStatus.VERIFIED, SignatoryStatus.SUSPENDED)
    # An organisation joins a little before it first signs, and is verified a week after joining.
    signed = [p["signed_on"] for p in content.PLEDGES if p["signatory"] == data["key"] and p.get("signed_on")]
    joined_at = (at_ten(min(signed)) or datetime(2025, 10, 1, 10, 0, tzinfo=UTC)) - timedelta(days=14)
    records.rows.append(
        Signatory(
            id=signatory_id,
            name=data["name"],
            description=data["description"],
            sector=data["sector"],
            organisation_type=data["organisation_type"],
            size_band=data["size_band"],
            companies_house_number=data.get("companies_house_number"),
            charity_number=data.get("charity_number"),
            website=data.get("website"),
            public_contact=data.get("public_contact"),
            contact_name=contact.get("name"),
            contact_email=contact.get("email"),
            contact_phone=contact.get("phone"),
            status=data["status"],
            verified_at=joined_at + timedelta(days=7) if verified else None,
            created_at=joined_at,
            updated_at=joined_at,
        )
    )
    records.rows.extend(SignatoryArea(signatory_id=signatory_id, area_code=code) for code in data["areas"])
    return signatory_id


def _pledge(records: DemoRecords, data: dict[str, Any], covenant: DemoCovenant, signatory_id: str) -> None:
    key = f"{data['signatory']}/{data['covenant']}"
    pledge_id = demo_id("pledge", key, records.next_position())
    published_at = at_ten(data.get("published_on"))
    # A draft not yet signed dates from the demo's own "today", so it still sorts last.
    signed_at = at_ten(data.get("signed_on")) or DEMO_TODAY
    status = data["status"]
    records.rows.append(
        Pledge(
            id=pledge_id,
            signatory_id=signatory_id,
            covenant_id=covenant.id,
            statement=data["statement"],
            status=status,
            signed_on=on_date(data.get("signed_on")),
            submitted_at=at_ten(data.get("signed_on")) if status != PledgeStatus.DRAFT else None,
            published_at=published_at,
            review_due=add_months(published_at.date(), covenant.cycle_months) if published_at else None,
            review_comment=data.get("review_comment"),
            withdrawn_reason=data.get("withdrawn_reason"),
            withdrawn_at=published_at if status == PledgeStatus.WITHDRAWN else None,
            created_at=signed_at,
            updated_at=published_at or signed_at,
        )
    )
    for number, item in enumerate(data["commitments"]):
        # Offers date from the day their pledge was signed, so "new this year" figures read true.
        _commitment(records, item, f"{key}/{number}", pledge_id, covenant, signatory_id, signed_at)


def _commitment(
    records: DemoRecords,
    data: dict[str, Any],
    key: str,
    pledge_id: str,
    covenant: DemoCovenant,
    signatory_id: str,
    signed_at: datetime,
) -> None:
    commitment_id = demo_id("commitment", key, records.next_position())
    records.commitments[key] = Commitment(
        id=commitment_id,
        pledge_id=pledge_id,
        covenant_id=covenant.id,
        signatory_id=signatory_id,
        priority_id=covenant.priority_ids[data["priority"]],
        offer_type=data["offer_type"],
        title=data["title"],
        description=data["description"],
        min_age=data["min_age"],
        max_age=data["max_age"],
        audience_mask=flags_to_mask(Audience, data.get("audiences") or [covenant.audience]),
        care_status_mask=flags_to_mask(CareStatus, data.get("care_statuses") or []),
        capacity_places=data.get("places"),
        capacity_period=data["period"],
        access_text=data["access_text"],
        access_url=data.get("access_url"),
        starts_on=on_date(data.get("starts_on")),
        ends_on=on_date(data.get("ends_on")),
        apply_by=on_date(data.get("apply_by")),
        status=data["status"],
        created_at=signed_at,
        updated_at=signed_at,
    )
    records.rows.append(records.commitments[key])
    records.rows.extend(CommitmentArea(commitment_id=commitment_id, area_code=code) for code in data["areas"])
    for report in data.get("progress") or []:
        records.rows.append(
            ProgressReport(
                id=demo_id("progress_report", f"{key}/{report['period_start']}", records.next_position()),
                commitment_id=commitment_id,
                period_start=date.fromisoformat(report["period_start"]),
                period_end=date.fromisoformat(report["period_end"]),
                places_offered=report["places_offered"],
                referrals=report["referrals"],
                applications=report["applications"],
                starts=report["starts"],
                sustained=report["sustained"],
                narrative=report["narrative"],
                # The demo council has read its returns: a narrative is public as written, or in the redacted
                # version the content gives (`public_narrative`, null: kept private).
                public_narrative=report.get("public_narrative", report["narrative"]) or None,
                narrative_approved_at=at_ten(report["period_end"])
                if report.get("public_narrative", report["narrative"])
                else None,
            )
        )


def _strategy(records: DemoRecords, data: dict[str, Any], covenant: DemoCovenant) -> dict[str, str]:
    """The strategy, its action plan and its measures; returns the actions' ids by reference."""
    strategy_id = demo_id("strategy", data["key"], records.next_position())
    approved = ten_on(data["approved_on"])
    records.rows.append(
        Strategy(
            id=strategy_id,
            covenant_id=covenant.id,
            title=data["title"],
            period_start=date.fromisoformat(data["period_start"]),
            period_end=date.fromisoformat(data["period_end"]),
            approved_on=on_date(data["approved_on"]),
            approved_by=data["approved_by"],
            body=data["body"],
            created_at=approved,
            updated_at=approved,
        )
    )
    action_ids = {}
    for action in data["actions"]:
        action_id = demo_id("strategy_action", f"{data['key']}/{action['reference']}", records.next_position())
        action_ids[action["reference"]] = action_id
        records.rows.append(
            StrategyAction(
                id=action_id,
                strategy_id=strategy_id,
                covenant_id=covenant.id,
                priority_id=covenant.priority_ids[action["priority"]],
                reference=action["reference"],
                description=action["description"],
                owner_role=action["owner_role"],
                due_on=date.fromisoformat(action["due_on"]),
                status=action["status"],
                completed_on=on_date(action.get("completed_on")),
                created_at=approved,
                updated_at=at_ten(action.get("completed_on")) or approved,
            )
        )
    for measure in data["measures"]:
        _measure(records, measure, f"{data['key']}/{measure['key']}", strategy_id, covenant, approved)
    return action_ids


def _measure(
    records: DemoRecords, data: dict[str, Any], key: str, strategy_id: str, covenant: DemoCovenant, at: datetime
) -> None:
    measure_id = demo_id("measure", key, records.next_position())
    evidence = data.get("evidence")
    records.rows.append(
        Measure(
            id=measure_id,
            strategy_id=strategy_id,
            covenant_id=covenant.id,
            priority_id=covenant.priority_ids[data["priority"]],
            name=data["name"],
            unit=data["unit"],
            direction=data["direction"],
            baseline=data.get("baseline"),
            baseline_period=data.get("baseline_period"),
            target=data.get("target"),
            source_note=data.get("source_note", ""),
            source=MeasureSource.REGISTRY if evidence else MeasureSource.ENTERED,
            evidence=evidence,
            created_at=at,
            updated_at=at,
        )
    )
    records.rows.extend(
        MeasureValue(measure_id=measure_id, period=period, value=value, updated_at=at)
        for period, value in data.get("values", {}).items()
    )


def _you_said(records: DemoRecords, data: dict[str, Any], covenant: DemoCovenant, action_ids: dict[str, str]) -> None:
    entry_id = demo_id("voice_entry", data["key"], records.next_position())
    raised = ten_on(data["raised_on"])
    approved = data["public_words"] is not None
    records.rows.append(
        VoiceEntry(
            id=entry_id,
            covenant_id=covenant.id,
            priority_id=covenant.priority_ids[data["priority"]] if data.get("priority") else None,
            source=data["source"],
            raised_on=date.fromisoformat(data["raised_on"]),
            words=data["words"],
            public_words=data["public_words"],
            status=VoiceEntryStatus.APPROVED if approved else VoiceEntryStatus.SUBMITTED,
            through_intake=data.get("through_intake", False),
            approved_at=raised + timedelta(days=7) if approved else None,
            created_at=raised,
            updated_at=raised,
        )
    )
    for number, response in enumerate(data["responses"]):
        records.rows.append(
            VoiceResponse(
                id=demo_id("voice_response", f"{data['key']}/{number}", records.next_position()),
                entry_id=entry_id,
                what_was_done=response["did"],
                status=response["status"],
                reason=response.get("reason"),
                done_on=on_date(response.get("done_on")),
                action_id=action_ids[response["action"]] if response.get("action") else None,
                created_at=at_ten(response.get("done_on")) or raised + timedelta(days=14),
            )
        )


def _problem(records: DemoRecords, data: dict[str, Any]) -> None:
    offer = records.commitments[data["offer"]]
    records.rows.append(
        ProblemReport(
            id=demo_id("problem_report", data["key"], records.next_position()),
            commitment_id=offer.id,
            covenant_id=offer.covenant_id,
            signatory_id=offer.signatory_id,
            reason=data["reason"],
            details=data["details"],
            contact=data["contact"],
            status=data["status"],
            received_at=ten_on(data["received_on"]),
            closed_at=at_ten(data.get("closed_on")),
            closed_by=data.get("closed_by"),
            note=data.get("note"),
        )
    )


def _by_model_parents_first(rows: Iterable[SQLModel]) -> dict[type, list[SQLModel]]:
    """Rows grouped by model, parent tables before the tables whose foreign keys point at them: the tables carry
    no ORM relationships for a flush to order inserts by."""
    position = {table: index for index, table in enumerate(SQLModel.metadata.sorted_tables)}
    by_model: dict[type[SQLModel], list[SQLModel]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    return dict(sorted(by_model.items(), key=lambda item: position[table_of(item[0])]))


def _identity(row: SQLModel) -> tuple[type, tuple[Any, ...]]:
    mapper_keys = [column.key for column in table_of(type(row)).primary_key.columns]
    return type(row), tuple(getattr(row, key) for key in mapper_keys)


async def _existing(session: AsyncSession, rows: Iterable[SQLModel]) -> set[tuple[type, tuple[Any, ...]]]:
    found: set[tuple[type, tuple[Any, ...]]] = set()
    for model, model_rows in _by_model_parents_first(rows).items():
        table = table_of(model)
        key_columns = list(table.primary_key.columns)
        first_key = {getattr(row, key_columns[0].key) for row in model_rows}
        result = await session.execute(select(*key_columns).where(key_columns[0].in_(first_key)))
        found.update((model, tuple(values)) for values in result.all())
    return found


async def load_demo_data(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Insert whatever part of the demo data is missing, in one transaction. Returns rows inserted."""
    records = build_demo_records()
    demo_commitments = [row.id for row in records.rows if isinstance(row, Commitment)]
    async with sessionmaker() as session, session.begin():
        existing = await _existing(session, records.rows)
        missing = [row for row in records.rows if _identity(row) not in existing]
        for model_rows in _by_model_parents_first(missing).values():
            session.add_all(model_rows)
            await session.flush()
        await rebuild_public_commitments(await session.connection(), commitment_table.c.id.in_(demo_commitments))
    return len(missing)
