"""Finding councils by name, code or postcode (app/geography holds the data), and turning what a young person
types as `area` (a code, a council's name, a postcode) into the council it means."""

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from app.enums import NATIONAL, REMOTE
from app.errors import NotFound, ValidationFailed
from app.geography import postcodes
from app.geography.authorities import GSS_CODE, Council, Geography, geography

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
    found = geography().councils.get(code.strip().upper())
    if found is None:
        raise NotFound(f"No council has the code {code}.")
    return council_document(found)


def search(q: str) -> dict[str, Any]:
    """Councils whose name starts with `q`, the council with code `q`, or a postcode's councils."""
    postcode = postcodes.normalised(q)
    if postcode is not None:
        return _postcode_search(postcode)
    places = geography()
    by_code = places.councils.get(q.strip().upper())
    found = [by_code] if by_code else places.starting(q, SEARCH_LIMIT)
    return {"postcode": None, "councils": [council_document(council, places) for council in found]}


def _postcode_search(postcode: str) -> dict[str, Any]:
    places = geography()
    district = places.councils.get(postcodes.council_of(postcode) or "")
    if district is None:
        return {"postcode": None, "councils": []}
    upper = places.councils.get(district.upper_tier, district)
    return {
        "postcode": {"postcode": postcode, "district": council_ref(district), "upper_tier": council_ref(upper)},
        "councils": [council_document(council) for council in dict.fromkeys([district, upper])],
    }


# ---------------------------------------------------------------- `area` as people type it


class AreaNotFound(ValidationFailed):
    """`area` names no council, or several: `candidates` lists those it could mean."""

    def __init__(self, detail: str, candidates: list[Council], *, pointer: str = "/area") -> None:
        super().__init__(
            detail, pointer=pointer, location="query", candidates=[council_ref(council) for council in candidates]
        )


def area_code(text: str) -> str:
    """The code of the council `text` means (`E07000123`, `Preston`, `pr1 2he`), or `national` / `remote`.
    A postcode's council is its district (or unitary): the hierarchy then adds the county's offers."""
    typed = text.strip()
    if typed.lower() in (NATIONAL, REMOTE):
        return typed.lower()
    if GSS_CODE.match(typed.upper()):
        return _known_code(typed.upper())
    postcode = postcodes.normalised(typed)
    if postcode is not None:
        return _postcode_council(postcode)
    return _named_council(typed).code


def _known_code(code: str) -> str:
    places = geography()
    if code in places.councils:
        return code
    if code in places.replaced:
        former = places.replaced[code]
        now = places.now_part_of(former)
        listed = " and ".join(f"{council.code} ({council.name})" for council in now)
        raise AreaNotFound(f"{code} ({former.name}) is no longer a council: its area is now {listed}.", now)
    raise AreaNotFound(f"No council has the code {code}.", [])


def _postcode_council(postcode: str, pointer: str = "/area") -> str:
    district = postcodes.council_of(postcode)
    if district is None or district not in geography().councils:
        raise AreaNotFound(
            f"The ONS Postcode Directory has no council for the postcode {postcode}.", [], pointer=pointer
        )
    return district


async def postcode_council(text: str, *, pointer: str) -> str:
    """The council (district or unitary) of a postcode in any spelling; a 422 at `pointer` if it is none."""
    postcode = postcodes.normalised(text)
    if postcode is None:
        raise AreaNotFound(f"{text!r} is not a UK postcode.", [], pointer=pointer)
    return await _loaded_first(postcode, _postcode_council, postcode, pointer)


def _named_council(name: str) -> Council:
    """A council by its name, or, failing that, by the start of exactly one council's name."""
    places = geography()
    exact = places.named(name)
    found = exact or places.starting(name, SEARCH_LIMIT + 1)
    if len(found) == 1:
        return found[0]
    if not found:
        raise AreaNotFound(f"No council is called {name!r}: try its GSS code or a postcode.", [])
    shown = found[:SEARCH_LIMIT]
    listed = "; ".join(f"{council.name} ({council.code})" for council in shown)
    raise AreaNotFound(f"{name!r} could be more than one council: {listed}. Name one, or give its code.", shown)


Filters = TypeVar("Filters", bound=BaseModel)


async def with_area_resolved(filters: Filters) -> Filters:
    """`filters` with `area` as the code it means."""
    typed = getattr(filters, "area", None)
    if typed is None:
        return filters
    code = await _loaded_first(postcodes.normalised(typed), area_code, typed)
    return filters.model_copy(update={"area": code})


async def _loaded_first(postcode: str | None, resolve: Callable[..., str], *args: Any) -> str:
    """`resolve(*args)` at once, or off the event loop when it must first load `postcode`'s letter of the
    directory (about a tenth of a second)."""
    if postcode is not None and not postcodes.is_loaded(postcode):
        return await asyncio.to_thread(resolve, *args)
    return resolve(*args)
