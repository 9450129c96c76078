"""Problem reports on offers and withheld recognition

Problems reported with a public offer (reason, details, a private contact for a reply, open until answered or
dismissed), queued by covenant, offer and organisation; and officers' decisions to withhold an organisation's
earned recognition, with the reason.

Revision ID: 0cc36febf6d7
Revises: 9d2e4c7a1b30
Create Date: 2026-12-01 21:29:10.948790
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0cc36febf6d7"
down_revision: str | None = "9d2e4c7a1b30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recognition_withholding",
        sa.Column("signatory_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("authority_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("withheld_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authority.id"],
            name=op.f("fk_recognition_withholding_authority_id_authority"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signatory_id"],
            ["signatory.id"],
            name=op.f("fk_recognition_withholding_signatory_id_signatory"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signatory_id", name=op.f("pk_recognition_withholding")),
    )
    op.create_table(
        "problem_report",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("commitment_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("covenant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signatory_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'open') = (closed_at IS NULL)", name=op.f("ck_problem_report_closed_unless_open")
        ),
        sa.CheckConstraint(
            "reason <> 'other' OR length(details) > 0", name=op.f("ck_problem_report_other_has_details")
        ),
        sa.CheckConstraint(
            "reason IN ('no_reply', 'no_longer_available', 'link_or_contact_broken', 'not_as_described', 'other')",
            name=op.f("ck_problem_report_reason_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'resolved', 'not_upheld', 'dismissed')", name=op.f("ck_problem_report_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_problem_report_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["covenant_id"], ["covenant.id"], name=op.f("fk_problem_report_covenant_id_covenant")),
        sa.ForeignKeyConstraint(
            ["signatory_id"], ["signatory.id"], name=op.f("fk_problem_report_signatory_id_signatory")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_report")),
    )
    with op.batch_alter_table("problem_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_problem_report_commitment_id_status_id"), ["commitment_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_problem_report_covenant_id_status_id"), ["covenant_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_problem_report_signatory_id_status_id"), ["signatory_id", "status", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("problem_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_report_signatory_id_status_id"))
        batch_op.drop_index(batch_op.f("ix_problem_report_covenant_id_status_id"))
        batch_op.drop_index(batch_op.f("ix_problem_report_commitment_id_status_id"))

    op.drop_table("problem_report")
    op.drop_table("recognition_withholding")
