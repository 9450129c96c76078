"""Council strategies with action plans and measures

A covenant's strategies (period, approval, text), each with an action plan (actions under the covenant's
priorities, with status, an officer's RAG if set, and dated progress updates) and measures (entered values per
period, or the registry's own evidence); a lead for each priority; and whether the covenant publishes its
strategy (existing covenants do not).

Revision ID: 1614a5955719
Revises: 7cb945e15c9a
Create Date: 2026-12-01 20:56:21.885264
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "1614a5955719"
down_revision: str | None = "7cb945e15c9a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "strategy",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("covenant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("period_start < period_end", name=op.f("ck_strategy_period_order")),
        sa.ForeignKeyConstraint(
            ["covenant_id"], ["covenant.id"], name=op.f("fk_strategy_covenant_id_covenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy")),
        sa.UniqueConstraint("id", "covenant_id", name=op.f("uq_strategy_id_covenant_id")),
    )
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_strategy_covenant_id_period_start"), ["covenant_id", "period_start"], unique=False
        )

    op.create_table(
        "measure",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("strategy_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("covenant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("priority_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("baseline_period", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(source = 'registry') = (evidence IS NOT NULL)", name=op.f("ck_measure_evidence_when_registry")
        ),
        sa.CheckConstraint(
            "direction IN ('higher_is_better', 'lower_is_better')", name=op.f("ck_measure_direction_valid")
        ),
        sa.CheckConstraint(
            "evidence IN ('offers', 'places_offered', 'starts', 'sustained')", name=op.f("ck_measure_evidence_valid")
        ),
        sa.CheckConstraint("source IN ('entered', 'registry')", name=op.f("ck_measure_source_valid")),
        sa.CheckConstraint(
            "unit IN ('count', 'percentage', 'days', 'weeks', 'pounds', 'ratio')", name=op.f("ck_measure_unit_valid")
        ),
        sa.ForeignKeyConstraint(
            ["priority_id", "covenant_id"],
            ["priority.id", "priority.covenant_id"],
            name=op.f("fk_measure_priority_id_covenant_id_priority"),
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id", "covenant_id"],
            ["strategy.id", "strategy.covenant_id"],
            name=op.f("fk_measure_strategy_id_covenant_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_strategy_id_id"), ["strategy_id", "id"], unique=False)

    op.create_table(
        "strategy_action",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("strategy_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("covenant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("priority_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_role", sa.Text(), nullable=False),
        sa.Column("milestones", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dropped_reason", sa.Text(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("rag_override", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("rag_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'done') = (completed_on IS NOT NULL)", name=op.f("ck_strategy_action_completed_when_done")
        ),
        sa.CheckConstraint(
            "rag_override IN ('red', 'amber', 'green')", name=op.f("ck_strategy_action_rag_override_valid")
        ),
        sa.CheckConstraint(
            "status <> 'dropped' OR dropped_reason IS NOT NULL", name=op.f("ck_strategy_action_dropped_has_reason")
        ),
        sa.CheckConstraint(
            "status IN ('not_started', 'on_track', 'at_risk', 'off_track', 'done', 'dropped')",
            name=op.f("ck_strategy_action_status_valid"),
        ),
        sa.CheckConstraint(
            "(rag_override IS NULL) = (rag_reason IS NULL)", name=op.f("ck_strategy_action_override_has_reason")
        ),
        sa.ForeignKeyConstraint(
            ["priority_id", "covenant_id"],
            ["priority.id", "priority.covenant_id"],
            name=op.f("fk_strategy_action_priority_id_covenant_id_priority"),
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id", "covenant_id"],
            ["strategy.id", "strategy.covenant_id"],
            name=op.f("fk_strategy_action_strategy_id_covenant_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_action")),
        sa.UniqueConstraint("strategy_id", "reference", name=op.f("uq_strategy_action_strategy_id_reference")),
    )
    with op.batch_alter_table("strategy_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_action_priority_id_id"), ["priority_id", "id"], unique=False)

    op.create_table(
        "action_update",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["strategy_action.id"],
            name=op.f("fk_action_update_action_id_strategy_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
    )
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_update_action_id_noted_on"), ["action_id", "noted_on"], unique=False
        )

    op.create_table(
        "measure_value",
        sa.Column("measure_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_measure_value_measure_id_measure"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("measure_id", "period", name=op.f("pk_measure_value")),
    )
    with op.batch_alter_table("covenant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_strategy", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_role", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("lead_name", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.drop_column("lead_name")
        batch_op.drop_column("lead_role")

    with op.batch_alter_table("covenant", schema=None) as batch_op:
        batch_op.drop_column("publish_strategy")

    op.drop_table("measure_value")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_update_action_id_noted_on"))

    op.drop_table("action_update")
    with op.batch_alter_table("strategy_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_action_priority_id_id"))

    op.drop_table("strategy_action")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_strategy_id_id"))

    op.drop_table("measure")
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_covenant_id_period_start"))

    op.drop_table("strategy")
