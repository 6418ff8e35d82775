"""Contact-point members and informants. Name and phone are personal data: encrypted at rest."""

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db
from app.security.crypto import EncryptedText


class ContactMember(db.Model):
    """A registered 千人联系点 member or 信访情报员, bound to a WeChat account by a one-time invite."""

    __tablename__ = "contact_members"

    id = sa.Column(sa.Integer, primary_key=True)
    type = sa.Column(sa.String(16), nullable=False)  # contact_point | informant
    name = sa.Column(EncryptedText, nullable=False)
    phone = sa.Column(EncryptedText, nullable=False)
    phone_key = sa.Column(sa.String(64), nullable=False, index=True)  # keyed_hash(phone, "contact.phone")
    layer = sa.Column(sa.String(20), nullable=True)  # one of layers.LAYERS; required for contact points
    level = sa.Column(sa.String(10), nullable=False)  # county | township | village: the region's level
    region_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False, index=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    bound_at = sa.Column(UTCDateTime, nullable=True)
    is_active = sa.Column(sa.Boolean, nullable=False, default=True)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    deactivated_at = sa.Column(UTCDateTime, nullable=True)
    deactivated_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    region = relationship("Region", lazy="joined")

    __table_args__ = (
        # one active membership per phone number (a deactivated member may be registered again)
        sa.Index("uq_contact_members_active_phone", "phone_key", unique=True,
                 postgresql_where=is_active, sqlite_where=is_active),
        sa.Index("ix_contact_members_region_id", "region_code", "id"),
    )
