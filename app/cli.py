"""The covenant-registry command: serve the API, migrate the database, load demo
or synthetic data, issue the operator's first key, and run the periodic jobs,
one at a time or all of them on a clock (scheduler)."""

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Coroutine
from importlib import metadata
from pathlib import Path
from typing import Any, TypeAlias

import httpx

from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import create_engine, create_sessionmaker
from app.observability import configure_logging

log = logging.getLogger("app.cli")

# What add_subparsers() returns: the object each command is added to.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a process stopped by Ctrl-C

EXIT_CODES = """\
exit codes:
  0    success; the scheduler also exits 0 when SIGTERM or SIGINT stops it
  1    the command failed (the error is logged); scheduler --once: a job failed
  2    usage error: an unknown command or option, or a bad value
  130  interrupted by Ctrl-C (the scheduler's loop stops cleanly instead: 0)

Settings (DATABASE_URL, LOG_LEVEL and the rest) come from the environment or
a .env file in the working directory: see README.md."""


def run_async(function: Callable[[Settings], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(function(get_settings()))


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        log_config=None,  # keep our format, which names each request id
        # The app reads forwarded addresses itself, from TRUSTED_PROXIES only (app/api/client_address.py):
        # uvicorn's own reading would believe any process on this host.
        proxy_headers=False,
        server_header=False,
        access_log=False,
    )


def cmd_migrate(args: argparse.Namespace) -> None:
    from app import migrate

    migrate.upgrade(get_settings().database_url, args.revision)
    log.info("database at %s", args.revision)


def cmd_demo_data(_args: argparse.Namespace) -> None:
    from app.demo.loader import load_demo_data

    async def load(settings: Settings) -> None:
        engine = create_engine(settings)
        try:
            inserted = await load_demo_data(create_sessionmaker(engine))
        finally:
            await engine.dispose()
        log.info("demo data loaded: %s new rows%s", inserted, "" if inserted else " (already present)")

    run_async(load)


def cmd_rebuild_read_model(_args: argparse.Namespace) -> None:
    from app.services import data_version
    from app.services.projection import rebuild_public_commitments

    async def rebuild(settings: Settings) -> None:
        engine = create_engine(settings)
        try:
            async with engine.begin() as conn:  # one transaction: readers see the old model or the new one
                written = await rebuild_public_commitments(conn)
                await data_version.bump(conn)
        finally:
            await engine.dispose()
        log.info("read model rebuilt: %s public offers", written)

    run_async(rebuild)


class TenthsProgress:
    """Reports on standard error each time another tenth of the asked-for commitments is in."""

    def __init__(self) -> None:
        self.tenths_reported = 0

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        tenths = done * 10 // total
        if tenths > self.tenths_reported:
            self.tenths_reported = tenths
            print(f"seeded {done * 100 // total}% ({done:,} of {total:,} commitments)", file=sys.stderr, flush=True)


def cmd_seed_synthetic(args: argparse.Namespace) -> None:
    from app.demo.synthetic import seed_synthetic

    async def seed(settings: Settings) -> None:
        engine = create_engine(settings)
        try:
            summary = await seed_synthetic(
                engine,
                signatories=args.signatories,
                commitments=args.commitments,
                seed=args.seed,
                progress=TenthsProgress(),
            )
        finally:
            await engine.dispose()
        log.info(
            "seeded %s signatories, %s pledges, %s commitments in %.1fs; busiest priority %s",
            summary.signatories,
            summary.pledges,
            summary.commitments,
            summary.seconds,
            summary.busiest_priority_id,
        )
        print(summary.busiest_priority_id)

    run_async(seed)


def cmd_create_operator_key(args: argparse.Namespace) -> None:
    from app.services import keys, public_writes

    async def create(settings: Settings) -> None:
        engine = create_engine(settings)
        try:
            # Judged by the registry's rules, as the service's own writes are: a key is private, so every
            # worker's memory of public answers is left alone.
            async with create_sessionmaker(engine, public_writes.RULES)() as session, session.begin():
                new_key = await keys.issue(
                    session, None, keys.KeyOwner.operator(), name=args.name, keyless_actor="console"
                )
        finally:
            await engine.dispose()
        log.info("issued operator key %s (%s); it is printed once, on standard output", new_key.row.id, args.name)
        print(new_key.plaintext)

    run_async(create)


def cmd_lapse_overdue(args: argparse.Namespace) -> None:
    from datetime import date

    from app import jobs

    async def lapse(settings: Settings) -> None:
        lapsed = await jobs.lapse_overdue(settings, grace_days=args.grace_days, today=date.today())
        log.info("%s", jobs.describe_lapsed(lapsed, args.grace_days))
        for pledge_id in lapsed:
            print(pledge_id)

    run_async(lapse)


def cmd_remind_reviews_due(_args: argparse.Namespace) -> None:
    from datetime import date

    from app import jobs

    async def remind(settings: Settings) -> None:
        reminded = await jobs.remind_reviews_due(settings, today=date.today())
        log.info("%s", jobs.describe_reminded(reminded))
        for pledge_id in reminded:
            print(pledge_id)

    run_async(remind)


def cmd_sweep_expired(_args: argparse.Namespace) -> None:
    from app import jobs

    async def sweep(settings: Settings) -> None:
        counts = await jobs.sweep_expired(settings)
        log.info("%s", counts.describe())
        print(f"idempotency_records={counts.idempotency_records} rate_limit_buckets={counts.rate_limit_buckets}")

    run_async(sweep)


def cmd_scheduler(args: argparse.Namespace) -> None:
    from app.scheduler import run_scheduler

    succeeded = asyncio.run(
        run_scheduler(get_settings(), once=args.once, lapse_hour=args.lapse_hour, grace_days=args.grace_days)
    )
    if not succeeded:
        sys.exit(EXIT_FAILURE)


def cmd_worker(args: argparse.Namespace) -> None:
    from app.services import public_writes, worker

    settings = get_settings()

    async def deliver() -> None:
        engine = create_engine(settings)
        try:
            outboxes = worker.Outboxes.of(settings, create_sessionmaker(engine, public_writes.RULES))
            if outboxes.mailer is None:
                log.info("no SMTP_HOST is set: notifications are recorded and logged, not sent")
            if args.once:
                async with httpx.AsyncClient(follow_redirects=False) as http:
                    log.info("worker round: %s", await worker.run_once(outboxes, http) or "nothing to do")
            else:
                await worker.run_forever(outboxes, interval=args.interval)
        finally:
            await engine.dispose()

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends it between rounds, quietly
        asyncio.run(deliver())


def cmd_openapi(args: argparse.Namespace) -> None:
    from app.api.oruk import oruk_openapi
    from app.main import create_app
    from app.openapi_file import write_openapi

    app = create_app()
    write_openapi(app.openapi(), args.output)
    oruk_output = Path(args.output).with_name("oruk.json")
    write_openapi(oruk_openapi(app), oruk_output)
    log.info("wrote %s and %s", args.output, oruk_output)


def package_version() -> str:
    try:
        return metadata.version("covenant-registry")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def add_command(
    commands: Commands,
    name: str,
    summary: str,
    handler: Callable[[argparse.Namespace], None],
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=summary)
    command.set_defaults(handler=handler)
    return command


def build_parser() -> argparse.ArgumentParser:
    # Every option's help names its default with %(default)s; options whose default is a setting say which.
    parser = argparse.ArgumentParser(
        prog="covenant-registry",
        description=__doc__,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_serve(commands)
    add_database_commands(commands)
    add_job_commands(commands)
    add_worker_command(commands)
    return parser


def add_serve(commands: Commands) -> None:
    serve = add_command(commands, "serve", "serve the API with uvicorn", cmd_serve)
    serve.add_argument("--host", help="address to listen on (default: the HOST setting, 127.0.0.1 unless set)")
    serve.add_argument("--port", type=int, help="port to listen on (default: the PORT setting, 8000 unless set)")
    serve.add_argument("--workers", type=int, help="worker processes (default: the WORKERS setting, 1 unless set)")


def add_database_commands(commands: Commands) -> None:
    migrate = add_command(commands, "migrate", "upgrade the database schema (alembic upgrade)", cmd_migrate)
    migrate.add_argument(
        "revision", nargs="?", default="head", help="Alembic revision to upgrade to (default: %(default)s)"
    )

    add_command(
        commands,
        "demo-data",
        "load the demo authorities, organisations and offers; loading them twice adds nothing",
        cmd_demo_data,
    )

    add_command(
        commands,
        "rebuild-read-model",
        "render every public offer again and re-index the areas it serves (after bumping the ONS data packages)",
        cmd_rebuild_read_model,
    )

    synthetic = add_command(
        commands,
        "seed-synthetic",
        "add realistic synthetic data at scale, for benchmarks; each run adds its own councils and covenants, and "
        "progress is reported on standard error",
        cmd_seed_synthetic,
    )
    synthetic.add_argument(
        "--signatories", type=int, default=20_000, help="organisations to add, one pledge each (default: %(default)s)"
    )
    synthetic.add_argument(
        "--commitments",
        type=int,
        default=200_000,
        help="offers to add, spread unevenly over the pledges (default: %(default)s)",
    )
    synthetic.add_argument(
        "--seed", type=int, default=2026, help="random seed, so a run can be repeated (default: %(default)s)"
    )

    operator_key = add_command(
        commands,
        "create-operator-key",
        "issue a registry operator key; it is printed once, on standard output",
        cmd_create_operator_key,
    )
    operator_key.add_argument(
        "--name", default="Registry operator", help="a name to tell the key by (default: %(default)s)"
    )

    openapi = add_command(commands, "openapi", "write the OpenAPI contract from the code", cmd_openapi)
    openapi.add_argument(
        "--output", default=str(PROJECT_ROOT / "openapi" / "openapi.json"), help="file to write (default: %(default)s)"
    )


def add_job_commands(commands: Commands) -> None:
    from app.jobs import DEFAULT_GRACE_DAYS
    from app.scheduler import DEFAULT_LAPSE_HOUR

    grace_help = "days past a pledge's review date before it lapses (default: %(default)s)"

    lapse = add_command(
        commands,
        "lapse-overdue",
        "lapse published pledges overdue for review, once (the scheduler runs it daily)",
        cmd_lapse_overdue,
    )
    lapse.add_argument("--grace-days", type=int, default=DEFAULT_GRACE_DAYS, help=grace_help)

    add_command(
        commands,
        "remind-reviews-due",
        "write a reminder to each organisation whose pledge's review is due within 30 days, once per review "
        "date (the scheduler runs it daily; the worker sends them)",
        cmd_remind_reviews_due,
    )

    add_command(
        commands,
        "sweep-expired",
        "delete expired idempotency records and spent rate-limit counts, once (the scheduler runs it hourly)",
        cmd_sweep_expired,
    )

    scheduler = add_command(
        commands,
        "scheduler",
        "run lapse-overdue and remind-reviews-due daily and sweep-expired hourly, until SIGTERM or SIGINT; "
        "several schedulers may share one PostgreSQL database, and each slot runs once",
        cmd_scheduler,
    )
    scheduler.add_argument(
        "--lapse-hour",
        type=hour_of_day,
        default=DEFAULT_LAPSE_HOUR,
        help="hour of the day (UTC, 0-23) at which lapse-overdue runs (default: %(default)s)",
    )
    scheduler.add_argument("--grace-days", type=int, default=DEFAULT_GRACE_DAYS, help=grace_help)
    scheduler.add_argument(
        "--once",
        action="store_true",
        help="run every job now, once, and exit; a job whose current slot a running scheduler has claimed is "
        "skipped (default: %(default)s: run on the clock until stopped)",
    )


def add_worker_command(commands: Commands) -> None:
    worker = add_command(
        commands,
        "worker",
        "deliver webhooks and email notifications: queue new public changes for each endpoint and send what is "
        "due, every few seconds until stopped; several workers may share one PostgreSQL database without sending "
        "an attempt twice",
        cmd_worker,
    )
    worker.add_argument("--interval", type=float, default=2.0, help="seconds between rounds (default: %(default)s)")
    worker.add_argument(
        "--once", action="store_true", help="run one round and exit (default: %(default)s: run until stopped)"
    )


def hour_of_day(value: str) -> int:
    hour = int(value)
    if not 0 <= hour <= 23:
        raise argparse.ArgumentTypeError(f"{value} is not an hour from 0 to 23")
    return hour


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    configure_logging(get_settings().log_level, get_settings().log_format)
    try:
        args.handler(args)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except Exception:
        log.exception("covenant-registry %s failed", args.command)
        sys.exit(EXIT_FAILURE)


if __name__ == "__main__":
    main()
