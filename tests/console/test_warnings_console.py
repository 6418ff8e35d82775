"""Console: issuing warnings to units and the warning list; the accused unit and other scopes are refused."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.console.conftest import post_form, text
from tests.console.test_triage import staff_fixture  # noqa: F401  (the logged-in clients: `staff`)
from tests.triage.case_factories import make_report, unit_id


def _warnings(app):
    from app.triage.case_models import UnitWarning

    with app.app_context():
        return [(w.unit_id, w.content) for w in db.session.scalars(sa.select(UnitWarning).order_by(UnitWarning.id))]


def _due(days=10):
    return (today_cst() + timedelta(days=days)).isoformat()


def test_issue_a_warning_and_list_it(app, staff):
    client = staff["inspector"]
    form = client.get("/console/warnings/new")
    assert form.status_code == 200 and "竹山县农业农村局" in text(form)
    data = {"unit_id": str(staff["agri"]), "content": "低保评定不规范，请整改", "due_date": _due()}
    resp = post_form(client, "/console/warnings/new", data, page="/console/")
    assert resp.status_code == 302, text(resp)
    assert _warnings(app) == [(staff["agri"], "低保评定不规范，请整改")]
    listing = text(client.get(resp.headers["Location"]))
    assert "低保评定不规范" in listing and "待反馈" in listing
    assert "低保评定不规范" in text(client.get("/console/warnings?status=open"))
    assert "低保评定不规范" not in text(client.get("/console/warnings?status=rectified"))
    assert client.get("/console/warnings?status=bogus").status_code == 400


def test_bad_warnings_save_nothing(app, staff):
    client = staff["inspector"]
    missing = post_form(client, "/console/warnings/new", {"content": "x"}, page="/console/")
    assert missing.status_code == 400 and "请按提示修改" in text(missing)
    past = post_form(client, "/console/warnings/new", {"unit_id": str(staff["agri"]), "content": "请整改",
                                                      "due_date": _due(-2)}, page="/console/")
    assert past.status_code == 400 and "整改期限不能早于今天" in text(past)
    accused = unit_id(app, "竹山县教育局")
    report_id = make_report(app, target_unit_id=accused)
    from app.triage.case_models import Case, CaseReport

    with app.app_context():
        case = Case(title="教育局问题", county_code="420323000000", status="open", created_by_id=client.user_id)
        db.session.add(case)
        db.session.flush()
        db.session.add(CaseReport(case_id=case.id, report_id=report_id, added_by_id=client.user_id))
        db.session.commit()
        case_id = case.id
    resp = post_form(client, "/console/warnings/new", {"unit_id": str(accused), "case_id": str(case_id),
                                                      "content": "请整改", "due_date": _due()}, page="/console/")
    assert resp.status_code == 409 and "不能向被反映单位发送预警" in text(resp)
    assert _warnings(app) == []


def test_who_may_not_issue_or_list_warnings(app, staff):
    for who in ("publisher", "handler"):
        assert staff[who].get("/console/warnings").status_code == 403
        resp = post_form(staff[who], "/console/warnings/new", {"unit_id": str(staff["agri"]), "content": "x",
                                                               "due_date": _due()}, page="/console/")
        assert resp.status_code == 403
    data = {"unit_id": str(staff["agri"]), "content": "越级预警", "due_date": _due()}
    county_unit = post_form(staff["baofeng"], "/console/warnings/new", data, page="/console/")
    assert county_unit.status_code == 403
    assert _warnings(app) == []
    assert "竹山县农业农村局" not in text(staff["baofeng"].get("/console/warnings/new"))
