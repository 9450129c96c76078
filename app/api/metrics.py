"""/metrics: what this worker is doing, in Prometheus' text format (prometheus-client).

Requests by route template, method and status, with latency histograms; the database pool (size, in use,
idle, overflow) and requests waiting for a connection; the public answer memory's hits and misses; how old
this worker's data version is; idempotent replays; 503s for an unavailable database. Each worker counts its
own: scrape every worker (one per container scales best), as Prometheus does with any multi-process service.
"""

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.types import Scope

from app.api.paths import documented_paths

# Most answers take a few milliseconds; the top buckets catch a database that has gone slow.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"  # a 404 for no route: never the path itself, which anyone could make endless


class Metrics:
    def __init__(self, state: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "registry_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "registry_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template and method.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.public_answers = Counter(
            "registry_public_answer_cache",
            "Keyless public reads by how they were answered: `hit` (from this worker's memory), `miss` (built by "
            "the route), `revalidated` (a 304 by data version, before routing).",
            ["outcome"],
            registry=self.registry,
        )
        # Every outcome's series, made at once (so each shows from the start, at 0) and found without a lookup.
        self.public_answer = {
            outcome: self.public_answers.labels(outcome) for outcome in ("hit", "miss", "revalidated")
        }
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.public_answers_forgotten = Counter(
            "registry_public_answers_forgotten",
            "Remembered public answers this worker dropped because a public write may have changed them (only "
            "those depending on what the write touched, or everything when a version does not say).",
            registry=self.registry,
        )
        self.idempotent_replays = Counter(
            "registry_idempotency_replays",
            "Writes answered with the stored response of an earlier request with the same Idempotency-Key.",
            registry=self.registry,
        )
        self.database_unavailable = Counter(
            "registry_database_unavailable",
            "Requests answered 503 because the database could not serve them.",
            registry=self.registry,
        )
        self.registry.register(DatabaseCollector(state))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        # Each label set's series, found once: prometheus-client validates and locks on every `labels()`. Routes
        # and statuses are bounded, and so the series are, as they already were.
        series = self._series.get((route, method, status))
        if series is None:
            series = (self.requests.labels(route, method, str(status)), self.latency.labels(route, method))
            self._series[(route, method, status)] = series
        series[0].inc()
        series[1].observe(seconds)

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The metrics in the format the scraper asks for (Prometheus text, or OpenMetrics), and its type."""
        encode, media_type = choose_encoder(accept)
        return encode(self.registry), media_type


def route_template(scope: Scope) -> str:
    """`/v1/commitments/{commitment_id}`, not the path: a bounded set of labels whatever the traffic."""
    route = scope.get("route")
    if route is not None:
        return str(route.path)
    # Not routed here: answered before routing, or run as a copy of the request (HEAD), or no route at all.
    return documented_paths(scope["app"]).template_of(scope["path"]) or UNMATCHED


class DatabaseCollector(Collector):
    """Read at each scrape: the pool's connections, who waits for one, and the data version's age."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        engine = getattr(self.state, "engine", None)
        if engine is None:  # not started yet
            return
        pool = engine.pool
        connections = GaugeMetricFamily(
            "registry_db_connections", "This worker's database connections, by state.", labels=["state"]
        )
        for state, read in (
            ("size", "size"),
            ("in_use", "checkedout"),
            ("idle", "checkedin"),
            ("overflow", "overflow"),
        ):
            if hasattr(pool, read):
                connections.add_metric([state], getattr(pool, read)())
        yield connections
        waiting = GaugeMetricFamily(
            "registry_db_waiting",
            "Requests waiting for a database connection: at the readers' gate, or in the pool itself.",
            labels=["at"],
        )
        waiting.add_metric(["read_gate"], self.state.read_gate.waiting)
        waiting.add_metric(["pool"], getattr(pool, "waiting", 0))
        yield waiting
        clock = self.state.version_clock
        yield GaugeMetricFamily("registry_data_version", "The data version this worker last read.", value=clock.version)
        age = time.monotonic() - clock.read_at if clock.read_at > float("-inf") else float("nan")
        yield GaugeMetricFamily(
            "registry_data_version_age_seconds",
            "Seconds since this worker last read the data version (DATA_VERSION_TTL bounds it under traffic).",
            value=age,
        )
