"""Answering public revalidations without running their query.

A public ETag reads `"<data version>.<request hash>.<content hash>"` (see app/services/data_version.py for why
the version makes this safe). A GET without a key whose If-None-Match names the current data version and the
same request gets a 304 here, before routing, validation or any query: the copy it holds cannot have changed,
because nothing has been written since it was made. Anything else goes on to the route, where `public_json`
still answers 304 when the content hash matches.
"""

import hashlib

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.services.data_version import VersionClock


def request_hash(scope: Scope) -> str:
    """The request a public answer was made for: path and query (an ETag is only good for its own URL)."""
    key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def compose_etag(version: int, scope: Scope, content_hash: str) -> str:
    return f'"{version}.{request_hash(scope)}.{content_hash}"'


def tag_parts(candidate: str) -> list[str]:
    return candidate.strip().removeprefix("W/").strip('"').split(".")


class RevalidationMiddleware:
    def __init__(self, app: ASGIApp, *, cache_control: str) -> None:
        self.app = app
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "authorization" in headers:
            # A key can see a private view of the same URL; its answers are never revalidated here.
            await self.app(scope, receive, send)
            return
        clock: VersionClock = scope["app"].state.version_clock
        version = await clock.current()
        if version is None:
            await self.app(scope, receive, send)
            return
        # Read before the route runs its query, so the ETag never claims a newer version than its content.
        scope.setdefault("state", {})["data_version"] = version
        current = self._current_tag(headers.get("if-none-match"), version, scope)
        if current is None:
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 304,
                "headers": [
                    (b"etag", current.encode()),
                    (b"cache-control", self.cache_control.encode()),
                    (b"vary", b"Authorization"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    def _current_tag(if_none_match: str | None, version: int, scope: Scope) -> str | None:
        """The tag in If-None-Match made at this data version for this request, if there is one."""
        if not if_none_match:
            return None
        wanted = (str(version), request_hash(scope))
        for candidate in if_none_match.split(","):
            parts = tag_parts(candidate)
            if len(parts) == 3 and (parts[0], parts[1]) == wanted:
                return f'"{".".join(parts)}"'
        return None
