"""Console: merging reports into a case, the case page and concluding it for every reporter."""

import sqlalchemy as sa

from app.extensions import db
from tests.console.conftest import post_form, text
from tests.console.test_triage import staff_fixture  # noqa: F401  (the logged-in clients: `staff`)
from tests.triage.case_factories import LONGJING, LUOJIAPO, act, make_report, report_of


def _case_ids(app):
    from app.triage.case_models import Case

    with app.app_context():
        return list(db.session.scalars(sa.select(Case.id).order_by(Case.id)))


def test_merge_from_the_queue_then_conclude(app, staff):
    r1 = make_report(app, content="村道维修款没有公开")
    r2 = make_report(app, LUOJIAPO, content="村道维修的钱去哪了")
    client = staff["inspector"]
    queue = text(client.get("/console/triage"))
    assert 'form="merge-form"' in queue and "合并所选反映" in queue
    resp = post_form(client, "/console/cases/merge", {"report_ids": [str(r1), str(r2)], "title": "村道维修款"},
                     page="/console/")
    assert resp.status_code == 302, text(resp)
    case_id = _case_ids(app)[0]
    assert resp.headers["Location"].endswith(f"/console/cases/{case_id}")
    assert report_of(app, r1)[0] == "merged" and report_of(app, r2)[0] == "merged"
    page = client.get(f"/console/cases/{case_id}")
    assert page.status_code == 200 and "村道维修款" in text(page) and "办结问题" in text(page)
    assert "村道维修款" in text(client.get("/console/cases"))

    empty = post_form(client, f"/console/cases/{case_id}/conclude", {"result": ""}, page="/console/")
    assert empty.status_code == 400 and "长度应在" in text(empty)
    done = post_form(client, f"/console/cases/{case_id}/conclude", {"result": "维修款明细已张榜公开",
                                                                     "confirm": "1"}, page="/console/")
    assert done.status_code == 302
    for rid in (r1, r2):
        assert ("conclude", "public", "维修款明细已张榜公开") in report_of(app, rid)[1]
    again = post_form(client, f"/console/cases/{case_id}/conclude", {"result": "再次办结"}, page="/console/")
    assert again.status_code == 409 and "已办结" in text(again)


def test_merge_into_an_existing_case_from_the_report_page(app, staff):
    r1, r2 = make_report(app), make_report(app)
    client = staff["inspector"]
    post_form(client, "/console/cases/merge", {"report_ids": [str(r1)], "title": "低保评定"}, page="/console/")
    case_id = _case_ids(app)[0]
    page = text(client.get(f"/console/triage/reports/{r2}"))
    assert f'<option value="{case_id}">#{case_id} 低保评定</option>' in page
    resp = post_form(client, "/console/cases/merge", {"report_ids": str(r2), "case_id": str(case_id)},
                     page="/console/")
    assert resp.status_code == 302 and _case_ids(app) == [case_id]
    assert report_of(app, r2)[0] == "merged"
    assert f"问题 #{case_id}" in text(client.get(f"/console/triage/reports/{r2}"))


def test_bad_merges_save_nothing(app, staff):
    r1 = make_report(app)
    refused = make_report(app)
    act(app, _inspector_id(app, staff), refused, "refuse", reason="不属于受理范围")
    client = staff["inspector"]
    none = post_form(client, "/console/cases/merge", {"title": "空"}, page="/console/")
    assert none.status_code == 400 and "没有选择任何反映" in text(none)
    no_title = post_form(client, "/console/cases/merge", {"report_ids": str(r1)}, page="/console/")
    assert no_title.status_code == 400 and "标题" in text(no_title)
    bad_state = post_form(client, "/console/cases/merge", {"report_ids": [str(r1), str(refused)], "title": "x"},
                          page="/console/")
    assert bad_state.status_code == 409 and "不能并入问题" in text(bad_state)
    assert _case_ids(app) == [] and report_of(app, r1)[0] == "received"


def test_who_may_not_merge_or_see_cases(app, staff):
    r1 = make_report(app, LONGJING)
    luojiapo = make_report(app, LUOJIAPO)
    client = staff["inspector"]
    post_form(client, "/console/cases/merge", {"report_ids": [str(r1), str(luojiapo)], "title": "县级问题"},
              page="/console/")
    case_id = _case_ids(app)[0]
    assert staff["baofeng"].get(f"/console/cases/{case_id}").status_code == 404  # a county case
    assert staff["other_county"].get(f"/console/cases/{case_id}").status_code == 404
    for who in ("publisher", "handler"):
        assert staff[who].get("/console/cases").status_code == 403
        assert staff[who].get(f"/console/cases/{case_id}").status_code == 403
    r3 = make_report(app)
    resp = post_form(staff["other_county"], "/console/cases/merge", {"report_ids": str(r3), "title": "越权"},
                     page="/console/")
    assert resp.status_code == 404 and len(_case_ids(app)) == 1


def _inspector_id(app, staff):
    return staff["inspector"].user_id


def test_case_list_filters_by_status(app, staff):
    r1 = make_report(app)
    client = staff["inspector"]
    post_form(client, "/console/cases/merge", {"report_ids": str(r1), "title": "低保评定"}, page="/console/")
    assert "低保评定" in text(client.get("/console/cases?status=open"))
    assert "低保评定" not in text(client.get("/console/cases?status=concluded"))
    assert client.get("/console/cases?status=bogus").status_code == 400
