"""The scheduler: when its jobs fall due (a pure function, checked against times worked out by hand), how the
loop survives a failing job and stops on a signal, that two schedulers on one PostgreSQL database run a slot
once, and `covenant-registry scheduler --once` doing the real jobs against the test database."""

import asyncio
import logging
import os
import re
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from app.config import Settings
from app.ids import utcnow
from app.scheduler import (
    AdvisoryLocks,
    Job,
    Scheduler,
    SingleHost,
    daily,
    hourly,
    latest_slot,
    next_run,
)
from tests.conftest import on_postgresql
from tests.flows import bearer, commitment_body, council, draft_pledge, published_pledge, register


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# (now, schedule, the next run), each worked out on a calendar.
NEXT_RUNS = [
    # Daily at 02:00: later the same day, or tomorrow once 02:00 has come.
    (utc(2026, 3, 10, 1, 59, 59), daily(2), utc(2026, 3, 10, 2)),
    (utc(2026, 3, 10, 2, 0, 0), daily(2), utc(2026, 3, 11, 2)),
    (utc(2026, 3, 10, 2, 0, 0, 1), daily(2), utc(2026, 3, 11, 2)),
    (utc(2026, 3, 10, 0, 0, 0), daily(2), utc(2026, 3, 10, 2)),
    # Around midnight.
    (utc(2026, 3, 10, 23, 59, 59, 999_999), daily(2), utc(2026, 3, 11, 2)),
    (utc(2026, 4, 30, 0, 0), daily(0), utc(2026, 5, 1, 0)),
    (utc(2026, 4, 29, 23, 59), daily(0), utc(2026, 4, 30, 0)),
    (utc(2026, 6, 1, 23, 0), daily(23, 30), utc(2026, 6, 1, 23, 30)),
    (utc(2026, 6, 1, 23, 30), daily(23, 30), utc(2026, 6, 2, 23, 30)),
    # Month ends: 30 and 31 days, February in a common year and in a leap year.
    (utc(2026, 1, 31, 3, 0), daily(2), utc(2026, 2, 1, 2)),
    (utc(2026, 4, 30, 3, 0), daily(2), utc(2026, 5, 1, 2)),
    (utc(2026, 2, 28, 5, 0), daily(2), utc(2026, 3, 1, 2)),
    (utc(2028, 2, 28, 5, 0), daily(2), utc(2028, 2, 29, 2)),
    (utc(2028, 2, 29, 5, 0), daily(2), utc(2028, 3, 1, 2)),
    # Year end.
    (utc(2026, 12, 31, 2, 0), daily(2), utc(2027, 1, 1, 2)),
    (utc(2026, 12, 31, 23, 59, 59), hourly(), utc(2027, 1, 1, 0)),
    (utc(2026, 12, 31, 23, 0), hourly(), utc(2027, 1, 1, 0)),
    # Hourly: the next top of the hour, strictly after now.
    (utc(2026, 7, 14, 14, 0, 0), hourly(), utc(2026, 7, 14, 15)),
    (utc(2026, 7, 14, 14, 0, 0, 1), hourly(), utc(2026, 7, 14, 15)),
    (utc(2026, 7, 14, 13, 59, 59), hourly(), utc(2026, 7, 14, 14)),
    (utc(2026, 7, 14, 14, 20), hourly(15), utc(2026, 7, 14, 15, 15)),
    (utc(2026, 7, 14, 14, 10), hourly(15), utc(2026, 7, 14, 14, 15)),
    # UK clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October: UTC does not care.
    (utc(2026, 3, 28, 2, 0), daily(2), utc(2026, 3, 29, 2)),
    (utc(2026, 3, 29, 0, 30), hourly(), utc(2026, 3, 29, 1)),
    (utc(2026, 3, 29, 1, 0), hourly(), utc(2026, 3, 29, 2)),
    (utc(2026, 10, 25, 0, 30), hourly(), utc(2026, 10, 25, 1)),
    (utc(2026, 10, 25, 1, 30), hourly(), utc(2026, 10, 25, 2)),
    (utc(2026, 10, 24, 2, 0), daily(2), utc(2026, 10, 25, 2)),
    # A time given in another zone is the same instant: 03:30 at UTC+1 is 02:30 UTC.
    (datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=1))), daily(2), utc(2026, 3, 30, 2)),
    (datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=1))), hourly(), utc(2026, 3, 29, 3)),
    (datetime(2026, 3, 29, 0, 30, tzinfo=timezone(timedelta(hours=-5))), daily(2), utc(2026, 3, 30, 2)),
]


@pytest.mark.parametrize(("now", "schedule", "expected"), NEXT_RUNS)
def test_next_run(now, schedule, expected):
    found = next_run(now, schedule)
    assert found == expected
    assert found.utcoffset() == timedelta(0)


def test_successive_daily_runs_cross_the_year_end_a_day_apart():
    runs, now = [], utc(2026, 12, 30, 12, 0)
    for _ in range(3):
        now = next_run(now, daily(2))
        runs.append(now)
    assert runs == [utc(2026, 12, 31, 2), utc(2027, 1, 1, 2), utc(2027, 1, 2, 2)]


def test_successive_hourly_runs_through_the_night_the_clocks_change():
    runs, now = [], utc(2026, 10, 24, 23, 40)
    for _ in range(4):
        now = next_run(now, hourly())
        runs.append(now)
    assert runs == [utc(2026, 10, 25, 0), utc(2026, 10, 25, 1), utc(2026, 10, 25, 2), utc(2026, 10, 25, 3)]


@pytest.mark.parametrize(
    ("now", "schedule", "expected"),
    [
        (utc(2026, 12, 1, 10, 0), daily(2), utc(2026, 12, 1, 2)),
        (utc(2026, 12, 1, 2, 0), daily(2), utc(2026, 12, 1, 2)),
        (utc(2026, 12, 1, 1, 59), daily(2), utc(2026, 11, 30, 2)),
        (utc(2026, 3, 1, 0, 30), daily(2), utc(2026, 2, 28, 2)),
        (utc(2027, 1, 1, 0, 0), hourly(), utc(2027, 1, 1, 0)),
        (utc(2027, 1, 1, 0, 59, 59), hourly(), utc(2027, 1, 1, 0)),
        (utc(2027, 1, 1, 0, 10), hourly(15), utc(2026, 12, 31, 23, 15)),
    ],
)
def test_latest_slot(now, schedule, expected):
    assert latest_slot(now, schedule) == expected


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        next_run(datetime(2026, 12, 1, 10, 0), daily(2))


@pytest.mark.parametrize("make", [lambda: daily(24), lambda: daily(-1), lambda: hourly(60), lambda: daily(23, 60)])
def test_a_time_outside_the_day_or_hour_is_refused(make):
    with pytest.raises(ValueError):
        make()


class FakeTime:
    """A wall clock that moves only when the scheduler waits, and stops the loop once it passes `until`."""

    def __init__(self, start: datetime, until: datetime) -> None:
        self.now = start
        self.until = until
        self.waits: list[float] = []

    def clock(self) -> datetime:
        return self.now

    async def wait(self, stop: asyncio.Event, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)
        if self.now >= self.until:
            stop.set()
        return stop.is_set()


def recording_job(name: str, schedule, calls: list, fail_first: int = 0) -> Job:
    async def run(slot: datetime) -> str:
        calls.append((name, slot))
        if sum(1 for called, _ in calls if called == name) <= fail_first:
            raise RuntimeError(f"{name} broke")
        return "did its work"

    return Job(name, schedule, run)


async def test_a_failing_job_is_logged_and_tried_again_at_its_next_slot(caplog):
    calls: list = []
    fake = FakeTime(start=utc(2026, 12, 31, 22, 30), until=utc(2027, 1, 1, 1, 30))
    scheduler = Scheduler(
        [recording_job("nightly", daily(0), calls), recording_job("flaky", hourly(), calls, fail_first=1)],
        SingleHost(),
        clock=fake.clock,
        wait=fake.wait,
    )
    with caplog.at_level(logging.INFO, logger="app.scheduler"):
        await scheduler.run_forever(asyncio.Event())

    assert calls == [
        ("flaky", utc(2026, 12, 31, 23)),  # fails
        ("nightly", utc(2027, 1, 1, 0)),  # jobs due together run in the order given
        ("flaky", utc(2027, 1, 1, 0)),  # the retry, at its next slot
        ("flaky", utc(2027, 1, 1, 1)),
    ]
    failures = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(failures) == 1
    assert failures[0].exc_info is not None and "flaky broke" in str(failures[0].exc_info[1])
    assert "flaky for 2026-12-31T23:00Z failed; next try at 2027-01-01T00:00Z" in failures[0].getMessage()
    done = [record.getMessage() for record in caplog.records if "did its work" in record.getMessage()]
    assert [line.split(":")[0] for line in done] == [
        "nightly for 2027-01-01T00",
        "flaky for 2027-01-01T00",
        "flaky for 2027-01-01T01",
    ]
    assert max(fake.waits) <= 60  # never one long sleep that a wall-clock step would throw out


async def test_a_failure_to_claim_the_slot_is_a_failed_run_not_a_dead_loop(caplog):
    class Unreachable:
        async def claim(self, job: str, slot: datetime) -> bool:
            raise ConnectionRefusedError("database down")

        async def close(self) -> None:
            return None

    calls: list = []
    scheduler = Scheduler([recording_job("sweep", hourly(), calls)], Unreachable())
    with caplog.at_level(logging.ERROR, logger="app.scheduler"):
        assert await scheduler.run_job(scheduler.jobs[0], utc(2026, 12, 1, 10)) is False
    assert calls == []
    assert "database down" in caplog.text


async def test_a_stop_during_a_job_lets_it_finish_and_runs_nothing_after():
    stop = asyncio.Event()
    calls: list = []

    async def interrupted(slot: datetime) -> str:
        stop.set()  # as the SIGTERM handler does, while this job is running
        await asyncio.sleep(0)
        calls.append(("interrupted", slot))
        return "finished anyway"

    fake = FakeTime(start=utc(2026, 12, 1, 9, 59), until=utc(2026, 12, 2))
    jobs = [Job("interrupted", hourly(), interrupted), recording_job("later", hourly(), calls)]
    await Scheduler(jobs, SingleHost(), clock=fake.clock, wait=fake.wait).run_forever(stop)
    assert calls == [("interrupted", utc(2026, 12, 1, 10))]


def scheduler_environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "info"}


def read_until(process: subprocess.Popen, wanted: str, timeout: float) -> str:
    """Standard error of `process` until a line contains `wanted` (or the time is up)."""
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.2)
        if ready:
            chunk = os.read(process.stderr.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
    return seen.decode()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_scheduler_cleanly(tmp_path, signum):
    database_url = f"sqlite:///{tmp_path}/registry.db"  # never touched: no job is due within the test
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "scheduler"],
        env=scheduler_environment(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        started = read_until(process, "scheduled sweep-expired", timeout=30)
        assert re.search(r"scheduled lapse-overdue daily at 02:00 UTC, next at \d{4}-\d\d-\d\dT02:00Z", started)
        assert re.search(r"scheduled sweep-expired hourly at :00, next at \d{4}-\d\d-\d\dT\d\d:00Z", started)
        process.send_signal(signum)
        assert process.wait(timeout=15) == 0
        assert process.stderr is not None
        stopped = process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert f"{signum.name} received" in stopped
    assert "scheduler stopped" in stopped
    assert "Traceback" not in stopped


@pytest.mark.skipif(not on_postgresql(), reason="advisory locks are PostgreSQL's; SQLite runs one scheduler")
async def test_two_schedulers_on_one_postgresql_run_a_slot_once(database_url, caplog):
    runs: list = []
    first, second, third = (AdvisoryLocks(Settings(database_url=database_url)) for _ in range(3))
    slot = utc(2026, 12, 1, 10)
    try:
        schedulers = [Scheduler([recording_job("sweep", hourly(), runs)], claims) for claims in (first, second)]
        with caplog.at_level(logging.INFO, logger="app.scheduler"):
            # One after the other: the second starts after the first has finished, and still must not run it.
            assert await schedulers[0].run_job(schedulers[0].jobs[0], slot)
            assert await schedulers[1].run_job(schedulers[1].jobs[0], slot)
        assert runs == [("sweep", slot)]
        assert "sweep for 2026-12-01T10:00Z: skipped, another scheduler has this slot" in caplog.text

        # The next slot is anyone's, and moving on to it lets the previous one go.
        assert await second.claim("sweep", slot + timedelta(hours=1))
        assert not await first.claim("sweep", slot + timedelta(hours=1))
        assert await third.claim("sweep", slot)
        # Another job's slot at the same time is a lock of its own.
        assert await first.claim("lapse", slot)
    finally:
        for claims in (first, second, third):
            await claims.close()


@pytest.mark.skipif(not on_postgresql(), reason="advisory locks are PostgreSQL's; SQLite runs one scheduler")
async def test_a_lock_whose_connection_broke_does_not_block_the_next_claim(database_url):
    locks, other = (
        AdvisoryLocks(Settings(database_url=database_url)),
        AdvisoryLocks(Settings(database_url=database_url)),
    )
    slot = utc(2026, 12, 1, 10)
    try:
        assert await locks.claim("sweep", slot)
        held, _ = locks.held["sweep"]
        backend = (await held.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with other.engine.connect() as admin:
            # With a timeout (PostgreSQL 14+), it returns once the backend has gone, its locks with it.
            await admin.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": backend})
        assert await other.claim("sweep", slot)  # the lock went with its connection
        assert await locks.claim("sweep", slot + timedelta(hours=1))
    finally:
        await locks.close()
        await other.close()


async def set_review_due(app, pledge_id: str, due: date) -> None:
    async with app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE pledge SET review_due = :due WHERE id = :id"), {"due": due, "id": pledge_id})


async def an_expired_idempotency_record(client, app, covenant_slug: str) -> None:
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, covenant_slug, offers=0)
    posted = await client.post(
        f"/v1/pledges/{pledge['id']}/commitments",
        json=commitment_body(),
        headers={**bearer(org_key), "Idempotency-Key": "expired"},
    )
    assert posted.status_code == 201
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text("UPDATE idempotency_record SET created_at = :created, expires_at = :expired WHERE key = 'expired'"),
            {"created": utcnow() - timedelta(days=2), "expired": utcnow() - timedelta(days=1)},
        )


async def test_scheduler_once_runs_the_real_jobs(client, keyring, app, database_url):
    lancashire = await council(client, await keyring.operator())
    _, _, overdue = await published_pledge(client, lancashire)
    _, _, in_grace = await published_pledge(client, lancashire)
    await set_review_due(app, overdue["id"], date.today() - timedelta(days=45))
    await set_review_due(app, in_grace["id"], date.today() - timedelta(days=10))
    await an_expired_idempotency_record(client, app, lancashire.slug)

    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "scheduler", "--once", "--grace-days", "30"],
        env=scheduler_environment(database_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    lapse_line = re.search(r"lapse-overdue for \d{4}-\d\d-\d\dT02:00Z: (.*) in [\d.]+s", result.stderr)
    assert lapse_line, result.stderr
    assert lapse_line[1] == f"lapsed 1 pledges overdue for review by more than 30 days: {overdue['id']}"
    sweep_line = re.search(r"sweep-expired for \d{4}-\d\d-\d\dT\d\d:00Z: (.*) in [\d.]+s", result.stderr)
    assert sweep_line, result.stderr
    assert sweep_line[1].startswith("deleted 1 expired idempotency records and ")

    officer = bearer(lancashire.officer_key)
    statuses = [
        (await client.get(f"/v1/pledges/{p['id']}", headers=officer)).json()["status"] for p in (overdue, in_grace)
    ]
    assert statuses == ["lapsed", "published"]
    async with app.state.engine.connect() as conn:
        keys = (await conn.execute(text("SELECT key FROM idempotency_record"))).scalars().all()
    assert "expired" not in keys


async def test_scheduler_once_exits_1_when_a_job_fails(tmp_path):
    # A database with no tables: both jobs fail, are logged, and the exit status says so.
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "scheduler", "--once"],
        env=scheduler_environment(f"sqlite:///{tmp_path}/empty.db"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert re.search(r"lapse-overdue for \S+ failed; next try at", result.stderr)
    assert re.search(r"sweep-expired for \S+ failed; next try at", result.stderr)
    assert "Traceback" in result.stderr  # the exception itself is logged, not only that there was one
