"""Who is calling, and what they may see and do. Every ownership rule lives here.

Organisations see and change only their own records. An authority's officers see and act on their own
covenants, the pledges made in them and the organisations that made those pledges. The registry operator
creates authorities and their keys. When a caller may not even know a record exists, the answer is 404 (the
caller cannot tell "not yours" from "not there"); when they can see it but not act, 403.
"""

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.enums import KeyOwnerKind
from app.errors import Forbidden, NotFound
from app.models import Covenant, Pledge

SCOPE_READ = "read"
SCOPE_WRITE = "write"
SCOPE_KEYS = "keys"
ALL_SCOPES = (SCOPE_READ, SCOPE_WRITE, SCOPE_KEYS)


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid API key."""

    key_id: str
    kind: KeyOwnerKind
    signatory_id: str | None
    authority_id: str | None
    scopes: frozenset[str]

    @property
    def is_organisation(self) -> bool:
        return self.kind == KeyOwnerKind.SIGNATORY

    @property
    def is_officer(self) -> bool:
        return self.kind == KeyOwnerKind.AUTHORITY

    @property
    def is_operator(self) -> bool:
        return self.kind == KeyOwnerKind.OPERATOR

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"This key lacks the `{scope}` scope.")


def require_kind(principal: Principal, *kinds: KeyOwnerKind) -> None:
    if principal.kind not in kinds:
        allowed = " or ".join(kind.value for kind in kinds)
        raise Forbidden(f"Only a key of a {allowed} may do this; this key belongs to a {principal.kind.value}.")


async def officer_reaches_signatory(session: AsyncSession, principal: Principal, signatory_id: str) -> bool:
    """An officer reaches an organisation that has pledged (in any state) to one of their covenants."""
    statement = select(
        exists()
        .where(col(Pledge.signatory_id) == signatory_id, col(Pledge.covenant_id) == col(Covenant.id))
        .where(col(Covenant.authority_id) == principal.authority_id)
    )
    return bool((await session.execute(statement)).scalar())


async def can_see_signatory_privately(session: AsyncSession, principal: Principal, signatory_id: str) -> bool:
    if principal.is_operator:
        return True
    if principal.is_organisation:
        return principal.signatory_id == signatory_id
    return await officer_reaches_signatory(session, principal, signatory_id)


def can_see_pledge_privately(principal: Principal, pledge: Pledge, covenant: Covenant) -> bool:
    """A pledge (and what is filed under it) in any state: its organisation, the covenant's officers, the
    operator."""
    if principal.is_operator:
        return True
    if principal.is_organisation:
        return principal.signatory_id == pledge.signatory_id
    return covenant.authority_id == principal.authority_id


def require_own_signatory(principal: Principal, signatory_id: str) -> None:
    if not principal.is_organisation or principal.signatory_id != signatory_id:
        raise NotFound(f"No signatory {signatory_id}.")


def require_officer_of(principal: Principal, authority_id: str | None) -> None:
    """Officers act only in their own authority's covenants; the operator everywhere."""
    if principal.is_operator:
        return
    require_kind(principal, KeyOwnerKind.AUTHORITY)
    if authority_id != principal.authority_id:
        raise Forbidden("This covenant belongs to another authority.")


# Who may take each lifecycle action: the pledge's organisation, or the covenant's officers (and the operator).
ORGANISATION_PLEDGE_ACTIONS = frozenset({"submit", "withdraw"})
OFFICER_PLEDGE_ACTIONS = frozenset({"approve", "request_changes", "withdraw"})


def pledge_actions_for(
    principal: Principal | None, pledge: Pledge, authority_id: str, possible: list[str]
) -> list[str]:
    """Of the actions a pledge's state allows, those this caller's key could take now (none without `write`)."""
    if principal is None or SCOPE_WRITE not in principal.scopes:
        return []
    own = principal.is_organisation and principal.signatory_id == pledge.signatory_id
    officer = principal.is_operator or (principal.is_officer and principal.authority_id == authority_id)
    return [
        action
        for action in possible
        if (own and action in ORGANISATION_PLEDGE_ACTIONS) or (officer and action in OFFICER_PLEDGE_ACTIONS)
    ]


def signatory_actions_for(principal: Principal | None, possible: list[str]) -> list[str]:
    """Officers' decisions on an organisation (verify, suspend, reinstate), for a caller who may see it privately:
    none for the organisation itself, or for a key without `write`."""
    if principal is None or principal.is_organisation or SCOPE_WRITE not in principal.scopes:
        return []
    return possible


def sees_exact_figures(principal: Principal | None, authority_id: str) -> bool:
    """Statistics and reports suppress small counts of young people for everyone but the covenant's own
    officers and the operator, who see exact figures."""
    if principal is None:
        return False
    return principal.is_operator or (principal.is_officer and principal.authority_id == authority_id)
