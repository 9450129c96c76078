"""Who is calling: `Authorization: Bearer <key>` turned into a Principal, or a 401/403 problem.

Each dependency says which kind of caller an endpoint serves and which scope it needs, so the audience of every
route is visible in its signature and in the OpenAPI security section.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.enums import KeyOwnerKind
from app.errors import Unauthorized
from app.services import keys
from app.services.access import SCOPE_KEYS, SCOPE_READ, SCOPE_WRITE, Principal, require_kind

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key, sent as `Authorization: Bearer ccreg_…`. Keys are shown once when issued; "
    "never send one in a URL.",
)


async def optional_principal(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]
) -> Principal | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise Unauthorized("Send the key as `Authorization: Bearer <key>`.")
    # One lookup (and at most one update a minute) needs no transaction: the autocommit engine saves a BEGIN and
    # a ROLLBACK round trip on every request that carries a key.
    async with request.app.state.read_engine.connect() as conn:
        principal = await keys.authenticate(conn, presented.strip())
    request.state.principal = principal
    return principal


async def required_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("This needs an API key: send `Authorization: Bearer <key>`.")
    return principal


def caller(*kinds: KeyOwnerKind, scope: str) -> Callable[..., Awaitable[Principal]]:
    async def dependency(principal: Annotated[Principal, Depends(required_principal)]) -> Principal:
        require_kind(principal, *kinds)
        principal.require_scope(scope)
        return principal

    return dependency


ORGANISATION = (KeyOwnerKind.SIGNATORY,)
OFFICER = (KeyOwnerKind.AUTHORITY, KeyOwnerKind.OPERATOR)
OPERATOR = (KeyOwnerKind.OPERATOR,)
ANY = tuple(KeyOwnerKind)

OptionalCaller = Annotated[Principal | None, Depends(optional_principal)]
OrganisationReader = Annotated[Principal, Depends(caller(*ORGANISATION, scope=SCOPE_READ))]
OrganisationWriter = Annotated[Principal, Depends(caller(*ORGANISATION, scope=SCOPE_WRITE))]
OfficerReader = Annotated[Principal, Depends(caller(*OFFICER, scope=SCOPE_READ))]
OfficerWriter = Annotated[Principal, Depends(caller(*OFFICER, scope=SCOPE_WRITE))]
OperatorWriter = Annotated[Principal, Depends(caller(*OPERATOR, scope=SCOPE_WRITE))]
AnyReader = Annotated[Principal, Depends(caller(*ANY, scope=SCOPE_READ))]
AnyWriter = Annotated[Principal, Depends(caller(*ANY, scope=SCOPE_WRITE))]
KeyManager = Annotated[Principal, Depends(caller(*ANY, scope=SCOPE_KEYS))]
