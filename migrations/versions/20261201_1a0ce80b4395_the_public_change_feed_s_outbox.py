"""the public change feed's outbox: public changes, stamped at commit with the data version that orders them

Revision ID: 1a0ce80b4395
Revises: c6353bb87ebb
Create Date: 2026-12-01 18:34:11.392413
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "1a0ce80b4395"
down_revision: str | None = "c6353bb87ebb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_change",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("record_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("covenant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "changes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_public_change")),
        sa.UniqueConstraint("id", name=op.f("uq_public_change_id")),
    )
    with op.batch_alter_table("public_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_public_change_unstamped",
            ["seq"],
            unique=False,
            postgresql_where=sa.text("version IS NULL"),
            sqlite_where=sa.text("version IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_public_change_version_seq"), ["version", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("public_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_change_version_seq"))
        batch_op.drop_index(
            "ix_public_change_unstamped",
            postgresql_where=sa.text("version IS NULL"),
            sqlite_where=sa.text("version IS NULL"),
        )

    op.drop_table("public_change")
