"""Delivery narratives private until an officer approves a public version

Narratives already filed start private: none was read for what could identify a young person, so none is
public until an officer approves it (POST /v1/progress-reports/{id}/approve-narrative).

Revision ID: 27e1230eff0f
Revises: 4f98816329a0
Create Date: 2026-12-01 20:33:45.847772
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "27e1230eff0f"
down_revision: str | None = "4f98816329a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_narrative", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("narrative_approved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.drop_column("narrative_approved_at")
        batch_op.drop_column("public_narrative")
