"""Request ids, trace context and logging: every log line names the request (and trace) it belongs to.

`LOG_FORMAT=text` (the default) writes one readable line per event; `LOG_FORMAT=json` one JSON object per
line, for a log pipeline. Neither ever holds key material: the access line names a key by its id, and
paths are logged without their query string.
"""

import json
import logging
import os
import random
import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# A caller's id is echoed only if it is short and plain, so it cannot inject text into logs or headers.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"

# W3C Trace Context: version-traceid-parentid-flags, lower-case hex. Version ff is invalid; ids of all zeros too.
TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$")


@dataclass(frozen=True)
class TraceContext:
    """The trace a request belongs to (the caller's, or a new one) and this service's span in it."""

    trace_id: str
    span_id: str
    flags: str = "00"

    @property
    def traceparent(self) -> str:
        """What to send on to a service this request calls, so its work joins the same trace."""
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


trace_var: ContextVar[TraceContext | None] = ContextVar("trace", default=None)


# Request, trace and span ids need to be unique, not secret (W3C Trace Context asks for random ids, not for
# unpredictable ones): drawn from a generator seeded from the system's entropy, and seeded afresh in every forked
# worker so no two share a sequence. Reading the system's entropy three times per request instead (uuid4, two
# secrets.token_hex) was 15% of a remembered answer's time (bench/README.md).
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)


def random_hex(digits: int) -> str:
    """`digits` lower-case hex digits, never all zeros (an id of zeros is invalid in trace context)."""
    return f"{_ids.getrandbits(digits * 4) or 1:0{digits}x}"


def trace_from(header_value: str | None) -> TraceContext:
    """The caller's trace, continued with a span of ours; a new trace when the header is missing or invalid."""
    span_id = random_hex(16)
    found = TRACEPARENT.match((header_value or "").strip())
    if found:
        version, trace_id, parent_id, flags = found.groups()
        if version != "ff" and trace_id != "0" * 32 and parent_id != "0" * 16:
            return TraceContext(trace_id, span_id, flags)
    return TraceContext(random_hex(32), span_id)


def request_id_from(header_value: str | None) -> str:
    if header_value and SAFE_REQUEST_ID.match(header_value):
        return header_value
    return random_hex(32)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        trace = trace_var.get()
        record.trace_id = trace.trace_id if trace else "-"
        return True


# What an access line carries besides its message (`extra=` of the app.access logger).
ACCESS_FIELDS = ("method", "route", "path", "status", "duration_ms", "client", "key_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request and trace ids, and the access fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "trace_id": getattr(record, "trace_id", "-"),
        }
        entry.update({field: getattr(record, field) for field in ACCESS_FIELDS if hasattr(record, field)})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "info", log_format: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own access log cannot name the request id; ours (app.access) does.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
