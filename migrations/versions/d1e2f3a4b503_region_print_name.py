"""regions: print_name, what posters print when the font lacks a character of the official name

Revision ID: d1e2f3a4b503
Revises: c4a5b6d7e802
Create Date: 2026-12-08 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'd1e2f3a4b503'
down_revision = 'c4a5b6d7e802'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("regions") as batch:
        batch.add_column(sa.Column("print_name", sa.String(100), nullable=True))


def downgrade():
    with op.batch_alter_table("regions") as batch:
        batch.drop_column("print_name")
