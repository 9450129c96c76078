"""The query parameters every list shares: keyset pagination, and free text for the lists that search. Each
resource's filters extend one of these, and each resource's page shape lives with the resource."""

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.schemas.fields import SINGLE_LINE


class PageParams(BaseModel):
    """Keyset pagination: follow `next_cursor` (or the `Link: rel="next"` header) until it is null."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=20, ge=1, le=100, description="Items per page, 1 to 100.")
    cursor: str | None = Field(
        default=None,
        # Long enough for the cursor after an organisation with a 200-character name, signed.
        max_length=1000,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="Opaque cursor from the previous page's `next_cursor`; absent or empty for the first page.",
    )

    @field_validator("cursor")
    @classmethod
    def empty_cursor_means_first_page(cls, value: str | None) -> str | None:
        return value or None


class FreeTextParams(PageParams):
    q: str | None = Field(default=None, max_length=200, pattern=SINGLE_LINE, description="Free text to search for.")

    @field_validator("q")
    @classmethod
    def blank_means_absent(cls, value: str | None) -> str | None:
        # A search box submitted empty should list everything, not fail.
        return value.strip() or None if value is not None else None
