"""Regions, units and cadre rosters."""

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db

LEVELS = ("province", "city", "county", "township", "village")


class Region(db.Model):
    """A node of the statistical division tree, keyed by its 12-digit code."""

    __tablename__ = "regions"

    code = sa.Column(sa.String(12), primary_key=True)
    name = sa.Column(sa.String(100), nullable=False)
    display_name = sa.Column(sa.String(100), nullable=False)
    print_name = sa.Column(sa.String(100), nullable=True)  # set by an admin when the font lacks a character
    level = sa.Column(sa.String(10), nullable=False, index=True)
    parent_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=True, index=True)
    supervision_phone = sa.Column(sa.String(40), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    parent = relationship("Region", remote_side=[code], lazy="joined", join_depth=3)

    @property
    def poster_name(self):
        """The name posters print: the admin's print name, else the display name."""
        return self.print_name or self.display_name
    cadres = relationship("Cadre", order_by="Cadre.sort_order", lazy="selectin", cascade="all, delete-orphan")


class Unit(db.Model):
    """A body that receives assignments and warnings: a department (职能部门) or a township government."""

    __tablename__ = "units"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False)
    kind = sa.Column(sa.String(20), nullable=False)  # department | township_gov | commission
    region_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False, index=True)
    head_name = sa.Column(sa.String(40), nullable=True)
    head_post = sa.Column(sa.String(60), nullable=True)
    phone = sa.Column(sa.String(40), nullable=True)
    is_active = sa.Column(sa.Boolean, nullable=False, default=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    region = relationship("Region")
    __table_args__ = (sa.UniqueConstraint("region_code", "name", name="uq_units_region_name"),)


class Cadre(db.Model):
    """A village cadre on the public roster (挂牌亮户 / 服务监督岗)."""

    __tablename__ = "cadres"

    id = sa.Column(sa.Integer, primary_key=True)
    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False, index=True)
    name = sa.Column(sa.String(40), nullable=False)
    post = sa.Column(sa.String(60), nullable=False)
    duties = sa.Column(sa.String(500), nullable=False, default="")
    is_party_member = sa.Column(sa.Boolean, nullable=False, default=False)
    supervision_phone = sa.Column(sa.String(40), nullable=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    sort_order = sa.Column(sa.Integer, nullable=False, default=0)
