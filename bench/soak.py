"""A soak: mixed reads and writes against a live service for a while, with PostgreSQL restarted under it.

    .venv/bin/python -m bench.soak [--minutes 10] [--restarts 2] [--workers 2] [--concurrency 16]

It recreates the database `covreg_soak` (`--database-url`), migrates it and loads the demo registry, then starts
the service (`covenant-registry serve`, `--workers` processes) and drives it with `--concurrency` clients:
keyless public reads (lists, filters, details, statistics), an organisation's private reads, and writes (an
offer added to a draft pledge, each with an Idempotency-Key). A write that gets a 503 is retried after its
`Retry-After` with the same key, as the contract asks of a client. PostgreSQL is restarted `--restarts` times
(`--restart-command`, by default `pg_ctlcluster 15 main restart`), evenly spaced.

It reports answers by kind and status, transport errors, for each restart the window in which each kind of
request failed (first and last failure, in seconds after the restart began; the restart command's own time is
beside it), whether any write was lost or made twice (offers in the database against writes
acknowledged), and each worker's resident memory at the start and the end. Figures go to bench/results/.
It restarts the machine's PostgreSQL: run it where nothing else depends on that server.
"""

import argparse
import asyncio
import json
import os
import random
import shlex
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from app import migrate
from app.config import Settings
from app.db import create_engine
from app.models import Commitment, table_of
from bench.bench import ROOT, recreate_database, rss_mb, wait_until_ready
from bench.writes import commitment, prepare

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/covreg_soak"
PORT = 8102
KINDS = ("read", "private_read", "write")
RESULTS = ROOT / "bench" / "results"


@dataclass
class Tally:
    answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    acknowledged_writes: set[str] = field(default_factory=set)
    restarts: list[float] = field(default_factory=list)
    # For each restart and kind of request: when the first and the last failure came, relative to the restart.
    failures: dict[tuple[int, str], list[float]] = field(default_factory=dict)

    def record(self, kind: str, outcome: str) -> None:
        self.answers[(kind, outcome)] += 1
        if not outcome.startswith("2") and self.restarts:
            latest = len(self.restarts) - 1
            seen = self.failures.setdefault((latest, kind), [])
            seen.append(time.monotonic() - self.restarts[latest])

    def outage(self, restart: int, kind: str) -> dict[str, float]:
        """Seconds after the restart began that this kind first and last failed: the window clients saw."""
        seen = self.failures.get((restart, kind))
        if not seen:
            return {f"{kind}_failures": 0}
        return {
            f"{kind}_failures": len(seen),
            f"{kind}_first_failure_s": round(min(seen), 2),
            f"{kind}_last_failure_s": round(max(seen), 2),
        }


def public_paths(slug: str, area: str) -> list[str]:
    return [
        "/v1/commitments?limit=20",
        f"/v1/commitments?covenant={slug}&age=19",
        f"/v1/commitments?area={area}&age=21&limit=50",
        "/v1/signatories?limit=20",
        "/v1/covenants",
        f"/v1/covenants/{slug}/statistics",
        f"/v1/covenants/{slug}",
    ]


async def reader(http: httpx.AsyncClient, tally: Tally, paths: list[str], deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            response = await http.get(random.choice(paths))
            tally.record("read", str(response.status_code))
        except httpx.HTTPError as error:
            tally.record("read", type(error).__name__)
            await asyncio.sleep(0.2)


async def writer(
    http: httpx.AsyncClient, tally: Tally, key: str, pledge_id: str, offer: dict[str, Any], deadline: float
) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    while time.monotonic() < deadline:
        idempotency_key = str(uuid.uuid4())
        for _attempt in range(20):  # a client that keeps trying for about a minute and a half
            try:
                response = await http.post(
                    f"/v1/pledges/{pledge_id}/commitments",
                    json=offer,
                    headers={**headers, "Idempotency-Key": idempotency_key},
                )
            except httpx.HTTPError as error:
                tally.record("write", type(error).__name__)
                await asyncio.sleep(1)
                continue
            tally.record("write", str(response.status_code))
            if response.status_code == 201:
                tally.acknowledged_writes.add(response.json()["id"])
                break
            if response.status_code != 503:
                break
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        await asyncio.sleep(0.05)
        # Private reads by the same organisation, now and then.
        try:
            own = await http.get(f"/v1/pledges/{pledge_id}", headers=headers)
            tally.record("private_read", str(own.status_code))
        except httpx.HTTPError as error:
            tally.record("private_read", type(error).__name__)


async def restarter(tally: Tally, command: list[str], times: list[float]) -> list[dict[str, float]]:
    done = []
    for at in times:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        tally.restarts.append(time.monotonic())
        started = time.monotonic()
        result = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, check=False)
        done.append({"restart_command_seconds": round(time.monotonic() - started, 2), "exit": result.returncode})
    return done


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """The serving processes: uvicorn's workers when there are several, else the server itself."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    found = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    return found or [server.pid]


async def offers_in_database(url: str, pledge_ids: list[str]) -> int:
    engine = create_engine(Settings(database_url=url), pooled=False)
    try:
        async with engine.connect() as conn:
            table = table_of(Commitment)
            statement = select(func.count()).select_from(table).where(table.c.pledge_id.in_(pledge_ids))
            return int((await conn.execute(statement)).scalar_one())
    finally:
        await engine.dispose()


async def draft_pledges(base_url: str, keys: list[str], slug: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        pledges = []
        for key in keys:
            response = await http.post(
                "/v1/pledges",
                json={"covenant": slug, "statement": "We will offer apprenticeships."},
                headers={"Authorization": f"Bearer {key}"},
            )
            response.raise_for_status()
            pledges.append(response.json()["id"])
        return pledges


async def soak(args: argparse.Namespace, base_url: str, server: subprocess.Popen[bytes]) -> dict[str, Any]:
    organisations, slug, area, priority = await prepare(args.database_url, args.concurrency // 4 or 1)
    keys = [organisation.key for organisation in organisations]
    pledges = await draft_pledges(base_url, keys, slug)
    pids = worker_pids(server)
    memory_start = {pid: rss_mb(pid) for pid in pids}
    tally = Tally()
    seconds = args.minutes * 60
    began = time.monotonic()
    deadline = began + seconds
    restart_times = [began + seconds * (n + 1) / (args.restarts + 1) for n in range(args.restarts)]
    paths = public_paths(slug, area)
    offer = commitment(0, priority, area)
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        readers = [reader(http, tally, paths, deadline) for _ in range(args.concurrency - len(keys))]
        writers = [writer(http, tally, key, pledge, offer, deadline) for key, pledge in zip(keys, pledges, strict=True)]
        progress = report_progress(tally, began, deadline)
        restarting = asyncio.create_task(restarter(tally, args.restart_command, restart_times))
        await asyncio.gather(*readers, *writers, progress)
        restarts = await restarting
    stored = await offers_in_database(args.database_url, pledges)
    return {
        "minutes": args.minutes,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "answers": {f"{kind} {outcome}": count for (kind, outcome), count in sorted(tally.answers.items())},
        "restarts": [
            {**restart, **{key: value for kind in KINDS for key, value in tally.outage(n, kind).items()}}
            for n, restart in enumerate(restarts)
        ],
        "writes_acknowledged": len(tally.acknowledged_writes),
        "offers_stored": stored,
        "memory_mb": {str(pid): {"start": memory_start[pid], "end": rss_mb(pid)} for pid in pids},
    }


async def report_progress(tally: Tally, began: float, deadline: float) -> None:
    while (left := deadline - time.monotonic()) > 1:
        await asyncio.sleep(min(30.0, left))
        answered = sum(tally.answers.values())
        print(f"  {time.monotonic() - began:5.0f}s  {answered} answers, {len(tally.restarts)} restarts", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--restart-command", type=shlex.split, default=shlex.split("pg_ctlcluster 15 main restart"))
    args = parser.parse_args()

    print(f"preparing {args.database_url}", flush=True)
    asyncio.run(recreate_database(args.database_url))
    migrate.upgrade(args.database_url)
    env = {**os.environ, "DATABASE_URL": args.database_url, "LOG_LEVEL": "warning", "DB_CONNECT_TIMEOUT": "2"}
    subprocess.run([sys.executable, "-m", "app.cli", "demo-data"], env=env, check=True, capture_output=True)
    base_url = f"http://127.0.0.1:{PORT}"
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(PORT), "--workers", str(args.workers)]
    server = subprocess.Popen(command, env=env)
    try:
        wait_until_ready(base_url)
        print(f"soaking for {args.minutes} minutes with {args.restarts} PostgreSQL restarts", flush=True)
        figures = asyncio.run(soak(args, base_url, server))
    finally:
        server.terminate()
        server.wait(timeout=30)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"soak-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
