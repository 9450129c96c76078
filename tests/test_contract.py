"""The committed OpenAPI contract is what the app serves, is valid OpenAPI 3.1, and generates a clean client."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from app.config import PROJECT_ROOT
from app.main import create_app
from app.openapi_file import render_openapi

CONTRACT = PROJECT_ROOT / "openapi" / "openapi.json"


@pytest.fixture(scope="module")
def document() -> dict:
    return create_app().openapi()


def test_committed_contract_matches_the_app(document):
    committed = CONTRACT.read_text(encoding="utf-8")
    assert committed == render_openapi(document), "openapi/openapi.json is stale: run `make openapi` and commit it"


def test_committed_oruk_contract_matches_the_feed():
    from app.api.oruk import oruk_openapi

    committed = (CONTRACT.parent / "oruk.json").read_text(encoding="utf-8")
    feed = oruk_openapi(create_app())
    assert committed == render_openapi(feed), "openapi/oruk.json is stale: run `make openapi` and commit it"
    validate(feed)
    assert not [path for path in create_app().openapi()["paths"] if path.startswith("/oruk")]


def test_contract_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_operation_ids_are_readable_and_unique(document):
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert all(op_id.isidentifier() and op_id == op_id.lower() for op_id in ids)


def test_every_parameter_and_schema_is_described(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation.get("tags"), f"{method} {path} has no tag"
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{method} {path} parameter {parameter['name']}"
    for name, schema in document["components"]["schemas"].items():
        assert schema.get("description"), f"schema {name} has no description"


def test_errors_are_documented_as_problem_json(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "500" in operation["responses"], f"{method} {path} does not document 500"
            for status, response in operation["responses"].items():
                if int(status) >= 400 and "content" in response:
                    assert list(response["content"]) == ["application/problem+json"], f"{method} {path} {status}"


def test_list_operations_carry_examples(document):
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation and operation["operationId"].startswith("list_"):
            content = operation["responses"]["200"]["content"]["application/json"]
            assert "example" in content or "examples" in content, f"{path} has no example"


@pytest.mark.slow
def test_client_generator_produces_a_client_without_warnings(tmp_path: Path):
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert generator, "openapi-python-client is a dev dependency"
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [
            generator,
            "generate",
            "--path",
            str(CONTRACT),
            "--output-path",
            str(tmp_path / "client"),
            "--meta",
            "none",
            "--config",
            str(PROJECT_ROOT / "clients" / "python" / "openapi-python-client.yaml"),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert (tmp_path / "client" / "api").is_dir()
    assert json.loads(CONTRACT.read_text())["info"]["title"]
