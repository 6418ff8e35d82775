"""The year of the county's two networks, as the county reports it: the contact-point chain (千人联系点: forms mailed →
letters → problems → units warned → problems rectified → proposals) and the informant chain (千人情报网: informants →
reports → defused, verified, cases filed, party members disciplined; petitions year on year).

Every figure is counted from records (reports, cases, warnings, outcomes, proposals, mailings), never typed, except
the petition volume, which staff record per year. docs/casework.md defines each one.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.contacts.layers import LAYERS, LEVELS
from app.contacts.models import ContactMember
from app.core.permissions import region_prefix, region_scopes, require, require_anywhere
from app.core.timeutil import start_of_day_utc, today_cst
from app.errors import BadRequest
from app.extensions import db
from app.regions.models import Region
from app.reports.models import Report
from app.triage.access import scope_clause
from app.triage.case_models import Case, CaseReport, UnitWarning, WarningReport
from app.triage.network_models import Letter, Mailing, Outcome, PetitionVolume, Proposal, ProposalCase

CONTACT_FIELDS = ("forms_mailed", "letters", "letters_by_layer", "problems", "units_warned", "problems_rectified",
                  "proposals")
INFORMANT_FIELDS = ("informants_by_level", "informant_reports", "defused", "verified", "cases_filed", "disciplined",
                    "petitions")
LABELS = {"forms_mailed": "寄发反馈表", "letters": "收到来信", "letters_by_layer": "来信（分界别）",
          "problems": "梳理问题", "units_warned": "预警单位", "problems_rectified": "整改问题",
          "proposals": "意见建议", "informants_by_level": "信访情报员（分层级）", "informant_reports": "反馈矛盾信息",
          "defused": "超前化解", "verified": "初步核实", "cases_filed": "立案", "disciplined": "处分党员干部",
          "petitions": "信访总量"}
OUTCOME_STEPS = {"defused": "defused", "verified": "verified", "cases_filed": "filed", "disciplined": "disciplined"}
STEPS = ("letters", "problems", "units_warned", "problems_rectified", "proposals", "informant_reports",
         *OUTCOME_STEPS)
MAX_SPAN_DAYS = 3 * 366


def year_before(day):
    """The same date a year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def resolve(user, args):
    """(region, start, end) of a request: region_code (or region) in the user's stats scope, the period (default:
    this calendar year, China time)."""
    code = args.get("region_code") or args.get("region")
    if not code:
        require_anywhere(user, "stats.view")
        scopes = region_scopes(user, "stats.view")
        if len(scopes) != 1 or scopes[0] is None:
            raise BadRequest("请选择区划", code="region_required", fields={"region_code": ["请选择区划"]})
        code = scopes[0].ljust(12, "0")
    region = db.session.get(Region, code)
    if region is None:
        raise BadRequest("未找到该行政区划", code="region_not_found", fields={"region_code": ["未找到该行政区划"]})
    require(user, "stats.view", region_code=region.code)
    today = today_cst()
    start = args.get("from_") or date(today.year, 1, 1)
    end = args.get("to") or (date(start.year, 12, 31) if args.get("from_") else date(today.year, 12, 31))
    if end < start:
        raise BadRequest("结束日期不能早于开始日期", code="bad_period", fields={"to": ["结束日期不能早于开始日期"]})
    if (end - start).days > MAX_SPAN_DAYS:
        raise BadRequest("统计区间不能超过三年", code="bad_period", fields={"to": ["统计区间不能超过三年"]})
    return region, start, end


class Chains:
    """The SQL of every figure for one region prefix and period [start, end] (China-time days)."""

    def __init__(self, region_code, start, end):
        self.code, self.prefix = region_code, region_prefix(region_code)
        self.start, self.end = start, end
        self.since, self.until = start_of_day_utc(start), start_of_day_utc(end + timedelta(days=1))

    def members(self, kind):
        """Ids of members of a type (contact_point | informant)."""
        return sa.select(ContactMember.id).where(ContactMember.type == kind)

    def reports(self, kind):
        """Report ids of a network's members in the region and period (a posted letter by its postmark)."""
        dated = sa.or_(sa.and_(Letter.report_id.is_not(None), Letter.postmarked_on.between(self.start, self.end)),
                       sa.and_(Letter.report_id.is_(None), Report.received_at >= self.since,
                               Report.received_at < self.until))
        return (sa.select(Report.id).outerjoin(Letter, Letter.report_id == Report.id)
                .where(Report.contact_member_id.in_(self.members(kind)), scope_clause(self.prefix), dated))

    def network_case(self, case_id, kind):
        """SQL: the case holds a report of the network's members in the region."""
        return sa.exists().where(CaseReport.case_id == case_id, Report.id == CaseReport.report_id,
                                 Report.contact_member_id.in_(self.members(kind)), scope_clause(self.prefix))

    def problems(self):
        """Case ids of the contact-point problems registered in the period."""
        return sa.select(Case.id).where(self.network_case(Case.id, "contact_point"), Case.created_at >= self.since,
                                        Case.created_at < self.until)

    def warnings(self):
        """Warning ids issued in the period about contact-point problems or reports in the region."""
        direct = sa.exists().where(WarningReport.warning_id == UnitWarning.id, Report.id == WarningReport.report_id,
                                   Report.contact_member_id.in_(self.members("contact_point")),
                                   scope_clause(self.prefix))
        return sa.select(UnitWarning.id).where(
            UnitWarning.issued_at >= self.since, UnitWarning.issued_at < self.until,
            sa.or_(self.network_case(UnitWarning.case_id, "contact_point"), direct))

    def rectified(self):
        """Case ids of contact-point problems whose every warning reported 整改完毕, the last one in the period."""
        other = aliased(UnitWarning)
        last = sa.select(sa.func.max(other.rectified_at)).where(other.case_id == Case.id).scalar_subquery()
        return sa.select(Case.id).where(
            self.network_case(Case.id, "contact_point"),
            sa.exists().where(UnitWarning.case_id == Case.id),
            ~sa.exists().where(UnitWarning.case_id == Case.id, UnitWarning.status != "rectified"),
            last >= self.since, last < self.until)

    def proposals(self):
        """Proposal ids sent in the period within the region."""
        return sa.select(Proposal.id).where(Proposal.sent_on.between(self.start, self.end),
                                            Proposal.region_code.startswith(self.prefix, autoescape=True))

    def outcomes(self, kind):
        """Outcome ids of a kind dated in the period, on informants' reports or problems holding them."""
        on_report = sa.exists().where(Report.id == Outcome.report_id,
                                      Report.contact_member_id.in_(self.members("informant")),
                                      scope_clause(self.prefix))
        return sa.select(Outcome.id).where(Outcome.kind == kind, Outcome.occurred_on.between(self.start, self.end),
                                           sa.or_(on_report, self.network_case(Outcome.case_id, "informant")))

    def figures(self):
        """{"contact_point": {...}, "informant": {...}} for the period."""
        count = lambda stmt: db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))  # noqa: E731
        letters = self.reports("contact_point").subquery()
        by_layer = dict(db.session.execute(sa.select(Report.contact_layer, sa.func.count()).where(
            Report.id.in_(sa.select(letters.c.id))).group_by(Report.contact_layer)).all())
        mailed = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Mailing.forms), 0)).where(
            Mailing.mailed_on.between(self.start, self.end),
            Mailing.region_code.startswith(self.prefix, autoescape=True)))
        units = db.session.scalar(sa.select(sa.func.count(sa.distinct(UnitWarning.unit_id))).where(
            UnitWarning.id.in_(self.warnings())))
        contact = {
            "forms_mailed": int(mailed or 0), "letters": sum(by_layer.values()),
            "letters_by_layer": [{"layer": code, "label": label, "count": by_layer.get(code, 0)}
                                 for code, label in LAYERS.items()],
            "problems": count(self.problems()), "units_warned": units or 0,
            "problems_rectified": count(self.rectified()), "proposals": count(self.proposals()),
        }
        disciplined = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Outcome.party_members), 0)).where(
            Outcome.id.in_(self.outcomes("disciplined"))))
        informant = {
            "informants_by_level": self.informants(), "informant_reports": count(self.reports("informant")),
            "defused": count(self.outcomes("defused")), "verified": count(self.outcomes("verified")),
            "cases_filed": count(self.outcomes("filed")), "disciplined": int(disciplined or 0),
            "petitions": self.petitions(),
        }
        return {"contact_point": contact, "informant": informant}

    def informants(self):
        """[{level, label, count}] of the informants serving in the region at the period's end."""
        rows = dict(db.session.execute(sa.select(ContactMember.level, sa.func.count()).where(
            ContactMember.type == "informant", ContactMember.region_code.startswith(self.prefix, autoescape=True),
            ContactMember.created_at < self.until,
            sa.or_(ContactMember.is_active.is_(True), ContactMember.deactivated_at >= self.until))
            .group_by(ContactMember.level)).all())
        return [{"level": code, "label": label, "count": rows.get(code, 0)} for code, label in LEVELS.items()]

    def petitions(self):
        """The petition volume staff recorded for exactly this region in the period's years (None: not recorded)."""
        return db.session.scalar(sa.select(sa.func.sum(PetitionVolume.volume)).where(
            PetitionVolume.region_code == self.code, PetitionVolume.year.between(self.start.year, self.end.year)))

    def step_reports(self, step):
        """A select of the report ids behind a funnel step."""
        if step in ("letters", "informant_reports"):
            return self.reports("contact_point" if step == "letters" else "informant")
        if step in ("problems", "problems_rectified"):
            cases = self.problems() if step == "problems" else self.rectified()
            return sa.select(CaseReport.report_id).where(CaseReport.case_id.in_(cases))
        if step == "units_warned":
            ids = self.warnings()
            via_case = sa.select(CaseReport.report_id).join(UnitWarning, UnitWarning.case_id == CaseReport.case_id) \
                .where(UnitWarning.id.in_(ids))
            return sa.union(via_case, sa.select(WarningReport.report_id).where(WarningReport.warning_id.in_(ids)))
        if step == "proposals":
            return sa.select(CaseReport.report_id).join(ProposalCase, ProposalCase.case_id == CaseReport.case_id) \
                .where(ProposalCase.proposal_id.in_(self.proposals()))
        if step in OUTCOME_STEPS:
            ids = self.outcomes(OUTCOME_STEPS[step])
            return sa.union(sa.select(Outcome.report_id).where(Outcome.id.in_(ids), Outcome.report_id.is_not(None)),
                            sa.select(CaseReport.report_id).join(Outcome, Outcome.case_id == CaseReport.case_id)
                            .where(Outcome.id.in_(ids)))
        raise BadRequest("未知的统计环节", code="unknown_step", fields={"step": ["未知的统计环节"]})


def change(now, before):
    """The change from before to now in per cent (one decimal), or None when there is no base."""
    if now is None or not before:
        return None
    return round((now - before) * 100.0 / before, 1)


def _changes(current, previous):
    out = {}
    for chain in ("contact_point", "informant"):
        out[chain] = {}
        for name, value in current[chain].items():
            if isinstance(value, list):
                key = "layer" if name == "letters_by_layer" else "level"
                prev = {row[key]: row["count"] for row in previous[chain][name]}
                out[chain][name] = [{key: row[key], "change_pct": change(row["count"], prev.get(row[key]))}
                                    for row in value]
            else:
                out[chain][name] = change(value, previous[chain][name])
    return out


def compute(user, args):
    """The networks' figures of a region and period with the previous period's (a year earlier) and the change."""
    region, start, end = resolve(user, args)
    current = Chains(region.code, start, end).figures()
    before = (year_before(start), year_before(end))
    previous = Chains(region.code, *before).figures()
    return {"region_code": region.code, "region_name": region.display_name, "from": start, "to": end,
            "previous_from": before[0], "previous_to": before[1], **current, "previous": previous,
            "change_pct": _changes(current, previous)}


def step_report_ids(user, args, step):
    """The region, period and a select of the report ids behind one step (visibility is the caller's to apply)."""
    region, start, end = resolve(user, args)
    return region, start, end, Chains(region.code, start, end).step_reports(step)
