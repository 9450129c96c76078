"""The yardstick: a bare Starlette app with an asyncpg pool, running the exact SQL the service runs (copied
from SQLAlchemy's echo) and returning the rows as JSON with orjson. No validation, no auth, no ETags, no
problem+json: the floor of what Python can do for these requests on this machine.

    REFERENCE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/covreg_bench \
        uvicorn bench.reference:app --port 8101 --no-access-log
"""

import os
from contextlib import asynccontextmanager

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "10"))  # the service's default pool size

# The service's statements, as SQLAlchemy compiles them for asyncpg (tests/test_bench_reference.py checks they
# still match).
COMMITMENTS_BY_PRIORITY = (
    "SELECT public_commitment.commitment_id, public_commitment.document, public_commitment.covenant_id \n"
    "FROM public_commitment \n"
    "WHERE public_commitment.priority_id = $1::VARCHAR ORDER BY public_commitment.commitment_id \n"
    " LIMIT $2::INTEGER"
)
COMMITMENTS_AFTER = (
    "SELECT public_commitment.commitment_id, public_commitment.document, public_commitment.covenant_id \n"
    "FROM public_commitment \n"
    "WHERE public_commitment.commitment_id > $1::VARCHAR ORDER BY public_commitment.commitment_id \n"
    " LIMIT $2::INTEGER"
)
COMMITMENTS_FIRST = (
    "SELECT public_commitment.commitment_id, public_commitment.document, public_commitment.covenant_id \n"
    "FROM public_commitment ORDER BY public_commitment.commitment_id \n"
    " LIMIT $1::INTEGER"
)
# The area filter's statement (the read model's area index holds the hierarchy), with one placeholder per code
# asked for (SQLAlchemy's expanding IN: the council's code, national, remote).
COMMITMENTS_IN_AREAS = (
    "SELECT public_commitment.commitment_id, public_commitment.document, public_commitment.covenant_id \n"
    "FROM public_commitment \n"
    "WHERE EXISTS (SELECT * \n"
    "FROM public_commitment_area \n"
    "WHERE public_commitment_area.commitment_id = public_commitment.commitment_id AND "
    "public_commitment_area.area_code IN ({placeholders})) ORDER BY public_commitment.commitment_id \n"
    " LIMIT ${limit}::INTEGER"
)


def commitments_in_areas(count: int) -> str:
    """The statement for `count` codes: SQLAlchemy numbers the limit first and the expanded codes after it."""
    placeholders = ", ".join(f"${number}::VARCHAR" for number in range(2, count + 2))
    return COMMITMENTS_IN_AREAS.format(placeholders=placeholders, limit=1)


COMMITMENT_BY_ID = (
    "SELECT public_commitment.document \nFROM public_commitment \nWHERE public_commitment.commitment_id = $1::VARCHAR"
)
SIGNATORY_BY_ID = (
    "SELECT signatory.id, signatory.name, signatory.description, signatory.sector, signatory.organisation_type, "
    "signatory.size_band, signatory.companies_house_number, signatory.charity_number, signatory.website, "
    "signatory.public_contact, signatory.status, signatory.verified_at, "
    "(SELECT string_agg(signatory_area.area_code, ',') AS aggregate_strings_1 \n"
    "FROM signatory_area \nWHERE signatory_area.signatory_id = signatory.id) AS areas \n"
    "FROM signatory \nWHERE signatory.status = $1::VARCHAR AND signatory.id = $2::VARCHAR"
)


def json_response(document: object, status_code: int = 200) -> Response:
    return Response(orjson.dumps(document), status_code=status_code, media_type="application/json")


async def list_commitments(request: Request) -> Response:
    pool: asyncpg.Pool = request.app.state.pool
    limit = int(request.query_params.get("limit", "20"))
    priority, cursor = request.query_params.get("priority"), request.query_params.get("cursor")
    # `areas`: the codes the service asks its area index for, comma-separated (bench.py works them out).
    areas = request.query_params.get("areas")
    if areas:
        codes = areas.split(",")
        rows = await pool.fetch(commitments_in_areas(len(codes)), limit + 1, *codes)
    elif priority:
        rows = await pool.fetch(COMMITMENTS_BY_PRIORITY, priority, limit + 1)
    elif cursor:
        rows = await pool.fetch(COMMITMENTS_AFTER, cursor, limit + 1)
    else:
        rows = await pool.fetch(COMMITMENTS_FIRST, limit + 1)
    return json_response({"items": [dict(row) for row in rows[:limit]]})


async def get_commitment(request: Request) -> Response:
    row = await request.app.state.pool.fetchrow(COMMITMENT_BY_ID, request.path_params["commitment_id"])
    return json_response(dict(row) if row else {"detail": "not found"}, 200 if row else 404)


async def get_signatory(request: Request) -> Response:
    row = await request.app.state.pool.fetchrow(SIGNATORY_BY_ID, "verified", request.path_params["signatory_id"])
    return json_response(dict(row) if row else {"detail": "not found"}, 200 if row else 404)


async def ready(_request: Request) -> Response:
    return json_response({"status": "ok"})


@asynccontextmanager
async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
    url = os.environ["REFERENCE_DATABASE_URL"]
    app.state.pool = await asyncpg.create_pool(url, min_size=POOL_SIZE, max_size=POOL_SIZE)
    yield
    await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/readyz", ready),
        Route("/v1/commitments", list_commitments),
        Route("/v1/commitments/{commitment_id}", get_commitment),
        Route("/v1/signatories/{signatory_id}", get_signatory),
    ],
    lifespan=lifespan,
)
