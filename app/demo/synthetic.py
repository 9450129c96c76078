"""Realistic synthetic data at scale for benchmarks: `covenant-registry seed-synthetic --signatories N --commitments M`

Each run adds its own authorities and covenants (GSS codes in the unused E98 range), so runs never collide. Their
offers and organisations are placed in real councils (HOMES), a county's spread over it and its districts, so
that area filters meet the council hierarchy as they would in production.
Rows go in with COPY on PostgreSQL (about 200k commitments in well under a minute) and in executemany batches
on SQLite. The mix of statuses matches a mature registry: most organisations verified, most pledges
published, most offers active.
"""

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import col

from app.db import bulk_insert
from app.enums import (
    NATIONAL,
    REMOTE,
    Audience,
    CapacityPeriod,
    CareStatus,
    CommitmentStatus,
    OfferType,
    OrganisationType,
    PledgeStatus,
    Sector,
    SignatoryStatus,
    SizeBand,
    flags_to_mask,
)
from app.geography.authorities import geography
from app.ids import encode_crockford, new_id
from app.models import (
    Authority,
    Commitment,
    CommitmentArea,
    Covenant,
    Pledge,
    Priority,
    Signatory,
    SignatoryArea,
    table_of,
)
from app.services import data_version
from app.services.dates import add_months
from app.services.projection import rebuild_public_commitments

BATCH = 20_000
PROGRESS_STEPS = 10

# Called with (commitments inserted so far, commitments asked for) after each batch of them goes in.
Progress = Callable[[int, int], None]

PLACES = [
    "Northfield",
    "Eastbrook",
    "Westmere",
    "Southcliffe",
    "Kingsholme",
    "Ashworth",
    "Brackenridge",
    "Millbrook",
    "Harrowgate",
    "Fenwick",
    "Oakhampton",
    "Redwater",
    "Stonebridge",
    "Thornbury",
    "Wyvern",
]
# Where each synthetic covenant's offers are: counties and single-tier councils taking turns, so a county's
# filter (itself and its districts) and a unitary's (itself) each cover one covenant's share of the offers.
HOMES = [
    "E10000017",  # Lancashire (county, 12 districts)
    "E06000023",  # Bristol (unitary)
    "E10000016",  # Kent
    "E08000025",  # Birmingham (metropolitan borough)
    "E10000012",  # Essex
    "E09000007",  # Camden (London borough)
    "E10000030",  # Surrey
    "E08000035",  # Leeds
    "E10000008",  # Devon
    "E06000047",  # County Durham
    "E10000020",  # Norfolk
    "E08000003",  # Manchester
]
# Of a county's offers, the share made for the whole county; the rest are for one of its districts.
COUNTY_WIDE_SHARE = 0.3

TRADES = {
    Sector.PRIVATE: [
        "Engineering",
        "Logistics",
        "Bakery",
        "Building Society",
        "Construction",
        "Software",
        "Hotels",
        "Solicitors",
        "Garage",
        "Energy",
        "Retail",
        "Printing",
        "Catering",
    ],
    Sector.PUBLIC: ["Fire and Rescue Service", "Borough Council", "Police", "Library Service", "Transport Authority"],
    Sector.VOLUNTARY: ["Youth Trust", "Housing Association", "Foundation", "Community Kitchen", "Sports Trust"],
    Sector.EDUCATION: ["College", "University", "Sixth Form", "Training Academy"],
}
TYPES_BY_SECTOR = {
    Sector.PRIVATE: [OrganisationType.BUSINESS, OrganisationType.SOCIAL_ENTERPRISE],
    Sector.PUBLIC: [OrganisationType.PUBLIC_BODY, OrganisationType.LOCAL_AUTHORITY, OrganisationType.HEALTH_BODY],
    Sector.VOLUNTARY: [OrganisationType.CHARITY, OrganisationType.SOCIAL_ENTERPRISE],
    Sector.EDUCATION: [OrganisationType.EDUCATION_INSTITUTION],
}
OFFER_TITLES = {
    OfferType.APPRENTICESHIP: "Paid {trade} apprenticeship",
    OfferType.INTERNSHIP: "Summer internship in {trade}",
    OfferType.JOB: "Ring-fenced entry-level job",
    OfferType.TRAINEESHIP: "Traineeship with a guaranteed interview at the end",
    OfferType.WORK_EXPERIENCE: "Two weeks' paid work experience",
    OfferType.INSIGHT_DAY: "Insight day: a day behind the scenes",
    OfferType.GUARANTEED_INTERVIEW: "Guaranteed interview for any vacancy",
    OfferType.MENTORING: "One-to-one mentoring for a year",
    OfferType.TRAINING: "Free {trade} skills course",
    OfferType.BURSARY: "Bursary towards study costs",
    OfferType.ACCOMMODATION: "Ring-fenced tenancy",
    OfferType.GUARANTOR: "Rent guarantor scheme",
    OfferType.DISCOUNT: "Discount for care leavers",
    OfferType.LEISURE: "Free leisure pass",
    OfferType.FINANCIAL_SUPPORT: "Help with setting-up-home costs",
    OfferType.ADVICE: "Free advice sessions",
    OfferType.OTHER: "Something else we can offer",
}
PRIORITIES = [
    ("HOME", "A suitable place to live"),
    ("EET", "Education, employment and training"),
    ("HEALTH", "Health and wellbeing"),
    ("MONEY", "Money and financial stability"),
    ("SAFE", "Safety and stability"),
    ("VOICE", "Voice and participation"),
    ("LEISURE", "Leisure and celebration"),
    ("REL", "Relationships"),
]


def weighted(rng: random.Random, options: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in options], weights=[weight for _, weight in options])[0]


@dataclass
class SeedSummary:
    authorities: int
    covenants: int
    signatories: int
    pledges: int
    commitments: int
    seconds: float
    busiest_priority_id: str


class IdSequence:
    """Ids whose time part increases row by row, so keyset order is insertion order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ms = time.time_ns() // 1_000_000 - 10_000_000

    def __call__(self, kind: str) -> str:
        self.ms += 1
        return new_id(kind, at_ms=self.ms, randomness=self.rng.getrandbits(80))


class SyntheticRegistry:
    def __init__(self, rng: random.Random, signatories: int) -> None:
        self.rng = rng
        self.ids = IdSequence(rng)
        self.run = encode_crockford(rng.getrandbits(30), 6).lower()
        self.now = datetime.now(UTC)
        council_count = max(1, min(12, signatories // 400 or 1))
        self.councils = [self._council(number) for number in range(council_count)]

    def _council(self, number: int) -> dict[str, Any]:
        place = PLACES[number % len(PLACES)]
        code = f"E98{self.rng.randrange(10**6):06d}"
        authority_id = self.ids("authority")
        covenant_id = self.ids("covenant")
        priorities = [
            {
                "id": self.ids("priority"),
                "covenant_id": covenant_id,
                "code": code_,
                "title": title,
                "description": f"Offers under {title.lower()}.",
                "position": position,
                "created_at": self.now,
            }
            for position, (code_, title) in enumerate(PRIORITIES)
        ]
        return {
            "authority": {
                "id": authority_id,
                "name": f"{place} Council ({self.run}-{number})",
                "gss_code": code,
                "region": "Synthetic",
                "website": None,
                "created_at": self.now,
                "updated_at": self.now,
            },
            "covenant": {
                "id": covenant_id,
                "authority_id": authority_id,
                "slug": f"synthetic-{self.run}-{number}",
                "title": f"{place} Care Leavers Covenant",
                "audience": Audience.CARE_LEAVERS.value,
                "min_age": 16,
                "max_age": 25,
                "description": "Synthetic covenant for benchmarks.",
                "status": "open",
                "launched_on": date(2024, 4, 1),
                "review_cycle_months": 12,
                "created_at": self.now,
                "updated_at": self.now,
            },
            "priorities": priorities,
            "home": HOMES[number % len(HOMES)],
        }

    def place_in(self, council: dict[str, Any]) -> str:
        """A council of the synthetic covenant's home: the home itself, or for a county often one of its
        districts."""
        home = council["home"]
        districts = geography().children.get(home, ())
        if districts and self.rng.random() >= COUNTY_WIDE_SHARE:
            return self.rng.choice(districts)
        return str(home)

    def signatory(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        sector = weighted(
            rng, [(Sector.PRIVATE, 60), (Sector.PUBLIC, 12), (Sector.VOLUNTARY, 20), (Sector.EDUCATION, 8)]
        )
        status = weighted(
            rng,
            [
                (SignatoryStatus.VERIFIED, 92),
                (SignatoryStatus.PENDING, 5),
                (SignatoryStatus.SUSPENDED, 2),
                (SignatoryStatus.WITHDRAWN, 1),
            ],
        )
        signatory_id = self.ids("signatory")
        name = f"{rng.choice(PLACES)} {rng.choice(TRADES[sector])} {signatory_id[-5:]}"
        row = {
            "id": signatory_id,
            "name": name,
            "description": f"{name} is a synthetic organisation.",
            "sector": sector.value,
            "organisation_type": rng.choice(TYPES_BY_SECTOR[sector]).value,
            "size_band": rng.choice(list(SizeBand)).value,
            "companies_house_number": None,
            "charity_number": None,
            "website": None,
            "public_contact": f"covenant@{signatory_id[-8:].lower()}.example.org",
            "contact_name": "Synthetic Contact",
            "contact_email": "contact@example.org",
            "contact_phone": None,
            "status": status.value,
            "verified_at": self.now if status == SignatoryStatus.VERIFIED else None,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
        }
        council = rng.choice(self.councils)
        areas = [NATIONAL] if rng.random() < 0.08 else [self.place_in(council)]
        return row, [{"signatory_id": signatory_id, "area_code": code} for code in areas]

    def pledge(self, signatory: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        council = self.rng.choice(self.councils)
        status = weighted(
            self.rng,
            [
                (PledgeStatus.PUBLISHED, 88),
                (PledgeStatus.DRAFT, 3),
                (PledgeStatus.SUBMITTED, 3),
                (PledgeStatus.CHANGES_REQUESTED, 2),
                (PledgeStatus.WITHDRAWN, 2),
                (PledgeStatus.LAPSED, 2),
            ],
        )
        if signatory["status"] != SignatoryStatus.VERIFIED and status == PledgeStatus.PUBLISHED:
            status = PledgeStatus.SUBMITTED
        published = status in (PledgeStatus.PUBLISHED, PledgeStatus.WITHDRAWN, PledgeStatus.LAPSED)
        published_on = date(2025, 1, 1) + timedelta(days=self.rng.randrange(600))
        row = {
            "id": self.ids("pledge"),
            "signatory_id": signatory["id"],
            "covenant_id": council["covenant"]["id"],
            "statement": "We pledge to open doors for care-experienced young people.",
            "status": status.value,
            "signed_on": published_on - timedelta(days=14),
            "submitted_at": None,
            "published_at": datetime.combine(published_on, datetime.min.time(), UTC) if published else None,
            "review_due": add_months(published_on, 12) if published else None,
            "review_comment": None,
            "withdrawn_reason": "Synthetic withdrawal." if status == PledgeStatus.WITHDRAWN else None,
            "withdrawn_at": None,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
        }
        return row, council

    def commitment(
        self, pledge: dict[str, Any], council: dict[str, Any], trade: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        offer_type = rng.choice(list(OfferType))
        min_age = rng.choice([16, 16, 17, 18, 18, 21])
        max_age = rng.choice([age for age in (18, 21, 24, 25, 25) if age >= min_age])
        period = weighted(
            rng,
            [
                (CapacityPeriod.PER_YEAR, 50),
                (CapacityPeriod.ONGOING, 25),
                (CapacityPeriod.ONE_OFF, 15),
                (CapacityPeriod.UNLIMITED, 10),
            ],
        )
        status = weighted(
            rng,
            [
                (CommitmentStatus.ACTIVE, 85),
                (CommitmentStatus.PAUSED, 7),
                (CommitmentStatus.FULL, 5),
                (CommitmentStatus.ENDED, 2),
                (CommitmentStatus.WITHDRAWN, 1),
            ],
        )
        commitment_id = self.ids("commitment")
        title = OFFER_TITLES[offer_type].format(trade=trade.lower())
        row = {
            "id": commitment_id,
            "pledge_id": pledge["id"],
            "covenant_id": pledge["covenant_id"],
            "signatory_id": pledge["signatory_id"],
            "priority_id": rng.choice(council["priorities"])["id"],
            "offer_type": offer_type.value,
            "title": title,
            "description": f"{title} for care leavers aged {min_age} to {max_age}, with support from a named contact.",
            "min_age": min_age,
            "max_age": max_age,
            "audience_mask": flags_to_mask(Audience, [Audience.CARE_LEAVERS]),
            "care_status_mask": flags_to_mask(CareStatus, [CareStatus.FORMER_RELEVANT]) if rng.random() < 0.05 else 0,
            "capacity_places": None if period == CapacityPeriod.UNLIMITED else rng.randint(1, 12),
            "capacity_period": period.value,
            "access_text": "Ask your personal adviser to refer you, or contact us and mention the covenant.",
            "access_url": None,
            "starts_on": None,
            "ends_on": None,
            "apply_by": date(2026, 1, 1) + timedelta(days=rng.randrange(500)) if rng.random() < 0.3 else None,
            "status": status.value,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
        }
        roll = rng.random()
        areas = [self.place_in(council)] + ([REMOTE] if roll < 0.1 else [NATIONAL] if roll < 0.18 else [])
        return row, [{"commitment_id": commitment_id, "area_code": code} for code in areas]


def spread(total: int, buckets: int, rng: random.Random) -> list[int]:
    """Split `total` over `buckets`, each at least 1 where possible, unevenly as real pledges are."""
    counts = [1 if total >= buckets else 0] * buckets
    # A few organisations make many offers, most make a handful: Pareto weights, capped.
    weights = [min(rng.paretovariate(2.0), 10.0) for _ in range(buckets)]
    for index in rng.choices(range(buckets), weights=weights, k=total - sum(counts)):
        counts[index] += 1
    return counts


async def seed_synthetic(
    engine: AsyncEngine, *, signatories: int, commitments: int, seed: int = 2026, progress: Progress | None = None
) -> SeedSummary:
    """Add the data in one transaction. `progress` only observes: the same seed gives the same data with or
    without it, since it draws nothing from the random generator."""
    started = time.perf_counter()
    rng = random.Random(seed)
    registry = SyntheticRegistry(rng, signatories)
    async with engine.begin() as conn:
        await bulk_insert(conn, table_of(Authority), [c["authority"] for c in registry.councils])
        await bulk_insert(conn, table_of(Covenant), [c["covenant"] for c in registry.councils])
        await bulk_insert(conn, table_of(Priority), [p for c in registry.councils for p in c["priorities"]])

        pledge_rows: list[tuple[dict[str, Any], dict[str, Any], str]] = []
        for start in range(0, signatories, BATCH):
            signatory_rows, area_rows = [], []
            for _ in range(min(BATCH, signatories - start)):
                row, areas = registry.signatory()
                signatory_rows.append(row)
                area_rows.extend(areas)
                pledge, council = registry.pledge(row)
                pledge_rows.append((pledge, council, row["name"].split()[1]))
            await bulk_insert(conn, table_of(Signatory), signatory_rows)
            await bulk_insert(conn, table_of(SignatoryArea), area_rows)
        await bulk_insert(conn, table_of(Pledge), [pledge for pledge, _, _ in pledge_rows])

        batches = CommitmentBatches(conn, commitments, progress)
        for (pledge, council, trade), count in zip(
            pledge_rows, spread(commitments, len(pledge_rows), rng), strict=True
        ):
            for _ in range(count):
                batches.add(*registry.commitment(pledge, council, trade))
            await batches.flush(only_if_full=True)
        await batches.flush()

    # Fresh statistics (committed: pg_statistic is transactional) before and after the read model is built,
    # so the planner knows the tables just grew.
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    async with engine.begin() as conn:
        covenant_ids = [c["covenant"]["id"] for c in registry.councils]
        await rebuild_public_commitments(conn, table_of(Commitment).c.covenant_id.in_(covenant_ids))
        await data_version.bump(conn)  # Core-only writes: no session hook saw them
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
        busiest = (
            await conn.execute(
                select(col(Commitment.priority_id))
                .where(col(Commitment.covenant_id).in_([c["covenant"]["id"] for c in registry.councils]))
                .group_by(col(Commitment.priority_id))
                .order_by(func.count().desc())
                .limit(1)
            )
        ).scalar_one()
    return SeedSummary(
        authorities=len(registry.councils),
        covenants=len(registry.councils),
        signatories=signatories,
        pledges=len(pledge_rows),
        commitments=commitments,
        seconds=time.perf_counter() - started,
        busiest_priority_id=busiest,
    )


class CommitmentBatches:
    """Commitments and their areas, inserted a batch at a time; progress is told after each batch."""

    def __init__(self, conn: AsyncConnection, total: int, progress: Progress | None) -> None:
        self.conn = conn
        self.total = total
        self.progress = progress
        # At least PROGRESS_STEPS batches, so progress can be told in tenths however few were asked for.
        self.size = max(1, min(BATCH, -(-total // PROGRESS_STEPS)))
        self.rows: list[dict[str, Any]] = []
        self.areas: list[dict[str, Any]] = []
        self.inserted = 0

    def add(self, row: dict[str, Any], areas: list[dict[str, Any]]) -> None:
        self.rows.append(row)
        self.areas.extend(areas)

    async def flush(self, *, only_if_full: bool = False) -> None:
        if not self.rows or (only_if_full and len(self.rows) < self.size):
            return
        await bulk_insert(self.conn, table_of(Commitment), self.rows)
        await bulk_insert(self.conn, table_of(CommitmentArea), self.areas)
        self.inserted += len(self.rows)
        self.rows, self.areas = [], []
        if self.progress is not None:
            self.progress(self.inserted, self.total)
