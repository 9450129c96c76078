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


def with_allowance(
    responses: dict[int | str, dict[str, Any]], *statuses: int, counted: str
) -> dict[int | str, dict[str, Any]]:
    """The responses, with a per-address rate limit's headers (IETF draft RateLimit fields) on these statuses;
    `counted` names what is limited ("Registrations", "Reports"…)."""
    headers = {
        "RateLimit-Limit": {"description": f"{counted} an address may make per hour.", "schema": {"type": "integer"}},
        "RateLimit-Remaining": {
            "description": "How many of them are left (one refused as a duplicate is not counted).",
            "schema": {"type": "integer"},
        },
        "RateLimit-Reset": {"description": "Seconds until the hour starts again.", "schema": {"type": "integer"}},
    }
    for status in statuses:
        responses.setdefault(status, {})["headers"] = dict(headers)
    return responses
