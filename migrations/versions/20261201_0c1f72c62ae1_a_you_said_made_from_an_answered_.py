"""A "you said" made from an answered problem report, linked to it (at most one per report)

Revision ID: 0c1f72c62ae1
Revises: 0cc36febf6d7
Create Date: 2026-12-01 23:31:30.755746
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0c1f72c62ae1"
down_revision: str | None = "0cc36febf6d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("voice_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("problem_report_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_voice_entry_problem_report_id"), ["problem_report_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_voice_entry_problem_report_id_problem_report"),
            "problem_report",
            ["problem_report_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("voice_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_voice_entry_problem_report_id_problem_report"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_voice_entry_problem_report_id"), type_="unique")
        batch_op.drop_column("problem_report_id")
