"""regions: print_name, what posters print when the font lacks a character of the official name;
qr_batches.format wide enough for pdf_village

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
    with op.batch_alter_table("qr_batches") as batch:
        batch.alter_column("format", existing_type=sa.String(4), type_=sa.String(12), existing_nullable=False)


def downgrade():
    op.execute("UPDATE qr_batches SET format = 'pdf' WHERE format = 'pdf_village'")
    with op.batch_alter_table("qr_batches") as batch:
        batch.alter_column("format", existing_type=sa.String(12), type_=sa.String(4), existing_nullable=False)
    with op.batch_alter_table("regions") as batch:
        batch.drop_column("print_name")
