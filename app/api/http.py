"""Building responses the way the HTTP conventions promise: orjson bodies, ETags with 304s, cache headers, Link
headers. The ETag formats themselves are in app/api/etags.py."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.api.etags import content_matches, public_etag
from app.serialization import dump_json
from app.services.pagination import Page
from app.services.public_scopes import Scopes

JSON_MEDIA_TYPE = "application/json"
NO_STORE = "no-store"
# What a 503 asks a client to wait: about as long as PostgreSQL takes to restart, and no longer than a person would.
RETRY_AFTER_SECONDS = 5


def public_cache_control(request: Request) -> str:
    """Public reads may be cached by anyone for a while; the same read made with a key is never stored, as
    nothing a key is sent with should be (the key holder may get a private view of the same URL)."""
    if "authorization" in request.headers:
        return NO_STORE
    return f"public, max-age={request.app.state.settings.public_cache_max_age}"


def public_json(
    request: Request,
    document: Any,
    *,
    next_cursor: str | None = None,
    varies_by_key: bool = False,
    negotiated: bool = False,
    depends_on: Scopes | None = None,
) -> Response:
    """A public read as JSON; see `public_answer`."""
    vary = [
        # The same URL answers a key holder with a private view; no cache may hand this one to them.
        *(["Authorization"] if varies_by_key else []),
        # The same URL answers another Accept otherwise (a browser is sent to the printable page).
        *(["Accept"] if negotiated else []),
    ]
    link = None
    if next_cursor is not None:
        link = f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
    return public_answer(request, dump_json(document), JSON_MEDIA_TYPE, vary=vary, link=link, depends_on=depends_on)


def public_answer(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    vary: list[str],
    link: str | None = None,
    depends_on: Scopes | None = None,
) -> Response:
    """A public read: cacheable by anyone for a minute, revalidated by ETag; 304 when the client is current.

    An answer tagged with the data version it was read at may be remembered by this worker until a public write
    touches what it `depends_on` (app/services/public_scopes.py; None: anything) (app/api/revalidation.py): this
    is the one place that says so."""
    version = getattr(request.state, "data_version", None)
    etag = public_etag(request.scope, version, body)
    headers = {"ETag": etag, "Cache-Control": public_cache_control(request)}
    if vary:
        headers["Vary"] = ", ".join(vary)
    if link is not None:
        headers["Link"] = link
    if content_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    if version is not None:
        request.state.rememberable = True
        request.state.depends_on = depends_on
    return Response(body, media_type=media_type, headers=headers)


def public_page(request: Request, page: Page) -> Response:
    return public_json(request, page.as_document(), next_cursor=page.next_cursor, depends_on=page.depends_on)


def private_json(document: Any, *, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An authenticated answer: never stored by a shared cache. A 204 has no body at all: HTTP servers drop the
    connection of an answer that says "no content" and then sends some."""
    if status_code == 204:
        return Response(status_code=204, headers={"Cache-Control": NO_STORE, **(headers or {})})
    return Response(
        dump_json(document),
        status_code=status_code,
        media_type=JSON_MEDIA_TYPE,
        headers={"Cache-Control": NO_STORE, **(headers or {})},
    )
