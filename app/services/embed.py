"""The offers finder for council pages: the script councils embed, and the same finder as a plain HTML page for
an iframe (server-rendered, working with no JavaScript at all).

Both read exactly what `GET /v1/commitments` reads, through `public_read.list_commitments`, with `area` resolved
the same way (`councils.with_area_resolved`), so a page of the finder and a page of the JSON API with the same
filters hold the same offers in the same order. What a young person typed that cannot be used (an unknown
postcode, a council name that could be several councils, an age out of range) comes back as a message next to
its field, in plain English, rather than as a problem document.
"""

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.errors import NotFound, ValidationFailed
from app.schemas.commitments import CommitmentFilters
from app.schemas.covenants import CovenantFilters
from app.serialization import dump_json
from app.services import councils, public_read, public_scopes
from app.services.public_scopes import Scopes

EMBED = Path(__file__).resolve().parent.parent / "embed"
SCRIPT = EMBED / "offers.js"
PAGE_STYLE = EMBED / "page.css"
DEFAULT_PAGE_SIZE = 10
# The finder's own fields; anything else in the query is ignored, as the JSON API ignores unknown parameters.
FIELDS = ("covenant", "area", "age", "offer_type", "priority", "q", "cursor", "limit")

TEMPLATES = Environment(
    loader=FileSystemLoader(EMBED / "templates"),
    # Offer titles, descriptions and organisation names are organisations' own text: always escaped.
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Offer types in the words a young person would use (the script has the same list).
OFFER_TYPES: dict[str, str] = {
    "apprenticeship": "Apprenticeships",
    "job": "Jobs",
    "guaranteed_interview": "Guaranteed job interviews",
    "work_experience": "Work experience",
    "insight_day": "Insight days (see what a job is like)",
    "internship": "Internships",
    "traineeship": "Traineeships",
    "training": "Training and courses",
    "bursary": "Bursaries (money for studying)",
    "mentoring": "Mentoring (someone to help you plan)",
    "accommodation": "Somewhere to live",
    "guarantor": "A guarantor for renting a home",
    "financial_support": "Money and help with bills",
    "discount": "Discounts",
    "leisure": "Sport, leisure and days out",
    "advice": "Advice and support",
    "other": "Something else",
}
AUDIENCES = {"care_leavers": "care leavers", "children_in_care": "children in care", "send": "young people with SEND"}
CARE_STATUSES = {
    "eligible": "eligible",
    "relevant": "relevant",
    "former_relevant": "former relevant",
    "qualifying": "qualifying",
}
STATUSES = {
    "active": ("Open now", "open"),
    "paused": ("Paused: not taking anyone at the moment", "closed"),
    "full": ("Full at the moment", "closed"),
}
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# What a young person reads when a field cannot be used, by field.
FIELD_MESSAGES = {
    "age": "Enter your age as a number, like 19.",
    "q": "Use fewer words: up to 200 letters, on one line.",
    "offer_type": "Choose what you are looking for from the list.",
    "priority": "Choose a topic from the list.",
    "covenant": "This finder is set up wrongly: the council's covenant is not known.",
    "limit": "Choose between 1 and 100 offers a page.",
    "cursor": "That page of results is out of date. Start your search again.",
}
FIELD_LABELS = {
    "area": "Where you live",
    "age": "Your age",
    "offer_type": "What you are looking for",
    "priority": "Topic",
    "q": "Search words",
    "covenant": "Covenant",
    "limit": "Offers a page",
    "cursor": "Page",
}


# ---------------------------------------------------------------- the script


@dataclass(frozen=True)
class Script:
    body: bytes
    etag: str


@cache
def script() -> Script:
    """The web component, read once per process. Its ETag is its content's hash, so a new release of the file
    is a new tag and every browser's revalidation picks it up."""
    body = SCRIPT.read_bytes()
    return Script(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


# ---------------------------------------------------------------- the page


@dataclass
class Finder:
    """One rendering of the finder page: its HTTP status and its HTML."""

    status: int
    html: str
    # What the page may be remembered until (app/services/public_scopes.py); None: any public write.
    depends_on: Scopes | None = None


@dataclass
class Form:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    candidates: list[dict[str, Any]] = field(default_factory=list)


def query_values(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The finder's fields from a query string's pairs: `offer_type` may repeat, the others count once (the
    first). Empty values mean "any", as an empty search box should."""
    values: dict[str, Any] = {"offer_type": []}
    for name, value in pairs:
        if name not in FIELDS:
            continue
        if name == "offer_type":
            if value:
                values["offer_type"].append(value)
        elif name not in values:
            values[name] = value
    return values


def plain_message(name: str, error: dict[str, Any]) -> str:
    if name == "age" and error.get("type") in ("less_than_equal", "greater_than_equal"):
        return "Enter an age from 0 to 30."
    return FIELD_MESSAGES.get(name, "Check this answer.")


def area_message(typed: str, candidates: list[dict[str, Any]]) -> str:
    if len(candidates) > 1:
        return f"“{typed}” could be more than one council. Choose yours below, or type a postcode instead."
    if candidates:
        return f"“{typed}” has changed: it is now part of {candidates[0]['name']}. Choose it below."
    return f"We could not find “{typed}”. Check the postcode, or type the name of your council, like Preston or Leeds."


async def filters_for(values: dict[str, Any], form: Form) -> CommitmentFilters | None:
    """The JSON API's filters for what was typed, `area` resolved; None (and `form.errors`) when any of it
    cannot be used."""
    given = {name: value for name, value in values.items() if value not in ("", None, [])}
    given.setdefault("limit", str(DEFAULT_PAGE_SIZE))
    try:
        filters = CommitmentFilters.model_validate(given)
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "q"
            form.errors.setdefault(name, plain_message(name, dict(problem)))
        # Where they live is still worth checking, so that every answer to change is said at once.
        area_only = {"area": given["area"]} if "area" in given and "area" not in form.errors else {}
        filters = CommitmentFilters.model_validate(area_only)
    try:
        resolved = await councils.with_area_resolved(filters)
    except councils.AreaNotFound as error:
        form.candidates = list(error.extra.get("candidates", []))
        form.errors["area"] = area_message(str(values.get("area", "")).strip(), form.candidates)
        return None
    return None if form.errors else resolved


async def covenant_of(conn: AsyncConnection, reference: str | None) -> dict[str, Any] | None:
    if not reference:
        return None
    try:
        return await public_read.get_covenant(conn, reference)
    except (NotFound, ValidationFailed):
        return None


async def home_area(conn: AsyncConnection, covenant: dict[str, Any] | None) -> str | None:
    """The name of the covenant's own council, to search by when nobody has said where they live; None for a
    national body, or an authority whose code is not one of the ONS councils."""
    if covenant is None:
        return None
    try:
        authority = await public_read.get_authority(conn, covenant["authority"]["id"])
        council = councils.council_by_code(authority["gss_code"] or "")
    except NotFound:
        return None
    name: str = council["name"]
    # Only a name that finds this council again: some names are shared (a county and its district).
    try:
        return name if councils.area_code(name) == council["code"] else council["code"]
    except ValidationFailed:
        return str(council["code"])


def long_date(day: date | str | None) -> str | None:
    if day is None:
        return None
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def card(offer: dict[str, Any]) -> dict[str, Any]:
    """What a result card shows of a public offer (its public document; nothing else is read). Only the data:
    the page may be remembered and revalidated by data version, so nothing on it may depend on the day (the
    script, which runs in the browser, also says when the date to apply has passed)."""
    eligibility = offer["eligibility"]
    audiences = [AUDIENCES.get(audience, audience) for audience in eligibility["audiences"]]
    label, state = STATUSES.get(offer["status"], ("Open now", "open"))
    apply_by = offer.get("apply_by")
    return {
        "id": offer["id"],
        "title": offer["title"],
        "description": offer["description"],
        "organisation": offer["signatory"]["name"],
        "priority": offer["priority"]["title"],
        "ages": f"Ages {eligibility['min_age']} to {eligibility['max_age']}",
        "audiences": ", ".join(audiences),
        "care_statuses": ", ".join(CARE_STATUSES.get(s, s) for s in eligibility["care_statuses"]),
        "places": ", ".join(area["name"] or area["code"] for area in offer["area_details"]),
        "how_text": offer["how_to_access"]["text"],
        "how_url": offer["how_to_access"]["url"],
        "status_label": label,
        "status": state,
        "apply_by": long_date(apply_by),
        "starts_on": long_date(offer.get("starts_on")),
    }


def page_query(values: dict[str, Any], **changes: Any) -> str:
    """The query string of this search with `changes`, for links (the next page, a council to choose)."""
    merged = {**values, **changes}
    pairs: list[tuple[str, str]] = []
    for name in FIELDS:
        value = merged.get(name)
        for one in value if isinstance(value, list) else [value]:
            if one not in (None, ""):
                pairs.append((name, str(one)))
    return urlencode(pairs)


@cache
def page_style() -> tuple[Markup, str]:
    """The page's stylesheet, inline, and its hash for the Content-Security-Policy (no 'unsafe-inline')."""
    css = PAGE_STYLE.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return Markup(css), f"'sha256-{digest}'"


def ancestors(configured: str) -> str:
    """The configured sources, with the registry's own pages (the example page frames the finder) added."""
    sources = configured.split()
    if not sources or sources == ["'none'"]:
        return "'self'"
    if "*" in sources or "'self'" in sources:
        return " ".join(sources)
    return " ".join(["'self'", *sources])


def content_security_policy(frame_ancestors: str, *, scripts: bool = False) -> str:
    """Nothing but the page's own stylesheet (by its hash) and, on the example page, the registry's own script,
    API and frames; embedding by the pages `frame_ancestors` allows (a space-separated list of sources such as
    `https://www.lancashire.gov.uk`, or `*` for any page)."""
    _, style_hash = page_style()
    own = "'self'" if scripts else "'none'"
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src {style_hash}",
            f"script-src {own}",
            f"connect-src {own}",
            f"frame-src {own}",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {ancestors(frame_ancestors)}",
        ]
    )


@dataclass(frozen=True)
class FormLinks:
    """Where the finder's page sends someone to report a problem with an offer or tell the council something,
    and the address to come back to (this page, as it was asked for)."""

    problem_path: str  # with {commitment_id}
    voice_path: str
    page_url: str

    def problem(self, commitment_id: str) -> str:
        path = self.problem_path.format(commitment_id=commitment_id)
        return f"{path}?{urlencode({'return': self.page_url})}"

    def voice(self, covenant: dict[str, Any] | None) -> str | None:
        if covenant is None:
            return None
        return f"{self.voice_path}?{urlencode({'covenant': covenant['slug'], 'return': self.page_url})}"


async def finder_page(
    conn: AsyncConnection, pairs: Iterable[tuple[str, str]], *, page_path: str, links: FormLinks
) -> Finder:
    """The finder as a page: the form as it was filled in, then the results or what to change, and the ways to
    report a problem with an offer or tell the council something."""
    values = query_values(pairs)
    covenant = await covenant_of(conn, values.get("covenant"))
    form = Form(values)
    if values.get("covenant") and covenant is None:
        form.errors["covenant"] = FIELD_MESSAGES["covenant"]
    if "area" not in values:
        values["area"] = await home_area(conn, covenant) or ""
    filters = None if form.errors else await filters_for(values, form)
    offers: list[dict[str, Any]] = []
    next_query = None
    if filters is not None:
        page = await public_read.list_commitments(conn, filters)
        # The read model's documents are pre-rendered JSON, placed into pages unparsed: read them here.
        offers = [
            card(offer) | {"report_url": links.problem(offer["id"])} for offer in orjson.loads(dump_json(page.items))
        ]
        if page.next_cursor:
            next_query = page_query(values, cursor=page.next_cursor)
    style, _ = page_style()
    html = TEMPLATES.get_template("offers.html").render(
        style=style,
        covenant=covenant,
        values=values,
        errors=[(name, FIELD_LABELS.get(name, name), message) for name, message in form.errors.items()],
        field_errors=form.errors,
        candidates=[
            {"name": c["name"], "query": page_query(values, area=c["code"], cursor=None)} for c in form.candidates
        ],
        offer_types=OFFER_TYPES,
        priorities=covenant["priorities"] if covenant else [],
        offers=offers,
        searched=filters is not None,
        first_page=not values.get("cursor"),
        next_url=f"{page_path}?{next_query}" if next_query else None,
        restart_url=f"{page_path}?{page_query({'covenant': values.get('covenant')})}",
        voice_url=links.voice(covenant),
    )
    # One covenant's page reads only its rows (the covenant, its priorities, its offers) and its authority's,
    # which touch everything when they change; a page of every covenant's offers depends on everything.
    depends_on = frozenset({public_scopes.covenant(covenant["id"])}) if covenant is not None else None
    return Finder(422 if form.errors else 200, html, depends_on)


async def example_page(
    conn: AsyncConnection, reference: str | None, *, origin: str, script_path: str, page_path: str
) -> Finder:
    """Both ways onto a council's page, live: the script and its element, and the iframe."""
    covenant = await covenant_of(conn, reference)
    if covenant is None and not reference:
        first = await public_read.list_covenants(conn, CovenantFilters.model_validate({"limit": 1}))
        covenant = first.items[0] if first.items else None
    if covenant is None:
        raise NotFound(f"No covenant {reference}." if reference else "No covenant is open yet.")
    slug = covenant["slug"]
    style, _ = page_style()
    iframe_src = f"{page_path}?{urlencode({'covenant': slug})}"
    html = TEMPLATES.get_template("example.html").render(
        style=style,
        covenant=covenant,
        script_url=f"{origin}{script_path}",
        page_url=f"{origin}{iframe_src}",
        script_path=script_path,
        iframe_src=iframe_src,
    )
    return Finder(200, html)
