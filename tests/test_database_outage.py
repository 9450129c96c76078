"""When PostgreSQL goes away, the service says so as the contract promises, and comes back on its own.

A live server reaches PostgreSQL through a TCP relay the test controls, so the test can take the database away
(refused connections), make it go quiet (connections accepted, nothing answered) and bring it back, as an outage
or a restart would, without touching the PostgreSQL other tests use. PostgreSQL only: SQLite is a file."""

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT
from tests.conftest import _admin, in_thread, migrated_database, on_postgresql
from tests.flows import bearer, run_command
from tests.live import free_port, serving

pytestmark = pytest.mark.skipif(not on_postgresql(), reason="a database server to lose: PostgreSQL only")

CONNECT_TIMEOUT = 1.0
CONTRACT = json.loads((PROJECT_ROOT / "openapi" / "openapi.json").read_text())


class Relay:
    """Forwards TCP connections to PostgreSQL while up; refuses them while down; swallows them while quiet. It
    runs its own event loop in a thread of its own, so that the test's blocking calls never stall it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.quiet = False
        self.streams: set[asyncio.StreamWriter] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def up(self) -> None:
        self._do(self._listen(quiet=False))

    def down(self) -> None:
        """Stop listening and cut every open connection, as a stopped server would."""
        self._do(self._stop())

    def go_quiet(self) -> None:
        self._do(self._stop())
        self._do(self._listen(quiet=True))

    def close(self) -> None:
        self.down()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)

    def _do(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=10)

    async def _listen(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for stream in list(self.streams):
            stream.transport.abort()
        self.streams.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.streams.add(writer)
        if self.quiet:
            return  # accepted, never answered: only the connect timeout ends the wait
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.streams.add(upstream_writer)
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


@pytest.fixture
def outage_database(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with migrated_database(tmp_path_factory, "outage") as url:
        yield url


@pytest.fixture
def relay(outage_database: str) -> Iterator[Relay]:
    relay = Relay(make_url(outage_database).port or 5432)
    relay.up()
    yield relay
    relay.close()


def through(relay: Relay, database_url: str) -> str:
    return make_url(database_url).set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)


def assert_unavailable(response: httpx.Response, within: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/service-unavailable" and problem["status"] == 503
    assert "Traceback" not in response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.elapsed.total_seconds() < within


def until_ok(send: Callable[[], httpx.Response], seconds: float = 15.0) -> httpx.Response:
    """The first answer below 500, within `seconds`."""
    started = time.monotonic()
    while True:
        response = send()
        if response.status_code < 500:
            return response
        assert time.monotonic() - started < seconds, f"still {response.status_code} after {seconds}s"
        time.sleep(0.1)


def new_authority(number: int) -> dict[str, str]:
    return {"name": f"Outage Council {number}", "gss_code": f"E0600{number:04d}", "region": "North West"}


def test_without_its_database_the_service_answers_503_and_recovers_by_itself(relay, outage_database):
    operator = in_thread(asyncio.run, run_command(outage_database, "create-operator-key")).strip()
    settings = {"DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT), "DB_POOL_SIZE": "2"}
    with serving(through(relay, outage_database), **settings) as api, httpx.Client(base_url=api, timeout=30) as http:
        assert (http.get("/v1/commitments")).status_code == 200
        assert (http.post("/v1/authorities", json=new_authority(1), headers=bearer(operator))).status_code == 201

        relay.down()
        for read in ["/v1/commitments", "/v1/covenants", "/v1/authorities?region=North%20West", "/v1/keys"]:
            headers = bearer(operator) if read == "/v1/keys" else {}
            assert_unavailable(http.get(read, headers=headers), within=CONNECT_TIMEOUT + 2)
        written = http.post("/v1/authorities", json=new_authority(2), headers=bearer(operator))
        assert_unavailable(written, within=CONNECT_TIMEOUT + 2)
        assert (http.get("/healthz")).status_code == 200
        readiness = http.get("/readyz")
        assert readiness.status_code == 503
        documented = CONTRACT["paths"]["/readyz"]["get"]["responses"]["503"]["content"]
        assert readiness.headers["content-type"].split(";")[0] in documented
        assert readiness.json()["checks"]["database"] == "unreachable"
        assert "retry-after" in readiness.headers

        relay.go_quiet()  # connections accepted, never answered: only the timeout ends the wait
        assert_unavailable(http.get("/v1/commitments?age=19"), within=CONNECT_TIMEOUT + 2)
        quiet_write = http.post("/v1/authorities", json=new_authority(3), headers=bearer(operator))
        assert_unavailable(quiet_write, within=CONNECT_TIMEOUT + 2)

        relay.down()
        relay.up()
        read = until_ok(lambda: http.get("/v1/commitments?age=20"))
        assert read.status_code == 200
        wrote = until_ok(lambda: http.post("/v1/authorities", json=new_authority(4), headers=bearer(operator)))
        assert wrote.status_code == 201
        assert (http.get("/readyz")).status_code == 200
        names = {item["name"] for item in (http.get("/v1/authorities")).json()["items"]}
        assert names == {"Outage Council 1", "Outage Council 4"}  # the refused writes left nothing behind


def terminate_connections(database: str) -> None:
    """End every session the service has open on `database`, as an operator's pg_terminate_backend would."""
    in_thread(
        asyncio.run,
        _admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{database}' AND application_name = 'covenant-registry'"
        ),
    )


def test_a_read_whose_connection_was_terminated_succeeds_by_trying_again(outage_database):
    operator = in_thread(asyncio.run, run_command(outage_database, "create-operator-key")).strip()
    database = make_url(outage_database).database
    assert database is not None
    # One connection per pool, so the next request is sure to meet the one that was ended.
    with (
        serving(outage_database, DB_POOL_SIZE="1", DATA_VERSION_TTL="0") as api,
        httpx.Client(base_url=api, timeout=30) as http,
    ):
        assert (http.get("/v1/commitments")).status_code == 200
        assert (http.get("/v1/keys", headers=bearer(operator))).status_code == 200

        terminate_connections(database)
        assert (http.get("/v1/commitments")).status_code == 200
        terminate_connections(database)
        assert (http.get("/v1/keys", headers=bearer(operator))).status_code == 200

        # A write is not retried for the client: it is told to retry, and its Idempotency-Key makes that safe.
        terminate_connections(database)
        headers = {**bearer(operator), "Idempotency-Key": "outage-write"}
        first = http.post("/v1/authorities", json=new_authority(5), headers=headers)
        assert first.status_code == 503, first.text
        again = http.post("/v1/authorities", json=new_authority(5), headers=headers)
        assert again.status_code == 201, again.text
