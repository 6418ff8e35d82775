"""Console: the disclosure work list, one disclosure with its history, and the review workflow."""

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.disclosures import service
from app.disclosures.models import Disclosure
from app.extensions import db
from app.security.models import AuditEntry
from tests.console.conftest import csrf_of, text
from tests.disclosures.factories import CONTENT, LONGJING, LUOJIAPO, PERIOD


def make_draft(app, user_id, kind="finance", village=LONGJING, title=None, content=None, period=None):
    """Create a draft through the service as user_id; returns its id."""
    with app.app_context():
        user = db.session.get(User, user_id)
        data = {"village_code": village, "kind": kind, "period": period or PERIOD[kind],
                "title": title or f"龙井村测试{kind}", "content": CONTENT[kind]() if content is None else content}
        return service.create_disclosure(user, data).id


def advance(app, disclosure_id, *steps):
    """Run workflow steps [(user_id, action)] through the service."""
    with app.app_context():
        for user_id, action in steps:
            user = db.session.get(User, user_id)
            if action in ("approve",):
                service.approve(user, disclosure_id)
            else:
                getattr(service, action)(user, disclosure_id)


def state_of(app, disclosure_id):
    with app.app_context():
        d = db.session.get(Disclosure, disclosure_id)
        return d.status, d.latest.state, d.latest.number


def clients_of_two_villages(console_as):
    """Logged-in console clients: publisher and reviewer of 龙井村, publisher of 罗家坡村."""
    pub = console_as(("publisher", LONGJING), username="pub_lj")
    rev = console_as(("reviewer", LONGJING), username="rev_lj")
    other = console_as(("publisher", LUOJIAPO), username="pub_ljp")
    return pub, rev, other


@pytest.fixture
def village_staff(county, console_as):
    """clients_of_two_villages on the demo county."""
    return clients_of_two_villages(console_as)


def post(client, url, page, data=None):
    """POST a form with the CSRF token of `page`."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_of(client.get(page))})


def test_list_shows_only_the_users_villages_and_filters(app, village_staff):
    pub, rev, other = village_staff
    mine = make_draft(app, pub.user_id, title="龙井村三月财务")
    make_draft(app, pub.user_id, "power", title="龙井村小微权力清单")
    make_draft(app, other.user_id, village=LUOJIAPO, title="罗家坡村三月财务")
    page = pub.get("/console/disclosures")
    assert page.status_code == 200
    body = text(page)
    assert "龙井村三月财务" in body and "龙井村小微权力清单" in body and "罗家坡村三月财务" not in body
    assert "新建公开" in body
    filtered = text(pub.get("/console/disclosures?kind=power"))
    assert "龙井村小微权力清单" in filtered and "龙井村三月财务" not in filtered
    assert "龙井村三月财务" in text(pub.get("/console/disclosures?state=draft&period=2026-03"))
    assert "还没有公开事项" not in text(rev.get("/console/disclosures")) and "新建公开" not in text(
        rev.get("/console/disclosures"))
    assert f"/console/disclosures/{mine}" in text(rev.get("/console/disclosures"))


def test_list_bad_filters_are_explained_and_other_villages_refused(app, village_staff):
    pub, _, _ = village_staff
    bad = pub.get("/console/disclosures?kind=lottery&village=12")
    assert bad.status_code == 400
    assert "公开类别应为" in text(bad) and "村（社区）代码应为 12 位数字" in text(bad)
    assert pub.get(f"/console/disclosures?village={LUOJIAPO}").status_code == 403


def test_full_workflow_submit_reject_edit_approve_publish(app, village_staff):
    pub, rev, _ = village_staff
    did = make_draft(app, pub.user_id)
    url = f"/console/disclosures/{did}"
    page = pub.get(url)
    assert page.status_code == 200 and "提交审核" in text(page) and "期末余额" in text(page)
    assert "审核通过" not in text(pub.get(url)).split("版本记录")[0].split("办理")[1]
    done = post(pub, f"{url}/submit", url)
    assert done.status_code == 302 and state_of(app, did)[1] == "submitted"
    assert "已提交村务监督委员会审核" in text(pub.get(url))

    review_page = rev.get(url)
    assert "退回修改" in text(review_page) and "修改内容" not in text(review_page)
    empty = post(rev, f"{url}/reject", url, {"reason": ""})
    assert empty.status_code == 400 and "此项为必填项" in text(empty)
    assert state_of(app, did)[1] == "submitted"
    assert post(rev, f"{url}/reject", url, {"reason": "第3行凭证号缺失"}).status_code == 302
    assert state_of(app, did)[1] == "rejected"
    assert "第3行凭证号缺失" in text(pub.get(url))
    assert "第3行凭证号缺失" in text(pub.get("/console/disclosures"))

    assert post(pub, f"{url}/submit", url).status_code == 302
    asked = post(rev, f"{url}/approve", url, {"note": "已核对凭证"})
    assert asked.status_code == 200 and "请确认：审核通过" in text(asked)
    assert "审核通过后村务公开员可发布" in text(asked) and state_of(app, did)[1] == "submitted"
    assert post(rev, f"{url}/approve", url, {"note": "已核对凭证", "confirm": "1"}).status_code == 302
    assert state_of(app, did)[1] == "approved"
    published = post(pub, f"{url}/publish", url)
    assert published.status_code == 302 and state_of(app, did) == ("published", "published", 1)
    history = text(pub.get(url))
    assert "已核对凭证" in history and "第 1 号" in history and "更正" in history and "撤回这条公开内容" in history


def test_approval_asks_first_and_names_who_may_publish(app, village_staff, console_as):
    pub, rev, other = village_staff
    township = console_as(("publisher", LONGJING[:9] + "000"), username="pub_baofeng")
    did = make_draft(app, pub.user_id)
    url = f"/console/disclosures/{did}"
    post(pub, f"{url}/submit", url)
    page = text(rev.get(url))
    assert 'data-confirm-step' in page
    asked = post(rev, f"{url}/approve", url, {"note": "凭证齐全"})
    body = text(asked)
    assert asked.status_code == 200 and "审核通过后村务公开员可发布" in body
    with app.app_context():
        name = {c: db.session.get(User, c.user_id).display_name for c in (pub, township, other)}
    listed = body.split("本村的村务公开员（")[1].split("）")[0]
    assert listed == f"{name[pub]}、{name[township]}，共 2 人"  # the village's and the township's publishers
    assert f"提交人 {name[pub]} 将看到“已审核通过”" in body
    assert 'name="confirm" value="1"' in body and 'value="凭证齐全"' in body
    assert state_of(app, did)[1] == "submitted"
    with app.app_context():
        assert not db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "disclosure.approve"))
    assert post(rev, f"{url}/approve", url, {"note": "凭证齐全", "confirm": "1"}).status_code == 302
    assert state_of(app, did)[1] == "approved"


def test_wrong_state_is_a_conflict_in_chinese_and_changes_nothing(app, village_staff):
    pub, rev, _ = village_staff
    did = make_draft(app, pub.user_id)
    url = f"/console/disclosures/{did}"
    early = post(pub, f"{url}/publish", url)
    assert early.status_code == 409 and "只有村务监督委员会审核通过的内容才能发布" in text(early)
    not_yet = post(rev, f"{url}/approve", url)
    assert not_yet.status_code == 409 and "只有已提交审核的内容可以审核" in text(not_yet)
    assert state_of(app, did) == ("unpublished", "draft", 1)


def test_reviewer_cannot_review_his_own_submission(app, county, console_as):
    both = console_as(("publisher", LONGJING), ("reviewer", LONGJING), username="both")
    did = make_draft(app, both.user_id)
    url = f"/console/disclosures/{did}"
    post(both, f"{url}/submit", url)
    assert "四眼原则" in text(both.get(url))
    refused = post(both, f"{url}/approve", url)
    assert refused.status_code == 403 and "不能审核本人提交的公开内容" in text(refused)
    assert state_of(app, did)[1] == "submitted"


def test_withdraw_needs_a_reason_and_keeps_the_record(app, village_staff):
    pub, rev, _ = village_staff
    did = make_draft(app, pub.user_id)
    advance(app, did, (pub.user_id, "submit"), (rev.user_id, "approve"), (pub.user_id, "publish"))
    url = f"/console/disclosures/{did}"
    missing = post(pub, f"{url}/withdraw", url, {"reason": "x"})
    assert missing.status_code == 400 and "原因应为 2 到 500 字" in text(missing)
    assert state_of(app, did)[0] == "published"
    assert post(pub, f"{url}/withdraw", url, {"reason": "数据口径有误，重新公开"}).status_code == 302
    assert state_of(app, did)[0] == "withdrawn"
    page = text(pub.get(url))
    assert "数据口径有误，重新公开" in page and "撤回这条公开内容" not in page
    assert post(rev, f"{url}/withdraw", url, {"reason": "试图撤回"}).status_code == 403


def test_other_village_staff_and_residents_are_refused(app, village_staff, console_as, client, make_user):
    pub, rev, other = village_staff
    did = make_draft(app, pub.user_id)
    url = f"/console/disclosures/{did}"
    assert other.get(url).status_code == 403
    assert post(other, f"{url}/submit", "/console/").status_code == 403
    assert state_of(app, did)[1] == "draft"
    assert rev.get(url).status_code == 200
    assert post(rev, f"{url}/submit", url).status_code == 403
    assert pub.get("/console/disclosures/99999").status_code == 404
    nobody = console_as(username="no_roles")
    assert nobody.get("/console/disclosures").status_code == 403
    assert client.get("/console/disclosures").status_code == 302  # not logged in: to the login page


def test_funds_detail_shows_full_names_to_village_staff_and_is_audited(app, village_staff):
    pub, rev, _ = village_staff
    did = make_draft(app, pub.user_id, "funds")
    body = text(rev.get(f"/console/disclosures/{did}"))
    assert "张三明" in body and "42032319600101100" in body
    with app.app_context():
        views = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "disclosure.view_personal"))
        assert [e.actor_id for e in views] == [rev.user_id]


def test_version_history_shows_each_version_and_the_correction_reason(app, village_staff):
    pub, rev, _ = village_staff
    did = make_draft(app, pub.user_id)
    advance(app, did, (pub.user_id, "submit"), (rev.user_id, "approve"), (pub.user_id, "publish"))
    with app.app_context():
        user = db.session.get(User, pub.user_id)
        service.correct(user, did, {"content": CONTENT["finance"](lines=2), "reason": "删除重复录入的一行"})
    advance(app, did, (pub.user_id, "submit"), (rev.user_id, "approve"), (pub.user_id, "publish"))
    page = text(pub.get(f"/console/disclosures/{did}"))
    assert "更正第 1 版：删除重复录入的一行" in page and "已被更正" in page
    old = text(pub.get(f"/console/disclosures/{did}?version=1"))
    assert "第 1 版内容" in old and "3 行" in old
