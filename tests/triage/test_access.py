"""Leak rules with real accounts: scope, the accused, heads of a level, recusals, publishers, unit handlers."""

from datetime import timedelta

from app.core.timeutil import today_cst
from app.extensions import db
from tests.conftest import error_of
from tests.triage.factories import LONGJING, LUOJIAPO, make_report, triage_world_fixture  # noqa: F401  (fixture)

URL = "/api/v1/triage/reports"


def _ids(client, headers, **params):
    resp = client.get(URL, headers=headers, query_string=params)
    assert resp.status_code == 200, resp.get_json()
    return [item["id"] for item in resp.get_json()["items"]]


def test_inspector_sees_only_his_region_subtree(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        mine, other = make_report(LONGJING), make_report(LUOJIAPO)
    assert set(_ids(client, h["county"])) == {mine, other}
    assert _ids(client, h["township"]) == [mine]
    assert _ids(client, h["majiadu"]) == [other]
    assert error_of(client.get(f"{URL}/{other}", headers=h["township"]))["code"] == "report_not_found"
    assert client.get(f"{URL}/{other}", headers=h["majiadu"]).status_code == 200


def test_accused_account_never_sees_the_report(app, client, triage_world, make_user, token_for):
    accused = make_user(("inspector", LONGJING))
    with app.app_context():
        about_him = make_report(target_user_id=accused, target_person_post="村党支部书记")
        other = make_report()
    headers = token_for(accused)
    assert _ids(client, headers) == [other]
    assert client.get(f"{URL}/{about_him}", headers=headers).status_code == 404
    assert client.post(f"{URL}/{about_him}/accept", headers=headers, json={"disposition": "talk_inquiry"}
                       ).status_code == 404
    assert about_him in _ids(client, triage_world["h"]["county"])


def test_report_about_a_township_head_goes_to_the_county(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        head = make_report(target_person_post="宝丰镇镇长", target_person_name="李四")
        cadre = make_report(target_person_post="村委会主任")
    assert _ids(client, h["township"]) == [cadre]
    assert client.get(f"{URL}/{head}", headers=h["township"]).status_code == 404
    assert set(_ids(client, h["county"])) == {head, cadre}
    detail = client.get(f"{URL}/{head}", headers=h["county"]).get_json()
    assert detail["target"]["person_name"] == "李四"


def test_recused_inspector_gets_404(app, client, triage_world):
    h, ids = triage_world["h"], triage_world["ids"]
    with app.app_context():
        rid = make_report()
    resp = client.post("/api/v1/triage/recusals", headers=h["admin"],
                       json={"inspector_id": ids["township"], "village_code": LONGJING, "reason": "近亲属在该村任职"})
    assert resp.status_code == 201, resp.get_json()
    recusal_id = resp.get_json()["id"]
    assert _ids(client, h["township"]) == []
    assert error_of(client.get(f"{URL}/{rid}", headers=h["township"]))["code"] == "report_not_found"
    assert _ids(client, h["county"]) == [rid]
    listed = client.get("/api/v1/triage/recusals", headers=h["admin"]).get_json()
    assert [r["village_code"] for r in listed] == [LONGJING]
    assert client.delete(f"/api/v1/triage/recusals/{recusal_id}", headers=h["admin"]).status_code == 204
    assert _ids(client, h["township"]) == [rid]


def test_recusal_endpoints_refuse_bad_input_and_non_admins(client, triage_world):
    h, ids = triage_world["h"], triage_world["ids"]
    body = {"inspector_id": ids["township"], "village_code": LONGJING, "reason": "回避"}
    assert error_of(client.post("/api/v1/triage/recusals", headers=h["county"], json=body))["code"] == "forbidden"
    assert client.get("/api/v1/triage/recusals", headers=h["township"]).status_code == 403
    assert client.get("/api/v1/triage/recusals").status_code == 401
    bad = error_of(client.post("/api/v1/triage/recusals", headers=h["admin"], json={**body, "village_code": "12"}))
    assert bad["code"] == "validation_error" and "village_code" in bad["fields"]
    not_inspector = client.post("/api/v1/triage/recusals", headers=h["admin"],
                                json={**body, "inspector_id": ids["publisher"]})
    assert error_of(not_inspector)["code"] == "not_inspector"
    assert client.post("/api/v1/triage/recusals", headers=h["admin"], json=body).status_code == 201
    assert error_of(client.post("/api/v1/triage/recusals", headers=h["admin"], json=body))["code"] == "recusal_exists"
    assert client.delete("/api/v1/triage/recusals/999", headers=h["admin"]).status_code == 404


def test_publishers_reviewers_residents_see_no_tipoffs(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        rid = make_report()
    for who in ("publisher", "reviewer", "resident", "custodian"):
        assert error_of(client.get(URL, headers=h[who]))["code"] == "forbidden", who
        assert client.get(f"{URL}/{rid}", headers=h[who]).status_code == 403, who
    assert client.get(URL).status_code == 401


def test_unit_handler_sees_only_assigned_reports_without_identity(app, client, triage_world):
    from app.triage import service
    from app.triage.models import Assignment

    h = triage_world["h"]
    with app.app_context():
        assigned, other = make_report(kind="question"), make_report(kind="question")
    due = (today_cst() + timedelta(days=10)).isoformat()
    assert client.post(f"{URL}/{assigned}/accept", headers=h["county"], json={}).status_code == 200
    resp = client.post(f"{URL}/{assigned}/assign", headers=h["county"], json={"unit_id": triage_world["agri"],
                                                                            "due_date": due})
    assert resp.status_code == 200, resp.get_json()
    detail = client.get(f"{URL}/{assigned}", headers=h["handler"])
    assert detail.status_code == 200
    body = detail.get_json()
    assert body["reporter"] == {"anonymous": False, "sealed": True, "display": "身份信息不向承办单位提供"}
    assert body["target"] is None and body["allowed_actions"] == []
    assert "张三丰" not in detail.get_data(as_text=True)
    assert client.get(f"{URL}/{other}", headers=h["handler"]).status_code == 404
    assert client.get(f"{URL}/{assigned}", headers=h["edu_handler"]).status_code == 404
    assert client.post(f"{URL}/{assigned}/conclude", headers=h["handler"], json={"result": "已处理"}).status_code == 403
    with app.app_context():
        from app.auth.models import User

        user = db.session.get(User, triage_world["ids"]["handler"])
        report_ids = [r.id for r in db.session.scalars(service.visible_reports_stmt(user))]
        assert report_ids == [assigned]
        assignment = db.session.scalars(db.select(Assignment)).one()
        service.answer_assignment(user, assignment, answer="已核实并整改", rectified=True)
        db.session.commit()
    detail = client.get(f"{URL}/{assigned}", headers=h["county"]).get_json()
    assert detail["status"] == "responded"
    assert detail["assignments"][0]["rectified"] is True


def test_never_assigned_to_the_accused_persons_unit(app, client, triage_world, make_user):
    h, agri = triage_world["h"], triage_world["agri"]
    accused = make_user(("unit_handler", None, agri), unit_id=agri)
    with app.app_context():
        by_account = make_report(kind="question", target_user_id=accused)
        by_unit = make_report(kind="question", target_unit_id=triage_world["edu"])
    due = (today_cst() + timedelta(days=10)).isoformat()
    for rid, unit in ((by_account, agri), (by_unit, triage_world["edu"])):
        assert client.post(f"{URL}/{rid}/accept", headers=h["county"], json={}).status_code == 200
        resp = client.post(f"{URL}/{rid}/assign", headers=h["county"], json={"unit_id": unit, "due_date": due})
        assert resp.status_code == 409 and error_of(resp)["code"] == "assign_to_accused_unit"
    resp = client.post(f"{URL}/{by_unit}/assign", headers=h["county"], json={"unit_id": agri, "due_date": due})
    assert resp.status_code == 200
