"""What the registry's own public form pages share (reporting a problem with an offer, and "you said"): a form
as a browser posts it read into the fields of the JSON endpoint's schema, the sending run through the same
limit and service rules as that endpoint, and every refusal said in a person's words beside its field.

The JSON endpoint and the page differ only in how they answer: a problem document for a program, a page for a
person. So a page never has rules of its own: the schema validates (lengths, control characters, the field for
bots), the service decides (form token, honeypot, what may be linked), and the address's allowance is counted
before the service runs, as the endpoint counts it.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import RateLimited, ValidationFailed
from app.services.rate_limits import Allowance

Model = TypeVar("Model", bound=BaseModel)
Action = Callable[[AsyncSession], Awaitable[Any]]
# Plain words by field, then by the kind of refusal: a Pydantic error type ("string_too_long") or a service's
# own detail (its exact text, exported by the service); "" is for any other kind.
Messages = Mapping[str, Mapping[str, str]]
RETURN_MAX_LENGTH = 2000


@dataclass
class Sent:
    """How sending a form went: `result` when it was taken, `errors` by field when it was not, `limited` when
    the address has used its allowance; `headers` are the allowance's (RateLimit fields, Retry-After)."""

    result: Any = None
    errors: dict[str, str] = field(default_factory=dict)
    limited: RateLimited | None = None
    headers: dict[str, str] = field(default_factory=dict)


def form_values(body: bytes, fields: Iterable[str]) -> dict[str, str]:
    """The first value of each of `fields` in an application/x-www-form-urlencoded body, trimmed, with a
    browser's CRLF line breaks made LF (the JSON API's, and the length a person was shown). Other names are left
    out: a page's button is no error, though the schemas forbid unknown fields."""
    wanted = set(fields)
    values: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        if name in wanted and name not in values:
            values[name] = value.replace("\r\n", "\n").strip()
    return values


def said(messages: Messages, name: str, kind: str) -> str:
    for_field = messages.get(name, {})
    return for_field.get(kind) or for_field.get("") or "Check this answer."


def checked(schema: type[Model], values: Mapping[str, Any], messages: Messages) -> tuple[Model | None, dict[str, str]]:
    """The schema's input from the form's values, or None and a message for each field it refused."""
    try:
        return schema.model_validate(dict(values)), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            errors.setdefault(name, said(messages, name, problem["type"]))
        return None, errors


def refusal(error: ValidationFailed, messages: Messages) -> dict[str, str]:
    """A service's refusal, pointed at its field (`/form_token`), in the page's words."""
    errors: dict[str, str] = {}
    for problem in error.extra.get("errors", []):
        name = str(problem.get("pointer", "")).lstrip("/").split("/")[0]
        errors.setdefault(name, said(messages, name, error.detail))
    return errors


async def send(
    messages: Messages,
    *,
    count: Callable[[], Awaitable[Allowance]],
    apply: Callable[[Action], Awaitable[Any]],
    action: Action,
) -> Sent:
    """Count the attempt against the address's allowance (`count`), then run the service's `action` in one
    transaction (`apply`), as the JSON endpoint does once its body is valid."""
    try:
        allowance = await count()
    except RateLimited as limited:
        return Sent(limited=limited, headers=dict(limited.headers))
    headers = allowance.headers()
    try:
        result = await apply(action)
    except ValidationFailed as refused:
        return Sent(errors=refusal(refused, messages), headers=headers)
    return Sent(result=result, headers=headers)


# The finder page links its forms back to itself by path: a page remembered for one host name then names no host.
FINDER_PATHS = "/embed/"


def return_link(value: str | None) -> str | None:
    """Where the person came from, to offer a link back to: an http or https URL, the finder's own page on this
    registry (a path under /embed/, as the finder page links), or nothing (a `javascript:` URL, any other path,
    anything else is ignored). Only ever a link: the page never sends anyone anywhere by itself."""
    if not value or len(value) > RETURN_MAX_LENGTH or any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if not parts.scheme and not parts.netloc and value.startswith(FINDER_PATHS):
        return value
    return value if parts.scheme in ("http", "https") and parts.netloc else None
