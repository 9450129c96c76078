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
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.db import create_engine  # noqa: E402
from app.services import public_read  # noqa: E402
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


def print_goals(service: dict[str, Measurement], reference: dict[str, Measurement]) -> list[tuple[str, str, str]]:
    s, r = service, reference
    # (goal, numerator, denominator): a goal whose cases were not measured (`--cases`) shows "-".
    stated: list[tuple[str, Callable[[], float], Callable[[], float]]] = [
        (
            "1. priority page: service / reference rps (>= 0.6)",
            lambda: s["priority"].requests_per_second,
            lambda: r["priority"].requests_per_second,
        ),
        (
            "1. priority page: service / reference p99 (<= 1.5)",
            lambda: s["priority"].p99_ms,
            lambda: r["priority"].p99_ms,
        ),
        (
            "2. 150k deep / first page, service rps (>= 0.9)",
            lambda: s["deep"].requests_per_second,
            lambda: s["first"].requests_per_second,
        ),
        (
            "4. 304 revalidation / reference full page rps (>= 3)",
            lambda: s["revalidate"].requests_per_second,
            lambda: r["priority"].requests_per_second,
        ),
        (
            "5. commitment by id: service / reference rps (>= 0.6)",
            lambda: s["commitment"].requests_per_second,
            lambda: r["commitment"].requests_per_second,
        ),
        (
            "5. signatory by id: service / reference rps (>= 0.6)",
            lambda: s["signatory"].requests_per_second,
            lambda: r["signatory"].requests_per_second,
        ),
        (
            "6. statistics p50 / (20 x commitment-by-id p50) (<= 1)",
            lambda: s["statistics"].p50_ms,
            lambda: 20 * s["commitment"].p50_ms,
        ),
    ]
    goals = []
    for name, numerator, denominator in stated:
        try:
            goals.append((name, ratio(numerator(), denominator()), ""))
        except KeyError:
            continue
    print_goal_table(goals)
    return goals


def print_goal_table(goals: list[tuple[str, str, str]]) -> None:
    if goals:
        print("\n| goal | ratio |\n|---|---:|")
    for name, value, _ in goals:
        print(f"| {name} | {value} |")


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
        service_medians, reference_medians = measure_rounds(cases, service_url, reference_url, args)
        print_cases(cases, service_medians, reference_medians)
        goals = print_goals(service_medians, reference_medians)
        memory: dict[str, object] = {}
        area_figures = [case for case in cases if case.name in AREA_FORMS]
        if area_figures:
            if args.no_cache:  # the service measured above was the cold one
                goals += print_area_goals({}, service_medians)
            else:
                goals += print_area_goals(service_medians, measure_cold(area_figures, env, reference_url, args))
        if not args.skip_memory and "priority" in service_medians:
            memory["requests"] = memory_over_requests(service_url, service.pid, cases[1], args.connections)
            memory["csv"] = csv_memory(service_url, service.pid)
            print(f"\nmemory: {json.dumps(memory)}")
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
                "service": {k: asdict(v) for k, v in service_medians.items()},
                "reference": {k: asdict(v) for k, v in reference_medians.items()},
                "goals": goals,
                "memory": memory,
            },
            indent=2,
        )
    )
    print(f"\nwritten to {output.relative_to(ROOT)}")


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
                reference_case = Case(case.name, case.reference_path, paths_file=case.paths_file)
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
) -> dict[str, Measurement]:
    """The area cases again on a second service with no memory of answers: every request runs its query."""
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
    return service


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
