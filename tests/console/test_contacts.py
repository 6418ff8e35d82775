"""Console pages for contact-point members: list with filters, registration with a one-time code, xlsx import."""

import io
import re
from pathlib import Path

import sqlalchemy as sa

from app.auth.models import Invite
from app.contacts.models import ContactMember
from app.extensions import db
from tests.console.conftest import csrf_of, text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COUNTY, BAOFENG, LONGJING, LUOJIAPO = "420323000000", "420323103000", "420323103211", "420323102203"
CODE_RE = re.compile(r'id="invite-code">([A-Z0-9-]{14})<')


def _register(client, **fields):
    page = client.get("/console/contacts/new")
    data = {"name": "张明华", "type": "contact_point", "layer": "farmer", "region_code": LONGJING,
            "phone": "13871000001", **fields}
    return client.post("/console/contacts/new", data={**data, "csrf_token": csrf_of(page)})


def _upload(client, data, filename="名单.xlsx", follow_redirects=False, **fields):
    page = client.get("/console/contacts/import")
    return client.post("/console/contacts/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf_of(page), "file": (io.BytesIO(data), filename), **fields},
                       follow_redirects=follow_redirects)


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ContactMember))


def test_register_shows_the_invite_code_once(app, admin_client):
    response = _register(admin_client)
    assert response.status_code == 201, text(response)
    body = text(response)
    code = CODE_RE.search(body).group(1)
    assert "登记成功" in body and "张明华" in body and "农民群众" in body and "宝丰镇龙井村" in body
    listing = text(admin_client.get("/console/contacts"))
    assert "张明华" in listing and "13871000001" in listing and code not in listing  # admins see the phone
    member_id = int(re.search(r"/console/contacts/(\d+)\"", listing).group(1))
    detail = text(admin_client.get(f"/console/contacts/{member_id}"))
    assert code not in detail and "生成邀请码" in detail and "村级" in detail
    with app.app_context():
        assert db.session.scalar(sa.select(Invite.code_hash)) != code


def test_register_form_errors_are_shown_next_to_the_fields(app, admin_client):
    response = _register(admin_client, phone="12345", layer="")
    assert response.status_code == 400
    body = text(response)
    assert "电话号码格式不正确" in body and "联系点成员必须填写界别" in body and 'value="张明华"' in body
    response = _register(admin_client, region_code="420323999999")
    assert response.status_code == 404 and "未找到该行政区划" in text(response)
    assert _count(app) == 0


def test_inspector_sees_masked_phones_within_scope_and_filters(app, console_as, county):
    inspector = console_as(("inspector", BAOFENG))
    assert _register(inspector).status_code == 201
    assert _register(inspector, name="赵德福", type="informant", layer="", region_code=BAOFENG,
                     phone="13871000006").status_code == 201
    refused = _register(inspector, name="外镇", region_code=LUOJIAPO, phone="13871000009")
    assert refused.status_code == 403 and "只能在本人管辖范围内登记" in text(refused)
    listing = text(inspector.get("/console/contacts"))
    assert "138****0001" in listing and "13871000001" not in listing and "赵德福" in listing
    informants = text(inspector.get("/console/contacts?type=informant"))
    assert "赵德福" in informants and "张明华" not in informants
    farmers = text(inspector.get("/console/contacts?layer=farmer"))
    assert "张明华" in farmers and "赵德福" not in farmers
    bad = inspector.get("/console/contacts?layer=nope")
    assert bad.status_code == 400 and "界别“nope”无效" in text(bad)


def test_new_invite_and_deactivation_from_the_member_page(app, admin_client):
    first = CODE_RE.search(text(_register(admin_client))).group(1)
    with app.app_context():
        member_id = db.session.scalar(sa.select(ContactMember.id))
    page = admin_client.get(f"/console/contacts/{member_id}")
    again = admin_client.post(f"/console/contacts/{member_id}/invite", data={"csrf_token": csrf_of(page)})
    assert again.status_code == 200 and "新的邀请码" in text(again)
    assert CODE_RE.search(text(again)).group(1) != first
    stopped = admin_client.post(f"/console/contacts/{member_id}/deactivate", data={"csrf_token": csrf_of(page)},
                                follow_redirects=True)
    assert stopped.status_code == 200 and "已停用：张明华" in text(stopped) and "生成邀请码" not in text(stopped)
    inactive = text(admin_client.get("/console/contacts?active=false"))
    assert "张明华" in inactive
    no_csrf = admin_client.post(f"/console/contacts/{member_id}/invite")
    assert no_csrf.status_code in (400, 403)


def test_import_good_file_with_invite_codes(app, admin_client):
    response = _upload(admin_client, (FIXTURES / "contacts_good.xlsx").read_bytes(), county=COUNTY, invites="1")
    assert response.status_code == 200, text(response)
    body = text(response)
    assert "共登记 8 名成员" in body and "秦古镇小河村" in body and body.count("<code>") == 8
    assert _count(app) == 8


def test_import_bad_file_lists_row_errors_and_saves_nothing(app, admin_client):
    response = _upload(admin_client, (FIXTURES / "contacts_bad.xlsx").read_bytes(), county=COUNTY)
    assert response.status_code == 422
    body = text(response)
    assert "导入失败，共 8 处错误，未导入任何数据。" in body
    assert "第 5 行" in body and "E 列（电话）" in body and "“小河村”对应多个区划" in body
    assert _count(app) == 0
    empty = _upload(admin_client, b"")
    assert empty.status_code == 400 and "请选择要导入的" in text(empty)


def test_import_good_file_without_codes_redirects_to_the_list(app, admin_client):
    response = _upload(admin_client, (FIXTURES / "contacts_good.xlsx").read_bytes(), follow_redirects=True)
    assert response.status_code == 200 and "导入成功：共登记 8 名成员" in text(response)


def test_who_may_not_use_the_pages(console_as, county):
    publisher = console_as(("publisher", LONGJING))
    for url in ("/console/contacts", "/console/contacts/new", "/console/contacts/import", "/console/contacts/1"):
        assert publisher.get(url).status_code == 403, url
    assert "联系点成员" not in text(publisher.get("/console/"))
    inspector = console_as(("inspector", COUNTY))
    assert "联系点成员" in text(inspector.get("/console/"))
