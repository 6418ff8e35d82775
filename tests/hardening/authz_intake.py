"""Rows of the authorization table for intake and triage (reports, triage, custody, unit), and the objects they
need in the world: reports of the home village in the states each transition starts from, an assignment and a
warning to the home unit, a case, an identity request and a recusal. Merged into authz_table.TABLE."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from tests.hardening.world import ALL, SIGNED_IN

DUE = (date.today() + timedelta(days=20)).isoformat()


def _submit(client, w, headers=None, anonymous=True):
    body = {"village_code": w.home, "kind": "tipoff", "topic": "村级债务", "anonymous": anonymous,
            "content": "村里修路的账目不公开，希望核查资金去向。"}
    if not anonymous:
        body["reporter"] = {"name": "王明", "phone": "13912345678"}
    response = client.post("/api/v1/reports", json=body, headers=headers or {})
    assert response.status_code == 201, response.get_json()
    from app.reports.models import Report

    with w.app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == response.get_json()["tracking_no"]))
        return report.id, response.get_json().get("receipt_code")


def _act(client, headers, report_id, action, body):
    response = client.post(f"/api/v1/triage/reports/{report_id}/{action}", json=body, headers=headers)
    assert response.status_code in (200, 201), (action, response.get_json())
    return response.get_json()


def _id_of(w, model, **where):
    with w.app.app_context():
        return db.session.scalar(sa.select(model.id).filter_by(**where).order_by(model.id.desc()))


def build_intake(w, app):
    """Add intake and triage objects to the world (all in the home village / home unit)."""
    from app.triage.case_models import Case, UnitWarning
    from app.triage.models import Assignment, IdentityRequest, Recusal

    w.app, client, api = app, app.test_client(), w.users_api
    inspector, handler = api.headers(w.inspector_home), api.headers(w.handler_home)
    admin = api.headers(w.users["admin"])
    w.received, w.receipt = _submit(client, w)
    w.merge_me, _ = _submit(client, w)
    w.real_name, _ = _submit(client, w, api.headers(w.resident_target), anonymous=False)
    _act(client, inspector, w.real_name, "accept", {"disposition": "preliminary_verification"})
    w.accepted, _ = _submit(client, w)
    _act(client, inspector, w.accepted, "accept", {"disposition": "preliminary_verification"})
    w.on_hold, _ = _submit(client, w)
    _act(client, inspector, w.on_hold, "accept", {"disposition": "hold_pending"})
    _act(client, inspector, w.on_hold, "hold", {"disposition": "hold_pending"})
    w.assigned, _ = _submit(client, w)
    _act(client, inspector, w.assigned, "accept", {"disposition": "preliminary_verification"})
    _act(client, inspector, w.assigned, "assign", {"unit_id": w.home_unit, "due_date": DUE})
    w.assignment = _id_of(w, Assignment, report_id=w.assigned)
    w.concluded, _ = _submit(client, w)
    _act(client, inspector, w.concluded, "accept", {"disposition": "close_out"})
    _act(client, inspector, w.concluded, "conclude", {"result": "经核实，账目已公开。"})
    _act(client, inspector, w.real_name, "identity-requests", {"reason": "需要联系实名举报人核实细节"})
    w.identity_request = _id_of(w, IdentityRequest, report_id=w.real_name)
    case = client.post("/api/v1/triage/cases", headers=inspector,
                       json={"report_ids": [w.accepted], "title": "龙井村修路资金问题"})
    assert case.status_code == 201, case.get_json()
    w.case = _id_of(w, Case)
    warning = client.post("/api/v1/triage/warnings", headers=inspector, json={
        "unit_id": w.home_unit, "content": "请核查修路资金使用情况并整改。", "due_date": DUE})
    assert warning.status_code == 201, warning.get_json()
    w.warning = _id_of(w, UnitWarning)
    recusal = client.post("/api/v1/triage/recusals", headers=admin, json={
        "inspector_id": w.inspector_home, "village_code": w.other_village, "reason": "近亲属在该村任职"})
    assert recusal.status_code == 201, recusal.get_json()
    w.recusal = _id_of(w, Recusal)
    from app.regions.models import Cadre

    with app.app_context():  # a roster person of the home village, for linking to an account
        cadre = Cadre(village_code=w.home, name="张建国", post="村党支部书记", is_party_member=True)
        db.session.add(cadre)
        db.session.commit()
        w.cadre = cadre.id
    assert handler  # the home unit's handler exists; the personas' handler is of another unit
    return w


def rows(Rule, S):  # noqa: N803 - the table's own names
    """The intake and triage rows (only the home county's inspector, the home unit and custodian are insiders)."""
    admin, custodian, nobody = S("admin"), S("custodian"), frozenset()
    report = {"hides": True}

    def rid(name):
        return lambda w: {"report_id": getattr(w, name)}

    return {
        ("POST", "/api/v1/reports"): Rule(ALL, sample=lambda w: {
            "village_code": w.home, "kind": "suggestion", "topic": "村级债务", "anonymous": True,
            "content": "建议每季度公开一次村级债务情况。"}),
        ("GET", "/api/v1/reports/topics"): Rule(ALL),
        ("POST", "/api/v1/reports/track"): Rule(ALL, sample=lambda w: {"receipt_code": w.receipt}),
        ("POST", "/api/v1/reports/track/messages"): Rule(
            ALL, sample=lambda w: {"receipt_code": w.receipt, "content": "请问有进展了吗？"}),
        ("POST", "/api/v1/reports/track/dispute"): Rule(
            ALL, sample=lambda w: {"receipt_code": w.receipt, "reason": "办理结果与事实不符"}),
        ("GET", "/api/v1/reports/track/<code>"): Rule(ALL, path=lambda w: {"code": w.receipt}),  # 410
        ("POST", "/api/v1/reports/track/<code>/messages"): Rule(ALL, path=lambda w: {"code": w.receipt}),  # 410
        ("GET", "/api/v1/me/reports"): Rule(SIGNED_IN),
        ("GET", "/api/v1/triage/reports"): Rule(S("inspector_other")),
        ("GET", "/api/v1/triage/reports/<int:report_id>"): Rule(nobody, path=rid("received"), **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/accept"): Rule(
            nobody, path=rid("received"), sample=lambda w: {"disposition": "preliminary_verification"}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/refuse"): Rule(
            nobody, path=rid("received"), sample=lambda w: {"reason": "不属于受理范围"}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/assign"): Rule(
            nobody, path=rid("accepted"), sample=lambda w: {"unit_id": w.home_unit, "due_date": DUE}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/hold"): Rule(
            nobody, path=rid("accepted"), sample=lambda w: {"disposition": "hold_pending"}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/resume"): Rule(
            nobody, path=rid("on_hold"), sample=lambda w: {}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/conclude"): Rule(
            nobody, path=rid("accepted"), sample=lambda w: {"result": "经核实问题不存在。"}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/close"): Rule(
            nobody, path=rid("concluded"), sample=lambda w: {}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/reopen"): Rule(
            nobody, path=rid("concluded"), sample=lambda w: {"reason": "反映人提出异议"}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/messages"): Rule(
            nobody, path=rid("accepted"), sample=lambda w: {"content": "已收悉", "visibility": "public"}, **report),
        ("GET", "/api/v1/triage/reports/<int:report_id>/similar"): Rule(nobody, path=rid("received"), **report),
        ("GET", "/api/v1/triage/reports/<int:report_id>/conflicts"): Rule(nobody, path=rid("received"), **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/conflicts/<int:conflict_id>/clear"): Rule(
            nobody, path=lambda w: {"report_id": w.received, "conflict_id": 1},
            sample=lambda w: {"reason": "同名村民，并非该工作人员"}, **report),
        ("POST", "/api/v1/triage/reports/<int:report_id>/identity-requests"): Rule(
            nobody, path=rid("real_name"), sample=lambda w: {"reason": "需要联系举报人核实情况"}, **report),
        ("GET", "/api/v1/custody/identity-requests"): Rule(custodian),
        ("POST", "/api/v1/custody/identity-requests/<int:request_id>/approve"): Rule(
            custodian, path=lambda w: {"request_id": w.identity_request}, sample=lambda w: {}, hides=True),
        ("POST", "/api/v1/custody/identity-requests/<int:request_id>/deny"): Rule(
            custodian, path=lambda w: {"request_id": w.identity_request}, sample=lambda w: {}, hides=True),
        ("GET", "/api/v1/triage/recusals"): Rule(admin),
        ("POST", "/api/v1/triage/recusals"): Rule(admin, sample=lambda w: {
            "inspector_id": w.inspector_home, "village_code": w.home, "reason": "本人户籍在该村"}),
        ("DELETE", "/api/v1/triage/recusals/<int:recusal_id>"): Rule(
            admin, path=lambda w: {"recusal_id": w.recusal}, hides=True),
        ("POST", "/api/v1/triage/cases"): Rule(
            nobody, sample=lambda w: {"report_ids": [w.received], "title": "合并测试"}, hides=True),
        ("GET", "/api/v1/triage/cases"): Rule(S("inspector_other")),
        ("GET", "/api/v1/triage/cases/<int:case_id>"): Rule(nobody, path=lambda w: {"case_id": w.case}, hides=True),
        ("POST", "/api/v1/triage/cases/<int:case_id>/reports"): Rule(
            nobody, path=lambda w: {"case_id": w.case}, sample=lambda w: {"report_ids": [w.merge_me]}, hides=True),
        ("POST", "/api/v1/triage/cases/<int:case_id>/conclude"): Rule(
            nobody, path=lambda w: {"case_id": w.case}, sample=lambda w: {"result": "问题已查实并整改。"}, hides=True),
        ("POST", "/api/v1/triage/warnings"): Rule(nobody, sample=lambda w: {
            "unit_id": w.home_unit, "content": "请核查。", "due_date": DUE}, hides=True),
        ("GET", "/api/v1/triage/warnings"): Rule(S("inspector_other")),
        ("GET", "/api/v1/triage/ledger"): Rule(S("inspector_other")),
        ("GET", "/api/v1/triage/stats"): Rule(S("inspector_other", "admin")),
        ("GET", "/api/v1/unit/assignments"): Rule(S("handler_other")),
        ("POST", "/api/v1/unit/assignments/<int:assignment_id>/response"): Rule(
            nobody, path=lambda w: {"assignment_id": w.assignment},
            sample=lambda w: {"content": "已整改完毕。", "rectified": True}, hides=True),
        ("GET", "/api/v1/unit/warnings"): Rule(S("handler_other")),
        ("POST", "/api/v1/unit/warnings/<int:warning_id>/response"): Rule(
            nobody, path=lambda w: {"warning_id": w.warning},
            sample=lambda w: {"content": "已整改完毕。", "rectified": True}, hides=True),
    }
