"""Figures and downloads for everyone: covenant statistics, the annual report, CSV open data.

No key needed. With the key of an officer of the covenant (or the operator), statistics and the report show
exact numbers instead of suppressing counts from 1 to 4 (the rule is `access.sees_exact_figures`).
"""

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from starlette.responses import Response

from app.api.auth import OptionalCaller
from app.api.deps import OPTIONAL_KEY, CovenantReference, ReadConnection
from app.api.etags import prefers_html, public_etag
from app.api.http import NO_STORE, private_json, public_answer, public_cache_control, public_json
from app.api.problems import problem_docs, read_docs
from app.reports.annual_html import render_annual_report
from app.schemas.commitments import CommitmentFilters
from app.schemas.reports import AnnualReport, CovenantStatistics
from app.schemas.signatories import SignatoryFilters
from app.services import annual_report, councils, open_data, statistics

router = APIRouter(prefix="/v1")

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"


def _answer(request: Request, document: Any, exact: bool, *, negotiated: bool = False) -> Response:
    if exact:
        return private_json(document, headers={"Vary": "Accept, Authorization" if negotiated else "Authorization"})
    return public_json(request, document, varies_by_key=True, negotiated=negotiated)


@router.get(
    "/covenants/{covenant}/statistics",
    response_model=CovenantStatistics,
    tags=["Statistics"],
    summary="Get a covenant's statistics",
    responses=read_docs(401, 404, 422),
    openapi_extra=OPTIONAL_KEY,
)
async def get_covenant_statistics(
    request: Request, covenant: CovenantReference, conn: ReadConnection, caller: OptionalCaller
) -> Response:
    """Organisations by sector and size, published pledges, offers by priority and type, priorities with no
    active offer, and delivery per financial year. Counts from 1 to 4 show as "<5" except to the covenant's
    officers."""
    document = await statistics.statistics_for(conn, caller, covenant)
    return _answer(request, document, document["exact"])


ReportYear = Annotated[int, Query(ge=2000, le=2100, description="Financial year by its first year: 2025 is 2025/26.")]

TO_THE_PAGE: dict[int | str, dict[str, Any]] = {
    303: {
        "description": "A browser (`Accept: text/html` without `application/json`) is sent to the printable page, "
        "`annual-report.html`, for the same year.",
        "headers": {"Location": {"description": "The printable page.", "schema": {"type": "string"}}},
    }
}


@router.get(
    "/covenants/{covenant}/annual-report",
    response_model=AnnualReport,
    tags=["Statistics"],
    summary="Get a covenant's annual report",
    responses={**TO_THE_PAGE, **read_docs(401, 404, 422)},
    openapi_extra=OPTIONAL_KEY,
)
async def get_annual_report(
    request: Request, covenant: CovenantReference, conn: ReadConnection, caller: OptionalCaller, year: ReportYear
) -> Response:
    """The covenant's year for cabinet: offers by priority, delivery against places, new signatories, gaps,
    and "you said, we did". The same figures as a printable page: `annual-report.html`."""
    if prefers_html(request.headers.get("accept", "")):
        # Relative, so that it stays right behind a proxy that rewrites the host.
        page = f"{request.url.path}.html?{urlencode({'year': year})}"
        return RedirectResponse(page, status_code=303, headers={"Vary": "Accept"})
    report = await annual_report.annual_report_for(conn, caller, covenant, year, date.today())
    return _answer(request, report, report["exact"], negotiated=True)


@router.get(
    "/covenants/{covenant}/annual-report.html",
    response_class=HTMLResponse,
    tags=["Statistics"],
    summary="Print a covenant's annual report",
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "A printable A4 page."},
        **read_docs(401, 404, 422),
    },
    openapi_extra=OPTIONAL_KEY,
)
async def get_annual_report_page(
    request: Request, covenant: CovenantReference, conn: ReadConnection, caller: OptionalCaller, year: ReportYear
) -> Response:
    """The annual report as a page to print or save as PDF, with its charts drawn on the server (no script)."""
    report = await annual_report.annual_report_for(conn, caller, covenant, year, date.today())
    page = render_annual_report(report)
    if report["exact"]:
        return HTMLResponse(page, headers={"Cache-Control": NO_STORE, "Vary": "Authorization"})
    return public_answer(request, page.encode(), HTML_MEDIA_TYPE, vary=["Authorization"])


ForExcel = Annotated[
    bool,
    Query(
        description="Excel's dialect: a UTF-8 byte order mark first (so £ and é show as they are), and registration "
        "numbers kept as text (09876543, not 9876543)."
    ),
]


def _csv(request: Request, name: str, body: Any) -> StreamingResponse:
    """A download named for what it holds and the day it was made (`commitments-2026-12-01.csv`). Its ETag names
    the data version it was read at: a copy is current, and revalidates with a 304, until the next write."""
    headers = {
        "Content-Disposition": f'attachment; filename="{name}-{date.today().isoformat()}.csv"',
        "Cache-Control": public_cache_control(request),
    }
    version = getattr(request.state, "data_version", None)
    if version is not None:
        headers["ETag"] = public_etag(request.scope, version, f"csv{version}".encode())
    return StreamingResponse(body, media_type=CSV_MEDIA_TYPE, headers=headers)


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, one row per record."}
}


@router.get(
    "/commitments.csv",
    tags=["Open data"],
    summary="Download offers as CSV",
    response_class=StreamingResponse,
    responses={**CSV_RESPONSE, **problem_docs(422)},
)
async def download_commitments(
    request: Request, filters: Annotated[CommitmentFilters, Query()], excel: ForExcel = False
) -> StreamingResponse:
    """Every public offer (or those matching the same filters as the list), one row each, streamed. The
    columns are listed in the README; `limit` and `cursor` are ignored."""
    rows = open_data.commitments_csv(
        request.app.state.engine, await councils.with_area_resolved(filters), for_excel=excel
    )
    return _csv(request, "commitments", rows)


@router.get(
    "/signatories.csv",
    tags=["Open data"],
    summary="Download signatories as CSV",
    response_class=StreamingResponse,
    responses={**CSV_RESPONSE, **problem_docs(422)},
)
async def download_signatories(
    request: Request, filters: Annotated[SignatoryFilters, Query()], excel: ForExcel = False
) -> StreamingResponse:
    """Every verified organisation (or those matching the list's filters), one row each, streamed. The columns
    are listed in the README."""
    rows = open_data.signatories_csv(
        request.app.state.engine, await councils.with_area_resolved(filters), for_excel=excel
    )
    return _csv(request, "signatories", rows)
