"""API keys: issued once, stored as a hash, found by a non-secret lookup part, compared in constant time.

A key reads `ccreg_` + 12 lowercase lookup characters + 40 secret characters. The fixed, recognisable shape
lets secret scanners spot a leaked key; the lookup part finds the row without storing anything that would let
someone rebuild the key; only SHA-256 of the secret part is kept.
"""

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from app.enums import KeyOwnerKind
from app.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from app.ids import assume_utc, new_id, utcnow
from app.models import ApiKey, Authority, table_of
from app.schemas.keys import KeyCreate
from app.services import audit
from app.services.access import ALL_SCOPES, SCOPE_KEYS, Principal

KEY_PREFIX = "ccreg_"
LOOKUP_LENGTH = 12
SECRET_LENGTH = 40
KEY_PATTERN = re.compile(rf"^{KEY_PREFIX}([a-z0-9]{{{LOOKUP_LENGTH}}})([A-Za-z0-9]{{{SECRET_LENGTH}}})$")
LOOKUP_ALPHABET = string.ascii_lowercase + string.digits
SECRET_ALPHABET = string.ascii_letters + string.digits

# Writing last_used_at on every request would turn every read into a write; once a minute is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    """A key as issued: `plaintext` exists only in this object and in the one response that shows it."""

    row: ApiKey
    plaintext: str


def generate_plaintext() -> tuple[str, str, str]:
    lookup = "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
    secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    return f"{KEY_PREFIX}{lookup}{secret}", lookup, hash_secret(secret)


def principal_of(key: Any) -> Principal:
    """The caller a key (its row or record) stands for."""
    return Principal(
        key_id=key.id,
        kind=KeyOwnerKind(key.owner_kind),
        signatory_id=key.signatory_id,
        authority_id=key.authority_id,
        scopes=frozenset(key.scopes),
    )


# Built once (every request with a key runs it): see app/services/commitments.py on bound-parameter statements.
api_key = table_of(ApiKey)
KEY_BY_LOOKUP = select(api_key).where(api_key.c.lookup == bindparam("lookup"))


async def authenticate(conn: AsyncConnection, presented: str) -> Principal:
    """The principal behind a presented key, or 401. Records when the key was last used."""
    match = KEY_PATTERN.match(presented)
    if match is None:
        raise Unauthorized("That is not a key this registry issued.")
    lookup, secret = match.groups()
    row = (await conn.execute(KEY_BY_LOOKUP, {"lookup": lookup})).first()
    # Compare even when no row was found, so timing does not tell a wrong lookup from a wrong secret.
    stored = row.secret_hash if row is not None else hash_secret("")
    if not hmac.compare_digest(stored, hash_secret(secret)) or row is None:
        raise Unauthorized("The key is not valid.")
    now = utcnow()
    if row.revoked_at is not None:
        raise Unauthorized("The key has been revoked.")
    if row.expires_at is not None and assume_utc(row.expires_at) <= now:
        raise Unauthorized("The key has expired.")
    if row.last_used_at is None or assume_utc(row.last_used_at) < now - LAST_USED_RESOLUTION:
        await _stamp_last_use(conn, row.id, now)
    return principal_of(row)


# The last use is a minute-resolution hint, not the change the caller asked for: on PostgreSQL its own little
# transaction commits without waiting for the WAL to reach the disk. A crash may forget the last moments' stamps
# (never corrupt anything), and the request does not pay a second disk flush: on a key used once a minute or
# less, as an organisation's pledge sent in one request is, that flush cost as much as the whole write's.
ASYNCHRONOUS_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
STAMP_LAST_USE = update(api_key).where(api_key.c.id == bindparam("key")).values(last_used_at=bindparam("now"))


async def _stamp_last_use(conn: AsyncConnection, key_id: str, now: datetime) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(ASYNCHRONOUS_COMMIT)
    await conn.execute(STAMP_LAST_USE, {"key": key_id, "now": now})
    await conn.commit()


def _checked_scopes(requested: list[str] | None, granted_by: Principal | None) -> list[str]:
    scopes = sorted(set(requested if requested is not None else ALL_SCOPES))
    unknown = [scope for scope in scopes if scope not in ALL_SCOPES]
    if unknown:
        raise ValidationFailed(f"Unknown scopes: {', '.join(unknown)}.", pointer="/scopes")
    if granted_by is not None and not set(scopes) <= granted_by.scopes:
        # A key can hand on only what it has: no key can raise its own (or a new key's) scopes.
        raise Forbidden("A key cannot grant scopes it does not have itself.")
    return scopes


@dataclass(frozen=True)
class KeyOwner:
    """Whose a new key is: an organisation, an authority's officers, or the registry operator."""

    kind: KeyOwnerKind
    signatory_id: str | None = None
    authority_id: str | None = None

    @classmethod
    def of_signatory(cls, signatory_id: str) -> "KeyOwner":
        return cls(KeyOwnerKind.SIGNATORY, signatory_id=signatory_id)

    @classmethod
    def of_authority(cls, authority_id: str) -> "KeyOwner":
        return cls(KeyOwnerKind.AUTHORITY, authority_id=authority_id)

    @classmethod
    def operator(cls) -> "KeyOwner":
        return cls(KeyOwnerKind.OPERATOR)

    @classmethod
    def same_as(cls, principal: Principal) -> "KeyOwner":
        return cls(principal.kind, signatory_id=principal.signatory_id, authority_id=principal.authority_id)


async def issue(
    session: AsyncSession,
    granted_by: Principal | None,
    owner: KeyOwner,
    *,
    name: str,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
    keyless_actor: str = "anonymous",
) -> NewKey:
    """Issue a key in the session's transaction, with its audit event: every key the registry issues (at
    registration, through the API, from the command line) comes from here. The plaintext is returned once and
    never stored. `granted_by` is the key that asked (None at registration and on the command line), and no
    key can grant scopes it lacks."""
    if expires_at is not None and assume_utc(expires_at) <= utcnow():
        raise ValidationFailed("expires_at must be in the future.", pointer="/expires_at")
    plaintext, lookup, secret_hash = generate_plaintext()
    row = ApiKey(
        id=new_id("api_key"),
        lookup=lookup,
        secret_hash=secret_hash,
        name=name,
        owner_kind=owner.kind.value,
        signatory_id=owner.signatory_id,
        authority_id=owner.authority_id,
        scopes=_checked_scopes(scopes, granted_by),
        expires_at=expires_at,
        created_by_key_id=granted_by.key_id if granted_by else None,
    )
    session.add(row)
    await audit.created(session, granted_by, "api_key.create", row, keyless_actor=keyless_actor)
    return NewKey(row, plaintext)


async def owner_for_new_key(session: AsyncSession, principal: Principal, authority_id: str | None) -> KeyOwner:
    """A key manager issues keys for its own organisation or authority; only the operator issues keys for an
    authority's officers."""
    if authority_id is None:
        return KeyOwner.same_as(principal)
    if not principal.is_operator:
        raise Forbidden("Only the registry operator issues keys for another authority.")
    if await session.get(Authority, authority_id) is None:
        raise ValidationFailed(f"No authority {authority_id}.", pointer="/authority_id")
    return KeyOwner.of_authority(authority_id)


async def issue_requested(session: AsyncSession, principal: Principal, request: KeyCreate) -> NewKey:
    """POST /v1/keys: another key for the caller's organisation or authority (the operator: for any
    authority's officers)."""
    owner = await owner_for_new_key(session, principal, request.authority_id)
    return await issue(
        session, principal, owner, name=request.name, scopes=request.scopes, expires_at=request.expires_at
    )


def _same_owner(principal: Principal, key: ApiKey) -> bool:
    if principal.is_operator:
        return key.owner_kind in (KeyOwnerKind.OPERATOR, KeyOwnerKind.AUTHORITY)
    if principal.is_organisation:
        return key.signatory_id == principal.signatory_id
    return key.owner_kind == KeyOwnerKind.AUTHORITY and key.authority_id == principal.authority_id


async def manageable_key(session: AsyncSession, principal: Principal, key_id: str) -> ApiKey:
    """A key the caller may rotate or revoke: one of its owner's (an operator also manages officers' keys)."""
    principal.require_scope(SCOPE_KEYS)
    key = await session.get(ApiKey, key_id)
    if key is None or not _same_owner(principal, key):
        raise NotFound(f"No key {key_id}.")
    return key


async def list_keys(session: AsyncSession, principal: Principal, authority_id: str | None = None) -> list[ApiKey]:
    """The keys of the caller's organisation or authority; the operator's own, or one authority's officers'."""
    if authority_id is not None and not principal.is_operator:
        raise Forbidden("Only the registry operator lists another authority's keys.")
    statement = select(ApiKey).order_by(col(ApiKey.id))
    if principal.is_organisation:
        statement = statement.where(col(ApiKey.signatory_id) == principal.signatory_id)
    elif principal.is_officer:
        statement = statement.where(col(ApiKey.authority_id) == principal.authority_id)
    elif authority_id is not None:
        statement = statement.where(col(ApiKey.authority_id) == authority_id)
    else:
        statement = statement.where(col(ApiKey.owner_kind) == KeyOwnerKind.OPERATOR)
    return list((await session.execute(statement)).scalars())


def _revoke(key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = utcnow()


async def revoke(session: AsyncSession, principal: Principal, key_id: str) -> ApiKey:
    """Stop a key working, at once and for good (the caller's own included)."""
    key = await manageable_key(session, principal, key_id)
    async with audit.changing(session, principal, "api_key.revoke", key):
        _revoke(key)
    return key


async def rotate(session: AsyncSession, principal: Principal, key_id: str) -> NewKey:
    """A new key with the same owner, name, scopes and expiry; the old one stops working at once."""
    key = await manageable_key(session, principal, key_id)
    if key.revoked_at is not None:
        raise NotFound(f"Key {key.id} is revoked; create a new one instead.")
    await revoke(session, principal, key.id)
    owner = KeyOwner(KeyOwnerKind(key.owner_kind), signatory_id=key.signatory_id, authority_id=key.authority_id)
    return await issue(session, principal, owner, name=key.name, scopes=list(key.scopes), expires_at=key.expires_at)
