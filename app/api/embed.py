"""The offers finder for council pages, outside the JSON contract: the web component's script, the same finder
as an iframe-able HTML page that works with no JavaScript, and an example page showing both.

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
from app.services import embed

SCRIPT_PATH = "/embed/v1/offers.js"
PAGE_PATH = "/embed/v1/offers"
EXAMPLE_PATH = "/embed/v1/example"
SCRIPT_MAX_AGE = 24 * 60 * 60
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
JAVASCRIPT_MEDIA_TYPE = "text/javascript; charset=utf-8"

router = APIRouter(include_in_schema=False)


def known_paths() -> dict[str, dict[str, dict[str, object]]]:
    """The finder's paths and methods in the shape of a contract's `paths`, for app/api/paths.py (a 405's Allow,
    the route label of an answer given before routing), as `app.state.other_contracts` lists them."""
    return {"paths": {path: {"get": {}} for path in (SCRIPT_PATH, PAGE_PATH, EXAMPLE_PATH)}}


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
    finder = await embed.finder_page(conn, request.query_params.multi_items(), page_path=PAGE_PATH)
    headers = page_headers(request)
    if finder.status != 200:
        return HTMLResponse(finder.html, status_code=finder.status, headers={**headers, "Cache-Control": NO_STORE})
    response = public_answer(request, finder.html.encode(), HTML_MEDIA_TYPE, vary=[])
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
