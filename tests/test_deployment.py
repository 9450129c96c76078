"""The deployment files, read as Docker would read them: docker-compose.yml's services, ports, restart policies
and commands (each a real CLI command), the Dockerfile's layer order, user and health check. Docker itself may
not run where the suite does: `docker compose config` is used when a compose tool is installed, and the image's
build steps are replayed by scripts/check-image-steps.sh when RUN_IMAGE_CHECK=1 (it installs packages)."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from app.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
LONG_RUNNING = {"db", "app", "scheduler", "worker"}
ONE_OFF = {"migrate", "demo-data"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def services() -> dict:
    return compose()["services"]


def test_compose_has_the_database_the_migration_the_api_the_scheduler_and_the_demo():
    assert set(services()) == LONG_RUNNING | ONE_OFF
    assert services()["demo-data"]["profiles"] == ["demo"]


def test_the_api_port_and_address_come_from_the_environment_with_local_defaults():
    app = services()["app"]
    assert app["ports"] == ["${REGISTRY_BIND:-127.0.0.1}:${REGISTRY_PORT:-8000}:8000"]
    command = app["command"]
    assert command[command.index("--port") + 1] == "8000"  # the container side of the mapping
    assert app["environment"]["TRUSTED_PROXIES"] == "${TRUSTED_PROXIES:-}"


def test_long_running_services_restart_and_one_off_steps_do_not():
    for name in LONG_RUNNING:
        assert services()[name].get("restart") == "unless-stopped", name
    for name in ONE_OFF:
        assert "restart" not in services()[name], name  # a finished migration must not run again and again


def test_the_webhook_worker_runs_after_the_migration():
    worker = services()["worker"]
    assert worker["command"] == ["covenant-registry", "worker"]
    assert worker["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}


def test_the_scheduler_runs_after_the_migration_against_the_same_database():
    scheduler, app = services()["scheduler"], services()["app"]
    assert scheduler["command"] == ["covenant-registry", "scheduler"]
    assert scheduler["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert app["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert services()["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    urls = {services()[name]["environment"]["DATABASE_URL"] for name in ("migrate", "app", "scheduler", "demo-data")}
    assert len(urls) == 1 and next(iter(urls)).endswith("@db:5432/covenant_registry")


def test_every_command_in_compose_is_a_real_cli_command():
    for name, service in services().items():
        command = service.get("command")
        if command is None:
            continue
        assert command[0] == "covenant-registry", name
        arguments = build_parser().parse_args(command[1:])  # exits (fails the test) on an unknown command or option
        assert arguments.command == command[1]


def compose_tool() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.mark.skipif(compose_tool() is None, reason="neither `docker compose` nor `docker-compose` is installed")
def test_compose_config_accepts_the_file_and_fills_in_the_port_variables():
    tool = compose_tool()
    assert tool is not None
    run = [*tool, "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml"), "config"]
    assert subprocess.run([*run, "-q"], capture_output=True, check=False).returncode == 0
    environment = {**os.environ, "REGISTRY_PORT": "9123", "REGISTRY_BIND": "0.0.0.0", "TRUSTED_PROXIES": "10.0.0.0/8"}
    result = subprocess.run(run, capture_output=True, text=True, env=environment, check=False)
    assert result.returncode == 0, result.stderr
    assert "0.0.0.0:9123:8000" in result.stdout or 'published: "9123"' in result.stdout
    assert "TRUSTED_PROXIES: 10.0.0.0/8" in result.stdout


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) in order, continuation lines joined and comments left out."""
    instructions, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def position(predicate: Callable[[str, str], bool]) -> int:
    found = [index for index, instruction in enumerate(dockerfile_instructions()) if predicate(*instruction)]
    assert found, "no such instruction in the Dockerfile"
    return found[0]


def copies(arguments: str, name: str) -> bool:
    return name in arguments.split()[:-1]


def test_the_dependencies_install_in_a_layer_before_the_code_is_copied():
    steps = dockerfile_instructions()
    install_dependencies = position(lambda kind, args: kind == "RUN" and "-c constraints.txt" in args)
    copy_app = position(lambda kind, args: kind == "COPY" and copies(args, "app"))
    copy_migrations = position(lambda kind, args: kind == "COPY" and copies(args, "migrations"))
    install_package = position(lambda kind, args: kind == "RUN" and "--no-deps" in args)
    assert install_dependencies < copy_app < install_package
    assert install_dependencies < copy_migrations < install_package
    copied_first = {name for kind, args in steps[:install_dependencies] if kind == "COPY" for name in args.split()[:-1]}
    assert copied_first == {"pyproject.toml", "constraints.txt"}  # nothing that changes with the code
    # Editable, so alembic.ini and migrations/ stay beside app/, where app/config.py's PROJECT_ROOT points.
    assert " -e ." in steps[install_package][1]
    assert any(kind == "COPY" and copies(args, "alembic.ini") for kind, args in steps[:install_package])


def test_the_image_runs_as_a_user_other_than_root():
    users = [args for kind, args in dockerfile_instructions() if kind == "USER"]
    assert users, "no USER: the image would run as root"
    user, _, group = users[-1].partition(":")
    assert user not in {"root", "0"} and group not in {"root", "0"}


def test_the_image_checks_its_health_with_python_not_curl():
    checks = [args for kind, args in dockerfile_instructions() if kind == "HEALTHCHECK"]
    assert len(checks) == 1
    command = json.loads(checks[0][checks[0].index("CMD ") + 4 :])
    assert command[:2] == ["python", "-c"]
    assert "urllib.request" in command[2] and "/healthz" in command[2] and "curl" not in checks[0]


def test_the_image_command_is_a_real_cli_command():
    command = json.loads(next(args for kind, args in dockerfile_instructions() if kind == "CMD"))
    assert command[0] == "covenant-registry"
    assert build_parser().parse_args(command[1:]).command == "serve"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("RUN_IMAGE_CHECK") != "1", reason="installs packages into a venv: RUN_IMAGE_CHECK=1")
def test_the_image_build_steps_replayed_outside_docker():
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "check-image-steps.sh")],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "check-image-steps: all image steps and commands worked" in result.stdout
