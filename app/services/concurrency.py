"""Optimistic concurrency: a change names the version it was based on; a stale one is refused with 412.

The check here gives a clear message when the client is behind; the version column's compare-and-set in the
UPDATE itself (models.Versioned) catches the race where two requests pass this check at the same moment.
"""

from typing import Any

from app.errors import PreconditionFailed


def check_version(record: Any, expected_version: int) -> None:
    if record.version != expected_version:
        kind = record.__tablename__.replace("_", " ")
        raise PreconditionFailed(
            f"This {kind} is at version {record.version}, not {expected_version}: "
            "fetch it again, re-apply your change and retry."
        )
