"""Reusable constrained strings. Every string the API accepts is bounded and free of control characters
(PostgreSQL cannot store NUL, and nobody means a line feed in an id)."""

from typing import Annotated

from pydantic import Field

ID_CHARS = r"^[A-Za-z0-9_-]+$"
SINGLE_LINE = r"^[^\x00-\x1F\x7F]*$"
RECORD_ID = r"^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$"
COVENANT_REFERENCE = r"^([a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}|[a-z0-9]+(-[a-z0-9]+)*)$"

RecordIdFilter = Annotated[str | None, Field(default=None, max_length=40, pattern=RECORD_ID)]
SingleLine = Annotated[str, Field(pattern=SINGLE_LINE)]
