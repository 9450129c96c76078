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

When the version moves, the worker reads what the new versions touched (app/services/public_scopes.py: each
writing transaction stores its scopes beside its version) and forgets only the answers depending on those: a
paused offer in one covenant leaves every other offer, organisation and priority list remembered. A version
that does not say forgets everything. Every answer kept is then current at the new version; one built from a
version older than the memory's is not kept, as a write may have come between.
"""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.etags import content_matches, current_tag, request_target, today
from app.api.metrics import Metrics
from app.services.data_version import VersionClock
from app.services.public_scopes import Scopes, is_touched


@dataclass(frozen=True)
class Remembered:
    version: int
    etag: str
    headers: list[tuple[bytes, bytes]]
    body: bytes
    depends_on: Scopes | None  # None: on everything

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers) + 200


@dataclass
class _Keeping:
    """An answer being gathered to remember."""

    etag: str
    headers: list[tuple[bytes, bytes]]
    depends_on: Scopes | None
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0


class ResponseCache:
    """Public answers by request, every one current at the data version `version`; bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self.entries: OrderedDict[bytes, Remembered] = OrderedDict()
        self.version: int | None = None
        self.catching_up = asyncio.Lock()

    def get(self, key: bytes) -> Remembered | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def forget(self, touched: Scopes | None) -> int:
        """Drop the answers that writes touching `touched` (None: anything) may have changed; returns how many."""
        if touched is None:
            dropped = len(self.entries)
            self.entries.clear()
            self.used = 0
            return dropped
        stale = [key for key, entry in self.entries.items() if is_touched(entry.depends_on, touched)]
        for key in stale:
            self.used -= self.entries.pop(key).size
        return len(stale)

    @property
    def largest_entry(self) -> int:
        return self.max_bytes // 16  # one answer may not crowd out the rest

    def put(self, key: bytes, entry: Remembered) -> None:
        if entry.size > self.largest_entry or entry.version != self.version:
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
            metrics.public_answer["revalidated"].inc()
            await self._not_modified(send, current)
            return
        if self.cache is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        await self._catch_up(clock, version, metrics)
        # The day is in the key for the reason it is in the ETag's request hash (app/api/etags.py `today`).
        key = request_target(scope) + b"|" + headers.get("accept", "").encode() + b"|" + today()
        remembered = self.cache.get(key)
        metrics.public_answer["miss" if remembered is None else "hit"].inc()
        if remembered is None:
            await self.app(scope, receive, self._remembering(scope, send, key, version))
            return
        if_none_match = headers.get("if-none-match")
        if if_none_match and content_matches(if_none_match, remembered.etag):
            await self._not_modified(send, remembered.etag)
            return
        await send({"type": "http.response.start", "status": 200, "headers": remembered.headers})
        await send({"type": "http.response.body", "body": remembered.body})

    async def _catch_up(self, clock: VersionClock, version: int, metrics: Metrics) -> None:
        """Bring the memory to `version`, forgetting what the versions since touched: once per version, however
        many requests see it move at the same moment."""
        cache = self.cache
        assert cache is not None
        if cache.version is not None and version <= cache.version:
            return
        async with cache.catching_up:
            if cache.version is not None and version <= cache.version:
                return
            touched = None
            if cache.version is not None:
                try:
                    touched = await clock.touched_between(cache.version, version)
                except (SQLAlchemyError, OSError):
                    touched = None  # not known: forget everything, which is always safe
            metrics.public_answers_forgotten.inc(cache.forget(touched))
            cache.version = version

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
                    depends_on = scope["state"].get("depends_on")
                    keeping.append(_Keeping(etag, list(message["headers"]), depends_on))
            elif message["type"] == "http.response.body" and keeping:
                answer = keeping[0]
                answer.chunks.append(message.get("body", b""))
                answer.size += len(answer.chunks[-1])
                if answer.size > cache.largest_entry:
                    keeping.clear()
                elif not message.get("more_body", False):
                    body = exact_bytes(answer.chunks)
                    cache.put(key, Remembered(version, answer.etag, answer.headers, body, answer.depends_on))
            await send(message)

        return send_and_remember

    async def _not_modified(self, send: Send, etag: str) -> None:
        headers = [(b"etag", etag.encode()), (b"cache-control", self.cache_control), (b"vary", b"Authorization")]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
