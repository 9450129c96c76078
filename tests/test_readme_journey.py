"""The README's journey works as a newcomer would run it: `make run`'s steps (migrate, demo data, serve) on a
database of its own, then scripts/journey.sh from another shell, with curl and jq. The README shows that
script, so the page cannot drift from what was seen to work."""

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import migrate
from app.config import PROJECT_ROOT
from tests.conftest import drop_database, fresh_database_url, in_thread
from tests.flows import run_command
from tests.live import serving

SCRIPT = PROJECT_ROOT / "scripts" / "journey.sh"


def tool(name: str, package: str) -> str:
    """A command the journey needs, installed from Debian's packages when it is missing and we may."""
    if shutil.which(name) is None:
        if os.geteuid() != 0:
            pytest.skip(f"{name} is not installed (apt-get install {package})")
        for command in (["apt-get", "install", "-y", "-qq", package], ["apt-get", "update", "-qq"]):
            subprocess.run(command, check=False, capture_output=True, timeout=600)
            if shutil.which(name):
                break
        else:
            subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, capture_output=True, timeout=600)
    return name


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """A server on a database of its own, after `covenant-registry migrate` and `demo-data`."""
    url = fresh_database_url(tmp_path_factory, "journey")
    in_thread(migrate.upgrade, url)
    in_thread(asyncio.run, run_command(url, "demo-data"))
    try:
        with serving(url) as api:
            yield api, url
    finally:
        drop_database(url)


def test_the_journey_runs_on_the_registry_make_run_leaves(demo_server):
    api, database_url = demo_server
    tool("curl", "curl")
    tool("jq", "jq")
    env = {**os.environ, "API": api, "DATABASE_URL": database_url, "LOG_LEVEL": "warning"}
    env["CLI"] = f"{sys.executable} -m app.cli"
    result = subprocess.run(
        ["bash", str(SCRIPT)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stdout.split()
    assert "cumberland-care-leavers" in lines  # the covenant opened
    assert lines.count("published") == 1 and "verified" in lines and "submitted" in lines
    assert result.stdout.rstrip().endswith("Paid bakery apprenticeship")  # on the council's page


def test_the_readme_shows_the_script_that_runs():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    steps = SCRIPT.read_text(encoding="utf-8").split("set -euo pipefail\n", 1)[1]
    assert f"```sh\n{steps}```" in readme
    assert Path(SCRIPT).stat().st_mode & 0o111, "the script is executable"
