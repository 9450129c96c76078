"""Rendering every error as application/problem+json, and documenting each in the OpenAPI."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.api.examples import json_example
from app.api.http import NO_STORE, dump_json
from app.api.paths import documented_paths
from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES, STATUS_TO_SLUG, DomainError, problem_type_uri
from app.schemas.common import ConflictProblem, Problem, ValidationProblem

log = logging.getLogger("app.problems")


def problem_response(
    status: int,
    detail: str,
    instance: str,
    request_id: str,
    *,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    slug = slug or STATUS_TO_SLUG.get(status, "bad-request" if status < 500 else "server-error")
    document = {
        "type": problem_type_uri(slug),
        "title": PROBLEM_TYPES[slug][0],
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": request_id,
        **extra,
    }
    return Response(
        dump_json(document),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": NO_STORE, **(headers or {})},
    )


def _request_id(request: Request) -> str:
    return request.scope.get("state", {}).get("request_id", "-")


def _pointer(location: tuple[Any, ...]) -> tuple[str, str]:
    """Where a pydantic error points: ('body', 'eligibility', 'min_age') -> ('/eligibility/min_age', 'body')."""
    where = str(location[0]) if location else "body"
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in location[1:]]
    return "/" + "/".join(parts), where


def _validation_message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is not valid"))
    if error.get("type") == "missing":
        return "is required"
    if error.get("type") == "extra_forbidden":
        return "is not a field you may set"
    return message


async def handle_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return problem_response(
        exc.status, exc.detail, request.url.path, _request_id(request), slug=exc.slug, headers=exc.headers, **exc.extra
    )


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    unreadable = [error for error in exc.errors() if error.get("type") == "json_invalid"]
    if unreadable:
        # Not a field that is wrong but a body that is not JSON at all: 400, with where the reading stopped.
        where = unreadable[0].get("loc", ("body", 0))[-1]
        reason = unreadable[0].get("ctx", {}).get("error", "JSON decode error")
        detail = f"The body is not valid JSON (reading stopped at character {where}): {reason}."
        return problem_response(400, detail, request.url.path, _request_id(request))
    errors = []
    for error in exc.errors():
        pointer, where = _pointer(tuple(error.get("loc", ())))
        errors.append({"pointer": pointer, "location": where, "detail": _validation_message(error)})
    summary = "; ".join(f"{e['pointer']} {e['detail']}" for e in errors[:3])
    return problem_response(
        422, f"The request is not valid: {summary}.", request.url.path, _request_id(request), errors=errors
    )


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        detail = f"There is nothing at {request.url.path}."
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
        return problem_response(
            405, detail, request.url.path, _request_id(request), headers={"Allow": _allowed_methods(request)}
        )
    else:
        detail = str(exc.detail)
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(exc.status_code, detail, request.url.path, _request_id(request), headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every documented method on this path, whichever audience router each is in."""
    return ", ".join(sorted(documented_paths(request.app).methods_of(request.url.path)))


async def handle_stale_write(request: Request, _exc: Exception) -> Response:
    # Two writes passed the version check at once; the database let only one of them through.
    detail = "The record changed while your request was being made: fetch it again, re-apply your change and retry."
    return problem_response(412, detail, request.url.path, _request_id(request))


async def handle_integrity_error(request: Request, exc: Exception) -> Response:
    # The services check uniqueness first; this answers the race where two requests pass that check together.
    log.warning("integrity error on %s: %s", request.url.path, type(getattr(exc, "orig", exc)).__name__)
    detail = "The request conflicts with a record that was just created or changed; fetch it and retry."
    return problem_response(409, detail, request.url.path, _request_id(request))


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(StaleDataError, handle_stale_write)
    app.add_exception_handler(IntegrityError, handle_integrity_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)


# ---------------------------------------------------------------- OpenAPI documentation of errors

ERROR_DESCRIPTIONS = {
    400: "The request could not be read.",
    401: "No key, or a key that is not valid, expired or revoked.",
    403: "The key may not do this.",
    404: "No such record, or not one you may see.",
    409: "The request conflicts with the record's current state.",
    410: "The signed link has been used or has expired: ask for a new one.",
    412: "The If-Match ETag is stale: the record changed since you read it.",
    413: "The request body is too large.",
    415: "The body is not JSON.",
    422: "A field or parameter is not valid; `errors` lists each one.",
    428: "If-Match is required to change this record.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    500: "An unexpected error; quote the request id if you report it.",
    503: "The service or its database is not available.",
}


# What a change to a record (PATCH, DELETE: If-Match) and a lifecycle action (POST …/submit, …/verify) can answer.
CHANGE_ERRORS = (401, 403, 404, 409, 412, 422, 428)
ACTION_ERRORS = (401, 403, 404, 409, 422)

SPECIFIC_PROBLEMS: dict[int, type[Problem]] = {409: ConflictProblem, 422: ValidationProblem}


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the copy named by `If-None-Match` is still current."}
}


def read_docs(*statuses: int, example: Any = None) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a public read: its 304, its problems, and an example of its answer if given."""
    documented = {**NOT_MODIFIED, **problem_docs(*statuses)}
    if example is not None:
        documented[200] = json_example(example)
    return documented


def problem_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries documenting the problems a route can return (500 is always possible)."""
    return {
        status: {"model": SPECIFIC_PROBLEMS.get(status, Problem), "description": ERROR_DESCRIPTIONS[status]}
        for status in (*statuses, 500)
    }
