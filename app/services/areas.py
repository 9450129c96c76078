"""Where an offer or an organisation reaches: GSS codes, `national` and `remote`, in the order readers scan."""

from app.enums import NATIONAL, REMOTE


def order_areas(codes: list[str]) -> list[str]:
    # National and remote first, then codes: the order a reader scans for "can I use this?".
    return sorted(codes, key=lambda code: (code not in (NATIONAL, REMOTE), code))


def split_areas(joined: str | None) -> list[str]:
    """Area codes aggregated by the database as one comma-joined string, in reading order."""
    return order_areas(joined.split(",")) if joined else []


def wanted_areas(area: str, *, remote_counts: bool) -> list[str]:
    """The area codes that serve someone living in `area`: the area itself and national reach (and, for an
    offer, remote delivery)."""
    if area == NATIONAL:
        return [NATIONAL]
    return [area, NATIONAL, REMOTE] if remote_counts else [area, NATIONAL]
