"""The registry's two kinds of ETag, and how requests name them.

- A record's private view: `"<record id>-v<version>"`. If-Match names it to change the record; the service
  checks the version it names against the record (app/services/concurrency.py).
- A public read: `"<data version>.<request hash>.<content hash>"`. The data version (app/services/data_version.py)
  was read before the query ran, and the request hash ties the tag to its URL, so a tag naming the current data
  version and this request can be answered 304 without any query (app/api/revalidation.py); the content hash
  lets a tag made at an older version still match content that has not changed.
"""

import functools
import hashlib
import re
import time
from datetime import date
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Scope

from app.errors import PreconditionRequired
from app.ids import utcnow
from app.services.concurrency import Precondition

# ---------------------------------------------------------------- a record's version


def record_etag(record: Any) -> str:
    """ETag of a versioned record's private view: its id and version, so If-Match can compare and set."""
    return f'"{record.id}-v{record.version}"'


# `W/` allowed: the compression layer marks a gzipped answer's tag weak (its bytes differ by encoding), but a
# record tag names the record's version whatever the encoding, so a client that read it gzipped may send it back.
RECORD_TAG = re.compile(r'^(?:W/)?"([A-Za-z0-9_-]{1,40})-v([0-9]{1,9})"$')


def precondition(if_match: str | None) -> Precondition:
    """The versions an If-Match header names: 428 if it names none (a change must say what it was based on).
    A tag of another form names no version, so the change meets a 412. A record tag is compared on the version
    it names, weak or not (see RECORD_TAG)."""
    if if_match is None or if_match.strip() in ("", "*"):
        raise PreconditionRequired(
            "Send the record's ETag in If-Match (from your last GET of it), so a change made meanwhile is not lost."
        )
    versions = []
    for candidate in if_match.split(","):
        match = RECORD_TAG.match(candidate.strip())
        if match:
            versions.append((match.group(1), int(match.group(2))))
    return Precondition(tuple(versions))


# ---------------------------------------------------------------- a public read


def content_hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def request_target(scope: Scope) -> bytes:
    return scope["path"].encode() + b"?" + scope.get("query_string", b"")


def prefers_html(accept: str) -> bool:
    """A browser's request (text/html, and not application/json): it gets the printable page where there is one."""
    return "text/html" in accept and "application/json" not in accept


def today() -> bytes:
    """The day, by both clocks the rules read it from (the host's and UTC): it is part of every public request.
    Some answers change with the date alone, with nothing written (recognition counts the last 12 months; a
    report says what is overdue), so a tag or a remembered answer made yesterday must not stand for today's.

    Worked out once a minute: every time zone's day begins on a minute, so within one minute of the clock
    the answer cannot change (reading both clocks on every request was 2.5% of a remembered answer)."""
    return _day_of_minute(int(time.time() // 60))


@functools.lru_cache(maxsize=2)
def _day_of_minute(_minute: int) -> bytes:
    return f"{date.today().isoformat()}|{utcnow().date().isoformat()}".encode()


def request_hash(scope: Scope) -> str:
    """The request a public answer was made for: path, query, the representation asked for (an ETag is only
    good for its own URL, and a 304 only for the representation the tag was made for) and the day."""
    accept = Headers(scope=scope).get("accept", "")
    representation = b"|html" if prefers_html(accept) else b""
    return hashlib.blake2b(request_target(scope) + representation + b"|" + today(), digest_size=8).hexdigest()


def public_etag(scope: Scope, version: int | None, body: bytes) -> str:
    """The public tag, or the content hash alone when the data version could not be read."""
    if version is None:
        return f'"{content_hash(body)}"'
    return f'"{version}.{request_hash(scope)}.{content_hash(body)}"'


def tag_parts(candidate: str) -> list[str]:
    return candidate.strip().removeprefix("W/").strip('"').split(".")


def current_tag(if_none_match: str | None, version: int, scope: Scope) -> str | None:
    """The tag in If-None-Match made at this data version for this request, if there is one."""
    if not if_none_match:
        return None
    wanted = (str(version), request_hash(scope))
    for candidate in if_none_match.split(","):
        parts = tag_parts(candidate)
        if len(parts) == 3 and (parts[0], parts[1]) == wanted:
            return f'"{".".join(parts)}"'
    return None


def content_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match (W/"x" matches "x"), on content: a tag made at an
    older data version still matches if the content it was made for has not changed."""
    if not if_none_match:
        return False
    current = tag_parts(etag)[-1]
    return any(
        candidate.strip() == "*" or tag_parts(candidate)[-1] == current for candidate in if_none_match.split(",")
    )
