"""Shapes shared by every audience: problems, pages, service metadata."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.areas import CouncilRef

# A record that has a public and a private representation says which one it is, so that a client (a generated
# one above all) can tell an owner's answer from the public answer to the same read without guessing from fields.
PublicView = Annotated[Literal["public"], Field(description="Always `public`: the representation anyone may see.")]
PrivateView = Annotated[
    Literal["private"],
    Field(description="Always `private`: the representation for the record's organisation, officers or operator."),
]


class FieldError(BaseModel):
    """One invalid field or parameter."""

    pointer: str = Field(
        description="JSON pointer to the field in the body (`/eligibility/min_age`), or the parameter's name "
        "as `/limit` for query, path and header parameters.",
        examples=["/limit"],
    )
    location: str = Field(description="Where the value was: `body`, `query`, `path` or `header`.", examples=["query"])
    detail: str = Field(description="What is wrong, in plain English.", examples=["must be 100 or less"])


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="A URI naming the kind of problem; dereference it for a description.",
        examples=["/problems/not-found"],
    )
    title: str = Field(description="A short summary of the kind of problem.", examples=["Not found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(description="What went wrong with this request.", examples=["No commitment cmt_01J…"])
    instance: str = Field(
        description="The path of the request that failed.",
        examples=["/v1/commitments/cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G"],
    )
    request_id: str = Field(
        description="The request's id, as in the `X-Request-ID` header; quote it when reporting a problem.",
        examples=["5f0c6a8e2b9d4f1a8c3e7b6d5a4f3e2d"],
    )


class ValidationProblem(Problem):
    """The request cannot be processed. For invalid fields or parameters, `errors` lists each one; a reused
    Idempotency-Key (type `/problems/idempotency-key-reused`) has no `errors`."""

    errors: list[FieldError] = Field(default_factory=list, description="Each invalid field or parameter.")
    candidates: list[CouncilRef] = Field(
        default_factory=list,
        description="When `area` names no council or more than one: the councils it could mean (a name shared by "
        "several, a prefix of several, or the council a former code is part of now).",
    )


class ConflictProblem(Problem):
    """The request conflicts with the record's state. For a lifecycle change that is not allowed now,
    `current_status` and `allowed` say where the record stands and what it can do next."""

    current_status: str | None = Field(default=None, description="The record's status now (lifecycle conflicts).")
    allowed: list[str] | None = Field(default=None, description="Actions allowed from the current status.")


class ServiceInfo(BaseModel):
    """What this service is and where its contract lives."""

    name: str = Field(description="The service's name.")
    version: str = Field(description="The deployed version of the service.")
    api_version: str = Field(description="The API's major version, part of every path.")
    openapi_url: str = Field(description="Where the OpenAPI 3.1 document is served.")
    docs_url: str = Field(description="Where the interactive documentation is served.")
    geography: dict[str, str] = Field(
        description="The vintage of the ONS data behind areas and postcodes (`postcodes`, `authorities`, `licence`)."
    )


class Health(BaseModel):
    """The answer of a health or readiness probe."""

    status: str = Field(description="`ok`, or what is wrong.", examples=["ok"])
    checks: dict[str, str] = Field(default_factory=dict, description="Each check performed and its outcome.")


class NotReadyProblem(Problem):
    """/readyz when the service cannot serve: which check failed and how."""

    checks: dict[str, str] = Field(
        description="Each check performed and its outcome: `database` (`ok` or `unreachable`) and `schema` (`ok`, "
        "or the revision it is at against the one expected).",
        examples=[{"database": "unreachable", "schema": "unknown"}],
    )
