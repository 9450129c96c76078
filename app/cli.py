"""`covenant-registry`: serve, migrate, load demo data, seed synthetic data."""

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import create_engine, create_sessionmaker
from app.observability import configure_logging

log = logging.getLogger("app.cli")


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
        proxy_headers=True,
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


def cmd_seed_synthetic(args: argparse.Namespace) -> None:
    from app.demo.synthetic import seed_synthetic

    async def seed(settings: Settings) -> None:
        engine = create_engine(settings)
        try:
            summary = await seed_synthetic(
                engine, signatories=args.signatories, commitments=args.commitments, seed=args.seed
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
    from app.services import keys

    async def create(settings: Settings) -> None:
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
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

    from app.services import reviews

    async def lapse(settings: Settings) -> None:
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
                lapsed = await reviews.lapse_overdue(
                    session, None, covenant_id=None, grace_days=args.grace_days, today=date.today()
                )
        finally:
            await engine.dispose()
        log.info("lapsed %s pledges overdue for review by more than %s days", len(lapsed), args.grace_days)
        for pledge_id in lapsed:
            print(pledge_id)

    run_async(lapse)


def cmd_sweep_expired(_args: argparse.Namespace) -> None:
    from app.services import idempotency, rate_limits

    async def sweep(settings: Settings) -> None:
        engine = create_engine(settings, pooled=False)
        try:
            async with engine.begin() as conn:
                records = await idempotency.sweep_expired(conn)
                buckets = await rate_limits.sweep_spent(conn)
        finally:
            await engine.dispose()
        log.info("deleted %s expired idempotency records and %s spent rate-limit buckets", records, buckets)
        print(f"idempotency_records={records} rate_limit_buckets={buckets}")

    run_async(sweep)


def cmd_openapi(args: argparse.Namespace) -> None:
    from app.main import create_app
    from app.openapi_file import write_openapi

    write_openapi(create_app().openapi(), args.output)
    log.info("wrote %s", args.output)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="covenant-registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=None)
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="upgrade the database schema (alembic upgrade)")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(handler=cmd_migrate)

    demo = commands.add_parser("demo-data", help="load the demo authorities, organisations and offers")
    demo.set_defaults(handler=cmd_demo_data)

    synthetic = commands.add_parser("seed-synthetic", help="add realistic synthetic data at scale")
    synthetic.add_argument("--signatories", type=int, default=20_000)
    synthetic.add_argument("--commitments", type=int, default=200_000)
    synthetic.add_argument("--seed", type=int, default=2026, help="random seed, for repeatable data")
    synthetic.set_defaults(handler=cmd_seed_synthetic)

    operator_key = commands.add_parser("create-operator-key", help="issue a registry operator key (printed once)")
    operator_key.add_argument("--name", default="Registry operator")
    operator_key.set_defaults(handler=cmd_create_operator_key)

    lapse = commands.add_parser("lapse-overdue", help="lapse published pledges overdue for review (run daily)")
    lapse.add_argument("--grace-days", type=int, default=30, help="days after review_due before a pledge lapses")
    lapse.set_defaults(handler=cmd_lapse_overdue)

    sweep = commands.add_parser(
        "sweep-expired", help="delete expired idempotency records and spent rate-limit counts (run hourly or daily)"
    )
    sweep.set_defaults(handler=cmd_sweep_expired)

    openapi = commands.add_parser("openapi", help="write the OpenAPI contract (openapi/openapi.json)")
    openapi.add_argument("--output", default=str(PROJECT_ROOT / "openapi" / "openapi.json"))
    openapi.set_defaults(handler=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    configure_logging(get_settings().log_level)
    try:
        args.handler(args)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
