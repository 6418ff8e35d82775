"""Accounts, WeChat identities, role grants, tokens and invite codes."""

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db
from app.security.crypto import EncryptedText

ROLES = ("resident", "publisher", "reviewer", "inspector", "custodian", "unit_handler", "admin")
STAFF_ROLES = ROLES[1:]


class User(db.Model):
    """An account: a resident (WeChat) or staff member (password and/or WeChat)."""

    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), unique=True, nullable=True)
    display_name = sa.Column(sa.String(80), nullable=False, default="")
    password_hash = sa.Column(sa.String(255), nullable=True)
    totp_secret = sa.Column(EncryptedText, nullable=True)
    totp_enabled = sa.Column(sa.Boolean, nullable=False, default=False)
    is_active = sa.Column(sa.Boolean, nullable=False, default=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True, index=True)
    is_demo = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())  # `flask demo seed`
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = sa.Column(UTCDateTime, nullable=True)

    # Only confirmed grants confer anything: a pending one (awaiting a second admin) is in pending_grants.
    grants = relationship("RoleGrant", back_populates="user", cascade="all, delete-orphan", lazy="selectin",
                          foreign_keys="RoleGrant.user_id",
                          primaryjoin="and_(RoleGrant.user_id == User.id, RoleGrant.pending.is_(False))")
    pending_grants = relationship("RoleGrant", lazy="selectin", viewonly=True, order_by="RoleGrant.id",
                                  primaryjoin="and_(RoleGrant.user_id == User.id, RoleGrant.pending.is_(True))")
    identities = relationship("WechatIdentity", back_populates="user", lazy="selectin")

    @property
    def is_staff(self):
        """Whether the account holds any staff role."""
        return any(g.role in STAFF_ROLES for g in self.grants)


class WechatIdentity(db.Model):
    """A WeChat openid and the account it logs into."""

    __tablename__ = "wechat_identities"

    id = sa.Column(sa.Integer, primary_key=True)
    openid = sa.Column(sa.String(64), unique=True, nullable=False)
    unionid = sa.Column(sa.String(64), nullable=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    user = relationship("User", back_populates="identities")


class RoleGrant(db.Model):
    """A role held on a region subtree (region_code) or a unit (unit_id); neither means everywhere."""

    __tablename__ = "role_grants"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    role = sa.Column(sa.String(20), nullable=False)
    region_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True)
    granted_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    # custodian and inspector grants made by an admin wait for a second, different admin's confirmation
    pending = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    confirmed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    confirmed_at = sa.Column(UTCDateTime, nullable=True)

    user = relationship("User", back_populates="grants", foreign_keys=[user_id])
    __table_args__ = (sa.UniqueConstraint("user_id", "role", "region_code", "unit_id", name="uq_role_grants_scope"),)


class Token(db.Model):
    """An opaque bearer token, stored as its SHA-256."""

    __tablename__ = "tokens"

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), unique=True, nullable=False)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = sa.Column(UTCDateTime, nullable=False)
    revoked_at = sa.Column(UTCDateTime, nullable=True)
    restricted = sa.Column(sa.Boolean, nullable=False, default=False)
    # a console session: its id lives in the console cookie only, and the API refuses it as a bearer token
    console = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    last_seen_at = sa.Column(UTCDateTime, nullable=True)  # console sessions: the server-side idle clock
    user = relationship("User")


class LoginThrottle(db.Model):
    """Failed logins of one account name from one address (both hashed): the progressive delay's state."""

    __tablename__ = "login_throttles"

    id = sa.Column(sa.Integer, primary_key=True)
    account_hash = sa.Column(sa.String(64), nullable=False)
    address_hash = sa.Column(sa.String(64), nullable=False)
    failures = sa.Column(sa.Integer, nullable=False, default=0)
    last_failed_at = sa.Column(UTCDateTime, nullable=False, index=True)
    blocked_until = sa.Column(UTCDateTime, nullable=True)
    __table_args__ = (sa.UniqueConstraint("account_hash", "address_hash", name="uq_login_throttles_key"),)


class Invite(db.Model):
    """A one-time invite code (stored hashed) that binds a WeChat account to a staff account or membership."""

    __tablename__ = "invites"

    id = sa.Column(sa.Integer, primary_key=True)
    code_hash = sa.Column(sa.String(64), unique=True, nullable=False)
    purpose = sa.Column(sa.String(20), nullable=False)  # staff | contact_point
    target_id = sa.Column(sa.Integer, nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = sa.Column(UTCDateTime, nullable=False)
    used_at = sa.Column(UTCDateTime, nullable=True)
    used_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
