"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware on the hot path).

RequestContextMiddleware gives each request an id, echoes it in `X-Request-ID`, logs one access line, refuses
bodies over the size limit with 413 (declared or streamed), bodies that do not say they are JSON with 415 (except
form-encoded ones on the few paths of the registry's own HTML forms, `form_paths`), answers
503 with Retry-After when the database is unreachable or too slow (a read whose connection dropped is tried once
more first), and turns any other unexpected exception into a 500 problem without a trace.

HeadAsGetMiddleware answers HEAD wherever GET is answered: the GET runs, its headers are sent, its body is not.

CompressionMiddleware gzips larger answers for clients that accept it (Starlette's GZipMiddleware does the work)
and makes a compressed answer's ETag weak, as RFC 9110 asks of a tag whose bytes differ by encoding.
"""

import logging
import time
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.http import RETRY_AFTER_SECONDS
from app.api.metrics import route_template
from app.api.problems import problem_response
from app.db import connection_dropped, database_unavailable
from app.observability import request_id_from, request_id_var, trace_from, trace_var

access_log = logging.getLogger("app.access")
error_log = logging.getLogger("app.error")


class BodyTooLarge(HTTPException):
    """Raised while a body is read. An HTTPException, so that FastAPI passes it on when it meets it reading a
    route's body (it turns other errors there into a 400) and the problem handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SAFE_METHODS = frozenset({"GET", "HEAD"})


def _is_json(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _is_form(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded"


def _has_body(scope: Scope) -> bool:
    declared = _header(scope, b"content-length")
    if declared is not None:
        return declared.strip() not in ("", "0")
    return _header(scope, b"transfer-encoding") is not None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, form_paths: Sequence[str] = ()) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # The HTML pages whose forms post as browsers do (form-encoded); the JSON API stays JSON only.
        self.form_paths = [compile_path(path)[0] for path in form_paths]

    def _body_type_refused(self, scope: Scope) -> bool:
        if scope["method"] not in BODY_METHODS or not _has_body(scope):
            return False
        content_type = _header(scope, b"content-type")
        if _is_json(content_type):
            return False
        return not (_is_form(content_type) and any(path.match(scope["path"]) for path in self.form_paths))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id"))
        token = request_id_var.set(request_id)
        trace_token = trace_var.set(trace_from(_header(scope, b"traceparent")))
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        response: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
                response["status"] = message["status"]
                response["started"] = True
            await send(message)

        try:
            if _key_in_query(scope.get("query_string", b"")):
                await problem_response(
                    401,
                    "API keys are never accepted in a URL, where logs and browser history keep them. Send "
                    "`Authorization: Bearer <key>` instead, and revoke that key: treat it as leaked.",
                    scope["path"],
                    request_id,
                    headers={"WWW-Authenticate": 'Bearer realm="covenant-registry"'},
                )(scope, receive, send_with_request_id)
                return
            declared = _header(scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                raise BodyTooLarge(self.max_body_bytes)
            if self._body_type_refused(scope):
                detail = "Send the body as JSON, with `Content-Type: application/json`."
                await problem_response(415, detail, scope["path"], request_id)(scope, receive, send_with_request_id)
                return
            await self._run(scope, receive, send_with_request_id, response)
        except BodyTooLarge as too_large:
            if response["started"]:
                raise
            await problem_response(413, too_large.detail, scope["path"], request_id)(
                scope, receive, send_with_request_id
            )
        except Exception as error:
            if response["started"]:
                error_log.exception("error on %s %s after its answer began", scope["method"], scope["path"])
                raise
            if database_unavailable(error):
                # Expected while the database is down or restarting: one line, no trace, and a time to come back.
                scope["app"].state.metrics.database_unavailable.inc()
                error_log.warning("database unavailable on %s %s: %r", scope["method"], scope["path"], error)
                detail = "The registry's database is not available just now. Retry after a few seconds."
                headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
                await problem_response(503, detail, scope["path"], request_id, headers=headers)(
                    scope, receive, send_with_request_id
                )
                return
            error_log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            detail = "Something went wrong on our side. Quote the request id if you report it."
            await problem_response(500, detail, scope["path"], request_id)(scope, receive, send_with_request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            _log_access(scope, route, response["status"], elapsed)
            scope["app"].state.metrics.observe(route, scope["method"], response["status"], elapsed)
            trace_var.reset(trace_token)
            request_id_var.reset(token)

    async def _run(self, scope: Scope, receive: Receive, send: Send, response: dict[str, Any]) -> None:
        """The app, once more for a read whose database connection died under it before it answered: a read
        changes nothing, so a second try on a fresh connection is safe. A write never retries on its own; its
        Idempotency-Key makes the client's retry safe."""
        try:
            await self.app(scope, self._limited(receive), send)
        except Exception as error:
            if scope["method"] not in SAFE_METHODS or response["started"] or not connection_dropped(error):
                raise
            error_log.info("retrying %s %s on a fresh connection: %r", scope["method"], scope["path"], error)
            await self.app(scope, self._limited(_body_again(receive)), send)

    def _limited(self, receive: Receive) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return receive_within_limit


def _log_access(scope: Scope, route: str, status: int, elapsed: float) -> None:
    """One line per request. The path without its query string (a key pasted into a URL stays out of logs),
    the key by its id, never its material."""
    if not access_log.isEnabledFor(logging.INFO):
        return  # LOG_LEVEL=warning: no line, so nothing to gather for one
    principal = scope["state"].get("principal")
    client = scope.get("client")
    fields = {
        "method": scope["method"],
        "route": route,
        "path": scope["path"],
        "status": status,
        "duration_ms": round(elapsed * 1000, 1),
        "client": client[0] if client else "-",
        "key_id": principal.key_id if principal else "-",
    }
    access_log.info(
        "%s %s %s %.1fms client=%s key=%s",
        *(fields[name] for name in ("method", "path", "status", "duration_ms", "client", "key_id")),
        extra=fields,
    )


def _body_again(receive: Receive) -> Receive:
    """A read's (empty) body once more for its second run, then the client's own messages (a disconnect)."""
    replayed = False

    async def receive_again() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return receive_again


KEY_PARAMETER_NAMES = {b"api_key", b"apikey", b"key", b"token", b"access_token", b"authorization"}


def _key_in_query(query_string: bytes) -> bool:
    if not query_string:
        return False
    if b"ccreg_" in query_string or b"ccreg%5f" in query_string.lower():
        return True
    return any(pair.partition(b"=")[0].lower() in KEY_PARAMETER_NAMES for pair in query_string.split(b"&"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class HeadAsGetMiddleware:
    """HEAD is GET without the body (RFC 9110 9.3.2): the same status and headers, Content-Length included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


class CompressionMiddleware:
    """gzip for answers of `minimum_size` bytes and more (a page of 100 offers: 96 KB as JSON, about 10 KB
    compressed), at a level that costs little CPU; 304s and small answers go as they are."""

    def __init__(self, app: ASGIApp, *, minimum_size: int) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "gzip" not in (_header(scope, b"accept-encoding") or ""):
            # Nothing to do for a client that takes no gzip: it is not worth a wrapper around every answer.
            await self.app(scope, receive, send)
            return

        async def send_with_weak_etag(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag")
                if etag and etag.startswith('"') and "content-encoding" in headers:
                    headers["etag"] = "W/" + etag
            await send(message)

        await self.gzip(scope, receive, send_with_weak_etag)
