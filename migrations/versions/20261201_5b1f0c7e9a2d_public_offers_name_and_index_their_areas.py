"""public offer documents name their areas: `area_details` beside `areas` in each pre-rendered offer

The contract now gives every offer's areas with their names and kinds (`Preston`, `district`), so a council page
need not know GSS codes. The read model's documents were rendered before that field existed: each is given it,
named from the ONS data the service ships with, and the data version moves on so that no cached copy of the old
shape is answered with a 304.

Revision ID: 5b1f0c7e9a2d
Revises: 2888e563d12b
Create Date: 2026-12-01 17:30:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.areas import area_details

revision: str = "5b1f0c7e9a2d"
down_revision: str | None = "2888e563d12b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

offers = sa.table("public_commitment", sa.column("commitment_id", sa.String), sa.column("document", sa.Text))


BATCH = 1000


def _rewrite(change) -> None:  # type: ignore[no-untyped-def]
    """Every stored offer document through `change`, a thousand rows to a statement."""
    bind = op.get_bind()
    update = (
        offers.update().where(offers.c.commitment_id == sa.bindparam("id")).values(document=sa.bindparam("rendered"))
    )
    rows = bind.execute(sa.select(offers.c.commitment_id, offers.c.document)).all()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        bind.execute(
            update,
            [
                {"id": commitment_id, "rendered": json.dumps(change(json.loads(document)), ensure_ascii=False)}
                for commitment_id, document in batch
            ],
        )
    op.execute("UPDATE data_version SET version = version + 1")


def upgrade() -> None:
    _rewrite(lambda document: document | {"area_details": area_details(document["areas"])})


def downgrade() -> None:
    _rewrite(lambda document: {key: value for key, value in document.items() if key != "area_details"})
