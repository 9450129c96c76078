"""Benchmark of the public read path on PostgreSQL: the service against a bare Starlette + asyncpg reference
(bench/reference.py), one uvicorn worker each, wrk on loopback.

    python bench/bench.py                      # seed 20k signatories / 200k commitments, then measure
    python bench/bench.py --reuse              # measure again on the database seeded last time
    python bench/bench.py --commitments 1000000

Each round measures every case on the service and then on the reference, for `--duration` seconds with
`--connections` connections; the table shows the median of `--rounds` rounds (requests per second, p50 and
p99 latency) and the ratios the goals are stated in. Then: the worker's resident memory over 100k requests,
and while it streams every commitment as CSV. Results are also written as JSON under bench/results/.
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
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.db import create_engine, create_sessionmaker  # noqa: E402
from app.services import keys, public_read  # noqa: E402
from app.services.areas import offer_areas_wanted  # noqa: E402
from bench.writes import measure_write_flows  # noqa: E402

BIN = Path(sys.executable).parent


@dataclass
class Case:
    name: str
    path: str
    reference_path: str | None = None
    header: str | None = None
    # A file of paths, one per line: each request picks one at random (bench/mixed.lua); `path` is then "/".
    paths_file: Path | None = None
    # Seconds between public changes made through the API while the case runs (on both servers alike).
    writes_every: float | None = None


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


async def scalars(url: str, statement) -> list[Any]:  # type: ignore[no-untyped-def]
    """The first column of every row `statement` returns, on a connection of its own."""
    engine = create_engine(Settings(database_url=url), pooled=False)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(statement)).scalars())
    finally:
        await engine.dispose()


async def scalar(url: str, statement) -> Any:  # type: ignore[no-untyped-def]
    (value,) = await scalars(url, statement)
    return value


async def id_at_depth(url: str, depth: int) -> str:
    """The last id a client would hold after walking `depth` items of the public list."""
    offers = public_read.public_commitment
    total = await scalar(url, select(func.count()).select_from(offers))
    position = min(depth, total - 100)
    return await scalar(
        url, select(offers.c.commitment_id).order_by(offers.c.commitment_id).offset(position - 1).limit(1)
    )


async def busiest(url: str, column) -> str:  # type: ignore[no-untyped-def]
    """The value of `column` most public commitments share."""
    return await scalar(url, select(column).group_by(column).order_by(func.count().desc()).limit(1))


async def busiest_priority(url: str) -> str:
    return await busiest(url, public_read.public_commitment.c.priority_id)


async def busiest_signatory(url: str) -> str:
    return await busiest(url, public_read.public_commitment.c.signatory_id)


async def busiest_covenant(url: str) -> str:
    return await busiest(url, public_read.public_commitment.c.covenant_id)


async def sample(url: str, column, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Up to `count` distinct values of `column` among public commitments, picked at random."""
    values = select(column).distinct().subquery()
    return await scalars(url, select(values.c[0]).order_by(func.random()).limit(count))


MIX = {"commitments": 6_000, "signatories": 2_000, "priority pages": 2_000}


async def mixed_paths(url: str) -> list[str]:
    """A spread of public reads, as many pages and partner syncs would send: commitments and signatories by id
    and priorities' first pages, each picked at random from the seeded data."""
    offer = public_read.public_commitment.c
    commitments = await sample(url, offer.commitment_id, MIX["commitments"])
    signatories = await sample(url, offer.signatory_id, MIX["signatories"])
    priorities = await sample(url, offer.priority_id, MIX["priority pages"])
    return (
        [f"/v1/commitments/{id_}" for id_ in commitments]
        + [f"/v1/signatories/{id_}" for id_ in signatories]
        + [f"/v1/commitments?priority={id_}&limit=50" for id_ in priorities]
    )


@dataclass
class Writer:
    """An organisation pausing and reopening one of its published offers through the API, every few seconds: a
    public change at a council's pace (a read model refresh and a new data version each time, so every worker's
    memory of public answers starts again)."""

    service_url: str
    key: str
    commitment_id: str
    every: float
    writes: int = 0
    failures: int = 0
    hit_rates: list[float | None] = field(default_factory=list)  # keyless reads answered from memory, per run

    def report(self) -> dict[str, Any]:
        """What the run did (never the key)."""
        return {"every_s": self.every, "writes": self.writes, "failures": self.failures, "hit_rates": self.hit_rates}

    def _request(self, method: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(
            f"{self.service_url}/v1/commitments/{self.commitment_id}",
            method=method,
            data=body,
            headers={"Authorization": f"Bearer {self.key}", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)

    def change_once(self, status: str) -> None:
        _, headers = self._request("GET", {})
        body = json.dumps({"status": status}).encode()
        code, _ = self._request(
            "PATCH", {"If-Match": headers.get("etag", ""), "Content-Type": "application/json"}, body
        )
        if code == 200:
            self.writes += 1
        else:
            self.failures += 1

    def run_until(self, stop: threading.Event) -> None:
        status = "paused"
        while not stop.wait(self.every):
            self.change_once(status)
            status = "active" if status == "paused" else "paused"
        if status == "active":  # leave the offer as it was found
            self.change_once("active")


async def writer_of(database_url: str, service_url: str, every: float) -> Writer:
    """A key for the organisation behind one public offer, issued by the service's own code."""
    offer = public_read.public_commitment.c
    commitment_id, signatory_id = await scalars_rows(database_url, select(offer.commitment_id, offer.signatory_id))
    engine = create_engine(Settings(database_url=database_url), pooled=False)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            issued = await keys.issue(session, None, keys.KeyOwner.of_signatory(signatory_id), name="bench writer")
    finally:
        await engine.dispose()
    return Writer(service_url, issued.plaintext, commitment_id, every)


async def scalars_rows(url: str, statement) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    """The first row `statement` returns, on a connection of its own."""
    engine = create_engine(Settings(database_url=url), pooled=False)
    try:
        async with engine.connect() as conn:
            return tuple((await conn.execute(statement.limit(1))).one())
    finally:
        await engine.dispose()


def cache_counts(base_url: str) -> dict[str, float]:
    """The service's count of keyless public reads by how they were answered (hit, miss, revalidated)."""
    body, _ = fetch(f"{base_url}/metrics")
    counts = {}
    for line in body.decode().splitlines():
        found = re.match(r'registry_public_answer_cache_total\{outcome="(\w+)"\} ([\d.e+]+)', line)
        if found:
            counts[found.group(1)] = float(found.group(2))
    return counts


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


WRITER: list[Writer] = []  # who makes the public changes of a case with writes (set up by main)


def measure(base_url: str, case: Case, duration: int, connections: int, header: str | None = None) -> Measurement:
    if case.writes_every is None:
        return measure_reads(base_url, case, duration, connections, header)
    (writer,) = WRITER
    stop = threading.Event()
    thread = threading.Thread(target=writer.run_until, args=(stop,), daemon=True)
    before = cache_counts(base_url) if base_url == writer.service_url else None
    thread.start()
    try:
        return measure_reads(base_url, case, duration, connections, header)
    finally:
        stop.set()
        thread.join(timeout=60)
        if before is not None:
            writer.hit_rates.append(cache_hit_rate(before, cache_counts(base_url)))


def measure_reads(base_url: str, case: Case, duration: int, connections: int, header: str | None = None) -> Measurement:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if header:
        command += ["-H", header]
    script = ["-s", str(ROOT / "bench" / "mixed.lua")] if case.paths_file else []
    arguments = ["--", str(case.paths_file)] if case.paths_file else []
    url = f"{base_url}{case.path}"
    run([*command[:3], "-d2s", *script, url, *arguments] + (["-H", header] if header else []))  # warm-up
    return parse_wrk(run([*command, *script, url, *arguments]), case.name)


def median_of(rounds: list[Measurement]) -> Measurement:
    return Measurement(
        rounds[0].case,
        statistics.median(m.requests_per_second for m in rounds),
        statistics.median(m.p50_ms for m in rounds),
        statistics.median(m.p99_ms for m in rounds),
        sum(m.non_2xx for m in rounds),
    )


SERVICE_PORT, REFERENCE_PORT, COLD_SERVICE_PORT = 8100, 8101, 8102


def start(command: list[str], env: dict[str, str], base_url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(base_url)
    except BaseException:
        process.terminate()
        raise
    return process


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} for process {pid}")


def fetch(url: str, header: str | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=dict([header.split(": ", 1)]) if header else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), dict(response.headers)


def memory_over_requests(base_url: str, pid: int, case: Case, connections: int) -> dict[str, float]:
    """Resident memory after 50k and after 100k requests of one case (wrk runs until each total is passed)."""
    sent, marks = 0, {}
    for target in (50_000, 100_000):
        while sent < target:
            output = run(["wrk", "-t2", f"-c{connections}", "-d5s", f"{base_url}{case.path}"])
            sent += int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
        marks[f"rss_mb_after_{target // 1000}k"] = rss_mb(pid)
    marks["requests"] = sent
    return marks


def csv_memory(base_url: str, pid: int) -> dict[str, float]:
    before = rss_mb(pid)
    started = time.perf_counter()
    body, _ = fetch(f"{base_url}/v1/commitments.csv")
    return {
        "rows": body.count(b"\n") - 1,
        "megabytes": len(body) / 1e6,
        "seconds": time.perf_counter() - started,
        "rss_mb_before": before,
        "rss_mb_peak": rss_mb(pid, "VmHWM"),
        "rss_mb_after": rss_mb(pid),
    }


def reset_peak(pid: int) -> None:
    """Start the worker's peak resident memory (VmHWM) afresh, so a peak belongs to one measurement."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def oruk_crawl(base_url: str, pid: int, per_page: int = 100) -> dict[str, float]:
    """A directory's crawl of the ORUK feed: every page of services in turn, as one client would."""
    reset_peak(pid)
    before, started = rss_mb(pid), time.perf_counter()
    page, services = 1, 0
    while True:
        body, _ = fetch(f"{base_url}/oruk/services?per_page={per_page}&page={page}")
        answer = json.loads(body)
        services += answer["size"]
        if answer["last_page"]:
            break
        page += 1
    seconds = time.perf_counter() - started
    return {
        "services": services,
        "pages": page,
        "seconds": seconds,
        "services_per_second": services / seconds,
        "rss_mb_before": before,
        "rss_mb_peak": rss_mb(pid, "VmHWM"),
        "rss_mb_after": rss_mb(pid),
    }


def oruk_stream(base_url: str, pid: int) -> dict[str, float]:
    """Every service as ndjson, read as it arrives (the client holds none of it)."""
    reset_peak(pid)
    before, started = rss_mb(pid), time.perf_counter()
    lines = size = 0
    with urllib.request.urlopen(f"{base_url}/oruk/services?format=ndjson", timeout=600) as response:
        while chunk := response.read(1 << 16):
            lines, size = lines + chunk.count(b"\n"), size + len(chunk)
    seconds = time.perf_counter() - started
    return {
        "services": lines,
        "megabytes": size / 1e6,
        "seconds": seconds,
        "services_per_second": lines / seconds,
        "rss_mb_before": before,
        "rss_mb_peak": rss_mb(pid, "VmHWM"),
        "rss_mb_after": rss_mb(pid),
    }


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "-"


def cache_hit_rate(before: dict[str, float], after: dict[str, float]) -> float | None:
    """The share of keyless reads answered from the worker's memory between two readings of /metrics."""
    hits = after.get("hit", 0) - before.get("hit", 0)
    misses = after.get("miss", 0) - before.get("miss", 0)
    return hits / (hits + misses) if hits + misses else None


Figures = tuple[dict[str, Measurement], dict[str, Measurement]]


def print_summary(cases: list[Case], measured: dict[str, Figures]) -> list[tuple[str, str, str]]:
    """Every case measured, warm and cold, against the reference in one table; then the goals, each met or not."""
    print(
        "\n| mode | case | service rps | reference rps | rps ratio | service p99 ms | reference p99 ms | p99 ratio |"
        "\n|---|---|---:|---:|---:|---:|---:|---:|"
    )
    for mode, (service, reference) in measured.items():
        for case in cases:
            if case.name not in service:
                continue
            m, r = service[case.name], reference.get(case.name)
            # A 304 has no reference of its own: its yardstick is the reference's full page.
            if r is None and case.name == "revalidate":
                r = reference.get("priority")
            cells = ("-", "-", "-", "-")
            if r is not None:
                rps = ratio(m.requests_per_second, r.requests_per_second)
                cells = (f"{r.requests_per_second:,.0f}", rps, f"{r.p99_ms:.2f}", ratio(m.p99_ms, r.p99_ms))
            print(
                f"| {mode} | {CASE_TITLES[case.name]} | {m.requests_per_second:,.0f} | {cells[0]} | {cells[1]} | "
                f"{m.p99_ms:.2f} | {cells[2]} | {cells[3]} |"
            )
    return print_goals(measured)


GOALS: list[tuple[str, str, str, str, str, str, float, bool]] = [
    # (goal, mode, service case, figure, reference case, figure, target, at least)
    ("cold priority page rps / reference", "cold", "priority", "rps", "priority", "rps", 0.6, True),
    ("cold priority page p99 / reference p99", "cold", "priority", "p99", "priority", "p99", 1.5, False),
    ("cold first page rps / reference", "cold", "first", "rps", "first", "rps", 0.6, True),
    ("cold 150k deep rps / reference", "cold", "deep", "rps", "deep", "rps", 0.6, True),
    ("cold 150k deep p99 / reference p99", "cold", "deep", "p99", "deep", "p99", 1.5, False),
    ("cold commitment by id rps / reference single row", "cold", "commitment", "rps", "commitment", "rps", 0.6, True),
    ("cold signatory by id rps / reference single row", "cold", "signatory", "rps", "signatory", "rps", 0.6, True),
    ("warm priority page rps / reference", "warm", "priority", "rps", "priority", "rps", 3.0, True),
    ("warm commitment by id rps / reference", "warm", "commitment", "rps", "commitment", "rps", 3.0, True),
    ("304 revalidation rps / reference full page", "warm", "revalidate", "rps", "priority", "rps", 3.0, True),
    ("mixed with writes interleaved rps / reference", "warm", "mixed_writes", "rps", "mixed_writes", "rps", 1.5, True),
]


def print_goals(measured: dict[str, Figures]) -> list[tuple[str, str, str]]:
    def figure(m: Measurement, which: str) -> float:
        return m.requests_per_second if which == "rps" else m.p99_ms

    goals = []
    for name, mode, case, which, against, against_which, target, at_least in GOALS:
        service, reference = measured.get(mode, ({}, {}))
        if case not in service or against not in reference:
            continue  # not measured in this run (`--cases`, `--cold-cases`, `--no-cache`)
        value = figure(service[case], which) / figure(reference[against], against_which)
        met = value >= target if at_least else value <= target
        # Three decimals: a ratio of 0.598 against a goal of 0.6 must not read "0.60, NOT met".
        goals.append((f"{name} ({'>=' if at_least else '<='} {target:g})", f"{value:.3f}", "met" if met else "NOT met"))
    # A service measured alone: how the hierarchy's deep page holds up against the first.
    for mode, (service, _) in measured.items():
        if "deep" in service and "first" in service:
            value = service["deep"].requests_per_second / service["first"].requests_per_second
            goals.append((f"{mode} 150k deep / first page, service rps (>= 0.9)", f"{value:.2f}", met_if(value >= 0.9)))
        if "statistics" in service and "commitment" in service:
            value = service["statistics"].p50_ms / (20 * service["commitment"].p50_ms)
            goals.append(
                (f"{mode} statistics p50 / (20 x commitment-by-id p50) (<= 1)", f"{value:.2f}", met_if(value <= 1))
            )
    print_goal_table(goals)
    return goals


def met_if(condition: bool) -> str:
    return "met" if condition else "NOT met"


def print_goal_table(goals: list[tuple[str, str, str]]) -> None:
    if goals:
        print("\n| goal | ratio | |\n|---|---:|---|")
    for name, value, verdict in goals:
        print(f"| {name} | {value} | {verdict} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/covreg_bench"),
    )
    parser.add_argument("--signatories", type=int, default=20_000)
    parser.add_argument("--commitments", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=8, help="seconds per case per round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="skip seeding; use the database as it is")
    parser.add_argument("--skip-memory", action="store_true", help="skip the 100k-request and CSV memory runs")
    parser.add_argument("--skip-writes", action="store_true", help="skip the organisations' write flow")
    parser.add_argument("--skip-oruk", action="store_true", help="skip the ORUK feed's crawl and ndjson stream")
    parser.add_argument(
        "--no-cache", action="store_true", help="run the service with PUBLIC_RESPONSE_CACHE_MB=0 (every read queries)"
    )
    parser.add_argument(
        "--cold-cases",
        default="first,priority,deep,commitment,signatory,statistics,mixed,area",
        help="cases measured again on a second service with PUBLIC_RESPONSE_CACHE_MB=0 (empty: none)",
    )
    parser.add_argument(
        "--cases", default="", help="measure only the cases whose names start with these (comma-separated: area,first)"
    )
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

    service_url, reference_url = f"http://127.0.0.1:{SERVICE_PORT}", f"http://127.0.0.1:{REFERENCE_PORT}"
    service_env = {**env, "PUBLIC_RESPONSE_CACHE_MB": "0"} if args.no_cache else env
    service = start(
        [str(BIN / "covenant-registry"), "serve", "--port", str(SERVICE_PORT), "--workers", "1"],
        service_env,
        service_url,
    )
    try:
        reference = start(
            [
                str(BIN / "uvicorn"),
                "bench.reference:app",
                "--port",
                str(REFERENCE_PORT),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            {"REFERENCE_DATABASE_URL": args.database_url},
            reference_url,
        )
    except BaseException:
        service.terminate()
        raise
    try:
        cases = selected(build_cases(args.database_url, service_url), args.cases)
        WRITER.append(asyncio.run(writer_of(args.database_url, service_url, WRITES_EVERY)))
        before = cache_counts(service_url)
        service_medians, reference_medians = measure_rounds(cases, service_url, reference_url, args)
        hit_rate = cache_hit_rate(before, cache_counts(service_url))
        mode = "cold" if args.no_cache else "warm"
        print(f"\n{mode}{' (no memory of answers)' if args.no_cache else ' (as shipped)'}:")
        print_cases(cases, service_medians, reference_medians)
        memory: dict[str, object] = {"cache_hit_rate": hit_rate, "public_changes": WRITER[0].report()}
        print(f"\nkeyless reads answered from memory: {hit_rate}; public changes: {json.dumps(WRITER[0].report())}")
        measured = {mode: (service_medians, reference_medians)}
        cold_cases = [] if args.no_cache else selected(cases, args.cold_cases)
        if cold_cases:
            measured["cold"] = measure_cold(cold_cases, env, reference_url, args)
        goals = print_summary(cases, measured)
        area_figures = [case for case in cases if case.name in AREA_FORMS]
        if area_figures:
            warm_figures = measured["warm"][0] if "warm" in measured else {}
            goals += print_area_goals(warm_figures, measured.get("cold", ({}, {}))[0])
        if not args.skip_memory and "priority" in service_medians:
            memory["requests"] = memory_over_requests(service_url, service.pid, cases[1], args.connections)
            memory["csv"] = csv_memory(service_url, service.pid)
            print(f"\nmemory: {json.dumps(memory)}")
            marks = memory["requests"]
            assert isinstance(marks, dict)
            growth = marks["rss_mb_after_100k"] - marks["rss_mb_after_50k"]
            goals.append(
                ("worker memory from 50k to 100k requests, MB (within +-5)", f"{growth:+.1f}", met_if(abs(growth) <= 5))
            )
            print_goal_table(goals[-1:])
        if not args.skip_oruk:
            memory["oruk_crawl"] = oruk_crawl(service_url, service.pid)
            print(f"\nORUK crawl, per_page=100: {json.dumps(memory['oruk_crawl'])}")
            memory["oruk_ndjson"] = oruk_stream(service_url, service.pid)
            print(f"ORUK ndjson stream: {json.dumps(memory['oruk_ndjson'])}")
        if not args.skip_writes and "commitment" in reference_medians:
            # Last: the flows add pledges, which moves the data version on and empties the remembered answers.
            writes = asyncio.run(measure_write_flows(service_url, args.database_url, duration=args.duration * 2))
            reference_single_row = reference_medians["commitment"].requests_per_second
            writes["ratio_to_reference_single_row"] = writes["write_requests_per_second"] / reference_single_row
            memory["writes"] = writes
            print(f"\nwrite flows: {json.dumps(writes)}")
            ratio_8 = writes["ratio_to_reference_single_row"]
            print(f"| 8. write requests/s / reference single-row rps (>= 0.3) | {ratio_8:.2f} |")
            ratio_9 = writes["one_request_flow_ratio"]
            print(f"| 9. a pledge of 10 in one request, flows/s / today's twelve requests (>= 10) | {ratio_9:.1f} |")
    finally:
        for process in (service, reference):
            process.terminate()
            process.wait(timeout=30)

    output = ROOT / "bench" / "results" / f"read-path-{args.commitments}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "args": vars(args),
                "measured": {
                    mode: {
                        "service": {k: asdict(v) for k, v in service.items()},
                        "reference": {k: asdict(v) for k, v in reference.items()},
                    }
                    for mode, (service, reference) in measured.items()
                },
                "goals": goals,
                "memory": memory,
            },
            indent=2,
        )
    )
    print(f"\nwritten to {output.relative_to(ROOT)}")


# A council's pace of public changes while the mixed case runs: an offer paused or reopened every few seconds.
WRITES_EVERY = 3.0

# The worst case of a search: no row can stop the scan early, so without an index every offer is read.
RARE_WORD = "quokka"


def build_cases(database_url: str, service_url: str) -> list[Case]:
    priority = asyncio.run(busiest_priority(database_url))
    deep_id = asyncio.run(id_at_depth(database_url, 150_000))
    first_commitment = asyncio.run(id_at_depth(database_url, 1_000))
    signatory = asyncio.run(busiest_signatory(database_url))
    covenant = asyncio.run(busiest_covenant(database_url))
    priority_page = f"/v1/commitments?priority={priority}&limit=50"
    _, headers = fetch(service_url + priority_page)
    paths = asyncio.run(mixed_paths(database_url))
    paths_file = ROOT / "bench" / "results" / "mixed-paths.txt"
    paths_file.parent.mkdir(parents=True, exist_ok=True)
    paths_file.write_text("\n".join(paths) + "\n")
    return [
        Case("first", "/v1/commitments?limit=50", "/v1/commitments?limit=50"),
        Case("priority", priority_page, priority_page),
        Case(
            "deep",
            f"/v1/commitments?limit=50&cursor={public_read.COMMITMENT_KEYSET.encode([deep_id])}",
            f"/v1/commitments?limit=50&cursor={deep_id}",
        ),
        Case("revalidate", priority_page, None, f"If-None-Match: {headers['etag']}"),
        Case("commitment", f"/v1/commitments/{first_commitment}", f"/v1/commitments/{first_commitment}"),
        Case("signatory", f"/v1/signatories/{signatory}", f"/v1/signatories/{signatory}"),
        Case("statistics", f"/v1/covenants/{covenant}/statistics"),
        Case("search", f"/v1/commitments?q={RARE_WORD}&limit=50"),
        Case("mixed", "/", "/", paths_file=paths_file),
        Case("mixed_writes", "/", "/", paths_file=paths_file, writes_every=WRITES_EVERY),
        *area_cases(),
    ]


# The synthetic registry's first two homes (app/demo/synthetic.py HOMES) hold equal shares of the offers: a county
# spread over its districts, and a unitary. A unitary's filter (itself, national, remote) is exactly the filter
# every area had before the hierarchy, so it is the yardstick the hierarchy's cases are measured against.
AREA_FORMS = {
    "area_unitary": ("E06000023", "E06000023"),  # Bristol
    "area_county": ("E10000017", "E10000017"),  # Lancashire: itself and its 12 districts
    "area_district": ("E07000123", "E07000123"),  # Preston: itself and Lancashire
    "area_postcode": ("PR1%202HE", "E07000123"),  # a Preston postcode
    "area_name": ("Lancashire", "E10000017"),
}


def area_cases() -> list[Case]:
    return [
        Case(
            name,
            f"/v1/commitments?area={typed}&limit=50",
            f"/v1/commitments?limit=50&areas={','.join(offer_areas_wanted(code))}",
        )
        for name, (typed, code) in AREA_FORMS.items()
    ]


CASE_TITLES = {
    "first": "commitments, first page (50)",
    "priority": "commitments by priority, first page (50)",
    "deep": "commitments, 150k deep by cursor (50)",
    "revalidate": "priority page, If-None-Match current (304)",
    "commitment": "commitment by id",
    "signatory": "signatory by id",
    "statistics": "covenant statistics",
    "search": f"commitments, free-text search for a word no offer has (q={RARE_WORD})",
    "mixed": "mixed: random paths (6,000 commitments and 2,000 signatories by id, every priority's first page)",
    "mixed_writes": f"mixed, with a public change through the API every {WRITES_EVERY:g} s",
    "area_unitary": "area=E06000023 (a unitary: itself, national, remote: the exact-code filter)",
    "area_county": "area=E10000017 (a county: itself, its 12 districts, national, remote)",
    "area_district": "area=E07000123 (a district: itself, its county, national, remote)",
    "area_postcode": "area=PR1 2HE (a postcode: its district's answer)",
    "area_name": "area=Lancashire (a name: the county's answer)",
}


def selected(cases: list[Case], prefixes: str) -> list[Case]:
    wanted = [prefix for prefix in prefixes.split(",") if prefix]
    return [case for case in cases if not wanted or any(case.name.startswith(prefix) for prefix in wanted)]


def measure_rounds(
    cases: list[Case], service_url: str, reference_url: str | None, args: argparse.Namespace
) -> tuple[dict[str, Measurement], dict[str, Measurement]]:
    """The median of `args.rounds` rounds of every case, on the service and (where it has the case) the
    reference."""
    rounds: dict[tuple[str, str], list[Measurement]] = {}
    for number in range(args.rounds):
        for case in cases:
            # The two servers are measured back to back, so drift in the machine touches both alike.
            rounds.setdefault(("service", case.name), []).append(
                measure(service_url, case, args.duration, args.connections, case.header)
            )
            if case.reference_path and reference_url:
                reference_case = Case(
                    case.name, case.reference_path, paths_file=case.paths_file, writes_every=case.writes_every
                )
                rounds.setdefault(("reference", case.name), []).append(
                    measure(reference_url, reference_case, args.duration, args.connections)
                )
        print(f"round {number + 1}/{args.rounds} done", flush=True)
    medians = {key: median_of(values) for key, values in rounds.items()}
    return (
        {name: m for (side, name), m in medians.items() if side == "service"},
        {name: m for (side, name), m in medians.items() if side == "reference"},
    )


def measure_cold(
    cases: list[Case], env: dict[str, str], reference_url: str, args: argparse.Namespace
) -> tuple[dict[str, Measurement], dict[str, Measurement]]:
    """The cases again on a second service with no memory of answers (every request runs its query), each
    beside the reference once more, so every cold ratio comes from figures taken back to back."""
    url = f"http://127.0.0.1:{COLD_SERVICE_PORT}"
    cold = start(
        [str(BIN / "covenant-registry"), "serve", "--port", str(COLD_SERVICE_PORT), "--workers", "1"],
        {**env, "PUBLIC_RESPONSE_CACHE_MB": "0"},
        url,
    )
    try:
        service, reference = measure_rounds(cases, url, reference_url, args)
    finally:
        cold.terminate()
        cold.wait(timeout=30)
    print("\ncold (no memory of answers):")
    print_cases(cases, service, reference)
    return service, reference


def print_area_goals(warm: dict[str, Measurement], cold: dict[str, Measurement]) -> list[tuple[str, str, str]]:
    """The hierarchy against the exact-code filter it replaced (a county against a unitary, which hold equal
    shares of the offers), and what reading a postcode or a name costs over the code it means; warm and cold."""
    comparisons = [
        ("county (hierarchy) / unitary (exact-code filter), equal offers", "area_county", "area_unitary"),
        ("postcode / its district's code", "area_postcode", "area_district"),
        ("name / its county's code", "area_name", "area_county"),
    ]
    goals = []
    for mode, figures in (("warm", warm), ("cold", cold)):
        for title, measured, against in comparisons:
            if measured in figures and against in figures:
                value = ratio(figures[measured].requests_per_second, figures[against].requests_per_second)
                goals.append((f"area: {title}, service rps, {mode} (>= 0.9)", value, ""))
    print_goal_table(goals)
    return goals


def print_cases(cases: list[Case], service: dict[str, Measurement], reference: dict[str, Measurement]) -> None:
    print(
        "\n| case | service rps | p50 ms | p99 ms | reference rps | p50 ms | p99 ms | rps ratio |"
        "\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for case in cases:
        m, r = service[case.name], reference.get(case.name)
        ref = f"{r.requests_per_second:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f}" if r else "- | - | -"
        rps_ratio = ratio(m.requests_per_second, r.requests_per_second) if r else "-"
        print(
            f"| {CASE_TITLES[case.name]} | {m.requests_per_second:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} | {ref} | "
            f"{rps_ratio} |"
        )


if __name__ == "__main__":
    main()
