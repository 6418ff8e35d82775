"""Console: a report's possible matches of the accused, and a county inspector clearing a false one."""

import sqlalchemy as sa

from app.extensions import db
from tests.console.conftest import post_form, text
from tests.console.test_triage import staff_fixture  # noqa: F401  (the logged-in clients: `staff`)
from tests.triage.case_factories import make_report


def _about(app, user_id):
    return make_report(app, kind="tipoff", content="村干部虚报冒领补贴，请核查。", target_user_id=user_id,
                       target_person_post="村民")


def test_the_panel_names_the_matches_and_only_the_county_may_clear(app, staff, console_as):
    accused = console_as(("inspector", "420323103000"))
    report_id = _about(app, accused.user_id)
    page = text(staff["inspector"].get(f"/console/triage/reports/{report_id}"))
    assert "利益冲突回避" in page and "被反映人的账号" in page and "排除误匹配" in page
    township = text(staff["baofeng"].get(f"/console/triage/reports/{report_id}"))
    assert "利益冲突回避" in township and "排除误匹配" not in township
    assert accused.get(f"/console/triage/reports/{report_id}").status_code == 404
    from app.reports.models import ReportConflict

    with app.app_context():
        conflict_id = db.session.scalar(sa.select(ReportConflict.id).where(ReportConflict.report_id == report_id))
    url = f"/console/triage/reports/{report_id}/conflicts/{conflict_id}/clear"
    short = post_form(staff["inspector"], url, {"reason": "误"}, page=f"/console/triage/reports/{report_id}")
    assert short.status_code == 400 and "至少 5 个字" in text(short)
    refused = post_form(staff["baofeng"], url, {"reason": "同名村民，并非该工作人员"},
                        page=f"/console/triage/reports/{report_id}")
    assert refused.status_code == 403
    done = post_form(staff["inspector"], url, {"reason": "同名村民，并非该工作人员"},
                     page=f"/console/triage/reports/{report_id}")
    assert done.status_code == 302
    assert accused.get(f"/console/triage/reports/{report_id}").status_code == 200
