"""Building responses the way api.md promises: orjson bodies, ETags with 304s, cache headers, Link headers."""

import hashlib
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.api.revalidation import compose_etag, content_matches
from app.errors import PreconditionFailed, PreconditionRequired
from app.serialization import dump_json

JSON_MEDIA_TYPE = "application/json"
NO_STORE = "no-store"


def content_hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def public_etag(request: Request, body: bytes) -> str:
    """`"<data version>.<request hash>.<content hash>"` when the data version was read before the query (see
    app/api/revalidation.py), else the content hash alone."""
    version = getattr(request.state, "data_version", None)
    if version is None:
        return f'"{content_hash(body)}"'
    return compose_etag(version, request.scope, content_hash(body))


def etag_matches(header: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match (W/"x" matches "x"), on content: a tag made at an
    older data version still matches if the content it was made for has not changed."""
    if not header:
        return False
    return content_matches(header, etag)


def public_cache_control(request: Request) -> str:
    return f"public, max-age={request.app.state.settings.public_cache_max_age}"


def public_json(
    request: Request, document: Any, *, next_cursor: str | None = None, varies_by_key: bool = False
) -> Response:
    """A public read: cacheable by anyone for a minute, revalidated by ETag; 304 when the client is current."""
    body = dump_json(document)
    etag = public_etag(request, body)
    headers = {"ETag": etag, "Cache-Control": public_cache_control(request)}
    if varies_by_key:
        # The same URL answers a key holder with a private view; no cache may hand this one to them.
        headers["Vary"] = "Authorization"
    if next_cursor is not None:
        headers["Link"] = f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
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


def record_etag(record: Any) -> str:
    """ETag of a versioned record's private view: its id and version, so If-Match can compare and set."""
    return f'"{record.id}-v{record.version}"'


def expected_version(if_match: str | None, record_id: str) -> int:
    """The version named by If-Match for this record: 428 if absent, 412 if it names anything else."""
    if if_match is None or if_match.strip() in ("", "*"):
        raise PreconditionRequired(
            "Send the record's ETag in If-Match (from your last GET of it), so a change made meanwhile is not lost."
        )
    pattern = re.compile(rf'^"{re.escape(record_id)}-v([0-9]{{1,9}})"$')
    for candidate in if_match.split(","):
        match = pattern.match(candidate.strip())
        if match:
            return int(match.group(1))
    raise PreconditionFailed("If-Match does not name a version of this record: fetch it again and use its ETag.")
