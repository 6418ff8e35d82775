"""Retention: erase a reporter's identity a set time after his report was finally closed, and audit it."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db
from app.reports.models import Report
from app.security.service import audit

FINAL_STATES = ("closed", "not_accepted")
BATCH = 500


def erase_expired_identities(retention_days, now=None):
    """Blank reporter identity on reports finally closed more than retention_days ago; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    identity = (Report.reporter_name.is_not(None) | Report.reporter_phone.is_not(None)
                | Report.reporter_id_number.is_not(None) | Report.reporter_user_id.is_not(None)
                | Report.contact_member_id.is_not(None))
    stmt = (sa.select(Report.id).where(Report.status.in_(FINAL_STATES), Report.status_changed_at < cutoff, identity)
            .order_by(Report.id))
    erased = 0
    while ids := db.session.scalars(stmt.limit(BATCH)).all():
        # Core update: the values are erased without ever being decrypted; the layer stays for statistics
        db.session.execute(sa.update(Report.__table__).where(Report.__table__.c.id.in_(ids)).values(
            reporter_name=None, reporter_phone=None, reporter_id_number=None, reporter_user_id=None,
            contact_member_id=None))
        audit("report.identity_erased", None, "report", None,
              {"report_ids": ids, "retention_days": retention_days, "cutoff": cutoff.isoformat()})
        db.session.commit()
        erased += len(ids)
    return erased
