"""Answering public reads from what this worker already knows, when nothing has been written since.

A public ETag reads `"<data version>.<request hash>.<content hash>"` (app/api/etags.py; app/services/data_version.py
explains why the version makes this safe). For a GET without a key, before routing, validation or any query:

- If-None-Match naming the current data version and this request: 304. The copy the client holds cannot have
  changed, because nothing has been written since it was made.
- A response this worker built for the same request (path, query and Accept) at the current data version:
  sent again from memory. It was made after that version was read, and no write has happened since.

Everything else goes on to the route, where `public_json` still answers 304 when the content hash matches,
and a public answer it builds is remembered for next time. The memory is bounded (`PUBLIC_RESPONSE_CACHE_MB`,
least recently used out first, 0 turns it off) and holds only public, keyless answers; the database stays the
one source of truth, and every worker sees a change within the version clock's one second.
"""

from collections import OrderedDict
from dataclasses import dataclass, field

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.etags import content_matches, current_tag, request_target, today
from app.services.data_version import VersionClock


@dataclass(frozen=True)
class Remembered:
    version: int
    etag: str
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers) + 200


@dataclass
class _Keeping:
    """An answer being gathered to remember."""

    etag: str
    headers: list[tuple[bytes, bytes]]
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0


class ResponseCache:
    """Public answers by request, each tagged with the data version it was made at; bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self.entries: OrderedDict[bytes, Remembered] = OrderedDict()

    def get(self, key: bytes, version: int) -> Remembered | None:
        entry = self.entries.get(key)
        if entry is None or entry.version != version:
            return None
        self.entries.move_to_end(key)
        return entry

    @property
    def largest_entry(self) -> int:
        return self.max_bytes // 16  # one answer may not crowd out the rest

    def put(self, key: bytes, entry: Remembered) -> None:
        if entry.size > self.largest_entry:
            return
        old = self.entries.pop(key, None)
        self.used += entry.size - (old.size if old else 0)
        self.entries[key] = entry
        while self.used > self.max_bytes:
            _, evicted = self.entries.popitem(last=False)
            self.used -= evicted.size


def exact_bytes(chunks: list[bytes]) -> bytes:
    """The body as a new object of exactly its length. orjson's output keeps the spare capacity of the buffer it
    grew (about 16 kB behind a 1 kB document, measured), so keeping its bytes as they are would hold many
    times the memory the cache counts: with 16 MB counted, a worker rose to 154 MB resident."""
    return memoryview(b"".join(chunks)).tobytes()


# Health probes are never cached and must answer while the database is down: the data version is not theirs.
PROBES = frozenset({"/healthz", "/readyz"})


class RevalidationMiddleware:
    def __init__(self, app: ASGIApp, *, cache_control: str, cache_bytes: int) -> None:
        self.app = app
        self.cache_control = cache_control.encode()
        self.cache = ResponseCache(cache_bytes) if cache_bytes > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"] in PROBES:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "authorization" in headers:
            # A key can see a private view of the same URL; its answers are never served from here.
            await self.app(scope, receive, send)
            return
        clock: VersionClock = scope["app"].state.version_clock
        version = await clock.current()
        if version is None:
            await self.app(scope, receive, send)
            return
        # Read before the route runs its query, so the ETag never claims a newer version than its content.
        scope.setdefault("state", {})["data_version"] = version
        metrics = scope["app"].state.metrics
        current = current_tag(headers.get("if-none-match"), version, scope)
        if current is not None:
            metrics.public_answers.labels("revalidated").inc()
            await self._not_modified(send, current)
            return
        if self.cache is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        # The day is in the key for the reason it is in the ETag's request hash (app/api/etags.py `today`).
        key = request_target(scope) + b"|" + headers.get("accept", "").encode() + b"|" + today()
        remembered = self.cache.get(key, version)
        metrics.public_answers.labels("miss" if remembered is None else "hit").inc()
        if remembered is None:
            await self.app(scope, receive, self._remembering(scope, send, key, version))
            return
        if_none_match = headers.get("if-none-match")
        if if_none_match and content_matches(if_none_match, remembered.etag):
            await self._not_modified(send, remembered.etag)
            return
        await send({"type": "http.response.start", "status": 200, "headers": remembered.headers})
        await send({"type": "http.response.body", "body": remembered.body})

    def _remembering(self, scope: Scope, send: Send, key: bytes, version: int) -> Send:
        """Pass the answer on, and keep it if the route said it may be remembered (`public_json` marks a public
        200 tagged with this data version) and it is small enough to keep. Whether to keep it is decided on its
        first message, so a streamed download is never gathered in memory."""
        cache = self.cache
        assert cache is not None
        keeping: list[_Keeping] = []

        async def send_and_remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200 and scope["state"].get("rememberable"):
                    etag = Headers(raw=message["headers"]).get("etag", "")
                    # A copy taken before the outer middleware add their own headers (request id, CORS) in place.
                    keeping.append(_Keeping(etag, list(message["headers"])))
            elif message["type"] == "http.response.body" and keeping:
                answer = keeping[0]
                answer.chunks.append(message.get("body", b""))
                answer.size += len(answer.chunks[-1])
                if answer.size > cache.largest_entry:
                    keeping.clear()
                elif not message.get("more_body", False):
                    cache.put(key, Remembered(version, answer.etag, answer.headers, exact_bytes(answer.chunks)))
            await send(message)

        return send_and_remember

    async def _not_modified(self, send: Send, etag: str) -> None:
        headers = [(b"etag", etag.encode()), (b"cache-control", self.cache_control), (b"vary", b"Authorization")]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
