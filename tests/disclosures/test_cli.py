"""`flask disclosures verify` and `flask disclosures schedule`."""

import sqlalchemy as sa

from app.extensions import db
from tests.disclosures.factories import LONGJING, publish_new


def test_verify_command_reports_a_break(app, client, staff):
    publish_new(client, staff, "finance")
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["disclosures", "verify"])
    assert ok.exit_code == 0 and f"{LONGJING}：完好，1 条" in ok.output
    with app.app_context():
        db.session.execute(sa.text("UPDATE disclosure_versions SET title = 'x'"))
        db.session.commit()
    broken = runner.invoke(args=["disclosures", "verify", "--village", LONGJING])
    assert broken.exit_code == 1 and "第 1 条记录被篡改或断链" in broken.output


def test_schedule_command(app, county):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["disclosures", "schedule", "420323103000", "finance", "quarter"])
    assert done.exit_code == 0, done.output
    assert runner.invoke(args=["disclosures", "schedule", "420323103000", "finance", "weekly"]).exit_code == 2
    missing = runner.invoke(args=["disclosures", "schedule", "420323999000", "finance", "month"])
    assert missing.exit_code == 2 and "未找到" in missing.output
