"""Admin pages: the region tree, CSV import with row errors, and units."""

import io

import sqlalchemy as sa

from app.extensions import db
from app.regions.models import Region, Unit
from app.security.models import AuditEntry
from tests.console.conftest import csrf_of, text

GOOD_CSV = ("code,name,level,parent_code\n"
            "420323999000,测试镇,township,420323000000\n"
            "420323999201,新华村村民委员会,village,420323999000\n").encode()
BAD_CSV = ("code,name,level,parent_code\n"
           "420323999000,测试镇,township,420323000000\n"
           "12345,坏代码,village,420323999000\n"
           "420323999202,,village,420323999000\n").encode()


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Region))


def _upload(client, data, filename="regions.csv"):
    page = client.get("/console/admin/regions/import")
    return client.post("/console/admin/regions/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf_of(page), "file": (io.BytesIO(data), filename)})


def test_region_tree_from_county_to_villages(admin_client):
    roots = text(admin_client.get("/console/admin/regions"))
    assert "竹山县" in roots and "420323000000" in roots
    townships = text(admin_client.get("/console/admin/regions?parent=420323000000"))
    assert "宝丰镇" in townships and "查看下级" in townships
    villages = admin_client.get("/console/admin/regions?parent=420323103000")
    assert "龙井村" in text(villages) and "/console/villages/420323103211/roster" in text(villages)
    assert "宝丰镇" in text(villages)  # breadcrumb


def test_region_search_and_keyset_paging(admin_client):
    found = text(admin_client.get("/console/admin/regions?q=龙井"))
    assert "龙井村" in found and "罗家坡" not in found
    first = text(admin_client.get("/console/admin/regions?parent=420323000000"))
    assert "下一页" not in first  # a county has fewer than 50 townships
    villages = admin_client.get("/console/admin/regions?q=村")
    body = text(villages)
    assert "下一页" in body
    next_url = body.split('class="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = text(admin_client.get(next_url))
    assert "回到第一页" in second
    codes_first = set(s.split("<")[0] for s in body.split("<code>")[1:])
    codes_second = set(s.split("<")[0] for s in second.split("<code>")[1:])
    assert codes_first and codes_second and not codes_first & codes_second


def test_unknown_region_is_404_and_bad_cursor_400(admin_client):
    response = admin_client.get("/console/admin/regions?parent=999999999999")
    assert response.status_code == 404 and "未找到该行政区划" in text(response)
    assert admin_client.get("/console/admin/regions?cursor=@@").status_code == 400


def test_region_pages_are_forbidden_to_other_roles(console_as, county, client):
    for grant in (("publisher", "420323103211"), ("custodian", "420323000000"), ("inspector", "420323000000")):
        staff = console_as(grant)
        for url in ("/console/admin/regions", "/console/admin/regions/import", "/console/admin/units"):
            response = staff.get(url)
            assert response.status_code == 403, (grant, url)
            assert "没有权限" in text(response)
    assert client.get("/console/admin/regions").status_code == 302


def test_import_adds_regions_and_is_audited(app, admin_client):
    before = _count(app)
    response = _upload(admin_client, GOOD_CSV)
    assert response.status_code == 302
    assert "导入成功：共 2 条区划，其中更新 0 条" in text(admin_client.get("/console/admin/regions"))
    assert _count(app) == before + 2
    with app.app_context():
        assert db.session.get(Region, "420323999201").display_name == "新华村"
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "region.import"))
        assert entry.actor_id == admin_client.user_id and entry.detail["file"] == "regions.csv"


def test_import_with_bad_rows_lists_each_line_and_saves_nothing(app, admin_client):
    before = _count(app)
    response = _upload(admin_client, BAD_CSV)
    assert response.status_code == 422
    body = text(response)
    assert "导入失败，共 2 处错误，未导入任何数据。" in body
    assert "第 3 行" in body and "区划代码应为 12 位数字" in body
    assert "第 4 行" in body and "名称为空或过长" in body
    assert _count(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "region.import")) is None


def test_import_without_a_file_or_columns_is_refused(admin_client):
    page = admin_client.get("/console/admin/regions/import")
    empty = admin_client.post("/console/admin/regions/import", data={"csrf_token": csrf_of(page)},
                              content_type="multipart/form-data")
    assert empty.status_code == 400 and "请选择要导入的 CSV 文件" in text(empty)
    wrong = _upload(admin_client, "名称,代码\n竹山县,420323000000\n".encode())
    assert wrong.status_code == 422 and "CSV 缺少列" in text(wrong)


def test_import_is_for_global_admins_only(app, console_as, county):
    scoped = console_as(("admin", "420323000000"))
    assert scoped.get("/console/admin/regions").status_code == 200
    response = scoped.get("/console/admin/regions/import")
    assert response.status_code == 403 and "只有全域管理员可以导入区划" in text(response)


def test_units_list_and_filter(admin_client):
    body = text(admin_client.get("/console/admin/units"))
    assert "竹山县教育局" in body and "职能部门" in body
    filtered = text(admin_client.get("/console/admin/units?region=420323103000"))
    assert "宝丰镇人民政府" in filtered and "竹山县教育局" not in filtered
    bad = admin_client.get("/console/admin/units?region=abc")
    assert bad.status_code == 400 and "区划代码" in text(bad)


def _create_unit(client, **fields):
    page = client.get("/console/admin/units")
    return client.post("/console/admin/units", data={"csrf_token": csrf_of(page), **fields})


def test_create_unit(app, admin_client):
    response = _create_unit(admin_client, name="竹山县水利和湖泊局", kind="department", region_code="420323000000",
                            head_name="王明", head_post="局长", phone="0719-4211111")
    assert response.status_code == 302
    assert "已新建单位：竹山县水利和湖泊局" in text(admin_client.get("/console/admin/units"))
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "竹山县水利和湖泊局"))
        assert (unit.kind, unit.region_code, unit.phone) == ("department", "420323000000", "0719-4211111")


def test_create_unit_bad_input_shows_field_errors(app, admin_client):
    response = _create_unit(admin_client, name="", kind="bureau", region_code="4203", phone="电话")
    assert response.status_code == 400
    body = text(response)
    assert 'id="err-name"' in body and "此项为必填项" in body
    assert 'id="err-kind"' in body and 'id="err-region_code"' in body and "应为 12 位区划代码" in body
    assert "电话号码格式不正确" in body
    duplicate = _create_unit(admin_client, name="竹山县教育局", kind="department", region_code="420323000000")
    assert duplicate.status_code == 400 and "该区划下已有同名单位" in text(duplicate)
    missing = _create_unit(admin_client, name="某局", kind="department", region_code="420323999999")
    assert missing.status_code == 404 and "未找到该行政区划" in text(missing)


def test_scoped_admin_cannot_create_units_outside_his_scope(app, console_as, county):
    township_admin = console_as(("admin", "420323103000"))
    response = _create_unit(township_admin, name="外地单位", kind="department", region_code="420323102000")
    assert response.status_code == 403 and "没有权限" in text(response)
    ok = _create_unit(township_admin, name="宝丰镇综治中心", kind="township_gov", region_code="420323103000")
    assert ok.status_code == 302
