"""public offer documents say their view: `"view": "public"` in each pre-rendered offer

The contract tells a commitment's public representation from its private one by `view`; the read model's
documents were rendered before that field existed. The data version moves on so that no cached copy of the old
shape is answered with a 304.

Revision ID: 2888e563d12b
Revises: e40c1653a4ce
Create Date: 2026-12-01 15:09:54.807948
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2888e563d12b"
down_revision: str | None = "e40c1653a4ce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""UPDATE public_commitment SET document = jsonb_set(document::jsonb, '{view}', '"public"')::text""")
    else:
        op.execute("UPDATE public_commitment SET document = json_set(document, '$.view', 'public')")
    op.execute("UPDATE data_version SET version = version + 1")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE public_commitment SET document = (document::jsonb - 'view')::text")
    else:
        op.execute("UPDATE public_commitment SET document = json_remove(document, '$.view')")
    op.execute("UPDATE data_version SET version = version + 1")
