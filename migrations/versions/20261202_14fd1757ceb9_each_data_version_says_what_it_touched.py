"""Each data version says what its transaction touched, so workers forget only the answers it may have changed

Revision ID: 14fd1757ceb9
Revises: 0c1f72c62ae1
Create Date: 2026-12-02 03:13:19.859327

Versions made before this revision have no row, and are read as having touched everything (app/db.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "14fd1757ceb9"
down_revision: str | None = "0c1f72c62ae1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_version_scope",
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_data_version_scope")),
    )


def downgrade() -> None:
    op.drop_table("data_version_scope")
