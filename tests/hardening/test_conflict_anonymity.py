"""Anonymous means unlinkable in the data too (issue 12, finding 4): a logged-in WeChat resident uploads a photo and
files an anonymous tip-off about a roster person; staff then work it (view, attachment, accept, assign, unit answer,
conclude). Following every foreign key from the report row, its attachments, events, conflicts, assignments,
and the audit and outbox rows about it finds nothing that leads to the resident's account or openid."""

import io
import json
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from tests.hardening.world import _png

HOME, COUNTY = "420323103211", "420323000000"
DUE = (date.today() + timedelta(days=20)).isoformat()
STOP = {"users", "wechat_identities", "regions", "units", "cadres"}  # reached and checked, never expanded


def _resident(client):
    session = client.post("/api/v1/auth/wechat", json={"code": "user:cm-anonymous-resident"})
    assert session.status_code == 200, session.get_json()
    body = session.get_json()
    from app.auth.models import WechatIdentity

    openid = db.session.scalar(sa.select(WechatIdentity.openid).where(WechatIdentity.user_id == body["user"]["id"]))
    assert openid
    return body["user"]["id"], openid, {"Authorization": f"Bearer {body['token']}"}


def _file(client, auth):
    upload = client.post("/api/v1/uploads", headers=auth, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(_png()), "photo.png")})
    assert upload.status_code == 201, upload.get_json()
    body = {"village_code": HOME, "kind": "tipoff", "topic": "村级债务", "anonymous": True,
            "content": "村党支部书记把修路款挪作他用，账目不公开。", "attachment_ids": [upload.get_json()["id"]],
            "target": {"person_name": "谢祥", "person_post": "村党支部书记"}}
    key = {"Idempotency-Key": "cm-anon-1", **auth}
    first = client.post("/api/v1/reports", json=body, headers=key)
    assert first.status_code == 201, first.get_json()
    assert client.post("/api/v1/reports", json=body, headers=key).status_code == 200  # a weak network's retry
    from app.reports.models import Report

    return db.session.scalar(sa.select(Report).where(Report.tracking_no == first.get_json()["tracking_no"]))


def _work(client, report, upload_id, inspector, handler, unit_id):
    base = f"/api/v1/triage/reports/{report}"
    assert client.get(base, headers=inspector).status_code == 200
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=inspector).status_code == 200
    for action, body in (("accept", {"disposition": "preliminary_verification"}),
                         ("messages", {"content": "已收悉，正在核查", "visibility": "public"}),
                         ("assign", {"unit_id": unit_id, "due_date": DUE})):
        assert client.post(f"{base}/{action}", json=body, headers=inspector).status_code in (200, 201), action
    assignments = client.get("/api/v1/unit/assignments", headers=handler).get_json()["items"]
    answer = client.post(f"/api/v1/unit/assignments/{assignments[0]['id']}/response", headers=handler,
                         json={"content": "已核实并整改。", "rectified": True})
    assert answer.status_code == 200, answer.get_json()
    concluded = client.post(f"{base}/conclude", json={"result": "经核实，问题已整改。"}, headers=inspector)
    assert concluded.status_code == 200, concluded.get_json()


def _reachable(report_id):
    """Every row reached from the report: forward foreign keys from any reached row, backward ones from the report
    and its uploads (the rows that belong to it). Returns {(table, primary key): row mapping}."""
    tables = db.metadata.tables
    reached, todo = {}, [("reports", "id", report_id)]
    while todo:
        table_name, column, value = todo.pop()
        table = tables[table_name]
        for row in db.session.execute(sa.select(table).where(table.c[column] == value)).mappings():
            key = (table_name, tuple(row[c.name] for c in table.primary_key.columns))
            if key in reached:
                continue
            reached[key] = dict(row)
            if table_name in STOP:
                continue
            for fk in table.foreign_keys:
                if row[fk.parent.name] is not None:
                    todo.append((fk.column.table.name, fk.column.name, row[fk.parent.name]))
            if table_name in ("reports", "uploads"):
                for other in tables.values():
                    for fk in other.foreign_keys:
                        if fk.column.table is table:
                            todo.append((other.name, fk.parent.name, row[fk.column.name]))
    return reached


def test_an_anonymous_report_leads_nowhere_near_its_sender(wechat_app, county, make_user, token_for):
    from app.auth.models import User
    from app.notify.models import OutboxMessage
    from app.regions.models import Unit
    from app.security.models import AuditEntry

    client = wechat_app.test_client()
    with wechat_app.app_context():
        edu = db.session.scalar(sa.select(Unit.id).where(Unit.name == "竹山县教育局"))
        resident, openid, auth = _resident(client)
        report = _file(client, auth)
        report_id, upload_id = report.id, report.attachments[0].id
    inspector = token_for(make_user(("inspector", COUNTY)))
    handler = token_for(make_user(("unit_handler", None, edu), unit_id=edu))
    _work(client, report_id, upload_id, inspector, handler, edu)
    assert client.get("/api/v1/me/reports", headers=auth).get_json()["items"] == []

    with wechat_app.app_context():
        reached = _reachable(report_id)
        marks = [m for m in (openid, db.session.get(User, resident).username, f"u:{resident}") if m]
        tables = {table for table, _ in reached}
        assert {"reports", "uploads", "report_attachments", "report_events"} <= tables, tables
        audit = list(db.session.scalars(sa.select(AuditEntry).where(sa.or_(
            sa.and_(AuditEntry.object_type == "report", AuditEntry.object_id == str(report_id)),
            sa.and_(AuditEntry.object_type == "upload", AuditEntry.object_id == upload_id)))))
        assert audit, "staff views of the report are audited"
        outbox = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.user_id == resident)))
        found = []
        for (table, pk), row in reached.items():
            if table == "users" and pk == (resident,):
                found.append(f"{table} {pk}: the resident's account")
            if table == "wechat_identities":
                found.append(f"{table} {pk}: a WeChat identity")
            text = json.dumps(row, ensure_ascii=False, default=str)
            if any(mark in text for mark in marks):
                found.append(f"{table} {pk}: carries the resident's openid, username or account scope")
        for entry in audit:
            text = json.dumps([entry.actor_id, entry.actor_name, entry.detail], ensure_ascii=False, default=str)
            if entry.actor_id == resident or any(mark in text for mark in marks):
                found.append(f"audit {entry.id} {entry.action}: names the resident")
        found += [f"outbox {m.id}: a message to the resident" for m in outbox]
        assert not found, "\n".join(found)
        assert reached[("uploads", (upload_id,))]["uploader_id"] is None
        assert reached[("reports", (report_id,))]["reporter_user_id"] is None
