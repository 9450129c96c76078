"""The OpenAPI 3.1 contract, as committed in openapi/openapi.json.

FastAPI builds the document from the routes; this module adds what the conventions promise and FastAPI
cannot infer: errors as application/problem+json, the response headers (X-Request-ID, ETag, Cache-Control,
Link), the If-None-Match parameter of public reads, and the tag descriptions.
"""

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

DESCRIPTION = """\
The registry behind care-leavers covenants in England: which organisations have signed a council's covenant,
what they offer young people leaving care, and what was delivered.

* **Public reads** need no key, send `ETag` and `Cache-Control`, answer `If-None-Match` with 304 and allow
  any origin (CORS), so a council web page can call them from the browser.
* **Lists** are keyset pages: `{"items": [...], "next_cursor": "..."}` plus a `Link: <…>; rel="next"` header.
  `limit` is 1 to 100 (more is a 422). Filters combine with AND.
* **Errors** are `application/problem+json` (RFC 9457); validation errors list each field in `errors`.
* Every response carries `X-Request-ID` (yours, if you sent a plain one).
* **Open Referral UK**: every public offer is also published as an ORUK 3.0 feed under `/oruk`, described by
  its own OpenAPI document, [`/oruk/openapi.json`](/oruk/openapi.json).
"""

TAGS = [
    {"name": "Commitments", "description": "Concrete offers to care-experienced young people."},
    {"name": "Signatories", "description": "Organisations that have signed a covenant."},
    {"name": "Pledges", "description": "An organisation's signed statement in one covenant."},
    {"name": "Covenants", "description": "Schemes run by authorities, and their priorities."},
    {"name": "Authorities", "description": "Councils and national bodies that run covenants."},
    {"name": "Areas", "description": "Councils by name, code or postcode, with their tiers (ONS data)."},
    {"name": "Statistics", "description": "A covenant in figures, and its annual report (small counts suppressed)."},
    {"name": "Open data", "description": "Public signatories and offers as CSV downloads."},
    {"name": "Changes", "description": "Every public change in commit order, for partners that keep a copy."},
    {"name": "Webhooks", "description": "Public changes pushed to your endpoint, signed, retried for a day."},
    {"name": "Notifications", "description": "Emails to officers and organisations, and where officers get them."},
    {
        "name": "Strategies",
        "description": "The council's own promises: strategies, action plans with RAG, and measures.",
    },
    {"name": "Voice", "description": "You said, we did: what young people raised, and what was done about it."},
    {
        "name": "Problem reports",
        "description": "Problems young people and advisers report with an offer, and the answers to them.",
    },
    {"name": "Delivery", "description": "Delivery returns: what each offer delivered, period by period."},
    {"name": "Organisations", "description": "Registering, and an organisation's own profile and pledges."},
    {"name": "Keys", "description": "API keys: issue, list, rotate, revoke. Keys are shown once."},
    {"name": "Audit", "description": "Who changed what, when: for council officers and the operator."},
    {"name": "Service", "description": "Metadata and health probes."},
]

HEADERS = {
    "RequestId": {
        "description": "The request's id: the caller's own if it sent a plain one, otherwise a new one.",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "Version of the representation; send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "CacheControl": {"description": "How long the response may be cached.", "schema": {"type": "string"}},
    "Link": {
        "description": 'The next page, as `<url>; rel="next"`; absent on the last page.',
        "schema": {"type": "string"},
    },
    "RetryAfter": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}},
}

IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "An ETag from an earlier response; the answer is 304 with no body if it is still current.",
    "schema": {"type": "string"},
}


PROBLEM_REF = "#/components/schemas/Problem"


def _problem_doc(description: str) -> dict[str, Any]:
    """A documented problem answer (moved to application/problem+json by `_decorate_operation`)."""
    return {"description": description, "content": {"application/json": {"schema": {"$ref": PROBLEM_REF}}}}


UNREADABLE_BODY = _problem_doc("The body is not valid JSON text (for example, it is cut short or not UTF-8).")
NOT_JSON = _problem_doc("The body is not sent as JSON: send `Content-Type: application/json`.")
UNAVAILABLE = _problem_doc("The database is unreachable or too slow just now; retry after `Retry-After` seconds.")
TOO_LARGE = _problem_doc("The request body is too large.")


OPTIONAL_KEY_SECURITY: list[dict[str, list[str]]] = [{}, {"ApiKey": []}]


def _header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An absent query parameter is the only "null" a URL can say: `anyOf [X, null]` becomes X."""
    options = schema.get("anyOf")
    if not options or {"type": "null"} not in options or len(options) != 2:
        return schema
    (kept,) = [option for option in options if option != {"type": "null"}]
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**kept, **rest}


def _optional_body_without_null(body: dict[str, Any]) -> None:
    """An optional body is one a client may leave out, not one it sends as `null`: `anyOf [X, null]` becomes X,
    with `required` false, so generated clients omit it rather than try to encode "no body"."""
    for media in body.get("content", {}).values():
        schema = _without_null(media["schema"])
        schema.pop("title", None)
        media["schema"] = schema


def decorate_operations(document: dict[str, Any], *, keyset_pages: bool = True) -> None:
    """What every operation of a contract of ours promises beyond FastAPI's document (problem+json errors,
    the response headers, If-None-Match). `keyset_pages`: its lists link their next page."""
    for path_item in document["paths"].values():
        for operation in path_item.values():
            _decorate_operation(operation, keyset_pages)
    document.setdefault("components", {})["headers"] = HEADERS


def _decorate_operation(operation: dict[str, Any], keyset_pages: bool) -> None:
    is_public_read = "304" in operation["responses"]
    is_list = keyset_pages and operation["operationId"].startswith("list_")
    if operation.pop("x-key-optional", False):
        operation.pop("security", None)  # the document's default: a key is optional
    else:
        operation.setdefault("security", [])  # no key needed, or one required (FastAPI has said which)
    for parameter in operation.get("parameters", []):
        parameter["schema"] = _without_null(parameter["schema"])
        parameter["schema"].pop("title", None)
        if parameter["name"] == "If-Match":
            # Optional to FastAPI only so that a missing one is our 428, not a generic 422; clients must send it.
            parameter["required"] = True
    if is_public_read:
        operation.setdefault("parameters", []).append(IF_NONE_MATCH)
    if "requestBody" in operation:
        _optional_body_without_null(operation["requestBody"])
        operation["responses"].setdefault("400", copy.deepcopy(UNREADABLE_BODY))
        operation["responses"].setdefault("413", copy.deepcopy(TOO_LARGE))
        operation["responses"].setdefault("415", copy.deepcopy(NOT_JSON))
    if operation["operationId"] not in ("get_health", "get_metrics"):  # they never touch the database
        operation["responses"].setdefault("503", copy.deepcopy(UNAVAILABLE))
    for status, response in operation["responses"].items():
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = _header_ref("RequestId")
        code = int(status) if status.isdigit() else 0
        if code >= 400 and "content" in response:
            # FastAPI files a problem under the route's own media type (text/html for a page): it is a problem.
            (problem,) = response["content"].values()
            response["content"] = {"application/problem+json": problem}
        if code in (429, 503):
            headers["Retry-After"] = _header_ref("RetryAfter")
        if is_public_read and code in (200, 304):
            headers["ETag"] = _header_ref("ETag")
            headers["Cache-Control"] = _header_ref("CacheControl")
            if is_list and code == 200:
                headers["Link"] = _header_ref("Link")


def operation_id(route: APIRoute) -> str:
    # The Python function name: stable, readable and unique (list_commitments, get_pledge, …).
    return route.name


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        summary="Who has signed a care-leavers covenant, what they offer, and what was delivered.",
        description=DESCRIPTION,
        routes=app.routes,
        tags=TAGS,
        license_info={"name": "MIT", "identifier": "MIT"},
    )
    decorate_operations(document)
    # A key is optional unless an operation says otherwise. Said once here rather than on each operation because
    # generators (openapi-python-client among them) type any operation with its own non-empty `security` as
    # needing an authenticated client, though `[{}, ...]` means the key may be left out.
    document["security"] = OPTIONAL_KEY_SECURITY
    app.openapi_schema = document
    return document
