"""The bench's reference server (bench/reference.py) runs the service's own SQL, copied as PostgreSQL is sent it:
compared here with what the service compiles, so a change to a public statement cannot leave the yardstick
measuring a different query."""

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from app.services import compiled_reads, public_read
from bench import reference

LIST = public_read.COMMITMENT_LIST
STATEMENTS = [
    ("COMMITMENTS_BY_PRIORITY", LIST.statement(("priority",), False)),
    ("COMMITMENTS_AFTER", LIST.statement((), True)),
    ("COMMITMENTS_FIRST", LIST.statement((), False)),
    ("COMMITMENT_BY_ID", public_read.COMMITMENT_BY_ID),
    ("SIGNATORY_BY_ID", public_read.SIGNATORY_BY_ID),
]


@pytest.mark.parametrize(("name", "statement"), STATEMENTS, ids=[name for name, _ in STATEMENTS])
def test_the_reference_runs_the_services_statement(name, statement):
    compiled = compiled_reads._compiled(statement, asyncpg_dialect())
    assert compiled is not None, f"{name} no longer takes the driver's path"
    assert compiled.sql == getattr(reference, name)


def test_the_reference_filters_by_area_with_the_services_statement():
    compiled = compiled_reads._compiled(LIST.statement(("area",), False), asyncpg_dialect())
    assert compiled is not None
    codes = ["E06000023", "national", "remote"]
    sql, _ = compiled.arguments({"areas": codes, "rows_wanted": 51})
    assert sql == reference.commitments_in_areas(len(codes))
