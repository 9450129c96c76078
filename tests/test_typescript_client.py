"""A TypeScript integrator's program (clients/typescript/src/offers.ts, openapi-fetch over types that
openapi-typescript generates from the committed contract) type-checks under strict tsc, and lists from a live
registry exactly the offers the API itself returns. A field the contract lacks fails the check, so a passing
check means something."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.test_readme_journey import demo_server  # noqa: F401  (a fixture, used by name)

CLIENT = PROJECT_ROOT / "clients" / "typescript"
# Lancashire, which most of the demo data's offers serve, at an age inside nearly every offer's range: enough
# offers to fill more than one page, so the program has to follow next_cursor.
AGE, AREA = 19, "E10000017"


def node_tools() -> str:
    """npm's path; the tests skip without Node, unless REQUIRE_NODE says a missing Node is a failure (CI)."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        reason = "Node.js and npm are not installed; the TypeScript client check needs them (Node 20 or later)"
        if os.environ.get("REQUIRE_NODE"):
            pytest.fail(f"{reason}, and REQUIRE_NODE is set")
        pytest.skip(reason)
    return npm


def run(*command: str | Path, timeout: float) -> subprocess.CompletedProcess[str]:
    # No update check, no colour codes: offline-friendly and readable in an assertion message.
    env = {**os.environ, "npm_config_update_notifier": "false", "NO_COLOR": "1", "FORCE_COLOR": "0"}
    return subprocess.run(
        [str(part) for part in command], cwd=CLIENT, env=env, capture_output=True, text=True, timeout=timeout
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"


@pytest.fixture(scope="module")
def npm() -> str:
    """npm, with clients/typescript/node_modules installed from package-lock.json."""
    npm = node_tools()
    # npm writes node_modules/.package-lock.json on every install: older than the lock means the lock changed since.
    installed = CLIENT / "node_modules" / ".package-lock.json"
    lock = CLIENT / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        result = run(npm, "ci", "--no-audit", "--no-fund", timeout=300)
        assert result.returncode == 0, output(result)
    return npm


@pytest.fixture(scope="module")
def program(npm: str) -> Path:
    """dist/offers.js, built from the contract as it is now."""
    result = run(npm, "run", "build", timeout=120)
    assert result.returncode == 0, output(result)
    built = CLIENT / "dist" / "offers.js"
    assert built.exists(), output(result)
    return built


def test_the_program_type_checks_against_the_contract(npm: str) -> None:
    result = run(npm, "run", "check", timeout=120)
    assert result.returncode == 0, output(result)


def test_a_field_the_contract_lacks_fails_the_type_check(program: Path) -> None:
    # A directory of its own outside src/, so a concurrent `npm run check` never sees the wrong file; inside
    # clients/typescript so that openapi-fetch and the generated types resolve as they do for src/.
    where = Path(tempfile.mkdtemp(prefix=".typecheck-", dir=CLIENT))
    try:
        (where / "tsconfig.json").write_text(
            # skipLibCheck: `npm run check` (the test above) checks the libraries' declarations; this is about wrong.ts.
            '{"extends": "../tsconfig.json", "compilerOptions": {"rootDir": ".", "skipLibCheck": true},'
            ' "include": ["*.ts"]}\n'
        )
        (where / "wrong.ts").write_text(
            'import createClient from "openapi-fetch";\n'
            'import type { paths } from "../generated/registry.js";\n'
            "\n"
            "export async function wrong(baseUrl: string): Promise<void> {\n"
            "  const client = createClient<paths>({ baseUrl });\n"
            '  const { data } = await client.GET("/v1/commitments", { params: { query: { age: 19 } } });\n'
            "  for (const offer of data?.items ?? []) {\n"
            "    console.log(offer.title, offer.no_such_field);\n"
            "  }\n"
            "}\n"
        )
        result = run(CLIENT / "node_modules" / ".bin" / "tsc", "--noEmit", "-p", where, timeout=120)
    finally:
        shutil.rmtree(where, ignore_errors=True)
    assert result.returncode != 0, output(result)
    # Exactly one error, on the made-up field: `offer.title` beside it checks, so the setup itself is sound.
    errors = [line for line in result.stdout.splitlines() if "error TS" in line]
    assert len(errors) == 1, output(result)
    assert "no_such_field" in errors[0] and "wrong.ts" in errors[0], output(result)


def offers_from_the_api(api: str, **query: str | int) -> list[tuple[str, str, str]]:
    """Every offer for the query, read with httpx page by page, as the program's lines would show them."""
    lines = []
    cursor = ""
    with httpx.Client(base_url=api, timeout=10) as http:
        while True:
            response = http.get("/v1/commitments", params={**query, "limit": 100, "cursor": cursor})
            assert response.status_code == 200, response.text
            page = response.json()
            for offer in page["items"]:
                ages = f"ages {offer['eligibility']['min_age']}-{offer['eligibility']['max_age']}"
                lines.append((offer["title"], offer["signatory"]["name"], ages))
            if page["next_cursor"] is None:
                return lines
            cursor = page["next_cursor"]


def test_the_program_lists_every_offer_the_api_returns(program: Path, demo_server: tuple[str, str]) -> None:  # noqa: F811
    api, _ = demo_server
    expected = offers_from_the_api(api, age=AGE, area=AREA)
    assert expected, f"the demo data has no offers for age {AGE} in {AREA}: pick another pair"
    first_page = httpx.get(f"{api}/v1/commitments", params={"age": AGE, "area": AREA}, timeout=10).json()
    assert first_page["next_cursor"] is not None, "one page holds them all: the program's paging goes untested"

    result = run("node", program, api, str(AGE), AREA, timeout=60)

    assert result.returncode == 0, output(result)
    printed = [tuple(line.split("\t")) for line in result.stdout.splitlines()]
    # Compared as sorted lists, not sets: an offer printed twice (a page fetched again) fails too.
    assert sorted(printed) == sorted(expected), output(result)


def test_an_error_answer_exits_non_zero_with_the_problem(program: Path, demo_server: tuple[str, str]) -> None:  # noqa: F811
    api, _ = demo_server
    answer = httpx.get(f"{api}/v1/commitments", params={"age": AGE, "area": "Narnia"}, timeout=10)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()

    result = run("node", program, api, str(AGE), "Narnia", timeout=60)

    assert result.returncode == 1, output(result)
    assert result.stdout == "", output(result)
    assert problem["title"] in result.stderr and problem["detail"] in result.stderr, output(result)
