"""`covenant-registry scheduler`: runs the periodic jobs (app/jobs.py) on a UTC clock, forever.

`lapse-overdue` runs once a day (02:00 UTC unless told otherwise), `remind-reviews-due` a quarter of an hour
after it, and `sweep-expired` every hour, on the hour.
The timing is a pure function (`next_run`), so it is tested without waiting. A job that fails is logged with its
exception and tried again at its next slot; the loop itself never stops for it. SIGTERM or SIGINT stops the loop
between jobs, never in the middle of one.

Several schedulers may run against one PostgreSQL database (one per host, say): each job's slot is claimed with
an advisory lock first, so only one of them runs it. On SQLite, a single-host database, there is nothing to claim.
"""

import asyncio
import logging
import signal
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app import jobs
from app.config import Settings
from app.db import create_engine, is_sqlite
from app.observability import request_id_var

log = logging.getLogger("app.scheduler")

# Midnight and the top of an hour, so whole days and hours counted from here fall on UTC midnights and hours.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
DEFAULT_LAPSE_HOUR = 2
# Reminders are written after the day's lapses, so a pledge that lapsed is not also reminded that day.
REMIND_AFTER_LAPSE_MINUTES = 15
# The longest single sleep: a wall-clock step (NTP, a suspended host) moves a run by at most this much.
LONGEST_NAP_SECONDS = 60.0


@dataclass(frozen=True)
class Schedule:
    """Slots every `period` (a day or an hour), each `offset` after a UTC midnight or the top of an hour."""

    period: timedelta
    offset: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.period not in (DAY, HOUR):
            raise ValueError("a schedule runs daily or hourly")
        if not timedelta(0) <= self.offset < self.period:
            raise ValueError("the offset must fall inside the period")

    def describe(self) -> str:
        minutes = int(self.offset // timedelta(minutes=1))
        if self.period == DAY:
            return f"daily at {minutes // 60:02d}:{minutes % 60:02d} UTC"
        return f"hourly at :{minutes:02d}"


def daily(hour: int, minute: int = 0) -> Schedule:
    return Schedule(DAY, timedelta(hours=hour, minutes=minute))


def hourly(minute: int = 0) -> Schedule:
    return Schedule(HOUR, timedelta(minutes=minute))


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no time zone: pass an aware one")
    return moment.astimezone(UTC)


def latest_slot(now: datetime, schedule: Schedule) -> datetime:
    """The last slot at or before `now`: the one a run started at `now` belongs to."""
    # UTC has no daylight saving, so every day is 24 hours and plain arithmetic from the epoch is exact.
    periods = (as_utc(now) - EPOCH - schedule.offset) // schedule.period
    return EPOCH + schedule.offset + periods * schedule.period


def next_run(now: datetime, schedule: Schedule) -> datetime:
    """The first slot strictly after `now`."""
    return latest_slot(now, schedule) + schedule.period


def slot_name(slot: datetime) -> str:
    return f"{slot:%Y-%m-%dT%H:%M}Z"


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Schedule
    # Given the slot it runs for, does the work and says in a few words what it did.
    run: Callable[[datetime], Awaitable[str]]


class SlotClaims(Protocol):
    async def claim(self, job: str, slot: datetime) -> bool:
        """True if this scheduler is the one to run `job` for `slot`."""
        ...

    async def close(self) -> None: ...


class SingleHost:
    """SQLite: one host, one scheduler, nothing to share."""

    async def claim(self, job: str, slot: datetime) -> bool:
        return True

    async def close(self) -> None:
        return None


TRY_LOCK = text("SELECT pg_try_advisory_lock(CAST(:job AS integer), CAST(:slot AS integer))")
UNLOCK = text("SELECT pg_advisory_unlock(CAST(:job AS integer), CAST(:slot AS integer))")


def job_lock_key(job: str) -> int:
    """A stable 32-bit number for a job's name, namespaced so other users of advisory locks are unlikely to clash."""
    unsigned = zlib.crc32(f"covenant-registry scheduler {job}".encode())
    return unsigned - 2**32 if unsigned >= 2**31 else unsigned


def slot_lock_key(slot: datetime) -> int:
    # Minutes since the epoch fit a signed 32-bit lock key until the year 6053.
    return (slot - EPOCH) // timedelta(minutes=1)


class AdvisoryLocks:
    """PostgreSQL: a job's slot is claimed with a session advisory lock on (job, slot), kept until the job's next
    claim. Holding it through the whole slot, not just the run, is what stops a scheduler whose clock or wake-up
    is a little late from running the same slot again after the first one finished. Each held lock is one idle
    connection (autocommit, so never idle in a transaction); closing it releases the lock, even if this process
    dies."""

    def __init__(self, settings: Settings) -> None:
        # NullPool: closing a connection really closes it, which is what releases a session-level lock.
        self.engine = create_engine(settings, pooled=False)
        self.held: dict[str, tuple[AsyncConnection, dict[str, int]]] = {}

    async def claim(self, job: str, slot: datetime) -> bool:
        await self.release(job)  # its previous slot is over
        keys = {"job": job_lock_key(job), "slot": slot_lock_key(slot)}
        conn = await self.engine.connect()
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            claimed = bool((await conn.execute(TRY_LOCK, keys)).scalar_one())
        except BaseException:
            await conn.close()
            raise
        if not claimed:
            await conn.close()
            return False
        self.held[job] = (conn, keys)
        return True

    async def release(self, job: str) -> None:
        if job not in self.held:
            return
        conn, keys = self.held.pop(job)
        try:
            await conn.execute(UNLOCK, keys)
        except Exception:
            # A connection that broke (a database restart, say) took its lock with it: nothing is left to free,
            # and the claim that called this must still be able to go ahead on a new connection.
            log.warning("could not unlock %s's last slot; its connection had gone", job, exc_info=True)
        finally:
            await conn.close()

    async def close(self) -> None:
        try:
            for job in list(self.held):
                await self.release(job)
        finally:
            await self.engine.dispose()


def claims_for(settings: Settings) -> SlotClaims:
    return SingleHost() if is_sqlite(settings.database_url) else AdvisoryLocks(settings)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def wait_for_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds`; True if told to stop meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


class Scheduler:
    """Runs `job_list` on their schedules. The clock and the waiting are parameters so a test can run days of
    slots in an instant; in service they are the wall clock and a real wait."""

    def __init__(
        self,
        job_list: Sequence[Job],
        claims: SlotClaims,
        *,
        clock: Callable[[], datetime] = utc_now,
        wait: Callable[[asyncio.Event, float], Awaitable[bool]] = wait_for_stop,
    ) -> None:
        self.jobs = list(job_list)
        self.claims = claims
        self.clock = clock
        self.wait = wait

    async def run_job(self, job: Job, slot: datetime) -> bool:
        """Run `job` for `slot` unless another scheduler has it; logs one line either way. False if it failed."""
        # Every line logged during the run names the job and slot where request lines name their request.
        token = request_id_var.set(f"{job.name}@{slot_name(slot)}")
        started = time.perf_counter()
        try:
            if not await self.claims.claim(job.name, slot):
                log.info("%s for %s: skipped, another scheduler has this slot", job.name, slot_name(slot))
                return True
            done = await job.run(slot)
            log.info("%s for %s: %s in %.2fs", job.name, slot_name(slot), done, time.perf_counter() - started)
            return True
        except Exception:
            # Any failure at all, the database's included: the loop must outlive it, and the next slot retries.
            retry = next_run(slot, job.schedule)
            log.exception("%s for %s failed; next try at %s", job.name, slot_name(slot), slot_name(retry))
            return False
        finally:
            request_id_var.reset(token)

    async def run_once(self) -> bool:
        """Every job at once, each for its current slot; True if none failed."""
        now = self.clock()
        outcomes = [await self.run_job(job, latest_slot(now, job.schedule)) for job in self.jobs]
        return all(outcomes)

    async def run_forever(self, stop: asyncio.Event) -> None:
        due = {job.name: next_run(self.clock(), job.schedule) for job in self.jobs}
        for job in self.jobs:
            log.info("scheduled %s %s, next at %s", job.name, job.schedule.describe(), slot_name(due[job.name]))
        while not stop.is_set():
            # Jobs due at the same moment run one after the other, in the order they were given.
            job = min(self.jobs, key=lambda candidate: due[candidate.name])
            slot = due[job.name]
            if not await self.sleep_until(slot, stop):
                break
            await self.run_job(job, slot)
            # From the later of now and the slot: a clock stepped back must not bring the same slot round again.
            due[job.name] = next_run(max(self.clock(), slot), job.schedule)
        log.info("scheduler stopped")

    async def sleep_until(self, moment: datetime, stop: asyncio.Event) -> bool:
        """Wait until `moment` by the wall clock; False if told to stop first."""
        while (remaining := (moment - self.clock()).total_seconds()) > 0:
            if await self.wait(stop, min(remaining, LONGEST_NAP_SECONDS)):
                return False
        return not stop.is_set()


def registry_jobs(settings: Settings, *, lapse_hour: int, grace_days: int) -> list[Job]:
    async def lapse_overdue(_slot: datetime) -> str:
        lapsed = await jobs.lapse_overdue(settings, grace_days=grace_days, today=utc_now().date())
        return jobs.describe_lapsed(lapsed, grace_days)

    async def remind_reviews_due(_slot: datetime) -> str:
        return jobs.describe_reminded(await jobs.remind_reviews_due(settings, today=utc_now().date()))

    async def sweep_expired(_slot: datetime) -> str:
        return (await jobs.sweep_expired(settings)).describe()

    return [
        Job("lapse-overdue", daily(lapse_hour), lapse_overdue),
        Job("remind-reviews-due", daily(lapse_hour, REMIND_AFTER_LAPSE_MINUTES), remind_reviews_due),
        Job("sweep-expired", hourly(), sweep_expired),
    ]


async def run_until_stopped(scheduler: Scheduler) -> None:
    """The loop, until SIGTERM or SIGINT; a job in progress is finished first."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: signal.Signals) -> None:
        log.info("%s received: stopping once the job in hand (if any) is done", signum.name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        await scheduler.run_forever(stop)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def run_scheduler(settings: Settings, *, once: bool, lapse_hour: int, grace_days: int) -> bool:
    """The `scheduler` command: False if `once` and a job failed (the loop itself only ends when told to)."""
    claims = claims_for(settings)
    scheduler = Scheduler(registry_jobs(settings, lapse_hour=lapse_hour, grace_days=grace_days), claims)
    try:
        if once:
            return await scheduler.run_once()
        await run_until_stopped(scheduler)
        return True
    finally:
        await claims.close()
