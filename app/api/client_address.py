"""Who is calling: the address of the peer, or, when the peer is a proxy the operator trusts (TRUSTED_PROXIES),
the address that proxy says it forwarded for.

Only trusted proxies are believed, because anyone can send `X-Forwarded-For`: believing it from everyone would
let any client choose its own address, and so its own rate-limit bucket. The chain a trusted proxy passes on
is read from the right, skipping further trusted proxies; the first address that is not one of them is the
client. `Forwarded` (RFC 7239) is read when present, `X-Forwarded-For` otherwise.
"""

import ipaddress
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 192.168.1.5, fd00::/8` → networks (a bare address is a network of one). Raises ValueError
    on anything else, so a mistyped setting stops the service from starting rather than trusting nobody."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _address(text: str) -> Address | None:
    """An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`, quoted or not."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None  # "unknown", an obfuscated name (RFC 7239 6.3), or garbage


def _forwarded_elements(headers: Headers) -> list[str]:
    """The elements of every `Forwarded` header, one per hop, nearest the client first."""
    return ",".join(headers.getlist("forwarded")).split(",") if "forwarded" in headers else []


def _parameters(element: str, wanted: str) -> list[str]:
    """The values of one parameter (`for`, `proto`) in a `Forwarded` element, as written."""
    pairs = (pair.partition("=") for pair in element.split(";"))
    return [value for name, _, value in pairs if name.strip().lower() == wanted]


def forwarded_for(headers: Headers) -> list[str]:
    """The `for` addresses of `Forwarded`, or the entries of `X-Forwarded-For`, nearest the client first."""
    elements = _forwarded_elements(headers)
    if elements:
        return [value for element in elements for value in _parameters(element, "for")]
    return [hop for value in headers.getlist("x-forwarded-for") for hop in value.split(",")]


def forwarded_proto(headers: Headers) -> str | None:
    """The scheme the nearest proxy was asked in: `Forwarded`'s last `proto`, else `X-Forwarded-Proto`'s last."""
    elements = _forwarded_elements(headers)
    protos = _parameters(elements[-1], "proto") if elements else []
    if protos:
        return protos[0].strip().strip('"').lower()
    proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
    return proto or None


def _trusted(address: Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str, hops: list[str], trusted: Sequence[Network]) -> str:
    """The client's address, believing the forwarding chain only as far as trusted proxies vouch for it."""
    if not _trusted(_address(peer), trusted):
        return peer
    nearest_trusted = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return nearest_trusted  # a hop no one can vouch for: stop at the last proxy that is known
        if not _trusted(address, trusted):
            return str(address)
        nearest_trusted = str(address)
    return nearest_trusted


class TrustedProxiesMiddleware:
    """Rewrites the request's client (and scheme) from what trusted proxies forwarded, before anything reads
    them: the access log, the rate limiter, links built from the request's URL."""

    def __init__(self, app: ASGIApp, *, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and self.trusted and client:
            scope = self._as_forwarded(scope, client)
        await self.app(scope, receive, send)

    def _as_forwarded(self, scope: Scope, client: Any) -> Scope:
        peer, port = client[0], client[1]
        if not _trusted(_address(peer), self.trusted):
            return scope
        headers = Headers(scope=scope)
        rewritten = {**scope, "client": (client_address(peer, forwarded_for(headers), self.trusted), port)}
        proto = forwarded_proto(headers)
        if proto in ("http", "https"):
            rewritten["scheme"] = proto
        return rewritten
