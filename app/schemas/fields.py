"""What every resource's schemas are built from: the patterns and constrained types of the fields the API accepts,
and the base of every input. Every string the API accepts is bounded and free of control characters (PostgreSQL
cannot store NUL, and nobody means a line feed in an id)."""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl

from app.enums import NATIONAL, REMOTE
from app.geography.authorities import geography

# ---------------------------------------------------------------- patterns

ID_CHARS = r"^[A-Za-z0-9_-]+$"
SINGLE_LINE = r"^[^\x00-\x1F\x7F]*$"
# Prose may hold tabs and line breaks, and no other control character.
MULTI_LINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
RECORD_ID = r"^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$"
COVENANT_REFERENCE = r"^([a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}|[a-z0-9]+(-[a-z0-9]+)*)$"

AREA_PATTERN = r"^([EWSNK][0-9]{8}|national|remote)$"
GSS_PATTERN = r"^[EWSNK][0-9]{8}$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
COMPANIES_HOUSE_PATTERN = r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$"
CHARITY_NUMBER_PATTERN = r"^([0-9]{6,7}(-[0-9]{1,2})?|SC0[0-9]{5}|NIC[0-9]{6})$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{6,19}$"
PRIORITY_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{0,19}$"
PRIORITY_REFERENCE = r"^([a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}|[A-Z0-9][A-Z0-9-]{0,19})$"

# Deliberately plain: an address that looks like one is accepted; deliverability is the organisation's business.
# Spelled out rather than \s, which means different things to Python and to the ECMAScript regexes of JSON Schema.
_NOT_IN_EMAIL = r"@ \x00-\x1F\x7F-\x9F\u00A0\u2000-\u200B\u2028\u2029\u3000\uFEFF"
EMAIL_PATTERN = rf"^[^{_NOT_IN_EMAIL}]{{1,64}}@[^{_NOT_IN_EMAIL}]{{1,252}}$"

URL_MAX_LENGTH = 500


# ---------------------------------------------------------------- validators


def distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


def known_area(code: str) -> str:
    """An area code the ONS data knows (a current council), or `national` / `remote`: a typo would otherwise
    hide an offer from everyone searching where it really is."""
    if code in (NATIONAL, REMOTE):
        return code
    places = geography()
    if code in places.councils:
        return code
    if code in places.replaced:
        former = places.replaced[code]
        now = " or ".join(f"{council.code} ({council.name})" for council in places.now_part_of(former))
        raise ValueError(f"{code} ({former.name}) is no longer a council: use {now}")
    raise ValueError(f"{code} is not the GSS code of a current council (find codes at /v1/areas?q=)")


def _url_text(value: Any) -> Any:
    # Checked as sent, before normalising (which may add a "/" and silently drops control characters), so the
    # limit is exactly the documented one and a NUL is refused rather than lost.
    if isinstance(value, str):
        if len(value) > URL_MAX_LENGTH:
            raise ValueError(f"must be at most {URL_MAX_LENGTH} characters")
        if re.search(r"[\x00-\x1F\x7F]", value):
            raise ValueError("must not contain control characters")
    return value


# ---------------------------------------------------------------- field types

RecordIdFilter = Annotated[str | None, Field(default=None, max_length=40, pattern=RECORD_ID)]
Line = Annotated[str, Field(pattern=SINGLE_LINE)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)]
Prose = Annotated[str, Field(max_length=4000, pattern=MULTI_LINE)]
Url = Annotated[
    HttpUrl, BeforeValidator(_url_text), Field(json_schema_extra={"maxLength": URL_MAX_LENGTH, "pattern": SINGLE_LINE})
]
# uniqueItems in the contract, and the same rule enforced, so a repeated value is refused before any work.
Distinct = Field(json_schema_extra={"uniqueItems": True})
AreaList = Annotated[
    list[Annotated[str, Field(pattern=AREA_PATTERN), AfterValidator(known_area)]],
    Field(min_length=1, max_length=50),
    Distinct,
    AfterValidator(distinct),
]
SignatoryAreaList = Annotated[
    list[Annotated[str, Field(pattern=r"^([EWSNK][0-9]{8}|national)$"), AfterValidator(known_area)]],
    Field(min_length=1, max_length=50),
    Distinct,
    AfterValidator(distinct),
]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)]
# `area` on the public lists: what a young person knows of where they live, resolved by app/services/councils.py.
AREA_FILTER_RULE = (
    "A district matches offers for itself, for its county and national ones; a county matches its own, every one "
    "of its districts' and national ones; a unitary, metropolitan or London borough (or a Welsh, Scottish or "
    "Northern Irish council) matches its own and national ones."
)
AreaFilter = Annotated[
    str | None,
    Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=SINGLE_LINE,
        examples=["E10000017", "Preston", "PR1 2HE"],
    ),
]


# ---------------------------------------------------------------- inputs


class Strict(BaseModel):
    """The base of every input. Inputs forbid unknown fields, so a field a caller may not set (status, signatory
    id, review dates…) is a 422, never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Withdrawal(Strict):
    """Why a pledge or commitment is withdrawn; shown to the other side and kept in the audit trail."""

    reason: Annotated[str, Field(min_length=3, max_length=2000, pattern=MULTI_LINE)] = Field(
        description="Why it is withdrawn."
    )
