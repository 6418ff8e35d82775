"""accounts: demo marker, pending grants, console sessions, login throttle (no more account lock)

Revision ID: c4a5b6d7e802
Revises: b1c2d3e4f501
Create Date: 2026-12-01 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4a5b6d7e802'
down_revision = 'b1c2d3e4f501'
branch_labels = None
depends_on = None

# The accounts `flask demo seed` creates (app/demo/seed.py ACCOUNTS), marked when they still use the demo password.
DEMO_USERNAMES = ("admin", "publisher_longjing", "reviewer_longjing", "publisher_luojiapo", "reviewer_luojiapo",
                  "inspector", "inspector_baofeng", "custodian", "unit_handler")
DEMO_PASSWORD = "Demo-2026-mss"


def _mark_demo_accounts():
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher, conn = PasswordHasher(), op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String),
                     sa.column("password_hash", sa.String), sa.column("is_demo", sa.Boolean))
    rows = conn.execute(sa.select(users.c.id, users.c.password_hash).where(users.c.username.in_(DEMO_USERNAMES)))
    for user_id, password_hash in rows.fetchall():
        try:
            hasher.verify(password_hash or "", DEMO_PASSWORD)
        except (VerificationError, InvalidHashError):
            continue
        conn.execute(sa.update(users).where(users.c.id == user_id).values(is_demo=True))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    _mark_demo_accounts()

    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_role_grants_confirmed_by_id_users'), 'users',
                                    ['confirmed_by_id'], ['id'])

    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('console', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))

    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_hash', sa.String(length=64), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('account_hash', 'address_hash', name='uq_login_throttles_key')
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_failed_at'), ['last_failed_at'], unique=False)


def downgrade():
    # without the flags a pending grant would confer its role and a console session would be a bearer token
    grants = sa.table("role_grants", sa.column("pending", sa.Boolean))
    tokens = sa.table("tokens", sa.column("console", sa.Boolean))
    op.execute(sa.delete(grants).where(grants.c.pending.is_(True)))
    op.execute(sa.delete(tokens).where(tokens.c.console.is_(True)))
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failed_at'))
    op.drop_table('login_throttles')

    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
        batch_op.drop_column('console')

    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_grants_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('pending')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('is_demo')
