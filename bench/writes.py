"""The write path under load: organisations each run their whole flow through HTTP, every POST with an
Idempotency-Key, audit on, against a running service. Two flows end in the same place (a submitted pledge of
ten commitments): one request per step (start a pledge, add ten commitments one by one, submit: 12 POSTs), and
one request for all of it (`POST /v1/pledges` with `commitments` and `submit: true`). Each runs for the whole
duration in turn; flows per second of both, and their ratio, are reported.

Used by bench.py after the read cases, or on its own (`python -m bench.writes --help`); the organisations are
created directly in the database first (they would otherwise register, which is rate-limited per address) and
get API keys from the service's own code.
"""

import argparse
import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
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


def poster(
    http: httpx.AsyncClient, organisation: Organisation, latencies: list[float]
) -> Callable[[str, Any], Awaitable[dict[str, Any]]]:
    """A POST as the organisation, with a fresh Idempotency-Key, timed; any failure stops the bench."""
    headers = {"Authorization": f"Bearer {organisation.key}"}

    async def post(path: str, body: Any) -> dict[str, Any]:
        started = time.perf_counter()
        response = await http.post(path, json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
        latencies.append(time.perf_counter() - started)
        if response.status_code >= 300:
            raise SystemExit(f"POST {path}: {response.status_code} {response.text}")
        return response.json()

    return post


OFFERS_PER_FLOW = 10
STATEMENT = "We will offer apprenticeships."


async def one_flow(
    http: httpx.AsyncClient, organisation: Organisation, slug: str, area: str, priority: str, latencies: list[float]
) -> int:
    """Today's flow: start a pledge, add its commitments one POST each, submit. Returns the requests sent."""
    post = poster(http, organisation, latencies)
    pledge = await post("/v1/pledges", {"covenant": slug, "statement": STATEMENT})
    for number in range(OFFERS_PER_FLOW):
        await post(f"/v1/pledges/{pledge['id']}/commitments", commitment(number, priority, area))
    await post(f"/v1/pledges/{pledge['id']}/submit", None)
    return OFFERS_PER_FLOW + 2


async def one_request_flow(
    http: httpx.AsyncClient, organisation: Organisation, slug: str, area: str, priority: str, latencies: list[float]
) -> int:
    """The same submitted pledge of the same commitments, in one POST."""
    post = poster(http, organisation, latencies)
    offers = [commitment(number, priority, area) for number in range(OFFERS_PER_FLOW)]
    pledge = await post(
        "/v1/pledges", {"covenant": slug, "statement": STATEMENT, "commitments": offers, "submit": True}
    )
    if pledge["status"] != "submitted" or len(pledge["commitments"]) != OFFERS_PER_FLOW:
        raise SystemExit(f"POST /v1/pledges made {pledge['status']} with {len(pledge['commitments'])} commitments")
    return 1


Flow = Callable[[httpx.AsyncClient, Organisation, str, str, str, list[float]], Awaitable[int]]


async def run_flows(
    base_url: str,
    flow: Flow,
    prepared: list[Organisation],
    place: tuple[str, str, str],
    *,
    duration: float,
    concurrency: int,
) -> dict[str, float]:
    """`concurrency` clients each running `flow` for a new organisation at a time until `duration` is over."""
    queue = list(reversed(prepared))
    latencies: list[float] = []
    flows = requests = 0
    deadline = time.perf_counter() + duration

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal flows, requests
        while time.perf_counter() < deadline and queue:
            sent = await flow(http, queue.pop(), *place, latencies)
            requests, flows = requests + sent, flows + 1

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    if not queue:
        print(f"warning: {flow.__name__} ran out of organisations before the time was up; raise `organisations`")
    latencies.sort()
    return {
        "flows": flows,
        "flows_per_second": flows / elapsed,
        "write_requests_per_second": requests / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


async def measure_write_flows(
    base_url: str, database_url: str, *, duration: float, concurrency: int = 16, organisations: int = 2000
) -> dict[str, Any]:
    """Today's flow (its figures at the top level, as bench.py reads them), then the one-request flow (under
    `one_request`), each for `duration` seconds with organisations of its own, and the ratio of their flows per
    second."""
    prepared, slug, area, priority = await prepare(database_url, 2 * organisations)
    place = (slug, area, priority)
    today = await run_flows(
        base_url, one_flow, prepared[:organisations], place, duration=duration, concurrency=concurrency
    )
    at_once = await run_flows(
        base_url, one_request_flow, prepared[organisations:], place, duration=duration, concurrency=concurrency
    )
    return {
        **today,
        "one_request": at_once,
        "one_request_flow_ratio": at_once["flows_per_second"] / today["flows_per_second"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Both write flows against a running service, on their own.")
    parser.add_argument("--base-url", required=True, help="the running service, e.g. http://127.0.0.1:8200")
    parser.add_argument("--database-url", required=True, help="its database (organisations are added there)")
    parser.add_argument("--duration", type=float, default=20, help="seconds per flow (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients at once (default: %(default)s)")
    parser.add_argument("--organisations", type=int, default=2000, help="per flow (default: %(default)s)")
    args = parser.parse_args()
    result = asyncio.run(
        measure_write_flows(
            args.base_url,
            args.database_url,
            duration=args.duration,
            concurrency=args.concurrency,
            organisations=args.organisations,
        )
    )
    print(json.dumps(result, indent=2))
    today, at_once = result["flows_per_second"], result["one_request"]["flows_per_second"]
    print(f"flows/s: one request per step {today:.1f}, one request {at_once:.1f}, ratio {at_once / today:.1f}x")


if __name__ == "__main__":
    main()
