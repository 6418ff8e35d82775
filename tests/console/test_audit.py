"""The audit log page: filters, date range in China time, keyset paging; admin and custodian only."""

from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.security.models import AuditEntry
from tests.console.conftest import text


def _entries(app, rows):
    with app.app_context():
        for action, actor_id, obj, at in rows:
            db.session.add(AuditEntry(action=action, actor_id=actor_id, actor_name=f"u{actor_id}" if actor_id else None,
                                      object_type=obj[0] if obj else None, object_id=obj[1] if obj else None, at=at,
                                      detail={"说明": "<b>测试</b>"}))
        db.session.commit()


def _actions(response):
    body = text(response)
    return [part.split("</code>")[0] for part in body.split('<td><code>')[1:]]


def test_custodian_sees_and_filters_the_log(app, console_as, make_user, county):
    other = make_user(username="other_admin")
    custodian = console_as(("custodian", "420323000000"), username="keeper")
    _entries(app, [
        ("identity.unseal", other, ("report", "17"), datetime(2026, 3, 1, 2, 0, tzinfo=UTC)),
        ("account.create", other, ("user", "5"), datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),
        ("identity.unseal", None, ("report", "18"), datetime(2026, 3, 3, 15, 30, tzinfo=UTC)),  # 3-3 23:30 CST
        ("identity.unseal", None, ("report", "19"), datetime(2026, 3, 3, 16, 30, tzinfo=UTC)),  # 3-4 00:30 CST
    ])
    everything = custodian.get("/console/audit")
    assert everything.status_code == 200
    assert {"identity.unseal", "account.create", "auth.login"} <= set(_actions(everything))
    assert "&lt;b&gt;测试&lt;/b&gt;" in text(everything) and "<b>测试</b>" not in text(everything)
    by_actor = custodian.get("/console/audit?actor=other_admin")
    assert _actions(by_actor) == ["account.create", "identity.unseal"]
    by_id = custodian.get(f"/console/audit?actor={other}&action=identity.unseal")
    assert _actions(by_id) == ["identity.unseal"]
    by_object = text(custodian.get("/console/audit?object_type=report&object_id=18"))
    assert "report #18" in by_object and "report #17" not in by_object
    by_day = text(custodian.get("/console/audit?action=identity.unseal&since=2026-03-03&until=2026-03-03"))
    assert "report #18" in by_day and "report #19" not in by_day and "report #17" not in by_day
    assert "2026-03-03 23:30:00" in by_day


def test_bad_filters_are_explained(app, console_as, county):
    custodian = console_as(("custodian", "420323000000"))
    dates = custodian.get("/console/audit?since=2026-03-05&until=2026-03-01")
    assert dates.status_code == 400 and "结束日期不能早于开始日期" in text(dates)
    malformed = custodian.get("/console/audit?since=03/05/2026")
    assert malformed.status_code == 400 and "日期格式无效" in text(malformed)
    nobody = custodian.get("/console/audit?actor=ghost")
    assert nobody.status_code == 400 and "未找到该账号" in text(nobody)
    assert custodian.get("/console/audit?cursor=!!").status_code == 400


def test_audit_log_pages_with_keyset_and_keeps_filters(app, console_as):
    admin = console_as(("admin",))
    _entries(app, [("test.page", None, ("x", str(i)), datetime(2026, 1, 1, tzinfo=UTC)) for i in range(60)])
    first = admin.get("/console/audit?action=test.page")
    assert len(_actions(first)) == 50
    next_url = text(first).split('class="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "action=test.page" in next_url
    second = admin.get(next_url)
    assert _actions(second) == ["test.page"] * 10 and "下一页" not in text(second)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "test.page")) == 60


def test_audit_log_is_forbidden_to_other_roles(console_as, county, client):
    for grant in (("publisher", "420323103211"), ("inspector", "420323000000"), ("reviewer", "420323103211")):
        response = console_as(grant).get("/console/audit")
        assert response.status_code == 403, grant
        assert "没有权限" in text(response)
    assert client.get("/console/audit").status_code == 302
