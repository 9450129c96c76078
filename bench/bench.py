"""Benchmark of the public read path on PostgreSQL, with wrk against one uvicorn worker.

    python bench/bench.py                      # seed 20k signatories / 200k commitments, then measure
    python bench/bench.py --reuse              # measure again on the database seeded last time

Every case runs for `--duration` seconds with `--connections` connections, `--rounds` times; the table shows
the median of the rounds (requests per second, p50 and p99 latency). Results are also written as JSON under
bench/results/. Traffic goes to 127.0.0.1 only.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.db import create_engine  # noqa: E402
from app.services import public_read  # noqa: E402
from app.services.pagination import encode_cursor  # noqa: E402

BIN = Path(sys.executable).parent


@dataclass
class Case:
    name: str
    path: str


@dataclass
class Measurement:
    case: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def run(command: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


async def recreate_database(url: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(Settings(database_url=admin.render_as_string(hide_password=False)), pooled=False)
    name = make_url(url).database
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def cursor_at_depth(url: str, depth: int, priority_id: str | None = None) -> str:
    """The cursor a client would hold after walking `depth` items of the public list."""
    engine = create_engine(Settings(database_url=url), pooled=False)
    statement = public_read.commitment_select()
    if priority_id:
        statement = statement.where(public_read.commitment.c.priority_id == priority_id)
    async with engine.connect() as conn:
        total = (await conn.execute(select(func.count()).select_from(statement.subquery()))).scalar_one()
        last_id = (
            await conn.execute(
                statement.with_only_columns(public_read.commitment.c.id)
                .order_by(public_read.commitment.c.id)
                .offset(min(depth, total - 100) - 1)
                .limit(1)
            )
        ).scalar_one()
    await engine.dispose()
    return encode_cursor([last_id])


async def busiest_priority(url: str) -> str:
    engine = create_engine(Settings(database_url=url), pooled=False)
    commitment = public_read.commitment
    async with engine.connect() as conn:
        priority_id = (
            await conn.execute(
                select(commitment.c.priority_id)
                .group_by(commitment.c.priority_id)
                .order_by(func.count().desc())
                .limit(1)
            )
        ).scalar_one()
    await engine.dispose()
    return priority_id


def wait_until_ready(base_url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {base_url} did not become ready")


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str, case: str) -> Measurement:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def percentile(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()  # type: ignore[union-attr]
        return float(value) * UNITS_MS[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return Measurement(case, rps, percentile("50"), percentile("99"), int(non_2xx.group(1)) if non_2xx else 0)


def measure(base_url: str, case: Case, duration: int, connections: int, header: str | None = None) -> Measurement:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if header:
        command += ["-H", header]
    run([*command[:3], "-d2s", f"{base_url}{case.path}"] + (["-H", header] if header else []))  # warm-up
    return parse_wrk(run([*command, f"{base_url}{case.path}"]), case.name)


def median_of(rounds: list[Measurement]) -> Measurement:
    return Measurement(
        rounds[0].case,
        statistics.median(m.requests_per_second for m in rounds),
        statistics.median(m.p50_ms for m in rounds),
        statistics.median(m.p99_ms for m in rounds),
        sum(m.non_2xx for m in rounds),
    )


def print_table(results: list[Measurement]) -> None:
    print("\n| case | requests/s | p50 ms | p99 ms | non-2xx |\n|---|---:|---:|---:|---:|")
    for m in results:
        print(f"| {m.case} | {m.requests_per_second:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} | {m.non_2xx} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/covreg_bench"),
    )
    parser.add_argument("--signatories", type=int, default=20_000)
    parser.add_argument("--commitments", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per case per round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--reuse", action="store_true", help="skip seeding; use the database as it is")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (bench/run.sh does it for you)")
    env = {"DATABASE_URL": args.database_url, "LOG_LEVEL": "warning"}
    if not args.reuse:
        asyncio.run(recreate_database(args.database_url))
        run([str(BIN / "covenant-registry"), "migrate"], env)
        started = time.perf_counter()
        run(
            [
                str(BIN / "covenant-registry"),
                "seed-synthetic",
                "--signatories",
                str(args.signatories),
                "--commitments",
                str(args.commitments),
            ],
            env,
        )
        print(
            f"seeded {args.signatories} signatories and {args.commitments} commitments "
            f"in {time.perf_counter() - started:.1f}s"
        )

    priority = asyncio.run(busiest_priority(args.database_url))
    deep = asyncio.run(cursor_at_depth(args.database_url, 150_000))
    deep_in_priority = asyncio.run(cursor_at_depth(args.database_url, 10**9, priority))
    cases = [
        Case("commitments, first page (20)", "/v1/commitments"),
        Case("commitments, 150k deep (20)", f"/v1/commitments?cursor={deep}"),
        Case("commitments by priority, first page (50)", f"/v1/commitments?priority={priority}&limit=50"),
        Case(
            "commitments by priority, last page (50)",
            f"/v1/commitments?priority={priority}&limit=50&cursor={deep_in_priority}",
        ),
    ]

    base_url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(BIN / "covenant-registry"), "serve", "--port", str(args.port), "--workers", "1"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ready(base_url)
        rounds: dict[str, list[Measurement]] = {case.name: [] for case in cases}
        for number in range(args.rounds):
            for case in cases:
                rounds[case.name].append(measure(base_url, case, args.duration, args.connections))
            print(f"round {number + 1}/{args.rounds} done", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)

    results = [median_of(rounds[case.name]) for case in cases]
    print_table(results)
    output = ROOT / "bench" / "results" / f"read-path-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"args": vars(args), "results": [asdict(r) for r in results]}, indent=2))
    print(f"\nwritten to {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
