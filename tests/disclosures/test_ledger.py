"""The tamper-evident ledger: public recomputation, detection of direct SQL edits, guards, concurrency."""

import hashlib
import json
import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from app.disclosures import ledger, service
from app.disclosures.models import Disclosure, DisclosureVersion, LedgerEntry
from app.extensions import db
from tests.conftest import PG
from tests.disclosures.factories import LONGJING, act, correct_and_publish, create, funds, publish_new


def _sql(app, statement, **params):
    with app.app_context():
        db.session.execute(sa.text(statement), params)
        db.session.commit()


def _verify(client, code=LONGJING):
    response = client.get(f"/api/v1/villages/{code}/ledger?verify=1")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()["verification"]


def test_anyone_can_recompute_the_chain_from_the_public_api(client, staff):
    first = publish_new(client, staff, "funds", content=funds(4))
    publish_new(client, staff, "power")
    act(client, staff.publisher, first, "withdraw", {"reason": "数据有误，重新核实"})
    listing = client.get(f"/api/v1/villages/{LONGJING}/ledger").get_json()
    assert [e["event"] for e in listing["entries"]] == ["publish", "publish", "withdraw"]
    previous = None
    for entry in listing["entries"]:
        full = client.get(f"/api/v1/villages/{LONGJING}/ledger/{entry['seq']}").get_json()
        raw = json.dumps(full["document"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(raw.encode("utf-8")).hexdigest() == entry["hash"]
        assert full["document"]["prev_hash"] == previous == entry["prev_hash"]
        previous = entry["hash"]
    assert listing["head"] == {"seq": 3, "hash": previous}
    document = client.get(f"/api/v1/villages/{LONGJING}/ledger/1").get_json()["document"]
    assert document["content"]["recipients"][0]["name"] == "张*明" and "张三明" not in json.dumps(document,
                                                                                                  ensure_ascii=False)
    assert client.get(f"/api/v1/villages/{LONGJING}/ledger/9").status_code == 404
    assert client.get("/api/v1/villages/420323103000/ledger").status_code == 404
    profile = client.get(f"/api/v1/villages/{LONGJING}").get_json()
    assert profile["ledger_head"] == previous and profile["disclosure_counts"]["power"] == 1
    assert profile["disclosure_counts"]["funds"] == 0


def test_ledger_pages(client, staff):
    for kind in ("finance", "power", "affairs"):
        publish_new(client, staff, kind)
    page = client.get(f"/api/v1/villages/{LONGJING}/ledger?limit=2").get_json()
    assert [e["seq"] for e in page["entries"]] == [1, 2] and page["next_after"] == 2
    rest = client.get(f"/api/v1/villages/{LONGJING}/ledger?limit=2&after=2").get_json()
    assert [e["seq"] for e in rest["entries"]] == [3] and rest["next_after"] is None
    assert client.get(f"/api/v1/villages/{LONGJING}/ledger?limit=0").status_code == 400


def test_a_changed_recipient_name_is_detected(app, client, staff):
    publish_new(client, staff, "finance")
    funds_id = publish_new(client, staff, "funds", content=funds(3))
    assert _verify(client)["ok"]
    with app.app_context():
        content = db.session.scalar(sa.select(DisclosureVersion.content).where(
            DisclosureVersion.disclosure_id == funds_id))
    content["recipients"][0]["name"] = "张四明"  # same mask 张*明, different person
    dialect_json = json.dumps(content, ensure_ascii=False)
    _sql(app, "UPDATE disclosure_versions SET content = :c WHERE disclosure_id = :d", c=dialect_json, d=funds_id)
    result = _verify(client)
    assert result["first_break"] == {"seq": 2, "reason": "hash_mismatch", "disclosure_id": funds_id, "version": 1,
                                     "event": "publish"}


def test_a_changed_withdrawal_reason_is_detected(app, client, staff):
    disclosure_id = publish_new(client, staff, "affairs")
    act(client, staff.publisher, disclosure_id, "withdraw", {"reason": "内容有误"})
    _sql(app, "UPDATE disclosures SET withdraw_reason = '正常撤回' WHERE id = :d", d=disclosure_id)
    assert _verify(client)["first_break"]["seq"] == 2


def test_removed_and_relinked_entries_are_detected(app, client, staff):
    for kind in ("finance", "power", "affairs"):
        publish_new(client, staff, kind)
    _sql(app, "UPDATE disclosure_ledger SET prev_hash = :h WHERE seq = 3", h="0" * 64)
    assert _verify(client)["first_break"]["reason"] == "prev_hash_mismatch"
    _sql(app, "DELETE FROM disclosure_ledger WHERE seq = 2")
    assert _verify(client)["first_break"] == {"seq": 3, "reason": "seq_gap", "disclosure_id": 3, "version": 1,
                                              "event": "publish"}


def test_a_rewritten_head_is_detected(app, client, staff):
    publish_new(client, staff, "finance")
    _sql(app, "UPDATE disclosure_ledger_heads SET hash = :h", h="f" * 64)
    assert _verify(client)["first_break"]["reason"] == "head_mismatch"


def test_the_orm_refuses_to_change_published_versions(app, client, staff):
    disclosure_id = publish_new(client, staff, "finance")
    draft_id = create(client, staff.publisher, "affairs").get_json()["id"]
    with app.app_context():
        version = db.session.scalar(sa.select(DisclosureVersion)
                                    .where(DisclosureVersion.disclosure_id == disclosure_id))
        version.title = "悄悄改标题"
        with pytest.raises(RuntimeError, match="cannot be changed"):
            db.session.flush()
        db.session.rollback()
        for target in (version, db.session.get(Disclosure, disclosure_id), db.session.scalar(sa.select(LedgerEntry))):
            db.session.delete(target)
            with pytest.raises(RuntimeError):
                db.session.flush()
            db.session.rollback()
        entry = db.session.scalar(sa.select(LedgerEntry))
        entry.hash = "0" * 64
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        disclosure = db.session.get(Disclosure, disclosure_id)
        disclosure.period = "2026-04"
        with pytest.raises(RuntimeError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(RuntimeError):
            db.session.execute(sa.update(DisclosureVersion).values(title="批量修改"))
        db.session.rollback()
        with pytest.raises(RuntimeError):
            db.session.execute(sa.delete(LedgerEntry))
        db.session.rollback()
        draft = db.session.scalar(sa.select(DisclosureVersion).where(DisclosureVersion.disclosure_id == draft_id))
        draft.title = "草稿可以改"
        db.session.commit()


def test_sequence_numbers_are_unique_in_the_database(app, client, staff):
    publish_new(client, staff, "finance")
    with app.app_context():
        entry = db.session.scalar(sa.select(LedgerEntry))
        with pytest.raises(IntegrityError):
            db.session.execute(sa.insert(LedgerEntry.__table__).values(
                village_code=entry.village_code, seq=entry.seq, event="publish", disclosure_id=entry.disclosure_id,
                version_id=entry.version_id, hash="a" * 64, prev_hash=None, recorded_at=entry.recorded_at))
        db.session.rollback()


def _approved(client, staff, count):
    ids = []
    for _ in range(count):
        disclosure_id = create(client, staff.publisher, "affairs").get_json()["id"]
        act(client, staff.publisher, disclosure_id, "submit")
        act(client, staff.reviewer, disclosure_id, "approve")
        ids.append(disclosure_id)
    return ids


def _in_threads(app, calls):
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, headers, url):
        client = app.test_client()
        barrier.wait()
        results[index] = client.post(url, headers=headers).status_code

    threads = [threading.Thread(target=run, args=(i, h, u)) for i, (h, u) in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG, reason="row locks are a PostgreSQL matter; SQLite serialises writers")
def test_concurrent_publications_do_not_fork_the_chain(app, client, staff):
    ids = _approved(client, staff, 8)
    results = _in_threads(app, [(staff.publisher, f"/api/v1/disclosures/{i}/publish") for i in ids])
    assert results == [200] * 8
    with app.app_context():
        seqs = sorted(db.session.scalars(sa.select(LedgerEntry.seq)))
    assert seqs == list(range(1, 9))
    verification = _verify(client)
    assert verification["ok"] and verification["checked"] == 8


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG, reason="row locks are a PostgreSQL matter; SQLite serialises writers")
def test_a_double_click_publishes_once(app, client, staff):
    (disclosure_id,) = _approved(client, staff, 1)
    results = _in_threads(app, [(staff.publisher, f"/api/v1/disclosures/{disclosure_id}/publish")] * 4)
    assert sorted(results) == [200, 409, 409, 409]
    assert _verify(client)["checked"] == 1


OPERATIONS = st.lists(st.tuples(st.sampled_from(["new", "correct", "withdraw"]), st.integers(0, 5)), min_size=1,
                      max_size=7)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_any_sequence_of_publish_correct_withdraw_keeps_the_chain_verifiable(app, county_users, operations):
    """Each example works in a village of its own, so examples do not share a chain."""
    with app.app_context():
        code = county_users.next_village()
        publisher, reviewer = county_users.load()
        published, events = [], 0
        for operation, pick in operations:
            if operation == "new" or not published:
                disclosure = service.create_disclosure(publisher, {"village_code": code, "kind": "affairs",
                                                                   "period": "2026-Q1", "title": "村务",
                                                                   "content": {"body": f"第{events}项"}})
                published.append(disclosure.id)
            elif operation == "correct":
                disclosure = service.correct(publisher, published[pick % len(published)],
                                             {"content": {"body": f"更正{events}"}, "reason": "更正内容"})
            else:
                service.withdraw(publisher, published.pop(pick % len(published)), "撤回原因")
                events += 1
                continue
            service.submit(publisher, disclosure.id)
            service.approve(reviewer, disclosure.id)
            service.publish(publisher, disclosure.id)
            events += 1
        result = ledger.verify(code)
        assert result["ok"], result
        assert result["checked"] == result["head"]["seq"] == events


@pytest.fixture
def county_users(app, county, make_user):
    """A publisher and a reviewer for the whole county, and fresh villages to work in."""
    from app.auth.models import User
    from app.regions.models import Region

    ids = (make_user(("publisher", "420323000000")), make_user(("reviewer", "420323000000")))
    with app.app_context():
        villages = list(db.session.scalars(sa.select(Region.code).where(Region.level == "village")
                                           .order_by(Region.code)))
    state = SimpleNamespace(index=0)

    def next_village():
        state.index += 1
        return villages[state.index]

    def load():
        return tuple(db.session.get(User, i) for i in ids)

    return SimpleNamespace(next_village=next_village, load=load)


def test_correct_and_publish_through_the_api_chains_versions(client, staff):
    disclosure_id = publish_new(client, staff, "affairs")
    correct_and_publish(client, staff, disclosure_id, {"body": "更正后的正文"})
    verification = _verify(client)
    assert verification["ok"] and verification["checked"] == 2


def test_verification_is_rate_limited_but_listing_is_not(make_app, app, county):
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    url = f"/api/v1/villages/{LONGJING}/ledger"
    codes = [limited.get(url + "?verify=1").status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert limited.get(url + "?verify=1").headers["Retry-After"]
    assert {limited.get(url).status_code for _ in range(12)} == {200}
