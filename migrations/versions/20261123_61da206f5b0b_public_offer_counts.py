"""public offer counts: the read model's offers per covenant, priority, offer type and status, for statistics

Revision ID: 61da206f5b0b
Revises: ffc6f9d1f8eb
Create Date: 2026-11-23 11:29:35.563711
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "61da206f5b0b"
down_revision: str | None = "ffc6f9d1f8eb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_offer_count",
        sa.Column("covenant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("priority_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("offer_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "covenant_id", "priority_id", "offer_type", "status", name=op.f("pk_public_offer_count")
        ),
    )
    # Existing registries start with the counts of the offers they already show.
    op.execute(
        "INSERT INTO public_offer_count (covenant_id, priority_id, offer_type, status, offers) "
        "SELECT covenant_id, priority_id, offer_type, status, count(*) FROM public_commitment "
        "GROUP BY covenant_id, priority_id, offer_type, status"
    )


def downgrade() -> None:
    op.drop_table("public_offer_count")
