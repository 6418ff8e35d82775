"""reports about whom: conflicts (possible matches of the accused), handling level, roster target; reports need
not belong to a village

Revision ID: b1c2d3e4f501
Revises: 2dfab5d2f5b6
Create Date: 2026-12-07 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b1c2d3e4f501'
down_revision = '2dfab5d2f5b6'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'report_conflicts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', BIGINT, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=24), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('cleared_at', sa.DateTime(), nullable=True),
        sa.Column('cleared_by_id', sa.Integer(), nullable=True),
        sa.Column('cleared_note', sa.String(length=200), nullable=True),
        sa.CheckConstraint('user_id IS NOT NULL OR unit_id IS NOT NULL', name='ck_report_conflicts_party'),
        sa.ForeignKeyConstraint(['cleared_by_id'], ['users.id'], name=op.f('fk_report_conflicts_cleared_by_id_users')),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_conflicts_report_id_reports')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_report_conflicts_unit_id_units')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_conflicts_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_conflicts')),
    )
    with op.batch_alter_table('report_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_conflicts_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_conflicts_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_conflicts_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_level', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('target_roster_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reports_target_roster_id_cadres'), 'cadres',
                                    ['target_roster_id'], ['id'], ondelete='SET NULL')
        batch_op.alter_column('village_code', existing_type=sa.String(length=12), nullable=True)
        batch_op.alter_column('township_code', existing_type=sa.String(length=12), nullable=True)
    # reports filed before this revision: the accused account recorded then becomes a conflict
    op.execute("INSERT INTO report_conflicts (report_id, user_id, reason, created_at) "
               "SELECT id, target_user_id, 'roster_link', received_at FROM reports WHERE target_user_id IS NOT NULL")
    op.execute("INSERT INTO report_conflicts (report_id, unit_id, reason, created_at) "
               "SELECT id, target_unit_id, 'target_unit', received_at FROM reports WHERE target_unit_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('township_code', existing_type=sa.String(length=12), nullable=False)
        batch_op.alter_column('village_code', existing_type=sa.String(length=12), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_reports_target_roster_id_cadres'), type_='foreignkey')
        batch_op.drop_column('target_roster_id')
        batch_op.drop_column('handling_level')
    with op.batch_alter_table('report_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_conflicts_user_id'))
        batch_op.drop_index(batch_op.f('ix_report_conflicts_unit_id'))
        batch_op.drop_index(batch_op.f('ix_report_conflicts_report_id'))
    op.drop_table('report_conflicts')
