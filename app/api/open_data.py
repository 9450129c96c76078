"""Figures and downloads for everyone: covenant statistics, the annual report, CSV open data.

No key needed. With the key of an officer of the covenant (or the operator), statistics and the report show
exact numbers instead of suppressing counts from 1 to 4 (the rule is `access.sees_exact_figures`).
"""

import asyncio
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.responses import Response

from app.api.auth import OfficerWriter, OptionalCaller
from app.api.deps import OPTIONAL_KEY, CovenantReference, ReadConnection
from app.api.etags import prefers_html, public_etag
from app.api.examples import json_example
from app.api.http import NO_STORE, private_json, public_answer, public_cache_control, public_json
from app.api.keyless_reads import KeylessRead
from app.api.problems import problem_docs, read_docs
from app.api.responses import Rendered
from app.api.transactions import PostTransaction
from app.reports.annual_html import page_as_pdf, render_annual_report, render_for_young_people, render_panel_pack
from app.schemas.commitments import CommitmentFilters
from app.schemas.reports import AnnualReport, CovenantStatistics, PanelPack, ReportLink, ReportLinkCreate
from app.schemas.signatories import SignatoryFilters
from app.services import annual_report, councils, open_data, panel_pack, report_links, statistics
from app.services.access import Principal
from app.services.public_scopes import Scopes

router = APIRouter(prefix="/v1")

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
PDF_MEDIA_TYPE = "application/pdf"
REPORT_LINK_EXAMPLE = {
    "url": "/v1/covenants/lancashire-care-leavers/annual-report.html?year=2025&link=v1.eyJjIjoi…",
    "year": 2025,
    "format": "html",
    "expires_at": "2026-12-01T10:30:00Z",
}


def _answer(
    request: Request, document: Any, exact: bool, *, negotiated: bool = False, depends_on: Scopes | None = None
) -> Response:
    if exact:
        return private_json(document, headers={"Vary": "Accept, Authorization" if negotiated else "Authorization"})
    return public_json(request, document, varies_by_key=True, negotiated=negotiated, depends_on=depends_on)


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
    return await statistics_answer(request, conn, covenant, caller)


async def statistics_answer(
    request: Request, conn: AsyncConnection, covenant: str, caller: Principal | None = None
) -> Response:
    """What `get_covenant_statistics` answers; without a caller, its keyless form (`KEYLESS_READS`)."""
    found = await statistics.statistics_for(conn, caller, covenant)
    return _answer(request, found.document, found.document["exact"], depends_on=found.depends_on)


KEYLESS_READS = [
    KeylessRead("/v1/covenants/{covenant}/statistics", statistics_answer, path_types={"covenant": CovenantReference})
]


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


ReportLinkToken = Annotated[
    str | None,
    Query(
        max_length=600,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="A signed link's token (POST /v1/covenants/{covenant}/report-links): the exact report, once, "
        "without a key.",
    ),
]
PAGE_ERRORS = (401, 403, 404, 410, 422)


def html_document(description: str) -> dict[str, Any]:
    """A 200 that is a page, in the contract."""
    return {"content": {"text/html": {"schema": {"type": "string"}}}, "description": description}


def pdf_document(description: str) -> dict[str, Any]:
    """A 200 that is a PDF, in the contract (openapi-python-client reads it as bytes with the shipped config)."""
    return {
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        "description": description,
    }


async def _report_for_page(
    request: Request, conn: Any, caller: Any, covenant: str, year: int, link: str | None, format: str
) -> dict[str, Any]:
    if link is None:
        return await annual_report.annual_report_for(conn, caller, covenant, year, date.today())
    engine = request.app.state.engine
    return await annual_report.annual_report_by_link(conn, engine, link, covenant, year, format, date.today())


def _page_answer(request: Request, report: dict[str, Any], body: bytes, media_type: str) -> Response:
    if report["exact"]:
        return Response(body, media_type=media_type, headers={"Cache-Control": NO_STORE, "Vary": "Authorization"})
    return public_answer(request, body, media_type, vary=["Authorization"])


@router.get(
    "/covenants/{covenant}/annual-report.html",
    response_class=HTMLResponse,
    tags=["Statistics"],
    summary="Print a covenant's annual report",
    responses={
        200: html_document("A printable A4 page."),
        **read_docs(*PAGE_ERRORS),
    },
    openapi_extra=OPTIONAL_KEY,
)
async def get_annual_report_page(
    request: Request,
    covenant: CovenantReference,
    conn: ReadConnection,
    caller: OptionalCaller,
    year: ReportYear,
    link: ReportLinkToken = None,
) -> Response:
    """The annual report as a page to print (A4, page numbers and a running header), its charts drawn on the
    server (no script), each with a table of its figures. Officers open their exact version in a browser with a
    signed link (`link`)."""
    report = await _report_for_page(request, conn, caller, covenant, year, link, "html")
    return _page_answer(request, report, render_annual_report(report).encode(), HTML_MEDIA_TYPE)


@router.get(
    "/covenants/{covenant}/annual-report-for-young-people.html",
    response_class=HTMLResponse,
    tags=["Statistics"],
    summary="Read the year in plain English",
    responses={
        200: html_document("A short plain page."),
        **read_docs(404, 422),
    },
)
async def get_young_peoples_report(
    request: Request, covenant: CovenantReference, conn: ReadConnection, year: ReportYear
) -> Response:
    """The covenant's year for care leavers, in short plain sentences: what there is, what is new, what is
    missing. Always the public figures, whoever asks."""
    report = await annual_report.annual_report_for(conn, None, covenant, year, date.today())
    return public_answer(request, render_for_young_people(report).encode(), HTML_MEDIA_TYPE, vary=[])


@router.get(
    "/covenants/{covenant}/annual-report.pdf",
    response_class=Response,
    tags=["Statistics"],
    summary="Download a covenant's annual report as PDF",
    responses={
        200: pdf_document("The printable page as an A4 PDF."),
        **read_docs(*PAGE_ERRORS),
    },
    openapi_extra=OPTIONAL_KEY,
)
async def get_annual_report_pdf(
    request: Request,
    covenant: CovenantReference,
    conn: ReadConnection,
    caller: OptionalCaller,
    year: ReportYear,
    link: ReportLinkToken = None,
) -> Response:
    """The printable annual report as a PDF, page-numbered, for the same audience rules as the page."""
    report = await _report_for_page(request, conn, caller, covenant, year, link, "pdf")
    # Rendering takes a few hundred milliseconds of CPU: off the event loop, so other requests go on meanwhile.
    pdf = await asyncio.to_thread(page_as_pdf, render_annual_report(report))
    answer = _page_answer(request, report, pdf, PDF_MEDIA_TYPE)
    answer.headers["Content-Disposition"] = f'inline; filename="annual-report-{report["covenant"]["slug"]}-{year}.pdf"'
    return answer


@router.post(
    "/covenants/{covenant}/report-links",
    status_code=201,
    response_model=ReportLink,
    tags=["Statistics"],
    summary="Get a signed link to the exact annual report",
    responses={**problem_docs(401, 403, 404, 413, 415, 422), 201: json_example(REPORT_LINK_EXAMPLE)},
)
async def create_report_link(
    covenant: CovenantReference, body: ReportLinkCreate, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    """Officers of the covenant: a link that opens the exact report for one year, as a page or a PDF, once,
    within 15 minutes, with no key, so it can be opened and printed in a browser. It opens nothing else."""

    async def render(_session: AsyncSession, link: dict[str, Any]) -> Rendered:
        return Rendered(link, 201)

    return await tx.run(
        lambda session: report_links.issue(session, caller, covenant, body.year, body.format, body.report), render
    )


async def _pack_for(
    request: Request, conn: Any, caller: Any, covenant: str, year: int, link: str | None, format: str
) -> dict[str, Any]:
    if link is None:
        return await panel_pack.panel_pack_for(conn, caller, covenant, year, date.today())
    engine = request.app.state.engine
    return await panel_pack.panel_pack_by_link(conn, engine, link, covenant, year, format, date.today())


PRIVATE_PAGE_HEADERS = {"Cache-Control": NO_STORE, "Vary": "Authorization"}


@router.get(
    "/covenants/{covenant}/panel-pack",
    response_model=PanelPack,
    tags=["Statistics"],
    summary="Get the corporate parenting panel's pack",
    responses=problem_docs(*PAGE_ERRORS),
)
async def get_panel_pack(
    request: Request, covenant: CovenantReference, conn: ReadConnection, caller: OptionalCaller, year: ReportYear
) -> Response:
    """Officers of the covenant: the year for the corporate parenting panel, per priority: its lead, its actions
    with RAG, its measures against target over the years held, offers and delivery this year and last, and
    what changed. Exact figures, never public. As a page to print: `panel-pack.html`; as PDF: `panel-pack.pdf`."""
    pack = await panel_pack.panel_pack_for(conn, caller, covenant, year, date.today())
    return private_json(pack, headers={"Vary": "Authorization"})


@router.get(
    "/covenants/{covenant}/panel-pack.html",
    response_class=HTMLResponse,
    tags=["Statistics"],
    summary="Print the panel pack",
    responses={
        200: html_document("A printable A4 page."),
        **problem_docs(*PAGE_ERRORS),
    },
    openapi_extra=OPTIONAL_KEY,
)
async def get_panel_pack_page(
    request: Request,
    covenant: CovenantReference,
    conn: ReadConnection,
    caller: OptionalCaller,
    year: ReportYear,
    link: ReportLinkToken = None,
) -> Response:
    """The panel pack as a page to print, with an officer's key or a signed link (`link`)."""
    pack = await _pack_for(request, conn, caller, covenant, year, link, "html")
    return HTMLResponse(render_panel_pack(pack), headers=PRIVATE_PAGE_HEADERS)


@router.get(
    "/covenants/{covenant}/panel-pack.pdf",
    response_class=Response,
    tags=["Statistics"],
    summary="Download the panel pack as PDF",
    responses={
        200: pdf_document("The panel pack as an A4 PDF."),
        **problem_docs(*PAGE_ERRORS),
    },
    openapi_extra=OPTIONAL_KEY,
)
async def get_panel_pack_pdf(
    request: Request,
    covenant: CovenantReference,
    conn: ReadConnection,
    caller: OptionalCaller,
    year: ReportYear,
    link: ReportLinkToken = None,
) -> Response:
    """The panel pack as a PDF, with an officer's key or a signed link (`link`)."""
    pack = await _pack_for(request, conn, caller, covenant, year, link, "pdf")
    pdf = await asyncio.to_thread(page_as_pdf, render_panel_pack(pack))
    headers = {**PRIVATE_PAGE_HEADERS, "Content-Disposition": f'inline; filename="panel-pack-{covenant}-{year}.pdf"'}
    return Response(pdf, media_type=PDF_MEDIA_TYPE, headers=headers)


ForExcel = Annotated[
    bool,
    Query(
        description="Excel's dialect: a UTF-8 byte order mark first (so £ and é show as they are), and registration "
        "numbers kept as text (09876543, not 9876543)."
    ),
]


def _csv(request: Request, name: str, body: Any) -> StreamingResponse:
    """A download named for what it holds and the day it was made (`commitments-2026-12-01.csv`). Its ETag names
    the data version it was read at: a copy is current, and revalidates with a 304, until the next public write."""
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
