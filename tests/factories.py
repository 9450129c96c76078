"""Test data written straight into the database through the real models (no mocks).

Defaults make a public record (verified organisation, published pledge, active offer); tests override
only what they are about.
"""

import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from app.enums import Audience, CareStatus, flags_to_mask
from app.ids import new_id
from app.models import (
    Authority,
    Commitment,
    CommitmentArea,
    Covenant,
    Pledge,
    Priority,
    ProgressReport,
    Signatory,
    SignatoryArea,
)
from app.services import keys
from app.services.dates import add_months
from app.services.projection import rebuild_public_commitments

_numbers = itertools.count(1)


class Factory:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def save(self, *rows: SQLModel) -> None:
        async with self.sessionmaker() as session, session.begin():
            session.add_all(rows)
            await session.flush()
            # The app keeps its public read model in step with every change; so does test data.
            await rebuild_public_commitments(await session.connection())

    async def update(self, row: SQLModel, **changes: Any) -> None:
        """Change a saved row, as a service would (the public read model follows)."""
        for key, value in changes.items():
            setattr(row, key, value)
        async with self.sessionmaker() as session, session.begin():
            await session.merge(row)
            await session.flush()
            await rebuild_public_commitments(await session.connection())

    async def authority(self, **overrides: Any) -> Authority:
        number = next(_numbers)
        row = Authority(
            id=new_id("authority"),
            name=f"Test Council {number}",
            gss_code=f"E06{number:06d}",
            region="North West",
            website="https://council.example.org",
        )
        for key, value in overrides.items():
            setattr(row, key, value)
        await self.save(row)
        return row

    async def covenant(
        self, authority: Authority | None = None, *, priorities: int = 3, **overrides: Any
    ) -> tuple[Covenant, list[Priority]]:
        authority = authority or await self.authority()
        number = next(_numbers)
        covenant = Covenant(
            id=new_id("covenant"),
            authority_id=authority.id,
            slug=f"test-covenant-{number}",
            title=f"Test Covenant {number}",
            audience=Audience.CARE_LEAVERS,
            description="A covenant for tests.",
            status="open",
            launched_on=date(2025, 10, 1),
        )
        for key, value in overrides.items():
            setattr(covenant, key, value)
        rows = [
            Priority(
                id=new_id("priority"),
                covenant_id=covenant.id,
                code=f"P{position}",
                title=f"Priority {position}",
                description="",
                position=position,
            )
            for position in range(priorities)
        ]
        await self.save(covenant, *rows)
        return covenant, rows

    async def signatory(self, *, areas: tuple[str, ...] = ("E10000017",), **overrides: Any) -> Signatory:
        number = next(_numbers)
        row = Signatory(
            id=new_id("signatory"),
            name=f"Organisation {number:05d}",
            description="An organisation for tests.",
            sector="private",
            organisation_type="business",
            size_band="small",
            website="https://org.example.org",
            public_contact="hello@org.example.org",
            contact_name="Private Person",
            contact_email=f"private.person.{number}@org.example.org",
            contact_phone="07700 900000",
            status="verified",
            verified_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        )
        for key, value in overrides.items():
            setattr(row, key, value)
        await self.save(row, *(SignatoryArea(signatory_id=row.id, area_code=code) for code in areas))
        return row

    async def pledge(self, signatory: Signatory, covenant: Covenant, **overrides: Any) -> Pledge:
        published_on = date(2026, 2, 1)
        row = Pledge(
            id=new_id("pledge"),
            signatory_id=signatory.id,
            covenant_id=covenant.id,
            statement="We pledge to help care leavers.",
            status="published",
            signed_on=date(2026, 1, 20),
            published_at=datetime(2026, 2, 1, 10, 0, tzinfo=UTC),
            review_due=add_months(published_on, covenant.review_cycle_months),
        )
        for key, value in overrides.items():
            setattr(row, key, value)
        await self.save(row)
        return row

    async def commitment(
        self,
        pledge: Pledge,
        priority: Priority,
        *,
        areas: tuple[str, ...] = ("E10000017",),
        audiences: tuple[str, ...] = (Audience.CARE_LEAVERS,),
        care_statuses: tuple[str, ...] = (),
        **overrides: Any,
    ) -> Commitment:
        number = next(_numbers)
        row = Commitment(
            id=new_id("commitment"),
            pledge_id=pledge.id,
            covenant_id=pledge.covenant_id,
            signatory_id=pledge.signatory_id,
            priority_id=priority.id,
            offer_type="apprenticeship",
            title=f"Offer {number}",
            description="An offer for tests.",
            min_age=16,
            max_age=25,
            audience_mask=flags_to_mask(Audience, audiences),
            care_status_mask=flags_to_mask(CareStatus, care_statuses),
            capacity_places=2,
            capacity_period="per_year",
            access_text="Ask your personal adviser.",
            access_url="https://org.example.org/apply",
            status="active",
        )
        for key, value in overrides.items():
            setattr(row, key, value)
        await self.save(row, *(CommitmentArea(commitment_id=row.id, area_code=code) for code in areas))
        return row

    async def progress_report(self, commitment: Commitment, **overrides: Any) -> ProgressReport:
        row = ProgressReport(
            id=new_id("progress_report"),
            commitment_id=commitment.id,
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
            places_offered=2,
            referrals=5,
            applications=4,
            starts=2,
            sustained=1,
            narrative="Two young people started.",
        )
        for key, value in overrides.items():
            setattr(row, key, value)
        await self.save(row)
        return row

    async def public_offer(self, **overrides: Any) -> Commitment:
        """A complete public chain: authority, covenant, verified organisation, published pledge, active offer."""
        covenant, priorities = await self.covenant()
        signatory = await self.signatory()
        pledge = await self.pledge(signatory, covenant)
        return await self.commitment(pledge, priorities[0], **overrides)


class Keyring:
    """Real API keys for tests, issued through the same service the API uses."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def issue(self, owner: keys.KeyOwner, scopes: list[str] | None = None) -> str:
        async with self.sessionmaker() as session, session.begin():
            new_key = await keys.issue(session, None, owner, name="test key", scopes=scopes)
        return new_key.plaintext

    async def organisation(self, signatory_id: str, scopes: list[str] | None = None) -> str:
        return await self.issue(keys.KeyOwner.of_signatory(signatory_id), scopes)

    async def officer(self, authority_id: str, scopes: list[str] | None = None) -> str:
        return await self.issue(keys.KeyOwner.of_authority(authority_id), scopes)

    async def officer_of_covenant(self, covenant_id: str) -> str:
        async with self.sessionmaker() as session:
            covenant = await session.get(Covenant, covenant_id)
        assert covenant is not None
        return await self.officer(covenant.authority_id)

    async def operator(self) -> str:
        return await self.issue(keys.KeyOwner.operator())
