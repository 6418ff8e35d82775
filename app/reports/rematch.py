"""When an account gains powers (a grant takes effect) or is linked to a roster person after reports were filed,
the open reports that name him get their conflicts now: what intake would have found had he been there then."""

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.regions.models import Cadre
from app.reports.accused import SAME_MATTER_OPEN, touches_county
from app.reports.checks import person_key
from app.reports.models import Report, ReportConflict
from app.security.service import audit


def rematch_account(user_id):
    """Add the missing conflicts between one account and the open reports that name it (audited); returns them."""
    user = db.session.get(User, user_id)
    if user is None:
        return []
    cadres = list(db.session.scalars(sa.select(Cadre).where(Cadre.user_id == user_id)))
    names = {n for n in [user.display_name, *(c.name for c in cadres)] if n and n.strip()}
    keys = {person_key(n) for n in names}
    named = sa.or_(Report.target_user_id == user_id,
                   Report.target_roster_id.in_([c.id for c in cadres]) if cadres else sa.false(),
                   Report.target_person_key.in_(keys) if keys else sa.false())
    have = sa.select(ReportConflict.report_id).where(ReportConflict.user_id == user_id)
    found = []
    for report in db.session.scalars(sa.select(Report).where(
            named, Report.status.in_(SAME_MATTER_OPEN), Report.id.not_in(have))):
        if report.target_user_id != user_id and report.target_roster_id not in {c.id for c in cadres} \
                and not touches_county(user_id, report.county_code[:6]):
            continue
        row = ReportConflict(report_id=report.id, user_id=user_id,
                             reason="roster_link" if report.target_roster_id in {c.id for c in cadres}
                             else "named_account" if report.target_user_id == user_id else "same_name")
        db.session.add(row)
        found.append(row)
        audit("report.conflict_added", None, "report", report.id, {"user_id": user_id, "reason": row.reason})
    db.session.flush()
    return found
