"""Finding councils by name, code or postcode (app/geography holds the data)."""

from typing import Any

from app.errors import NotFound
from app.geography import postcodes
from app.geography.authorities import KINDS, Council, Geography, geography

SEARCH_LIMIT = 20


def council_ref(council: Council) -> dict[str, Any]:
    return {"code": council.code, "name": council.name, "kind": council.kind}


def council_document(council: Council, places: Geography | None = None) -> dict[str, Any]:
    places = places or geography()
    parent = places.councils.get(council.parent) if council.parent else None
    upper = places.councils.get(council.upper_tier, council)
    return {
        **council_ref(council),
        "parent": council_ref(parent) if parent else None,
        "upper_tier": council_ref(upper),
        "children": [council_ref(places.councils[code]) for code in places.children.get(council.code, ())],
    }


def council_by_code(code: str) -> dict[str, Any]:
    found = _council(code.strip().upper())
    if found is None:
        raise NotFound(f"No council has the code {code}.")
    return council_document(found)


def _council(code: str) -> Council | None:
    places = geography()
    if code in places.councils:
        return places.councils[code]
    kind = KINDS.get(code[:3])
    # Scottish and Northern Irish councils are known from the postcode directory, by code alone.
    return Council(code, None, kind, None) if kind in ("scottish_council_area", "northern_irish_district") else None


def search(q: str) -> dict[str, Any]:
    """Councils whose name starts with `q`, the council with code `q`, or a postcode's councils."""
    postcode = postcodes.normalised(q)
    if postcode is not None:
        return _postcode_search(postcode)
    places = geography()
    by_code = _council(q.strip().upper())
    found = [by_code] if by_code else places.starting(q, SEARCH_LIMIT)
    return {"postcode": None, "councils": [council_document(council, places) for council in found]}


def _postcode_search(postcode: str) -> dict[str, Any]:
    district_code = postcodes.council_of(postcode)
    district = _council(district_code) if district_code else None
    if district is None:
        return {"postcode": None, "councils": []}
    upper = _council(district.upper_tier) or district
    return {
        "postcode": {"postcode": postcode, "district": council_ref(district), "upper_tier": council_ref(upper)},
        "councils": [council_document(council) for council in dict.fromkeys([district, upper])],
    }
