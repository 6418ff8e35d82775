"""Helpers of the networks' tests: members registered through the API, letters entered through the API."""

from datetime import timedelta

from app.core.timeutil import today_cst

COUNTY, BAOFENG, LONGJING = "420323000000", "420323103000", "420323103211"
MAJIADU, LUOJIAPO = "420323102000", "420323102203"


def register_member(client, headers, *, name="张明华", layer="farmer", region=LONGJING, phone="13871000001",
                    type_="contact_point"):
    """Register a member through POST /admin/contact-points; returns the member dict."""
    body = {"name": name, "type": type_, "region_code": region, "phone": phone}
    if layer:
        body["layer"] = layer
    response = client.post("/api/v1/admin/contact-points", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["member"]


def letter_body(member_id, **overrides):
    """A valid letter entry for a member."""
    return {"member_id": member_id, "postmarked_on": (today_cst() - timedelta(days=3)).isoformat(),
            "topic": "村级债务", "content": "村里修路欠款多年未还，群众意见很大，请尽快核查。",
            "form": {"subject": "村级债务", "suggestion": "建议公开债务明细"}, **overrides}


def enter_letter(client, headers, member_id, **overrides):
    """POST /triage/letters; asserts 201 and returns the body."""
    response = client.post("/api/v1/triage/letters", json=letter_body(member_id, **overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def report_by_tracking(app, tracking_no):
    """The report row (detached values) of a tracking number."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.reports.models import Report

    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == tracking_no))
        db.session.expunge(report)
        return report
