"""Reading conflicts: whether an account or unit is a possible match of a report's accused, as SQL and in Python.

Rows are written at intake by app.reports.accused; app.triage.access turns them into visibility.
"""

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.regions.models import Unit
from app.reports.models import Report, ReportConflict

REASON_LABELS = {
    "named_account": "被反映人的账号",
    "roster_link": "被反映人（公示名单）绑定的账号",
    "same_name": "与被反映人同名的工作人员",
    "unit_head": "被反映人担任负责人的单位",
    "target_unit": "被反映的单位",
    "post_unit": "被反映人职务所在单位",
    "township_head": "被反映的乡镇负责人所在乡镇政府",
    "same_matter": "此前反映同一问题时被指为被反映人",
}
LEVEL_DIGITS = {"township": 9, "county": 6, "city": 4}


def user_unit_ids(user):
    """The units an account works for: its own unit and every unit grant."""
    units = {g.unit_id for g in user.grants if g.unit_id is not None}
    if user.unit_id is not None:
        units.add(user.unit_id)
    return units


def party_clause(user):
    """SQL: an open conflict row names this account or one of its units."""
    units = user_unit_ids(user)
    party = ReportConflict.user_id == user.id
    if units:
        party = sa.or_(party, ReportConflict.unit_id.in_(units))
    return sa.and_(ReportConflict.cleared_at.is_(None), party)


def not_conflicted_clause(user):
    """SQL: the report has no open conflict with this account or any of its units."""
    return ~sa.exists().where(ReportConflict.report_id == Report.id, party_clause(user))


def open_conflicts(report_id):
    """The report's conflicts not cleared."""
    return list(db.session.scalars(sa.select(ReportConflict).where(
        ReportConflict.report_id == report_id, ReportConflict.cleared_at.is_(None)).order_by(ReportConflict.id)))


def conflicted_with(user, report_id):
    """Whether the account (or one of its units) is a possible match of the report's accused."""
    units = user_unit_ids(user)
    return any(c.user_id == user.id or (c.unit_id is not None and c.unit_id in units)
               for c in open_conflicts(report_id))


def conflicted_unit_ids(report_id):
    """Units the report may never be assigned to: every unit among its matches and the units of every account."""
    units = set()
    for row in open_conflicts(report_id):
        if row.unit_id is not None:
            units.add(row.unit_id)
        elif (account := db.session.get(User, row.user_id)) is not None:
            units |= user_unit_ids(account)
    return units


def level_allows(prefix, handling_level):
    """Whether a scope prefix (None: everywhere) sits at or above the report's handling level."""
    if prefix is None or handling_level is None:
        return True
    return len(prefix) <= LEVEL_DIGITS.get(handling_level, 12)


def accused_summary(report):
    """Whom a report accuses and every possible match, in words, for staff who may see the report."""
    unit = db.session.get(Unit, report.target_unit_id) if report.target_unit_id else None
    matches = []
    for row in open_conflicts(report.id):
        if row.user_id:
            account = db.session.get(User, row.user_id)
            label = f"{account.display_name or account.username}（账号）" if account else f"账号 {row.user_id}"
        else:
            found = db.session.get(Unit, row.unit_id)
            label = found.name if found else f"单位 {row.unit_id}"
        matches.append({"id": row.id, "user_id": row.user_id, "unit_id": row.unit_id, "label": label,
                        "reason": row.reason, "reason_label": REASON_LABELS.get(row.reason, row.reason)})
    return {"person_name": report.target_person_name, "person_post": report.target_person_post,
            "unit_name": unit.name if unit else None, "handling_level": report.handling_level,
            "possible_matches": matches}
