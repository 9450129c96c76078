"""Opaque, time-ordered identifiers such as `cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G`.

A short prefix says what a record is (useful in logs and support calls); the rest is 48 bits of milliseconds
and 80 random bits in Crockford base32, so identifiers sort by creation time and keyset pages follow it.
"""

import re
import secrets
import time
from datetime import UTC, datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_BODY_LENGTH = 26

PREFIXES = {
    "authority": "aut",
    "covenant": "cov",
    "priority": "pri",
    "signatory": "sig",
    "pledge": "plg",
    "commitment": "cmt",
    "progress_report": "rpt",
    "api_key": "key",
    "audit_event": "evt",
    "public_change": "chg",
    "webhook_endpoint": "whk",
    "webhook_delivery": "dlv",
    "notification": "ntf",
    "strategy": "stg",
    "strategy_action": "act",
    "action_update": "aup",
    "measure": "msr",
    "problem_report": "prb",
    "voice_entry": "vsd",
    "voice_response": "vdd",
}


def encode_crockford(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, remainder = divmod(value, 32)
        chars.append(CROCKFORD[remainder])
    return "".join(reversed(chars))


def decode_crockford(text: str) -> int:
    value = 0
    for character in text:
        value = value * 32 + CROCKFORD.index(character)
    return value


def new_id(kind: str, *, at_ms: int | None = None, randomness: int | None = None) -> str:
    milliseconds = at_ms if at_ms is not None else time.time_ns() // 1_000_000
    random_bits = randomness if randomness is not None else secrets.randbits(80)
    return f"{PREFIXES[kind]}_{encode_crockford((milliseconds << 80) | random_bits, ID_BODY_LENGTH)}"


def new_ids(kind: str, count: int) -> list[str]:
    """`count` identifiers that sort in the order asked for, even within one millisecond, for records created
    together whose order means something (a pledge's commitments as sent). As ULIDs do: one random start, then
    counting up; 79 random bits leave room to count without overflowing the 80."""
    milliseconds, start = time.time_ns() // 1_000_000, secrets.randbits(79)
    return [new_id(kind, at_ms=milliseconds, randomness=start + number) for number in range(count)]


def id_pattern(kind: str) -> str:
    return rf"^{PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{{{ID_BODY_LENGTH}}}$"


def is_id(kind: str, value: str) -> bool:
    return re.fullmatch(id_pattern(kind), value) is not None


def utcnow() -> datetime:
    return datetime.now(UTC)


def assume_utc(moment: datetime) -> datetime:
    """A time with its zone: one without is UTC (SQLite hands stored times back naive; every stored time is UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
