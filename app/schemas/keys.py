"""API keys: what an organisation, an authority or the operator holds to write and to read privately."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.schemas.fields import RECORD_ID, Name, Strict

# ---------------------------------------------------------------- inputs


class KeyCreate(Strict):
    """A new key for the caller's own organisation or authority (the operator may name an authority)."""

    name: Name = Field(description="What the key is for, to recognise it later.", examples=["HR system sync"])
    scopes: list[Annotated[str, Field(pattern=r"^(read|write|keys)$")]] | None = Field(
        default=None,
        description="Any of read, write, keys; at most the scopes of the key that creates it (default: the same).",
    )
    expires_at: datetime | None = Field(default=None, description="When the key stops working (optional).")
    authority_id: str | None = Field(
        default=None,
        max_length=40,
        pattern=RECORD_ID,
        description="Operator only: issue an officer key for this authority.",
    )


# ---------------------------------------------------------------- outputs (only to the key's holders)


class KeyInfo(BaseModel):
    """A key as listed: never its secret."""

    id: str = Field(description="The key's id.")
    name: str = Field(description="What the key is for.")
    prefix: str = Field(description="The key's first characters, to recognise it.", examples=["ccreg_k3f9a2m1q7zx"])
    owner_kind: str = Field(description="signatory, authority or operator.")
    signatory_id: str | None = Field(description="The organisation that owns the key.")
    authority_id: str | None = Field(description="The authority that owns the key.")
    scopes: list[str] = Field(description="What the key may do: read, write, keys.")
    created_at: datetime = Field(description="When the key was issued.")
    expires_at: datetime | None = Field(description="When the key stops working.")
    last_used_at: datetime | None = Field(description="When the key was last used (to the minute).")
    revoked_at: datetime | None = Field(description="When the key was revoked.")


class IssuedKey(KeyInfo):
    """A key just issued. `key` is shown in this response only; a replay of the request shows null."""

    key: str | None = Field(description="The key itself. Store it now: the registry keeps only a hash.")


class KeyList(BaseModel):
    """The caller's keys."""

    items: list[KeyInfo] = Field(description="Keys, oldest first.")
    next_cursor: str | None = Field(description="Always null: every key fits on one page.")
