"""The H5 track page takes the receipt code in a form POST body (never the URL) and offers 补充情况 and 异议; the
report form captures whom a report is about and its receipt page keeps its promises."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.regions.models import Cadre, Unit
from app.reports.models import Report

LONGJING, ZHUSHAN = "420323103211", "420323000000"
CONTENT = "村里低保评定没有开村民代表会议，有车的人家也评上了，请核查。"


def text_of(response):
    """The page as text."""
    return response.get_data(as_text=True)


def _file(client, **changes):
    data = {"village_code": LONGJING, "kind": "question", "topic": "强农惠农政策落实", "anonymous": True,
            "content": CONTENT, "channel": "h5", **changes}
    answer = client.post("/api/v1/reports", json=data)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _conclude(client, as_role, tracking_no, app):
    with app.app_context():
        report_id = db.session.scalar(sa.select(Report.id).where(Report.tracking_no == tracking_no))
    inspector = as_role("inspector", ZHUSHAN)
    for action, payload in (("accept", {}), ("conclude", {"result": "经核实，已按规定答复。"})):
        assert client.post(f"/api/v1/triage/reports/{report_id}/{action}", json=payload,
                           headers=inspector).status_code == 200


def _urls(page):
    return re.findall(r'(?:href|action|src)="([^"]*)"', page)


def test_the_lookup_form_posts_the_code_in_the_body(client):
    page = text_of(client.get("/v/track"))
    form = re.search(r'<form id="track-form"[^>]*>', page).group(0)
    assert 'method="post"' in form and 'action="/v/track"' in form
    assert 'name="receipt_code"' in page and 'autocomplete="off"' in page


def test_posting_the_code_shows_progress_without_it_in_any_url(app, client, demo_county):
    filed = _file(client)
    response = client.post("/v/track", data={"receipt_code": filed["receipt_code"]})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    page = text_of(response)
    assert filed["tracking_no"] in page and "待受理" in page and "已提交" in page
    assert CONTENT not in page  # the content stays with staff
    digits = filed["receipt_code"].replace(" ", "")
    assert all(digits not in url for url in _urls(page))
    assert 'id="message-form"' in page and 'id="dispute-form"' not in page  # nothing to dispute yet


def test_wrong_and_malformed_codes_are_explained_in_chinese(client, demo_county):
    unknown = client.post("/v/track", data={"receipt_code": "1234 5678 1234 5678"})
    assert unknown.status_code == 404 and "未找到该回执码" in text_of(unknown)
    malformed = client.post("/v/track", data={"receipt_code": "12345"})
    assert malformed.status_code == 400 and "16 位数字" in text_of(malformed)
    assert client.post("/v/track", data={}).status_code == 400


def test_lookups_from_the_page_share_the_strict_limit(make_app, client, demo_county):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       RECEIPT_LOOKUP_LIMIT="2 per hour").test_client()
    statuses = [limited.post("/v/track", data={"receipt_code": "1111222233334444"}).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    blocked = limited.post("/v/track", data={"receipt_code": "1111222233334444"})
    assert int(blocked.headers["Retry-After"]) > 0 and "频繁" in text_of(blocked)


def test_the_reporter_adds_information_from_the_page(app, client, demo_county):
    filed = _file(client)
    empty = client.post("/v/track/messages", data={"receipt_code": filed["receipt_code"], "content": "  "})
    assert empty.status_code == 400
    assert re.search(r'id="f-content"[^>]*>\s*</textarea>\s*<p class="field-error" id="err-content">', text_of(empty))
    sent = client.post("/v/track/messages", data={"receipt_code": filed["receipt_code"],
                                                   "content": "补充：评上的是村主任的亲戚。"})
    assert sent.status_code == 200
    page = text_of(sent)
    assert "已收到您的补充情况" in page and "反映人留言" in page and "补充：评上的是村主任的亲戚。" in page
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == filed["tracking_no"]))
        assert [e.action for e in report.timeline] == ["submitted", "reporter_message"]


def test_the_reporter_disputes_a_conclusion_from_the_page(app, client, demo_county, as_role):
    filed = _file(client)
    early = client.post("/v/track/dispute", data={"receipt_code": filed["receipt_code"], "reason": "有异议"})
    assert early.status_code == 409 and "办结" in text_of(early)
    _conclude(client, as_role, filed["tracking_no"], app)
    page = text_of(client.post("/v/track", data={"receipt_code": filed["receipt_code"]}))
    assert 'id="dispute-form"' in page and 'action="/v/track/dispute"' in page and "30 日内" in page
    disputed = client.post("/v/track/dispute", data={"receipt_code": filed["receipt_code"],
                                                     "reason": "答复与事实不符：名单仍未公示。"})
    assert disputed.status_code == 200
    after = text_of(disputed)
    assert "已提出异议" in after and "重新办理" in after and 'id="dispute-form"' not in after
    with app.app_context():
        status = db.session.scalar(sa.select(Report.status).where(Report.tracking_no == filed["tracking_no"]))
    assert status == "reopened"


def test_a_real_name_reporter_uses_the_same_page(client, demo_county):
    filed = _file(client, anonymous=False, reporter={"name": "陈德明", "phone": "13907191234"})
    assert filed["receipt_code"]
    page = text_of(client.post("/v/track", data={"receipt_code": filed["receipt_code"]}))
    assert filed["tracking_no"] in page and "陈德明" not in page and "13907191234" not in page


def test_report_form_offers_roster_people_and_county_units(app, client, demo_county):
    with app.app_context():
        cadres = db.session.scalars(sa.select(Cadre).where(Cadre.village_code == LONGJING)).all()
        units = db.session.scalars(sa.select(Unit).where(Unit.region_code.startswith("420323"))).all()
        stopped = units[0]
        stopped.is_active = False
        db.session.commit()
        expected = [(c.id, c.name, c.post) for c in cadres]
        active, stopped_id = [(u.id, u.name) for u in units if u.is_active], stopped.id
    page = text_of(client.get(f"/v/{LONGJING}/report"))
    assert "反映对象（选填）" in page and 'name="roster_id"' in page and 'name="unit_id"' in page
    assert 'name="person_name"' in page and 'name="person_post"' in page
    for cadre_id, name, post in expected:
        assert f'<option value="{cadre_id}">{name}（{post}）</option>' in page
    for unit_id, name in active:
        assert f'<option value="{unit_id}">{name}</option>' in page
    assert f'<option value="{stopped_id}">' not in page
    for field in ("target.roster_id", "target.person_name", "target.unit_id", "content", "reporter.phone"):
        assert f'data-field="{field}"' in page


def test_what_the_form_posts_reaches_the_intake_validation(app, client, demo_county):
    with app.app_context():
        cadre = db.session.scalar(sa.select(Cadre).where(Cadre.village_code == LONGJING).order_by(Cadre.id))
        unit = db.session.scalar(sa.select(Unit).where(Unit.region_code == ZHUSHAN).order_by(Unit.id))
        cadre_id, unit_id = cadre.id, unit.id
    filed = _file(client, kind="tipoff", target={"roster_id": cadre_id, "unit_id": unit_id})
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == filed["tracking_no"]))
        assert report.target_roster_id == cadre_id and report.target_unit_id == unit_id
    wrong = client.post("/api/v1/reports", json={"village_code": LONGJING, "kind": "tipoff", "topic": "作风问题",
                                                 "anonymous": True, "content": CONTENT, "channel": "h5",
                                                 "target": {"roster_id": 999999}})
    assert wrong.status_code == 400
    fields = wrong.get_json()["error"]["fields"]
    assert "target.roster_id" in fields  # the form has a slot of that name next to the roster picker
    page = text_of(client.get(f"/v/{LONGJING}/report"))
    assert 'data-field="target.roster_id"' in page


@pytest.mark.parametrize("settings, anonymous_days, real_days", [({}, 15, 15),
                                                                  ({"TRIAGE_ACCEPT_DAYS": 10,
                                                                    "TRIAGE_ACCEPT_NOTICE_DAYS": 7}, 10, 7)])
def test_receipt_page_states_when_to_expect_an_answer(make_app, app, demo_county, settings, anonymous_days,
                                                      real_days):
    page = text_of(make_app(**settings).test_client().get(f"/v/{LONGJING}/report"))
    assert f"我们将在 {anonymous_days} 个工作日内决定是否受理" in page
    assert f"我们将在 {real_days} 个工作日内决定是否受理并告知您" in page and "90 日内办结" in page
    assert 'id="copy-receipt"' in page and 'class="receipt" id="receipt-code"' in page
    to_track = re.search(r'<form id="to-track"[^>]*>', page).group(0)
    assert 'method="post"' in to_track and 'action="/v/track"' in to_track
    assert 'id="to-track-code"' in page and 'name="receipt_code"' in page
