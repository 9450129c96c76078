"""A client generated from the committed contract (openapi-python-client, as integrators use it) parses what the
registry answers: statistics and the annual report, in public with "<5" and with exact figures for officers,
with no documented field left over in `additional_properties`."""

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from app.config import PROJECT_ROOT
from tests.flows import bearer, commitment_body, council, draft_pledge, published_pledge, register

CONTRACT = PROJECT_ROOT / "openapi" / "openapi.json"
# The generator's settings partners are told to use (README): the PDF read as bytes.
GENERATOR_CONFIG = PROJECT_ROOT / "clients" / "python" / "openapi-python-client.yaml"
ORUK_CONTRACT = PROJECT_ROOT / "openapi" / "oruk.json"


@contextmanager
def generated_client(where: Path, name: str, contract: Path = CONTRACT) -> Iterator[ModuleType]:
    """The client openapi-python-client generates from a committed contract, importable as `name`."""
    bin_dir = Path(sys.executable).parent
    generator = shutil.which("openapi-python-client", path=str(bin_dir))
    assert generator, "openapi-python-client is a dev dependency"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [generator, "generate", "--path", str(contract), "--output-path", str(where / name)]
    command += ["--config", str(GENERATOR_CONFIG)]
    result = subprocess.run([*command, "--meta", "none"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(where))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The generated package's models (`registry_client.models`)."""
    with generated_client(tmp_path_factory.mktemp("generated"), "registry_client"):
        yield importlib.import_module("registry_client.models")


def leftovers(parsed) -> list[str]:  # type: ignore[no-untyped-def]
    """Every field a model of the contract does not declare, anywhere in a parsed answer."""
    found = []
    stack = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif hasattr(item, "additional_properties"):
            fields = [field.name for field in type(item).__attrs_attrs__ if field.name != "additional_properties"]
            if not fields:  # a map (counts by sector, say): its entries are what it holds
                stack.extend(item.additional_properties.values())
                continue
            if item.additional_properties:
                found.append(f"{type(item).__name__}: {sorted(item.additional_properties)}")
            stack.extend(getattr(item, name) for name in fields)
    return found


async def file_return(client, org_key: str, offer_id: str, starts: int) -> None:
    body = {
        "period_start": "2025-04-01",
        "period_end": "2025-09-30",
        "places_offered": starts,
        "referrals": starts,
        "applications": starts,
        "starts": starts,
        "sustained": 0,
    }
    answer = await client.post(f"/v1/commitments/{offer_id}/progress-reports", json=body, headers=bearer(org_key))
    assert answer.status_code == 201, answer.text


async def test_statistics_parse_in_public_and_for_officers(client, keyring, generated):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire, offers=2)
    await file_return(client, org_key, pledge["commitments"][0]["id"], starts=2)
    path = f"/v1/covenants/{lancashire.slug}/statistics"
    public = generated.CovenantStatistics.from_dict((await client.get(path)).json())
    exact = generated.CovenantStatistics.from_dict(
        (await client.get(path, headers=bearer(lancashire.officer_key))).json()
    )
    assert public.published_pledges == exact.published_pledges == 1
    assert public.delivery_by_year[0].starts == generated.Suppressed("<5")
    assert exact.delivery_by_year[0].starts == 2
    assert leftovers(public) == leftovers(exact) == []


async def test_the_annual_report_parses_with_both_markers(client, keyring, generated):
    """Starts of 3 and 6 under two priorities, 9 in all: the 3 is "<5", and the 6 "[c]" (9 - 6 would tell)."""
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=1)
    added = await client.post(
        f"/v1/pledges/{pledge['id']}/commitments", json=commitment_body(priority="HOME"), headers=bearer(org_key)
    )
    assert added.status_code == 201, added.text
    officer = bearer(lancashire.officer_key)
    await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))
    await client.post(f"/v1/signatories/{signatory['id']}/verify", headers=officer)
    approved = await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=officer)
    first, second = (offer["id"] for offer in approved.json()["commitments"])
    await file_return(client, org_key, first, starts=3)
    await file_return(client, org_key, second, starts=6)
    response = await client.get(f"/v1/covenants/{lancashire.slug}/annual-report", params={"year": 2025})
    assert response.status_code == 200, response.text
    report = generated.AnnualReport.from_dict(response.json())
    assert [row.starts for row in report.priorities] == [generated.Suppressed("<5"), generated.Suppressed("[c]")]
    assert report.summary.starts == 9
    assert leftovers(report) == []


async def test_the_oruk_feed_parses_with_a_client_generated_from_its_own_contract(client, factory, tmp_path):
    offer = await factory.public_offer(areas=("E07000123", "national"))
    with generated_client(tmp_path, "oruk_client", contract=ORUK_CONTRACT):
        models = importlib.import_module("oruk_client.models")
        page = models.ServicePage.from_dict((await client.get("/oruk/services")).json())
        (service,) = page.contents
        assert service.name == offer.title and page.total_items == 1
        detail = models.Service.from_dict((await client.get(f"/oruk/services/{service.id}")).json())
        assert {area.name for area in detail.service_areas} == {"Preston", "National"}
        terms = models.TaxonomyTermPage.from_dict((await client.get("/oruk/taxonomy_terms")).json())
        assert terms.total_items == len(terms.contents) > 0
        assert leftovers(page) == leftovers(detail) == leftovers(terms) == []
