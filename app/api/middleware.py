"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware on the hot path).

RequestContextMiddleware gives each request an id, echoes it in `X-Request-ID`, logs one access line, refuses
bodies over the size limit with 413, and turns any unexpected exception into a 500 problem without a trace.
"""

import logging
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem_response
from app.observability import request_id_from, request_id_var

access_log = logging.getLogger("app.access")
error_log = logging.getLogger("app.error")


class BodyTooLarge(Exception):
    pass


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id"))
        token = request_id_var.set(request_id)
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
                raise BodyTooLarge
            await self.app(scope, self._limited(receive), send_with_request_id)
        except BodyTooLarge:
            if response["started"]:
                raise
            detail = f"The request body is larger than {self.max_body_bytes} bytes."
            await problem_response(413, detail, scope["path"], request_id)(scope, receive, send_with_request_id)
        except Exception:
            error_log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if response["started"]:
                raise
            detail = "Something went wrong on our side. Quote the request id if you report it."
            await problem_response(500, detail, scope["path"], request_id)(scope, receive, send_with_request_id)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %s %.1fms", scope["method"], scope["path"], response["status"], elapsed_ms)
            request_id_var.reset(token)

    def _limited(self, receive: Receive) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        return receive_within_limit


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
