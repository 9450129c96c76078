"""The write path under load: organisations each run their whole flow (start a pledge, add ten commitments,
submit) through HTTP, every POST with an Idempotency-Key, audit on, against a running service.

Used by bench.py after the read cases; the organisations are created directly in the database first (they
would otherwise register, which is rate-limited per address) and get API keys from the service's own code.
"""

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.ids import new_id
from app.models import Covenant, Priority, Signatory, SignatoryArea
from app.services import keys


@dataclass
class Organisation:
    key: str


async def prepare(database_url: str, count: int) -> tuple[list[Organisation], str, str, str]:
    """`count` verified organisations with keys, and an open covenant's slug, area and first priority code."""
    engine = create_engine(Settings(database_url=database_url), pooled=False)
    organisations: list[Organisation] = []
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            covenant = (await session.execute(select(Covenant).where(Covenant.status == "open").limit(1))).scalar_one()
            priority = (
                await session.execute(select(Priority.code).where(Priority.covenant_id == covenant.id).limit(1))
            ).scalar_one()
            area = (
                await session.execute(
                    select(SignatoryArea.area_code).where(SignatoryArea.area_code.like("E%")).limit(1)
                )
            ).scalar_one()
            run = uuid.uuid4().hex[:6]
            for number in range(count):
                signatory = Signatory(
                    id=new_id("signatory"),
                    name=f"Write bench {run} {number:05d}",
                    sector="private",
                    organisation_type="business",
                    size_band="small",
                    status="verified",
                )
                session.add(signatory)
                await session.flush()
                issued = await keys.issue(session, None, keys.KeyOwner.of_signatory(signatory.id), name="bench")
                organisations.append(Organisation(issued.plaintext))
    finally:
        await engine.dispose()
    return organisations, covenant.slug, area, priority


def commitment(number: int, priority: str, area: str) -> dict[str, Any]:
    return {
        "priority": priority,
        "offer_type": "apprenticeship",
        "title": f"Paid apprenticeship {number}",
        "description": "A level 2 apprenticeship with a named mentor.",
        "eligibility": {"min_age": 16, "max_age": 24},
        "areas": [area],
        "capacity": {"places": 2, "period": "per_year"},
        "how_to_access": {"text": "Ask your personal adviser to email us."},
    }


async def one_flow(
    http: httpx.AsyncClient, organisation: Organisation, slug: str, area: str, priority: str, latencies: list[float]
) -> int:
    headers = {"Authorization": f"Bearer {organisation.key}"}

    async def post(path: str, body: Any) -> dict[str, Any]:
        started = time.perf_counter()
        response = await http.post(path, json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
        latencies.append(time.perf_counter() - started)
        if response.status_code >= 300:
            raise SystemExit(f"POST {path}: {response.status_code} {response.text}")
        return response.json()

    pledge = await post("/v1/pledges", {"covenant": slug, "statement": "We will offer apprenticeships."})
    for number in range(10):
        await post(f"/v1/pledges/{pledge['id']}/commitments", commitment(number, priority, area))
    await post(f"/v1/pledges/{pledge['id']}/submit", None)
    return 12


async def measure_write_flows(
    base_url: str, database_url: str, *, duration: float, concurrency: int = 16, organisations: int = 2000
) -> dict[str, float]:
    prepared, slug, area, priority = await prepare(database_url, organisations)
    queue = list(reversed(prepared))
    latencies: list[float] = []
    flows = requests = 0
    deadline = time.perf_counter() + duration

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal flows, requests
        while time.perf_counter() < deadline and queue:
            sent = await one_flow(http, queue.pop(), slug, area, priority, latencies)
            requests, flows = requests + sent, flows + 1

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "flows": flows,
        "flows_per_second": flows / elapsed,
        "write_requests_per_second": requests / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }
