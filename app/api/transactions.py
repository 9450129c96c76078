"""One use case, one transaction: the change, its audit record, its read-model refresh and (for a POST with an
Idempotency-Key) the stored response all commit together, or none of them does.

A route hands `Transaction.run` two functions: `action(session)` applies the rules (app/services) and returns
what changed; `render(session, result)` turns it into the response. The response is known before commit, which
is what lets it be stored for replay in the same transaction.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import Response

from app.api.http import private_json
from app.api.responses import Rendered
from app.db import committed_version
from app.serialization import dump_json
from app.services import idempotency

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7E]{1,255}$"
# Changes to one pledge take turns on its row lock (app/services/lookup.py); these retries cover the races no
# lock is taken for.
UNCONDITIONED_ATTEMPTS = 3


class Transaction:
    def __init__(self, request: Request, idempotency_key: str | None) -> None:
        self.request = request
        self.idempotency_key = idempotency_key

    def _caller_identity(self) -> str:
        principal = getattr(self.request.state, "principal", None)
        if principal is not None:
            return principal.key_id
        return f"ip:{self.request.client.host if self.request.client else 'unknown'}"

    async def run(
        self,
        action: Callable[[AsyncSession], Awaitable[Any]],
        render: Callable[[AsyncSession, Any], Awaitable[Rendered]],
    ) -> Response:
        """Run the use case in one transaction. A change that loses a race on a record's version is run again
        from the start when the caller named no version (no If-Match): the 412 is the answer only to a caller
        who said which version its change was based on."""
        conditioned = "if-match" in self.request.headers
        for attempt in range(1, UNCONDITIONED_ATTEMPTS + 1):
            try:
                return await self._run_once(action, render)
            except StaleDataError:
                if conditioned or attempt == UNCONDITIONED_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    async def _run_once(
        self,
        action: Callable[[AsyncSession], Awaitable[Any]],
        render: Callable[[AsyncSession, Any], Awaitable[Rendered]],
    ) -> Response:
        who, key = self._caller_identity(), self.idempotency_key
        async with self.request.app.state.sessionmaker() as session, session.begin():
            if key is not None:
                request_fingerprint = idempotency.fingerprint(
                    self.request.method, self.request.url.path, await self.request.body()
                )
                stored = await idempotency.claim(session, who, key, request_fingerprint)
                if stored is not None:
                    self.request.app.state.metrics.idempotent_replays.inc()
                    return replay(stored)
            result = await action(session)
            rendered = await render(session, result)
            await session.flush()
            response = private_json(rendered.document, status_code=rendered.status_code, headers=rendered.headers)
            if key is not None:
                replayable = rendered.replay_document if rendered.replay_document is not None else rendered.document
                await idempotency.store(
                    session,
                    who,
                    key,
                    idempotency.StoredResponse(rendered.status_code, rendered.headers, dump_json(replayable)),
                )
        self._advance_clock(session)
        return response

    async def apply(self, action: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """The use case in one transaction, its result handed back as it is: for a route that answers with a page
        rather than JSON (the embed's forms). A browser's form sends no Idempotency-Key, so none is claimed."""
        async with self.request.app.state.sessionmaker() as session, session.begin():
            result = await action(session)
            await session.flush()
        self._advance_clock(session)
        return result

    def _advance_clock(self, session: AsyncSession) -> None:
        version = committed_version(session)
        if version is not None:
            # This worker's next public read shows the change at once, without waiting out DATA_VERSION_TTL.
            self.request.app.state.version_clock.advance(version)


def replay(stored: idempotency.StoredResponse) -> Response:
    response = Response(stored.body, status_code=stored.status_code, media_type="application/json")
    response.headers.update({**stored.headers, "Cache-Control": "no-store", "Idempotent-Replayed": "true"})
    return response


async def post_transaction(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=IDEMPOTENCY_KEY_PATTERN,
            description="Any unique string (a UUID is ideal). A retry with the same key and body gets the first "
            "response again instead of repeating the change; the same key with another body is a 422; a retry "
            "while the first is still running waits for it, then gets 409 if it is still not done. Kept 24 hours.",
        ),
    ] = None,
) -> Transaction:
    return Transaction(request, idempotency_key)


async def plain_transaction(request: Request) -> Transaction:
    return Transaction(request, None)


PostTransaction = Annotated[Transaction, Depends(post_transaction)]
ChangeTransaction = Annotated[Transaction, Depends(plain_transaction)]
