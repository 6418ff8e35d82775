"""Read-only lookups the console's forms need (choices, scoped lists); rules stay in the domain services."""

import sqlalchemy as sa

from app.auth.models import User
from app.core.pagination import keyset_page
from app.core.permissions import scoped
from app.extensions import db
from app.regions.models import Region, Unit
from app.security.models import AuditEntry

MAX_CHOICES = 2000


def region_choices():
    """Regions for scope pickers, in code order: all of them in a small tree, else those above village level."""
    stmt = sa.select(Region).order_by(Region.code)
    if db.session.scalar(sa.select(sa.func.count()).select_from(Region)) > MAX_CHOICES:
        stmt = stmt.where(Region.level != "village")
    return list(db.session.scalars(stmt.limit(MAX_CHOICES)))


def unit_choices():
    """Active units for pickers, by region and name."""
    stmt = sa.select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.region_code, Unit.name).limit(MAX_CHOICES)
    return list(db.session.scalars(stmt))


def villages_in_scope(user, action, q=None, limit=50, cursor=None):
    """A page of the villages within the user's scopes for action (none when the user has no scope)."""
    stmt = scoped(sa.select(Region).where(Region.level == "village"), Region.code, user, action)
    if q:
        stmt = stmt.where(Region.display_name.contains(q, autoescape=True))
    return keyset_page(db.session, stmt, [(Region.code, False)], limit, cursor)


def user_by_login(value):
    """A staff account by username, or by numeric id; None when there is none."""
    user = db.session.scalar(sa.select(User).where(User.username == value))
    if user is None and value.isdigit() and len(value) < 10:
        user = db.session.get(User, int(value))
    return user


def audit_actions():
    """The distinct actions recorded in the audit log, for the filter's suggestions."""
    stmt = sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action).limit(300)
    return list(db.session.scalars(stmt))


def child_counts(codes):
    """{region code: number of direct children} for the given regions."""
    if not codes:
        return {}
    stmt = (sa.select(Region.parent_code, sa.func.count()).where(Region.parent_code.in_(codes))
            .group_by(Region.parent_code))
    return dict(db.session.execute(stmt).all())
