"""Console pages of the networks' records: mailings with the return rate, petition volumes, proposals up, and
outcomes recorded from the report page and the case page."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.console.conftest import post_form, text
from tests.console.test_networks_console import _member
from tests.console.test_triage import staff_fixture  # noqa: F401  (the logged-in clients: `staff`)
from tests.triage.case_factories import COUNTY, LONGJING, LUOJIAPO, make_report, report_of

TODAY = today_cst()


def _rows(app, model):
    with app.app_context():
        return list(db.session.scalars(sa.select(model)))


def _case(app, staff, *report_ids, title="村道维修款"):
    from app.auth.models import User
    from app.triage.cases import create_case

    with app.app_context():
        user = db.session.get(User, staff["inspector"].user_id)
        return create_case(user, list(report_ids), title).id


def test_mailing_recorded_and_its_return_rate_shown(app, staff):
    from app.triage.network_models import Mailing

    client = staff["inspector"]
    page = client.get("/console/networks/mailings")
    assert page.status_code == 200 and "还没有寄发记录" in text(page) and "外来务工人员" in text(page)
    assert "寄发记录" in text(client.get("/console/"))
    mailed_on = (TODAY - timedelta(days=30)).isoformat()
    done = post_form(client, "/console/networks/mailings", {"region_code": COUNTY, "mailed_on": mailed_on,
                                                            "layer-farmer": "3", "layer-enterprise": "1",
                                                            "note": "第一批"}, page="/console/networks/mailings")
    assert done.status_code == 302, text(done)
    [mailing] = _rows(app, Mailing)
    assert (mailing.forms, mailing.layers) == (4, {"enterprise": 1, "farmer": 3})
    member_id = _member(app)
    letter = post_form(client, "/console/letters", {
        "member_id": str(member_id), "postmarked_on": TODAY.isoformat(), "topic": "村级债务",
        "content": "村里欠修路款多年未还，请核查。"}, page="/console/letters")
    assert letter.status_code == 302, text(letter)
    listed = text(client.get("/console/networks/mailings"))
    assert "农民群众 3" in listed and "25.0%" in listed and "第一批" in listed


def test_bad_mailings_save_nothing(app, staff):
    from app.triage.network_models import Mailing

    client = staff["inspector"]
    url = "/console/networks/mailings"
    none = post_form(client, url, {"region_code": COUNTY, "mailed_on": TODAY.isoformat()}, page=url)
    assert none.status_code == 400 and "请至少填写一个界别的寄发份数" in text(none)
    bad = post_form(client, url, {"region_code": COUNTY, "mailed_on": TODAY.isoformat(), "layer-farmer": "-2"},
                    page=url)
    assert bad.status_code == 400 and 'id="err-layer-farmer"' in text(bad)
    future = post_form(client, url, {"region_code": COUNTY, "mailed_on": (TODAY + timedelta(days=1)).isoformat(),
                                     "layer-farmer": "5"}, page=url)
    assert future.status_code == 400 and "寄发日期不能晚于今天" in text(future) and 'id="err-mailed_on"' in text(future)
    elsewhere = post_form(client, url, {"region_code": "420324000000", "mailed_on": TODAY.isoformat(),
                                        "layer-farmer": "5"}, page=url)
    assert elsewhere.status_code == 403 and "管辖范围" in text(elsewhere)
    assert _rows(app, Mailing) == []


def test_petition_volumes_and_the_change_on_the_year_before(app, staff):
    from app.triage.network_models import PetitionVolume

    client = staff["inspector"]
    url = "/console/networks/petitions"
    assert "还没有登记信访总量" in text(client.get(url))
    for year, volume in ((TODAY.year - 1, "412"), (TODAY.year, "206")):
        done = post_form(client, url, {"region_code": COUNTY, "year": str(year), "volume": volume}, page=url)
        assert done.status_code == 302, text(done)
    assert "-50.0%" in text(client.get(url))
    future = post_form(client, url, {"region_code": COUNTY, "year": str(TODAY.year + 1), "volume": "1"}, page=url)
    assert future.status_code == 400 and 'id="err-year"' in text(future) and "年度不能晚于今年" in text(future)
    words = post_form(client, url, {"region_code": COUNTY, "year": str(TODAY.year), "volume": "很多"}, page=url)
    assert words.status_code == 400 and 'id="err-volume"' in text(words)
    assert sorted(p.volume for p in _rows(app, PetitionVolume)) == [206, 412]


def test_who_may_not_keep_the_networks_records(app, staff):
    for who in ("publisher", "handler"):
        client = staff[who]
        for page in ("/console/networks/mailings", "/console/networks/petitions", "/console/networks/proposals",
                     "/console/networks/proposals/new"):
            assert client.get(page).status_code == 403, (who, page)
        resp = post_form(client, "/console/networks/petitions", {"region_code": COUNTY, "year": "2025",
                                                                 "volume": "1"}, page="/console/")
        assert resp.status_code == 403
    other = staff["other_county"]
    assert COUNTY not in text(other.get("/console/networks/mailings"))


def test_proposal_from_cases_answered_once(app, staff):
    from app.triage.network_models import Proposal

    case_id = _case(app, staff, make_report(app), make_report(app, LUOJIAPO))
    client = staff["inspector"]
    form = client.get(f"/console/networks/proposals/new?case_id={case_id}")
    assert form.status_code == 200 and f'value="{case_id}" checked' in text(form)
    done = post_form(client, "/console/networks/proposals/new", {
        "region_code": COUNTY, "addressee": "government", "title": "规范村级工程款公开",
        "content": "建议县政府统一村级工程款公示格式。", "sent_on": TODAY.isoformat(), "case_ids": str(case_id)},
        page="/console/")
    assert done.status_code == 302, text(done)
    [proposal] = _rows(app, Proposal)
    page = text(client.get(done.headers["Location"]))
    assert "规范村级工程款公开" in page and "县政府" in page and f"问题 #{case_id} 村道维修款" in page
    listed = text(client.get(f"/console/networks/proposals?year={TODAY.year}"))
    assert f"{TODAY.year} 年报送意见建议 <strong>1</strong> 件" in listed
    assert "该年度没有报送" in text(client.get(f"/console/networks/proposals?year={TODAY.year - 1}"))
    url = f"/console/networks/proposals/{proposal.id}/answer"
    early = post_form(client, url, {"answer": "已采纳", "answered_on": (TODAY - timedelta(days=400)).isoformat()},
                      page="/console/")
    assert early.status_code == 400 and "答复日期应在报送日期与今天之间" in text(early)
    ok = post_form(client, url, {"answer": "已采纳，将印发通知。", "answered_on": TODAY.isoformat()}, page="/console/")
    assert ok.status_code == 302
    assert "已采纳，将印发通知。" in text(client.get(f"/console/networks/proposals/{proposal.id}"))
    twice = post_form(client, url, {"answer": "再答", "answered_on": TODAY.isoformat()}, page="/console/")
    assert twice.status_code == 409 and "已登记答复" in text(twice)


def test_bad_proposals_and_who_may_not_see_them(app, staff):
    from app.triage.network_models import Proposal

    client = staff["inspector"]
    url = "/console/networks/proposals/new"
    none = post_form(client, url, {"region_code": COUNTY, "addressee": "both", "title": "无依据",
                                   "content": "内容", "sent_on": TODAY.isoformat()}, page="/console/")
    assert none.status_code == 400 and 'id="err-case_ids"' in text(none) and "请选择 1 到 50 个问题" in text(none)
    case_id = _case(app, staff, make_report(app))
    missing = post_form(client, url, {"region_code": COUNTY, "addressee": "both", "title": "不存在",
                                      "content": "内容", "sent_on": TODAY.isoformat(), "case_ids": "999999"},
                        page="/console/")
    assert missing.status_code == 404 and "所选问题不存在或您无权查看" in text(missing)
    other = post_form(staff["other_county"], url, {"region_code": "420324000000", "addressee": "both",
                                                   "title": "越权", "content": "内容", "sent_on": TODAY.isoformat(),
                                                   "case_ids": str(case_id)}, page="/console/")
    assert other.status_code == 404 and "村道维修款" not in text(other)
    assert _rows(app, Proposal) == []
    post_form(client, url, {"region_code": COUNTY, "addressee": "both", "title": "本县建议", "content": "内容",
                            "sent_on": TODAY.isoformat(), "case_ids": str(case_id)}, page="/console/")
    [proposal] = _rows(app, Proposal)
    assert staff["other_county"].get(f"/console/networks/proposals/{proposal.id}").status_code == 404
    assert "本县建议" not in text(staff["other_county"].get("/console/networks/proposals"))
    assert client.get("/console/networks/proposals?year=abc").status_code == 400


def test_report_outcome_from_the_report_page(app, staff):
    report_id = make_report(app, kind="tipoff", topic="强农惠农政策落实")
    client = staff["inspector"]
    page = text(client.get(f"/console/triage/reports/{report_id}"))
    assert 'id="outcomes"' in page and "尚未登记办理结果" in page and "登记办理结果" in page
    url = f"/console/triage/reports/{report_id}/outcomes"
    no_verdict = post_form(client, url, {"outcome-kind": "verified", "outcome-occurred_on": TODAY.isoformat()},
                           page="/console/")
    body = text(no_verdict)
    assert no_verdict.status_code == 400 and 'id="err-outcome-verdict"' in body and "请选择核实结果" in body
    future = post_form(client, url, {"outcome-kind": "closed",
                                     "outcome-occurred_on": (TODAY + timedelta(days=2)).isoformat()},
                       page="/console/")
    assert future.status_code == 400 and 'id="err-outcome-occurred_on"' in text(future)
    done = post_form(client, url, {"outcome-kind": "verified", "outcome-verdict": "partly",
                                   "outcome-occurred_on": TODAY.isoformat(), "outcome-note": "补贴发放有两户不符"},
                     page="/console/")
    assert done.status_code == 302, text(done)
    shown = text(client.get(f"/console/triage/reports/{report_id}"))
    assert "初步核实：部分属实" in shown and "登记办理结果" in shown and "补贴发放有两户不符" in shown
    assert ("outcome", "internal") in [(a, v) for a, v, _ in report_of(app, report_id)[1]]
    filed = {"outcome-kind": "filed", "outcome-case_number": "竹纪立〔2026〕3号",
             "outcome-occurred_on": TODAY.isoformat()}
    assert post_form(client, url, filed, page="/console/").status_code == 302
    again = post_form(client, url, filed, page="/console/")
    assert again.status_code == 409 and "已登记" in text(again) and 'id="err-outcome-case_number"' in text(again)


def test_who_may_not_record_an_outcome(app, staff):
    from app.triage.network_models import Outcome

    report_id = make_report(app)
    case_id = _case(app, staff, make_report(app))
    body = {"outcome-kind": "closed", "outcome-occurred_on": TODAY.isoformat()}
    for who, status in (("publisher", 403), ("handler", 403), ("other_county", 404)):
        assert post_form(staff[who], f"/console/triage/reports/{report_id}/outcomes", body,
                         page="/console/").status_code == status, who
        assert post_form(staff[who], f"/console/cases/{case_id}/outcomes", body,
                         page="/console/").status_code == status, who
    assert _rows(app, Outcome) == []


def test_case_outcome_from_the_case_page(app, staff):
    case_id = _case(app, staff, make_report(app), make_report(app))
    client = staff["inspector"]
    url = f"/console/cases/{case_id}/outcomes"
    assert "尚未登记办理结果" in text(client.get(f"/console/cases/{case_id}"))
    too_many = post_form(client, url, {"outcome-kind": "disciplined", "outcome-persons": "2",
                                       "outcome-party_members": "3", "outcome-occurred_on": TODAY.isoformat()},
                         page="/console/")
    assert too_many.status_code == 400 and 'id="err-outcome-party_members"' in text(too_many)
    assert 'value="3"' in text(too_many)  # what was typed stays in the form
    nowhere = post_form(client, url, {"outcome-kind": "referred", "outcome-occurred_on": TODAY.isoformat()},
                        page="/console/")
    assert nowhere.status_code == 400 and "请选择或填写转交的有关部门" in text(nowhere)
    done = post_form(client, url, {"outcome-kind": "disciplined", "outcome-persons": "3",
                                   "outcome-party_members": "2", "outcome-occurred_on": TODAY.isoformat()},
                     page="/console/")
    assert done.status_code == 302, text(done)
    assert "处分 3 人（其中党员 2 人）" in text(client.get(f"/console/cases/{case_id}"))
    referred = post_form(client, url, {"outcome-kind": "referred", "outcome-unit_id": str(staff["agri"]),
                                       "outcome-occurred_on": TODAY.isoformat()}, page="/console/")
    assert referred.status_code == 302
    assert "转有关部门：竹山县农业农村局" in text(client.get(f"/console/cases/{case_id}"))


def test_the_village_stays_out_of_reach(app, staff):
    """A report in a village the township inspector does not cover: no page, no outcome."""
    report_id = make_report(app, LUOJIAPO)
    assert staff["baofeng"].get(f"/console/triage/reports/{report_id}").status_code == 404
    assert post_form(staff["baofeng"], f"/console/triage/reports/{report_id}/outcomes",
                     {"outcome-kind": "closed", "outcome-occurred_on": TODAY.isoformat()},
                     page="/console/").status_code == 404
    assert LONGJING  # the township inspector's own village stays reachable (tests/console/test_triage.py)
