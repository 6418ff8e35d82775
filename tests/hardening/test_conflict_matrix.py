"""The authorization matrix over channels and conflicts (issue 12, deliverable 9).

A tip-off sent through each channel (H5 form, mini-program anonymous and real-name, a letter entered by staff, a
contact-point member) names (a) a roster person linked to an inspector account, (b) a unit, (c) "竹山县农业农村局
局长". Along the report's whole life (received → accepted → on hold → assigned → in a case, warned → responded →
concluded → reopened → closed) every report-bearing route is tried by the accused's own account, a handler of the
accused's unit, a recused inspector, out-of-scope inspectors and a namesake custodian: each is refused and no answer
names the report, while the clean county inspector moves it on (so the matrix can fail).
"""

from datetime import date

import pytest

from tests.hardening import conflict_probe as p
from tests.hardening.conflict_world import (
    CHANNELS,
    DUE,
    EXPECTED_MATCHES,
    PARTIES,
    TARGETS,
    build,
    headers,
    latest_id,
    status_of,
    with_decoy,
)
from tests.hardening.world import HOME, shared_world_keeps_db  # noqa: F401 (fixture)

CASES_MATRIX = [(c, t) for c in CHANNELS for t in TARGETS]


@pytest.fixture(scope="module", name="cw")
def conflict_world(app):
    """The conflict world, built once for the module and emptied afterwards."""
    from tests.conftest import _truncate

    _truncate(app)
    try:
        yield build(app)
    finally:
        _truncate(app)


def test_every_report_route_is_classified(app):
    """A new route that can reach a report fails here until the matrix probes it."""
    routes = p.report_bearing(app)
    missing = [f"利益冲突矩阵未覆盖的接口: {m} {r}" for m, r in sorted(routes - p.CLASSIFIED)]
    stale = [f"利益冲突矩阵中的接口已不存在: {m} {r}" for m, r in sorted(p.CLASSIFIED - p.PENDING - routes)]
    assert not missing + stale, "\n".join(missing + stale)


def test_the_h5_form_offers_the_roster_person_and_the_units(app, cw):
    """The H5 channel picks whom the report is about from the page it renders (the ids the form's script sends)."""
    page = app.test_client().get(f"/v/{HOME}/report").get_data(as_text=True)
    assert f'value="{cw.cadre}"' in page and f'value="{cw.agri}"' in page


def _expected_matches(cw, target):
    ids = {"agri": cw.agri}
    return {(kind, cw.ids[name] if kind == "user" else ids[name]) for kind, name in EXPECTED_MATCHES[target]}


def _disposition(r, value):
    """Only a tip-off is accepted or held with a disposition (a contact-point report takes none)."""
    return {} if r.channel == "contact_point" else {"disposition": value}


def _received(pr, r, cw):
    """Parties try every read and every move a received report allows; the clean inspector reads it."""
    rid, q = {"report_id": r.id}, pr
    for key in (p.DETAIL, p.SIMILAR, p.CONFLICTS):
        q.refused(key, rid)
    q.hidden(p.SIMILAR, params={"report_id": r.decoy.id})  # a report he may see never lists this one as similar
    q.refused(p.UPLOAD, {"upload_id": r.upload})
    conflicts = q.reaches(p.CONFLICTS, rid, shows=False)
    found = {("user", m["user_id"]) if m["user_id"] else ("unit", m["unit_id"]) for m in conflicts["possible_matches"]}
    assert _expected_matches(cw, r.target) <= found, (r.channel, r.target, conflicts)
    q.refused(p.CLEAR, {**rid, "conflict_id": conflicts["possible_matches"][0]["id"]}, {"reason": "同名不同人，已核实"})
    q.reaches(p.DETAIL, rid)
    q.reaches(p.SIMILAR, {"report_id": r.decoy.id})
    q.reaches(p.UPLOAD, {"upload_id": r.upload}, shows=False)
    q.refused(p.act("accept"), rid, _disposition(r, "preliminary_verification"))
    q.refused(p.act("refuse"), rid, {"reason": "不属于受理范围"})
    q.refused(p.MESSAGES, rid, {"content": "已收悉", "visibility": "internal"})
    q.refused(p.CASES, body={"report_ids": [r.id], "title": "合并测试"})
    q.refused(p.WARN, body={"unit_id": cw.edu, "report_ids": [r.id], "content": "请核查。", "due_date": DUE})
    q.reaches(p.MESSAGES, rid, {"content": "已收悉，正在核查", "visibility": "internal"}, status=201, shows=False)


def _custody(pr, r, cw):
    """A real-name report: parties never file an identity request; a namesake custodian never sees or decides one."""
    from app.triage.models import IdentityRequest

    rid = {"report_id": r.id}
    pr.refused(p.IDENTITY, rid, {"reason": "需要联系举报人核实情况"})
    pr.reaches(p.IDENTITY, rid, {"reason": "需要联系举报人核实细节"}, status=201)
    request = {"request_id": latest_id(cw, IdentityRequest, report_id=r.id)}
    pr.refused(p.APPROVE, request, {})
    pr.refused(p.DENY, request, {})
    pr.hidden(p.CUSTODY_LIST, {"limit": 100})
    pr.reaches(p.CUSTODY_LIST, query={"limit": 100}, role="custodian")
    return request


def _accepted(pr, r, cw):
    """Accepted: parties cannot hold, assign, conclude; nobody can assign it or warn the accused's unit."""
    rid = {"report_id": r.id}
    pr.reaches(p.act("accept"), rid, _disposition(r, "preliminary_verification"))
    pr.refused(p.act("hold"), rid, _disposition(r, "hold_pending"))
    pr.refused(p.act("assign"), rid, {"unit_id": cw.edu, "due_date": DUE})
    pr.refused(p.act("conclude"), rid, {"result": "经核实问题不存在。"})
    accused_unit = cw.baofeng_gov if r.target == "roster_person" else cw.agri
    refused = pr.call("clean", p.act("assign"), rid, {"unit_id": accused_unit, "due_date": DUE})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "assign_to_accused_unit"
    warned = pr.call("clean", p.WARN, body={"unit_id": accused_unit, "report_ids": [r.id], "content": "请核查。",
                                             "due_date": DUE})
    assert warned.status_code == 409 and warned.get_json()["error"]["code"] == "accused_unit"
    pr.reaches(p.act("hold"), rid, _disposition(r, "hold_pending"))
    pr.refused(p.act("resume"), rid, {})
    pr.reaches(p.act("resume"), rid, {})


def _in_work(pr, r, cw):
    """Assigned to a clean unit, in a case, warned: parties reach neither the case, the assignment nor the warning."""
    from app.triage.case_models import Case, UnitWarning
    from app.triage.models import Assignment

    rid = {"report_id": r.id}
    pr.reaches(p.act("assign"), rid, {"unit_id": cw.edu, "due_date": DUE})
    assignment = {"assignment_id": latest_id(cw, Assignment, report_id=r.id)}
    pr.refused(p.ASSIGNMENT_ANSWER, assignment, {"content": "已整改完毕。", "rectified": True})
    pr.reaches(p.CASES, body={"report_ids": [r.id], "title": f"{r.marker}反映的问题"}, status=201)
    case = {"case_id": latest_id(cw, Case)}
    pr.refused(p.CASE, case)
    pr.refused(p.CASE_REPORTS, case, {"report_ids": [r.decoy.id]})
    pr.reaches(p.CASE, case)
    pr.reaches(p.WARN, body={"unit_id": cw.edu, "case_id": case["case_id"], "report_ids": [r.id],
                             "content": "请核查修路资金使用情况并整改。", "due_date": DUE}, status=201)
    warning = {"warning_id": latest_id(cw, UnitWarning)}
    pr.refused(p.WARNING_ANSWER, warning, {"content": "已整改完毕。", "rectified": True})
    pr.refused(p.WARNING_RECTIFY, warning, {"state": "rectifying", "content": "正在整改。"})
    pr.reaches(p.UNIT_ASSIGNMENTS, query={"limit": 100}, role="edu_handler")
    pr.reaches(p.ASSIGNMENT_ANSWER, assignment, {"content": "已核实并整改。", "rectified": True}, role="edu_handler",
               shows=False)
    return case, assignment, warning


def _finished(pr, r, case):
    """Responded → concluded → reopened → concluded → closed, parties refused at every step."""
    rid = {"report_id": r.id}
    pr.refused(p.act("conclude"), rid, {"result": "经核实问题不存在。"})
    pr.refused(p.CASE_CONCLUDE, case, {"result": "问题已查实并整改。"})
    pr.reaches(p.act("conclude"), rid, {"result": "经核实，问题已整改。"})
    outcome = {"kind": "verified", "occurred_on": date.today().isoformat(), "note": "经核实，问题属实。"}
    for key, params in ((p.RECORD_OUTCOME, rid), (p.READ_OUTCOMES, rid), (p.RECORD_CASE_OUTCOME, case),
                        (p.READ_CASE_OUTCOMES, case)):
        pr.refused(key, params, outcome if key[0] == "POST" else None)
    pr.refused(p.act("close"), rid, {})
    pr.refused(p.act("reopen"), rid, {"reason": "反映人提出异议"})
    pr.reaches(p.act("reopen"), rid, {"reason": "反映人提出异议，重新核查"})
    pr.reaches(p.act("conclude"), rid, {"result": "重新核查，问题已整改。"})
    pr.reaches(p.act("close"), rid, {})
    pr.refused(p.act("reopen"), rid, {"reason": "归档后重新办理"})
    pr.refused(p.DETAIL, rid)


def _lists(pr, r):
    """No list a party can fetch names the report; the clean inspector's do."""
    for key, query in ((p.QUEUE, {"limit": 100}), (p.QUEUE, {"q": r.marker}), (p.QUEUE, {"status": "closed"}),
                       (p.CASE_LIST, {"limit": 100}), (p.LEDGER, None), (p.LEDGER, {"format": "csv"}),
                       (p.WARN_LIST, {"limit": 100}), (p.UNIT_ASSIGNMENTS, {"limit": 100}),
                       (p.UNIT_WARNINGS, {"limit": 100}), (p.STATS, {"format": "csv", "by": "village"}),
                       (p.STATS, {"by": "unit"}), (p.CUSTODY_LIST, {"limit": 100})):
        pr.hidden(key, query)
    pr.reaches(p.QUEUE, query={"q": r.marker})
    pr.reaches(p.LEDGER, query={"format": "csv"})
    pr.reaches(p.WARN_LIST, query={"limit": 100})


@pytest.mark.parametrize(("channel", "target"), CASES_MATRIX, ids=[f"{c}-{t}" for c, t in CASES_MATRIX])
def test_parties_never_reach_the_report_on_any_route(app, cw, channel, target):
    """The whole life of one report, every API route tried by every party at the step where it would work."""
    item = with_decoy(app.test_client(), cw, channel, target, next(cw.counter))
    pr = p.Probe(cw, item, PARTIES[target], headers)
    _received(pr, item, cw)
    request = _custody(pr, item, cw) if item.real_name else None
    _accepted(pr, item, cw)
    case, _assignment, _warning = _in_work(pr, item, cw)
    assert status_of(cw, item.id) == "responded"
    _finished(pr, item, case)
    _lists(pr, item)
    if request is not None:
        pr.reaches(p.APPROVE, request, {}, role="custodian")
    expected = {k for k in p.API_ROUTES - (set() if item.real_name else p.REAL_NAME_ONLY)
                if k not in p.PENDING or pr.present(k)}
    assert pr.probed == expected, sorted(expected ^ pr.probed)
    assert not pr.problems, f"{channel} × {target}\n" + "\n".join(pr.problems)


CONSOLE_FORMS = {
    "/act/<action>": [{"action": "conclude", "conclude-result": "经核实，问题已整改。"},
                      {"action": "assign", "assign-unit_id": "{edu}", "assign-due_date": DUE}],
    "/identity-request": [{"idr-reason": "需要联系举报人核实情况"}],
    "/messages": [{"msg-content": "已收悉", "msg-visibility": "internal"}],
    "/cases/<int:case_id>/conclude": [{"result": "问题已查实并整改。"}],
    "/cases/merge": [{"report_ids": "{report}", "title": "合并测试"}, {"report_ids": "{report}", "case_id": "{case}"}],
    "/warnings/new": [{"unit_id": "{edu}", "case_id": "{case}", "content": "请核查。", "due_date": DUE}],
    "/custody/<int:request_id>/<decision>": [{"decision": "approve"}, {"decision": "deny"}],
    "/unit/assignments/<int:assignment_id>/response": [{"content": "已整改完毕。", "rectified": "1"}],
    "/unit/warnings/<int:warning_id>/response": [{"content": "已整改完毕。", "rectified": "1"}],
    "/conflicts/<int:conflict_id>/clear": [{"reason": "同名不同人，已核实"}],
    "/outcomes": [{"outcome-kind": "defused", "outcome-occurred_on": str(date.today()), "outcome-note": "已化解"}],
}


def _snapshot(cw, r, ids):
    """What a console form could change: the report's status and timeline, the case, assignment, warning, request."""
    from app.extensions import db
    from app.reports.models import Report
    from app.triage.case_models import Case, UnitWarning
    from app.triage.models import Assignment, IdentityRequest

    with cw.app.app_context():
        report = db.session.get(Report, r.id)
        return (report.status, len(report.timeline), db.session.get(Case, ids["case_id"]).status,
                db.session.get(Assignment, ids["assignment_id"]).answered_at,
                db.session.get(UnitWarning, ids["warning_id"]).status,
                db.session.get(IdentityRequest, ids["request_id"]).status,
                db.session.query(Case).count(), db.session.query(UnitWarning).count(), p.side_effects(cw, r.id))


def _console(app, username):
    from tests.console.conftest import csrf_of, login

    client = app.test_client()
    assert login(client, username).status_code == 302, username
    client.csrf = csrf_of(client.get("/console/"))
    return client


@pytest.mark.parametrize("target", TARGETS)
def test_console_pages_and_forms_never_show_the_report_to_a_party(app, cw, target):
    """Every console page and form of triage, cases, custody, warnings, ledger, unit and stats, fetched or posted by
    each party (both steps of a confirmation), never carries the report's tracking number and changes nothing."""
    from app.auth.models import User
    from app.extensions import db
    from app.triage.models import IdentityRequest

    item = with_decoy(app.test_client(), cw, "miniprogram_real_name", target, next(cw.counter))
    pr = p.Probe(cw, item, PARTIES[target], headers)
    _received(pr, item, cw)
    request = _custody(pr, item, cw)
    _accepted(pr, item, cw)
    ids, assignment, warning = _in_work(pr, item, cw)
    ids = {**ids, **assignment, **warning, **request, "report_id": item.id, "upload_id": item.upload,
           "action": "accept", "decision": "approve", "conflict_id": p.first_conflict(cw, item.id)}
    fill = {"{edu}": str(cw.edu), "{report}": str(item.id), "{case}": str(ids["case_id"])}
    before = _snapshot(cw, item, ids)
    with app.app_context():
        names = {role: db.session.get(User, cw.ids[role]).username for role in PARTIES[target]}
    for role, username in names.items():
        client = _console(app, username)
        for _method, rule in p.CONSOLE["pages"]:
            response = client.get(p.url(rule, ids))
            if response.status_code >= 500 or p.leaks(response, item):
                pr.problems.append(f"{role}: GET {rule}: {response.status_code}")
        for method, rule in p.CONSOLE["forms"]:
            suffix = next(s for s in CONSOLE_FORMS if rule.endswith(s))
            for form in CONSOLE_FORMS[suffix]:
                params = {**ids, **{k: v for k, v in form.items() if k in ("action", "decision")}}
                data = {k: fill.get(v, v) for k, v in form.items() if k not in ("action", "decision")}
                for step in ({}, {"confirm": "1"}):
                    response = client.post(p.url(rule, params), data={**data, **step, "csrf_token": client.csrf})
                    if response.status_code >= 500 or p.leaks(response, item):
                        pr.problems.append(f"{role}: {method} {rule} {form} {step}: {response.status_code}")
    assert _snapshot(cw, item, ids) == before
    clean = _console(app, "clean_inspector")  # the same pages and forms work for the clean inspector
    assert item.tracking_no in clean.get(f"/console/triage/reports/{item.id}").get_data(as_text=True)
    posted = clean.post(f"/console/triage/reports/{item.id}/messages",
                        data={"msg-content": "控制台留言", "msg-visibility": "internal", "csrf_token": clean.csrf})
    assert posted.status_code in (200, 302) and _snapshot(cw, item, ids)[1] == before[1] + 1
    with app.app_context():
        assert db.session.get(IdentityRequest, request["request_id"]).status == "pending"
    assert not pr.problems, f"console × {target}\n" + "\n".join(pr.problems)

