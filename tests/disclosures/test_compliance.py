"""GET /admin/disclosure-compliance: villages late per kind and period, within the caller's scope."""

from datetime import UTC, datetime

import sqlalchemy as sa

from app.disclosures.compliance import schedule_for_village, set_schedule
from app.disclosures.models import DisclosureVersion
from app.extensions import db
from tests.conftest import error_of
from tests.disclosures.factories import BAOFENG, LONGJING, act, create, publish_new

URL = "/api/v1/admin/disclosure-compliance"


def _published_on(app, disclosure_id, day):
    with app.app_context():  # the test's clock: when it went public (a column outside the hashed document)
        db.session.execute(sa.text("UPDATE disclosures SET first_published_at = :t WHERE id = :d"),
                           {"t": datetime(*day, 2, 0, tzinfo=UTC).replace(tzinfo=None), "d": disclosure_id})
        db.session.commit()


def _items(client, headers, query):
    response = client.get(URL + query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_late_and_missing_per_kind_and_period(app, client, staff):
    on_time = publish_new(client, staff, "affairs", period="2026-Q1")
    _published_on(app, on_time, (2026, 4, 15))
    late = publish_new(client, staff, "finance", period="2026-03")
    _published_on(app, late, (2026, 4, 25))
    report = _items(client, staff.inspector, f"?township={BAOFENG}&as_of=2026-05-01&kind=finance&lookback=2")
    longjing = [i for i in report["items"] if i["village_code"] == LONGJING]
    assert [(i["period"], i["status"], i["days_late"]) for i in longjing] == [("2026-02", "missing", 42),
                                                                             ("2026-03", "late", 5)]
    assert longjing[1]["due_date"] == "2026-04-20" and longjing[1]["published_on"] == "2026-04-25"
    assert report["villages_checked"] == report["villages_late"] == 29
    affairs = _items(client, staff.inspector, f"?township={BAOFENG}&as_of=2026-05-01&kind=affairs&lookback=1")
    assert LONGJING not in {i["village_code"] for i in affairs["items"]}
    assert affairs["counts"]["missing"] == 28


def test_schedule_rules_change_what_is_due(app, client, staff):
    with app.app_context():
        set_schedule(BAOFENG, "finance", "quarter")
        set_schedule(LONGJING, "finance", "month")
        from app.disclosures.models import ScheduleRule

        rules = list(db.session.scalars(sa.select(ScheduleRule)))
        assert schedule_for_village(rules, LONGJING)["finance"] == "month"
        assert schedule_for_village(rules, "420323103210")["finance"] == "quarter"
        assert schedule_for_village(rules, "420323102203")["finance"] == "month"  # the default
    report = _items(client, staff.inspector, f"?township={BAOFENG}&as_of=2026-05-01&kind=finance&lookback=1")
    periods = {i["village_code"]: i["period"] for i in report["items"]}
    assert periods[LONGJING] == "2026-03" and periods["420323103210"] == "2026-Q1"


def test_approved_but_unpublished_for_more_than_five_days(app, client, staff):
    disclosure_id = create(client, staff.publisher, "affairs").get_json()["id"]
    act(client, staff.publisher, disclosure_id, "submit")
    act(client, staff.reviewer, disclosure_id, "approve")
    with app.app_context():
        db.session.execute(sa.update(DisclosureVersion.__table__).values(reviewed_at=datetime(2026, 4, 1)))
        db.session.commit()
    report = _items(client, staff.reviewer, f"?township={BAOFENG}&as_of=2026-04-10&kind=affairs&lookback=1")
    stalled = [i for i in report["items"] if i["status"] == "approved_unpublished"]
    assert stalled == [{**stalled[0], "village_code": LONGJING, "disclosure_id": disclosure_id, "days_late": 4,
                        "due_date": "2026-04-06"}]
    assert {i["village_code"] for i in report["items"]} == {LONGJING}  # a reviewer sees his own village only


def test_scope_and_input(client, staff):
    assert client.get(URL + f"?township={BAOFENG}").status_code == 401
    assert client.get(URL + f"?township={BAOFENG}", headers=staff.resident).status_code == 403
    assert client.get(URL + f"?township={BAOFENG}", headers=staff.publisher).status_code == 403
    assert client.get(URL + "?township=420323102000", headers=staff.inspector).status_code == 403
    assert client.get(URL + "?township=420323102000", headers=staff.reviewer).status_code == 403
    assert "township" in error_of(client.get(URL, headers=staff.inspector))["fields"]
    assert "as_of" in error_of(client.get(URL + f"?township={BAOFENG}&as_of=soon", headers=staff.inspector))[
        "fields"]
    assert client.get(URL + "?township=420323999000", headers=staff.admin).status_code == 404
    county = _items(client, staff.admin, "?township=420323000000&as_of=2026-05-01&kind=power&lookback=1")
    assert county["region"]["level"] == "county" and county["villages_checked"] > 200
