"""Optimistic concurrency: a change names the version it was based on; a stale one is refused with 412.

The check here gives a clear message when the client is behind; the version column's compare-and-set in the
UPDATE itself (models.Versioned) catches the race where two requests pass this check at the same moment.
"""

from dataclasses import dataclass
from typing import Any

from app.errors import PreconditionFailed


@dataclass(frozen=True)
class Precondition:
    """The record versions a change was based on (the If-Match header, read by app/api/etags.py): one or more
    (record id, version) pairs. A service checks it against the record once it has found it, so a record named
    by slug is checked as surely as one named by id."""

    versions: tuple[tuple[str, int], ...]

    def version_of(self, record_id: str) -> int:
        for named_id, version in self.versions:
            if named_id == record_id:
                return version
        raise PreconditionFailed("If-Match does not name a version of this record: fetch it again and use its ETag.")


def check_version(record: Any, precondition: Precondition) -> None:
    if any(named == (record.id, record.version) for named in precondition.versions):
        return
    expected = precondition.version_of(record.id)
    kind = record.__tablename__.replace("_", " ")
    raise PreconditionFailed(
        f"This {kind} is at version {record.version}, not {expected}: fetch it again, re-apply your change and retry."
    )
