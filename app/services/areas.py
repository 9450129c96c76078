"""Where an offer or an organisation reaches: GSS codes, `national` and `remote`, in the order readers scan, with
the names a council page shows, and which of them serve someone living in a given council's area."""

from typing import Any

from app.enums import NATIONAL, REMOTE
from app.geography.authorities import KINDS, geography

REACH_NAMES = {NATIONAL: "National", REMOTE: "Remote (online or by phone)"}


def order_areas(codes: list[str]) -> list[str]:
    # National and remote first, then codes: the order a reader scans for "can I use this?".
    return sorted(codes, key=lambda code: (code not in (NATIONAL, REMOTE), code))


def split_areas(joined: str | None) -> list[str]:
    """Area codes aggregated by the database as one comma-joined string, in reading order."""
    return order_areas(joined.split(",")) if joined else []


def area_details(codes: list[str]) -> list[dict[str, Any]]:
    """Each area's code with its name and kind, in the order given, so a page can say "Preston"."""
    places = geography()
    details: list[dict[str, Any]] = []
    for code in codes:
        council = places.councils.get(code)
        former = places.replaced.get(code)  # stored before writes were checked against the ONS data
        if council is not None:
            details.append({"code": code, "name": council.name, "kind": council.kind})
        elif former is not None:
            details.append({"code": code, "name": former.name, "kind": KINDS[code[:3]]})
        else:  # national, remote, or a code no ONS data knows
            details.append({"code": code, "name": REACH_NAMES.get(code), "kind": code if code in REACH_NAMES else None})
    return details


def named_areas(codes: list[str]) -> dict[str, list[Any]]:
    """A document's `areas` and, beside them, `area_details`."""
    return {"areas": codes, "area_details": area_details(codes)}


def served_areas(codes: list[str]) -> list[str]:
    """Every area whose residents an offer for `codes` serves (the read model indexes offers by these)."""
    places = geography()
    return list(dict.fromkeys(served for code in codes for served in places.served(code)))


def offer_areas_wanted(code: str) -> list[str]:
    """What the read model is asked for someone living in `code`: the hierarchy is already in its index
    (`served_areas`), so a council's own code, national and remote; `national` alone for national offers."""
    return [NATIONAL] if code == NATIONAL else list(dict.fromkeys([code, NATIONAL, REMOTE]))


def wanted_areas(code: str) -> list[str]:
    """The area codes of organisations that serve someone living in `code` (a council's code, as
    `councils.area_code` gives it): the council's own and those the hierarchy adds (a district's county; a
    county's districts), and national reach. Offers are found through the read model's index instead
    (`offer_areas_wanted`)."""
    if code in (NATIONAL, REMOTE):
        return [code]
    return [*geography().reach(code), NATIONAL]
