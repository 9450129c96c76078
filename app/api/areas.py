"""Councils and postcodes: which council a young person's postcode is in, and a council's tiers."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.http import public_json
from app.api.problems import read_docs
from app.schemas.areas import AreaSearch, Council
from app.services import councils

router = APIRouter(prefix="/v1", tags=["Areas"])


@router.get(
    "/areas",
    response_model=AreaSearch,
    summary="Find councils by name, code or postcode",
    responses=read_docs(422),
)
async def search_areas(
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="A council's name or its start (`pres`), a GSS code (`E07000123`) or a postcode "
            "(`PR1 2HE`, in any spacing or case).",
        ),
    ],
) -> Response:
    """Councils whose name starts with `q` (case and punctuation aside: `st helens` finds St. Helens), the council
    with code `q`, or, for a postcode, its district and the upper-tier council that runs children's services
    there. The first postcode of a letter costs a worker about a tenth of a second to load; later ones are
    instant."""
    return public_json(request, await run_in_threadpool(councils.search, q))


@router.get(
    "/areas/{code}",
    response_model=Council,
    summary="Get a council",
    responses=read_docs(404, 422),
)
async def get_area(
    request: Request,
    code: Annotated[
        str, Path(max_length=12, pattern=r"^[A-Za-z][0-9]{8}$", description="The council's GSS code (`E10000017`).")
    ],
) -> Response:
    """A council by its GSS code, with the county it is in (a district) or its districts (a county)."""
    return public_json(request, councils.council_by_code(code))
