"""Email notifications: the outbox the worker sends from, and where an authority's officers are told

Revision ID: 4f98816329a0
Revises: fb8459ba05bd
Create Date: 2026-12-01 20:18:03.074275
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "4f98816329a0"
down_revision: str | None = "fb8459ba05bd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("authority_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("signatory_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'recorded', 'abandoned')", name=op.f("ck_notification_status_known")
        ),
        sa.CheckConstraint("audience IN ('officers', 'organisation')", name=op.f("ck_notification_audience_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notification_dedupe_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_authority_id"), ["authority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_signatory_id"), ["signatory_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notification_status_next_attempt_at"), ["status", "next_attempt_at"], unique=False
        )

    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.add_column(sa.Column("officer_email", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.drop_column("officer_email")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_status_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_notification_signatory_id"))
        batch_op.drop_index(batch_op.f("ix_notification_authority_id"))

    op.drop_table("notification")
