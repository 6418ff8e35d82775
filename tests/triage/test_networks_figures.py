"""GET /triage/stats/networks: the demo year gives the plan's figures; one letter moves `letters` by one only; a
chain built through the API is counted exactly; downloads; who may not call."""

import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.timeutil import today_cst
from app.extensions import db
from tests.triage.factories import triage_world_fixture  # noqa: F401  (fixture)
from tests.triage.network_helpers import COUNTY, LONGJING, LUOJIAPO, enter_letter, register_member

ZHAOYUAN = "230622000000"
URL = "/api/v1/triage/stats/networks"


def _flat(result):
    cp, inf = result["contact_point"], result["informant"]
    out = {k: v for k, v in cp.items() if k != "letters_by_layer"}
    out["letters_by_layer"] = {row["layer"]: row["count"] for row in cp["letters_by_layer"]}
    out.update({k: v for k, v in inf.items() if k != "informants_by_level"})
    out["informants_by_level"] = {row["level"]: row["count"] for row in inf["informants_by_level"]}
    return out


def _demo(app, token_for):
    from app.auth.models import User
    from app.demo.networks import SMALL, load

    with app.app_context():
        expected = load(SMALL, echo=lambda *_: None)
        inspector = db.session.scalar(sa.select(User.id).where(User.username == "zy_inspector"))
    return SMALL, expected, token_for(inspector)


def test_demo_year_answers_the_plans_figures_and_one_letter_moves_only_letters(app, client, token_for):
    plan, expected, headers = _demo(app, token_for)
    result = client.get(URL, query_string={"region_code": ZHAOYUAN}, headers=headers)
    assert result.status_code == 200, result.get_json()
    figures = _flat(result.get_json())
    assert {k: figures[k] for k in expected} == expected
    county, per_township, _ = plan.informants
    assert figures["informants_by_level"] == {"county": county, "township": 21 * per_township, "village": 0}
    body = result.get_json()
    assert body["previous"]["informant"]["petitions"] == plan.petitions[0]
    assert body["change_pct"]["informant"]["petitions"] == -50.0
    assert body["previous"]["contact_point"]["letters"] == 0 and body["change_pct"]["contact_point"]["letters"] is None

    with app.app_context():
        from app.contacts.models import ContactMember

        member = db.session.scalar(sa.select(ContactMember).where(ContactMember.type == "contact_point",
                                                                 ContactMember.layer == "deputy").limit(1))
        member_id = member.id
    enter_letter(client, headers, member_id, content="又一封来信：村务公开栏半年未更新。")
    after = _flat(client.get(URL, query_string={"region_code": ZHAOYUAN}, headers=headers).get_json())
    assert after["letters"] == figures["letters"] + 1
    assert after["letters_by_layer"]["deputy"] == figures["letters_by_layer"]["deputy"] + 1
    changed = {k for k in figures if after[k] != figures[k]}
    assert changed == {"letters", "letters_by_layer"}


def test_a_chain_built_through_the_api_is_counted_exactly(app, client, triage_world):
    h = triage_world["h"]
    farmers = [register_member(client, h["county"], name=f"农民{i}", phone=f"1387100001{i}") for i in range(2)]
    cadres = [register_member(client, h["county"], name=f"老干部{i}", layer="retired_cadre", region=LUOJIAPO,
                              phone=f"1387100002{i}") for i in range(2)]
    tracking = [enter_letter(client, h["county"], m["id"], content=f"第{n}封：通村路工程质量差，刚修就坏。")
                ["tracking_no"] for n, m in enumerate(farmers + cadres)]
    with app.app_context():
        from app.reports.models import Report

        report_ids = list(db.session.scalars(sa.select(Report.id).where(Report.tracking_no.in_(tracking))))
    case = client.post("/api/v1/triage/cases", json={"report_ids": report_ids, "title": "通村路工程质量"},
                       headers=h["county"]).get_json()
    due = (today_cst() + timedelta(days=20)).isoformat()
    warned = []
    for unit in (triage_world["agri"], triage_world["edu"]):
        body = {"unit_id": unit, "case_id": case["id"], "due_date": due, "content": "请限期整改通村路质量问题"}
        response = client.post("/api/v1/triage/warnings", json=body, headers=h["county"])
        assert response.status_code == 201, response.get_json()
        warned.append(response.get_json()["id"])
    url = f"/api/v1/unit/warnings/{warned[0]}/rectification"
    rectifying = client.post(url, json={"state": "rectifying", "content": "正在返修"}, headers=h["handler"])
    assert rectifying.status_code == 200
    assert client.post(url, json={"state": "rectified", "content": "已返修"},
                       headers=h["handler"]).get_json()["error"]["code"] == "evidence_required"
    done = client.post(url, json={"state": "rectified", "content": "已返修完毕", "evidence": "验收单、照片存档"},
                       headers=h["handler"]).get_json()
    assert [r["state_label"] for r in done["responses"]] == ["正在整改", "整改完毕"]
    proposal = client.post("/api/v1/triage/proposals", json={
        "region_code": COUNTY, "addressee": "government", "title": "关于通村路质量监管的建议",
        "content": "建议建立通村路工程质量终身责任制。", "sent_on": today_cst().isoformat(), "case_ids": [case["id"]]},
        headers=h["county"])
    assert proposal.status_code == 201, proposal.get_json()
    figures = _flat(client.get(URL, query_string={"region_code": COUNTY}, headers=h["county"]).get_json())
    assert {k: figures[k] for k in ("letters", "problems", "units_warned", "problems_rectified", "proposals")} == {
        "letters": 4, "problems": 1, "units_warned": 2, "problems_rectified": 0, "proposals": 1}
    assert figures["letters_by_layer"]["farmer"] == 2 and figures["letters_by_layer"]["retired_cadre"] == 2
    other = f"/api/v1/unit/warnings/{warned[1]}/rectification"
    client.post(other, json={"state": "rectified", "content": "已整改", "evidence": "整改报告"},
                headers=h["edu_handler"])
    again = _flat(client.get(URL, query_string={"region_code": COUNTY}, headers=h["county"]).get_json())
    assert again["problems_rectified"] == 1
    township = _flat(client.get(URL, query_string={"region_code": "420323103000"}, headers=h["county"]).get_json())
    assert township["letters"] == 2  # 龙井村 lies in 宝丰镇, 罗家坡村 does not
    assert LONGJING.startswith("420323103")


def test_downloads_and_who_may_not_call(app, client, triage_world):
    h = triage_world["h"]
    xlsx = client.get(URL, query_string={"region_code": COUNTY, "format": "xlsx"}, headers=h["county"])
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[3]] == ["网络", "指标", "本期", "上年同期", "同比变化（%）"]
    assert sheet.freeze_panes == "A4" and sheet.column_dimensions["B"].width >= 8
    csv = client.get(URL, query_string={"region_code": COUNTY, "format": "csv"}, headers=h["county"])
    assert csv.data.startswith("\ufeff".encode()) and "收到来信" in csv.data.decode("utf-8")
    assert client.get(URL, query_string={"region_code": COUNTY}).status_code == 401
    for who in ("publisher", "handler", "resident", "custodian", "township"):
        assert client.get(URL, query_string={"region_code": COUNTY}, headers=h[who]).status_code == 403, who
    assert client.get(URL, query_string={"region_code": "42032"}, headers=h["county"]).status_code == 400
    bad = client.get(URL, query_string={"region_code": COUNTY, "from": "2026-05-01", "to": "2026-01-01"},
                     headers=h["county"])
    assert bad.status_code == 400
    assert client.get(URL, headers=h["admin"]).get_json()["error"]["code"] == "region_required"


def test_the_networks_demo_loads_beside_the_base_demo(app, county):
    """`make run` seeds 竹山县 with its contact points first; `flask demo networks` must still load (phones apart)."""
    from app.contacts.demo import seed_members
    from app.demo.networks import SMALL, load
    from app.demo.seed import seed_accounts

    with app.app_context():
        seed_accounts()
        seed_members(echo=lambda *_: None)
        assert load(SMALL, echo=lambda *_: None)["letters"] == SMALL.letters
