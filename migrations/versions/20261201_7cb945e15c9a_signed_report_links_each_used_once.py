"""Signed report links, each used once: the ids of the links already opened

Revision ID: 7cb945e15c9a
Revises: 27e1230eff0f
Create Date: 2026-12-01 20:52:12.408990
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "7cb945e15c9a"
down_revision: str | None = "27e1230eff0f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_link_use",
        sa.Column("link_id", sa.String(length=64), nullable=False),
        sa.Column("covenant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_report_link_use")),
    )


def downgrade() -> None:
    op.drop_table("report_link_use")
