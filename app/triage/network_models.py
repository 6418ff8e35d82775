"""Records of the county's networks: posted letters, mailings, outcomes, proposals up and petition volumes."""

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db

BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")

OUTCOME_KINDS = {"defused": "超前化解", "verified": "初步核实", "filed": "立案", "disciplined": "处分",
                 "referred": "转有关部门", "closed": "了结"}
VERDICTS = {"substantiated": "属实", "partly": "部分属实", "unfounded": "不属实"}
ADDRESSEES = {"party_committee": "县委", "government": "县政府", "both": "县委、县政府"}


class Letter(db.Model):
    """A posted 情况反馈表 entered by staff: the report it became, the member who posted it and its postmark."""

    __tablename__ = "contact_letters"

    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), primary_key=True)
    member_id = sa.Column(sa.Integer, sa.ForeignKey("contact_members.id"), nullable=False, index=True)
    postmarked_on = sa.Column(sa.Date, nullable=False)
    form = sa.Column(sa.JSON, nullable=True)  # the form's other fields (suggestion, involved, ...)
    content_key = sa.Column(sa.String(64), nullable=False)  # sha256 of the normalised text: duplicate entries
    entered_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    entered_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    report = relationship("app.reports.models.Report", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("member_id", "postmarked_on", "content_key", name="uq_contact_letters_same"),)


class Mailing(db.Model):
    """Forms posted to contact-point members (envelopes with a 情况反馈表): date, region, forms per layer."""

    __tablename__ = "contact_mailings"

    id = sa.Column(sa.Integer, primary_key=True)
    region_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False, index=True)
    mailed_on = sa.Column(sa.Date, nullable=False)
    forms = sa.Column(sa.Integer, nullable=False)
    layers = sa.Column(sa.JSON, nullable=False)  # {layer code: forms}
    note = sa.Column(sa.String(500), nullable=True)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class Outcome(db.Model):
    """How a report or a problem (case) ended: 超前化解, 初步核实 (+ verdict), 立案, 处分, 转有关部门, 了结."""

    __tablename__ = "outcomes"

    id = sa.Column(sa.Integer, primary_key=True)
    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), nullable=True, index=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True, index=True)
    kind = sa.Column(sa.String(16), nullable=False)
    occurred_on = sa.Column(sa.Date, nullable=False)
    note = sa.Column(sa.Text, nullable=True)
    verdict = sa.Column(sa.String(16), nullable=True)  # verified: substantiated | partly | unfounded
    case_number = sa.Column(sa.String(60), nullable=True)  # filed
    persons = sa.Column(sa.Integer, nullable=True)  # disciplined: how many persons
    party_members = sa.Column(sa.Integer, nullable=True)  # disciplined: of which party members
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True)  # referred: which department
    department = sa.Column(sa.String(120), nullable=True)  # referred: its name (also outside the unit list)
    actor_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("(report_id IS NULL) <> (case_id IS NULL)", name="one_subject"),
        sa.Index("ix_outcomes_kind_day", "kind", "occurred_on"),
    )


class Proposal(db.Model):
    """A 意见建议 to the county party committee or government, drawn from problems, with its answer."""

    __tablename__ = "proposals"

    id = sa.Column(sa.Integer, primary_key=True)
    region_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False, index=True)
    addressee = sa.Column(sa.String(20), nullable=False)
    title = sa.Column(sa.String(120), nullable=False)
    content = sa.Column(sa.Text, nullable=False)
    sent_on = sa.Column(sa.Date, nullable=False)
    answer = sa.Column(sa.Text, nullable=True)
    answered_on = sa.Column(sa.Date, nullable=True)
    answered_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    case_links = relationship("ProposalCase", lazy="selectin", order_by="ProposalCase.case_id")


class ProposalCase(db.Model):
    """A problem a proposal is drawn from."""

    __tablename__ = "proposal_cases"

    proposal_id = sa.Column(sa.Integer, sa.ForeignKey("proposals.id"), primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), primary_key=True)


class PetitionVolume(db.Model):
    """The region's total petition volume (信访总量) of a year, as staff record it (not computed)."""

    __tablename__ = "petition_volumes"

    id = sa.Column(sa.Integer, primary_key=True)
    region_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False)
    year = sa.Column(sa.Integer, nullable=False)
    volume = sa.Column(sa.Integer, nullable=False)
    recorded_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    recorded_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("region_code", "year", name="uq_petition_volumes_region_year"),)
