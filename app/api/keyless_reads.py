"""The busiest public reads, sent without a key, answered without the framework's per-request machinery.

A keyless `GET /v1/commitments?priority=…` needs its parameters validated, a read connection and the route's own
code; it does not need the router's walk through every route of the contract, a dependency tree whose caller
lookup finds nobody, or a generator dependency's exit stack, which together cost more than its query (measured:
see bench/README.md). So each resource's router names the reads worth it (`KeylessRead`: the route's path, the
function the route itself calls, and the route's own parameter types) and this layer, inside every middleware
(request ids, CORS, gzip, the memory of answers and 304s by version all still apply), answers them directly.

Nothing about the answer changes, because everything that is not the plain case goes on to the route:
a request with `Authorization` (a key may unlock a private view, or be refused), any parameter that does not
validate (the route answers its 422, with the pointers it always gives), any other method or path. Errors the
read itself raises (a 404, a cursor or an area that is not valid) become the same problem documents the
application's handlers make.
"""

import re
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import public_connection
from app.api.problems import handle_domain_error
from app.errors import DomainError

Read = Callable[..., Awaitable[Response]]


@dataclass(frozen=True)
class KeylessRead:
    """A route's keyless form: `read(request, conn, **parameters)` is what the route returns, given its path
    parameters (validated as `path_types` says, the route's own annotations) and, if `query` names the route's
    query model, that model as `query_name`."""

    path: str
    read: Read
    path_types: dict[str, Any] | None = None
    query: type[BaseModel] | None = None
    query_name: str = "filters"


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_is_list(argument) for argument in typing.get_args(annotation)) if origin is not None else False


class _Compiled:
    def __init__(self, read: KeylessRead) -> None:
        self.read = read
        self.pattern: re.Pattern[str] = compile_path(read.path)[0]
        self.path_types = {name: TypeAdapter(kind) for name, kind in (read.path_types or {}).items()}
        # The query as FastAPI reads a model of query parameters: repeatable fields take every value given.
        self.query_fields = (
            [(field.alias or name, _is_list(field.annotation)) for name, field in read.query.model_fields.items()]
            if read.query is not None
            else []
        )

    def parameters(self, match: re.Match[str], request: Request) -> dict[str, Any] | None:
        """The read's arguments, or None if any does not validate (the route then answers, with its 422)."""
        try:
            arguments = {name: adapter.validate_python(match[name]) for name, adapter in self.path_types.items()}
            if self.read.query is not None:
                query = request.query_params
                values: dict[str, Any] = {}
                for key, repeatable in self.query_fields:
                    if repeatable:
                        if key in query:
                            values[key] = query.getlist(key)
                    elif (value := query.get(key)) is not None:
                        values[key] = value
                arguments[self.read.query_name] = self.read.query.model_validate(values)
        except ValidationError:
            return None
        return arguments


class KeylessReadMiddleware:
    def __init__(self, app: ASGIApp, *, reads: list[KeylessRead]) -> None:
        self.app = app
        compiled = [_Compiled(read) for read in reads]
        self.exact = {read.read.path: read for read in compiled if not read.path_types}
        self.templated = [read for read in compiled if read.path_types]

    def _find(self, path: str) -> tuple[_Compiled, re.Match[str]] | None:
        exact = self.exact.get(path)
        if exact is not None:
            match = exact.pattern.match(path)
            assert match is not None
            return exact, match
        for read in self.templated:
            if (match := read.pattern.match(path)) is not None:
                return read, match
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._find(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if found is None or any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        read, match = found
        request = Request(scope, receive)
        arguments = read.parameters(match, request)
        if arguments is None:
            await self.app(scope, receive, send)
            return
        response = await self._answer(request, read.read.read, arguments)
        await response(scope, receive, send)

    @staticmethod
    async def _answer(request: Request, read: Read, arguments: dict[str, Any]) -> Response:
        try:
            conn: AsyncConnection
            async with public_connection(request.app.state) as conn:
                return await read(request, conn, **arguments)
        except DomainError as error:
            return await handle_domain_error(request, error)
