"""Authorities: the councils and national bodies that run covenants."""

from pydantic import BaseModel, Field

from app.schemas.fields import GSS_PATTERN, SINGLE_LINE, Name, Strict, Url
from app.schemas.pages import PageParams

# ---------------------------------------------------------------- outputs


class AuthorityRef(BaseModel):
    """The authority that runs a covenant."""

    id: str = Field(description="The authority's id.", examples=["aut_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    name: str = Field(description="The authority's name.", examples=["Lancashire County Council"])


class AuthorityPublic(BaseModel):
    """A council or national body that runs covenants."""

    id: str = Field(description="The authority's id.")
    name: str = Field(description="The authority's name.", examples=["Lancashire County Council"])
    gss_code: str = Field(description="ONS GSS code of the authority's area.", examples=["E10000017"])
    region: str = Field(description="The region the authority sits in.", examples=["North West"])
    website: str | None = Field(description="The authority's web site.", examples=["https://www.lancashire.gov.uk"])


class AuthorityPage(BaseModel):
    """A page of authorities."""

    items: list[AuthorityPublic] = Field(description="The authorities on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AuthorityFilters(PageParams):
    region: str | None = Field(
        default=None, max_length=100, pattern=SINGLE_LINE, description="Only authorities in this region."
    )
    gss_code: str | None = Field(default=None, pattern=GSS_PATTERN, description="The authority with this GSS code.")


# ---------------------------------------------------------------- inputs (the operator)


class AuthorityCreate(Strict):
    """A council or national body joining the registry (operator only)."""

    name: Name = Field(description="The authority's name.", examples=["Lancashire County Council"])
    gss_code: str = Field(pattern=GSS_PATTERN, description="ONS GSS code, e.g. E10000017.")
    region: Name = Field(description="Region, e.g. North West.")
    website: Url | None = Field(default=None, description="The authority's web site.")
