"""Faults inside the suite: Redis down (fail closed for receipts, open for public reads and intake) and a submission
killed between flush and commit (PostgreSQL backend terminated; the serving process SIGKILLed) leaving nothing."""

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report, TimelineEvent, report_attachments
from tests.conftest import PG, error_of
from tests.fake_wechat import _png
from tests.reports.conftest import LONGJING, body, real_name, submit

pytestmark = pytest.mark.usefixtures("county")

DOWN = "redis://127.0.0.1:1/9"  # nothing listens on port 1: connection refused at once
ROOT = Path(__file__).resolve().parents[2]


def _counts(app):
    """(reports, timeline events, attachment links) in the database."""
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(t))
                     for t in (Report.__table__, TimelineEvent.__table__, report_attachments))


def _upload(client):
    response = client.post("/api/v1/uploads", data={"file": (io.BytesIO(_png("现场照片")), "a.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _whole(app):
    """Every report has its `submitted` event; every attachment link points at a report."""
    with app.app_context():
        without_event = db.session.scalar(sa.text(
            "SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM report_events e "
            "WHERE e.report_id = r.id AND e.action = 'submitted')"))
        orphan_links = db.session.scalar(sa.text(
            "SELECT count(*) FROM report_attachments a LEFT JOIN reports r ON r.id = a.report_id WHERE r.id IS NULL"))
    return without_event == 0 and orphan_links == 0


def test_redis_down_receipts_fail_closed_public_reads_and_intake_stay_open(make_app, client):
    filed = submit(client).get_json()
    broken = make_app(REDIS_URL=DOWN, RATELIMIT_STORAGE_URI=DOWN, RATELIMIT_ENABLED=True, JOBS_INLINE=False)
    down = broken.test_client()
    lookup = down.post("/api/v1/reports/track", json={"receipt_code": filed["receipt_code"]})
    assert lookup.status_code == 503 and error_of(lookup)["code"] == "rate_limit_unavailable"
    assert lookup.headers["Retry-After"] == "60" and "暂时不可用" in error_of(lookup)["message"]
    guess = down.post("/api/v1/reports/track", json={"receipt_code": "0000000000000000"})
    assert guess.status_code == 503  # a miss is refused the same way: no guessing while the limit is blind
    for path in (f"/api/v1/villages/{LONGJING}", f"/api/v1/villages/{LONGJING}/disclosures", f"/v/{LONGJING}"):
        assert down.get(path).status_code == 200, path
    assert submit(down, key="redis-down-anon").status_code == 201  # losing a report is worse than spam
    assert submit(down, real_name(), key="redis-down-real").status_code == 201


def test_redis_down_real_name_submission_queues_its_notification_for_later(make_app, make_user, token_for):
    broken = make_app(REDIS_URL=DOWN, RATELIMIT_STORAGE_URI=DOWN, RATELIMIT_ENABLED=True, JOBS_INLINE=False)
    headers = token_for(make_user())
    response = submit(broken.test_client(), real_name(), headers, key="rq-down")
    assert response.status_code == 201, response.get_json()  # the RQ kick failed, the report did not


@pytest.mark.skipif(not PG, reason="pg_terminate_backend needs PostgreSQL")
def test_backend_terminated_between_flush_and_commit_leaves_no_half_report(app, client, database_url):
    from sqlalchemy.orm import Session

    upload_id = _upload(client)
    admin = sa.create_engine(_admin_url(app), isolation_level="AUTOCOMMIT")
    fired = []

    def kill_own_backend(session):
        if fired or not any(isinstance(o, Report) for o in session.identity_map.values()):
            return
        fired.append(True)
        pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    sa.event.listen(Session, "before_commit", kill_own_backend)
    try:
        cut = submit(client, body(attachment_ids=[upload_id]), key="cut-1")
    finally:
        sa.event.remove(Session, "before_commit", kill_own_backend)
        admin.dispose()
    assert fired
    assert cut.status_code == 503 and error_of(cut)["code"] == "service_unavailable", cut.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)
    again = submit(client, body(attachment_ids=[upload_id]), key="cut-1")  # the client's retry, same key
    assert again.status_code == 201, again.get_json()
    assert _counts(app) == (1, 1, 1) and _whole(app)


def _admin_url(app):
    with app.app_context():
        return db.engine.url


CHILD = """
import json, os, signal, sys
import sqlalchemy as sa
from sqlalchemy.orm import Session
from app import create_app
from app.reports.models import Report
from config import TestingConfig

args = json.loads(sys.argv[1])
cfg = type("ChildCfg", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": args["db"], "UPLOAD_DIR": args["uploads"],
                                          "INSTANCE_PATH": args["instance"]})
app = create_app(cfg)

def die(session):
    if any(isinstance(o, Report) for o in session.identity_map.values()):
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies with the report flushed, not committed

sa.event.listen(Session, "before_commit", die)
app.test_client().post("/api/v1/reports", json=args["body"], headers={"Idempotency-Key": args["key"]})
print("survived")
"""


def test_process_killed_between_flush_and_commit_leaves_no_half_report(app, client, database_url):
    upload_id = _upload(client)
    data = body(attachment_ids=[upload_id])
    with app.app_context():
        uploads, instance = app.config["UPLOAD_DIR"], app.config["INSTANCE_PATH"]
    args = {"db": database_url, "uploads": uploads, "instance": instance, "body": data, "key": "killed-1"}
    child = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], cwd=ROOT, capture_output=True,
                           text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    assert "survived" not in child.stdout
    assert _counts(app) == (0, 0, 0)
    retry = submit(client, data, key="killed-1")  # same key and body, from the same address as the child
    assert retry.status_code == 201, retry.get_json()
    assert _counts(app) == (1, 1, 1) and _whole(app)
