"""Domain errors and their rendering as RFC 9457 problem+json.

Services raise these; one set of handlers in main.py renders them, so every route speaks the same error
language and the OpenAPI can document each one. `type` is a relative URI served by /problems/{slug}.
"""

from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"

# slug -> (title, what it means); also rendered by GET /problems/{slug}
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "bad-request": ("Bad request", "The request could not be read."),
    "validation-error": (
        "Your request is not valid",
        "One or more fields or parameters are invalid; `errors` lists each with a JSON pointer.",
    ),
    "not-found": ("Not found", "There is no record at this address, or you may not see it."),
    "method-not-allowed": ("Method not allowed", "This address does not accept that HTTP method."),
    "unauthorized": ("Authentication required", "Send a valid key as `Authorization: Bearer <key>`."),
    "forbidden": ("Not allowed", "Your key may not do this."),
    "conflict": ("Conflict", "The request conflicts with the current state of the record."),
    "invalid-transition": (
        "Not allowed in the current state",
        "The record's lifecycle does not allow this change now; `current_status` and `allowed` say why.",
    ),
    "precondition-failed": (
        "The record has changed",
        "The `If-Match` ETag is stale: fetch the record again, re-apply your change and retry.",
    ),
    "precondition-required": ("If-Match required", "Send the record's ETag in `If-Match` to change it."),
    "payload-too-large": ("Request too large", "The request body is larger than the service accepts."),
    "unsupported-media-type": ("Unsupported media type", "Send `Content-Type: application/json`."),
    "not-acceptable": ("Not acceptable", "The service cannot produce the media type in `Accept`."),
    "gone": ("Gone", "What this address gave is no longer there: a signed link used or expired. Ask for a new one."),
    "rate-limited": ("Too many requests", "Slow down: retry after the number of seconds in `Retry-After`."),
    "idempotency-key-reused": (
        "Idempotency-Key reused with another request",
        "An `Idempotency-Key` may be used again only with the same method, path and body.",
    ),
    "idempotency-key-in-use": (
        "Request with this Idempotency-Key still in progress",
        "The first request with this key has not finished; retry shortly.",
    ),
    "server-error": ("Internal error", "Something went wrong on our side. Quote the request id if you report it."),
    "service-unavailable": ("Service unavailable", "The service cannot serve requests right now."),
}

STATUS_TO_SLUG = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    410: "gone",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    428: "precondition-required",
    429: "rate-limited",
    500: "server-error",
    503: "service-unavailable",
}


def problem_type_uri(slug: str) -> str:
    return f"/problems/{slug}"


class DomainError(Exception):
    """An error a client can act on. Subclasses fix the status and problem type."""

    status: int = 400
    slug: str = "bad-request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    @property
    def title(self) -> str:
        return PROBLEM_TYPES[self.slug][0]


class NotFound(DomainError):
    status, slug = 404, "not-found"


class Unauthorized(DomainError):
    status, slug = 401, "unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="covenant-registry"'})


class Forbidden(DomainError):
    status, slug = 403, "forbidden"


class Conflict(DomainError):
    status, slug = 409, "conflict"


class InvalidTransition(DomainError):
    status, slug = 409, "invalid-transition"

    def __init__(self, record: str, current: str, action: str, allowed: list[str]) -> None:
        listed = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"Cannot {action} a {record} that is {current}. Allowed from {current}: {listed}.",
            current_status=current,
            allowed=allowed,
        )


class Gone(DomainError):
    status, slug = 410, "gone"


class PreconditionFailed(DomainError):
    status, slug = 412, "precondition-failed"


class PreconditionRequired(DomainError):
    status, slug = 428, "precondition-required"


class RateLimited(DomainError):
    status, slug = 429, "rate-limited"

    def __init__(self, detail: str, retry_after: int, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, headers={**(headers or {}), "Retry-After": str(retry_after)})


class IdempotencyKeyReused(DomainError):
    status, slug = 422, "idempotency-key-reused"


class IdempotencyKeyInUse(DomainError):
    status, slug = 409, "idempotency-key-in-use"


class ValidationFailed(DomainError):
    """A rule the schema cannot express (an age outside the covenant's range, …), pointed at its field."""

    status, slug = 422, "validation-error"

    def __init__(self, detail: str, *, pointer: str, location: str = "body", **extra: Any) -> None:
        super().__init__(detail, errors=[{"pointer": pointer, "location": location, "detail": detail}], **extra)
        self.pointer, self.location = pointer, location

    def within(self, prefix: str) -> "ValidationFailed":
        """The same error about a part of a larger body: `/priority` of the third item of `commitments` is
        `/commitments/2/priority`, as pydantic points at the fields it checks."""
        pointer = prefix + self.pointer
        extra = {name: value for name, value in self.extra.items() if name != "errors"}
        return ValidationFailed(f"{pointer}: {self.detail}", pointer=pointer, location=self.location, **extra)
