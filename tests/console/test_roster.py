"""The village cadre roster editor: publishers of the village and admins only."""

import sqlalchemy as sa

from app.extensions import db
from app.regions.models import Cadre
from app.security.models import AuditEntry
from tests.console.conftest import csrf_of, post_form, text

LONGJING = "420323103211"
URL = f"/console/villages/{LONGJING}/roster"


def _cadres(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(Cadre).where(Cadre.village_code == LONGJING).order_by(Cadre.sort_order))
        return [(c.name, c.post, c.is_party_member, c.supervision_phone) for c in rows]


def _save(client, lines):
    page = client.get(URL)
    data = {"csrf_token": csrf_of(page)}
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"cadre-{i}-{key}"] = value
    return client.post(URL, data=data)


def test_publisher_picks_a_village_in_scope(console_as, county):
    publisher = console_as(("publisher", LONGJING))
    body = text(publisher.get("/console/roster"))
    assert "龙井村" in body and URL in body
    assert "罗家坡" not in body


def test_publisher_saves_edits_and_removes_lines(app, console_as, county):
    publisher = console_as(("publisher", LONGJING))
    response = _save(publisher, [
        {"name": "张明", "post": "村党支部书记", "duties": "主持全面工作", "is_party_member": "1",
         "supervision_phone": "13800001111"},
        {"name": "李华", "post": "报账员", "duties": "", "supervision_phone": ""},
        {"name": "", "post": "", "duties": "", "supervision_phone": ""},  # a blank line is skipped
    ])
    assert response.status_code == 302
    assert _cadres(app) == [("张明", "村党支部书记", True, "13800001111"), ("李华", "报账员", False, None)]
    page = publisher.get(URL)
    assert "龙井村的村干部名单已保存，共 2 人" in text(page) and 'value="张明"' in text(page)
    again = _save(publisher, [{"name": "张明", "post": "村党支部书记", "remove": "1"},
                              {"name": "李华", "post": "报账员", "is_party_member": "1"}])
    assert again.status_code == 302
    assert _cadres(app) == [("李华", "报账员", True, None)]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "roster.replace")) == 2


def test_bad_lines_are_marked_and_nothing_is_saved(app, console_as, county):
    admin = console_as(("admin",))
    response = _save(admin, [{"name": "张明", "post": "书记", "supervision_phone": "打电话"},
                             {"name": "", "post": "文书", "duties": "档案"}])
    assert response.status_code == 400
    body = text(response)
    assert "请按提示修改标红的行后再保存" in body
    assert 'id="err-cadre-0-supervision_phone"' in body and "电话号码格式不正确" in body
    assert 'id="err-cadre-1-name"' in body
    assert 'value="打电话"' in body  # the typed values come back for correction
    assert _cadres(app) == []


def test_roster_is_forbidden_outside_scope(console_as, county, client):
    other = console_as(("publisher", "420323102203"))
    assert other.get(URL).status_code == 403
    assert _save_forbidden(other)
    for grant in (("inspector", "420323000000"), ("custodian", "420323000000"), ("reviewer", LONGJING)):
        staff = console_as(grant)
        assert staff.get(URL).status_code == 403, grant
        assert staff.get("/console/roster").status_code == 403, grant
    assert client.get(URL).status_code == 302


def _save_forbidden(client):
    page = client.get("/console/")
    response = client.post(URL, data={"csrf_token": csrf_of(page), "cadre-0-name": "王", "cadre-0-post": "书记"})
    return response.status_code == 403


def test_unknown_village_is_404(console_as, county):
    admin = console_as(("admin",))
    response = admin.get("/console/villages/420323103000/roster")  # a township, not a village
    assert response.status_code == 404 and "未找到该村（社区）" in text(response)


def test_an_admin_links_a_roster_person_to_an_account_and_a_publisher_may_not(app, admin_client, console_as):
    from app.regions.models import Cadre

    with app.app_context():
        db.session.add(Cadre(village_code="420323103211", name="谢祥", post="村党支部书记", is_party_member=True))
        db.session.commit()
        cadre_id = db.session.scalar(sa.select(Cadre.id).where(Cadre.name == "谢祥"))
    inspector = console_as(("inspector", "420323103000"), username="xiexiang")
    page = "/console/villages/420323103211/roster"
    assert "关联工作人员账号" in text(admin_client.get(page))
    url = f"/console/villages/420323103211/roster/{cadre_id}/account"
    unknown = post_form(admin_client, url, {"username": "nobody-here"}, page=page)
    assert unknown.status_code == 400 and "未找到该用户名的账号" in text(unknown)
    assert post_form(admin_client, url, {"username": "xiexiang"}, page=page).status_code == 302
    with app.app_context():
        assert db.session.get(Cadre, cadre_id).user_id == inspector.user_id
    assert 'value="xiexiang"' in admin_client.get(page).get_data(as_text=True)
    publisher = console_as(("publisher", "420323103211"))
    assert "关联工作人员账号" not in text(publisher.get(page))
    assert post_form(publisher, url, {"username": ""}, page=page).status_code == 403
    other = f"/console/villages/420323102203/roster/{cadre_id}/account"  # the cadre is not of that village
    assert post_form(admin_client, other, {"username": ""}, page=page).status_code == 404
