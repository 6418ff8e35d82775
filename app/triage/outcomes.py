"""Outcomes: how a report or a problem (case) ended, with date and actor — kept beside its disposition.

A disposition (谈话函询, 初步核实 …) says how a matter is handled; an outcome says how it ended: 超前化解 (with what
was done), 初步核实 with its verdict (属实 / 部分属实 / 不属实), 立案 (case number, date), 处分 (persons, of which
party members), 转有关部门 (which) and 了结. The networks' figures count them.
"""

import sqlalchemy as sa

from app.core.timeutil import today_cst, utcnow
from app.errors import BadRequest, Conflict
from app.extensions import db
from app.regions.models import Unit
from app.reports.timeline import add_event
from app.security.service import audit
from app.triage import cases
from app.triage import service as triage
from app.triage.access import scope_label
from app.triage.network_models import OUTCOME_KINDS, VERDICTS, Outcome


def _field_error(code, field, message):
    return BadRequest(message, code=code, fields={field: [message]})


def check(data, county_code):
    """Validate what each kind of outcome needs; returns the column values."""
    kind = data["kind"]
    if data["occurred_on"] > today_cst():
        raise _field_error("date_in_future", "occurred_on", "日期不能晚于今天")
    note = (data.get("note") or "").strip() or None
    row = {"kind": kind, "occurred_on": data["occurred_on"], "note": note}
    if kind == "defused" and not note:
        raise _field_error("note_required", "note", "请填写超前化解的具体做法")
    if kind == "verified":
        if data.get("verdict") not in VERDICTS:
            raise _field_error("verdict_required", "verdict", "请选择核实结果：属实、部分属实或不属实")
        row["verdict"] = data["verdict"]
    if kind == "filed":
        number = (data.get("case_number") or "").strip()
        if not number:
            raise _field_error("case_number_required", "case_number", "请填写立案编号")
        row["case_number"] = number
    if kind == "disciplined":
        persons, members = data.get("persons"), data.get("party_members")
        if not persons or persons < 1:
            raise _field_error("persons_required", "persons", "请填写受处分人数")
        if members is None or members < 0 or members > persons:
            raise _field_error("party_members_invalid", "party_members", "其中党员人数应在 0 到受处分人数之间")
        row.update(persons=persons, party_members=members)
    if kind == "referred":
        unit = db.session.get(Unit, data["unit_id"]) if data.get("unit_id") else None
        if data.get("unit_id") and (unit is None or not unit.region_code.startswith(county_code[:6])):
            raise _field_error("unit_not_found", "unit_id", "未找到该单位")
        department = (data.get("department") or "").strip() or (unit.name if unit else "")
        if not department:
            raise _field_error("department_required", "department", "请选择或填写转交的有关部门")
        row.update(unit_id=unit.id if unit else None, department=department[:120])
    return row


def _filed_twice(row):
    if row["kind"] != "filed":
        return
    taken = db.session.scalar(sa.select(Outcome.id).where(Outcome.kind == "filed",
                                                          Outcome.case_number == row["case_number"]))
    if taken is not None:
        raise Conflict(f"立案编号 {row['case_number']} 已登记", code="duplicate_case_number",
                       fields={"case_number": ["该立案编号已登记"]})


def label(outcome):
    """The outcome as one line of Chinese: 初步核实：部分属实, 处分 3 人（党员 2 人）…"""
    text = OUTCOME_KINDS.get(outcome.kind, outcome.kind)
    if outcome.kind == "verified":
        text += "：" + VERDICTS.get(outcome.verdict, "")
    elif outcome.kind == "filed":
        text += f"：{outcome.case_number}"
    elif outcome.kind == "disciplined":
        text += f" {outcome.persons} 人（其中党员 {outcome.party_members} 人）"
    elif outcome.kind == "referred":
        text += f"：{outcome.department}"
    return text


def record_for_report(user, report_id, data):
    """Record an outcome of a report the user may triage (an internal timeline step)."""
    report = triage.get_report_for(user, report_id)
    triage.require_triage(user, report)
    row = check(data, report.county_code)
    _filed_twice(row)
    outcome = Outcome(report_id=report.id, actor_id=user.id, created_at=utcnow(), **row)
    db.session.add(outcome)
    db.session.flush()
    note = f"{label(outcome)}（{outcome.occurred_on.isoformat()}）" + (f"：{row['note']}" if row["note"] else "")
    add_event(report, "outcome", actor=user, actor_label=scope_label(user, report), note=note)
    audit("outcome.record", user, "report", report.id, {"outcome_id": outcome.id, "kind": outcome.kind})
    db.session.commit()
    return outcome


def record_for_case(user, case_id, data):
    """Record an outcome of a problem (case) the user may work on."""
    case = cases.get_case(user, case_id)
    row = check(data, case.county_code)
    _filed_twice(row)
    outcome = Outcome(case_id=case.id, actor_id=user.id, created_at=utcnow(), **row)
    db.session.add(outcome)
    db.session.flush()
    audit("outcome.record", user, "case", case.id, {"outcome_id": outcome.id, "kind": outcome.kind})
    db.session.commit()
    return outcome


def for_report(user, report_id):
    """The outcomes of a report the user may see, oldest first."""
    report = triage.get_report_for(user, report_id)
    return list(db.session.scalars(sa.select(Outcome).where(Outcome.report_id == report.id).order_by(Outcome.id)))


def for_case(user, case_id):
    """The outcomes of a case the user may see, oldest first."""
    case = cases.get_case(user, case_id)
    return list(db.session.scalars(sa.select(Outcome).where(Outcome.case_id == case.id).order_by(Outcome.id)))
