"""trigram indexes for free-text search on PostgreSQL: `q` on the commitments and signatories lists

A search for a rare word used to read every public offer (45 ms at 200k offers, growing with the registry);
with these GIN indexes it reads only rows that share the word's trigrams (0.2 ms). SQLite keeps its plain scan.
The indexes are not in the models (SQLAlchemy has no portable form of them): migrations/env.py tells
`alembic check` to expect them (app/db.py, DATABASE_ONLY_INDEXES).

Revision ID: e40c1653a4ce
Revises: 61da206f5b0b
Create Date: 2026-11-23 13:49:17.885106
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e40c1653a4ce"
down_revision: str | None = "61da206f5b0b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = {
    "ix_public_commitment_search_text_trgm": ("public_commitment", "search_text"),
    "ix_signatory_name_trgm": ("signatory", "name"),
}


def on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    if not on_postgresql():
        return
    # pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        op.create_index(name, table, [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    if not on_postgresql():
        return
    for name, (table, _column) in TRIGRAM_INDEXES.items():
        op.drop_index(name, table_name=table)
    # The extension stays: something else in the database may use it.
