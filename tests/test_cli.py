"""The command line as people meet it, run as a subprocess: its version, each command's help (with defaults, no
Markdown), its exit codes, and seed-synthetic's progress."""

import argparse
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent

# Each command, and the defaults its help must show, as the README and Settings document them.
DEFAULTS_SHOWN = {
    "serve": [
        "(default: the HOST setting, 127.0.0.1 unless set)",
        "(default: the PORT setting, 8000 unless set)",
        "(default: the WORKERS setting, 1 unless set)",
    ],
    "migrate": ["(default: head)"],
    "demo-data": [],
    "rebuild-read-model": [],
    "seed-synthetic": ["(default: 20000)", "(default: 200000)", "(default: 2026)"],
    "create-operator-key": ["(default: Registry operator)"],
    "openapi": [f"(default: {ROOT / 'openapi' / 'openapi.json'})"],
    "lapse-overdue": ["(default: 30)"],
    "remind-reviews-due": [],
    "sweep-expired": [],
    "worker": ["(default: 2.0)", "(default: False: run until stopped)"],
    "scheduler": ["(default: 2)", "(default: 30)", "(default: False: run on the clock until stopped)"],
}


def cli(*arguments: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LOG_LEVEL": "info"}
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )


def one_line(output: str) -> str:
    """Help text with argparse's line wrapping undone."""
    return " ".join(output.split())


def test_version_is_the_installed_package_version():
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"covenant-registry {metadata.version('covenant-registry')}"


def test_every_command_is_checked_here():
    subcommands = next(action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction))
    assert set(subcommands.choices) == set(DEFAULTS_SHOWN)


def test_every_option_has_help_that_names_its_default():
    parser = build_parser()
    subcommands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    missing = [
        f"{name} {action.dest}"
        for name, command in subcommands.choices.items()
        for action in command._actions
        if not isinstance(action, argparse._HelpAction) and "default" not in (action.help or "")
    ]
    assert not missing, f"options whose help does not name their default: {missing}"


@pytest.mark.parametrize("command", sorted(DEFAULTS_SHOWN))
def test_command_help(command):
    result = cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "`" not in result.stdout
    shown = one_line(result.stdout)
    assert shown.startswith(f"usage: covenant-registry {command}")
    for default in DEFAULTS_SHOWN[command]:
        assert default in shown


def test_top_level_help_lists_every_command_and_the_exit_codes():
    result = cli("--help")
    assert result.returncode == 0
    assert "`" not in result.stdout
    listed = set(re.findall(r"^    ([a-z-]+)", result.stdout, flags=re.MULTILINE))
    assert listed == set(DEFAULTS_SHOWN)
    exit_codes = result.stdout.split("exit codes:", 1)[1]
    assert {int(code) for code in re.findall(r"^  (\d+) ", exit_codes, flags=re.MULTILINE)} == {0, 1, 2, 130}


@pytest.mark.parametrize(
    "arguments",
    [("serve", "--bogus"), ("--bogus",), ("no-such-command",), (), ("scheduler", "--lapse-hour", "24")],
    ids=["unknown option", "unknown top-level option", "unknown command", "no command", "bad value"],
)
def test_usage_errors_exit_2(arguments):
    result = cli(*arguments)
    assert result.returncode == 2
    assert "usage: covenant-registry" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failing_command_exits_1_and_logs_why(tmp_path):
    result = cli("sweep-expired", database_url=f"sqlite:///{tmp_path}/no-tables.db")
    assert result.returncode == 1
    assert "covenant-registry sweep-expired failed" in result.stderr
    assert "no such table" in result.stderr


async def test_seed_synthetic_reports_progress_in_tenths(app, database_url):
    asked = 1_000
    result = cli("seed-synthetic", "--signatories", "60", "--commitments", str(asked), database_url=database_url)
    assert result.returncode == 0, result.stderr

    progress = re.findall(r"^seeded (\d+)% \(([\d,]+) of ([\d,]+) commitments\)$", result.stderr, re.MULTILINE)
    percents = [int(percent) for percent, _, _ in progress]
    counts = [int(count.replace(",", "")) for _, count, _ in progress]
    assert {total for _, _, total in progress} == {"1,000"}
    assert percents == [count * 100 // asked for count in counts]
    assert counts == sorted(set(counts))
    tenths = [count * 10 // asked for count in counts]
    assert tenths == sorted(set(tenths)) and len(tenths) >= 5  # one line per tenth reached, never two
    assert progress[-1] == ("100", "1,000", "1,000")
    async with app.state.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM commitment"))).scalar_one() == asked


async def test_rebuild_read_model_restores_the_area_index_and_moves_the_data_version(app, factory, database_url):
    offer = await factory.public_offer(areas=("E07000123",))  # Preston, so Lancashire's page shows it too
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DELETE FROM public_commitment_area WHERE commitment_id = :id"), {"id": offer.id})
        version = (await conn.execute(text("SELECT version FROM data_version"))).scalar_one()

    result = cli("rebuild-read-model", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert re.search(r"read model rebuilt: \d+ public offers", result.stderr), result.stderr
    async with app.state.engine.connect() as conn:
        indexed = await conn.execute(
            text("SELECT area_code FROM public_commitment_area WHERE commitment_id = :id"), {"id": offer.id}
        )
        assert {"E07000123", "E10000017"} <= set(indexed.scalars())
        assert (await conn.execute(text("SELECT version FROM data_version"))).scalar_one() > version


async def test_an_operator_key_made_on_the_command_line_leaves_the_data_version_alone(app, database_url):
    """A key is private: issuing one must not make every worker forget its public answers."""
    async with app.state.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version FROM data_version"))).scalar_one()

    result = cli("create-operator-key", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("ccreg_")
    async with app.state.engine.connect() as conn:
        assert (await conn.execute(text("SELECT version FROM data_version"))).scalar_one() == version
        issued = await conn.execute(text("SELECT count(*) FROM api_key WHERE owner_kind = 'operator'"))
        assert issued.scalar_one() >= 1
