"""The API's own flows, driven through HTTP as a client would: register, pledge, add offers, approve."""

import asyncio
import itertools
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import httpx

_numbers = itertools.count(1)


async def all_pages(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a public list, following `next_cursor` 100 at a time."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 100} | ({"cursor": cursor} if cursor else {})
        response = await client.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def run_command(database_url: str, *arguments: str) -> str:
    """Run `covenant-registry <arguments>` as an operator would, against the test database; its standard output."""
    environment = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "warning"}
    command = [sys.executable, "-m", "app.cli", *arguments]
    result = await asyncio.to_thread(
        subprocess.run, command, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def registration(**overrides: Any) -> dict[str, Any]:
    number = next(_numbers)
    body = {
        "name": f"Kingsholme Builders {number}",
        "description": "A family building firm.",
        "sector": "private",
        "organisation_type": "business",
        "size_band": "small",
        "companies_house_number": f"{10_000_000 + number:08d}",
        "website": "https://builders.example.org",
        "public_contact": "jobs@builders.example.org",
        "areas": ["E10000017"],
        "contact": {
            "name": "Sam Okafor",
            "email": f"sam.okafor.{number}@builders.example.org",
            "phone": "01772 000111",
        },
    }
    return body | overrides


def commitment_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "priority": "EET",
        "offer_type": "apprenticeship",
        "title": "Paid bricklaying apprenticeship",
        "description": "Level 2 apprenticeship with a named mentor on site.",
        "eligibility": {"min_age": 16, "max_age": 24},
        "areas": ["E10000017"],
        "capacity": {"places": 2, "period": "per_year"},
        "how_to_access": {
            "text": "Ask your personal adviser to email us.",
            "url": "https://builders.example.org/apply",
        },
    }
    return body | overrides


@dataclass
class Council:
    authority_id: str
    officer_key: str
    covenant: dict[str, Any]

    @property
    def slug(self) -> str:
        return self.covenant["slug"]


async def council(client: httpx.AsyncClient, operator_key: str) -> Council:
    """An authority created by the operator, an officer key for it, and an open covenant with two priorities."""
    number = next(_numbers)
    gss_code = f"E0699{number:04d}"
    response = await client.post(
        "/v1/authorities",
        json={"name": f"Council {number}", "gss_code": gss_code, "region": "North West"},
        headers=bearer(operator_key),
    )
    assert response.status_code == 201, response.text
    authority_id = response.json()["id"]
    response = await client.post(
        "/v1/keys", json={"name": "Officer", "authority_id": authority_id}, headers=bearer(operator_key)
    )
    assert response.status_code == 201, response.text
    officer_key = response.json()["key"]
    response = await client.post(
        "/v1/covenants",
        json={
            "slug": f"council-{number}-care-leavers",
            "title": f"Council {number} Care Leavers Covenant",
            "status": "open",
            "priorities": [
                {"code": "EET", "title": "Education, employment and training"},
                {"code": "HOME", "title": "A suitable place to live"},
            ],
        },
        headers=bearer(officer_key),
    )
    assert response.status_code == 201, response.text
    return Council(authority_id, officer_key, response.json())


async def register(client: httpx.AsyncClient, **overrides: Any) -> tuple[dict[str, Any], str]:
    response = await client.post("/v1/signatories", json=registration(**overrides))
    assert response.status_code == 201, response.text
    body = response.json()
    return body["signatory"], body["api_key"]["key"]


async def draft_pledge(client: httpx.AsyncClient, org_key: str, covenant: str, offers: int = 1) -> dict[str, Any]:
    response = await client.post(
        "/v1/pledges", json={"covenant": covenant, "statement": "We will open doors."}, headers=bearer(org_key)
    )
    assert response.status_code == 201, response.text
    pledge = response.json()
    for _ in range(offers):
        added = await client.post(
            f"/v1/pledges/{pledge['id']}/commitments", json=commitment_body(), headers=bearer(org_key)
        )
        assert added.status_code == 201, added.text
    return pledge


async def published_pledge(
    client: httpx.AsyncClient, council: Council, offers: int = 1
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """A registered, verified organisation with an approved pledge: (signatory, org key, pledge)."""
    signatory, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, council.slug, offers)
    assert (await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))).status_code == 200
    verified = await client.post(f"/v1/signatories/{signatory['id']}/verify", headers=bearer(council.officer_key))
    assert verified.status_code == 200, verified.text
    approved = await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=bearer(council.officer_key))
    assert approved.status_code == 200, approved.text
    return signatory, org_key, approved.json()
