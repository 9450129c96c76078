"""Councils and postcodes, as the finder and council pages need them."""

from typing import Literal

from pydantic import BaseModel, Field

CouncilKind = Literal[
    "county",
    "district",
    "unitary",
    "metropolitan_borough",
    "london_borough",
    "welsh_principal_area",
    "scottish_council_area",
    "northern_irish_district",
]


class CouncilRef(BaseModel):
    """A council by its ONS (GSS) code."""

    code: str = Field(description="The council's GSS code.", examples=["E07000123"])
    name: str = Field(description="Its name, as the ONS writes it.", examples=["Preston"])
    kind: CouncilKind = Field(description="What tier of council it is.")


class Council(CouncilRef):
    """A council, with the council above it (a district's county) and those below it (a county's districts).
    The upper tier (the county, or a unitary, metropolitan or London borough) runs children's services, so it
    is a care leaver's corporate parent."""

    parent: CouncilRef | None = Field(description="The county a district is in; null for every other kind.")
    upper_tier: CouncilRef = Field(description="Who runs children's services here: the county, or itself.")
    children: list[CouncilRef] = Field(description="A county's districts; empty for every other kind.")


class PostcodeArea(BaseModel):
    """Where a postcode is: its district (or unitary) and the upper-tier council that runs children's services."""

    postcode: str = Field(description="The postcode as the ONS writes it.", examples=["PR1 2HE"])
    district: CouncilRef = Field(description="The local authority district the postcode is in.")
    upper_tier: CouncilRef = Field(description="Who runs children's services there: the county, or the district.")


class AreaSearch(BaseModel):
    """Councils matching a search, and the postcode's councils when the search was a postcode."""

    postcode: PostcodeArea | None = Field(description="When `q` is a postcode the ONS knows: where it is.")
    councils: list[Council] = Field(description="Councils by name prefix or code (for a postcode: its councils).")


class AreaDetail(BaseModel):
    """An area an offer or an organisation reaches, named: a council, `national` or `remote`."""

    code: str = Field(description="The GSS code, `national` or `remote`, as in `areas`.", examples=["E07000123"])
    name: str | None = Field(
        description="The council's name (`Preston`), `National` or `Remote (online or by phone)`; null only for "
        "a code recorded before areas were checked that the ONS data does not know.",
        examples=["Preston"],
    )
    kind: CouncilKind | Literal["national", "remote"] | None = Field(
        description="What tier of council it is, or `national` / `remote`; null like `name`."
    )
