"""Console: both networks' funnels as SVG with clickable steps, the drill-down shows only visible reports, and the
letter entry credits a posted letter to the member."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.console.conftest import csrf_of, text

COUNTY, LONGJING = "420323000000", "420323103211"


def _member(app, layer="farmer", phone="13871000001"):
    from app.contacts.models import ContactMember
    from app.contacts.service import phone_key

    with app.app_context():
        member = ContactMember(type="contact_point", name="张明华", phone=phone, phone_key=phone_key(phone),
                               layer=layer, level="village", region_code=LONGJING)
        db.session.add(member)
        db.session.commit()
        return member.id


def test_letter_entry_then_funnels_and_drilldown(app, county, console_as):
    inspector = console_as(("inspector", COUNTY))
    member_id = _member(app)
    page = inspector.get("/console/letters?q=13871000001")
    assert page.status_code == 200 and "张明华" in text(page)
    body = {"member_id": str(member_id), "postmarked_on": (today_cst() - timedelta(days=2)).isoformat(),
            "topic": "村级债务", "content": "村里欠修路款多年未还，请核查。", "subject": "村级债务",
            "csrf_token": csrf_of(page)}
    done = inspector.post("/console/letters", data=body)
    assert done.status_code == 302, text(done)
    again = inspector.post("/console/letters", data={**body, "csrf_token": csrf_of(inspector.get("/console/letters"))})
    assert "已登记" in text(again) and again.status_code == 200
    with app.app_context():
        from app.reports.models import Report

        report = db.session.scalar(sa.select(Report))
        assert (report.contact_member_id, report.channel, report.contact_layer) == (member_id, "letter", "farmer")
        tracking = report.tracking_no
    figures = inspector.get(f"/console/stats/networks?region_code={COUNTY}")
    html = text(figures)
    assert figures.status_code == 200 and html.count("<svg") == 2 and "千人情报网" in html
    assert "/console/stats/networks/reports?step=letters" in html
    drill = inspector.get(f"/console/stats/networks/reports?step=letters&region_code={COUNTY}")
    assert tracking in text(drill)
    xlsx = inspector.get(f"/console/stats/networks?region_code={COUNTY}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_drilldown_hides_reports_the_viewer_may_not_see(app, county, console_as):
    from app.auth.models import User
    from app.triage.models import Recusal

    member_id = _member(app)
    inspector = console_as(("inspector", COUNTY))
    page = inspector.get("/console/letters")
    inspector.post("/console/letters", data={
        "member_id": str(member_id), "postmarked_on": today_cst().isoformat(), "topic": "村级债务",
        "content": "村里欠修路款多年未还，请核查。", "csrf_token": csrf_of(page)})
    recused = console_as(("inspector", COUNTY))
    with app.app_context():
        db.session.add(Recusal(inspector_id=recused.user_id, village_code=LONGJING, reason="亲属在该村任职"))
        db.session.commit()
        assert db.session.get(User, recused.user_id) is not None
    drill = recused.get(f"/console/stats/networks/reports?step=letters&region_code={COUNTY}")
    assert drill.status_code == 200 and "涉及 1 条反映" in text(drill) and "JB" not in text(drill).split("收到时间")[1]


def test_who_may_not_open_the_network_pages(app, county, console_as):
    for grants in (("publisher", LONGJING), ("reviewer", LONGJING)):
        client = console_as(grants)
        assert client.get(f"/console/stats/networks?region_code={COUNTY}").status_code == 403
        assert client.get("/console/letters").status_code == 403
    other = console_as(("inspector", "420323103000"))
    assert other.get(f"/console/stats/networks?region_code={COUNTY}").status_code == 403
    assert other.get("/console/stats/networks/reports?step=nope").status_code == 400
