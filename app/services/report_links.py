"""Short-lived signed links to a covenant's exact annual report or panel pack, for officers who open and print it
in a browser, where no `Authorization` header can be sent.

An officer asks for a link to one report (a covenant, a report, a year, a format); the link carries a token
naming exactly that, when it expires (15 minutes on) and a random id, signed with HMAC-SHA256 under
REPORT_LINK_SECRET. The token opens that report once: its id is recorded when it is used, so a link forwarded or
left in a browser's history opens nothing more. Changing any part of it breaks the signature."""

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.config import get_settings
from app.errors import Forbidden, Gone
from app.ids import utcnow
from app.models import ReportLinkUse, table_of
from app.services import audit
from app.services.access import Principal
from app.services.lookup import officers_covenant

LIFETIME = timedelta(minutes=15)
FORMATS = ("html", "pdf")
REPORTS = ("annual_report", "panel_pack")
# Where each report lives under /v1/covenants/{slug}/.
REPORT_PATHS = {"annual_report": "annual-report", "panel_pack": "panel-pack"}
VERSION = "v1"
link_use = table_of(ReportLinkUse)


@dataclass(frozen=True)
class Grant:
    covenant_id: str
    year: int
    format: str
    expires_at: datetime
    link_id: str
    report: str = "annual_report"


def _key() -> bytes:
    return get_settings().report_link_secret.encode()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(grant: Grant) -> str:
    claims = {
        "c": grant.covenant_id,
        "y": grant.year,
        "f": grant.format,
        "e": int(grant.expires_at.timestamp()),
        "j": grant.link_id,
        "r": grant.report,
    }
    body = _encode(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signature = _encode(hmac.new(_key(), f"{VERSION}.{body}".encode(), hashlib.sha256).digest())
    return f"{VERSION}.{body}.{signature}"


def read(token: str) -> Grant:
    """The grant a token carries, if the registry signed it; 403 otherwise (a made-up or altered link)."""
    try:
        version, body, signature = token.split(".")
        expected = hmac.new(_key(), f"{version}.{body}".encode(), hashlib.sha256).digest()
        if version != VERSION or not hmac.compare_digest(_decode(signature), expected):
            raise ValueError("signature")
        claims = json.loads(_decode(body))
        return Grant(
            covenant_id=str(claims["c"]),
            year=int(claims["y"]),
            format=str(claims["f"]),
            expires_at=datetime.fromtimestamp(int(claims["e"]), tz=utcnow().tzinfo),
            link_id=str(claims["j"]),
            report=str(claims["r"]),
        )
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise Forbidden("This link is not one the registry made, or it has been changed.") from None


async def issue(
    session: AsyncSession, principal: Principal, reference: str, year: int, format: str, report: str = "annual_report"
) -> dict[str, Any]:
    """A link to one of the officer's covenant's reports, in one format, for the next 15 minutes."""
    covenant = await officers_covenant(session, principal, reference)
    expires = utcnow().replace(microsecond=0) + LIFETIME
    grant = Grant(covenant.id, year, format, expires, secrets.token_urlsafe(12), report)
    audit.record(
        session,
        principal,
        "report_link.issue",
        covenant,
        before=None,
        scope=audit.Scope(authority_id=covenant.authority_id, covenant_id=covenant.id),
    ).after = {
        "report": report,
        "year": year,
        "format": format,
        "expires_at": grant.expires_at.isoformat(),
        "link_id": grant.link_id,
    }
    # Relative, so it stays right behind a proxy that rewrites the host.
    query = urlencode({"year": year, "link": sign(grant)})
    url = f"/v1/covenants/{covenant.slug}/{REPORT_PATHS[report]}.{format}?{query}"
    return {"url": url, "report": report, "year": year, "format": format, "expires_at": grant.expires_at}


async def redeem(
    engine: AsyncEngine, token: str, covenant_id: str, year: int, format: str, *, report: str = "annual_report"
) -> None:
    """Use a link for the report it names, once, before it expires; 403 for another report, 410 when spent.
    The use is committed on its own before the report is read, so two clicks race for one use, not two."""
    grant = read(token)
    if (grant.covenant_id, grant.year, grant.format, grant.report) != (covenant_id, year, format, report):
        raise Forbidden("This link opens another report.")
    if utcnow() >= grant.expires_at:
        raise Gone("This link has expired: ask for a new one (they last 15 minutes).")
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(link_use).values(link_id=grant.link_id, covenant_id=covenant_id, used_at=utcnow())
            )
    except IntegrityError:
        raise Gone("This link has been used already: ask for a new one.") from None
