"""What a write route answers: the document, its status and headers, built the same way by every router."""

from dataclasses import dataclass, field
from typing import Any

from app.api.etags import record_etag


@dataclass
class Rendered:
    """A response to send, and (if it carries a secret) the redacted copy that a replay may send instead."""

    document: Any
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    replay_document: Any = None


def current(document: Any, record: Any) -> Rendered:
    """A record as it now is, with the ETag its next change must name in If-Match."""
    return Rendered(document, 200, {"ETag": record_etag(record)})


def created(document: Any, location: str, record: Any = None, *, replay_document: Any = None) -> Rendered:
    """201 with the new record's address (and its ETag, when it is versioned)."""
    headers = {"Location": location}
    if record is not None:
        headers["ETag"] = record_etag(record)
    return Rendered(document, 201, headers, replay_document=replay_document)


NO_CONTENT = Rendered(None, 204)
