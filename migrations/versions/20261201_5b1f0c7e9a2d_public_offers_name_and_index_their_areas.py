"""public offers name their areas and are indexed by every council they serve

The contract now gives every offer's areas with their names and kinds (`Preston`, `district`), so a council page
need not know GSS codes: each pre-rendered offer document gains `area_details`. And the `area` filter follows
the council hierarchy: `public_commitment_area` holds, for each public offer, every council whose residents it
serves (its own areas, a county's districts, a district's county, a former code's successors), so the filter asks
for one code whatever the tier. Both are filled from the ONS data the service ships with, and the data version
moves on so that no cached copy of the old shape is answered with a 304.

Revision ID: 5b1f0c7e9a2d
Revises: 2888e563d12b
Create Date: 2026-12-01 17:30:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.services.areas import area_details, served_areas

revision: str = "5b1f0c7e9a2d"
down_revision: str | None = "2888e563d12b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
offers = sa.table("public_commitment", sa.column("commitment_id", sa.String), sa.column("document", sa.Text))
offer_areas = sa.table(
    "public_commitment_area", sa.column("commitment_id", sa.String), sa.column("area_code", sa.String)
)


def upgrade() -> None:
    op.create_table(
        "public_commitment_area",
        sa.Column("commitment_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("area_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["public_commitment.commitment_id"],
            name=op.f("fk_public_commitment_area_commitment_id_public_commitment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("commitment_id", "area_code", name=op.f("pk_public_commitment_area")),
    )
    with op.batch_alter_table("public_commitment_area", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_commitment_area_area_code_commitment_id"),
            ["area_code", "commitment_id"],
            unique=False,
        )
    bind = op.get_bind()
    rewrite = offers.update().where(offers.c.commitment_id == sa.bindparam("id")).values(document=sa.bindparam("new"))
    for batch in _batches():
        documents = {commitment_id: json.loads(document) for commitment_id, document in batch}
        bind.execute(
            rewrite,
            [
                {"id": commitment_id, "new": _json(document | {"area_details": area_details(document["areas"])})}
                for commitment_id, document in documents.items()
            ],
        )
        served = [
            {"commitment_id": commitment_id, "area_code": code}
            for commitment_id, document in documents.items()
            for code in served_areas(document["areas"])
        ]
        if served:
            bind.execute(offer_areas.insert(), served)
    op.execute("UPDATE data_version SET version = version + 1")


def downgrade() -> None:
    with op.batch_alter_table("public_commitment_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_commitment_area_area_code_commitment_id"))
    op.drop_table("public_commitment_area")
    bind = op.get_bind()
    rewrite = offers.update().where(offers.c.commitment_id == sa.bindparam("id")).values(document=sa.bindparam("new"))
    for batch in _batches():
        bind.execute(
            rewrite,
            [
                {"id": commitment_id, "new": _json(_without_area_details(json.loads(document)))}
                for commitment_id, document in batch
            ],
        )
    op.execute("UPDATE data_version SET version = version + 1")


def _batches():  # type: ignore[no-untyped-def]
    """The stored offer documents, a thousand at a time."""
    rows = op.get_bind().execute(sa.select(offers.c.commitment_id, offers.c.document)).all()
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _without_area_details(document: dict) -> dict:  # type: ignore[type-arg]
    return {key: value for key, value in document.items() if key != "area_details"}


def _json(document: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(document, ensure_ascii=False)
