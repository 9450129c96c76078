"""create_app(): the ASGI application with its routers, error handlers and middleware.

`app.main:app` is what uvicorn serves. The process keeps no state that matters across requests: everything
lives in the database, so any number of workers on any number of hosts can serve the same registry.
"""

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from app import __version__
from app.api import (
    areas,
    audit,
    authorities,
    changes,
    commitments,
    covenants,
    delivery,
    embed,
    keys,
    notifications,
    open_data,
    operations,
    oruk,
    pledges,
    problem_reports,
    recognition,
    signatories,
    strategies,
    voice,
    webhooks,
)
from app.api.client_address import TrustedProxiesMiddleware, parse_networks
from app.api.cors import RegistryCors
from app.api.docs import install_docs
from app.api.keyless_reads import KeylessReadMiddleware
from app.api.metrics import Metrics
from app.api.middleware import CompressionMiddleware, HeadAsGetMiddleware, RequestContextMiddleware
from app.api.openapi import build_openapi, operation_id
from app.api.problems import install_problem_handlers
from app.api.revalidation import RevalidationMiddleware
from app.config import Settings, get_settings
from app.db import ConnectionGate, create_engine, create_sessionmaker, is_sqlite
from app.migrate import head_revisions
from app.services import public_writes
from app.services import worker as outbox_worker
from app.services.data_version import VersionClock


def keep_startup_objects_out_of_collections() -> None:
    """What exists once the worker has started (modules, routes, models, about 140k objects) lives as long as the
    worker. Python's full collections walked all of it about once a second under load, a 100 ms pause that every
    request in flight waited out (p99 of a cold read 117 ms, p50 19 ms). Frozen, it is never walked again: the
    pauses are 5-7 ms and that p99 26 ms. Garbage is collected first, so nothing dead is kept."""
    gc.collect()
    gc.freeze()


def start_in_process_worker(settings: Settings, sessionmaker: Any) -> "asyncio.Task[None] | None":
    """SQLite has one writer and one process: webhooks and emails are sent from inside it, unless told otherwise.
    On PostgreSQL `covenant-registry worker` runs beside the web workers (docker-compose does)."""
    wanted = settings.in_process_worker
    if wanted is None:
        # SQLite takes no row locks: with several web processes, each would claim the same deliveries.
        wanted = is_sqlite(settings.database_url) and settings.workers == 1
    if not wanted:
        return None
    return asyncio.create_task(outbox_worker.run_forever(outbox_worker.Outboxes.of(settings, sessionmaker)))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        # Reads run one statement each (or a few, each its own snapshot under READ COMMITTED anyway): without a
        # transaction they skip a BEGIN and a ROLLBACK round trip per request. Same pool as the writers.
        app.state.read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        app.state.read_gate = ConnectionGate(settings.db_pool_size)
        app.state.sessionmaker = create_sessionmaker(engine, public_writes.RULES)
        app.state.version_clock = VersionClock(app.state.read_engine, settings.data_version_ttl)
        keep_startup_objects_out_of_collections()
        worker = start_in_process_worker(settings, app.state.sessionmaker)
        try:
            yield
        finally:
            if worker is not None:
                worker.cancel()
            await engine.dispose()

    app = FastAPI(
        title="Care-leavers covenant registry",
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        openapi_url="/openapi.json",
        docs_url=None,  # served by app/api/docs.py, from local assets rather than a CDN
        redoc_url=None,
        # The service keeps its own trace context (app/observability.py) and metrics (/metrics). FastAPI's own
        # OpenTelemetry hook, with no provider configured, only asked on every request whether one had been
        # (reading the environment each time).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.head_revisions = head_revisions()
    app.state.metrics = Metrics(app.state)

    install_problem_handlers(app)
    install_docs(app)
    for module in (
        operations,
        authorities,
        covenants,
        signatories,
        pledges,
        commitments,
        delivery,
        open_data,
        keys,
        audit,
        areas,
        changes,
        webhooks,
        notifications,
        strategies,
        voice,
        problem_reports,
        recognition,
    ):
        app.include_router(module.router)
    # The Open Referral UK feed has a contract of its own (/oruk/openapi.json), which the registry's links to.
    app.include_router(oruk.router, include_in_schema=False)
    app.include_router(embed.router, include_in_schema=False)
    # Routes outside the registry's contract, so a 405 names their methods and metrics their routes.
    app.state.other_contracts = [lambda: oruk.oruk_openapi(app), embed.known_paths]

    # Innermost: the busiest keyless reads answered without routing; every layer outside still applies.
    app.add_middleware(
        KeylessReadMiddleware, reads=[*commitments.KEYLESS_READS, *signatories.KEYLESS_READS, *open_data.KEYLESS_READS]
    )
    app.add_middleware(
        RevalidationMiddleware,
        cache_control=f"public, max-age={settings.public_cache_max_age}",
        cache_bytes=settings.public_response_cache_mb * 1024 * 1024,
    )
    # Any web page may read the public API and send the two public forms; no other write is offered to browsers.
    app.add_middleware(RegistryCors)
    # Outside the memory of public answers, which keeps them uncompressed, one copy for every client.
    app.add_middleware(CompressionMiddleware, minimum_size=settings.compress_at_bytes)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=settings.max_request_body_bytes, form_paths=embed.FORM_POSTS
    )
    # Outermost: every layer inside, the access log included, sees the client a trusted proxy forwarded for.
    app.add_middleware(TrustedProxiesMiddleware, trusted=parse_networks(settings.trusted_proxies))
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    return app


app = create_app()
