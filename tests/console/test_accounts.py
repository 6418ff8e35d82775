"""Admin pages: staff accounts, role grants with scopes, and WeChat binding invite codes."""

import re

import sqlalchemy as sa

from app.auth.models import Invite, RoleGrant, Token, User
from app.auth.tokens import invite_hash
from app.extensions import db
from app.regions.models import Unit
from app.security.models import AuditEntry
from tests.console.conftest import csrf_of, login, text

NEW = {"username": "zhang.san", "display_name": "张三", "password": "Zhangsan-2026",
       "password_confirm": "Zhangsan-2026"}


def _create(client, form, grants=()):
    page = client.get("/console/admin/accounts/new")
    data = {"csrf_token": csrf_of(page), **form}
    for i, grant in enumerate(grants):
        for key, value in grant.items():
            data[f"grant-{i}-{key}"] = value
    return client.post("/console/admin/accounts/new", data=data)


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            return None
        return user.id, sorted((g.role, g.region_code, g.unit_id) for g in user.grants)


def _unit_id(app, name):
    with app.app_context():
        return db.session.scalar(sa.select(Unit.id).where(Unit.name == name))


def test_accounts_list_and_search(admin_client, make_user):
    make_user(("publisher", "420323103211"), username="pub_longjing")
    body = text(admin_client.get("/console/admin/accounts"))
    assert "pub_longjing" in body and "村务公开员" in body and "龙井村" in body
    found = text(admin_client.get("/console/admin/accounts?q=longjing"))
    assert "pub_longjing" in found and "<code>user" not in found


def test_accounts_list_pages_with_keyset(admin_client, make_user):
    for _ in range(50):
        make_user()
    body = text(admin_client.get("/console/admin/accounts"))
    assert "下一页" in body
    next_url = body.split('class="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = text(admin_client.get(next_url))
    assert "回到第一页" in second and "下一页" not in second


def test_create_account_with_grants(app, admin_client):
    unit = _unit_id(app, "竹山县农业农村局")
    response = _create(admin_client, {**NEW, "unit_id": str(unit)},
                       [{"role": "publisher", "region_code": "420323103211"},
                        {"role": "unit_handler", "unit_id": str(unit)},
                        {"role": "", "region_code": ""}])
    assert response.status_code == 302
    user_id, grants = _user(app, "zhang.san")
    assert response.headers["Location"] == f"/console/admin/accounts/{user_id}"
    assert grants == [("publisher", "420323103211", None), ("unit_handler", None, unit)]
    page = text(admin_client.get(response.headers["Location"]))
    assert "已新建账号 zhang.san（张三）" in page and "龙井村" in page and "竹山县农业农村局" in page
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.create"))
        assert entry.actor_id == admin_client.user_id and entry.object_id == str(user_id)
    assert login(app.test_client(), "zhang.san", "Zhangsan-2026").status_code == 302


def test_create_account_bad_input_is_explained_next_to_fields(app, admin_client):
    response = _create(admin_client, {"username": "张", "display_name": "", "password": "short",
                                      "password_confirm": "other"},
                       [{"role": "mayor", "region_code": "123"}])
    assert response.status_code == 400
    body = text(response)
    assert 'id="err-username"' in body and "用户名应为 3-64 位字母、数字或 _.-" in body
    assert 'id="err-display_name"' in body
    assert 'id="err-password"' in body and "长度应在 10 到 256 之间" in body
    assert 'id="err-password_confirm"' in body and "两次输入的密码不一致" in body
    assert 'id="err-grant-0-role"' in body and 'id="err-grant-0-region_code"' in body
    assert "Zhangsan" not in body and 'value="short"' not in body  # passwords are never sent back
    assert _user(app, "张") is None


def test_create_account_rules_from_the_service(app, admin_client, make_user):
    make_user(username="taken")
    duplicate = _create(admin_client, {**NEW, "username": "taken"})
    assert duplicate.status_code == 400 and "用户名已存在" in text(duplicate)
    handler = _create(admin_client, NEW, [{"role": "unit_handler"}])
    assert handler.status_code == 400 and "单位经办人必须指定单位" in text(handler)
    weak = _create(admin_client, {**NEW, "password": "abcdefghijk", "password_confirm": "abcdefghijk"})
    assert weak.status_code == 400 and "密码须同时包含字母和数字" in text(weak)
    nowhere = _create(admin_client, NEW, [{"role": "publisher", "region_code": "420323999999"}])
    assert nowhere.status_code == 404 and "未找到该行政区划" in text(nowhere)
    assert _user(app, "zhang.san") is None


def test_scoped_admin_cannot_grant_outside_scope_or_globally(app, console_as, county):
    scoped = console_as(("admin", "420323103000"))
    outside = _create(scoped, NEW, [{"role": "publisher", "region_code": "420323102203"}])
    assert outside.status_code == 403 and "只能在本人管辖范围内授权" in text(outside)
    everywhere = _create(scoped, NEW, [{"role": "inspector"}])
    assert everywhere.status_code == 403
    assert _user(app, "zhang.san") is None
    inside = _create(scoped, NEW, [{"role": "publisher", "region_code": "420323103211"}])
    assert inside.status_code == 302


def test_add_and_revoke_grants(app, admin_client, make_user):
    user_id = make_user(username="target")
    target_client = app.test_client()
    assert login(target_client, "target").status_code == 302
    page = admin_client.get(f"/console/admin/accounts/{user_id}")
    assert "尚未授予任何角色" in text(page)
    added = admin_client.post(f"/console/admin/accounts/{user_id}/grants",
                              data={"csrf_token": csrf_of(page), "role": "reviewer", "region_code": "420323103211"})
    assert added.status_code == 302
    assert _user(app, "target")[1] == [("reviewer", "420323103211", None)]
    page = admin_client.get(f"/console/admin/accounts/{user_id}")
    assert "已授予角色：村务监督委员会" in text(page)
    again = admin_client.post(f"/console/admin/accounts/{user_id}/grants",
                              data={"csrf_token": csrf_of(page), "role": "reviewer", "region_code": "420323103211"})
    assert again.status_code == 400 and "该授权已存在" in text(again)
    bad = admin_client.post(f"/console/admin/accounts/{user_id}/grants",
                            data={"csrf_token": csrf_of(page), "role": "", "region_code": "abc"})
    assert bad.status_code == 400 and 'id="err-role"' in text(bad) and 'id="err-region_code"' in text(bad)
    with app.app_context():
        grant_id = db.session.scalar(sa.select(RoleGrant.id).where(RoleGrant.user_id == user_id))
    revoked = admin_client.post(f"/console/admin/accounts/{user_id}/grants/{grant_id}/revoke",
                                data={"csrf_token": csrf_of(page)})
    assert revoked.status_code == 302
    assert _user(app, "target")[1] == []
    with app.app_context():  # the account's sessions end with the grant
        assert all(t.revoked_at is not None for t in db.session.scalars(sa.select(Token).where(
            Token.user_id == user_id)))
    assert target_client.get("/console/").status_code == 302


def test_unknown_account_or_grant_is_404(admin_client):
    assert admin_client.get("/console/admin/accounts/99999").status_code == 404
    page = admin_client.get("/console/")
    response = admin_client.post(f"/console/admin/accounts/{admin_client.user_id}/grants/99999/revoke",
                                 data={"csrf_token": csrf_of(page)})
    assert response.status_code == 404 and "未找到该授权" in text(response)


def test_invite_code_is_shown_once_and_works(app, admin_client, make_user):
    user_id = make_user(("inspector", "420323000000"), username="insp")
    page = admin_client.get(f"/console/admin/accounts/{user_id}")
    response = admin_client.post(f"/console/admin/accounts/{user_id}/invite", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    code = re.search(r'id="invite-code">([A-Z0-9-]+)<', text(response)).group(1)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    with admin_client.session_transaction() as sess:
        assert code not in repr(dict(sess))
    with app.app_context():
        invite = db.session.scalar(sa.select(Invite).where(Invite.code_hash == invite_hash(code)))
        assert (invite.purpose, invite.target_id, invite.used_at) == ("staff", user_id, None)
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.invite")) is not None
    assert code not in text(admin_client.get(f"/console/admin/accounts/{user_id}"))


def test_account_pages_are_forbidden_to_other_roles(app, console_as, county, make_user, client):
    user_id = make_user(username="someone")
    for grant in (("publisher", "420323103211"), ("custodian", "420323000000"), ("inspector", "420323000000")):
        staff = console_as(grant)
        for url in ("/console/admin/accounts", "/console/admin/accounts/new", f"/console/admin/accounts/{user_id}"):
            assert staff.get(url).status_code == 403, (grant, url)
        page = staff.get("/console/")
        for url in (f"/console/admin/accounts/{user_id}/invite", f"/console/admin/accounts/{user_id}/grants",
                    "/console/admin/accounts/new"):
            response = staff.post(url, data={"csrf_token": csrf_of(page), "role": "admin", **NEW})
            assert response.status_code == 403, (grant, url)
    assert _user(app, "zhang.san") is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0
    assert client.get("/console/admin/accounts").status_code == 302


def test_scoped_admin_cannot_mint_an_invite_for_an_account_beyond_his_scope(app, console_as, county, make_user):
    """An invite code logs in as its account: a township admin must not get one for the county's global admin."""
    global_admin = make_user(("admin",), username="root")
    other_township = make_user(("publisher", "420323102203"), username="pub_luojiapo")
    own_village = make_user(("publisher", "420323103211"), username="pub_longjing")
    scoped = console_as(("admin", "420323103000"))
    page = scoped.get("/console/")
    for target in (global_admin, other_township):
        response = scoped.post(f"/console/admin/accounts/{target}/invite", data={"csrf_token": csrf_of(page)})
        assert response.status_code == 403 and "只能为本人管辖范围内的账号生成邀请码" in text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0
    ok = scoped.post(f"/console/admin/accounts/{own_village}/invite", data={"csrf_token": csrf_of(page)})
    assert ok.status_code == 200 and 'id="invite-code"' in text(ok)


def test_custodian_grant_waits_for_a_second_admin_on_the_console(app, console_as, county, make_user):
    first = console_as(("admin",), username="first_admin")
    second = console_as(("admin",), username="second_admin")
    user_id = make_user(username="keeper")
    page = first.get(f"/console/admin/accounts/{user_id}")
    added = first.post(f"/console/admin/accounts/{user_id}/grants",
                       data={"csrf_token": csrf_of(page), "role": "custodian", "region_code": "420323000000"})
    assert added.status_code == 302
    page = first.get(f"/console/admin/accounts/{user_id}")
    assert "须由另一名管理员确认后才生效" in text(page) and "待确认的授权" in text(page)
    assert "确认授权</button>" not in text(page)  # the requester gets no confirm button
    assert _user(app, "keeper")[1] == []  # nothing held yet
    listing = second.get("/console/admin/accounts")
    assert "有 1 项授权等待另一名管理员确认" in text(listing)
    pending = second.get("/console/admin/grants/pending")
    assert pending.status_code == 200 and "keeper" in text(pending) and "first_admin" in text(pending)
    with app.app_context():
        grant_id = db.session.scalar(sa.select(RoleGrant.id).where(RoleGrant.user_id == user_id))
    refused = first.post(f"/console/admin/grants/{grant_id}/confirm", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 302
    assert "该授权须由另一名管理员确认" in text(first.get("/console/admin/grants/pending"))
    assert _user(app, "keeper")[1] == []
    confirmed = second.post(f"/console/admin/grants/{grant_id}/confirm",
                            data={"csrf_token": csrf_of(pending), "next": f"/console/admin/accounts/{user_id}"})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == f"/console/admin/accounts/{user_id}"
    assert "角色现已生效" in text(second.get(f"/console/admin/accounts/{user_id}"))
    assert _user(app, "keeper")[1] == [("custodian", "420323000000", None)]
    assert "没有等待确认的授权" in text(second.get("/console/admin/grants/pending"))


def test_console_refuses_a_self_grant_and_an_overlap(app, console_as, county, make_user):
    admin = console_as(("admin",))
    page = admin.get(f"/console/admin/accounts/{admin.user_id}")
    own = admin.post(f"/console/admin/accounts/{admin.user_id}/grants",
                     data={"csrf_token": csrf_of(page), "role": "custodian", "region_code": "420323000000"})
    assert own.status_code == 403 and "不能给本人账号授予角色" in text(own)
    user_id = make_user(("inspector", "420323103000"))
    clash = admin.post(f"/console/admin/accounts/{user_id}/grants",
                       data={"csrf_token": csrf_of(page), "role": "custodian", "region_code": "420323000000"})
    assert clash.status_code == 409 and "同一账号不能在重叠的范围内同时担任身份保管员和纪检监察干部" in text(clash)


def test_withdrawing_a_pending_grant_on_the_console(app, admin_client, make_user):
    user_id = make_user(username="target")
    page = admin_client.get(f"/console/admin/accounts/{user_id}")
    admin_client.post(f"/console/admin/accounts/{user_id}/grants",
                      data={"csrf_token": csrf_of(page), "role": "inspector", "region_code": "420323103000"})
    with app.app_context():
        grant_id = db.session.scalar(sa.select(RoleGrant.id).where(RoleGrant.user_id == user_id))
    withdrawn = admin_client.post(f"/console/admin/accounts/{user_id}/grants/{grant_id}/revoke",
                                  data={"csrf_token": csrf_of(page)})
    assert withdrawn.status_code == 302
    assert "已撤回该待确认的授权" in text(admin_client.get(f"/console/admin/accounts/{user_id}"))
    with app.app_context():
        assert db.session.get(RoleGrant, grant_id) is None
