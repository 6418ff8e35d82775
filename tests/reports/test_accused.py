"""Issue 12, findings 1-3 replayed through the API: the accused never sees, handles or unseals a report about
himself, whatever channel it came through; reports about heads go a level up; reports need not lie in a village."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from app.regions.models import Cadre, Unit
from app.reports.models import Report, ReportConflict
from app.security.models import AuditEntry
from tests.conftest import error_of
from tests.reports.conftest import BAOFENG, LONGJING, body, submit

COUNTY = "420323000000"
SECRETARY_POST = "村党支部书记、村委会主任"


@pytest.fixture
def world(app, county, make_user, token_for):
    """The demo rosters; 龙井村's party secretary holds an inspector account on 宝丰镇 (finding 1)."""
    from app.auth.models import User
    from app.demo.seed import seed_rosters

    with app.app_context():
        seed_rosters()
        secretary = db.session.scalar(sa.select(Cadre).where(Cadre.village_code == LONGJING,
                                                               Cadre.post == SECRETARY_POST))
        agri = db.session.scalar(sa.select(Unit).where(Unit.name == "竹山县农业农村局"))
        name, cadre_id, agri_id, agri_head = secretary.name, secretary.id, agri.id, agri.head_name
    ids = {
        "accused": make_user(("inspector", BAOFENG, None)),
        "colleague": make_user(("inspector", BAOFENG, None)),
        "county": make_user(("inspector", COUNTY, None)),
        "custodian": make_user(("custodian", COUNTY, None)),
        "agri_handler": make_user(("unit_handler", None, agri_id), unit_id=agri_id),
        "clerk": make_user(("inspector", COUNTY, None)),
    }
    with app.app_context():
        db.session.get(User, ids["accused"]).display_name = name
        db.session.commit()
    heads = {key: token_for(value) for key, value in ids.items()}
    return type("World", (), {"ids": ids, "h": heads, "name": name, "cadre_id": cadre_id, "agri": agri_id,
                              "agri_head": agri_head})


def _file(client, data, headers=None):
    response = submit(client, data, headers)
    assert response.status_code == 201, response.get_json()
    with client.application.app_context():
        return db.session.scalar(sa.select(Report.id).where(Report.tracking_no == response.get_json()["tracking_no"]))


def _sees(client, headers, report_id):
    """(in his queue or his unit's assignments, status of the detail)."""
    queue = client.get("/api/v1/triage/reports?limit=100", headers=headers)
    ids = [r["id"] for r in queue.get_json()["items"]] if queue.status_code == 200 else []
    unit = client.get("/api/v1/unit/assignments?limit=100", headers=headers)
    if unit.status_code == 200:
        ids += [a.get("report_id") for a in unit.get_json()["items"]]
    detail = client.get(f"/api/v1/triage/reports/{report_id}", headers=headers).status_code
    return report_id in ids, detail


def _accept(client, headers, report_id):
    return client.post(f"/api/v1/triage/reports/{report_id}/accept",
                       json={"disposition": "close_out", "note": "予以了结"}, headers=headers)


def test_an_anonymous_tipoff_naming_the_inspector_never_reaches_him(client, world):
    target = {"person_name": world.name, "person_post": "村党支部书记"}
    report_id = _file(client, body(target=target))
    assert _sees(client, world.h["accused"], report_id) == (False, 404)
    assert _accept(client, world.h["accused"], report_id).status_code == 404
    assert client.get(f"/api/v1/triage/reports?q={world.name}", headers=world.h["accused"]).get_json()["items"] == []
    assert _sees(client, world.h["colleague"], report_id) == (True, 200)  # the village head goes to the township
    assert _sees(client, world.h["county"], report_id) == (True, 200)
    matches = client.get(f"/api/v1/triage/reports/{report_id}/conflicts", headers=world.h["county"]).get_json()
    assert [(m["user_id"], m["reason"]) for m in matches["possible_matches"]] == [(world.ids["accused"], "same_name")]


def test_a_real_name_tipoff_naming_him_is_never_unsealed_for_him(app, client, world):
    target = {"person_name": world.name, "person_post": "村党支部书记"}
    reporter = {"name": "陈德明", "phone": "13907191234", "id_number": "420323196001011008"}
    report_id = _file(client, body(anonymous=False, reporter=reporter, target=target))
    ask = {"reason": "核实举报人反映情况需要联系本人"}
    url = f"/api/v1/triage/reports/{report_id}/identity-requests"
    assert client.post(url, json=ask, headers=world.h["accused"]).status_code == 404
    from app.triage.models import IdentityRequest

    with app.app_context():  # a request filed before the conflict was known (or by any other way) is never approved
        stale = IdentityRequest(report_id=report_id, requester_id=world.ids["accused"], reason="x" * 8,
                                status="pending")
        db.session.add(stale)
        db.session.commit()
        stale_id = stale.id
    listed = client.get("/api/v1/custody/identity-requests", headers=world.h["custodian"]).get_json()["items"]
    shown = next(i for i in listed if i["id"] == stale_id)
    assert shown["requester_conflicted"] is True and shown["accused"]["person_name"] == world.name
    refused = client.post(f"/api/v1/custody/identity-requests/{stale_id}/approve", json={},
                          headers=world.h["custodian"])
    assert refused.status_code == 409 and error_of(refused)["code"] == "requester_conflicted"
    clean = client.post(url, json=ask, headers=world.h["colleague"]).get_json()["id"]
    assert client.post(f"/api/v1/custody/identity-requests/{clean}/approve", json={},
                       headers=world.h["custodian"]).status_code == 200
    seen = client.get(f"/api/v1/triage/reports/{report_id}", headers=world.h["colleague"]).get_json()
    assert seen["reporter"]["phone"] == "13907191234"
    assert client.get(f"/api/v1/triage/reports/{report_id}", headers=world.h["accused"]).status_code == 404


def test_a_roster_pick_reaches_past_the_linked_account(client, world, as_role):
    admin = as_role("admin")
    link = client.put(f"/api/v1/admin/cadres/{world.cadre_id}/account", json={"user_id": world.ids["colleague"]},
                      headers=admin)
    assert link.status_code == 200
    report_id = _file(client, body(target={"roster_id": world.cadre_id}))
    assert _sees(client, world.h["colleague"], report_id) == (False, 404)  # linked to the roster person
    assert _sees(client, world.h["accused"], report_id) == (False, 404)  # and the namesake
    with client.application.app_context():
        report = db.session.get(Report, report_id)
        assert report.target_person_name == world.name and report.target_roster_id == world.cadre_id
        reasons = {(c.user_id, c.reason) for c in db.session.scalars(sa.select(ReportConflict))}
    assert (world.ids["colleague"], "roster_link") in reasons
    bad = submit(client, body(target={"roster_id": 999999}))
    assert bad.status_code == 400 and "target.roster_id" in error_of(bad)["fields"]


@pytest.mark.parametrize("target", [{"person_post": "竹山县农业农村局局长", "person_name": "某局长"},
                                    {"unit_id": "agri"}, {"person_name": "head", "person_post": "局长"}])
def test_a_tipoff_about_the_bureau_is_never_assigned_to_it(client, world, target):
    target = {k: (world.agri if v == "agri" else world.agri_head if v == "head" else v) for k, v in target.items()}
    report_id = _file(client, body(target=target))
    assert _accept(client, world.h["county"], report_id).status_code == 200
    due = (today_cst() + timedelta(days=10)).isoformat()
    assigned = client.post(f"/api/v1/triage/reports/{report_id}/assign", json={"unit_id": world.agri, "due_date": due},
                           headers=world.h["county"])
    assert assigned.status_code == 409 and error_of(assigned)["code"] == "assign_to_accused_unit"
    assert _sees(client, world.h["agri_handler"], report_id) == (False, 404)


def test_a_report_about_a_county_unit_need_not_lie_in_a_village(client, world):
    data = body(target={"unit_id": world.agri, "person_post": "局长"})
    del data["village_code"]
    report_id = _file(client, data)
    with client.application.app_context():
        report = db.session.get(Report, report_id)
        assert (report.village_code, report.township_code, report.county_code) == (None, None, COUNTY)
    assert _sees(client, world.h["county"], report_id) == (True, 200)
    assert _sees(client, world.h["colleague"], report_id) == (False, 404)
    for bad in ({"region_code": "999999999999"}, {"region_code": LONGJING, "village_code": LONGJING}, {}):
        sent = {**body(), **bad}
        if "village_code" not in bad:
            sent.pop("village_code")
        assert submit(client, sent).status_code == 400, bad


def test_a_township_head_goes_to_the_county_from_every_channel(app, client, world, members, make_user, token_for):
    about_head = {"person_name": "某书记", "person_post": "宝丰镇党委书记"}
    resident = token_for(make_user())
    member = make_user()
    members[member] = {"member_id": 7, "layer": "farmer"}
    channels = [
        (body(target=about_head), None),  # mini-program, anonymous
        (body(target=about_head, anonymous=False, reporter={"name": "陈德明", "phone": "13907191234"}), resident),
        (body(target=about_head, channel="h5"), None),
        (body(target=about_head, channel="letter", anonymous=False,
              reporter={"name": "来信人", "phone": "13907191235"}), world.h["clerk"]),
        (body(target=about_head, kind="contact_point", anonymous=False), token_for(member)),
    ]
    for data, headers in channels:
        report_id = _file(client, data, headers)
        assert _sees(client, world.h["colleague"], report_id) == (False, 404), data.get("channel")
        assert _sees(client, world.h["county"], report_id) == (True, 200)
        with app.app_context():
            report = db.session.get(Report, report_id)
            assert report.handling_level == "county"
            township_gov = {c.unit_id for c in db.session.scalars(
                sa.select(ReportConflict).where(ReportConflict.report_id == report_id))}
            assert db.session.scalar(sa.select(Unit.name).where(Unit.id.in_(township_gov))) == "宝丰镇人民政府"


def test_a_later_report_naming_the_handler_takes_the_earlier_one_from_him(app, client, world):
    first = _file(client, body(content="村里修路款二十万元没有公开，账目不清，请核查。"))
    assert _accept(client, world.h["accused"], first).status_code == 200
    _file(client, body(content="村里修路款二十万元没有公开，账目不清，镇里有人包庇。",
                       target={"person_name": world.name, "person_post": "镇纪委干部"}))
    assert _sees(client, world.h["accused"], first) == (False, 404)
    assert _sees(client, world.h["colleague"], first) == (True, 200)
    with app.app_context():
        moved = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "report.conflict_moved")).all()
        assert [(e.object_id, e.detail["from_user_id"]) for e in moved] == [(str(first), world.ids["accused"])]


def test_a_county_inspector_clears_a_namesake_and_a_township_one_may_not(app, client, world):
    report_id = _file(client, body(target={"person_name": world.name, "person_post": "村民"}))
    matches = client.get(f"/api/v1/triage/reports/{report_id}/conflicts",
                         headers=world.h["county"]).get_json()["possible_matches"]
    url = f"/api/v1/triage/reports/{report_id}/conflicts/{matches[0]['id']}/clear"
    reason = {"reason": "被反映人为同名村民，并非该工作人员"}
    assert client.post(url, json=reason, headers=world.h["colleague"]).status_code == 403
    assert client.post(url, json={"reason": "短"}, headers=world.h["county"]).status_code == 400
    assert client.post(url, json=reason, headers=world.h["accused"]).status_code == 404
    assert client.post(url, json=reason).status_code == 401
    assert client.post(url, json=reason, headers=world.h["county"]).status_code == 200
    assert client.post(url, json=reason, headers=world.h["county"]).status_code == 409
    assert _sees(client, world.h["accused"], report_id) == (True, 200)
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "report.conflict_clear"))


def test_warnings_and_the_ledger_about_his_matter_are_hidden_from_him(app, client, world):
    from app.auth.models import RoleGrant

    report_id = _file(client, body(target={"person_name": world.name, "person_post": "村党支部书记"}))
    other_id = _file(client, body(content="村小学食堂账目不公开，请核查处理。"))
    with app.app_context():  # he works for the county office too: only the conflict keeps the warning from him
        db.session.add(RoleGrant(user_id=world.ids["accused"], role="inspector", region_code=COUNTY))
        db.session.commit()
        edu = db.session.scalar(sa.select(Unit.id).where(Unit.name == "竹山县教育局"))
    due = (today_cst() + timedelta(days=10)).isoformat()
    sent = client.post("/api/v1/triage/warnings", json={"unit_id": edu, "report_ids": [report_id], "due_date": due,
                                                        "content": "请核查龙井村低保评定问题并整改。"},
                       headers=world.h["county"])
    assert sent.status_code == 201, sent.get_json()
    warning_id = sent.get_json()["id"]
    other = client.post("/api/v1/triage/warnings", json={"unit_id": edu, "report_ids": [other_id], "due_date": due,
                                                         "content": "请核查村小学食堂账目并公开。"},
                        headers=world.h["county"]).get_json()["id"]
    for who, shown in (("accused", False), ("county", True)):
        listed = [w["id"] for w in client.get("/api/v1/triage/warnings", headers=world.h[who]).get_json()["items"]]
        assert (warning_id in listed) is shown and other in listed, who
        ledger = client.get("/api/v1/triage/ledger", headers=world.h[who]).get_json()["items"]
        warned = [i["id"] for i in ledger if i["type"] == "warning"]
        assert (warning_id in warned) is shown and other in warned, who


def test_his_figures_do_not_count_a_report_about_him(client, world):
    _file(client, body(content="村里低保名额分配不公开，请核查。"))
    _file(client, body(target={"person_name": world.name, "person_post": "村党支部书记"}))

    def total(who):
        stats = client.get("/api/v1/triage/stats?by=village", headers=world.h[who])
        assert stats.status_code == 200, stats.get_json()
        return stats.get_json()["total"]["total"]

    assert (total("colleague"), total("accused")) == (2, 1)


def test_an_account_that_gains_powers_after_the_report_never_sees_it(app, client, world, make_user, token_for):
    from app.auth.models import User

    report_id = _file(client, body(content="村里危房改造补助被村干部截留，请核查。",
                                   target={"person_name": "冯后来", "person_post": "村委会委员"}))
    admins = [token_for(make_user(("admin", None, None))) for _ in range(2)]
    created = client.post("/api/v1/admin/users", headers=admins[0], json={
        "username": "fenghoulai", "display_name": "冯后来", "password": "Fenghoulai-2026",
        "grants": [{"role": "inspector", "region_code": BAOFENG}]})
    assert created.status_code == 201, created.get_json()
    grant_id = created.get_json()["pending_grants"][0]["id"]
    with app.app_context():  # matched while his grant still waits: the pending grant counts
        assert db.session.scalar(sa.select(ReportConflict.id).where(
            ReportConflict.report_id == report_id, ReportConflict.user_id == created.get_json()["id"]))
    assert client.post(f"/api/v1/admin/grants/{grant_id}/confirm", headers=admins[1]).status_code == 200
    late = token_for(created.get_json()["id"])
    assert _sees(client, late, report_id) == (False, 404)
    # a roster link made after the report: the open report naming the roster person is taken from that account
    about = _file(client, body(content="村支书违规发包村集体鱼塘，请核查。", target={"roster_id": world.cadre_id}))
    assert _sees(client, world.h["county"], about) == (True, 200)
    linked = client.put(f"/api/v1/admin/cadres/{world.cadre_id}/account", json={"user_id": world.ids["county"]},
                        headers=admins[0])
    assert linked.status_code == 200
    assert _sees(client, world.h["county"], about) == (False, 404)
    with app.app_context():
        assert db.session.get(User, world.ids["county"]) is not None
        added = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "report.conflict_added")).all()
        assert str(about) in {e.object_id for e in added}
