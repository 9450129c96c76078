"""Keyset pagination: a page is the rows after the last key of the previous page, in a stable total order.

The cursor is the sort key of the last item, base64url-encoded so clients treat it as opaque, and signed
(HMAC-SHA256 with `CURSOR_SECRET`, over the list it belongs to and the key), so a cursor the service did not
issue, or issued for another list, is refused with a 422 whatever it holds. Its cost does not grow with depth:
`WHERE (name, id) > (:name, :id) ORDER BY name, id LIMIT n` walks an index from that point.
"""

import base64
import binascii
import functools
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Integer, Row, Select, bindparam, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import get_settings
from app.errors import ValidationFailed
from app.services import compiled_reads
from app.services.public_scopes import Scopes

SIGNATURE_BYTES = 12  # 96 bits, no one guesses a valid cursor: 16 base64url characters at the cursor's end
SIGNATURE_CHARS = 16


@functools.cache
def _cursor_secret() -> bytes:
    return get_settings().cursor_secret.encode()


def _base64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signature(list_name: str, payload: str) -> str:
    mac = hmac.new(_cursor_secret(), f"{list_name}|{payload}".encode(), hashlib.sha256).digest()
    return _base64(mac[:SIGNATURE_BYTES])


def encode_cursor(key: Sequence[Any], list_name: str) -> str:
    """The cursor of the page after `key` in the list called `list_name`."""
    payload = _base64(orjson.dumps(list(key)))
    return payload + _signature(list_name, payload)


def _key_type(column: ColumnElement[Any]) -> type:
    # SQLModel's AutoString reports `object`; every key column is text or a whole number.
    return int if isinstance(column.type, Integer) else str


def _is_a(part: Any, kind: type) -> bool:
    # bool is an int to Python, never to a cursor.
    return isinstance(part, kind) and not isinstance(part, bool)


def decode_cursor(cursor: str, kinds: Sequence[type], list_name: str) -> list[Any]:
    """The key a cursor of this list carries, or a 422 for anything this service did not issue for it. The types
    are checked too (a secret that leaked must still not let a key reach the database as a comparison it cannot
    make, or, on SQLite, silently a different one)."""
    payload, signature = cursor[:-SIGNATURE_CHARS], cursor[-SIGNATURE_CHARS:]
    key: Any = None
    if payload and hmac.compare_digest(signature.encode(), _signature(list_name, payload).encode()):
        try:
            key = orjson.loads(base64.urlsafe_b64decode((payload + "=" * (-len(payload) % 4)).encode()))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            key = None
    if (
        not isinstance(key, list)
        or len(key) != len(kinds)
        or not all(_is_a(part, kind) for part, kind in zip(key, kinds, strict=True))
    ):
        raise ValidationFailed(
            "cursor is not one this service issued: use next_cursor from a previous page",
            pointer="/cursor",
            location="query",
        )
    return key


@dataclass(frozen=True)
class Keyset:
    """The ordered columns of a list; the last one must be unique (the id)."""

    columns: tuple[ColumnElement[Any], ...]
    descending: bool = False

    @functools.cached_property
    def name(self) -> str:
        """What the list is ordered by (`commitment.id`): a cursor is good for this list and no other."""
        return ",".join(str(column) for column in self.columns)

    def encode(self, key: Sequence[Any]) -> str:
        return encode_cursor(key, self.name)

    def apply(self, statement: Select[Any], cursor: str | None, limit: int) -> Select[Any]:
        """`statement` narrowed to the page after `cursor`, in key order, `limit` rows plus one."""
        return self.bound(statement, after_cursor=cursor is not None).params(self.parameters(cursor, limit))

    def bound(self, statement: Select[Any], *, after_cursor: bool) -> Select[Any]:
        """`statement` ordered by the key and limited, with the cursor's key and the limit left as bound
        parameters (their values come from `parameters`): one statement object can then serve every page of its
        shape, and SQLAlchemy works out its cache key once rather than on every request."""
        if after_cursor:
            parts = [bindparam(f"after_{n}", type_=column.type) for n, column in enumerate(self.columns)]
            key = self.columns[0] if len(self.columns) == 1 else tuple_(*self.columns)
            bound = parts[0] if len(parts) == 1 else tuple_(*parts)
            statement = statement.where(key < bound if self.descending else key > bound)
        order = [column.desc() for column in self.columns] if self.descending else list(self.columns)
        return statement.order_by(*order).limit(bindparam("rows_wanted", type_=Integer))

    def parameters(self, cursor: str | None, limit: int) -> dict[str, Any]:
        """The values of a `bound` statement's parameters for one page."""
        # One row more than asked tells us whether there is a next page without a COUNT.
        values: dict[str, Any] = {"rows_wanted": limit + 1}
        if cursor is not None:
            after = decode_cursor(cursor, [_key_type(column) for column in self.columns], self.name)
            values.update({f"after_{n}": part for n, part in enumerate(after)})
        return values

    def page(self, rows: Sequence[Any], limit: int, key_of: Any) -> tuple[Sequence[Any], str | None]:
        if len(rows) <= limit:
            return rows, None
        shown = rows[:limit]
        return shown, self.encode(key_of(shown[-1]))


class Page:
    """One page of documents and the cursor of the next."""

    __slots__ = ("depends_on", "items", "next_cursor")

    def __init__(self, items: list[Any], next_cursor: str | None, depends_on: Scopes | None = None) -> None:
        self.items = items
        self.next_cursor = next_cursor
        # What a public page may be remembered until (app/services/public_scopes.py); None: any public write.
        self.depends_on = depends_on

    def as_document(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor}


class Shape:
    """The filters one request uses, by name (ANDed), and the values to bind for them."""

    def __init__(self) -> None:
        self._names: list[str] = []
        self.values: dict[str, Any] = {}

    def use(self, name: str, **values: Any) -> None:
        self._names.append(name)
        self.values.update(values)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._names)


class FilteredList:
    """A list whose filters are conditions on bound parameters: its statement depends only on which filters a
    request uses (its shape) and whether it has a cursor, never on their values. Each shape is built once, so
    SQLAlchemy finds its compiled form at once instead of rebuilding the statement and its cache key on every
    request (which cost more than running it: about 230 microseconds a page of organisations)."""

    def __init__(self, base: Select[Any], keyset: Keyset, conditions: dict[str, ColumnElement[bool]]) -> None:
        self.base = base
        self.keyset = keyset
        self.conditions = conditions
        # A few shapes cover nearly every request; the bound keeps rare combinations from piling up.
        self.statement = functools.lru_cache(maxsize=256)(self._build)

    def _build(self, used: tuple[str, ...], after_cursor: bool) -> Select[Any]:
        statement = self.base.where(*(self.conditions[name] for name in used))
        return self.keyset.bound(statement, after_cursor=after_cursor)

    async def page(
        self, conn: AsyncConnection, shape: Shape, cursor: str | None, limit: int
    ) -> tuple[Sequence[Row[Any]], str | None]:
        """The rows of one page (in key order) and the next page's cursor."""
        statement = self.statement(shape.names, cursor is not None)
        parameters = shape.values | self.keyset.parameters(cursor, limit)
        rows = await compiled_reads.rows(conn, statement, parameters)
        return self.keyset.page(rows, limit, self.key_of)

    @functools.cached_property
    def _key_positions(self) -> tuple[int, ...]:
        """Where the key's columns are in each row (rows from the driver are read by position or name)."""
        selected = list(self.base.selected_columns)
        return tuple(next(n for n, c in enumerate(selected) if c is column) for column in self.keyset.columns)

    def key_of(self, row: Row[Any]) -> tuple[Any, ...]:
        return tuple(row[position] for position in self._key_positions)
