"""What a public answer depends on, and what a public write touched: so a worker forgets, after a write, only the
remembered answers the write could have changed (app/api/revalidation.py).

Both sides speak in scopes, short strings naming records by the columns the public read paths filter on:

- `c:<covenant id>`, `s:<signatory id>`, `p:<priority id>`, `o:<commitment id>`: rows with that covenant,
  organisation, priority or offer (a row carries one scope per such column it has, before and after its change);
- `feed`: the change feed's outbox, which only the feed itself (an answer that depends on everything) reads;
- `*`: everything. A write whose rows cannot be placed (a Core statement, a deletion, whose cascades no one
  sees, a row with none of those columns, a bump from outside the application) touches every answer.

An answer depends on everything unless its route names a narrower set (`None` here). A narrow set is a promise:
every row the answer reads, in every table, carries at least one of its scopes when it changes. So only reads
whose tables are known are narrowed: an offer by id (its read model row alone), the offers of one priority, one
covenant or one organisation (the read model, and the covenant's priorities; a covenant's slug is looked up in
its own row), a council's finder page (its covenant's rows, and its authority's, which carry no such column),
a covenant's statistics (its pledges, priorities, offer counts and returns, and its organisations' rows, which
touch everything: app/services/public_writes.py), and an organisation by id (its row, areas, pledges, their
covenants and offer counts, and its recognition's offers and withholding; the delivery returns recognition
counts carry no such column, so they touch everything).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.db import EVERYTHING

FEED = "feed"
# Columns naming the records answers are narrowed to, and a row's own id in the tables of those records.
# An offer is a scope only by its own row (and its read model rows, which app/services/projection.py places):
# rows that merely name one, such as a delivery return, are read by recognition, which is narrowed to its
# organisation, so they must not be placed by their offer alone.
SCOPE_COLUMNS = {"covenant_id": "c", "signatory_id": "s", "priority_id": "p"}
OWN_ID_SCOPE = {"covenant": "c", "signatory": "s", "priority": "p", "commitment": "o"}

Scopes = frozenset[str]
ALL: Scopes = frozenset({EVERYTHING})


def covenant(covenant_id: str) -> str:
    return f"c:{covenant_id}"


def signatory(signatory_id: str) -> str:
    return f"s:{signatory_id}"


def priority(priority_id: str) -> str:
    return f"p:{priority_id}"


def offer(commitment_id: str) -> str:
    return f"o:{commitment_id}"


def of_values(table: str, values: dict[str, list[Any]]) -> Scopes:
    """A row's scopes, from each scope column's values before and after its change (`values`: column name to
    the values it had and has). A value not known, or a row with no scope column at all, touches everything."""
    found = set()
    for column, seen in values.items():
        prefix = OWN_ID_SCOPE.get(table) if column == "id" else SCOPE_COLUMNS.get(column)
        if prefix is None:
            continue
        for value in seen:
            if not isinstance(value, str):
                return ALL
            found.add(f"{prefix}:{value}")
    return frozenset(found) if found else ALL


def scope_columns(table: str, columns: Iterable[str]) -> list[str]:
    """The columns of `table` that say which scopes its rows are in."""
    return [name for name in columns if name in SCOPE_COLUMNS or (name == "id" and table in OWN_ID_SCOPE)]


def is_touched(depends_on: Scopes | None, touched: Scopes | None) -> bool:
    """Whether an answer depending on `depends_on` (None: everything) may have been changed by writes that
    touched `touched` (None: not known, so everything)."""
    if depends_on is None or touched is None or EVERYTHING in touched:
        return True
    return not depends_on.isdisjoint(touched)


def decode(stored: str) -> Scopes:
    """As app/db.py stores them beside a data version: space-separated (ids and these prefixes hold none)."""
    return frozenset(stored.split())


@dataclass(frozen=True, slots=True)
class Scoped:
    """A public document and what it depends on (None: everything)."""

    document: Any
    depends_on: Scopes | None
