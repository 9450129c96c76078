"""Service metadata, health probes and the problem-type pages that `type` URIs point at."""

import json
import logging
from html import escape
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import text
from starlette.responses import Response

from app import __version__
from app.api.docs import DOCS_URL
from app.api.http import RETRY_AFTER_SECONDS, private_json, public_json
from app.api.problems import problem_docs, problem_response, read_docs
from app.errors import PROBLEM_TYPES, STATUS_TO_SLUG, NotFound, problem_type_uri
from app.geography.authorities import vintage as geography_vintage
from app.migrate import current_revisions
from app.schemas.common import Health, NotReadyProblem, ServiceInfo

router = APIRouter()

METRICS_MEDIA_TYPES = ("text/plain", "application/openmetrics-text")
log = logging.getLogger("app.health")

SERVICE_NAME = "Care-leavers covenant registry"


@router.get(
    "/v1",
    response_model=ServiceInfo,
    tags=["Service"],
    summary="Describe the service",
    responses=read_docs(),
)
async def get_service_info(request: Request) -> Response:
    """Name, version and where the OpenAPI contract lives."""
    document = {
        "name": SERVICE_NAME,
        "version": __version__,
        "api_version": "v1",
        "openapi_url": request.app.openapi_url,
        "docs_url": DOCS_URL,
        "geography": geography_vintage(),
    }
    return public_json(request, document)


@router.get(
    "/healthz",
    response_model=Health,
    tags=["Service"],
    summary="Liveness probe",
    responses=problem_docs(),
)
async def get_health() -> Response:
    """The process is up and answering. Says nothing about the database (see /readyz)."""
    return private_json({"status": "ok", "checks": {}})


@router.get(
    "/readyz",
    response_model=Health,
    tags=["Service"],
    summary="Readiness probe",
    responses={**problem_docs(), 503: {"model": NotReadyProblem, "description": "Not ready: `checks` says why."}},
)
async def get_readiness(request: Request) -> Response:
    """Ready when the database answers and its schema is at the latest migration; otherwise 503."""
    expected = request.app.state.head_revisions
    checks: dict[str, str] = {}
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            current = await current_revisions(conn)
            at_head = current == expected
            checks["schema"] = "ok" if at_head else f"at {sorted(current) or 'nothing'}, expected {sorted(expected)}"
    except Exception as exc:  # any failure to reach the database means not ready
        log.warning("readiness check failed: %s", type(exc).__name__)
        checks.setdefault("database", "unreachable")
        checks.setdefault("schema", "unknown")
    if all(value == "ok" for value in checks.values()):
        return private_json({"status": "ok", "checks": checks})
    failed = ", ".join(f"{name} {outcome}" for name, outcome in checks.items() if outcome != "ok")
    return problem_response(
        503,
        f"Not ready to serve: {failed}.",
        request.url.path,
        request.state.request_id,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        checks=checks,
    )


@router.get(
    "/metrics",
    tags=["Service"],
    summary="Metrics for Prometheus",
    response_class=PlainTextResponse,
    responses={
        200: {
            "content": {media_type: {"schema": {"type": "string"}} for media_type in METRICS_MEDIA_TYPES},
            "description": "Prometheus text, or OpenMetrics for a scraper that asks for it in Accept.",
        },
        **problem_docs(),
    },
)
async def get_metrics(request: Request) -> Response:
    """What this worker is doing, in Prometheus' text format: requests, latency, database connections, the
    public answer memory, the data version's age. Nothing in it names a person, an organisation or a key."""
    body, media_type = request.app.state.metrics.exposition(request.headers.get("accept", ""))
    return Response(body, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.get("/problems/{slug}", include_in_schema=False, response_class=HTMLResponse)
async def describe_problem(slug: Annotated[str, Path(max_length=60)]) -> HTMLResponse:
    if slug not in PROBLEM_TYPES:
        raise NotFound(f"No problem type {slug}.")
    title, meaning = PROBLEM_TYPES[slug]
    status = next((code for code, name in STATUS_TO_SLUG.items() if name == slug), 400)
    example = json.dumps(
        {
            "type": problem_type_uri(slug),
            "title": title,
            "status": status,
            "detail": "What went wrong with this request, in a sentence.",
            "instance": "/v1/…",
            "request_id": "6f1c2a…",
        },
        indent=2,
        ensure_ascii=False,
    )
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}: care-leavers covenant registry</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5;color:#0b0c0c}pre{background:#f3f2f1;padding:1rem;overflow-x:auto}</style></head>"
        f"<body><main><h1>{escape(title)}</h1><p>{escape(meaning)}</p>"
        f"<p>The registry answers this problem with HTTP status {status}, as <code>application/problem+json</code>"
        " (RFC 9457). Quote the <code>request_id</code> if you report it. For example:</p>"
        f"<pre>{escape(example)}</pre>"
        f"<p><a href='{DOCS_URL}'>Back to the API documentation</a></p></main></body></html>"
    )
