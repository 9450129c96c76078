"""Building responses the way the HTTP conventions promise: orjson bodies, ETags with 304s, cache headers, Link
headers. The ETag formats themselves are in app/api/etags.py."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.api.etags import content_matches, public_etag
from app.serialization import dump_json

JSON_MEDIA_TYPE = "application/json"
NO_STORE = "no-store"


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
) -> Response:
    """A public read: cacheable by anyone for a minute, revalidated by ETag; 304 when the client is current.

    An answer tagged with the data version it was read at may be remembered by this worker until the next write
    (app/api/revalidation.py): this is the one place that says so."""
    body = dump_json(document)
    version = getattr(request.state, "data_version", None)
    etag = public_etag(request.scope, version, body)
    headers = {"ETag": etag, "Cache-Control": public_cache_control(request)}
    vary = [
        # The same URL answers a key holder with a private view; no cache may hand this one to them.
        *(["Authorization"] if varies_by_key else []),
        # The same URL has another representation (HTML) for another Accept.
        *(["Accept"] if negotiated else []),
    ]
    if vary:
        headers["Vary"] = ", ".join(vary)
    if next_cursor is not None:
        headers["Link"] = f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
    if content_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    if version is not None:
        request.state.rememberable = True
    return Response(body, media_type=JSON_MEDIA_TYPE, headers=headers)


def public_page(request: Request, page: Any) -> Response:
    return public_json(request, page.as_document(), next_cursor=page.next_cursor)


def private_json(document: Any, *, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An authenticated answer: never stored by a shared cache."""
    return Response(
        dump_json(document),
        status_code=status_code,
        media_type=JSON_MEDIA_TYPE,
        headers={"Cache-Control": NO_STORE, **(headers or {})},
    )
