"""Cross-origin requests: what a browser lets a page on another site (a council's) ask of the registry.

Every public read is open to any origin, exposing what a page needs to revalidate and page through answers
(ETag, Link). Writes are not offered to browsers: they take a key, and a key belongs on a server, never in a
page. The exceptions are the two public, anonymous forms, which the issue asks to work from a council's own
page or the finder: "you said" intake and reporting a problem with an offer. They take no key and no cookies
(so credentials are never allowed), and what protects them is their own rules (a limit per address, the field
for bots, the problem form's token), which hold whoever sends the request, so opening them to browsers gives a
script nothing it could not already do from a server. A preflight for any other write is refused.
"""

from starlette.middleware.cors import CORSMiddleware
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from app.services.rate_limits import Allowance

# The JSON paths of the two public forms, as their routers declare them.
PUBLIC_FORM_POSTS = ("/v1/covenants/{covenant}/you-said/intake", "/v1/commitments/{commitment_id}/problems")
READ_METHODS = ["GET", "HEAD", "OPTIONS"]
READ_HEADERS = ["If-None-Match", "X-Request-ID", "Accept"]
READ_EXPOSED = ["ETag", "Link", "X-Request-ID", "Retry-After"]
# What a form's page sends (JSON needs Content-Type, a retry its Idempotency-Key) and must read of the answer:
# where the report is, and the allowance left (the rate-limit headers, named as Allowance names them).
FORM_HEADERS = [*READ_HEADERS, "Content-Type", "Idempotency-Key"]
FORM_EXPOSED = [*READ_EXPOSED, "Location", *Allowance(0, 0, 0).headers()]
PREFLIGHT_MAX_AGE = 3600


class RegistryCors:
    """Reads open to every origin, and POST too on the public forms' paths only."""

    def __init__(self, app: ASGIApp) -> None:
        self.patterns = [compile_path(path)[0] for path in PUBLIC_FORM_POSTS]
        self.reads = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=READ_METHODS,
            allow_headers=READ_HEADERS,
            expose_headers=READ_EXPOSED,
            max_age=PREFLIGHT_MAX_AGE,
        )
        self.forms = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=[*READ_METHODS, "POST"],
            allow_headers=FORM_HEADERS,
            expose_headers=FORM_EXPOSED,
            max_age=PREFLIGHT_MAX_AGE,
        )

    def is_public_form(self, path: str) -> bool:
        return any(pattern.match(path) for pattern in self.patterns)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.is_public_form(scope["path"]):
            await self.forms(scope, receive, send)
        else:
            await self.reads(scope, receive, send)
