"""You said, we did: what young people raised with a council, and what was done about it

Revision ID: 9d2e4c7a1b30
Revises: 0cc36febf6d7
Create Date: 2026-12-01 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "9d2e4c7a1b30"
down_revision: str | None = "1614a5955719"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_entry",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("covenant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("priority_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("commitment_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("public_words", sa.Text(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("through_intake", sa.Boolean(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'approved') = (public_words IS NOT NULL)", name=op.f("ck_voice_entry_public_words_when_approved")
        ),
        sa.CheckConstraint(
            "source IN ('children_in_care_council', 'care_leavers_forum', 'survey', 'consultation_event', "
            "'individual')",
            name=op.f("ck_voice_entry_source_known"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'dismissed')", name=op.f("ck_voice_entry_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_voice_entry_commitment_id_commitment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["covenant_id"], ["covenant.id"], name=op.f("fk_voice_entry_covenant_id_covenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priority.id"], name=op.f("fk_voice_entry_priority_id_priority"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_entry")),
    )
    with op.batch_alter_table("voice_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_entry_covenant_id_status_raised_on"),
            ["covenant_id", "status", "raised_on"],
            unique=False,
        )
    op.create_table(
        "voice_response",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entry_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("what_was_done", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("action_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("commitment_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("measure_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status != 'not_possible' OR reason IS NOT NULL", name=op.f("ck_voice_response_reason_when_not_possible")
        ),
        sa.CheckConstraint(
            "status IN ('heard', 'in_progress', 'done', 'not_possible')", name=op.f("ck_voice_response_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["strategy_action.id"],
            name=op.f("fk_voice_response_action_id_strategy_action"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_voice_response_commitment_id_commitment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["voice_entry.id"], name=op.f("fk_voice_response_entry_id_voice_entry"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_voice_response_measure_id_measure"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_response")),
    )
    with op.batch_alter_table("voice_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_response_entry_id_created_at"), ["entry_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("voice_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_response_entry_id_created_at"))
    op.drop_table("voice_response")
    with op.batch_alter_table("voice_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_entry_covenant_id_status_raised_on"))
    op.drop_table("voice_entry")
