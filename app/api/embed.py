"""The offers finder for council pages, outside the JSON contract: the web component's script, the same finder
as an iframe-able HTML page that works with no JavaScript, an example page showing both, and the two public
forms as pages in the same family (a problem with an offer; "you said"), which post as browsers do
(form-encoded, `FORM_POSTS`) and send through the JSON endpoints' own schemas, limits and services.

`/embed/v1/` is versioned like `/v1/`: whatever is served there keeps its attributes, fields and parameters
working; an incompatible change gets `/embed/v2/`. So the script may be cached for a day by browsers and
proxies, and after that it is revalidated by its ETag (the hash of its content) with a 304.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from app.api.deps import ReadConnection
from app.api.etags import content_matches
from app.api.http import NO_STORE, public_answer
from app.api.transactions import ChangeTransaction
from app.ids import utcnow
from app.services import embed, embed_forms, problem_reports, voice

SCRIPT_PATH = "/embed/v1/offers.js"
PAGE_PATH = "/embed/v1/offers"
EXAMPLE_PATH = "/embed/v1/example"
PROBLEM_FORM_PATH = "/embed/v1/offers/{commitment_id}/problem"
VOICE_FORM_PATH = "/embed/v1/you-said"
# The pages whose forms post form-encoded bodies, which the middleware lets through (and only here).
FORM_POSTS = (PROBLEM_FORM_PATH, VOICE_FORM_PATH)
SCRIPT_MAX_AGE = 24 * 60 * 60
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
JAVASCRIPT_MEDIA_TYPE = "text/javascript; charset=utf-8"

router = APIRouter(include_in_schema=False)


def known_paths() -> dict[str, dict[str, dict[str, object]]]:
    """The finder's paths and methods in the shape of a contract's `paths`, for app/api/paths.py (a 405's Allow,
    the route label of an answer given before routing), as `app.state.other_contracts` lists them."""
    paths: dict[str, dict[str, object]] = {path: {"get": {}} for path in (SCRIPT_PATH, PAGE_PATH, EXAMPLE_PATH)}
    paths |= {path: {"get": {}, "post": {}} for path in FORM_POSTS}
    return {"paths": paths}


def frame_ancestors(request: Request) -> str:
    """Which pages may frame the finder (EMBED_FRAME_ANCESTORS): any page by default, as any page may read the
    public API."""
    return str(request.app.state.settings.embed_frame_ancestors)


def page_headers(request: Request, *, scripts: bool = False) -> dict[str, str]:
    return {
        "Content-Security-Policy": embed.content_security_policy(frame_ancestors(request), scripts=scripts),
        "X-Content-Type-Options": "nosniff",
        # Nothing leaves for the offers' own sites but their origin.
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


@router.get(SCRIPT_PATH)
async def offers_script(request: Request) -> Response:
    script = embed.script()
    headers = {
        "ETag": script.etag,
        "Cache-Control": f"public, max-age={SCRIPT_MAX_AGE}",
        # A module script from another origin is fetched in CORS mode: every council's page may load it.
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }
    if content_matches(request.headers.get("if-none-match"), script.etag):
        return Response(status_code=304, headers=headers)
    return Response(script.body, media_type=JAVASCRIPT_MEDIA_TYPE, headers=headers)


@router.get(PAGE_PATH)
async def offers_page(request: Request, conn: ReadConnection) -> Response:
    """The finder as a page. Every field comes as typed (a bad one is a message on the page, not a problem
    document), so the query is read here whole rather than validated by FastAPI."""
    # The forms' thank-you pages link back to this page as it was asked for (the search kept), by path: the
    # page may be remembered and answered to a client that reached the registry under another host name.
    here = f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path
    links = embed.FormLinks(PROBLEM_FORM_PATH, VOICE_FORM_PATH, page_url=here)
    finder = await embed.finder_page(conn, request.query_params.multi_items(), page_path=PAGE_PATH, links=links)
    headers = page_headers(request)
    if finder.status != 200:
        return HTMLResponse(finder.html, status_code=finder.status, headers={**headers, "Cache-Control": NO_STORE})
    response = public_answer(request, finder.html.encode(), HTML_MEDIA_TYPE, vary=[], depends_on=finder.depends_on)
    response.headers.update(headers)
    return response


@router.get(EXAMPLE_PATH)
async def example_page(
    request: Request, conn: ReadConnection, covenant: Annotated[str | None, Query()] = None
) -> Response:
    origin = f"{request.url.scheme}://{request.url.netloc}"
    finder = await embed.example_page(conn, covenant, origin=origin, script_path=SCRIPT_PATH, page_path=PAGE_PATH)
    headers = page_headers(request, scripts=True)
    return HTMLResponse(finder.html, headers={**headers, "Cache-Control": "no-cache"})


# ---------------------------------------------------------------- the public forms


def form_response(request: Request, page: embed_forms.Page) -> Response:
    """A form page: never stored (each holds a fresh token, or what one person typed), framed as the finder is."""
    headers = {**page_headers(request), "Cache-Control": NO_STORE, **page.headers}
    return HTMLResponse(page.html, status_code=page.status, headers=headers)


def client_address(request: Request) -> str:
    # Already the forwarded client's, when a trusted proxy said so (app/api/client_address.py).
    return request.client.host if request.client else "unknown"


@router.get(PROBLEM_FORM_PATH)
async def problem_form_page(request: Request, commitment_id: str, conn: ReadConnection) -> Response:
    page = await embed_forms.problem_form(
        conn,
        commitment_id,
        path=request.url.path,
        now=utcnow(),
        min_seconds=request.app.state.settings.problem_form_min_seconds,
        return_to=request.query_params.get("return"),
    )
    return form_response(request, page)


@router.post(PROBLEM_FORM_PATH)
async def send_problem_form(
    request: Request, commitment_id: str, conn: ReadConnection, tx: ChangeTransaction
) -> Response:
    """What `POST /v1/commitments/{id}/problems` does, from a browser's form."""
    engine, settings = request.app.state.engine, request.app.state.settings
    address = client_address(request)
    page = await embed_forms.send_problem(
        conn,
        commitment_id,
        await request.body(),
        path=request.url.path,
        count=lambda: problem_reports.count_report(engine, address, settings.problem_report_limit),
        apply=tx.apply,
        now=utcnow(),
        min_seconds=settings.problem_form_min_seconds,
        return_to=request.query_params.get("return"),
    )
    return form_response(request, page)


@router.get(VOICE_FORM_PATH)
async def voice_form_page(request: Request, conn: ReadConnection) -> Response:
    page = await embed_forms.voice_form(
        conn,
        request.query_params.get("covenant"),
        path=request.url.path,
        return_to=request.query_params.get("return"),
    )
    return form_response(request, page)


@router.post(VOICE_FORM_PATH)
async def send_voice_form(request: Request, conn: ReadConnection, tx: ChangeTransaction) -> Response:
    """What `POST /v1/covenants/{covenant}/you-said/intake` does, from a browser's form."""
    engine, settings = request.app.state.engine, request.app.state.settings
    address = client_address(request)
    page = await embed_forms.send_voice(
        conn,
        request.query_params.get("covenant"),
        await request.body(),
        path=request.url.path,
        count=lambda: voice.count_intake(engine, address, settings.voice_intake_limit),
        apply=tx.apply,
        return_to=request.query_params.get("return"),
    )
    return form_response(request, page)
