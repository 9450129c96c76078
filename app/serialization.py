"""One JSON encoding for the whole service, used for responses and for pre-rendered documents alike."""

from typing import Any

import orjson

# Timestamps leave as 2026-11-22T10:15:00Z whatever the database driver hands us (SQLite gives naive UTC).
ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_OMIT_MICROSECONDS


def dump_json(document: Any) -> bytes:
    return orjson.dumps(document, option=ORJSON_OPTIONS)


def embedded(rendered: str | bytes) -> orjson.Fragment:
    """A document rendered earlier, placed into a larger one without parsing it again."""
    return orjson.Fragment(rendered)
