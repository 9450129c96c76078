"""A real server for tests whose users talk to one over the network: `covenant-registry serve` in its own
process, on a free port, against a database the test made."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(database_url: str, *, log: Path | None = None, **settings: str) -> Iterator[str]:
    """The server's base URL once it answers `/healthz`; the server is stopped on the way out. `settings` are
    more environment variables for it (DB_POOL_SIZE="1", say); `log` keeps what it wrote in that file."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "info", **settings}
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    with open(log, "w+b") if log else tempfile.TemporaryFile() as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield _ready(server, f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(timeout=10)
            output.seek(0)
            # pytest shows what a test printed only when it fails: then the server's own account is there too.
            print(output.read().decode(errors="replace")[-20000:])


def _ready(server: subprocess.Popen[bytes], api: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        assert server.poll() is None, "the server exited"
        try:
            if httpx.get(f"{api}/healthz", timeout=1).status_code == 200:
                return api
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
