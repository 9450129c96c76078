"""data version: one row whose number grows with every committed write (public ETags carry it)

Revision ID: ffc6f9d1f8eb
Revises: 72831473fe27
Create Date: 2026-11-23 08:38:48.656137
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ffc6f9d1f8eb"
down_revision: str | None = "72831473fe27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    data_version = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(data_version, [{"id": 1, "version": 1}])


def downgrade() -> None:
    op.drop_table("data_version")
