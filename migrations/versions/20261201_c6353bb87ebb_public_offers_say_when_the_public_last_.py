"""public offers say when the public last saw them change

Revision ID: c6353bb87ebb
Revises: 5b1f0c7e9a2d
Create Date: 2026-12-01 18:14:30.384911
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c6353bb87ebb"
down_revision: str | None = "5b1f0c7e9a2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("public_commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True))
    # The best the registry knows of offers rendered before: when the commitment or its pledge last changed.
    op.execute(
        """UPDATE public_commitment SET modified_at = (
            SELECT CASE WHEN pledge.updated_at > commitment.updated_at THEN pledge.updated_at
                        ELSE commitment.updated_at END
            FROM commitment JOIN pledge ON pledge.id = commitment.pledge_id
            WHERE commitment.id = public_commitment.commitment_id)"""
    )
    with op.batch_alter_table("public_commitment", schema=None) as batch_op:
        batch_op.alter_column("modified_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_public_commitment_modified_at_commitment_id"), ["modified_at", "commitment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("public_commitment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_commitment_modified_at_commitment_id"))
        batch_op.drop_column("modified_at")
