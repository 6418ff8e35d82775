"""Console: the compliance view (which villages are late with which disclosures), within the user's regions."""

from tests.console.conftest import text
from tests.disclosures.factories import BAOFENG, LONGJING

COUNTY = "420323000000"


def test_inspector_sees_late_villages_of_a_township(console_as, county):
    inspector = console_as(("inspector", COUNTY))
    page = inspector.get(f"/console/compliance?region={BAOFENG}&as_of=2026-05-01&kind=finance&lookback=2")
    body = text(page)
    assert page.status_code == 200
    assert "龙井村" in body and "未公开" in body and "2026年3月" in body and "2026-04-20" in body
    assert "罗家坡村" not in body  # another township
    default = inspector.get("/console/compliance")
    assert default.status_code == 200 and "竹山县" in text(default) and "宝丰镇" in text(default)


def test_reviewer_sees_only_his_village(console_as, county):
    reviewer = console_as(("reviewer", LONGJING))
    body = text(reviewer.get("/console/compliance?as_of=2026-05-01"))
    assert "龙井村" in body and "共检查 1 个村" in body
    township = reviewer.get(f"/console/compliance?region={BAOFENG}&as_of=2026-05-01")
    assert township.status_code == 200 and "共检查 1 个村" in text(township)  # narrowed to his village
    assert reviewer.get("/console/compliance?region=420323102000").status_code == 403  # another township


def test_bad_filters_are_explained(console_as, county):
    inspector = console_as(("inspector", COUNTY))
    bad = inspector.get("/console/compliance?as_of=2026-02-30&lookback=99&kind=x")
    assert bad.status_code == 400
    body = text(bad)
    assert "请按提示修改查询条件" in body and "公开类别应为" in body
    assert inspector.get("/console/compliance?region=420323999999").status_code == 404


def test_publishers_and_other_roles_cannot_open_it(console_as, county, client):
    assert console_as(("publisher", LONGJING)).get("/console/compliance").status_code == 403
    assert console_as(("custodian", COUNTY)).get("/console/compliance").status_code == 403
    assert client.get("/console/compliance").status_code == 302
