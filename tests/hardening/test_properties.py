"""Hypothesis properties: finance import is all-or-nothing and exact, the ledger chain survives any sequence of
publish/correct/withdraw, and the report state machine never leaves its table."""

import csv
import io
import itertools
from collections import deque
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.disclosures.finance_io import read_ledger
from app.disclosures.periods import parse_period
from app.errors import BadRequest, Conflict, DomainError
from app.triage import states
from tests.disclosures import factories as f

SETTINGS = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow]}
HEADER = ["日期", "凭证号", "收支", "科目", "金额(元)", "对方单位", "备注"]
TEXT = st.text(alphabet="村委会办公费补助收入修路款,\"'；（）-0123456789ab", min_size=1, max_size=12).map(str.strip)
BAD_CELLS = {  # column -> values that column must refuse
    0: ["2026-02-30", "三月五日", "2026-04-01", "2025-03-05", "yesterday"],
    2: ["借", "收支", "in-out", "退款"],
    3: [""],
    4: ["12.345", "-5", "0", "一百元", "1e3", "", "100000000000"],
}


@st.composite
def ledger_rows(draw):
    """(rows, index of the first bad row or None, expected lines) of a March 2026 ledger."""
    count = draw(st.integers(min_value=1, max_value=8))
    rows, expected, first_bad = [], [], None
    for index in range(count):
        day = draw(st.integers(min_value=1, max_value=31))
        fen = draw(st.integers(min_value=1, max_value=10**10))
        direction = draw(st.sampled_from(["收入", "支出"]))
        yuan = f"{fen // 100}.{fen % 100:02d}"
        shown = draw(st.sampled_from([yuan, f"{fen // 100:,}.{fen % 100:02d}", f"¥{yuan}", f"{yuan}元"]))
        text = [draw(TEXT) for _ in range(3)]
        assume(text[1])  # the subject is required: emptiness is tested among the bad cells
        row = [f"2026-03-{day:02d}", text[0], direction, text[1], shown, text[2], ""]
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            column = draw(st.sampled_from(sorted(BAD_CELLS)))
            row[column] = draw(st.sampled_from(BAD_CELLS[column]))
            first_bad = index if first_bad is None else first_bad
        rows.append(row)
        expected.append({"date": row[0], "voucher_no": text[0], "direction": "income" if direction == "收入"
                         else "expense", "subject": text[1], "amount_fen": fen, "counterparty": text[2], "note": ""})
    return rows, first_bad, expected


def _csv(rows):
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8")


@settings(max_examples=120, **SETTINGS)
@given(ledger_rows())
def test_finance_import_is_exact_or_refused_naming_the_first_bad_row(case):
    """A table imports line for line, or raises naming the first bad row (header = row 1)."""
    rows, first_bad, expected = case
    try:
        imported = read_ledger(_csv(rows), "ledger.csv", parse_period("2026-03"))
    except DomainError as err:
        assert first_bad is not None, f"a valid table was refused: {err.message}"
        assert err.status == 422 and err.fields["row"] == first_bad + 2, (err.fields, first_bad)
        return
    assert first_bad is None, f"row {first_bad + 2} should have been refused: {rows[first_bad]}"
    assert imported.lines == expected


@pytest.fixture
def staff(county, make_user, token_for):
    """Publisher and reviewer of 龙井村."""
    return SimpleNamespace(publisher=token_for(make_user(("publisher", f.LONGJING))),
                           reviewer=token_for(make_user(("reviewer", f.LONGJING))))


@pytest.fixture
def finance_draft(client, staff):
    """One March 2026 finance draft that every example imports into."""
    response = f.create(client, staff.publisher, "finance")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _latest_content(client, headers, disclosure_id):
    body = client.get(f"/api/v1/staff/disclosures/{disclosure_id}", headers=headers).get_json()
    return max(body["versions"], key=lambda v: v["version"])["content"]


@settings(max_examples=8, **SETTINGS)
@given(case=ledger_rows())
def test_finance_import_through_the_api_saves_all_or_nothing(client, staff, finance_draft, case):
    """Through POST /finance-import: a refused file leaves the draft exactly as it was."""
    rows, first_bad, expected = case
    before = _latest_content(client, staff.publisher, finance_draft)
    answer = client.post(f"/api/v1/disclosures/{finance_draft}/finance-import", headers=staff.publisher,
                         data={"file": (io.BytesIO(_csv(rows)), "ledger.csv")}, content_type="multipart/form-data")
    after = _latest_content(client, staff.publisher, finance_draft)
    if first_bad is None:
        assert answer.status_code == 200, answer.get_json()
        assert [{key: line[key] for key in expected[0]} for line in after["lines"]] == expected
    else:
        assert answer.status_code == 422 and answer.get_json()["error"]["fields"]["row"] == first_bad + 2
        assert after == before


LEDGER_STEPS = st.lists(st.tuples(st.sampled_from(["publish", "correct", "withdraw"]), st.integers(0, 20)),
                        min_size=1, max_size=5)
MONTHS = itertools.count()


def _month():
    n = next(MONTHS)
    return f"{2000 + n // 12}-{n % 12 + 1:02d}"


@settings(max_examples=6, **SETTINGS)
@given(steps=LEDGER_STEPS)
def test_ledger_stays_verifiable_under_any_publish_correct_withdraw_sequence(app, client, staff, steps):
    """After every step the village chain verifies, both recomputed by the API and by ledger.verify."""
    from app.disclosures import ledger

    live = {}  # published, not withdrawn: id -> its month
    for step, pick in steps:
        if step == "publish" or not live:
            month = _month()
            live[f.publish_new(client, staff, "finance", period=month, content=f.finance(2, month=month))] = month
        elif step == "correct":
            target = sorted(live)[pick % len(live)]
            f.correct_and_publish(client, staff, target, f.finance(1 + pick % 4, month=live[target]))
        else:
            target = sorted(live)[pick % len(live)]
            del live[target]
            answer = f.act(client, staff.publisher, target, "withdraw", {"reason": "重复发布，撤回"})
            assert answer.status_code == 200, answer.get_json()
        listing = client.get(f"/api/v1/villages/{f.LONGJING}/ledger?verify=1").get_json()
        assert listing["verification"]["ok"] is True, listing["verification"]
        with app.app_context():
            assert ledger.verify(f.LONGJING)["ok"] is True


STEPS = st.lists(st.tuples(st.sampled_from(states.ACTIONS + ("delete", "publish")),
                           st.sampled_from(["staff", "reporter", "inspector", ""])), max_size=30)


@settings(max_examples=300, **SETTINGS)
@given(STEPS)
def test_no_sequence_reaches_an_undefined_state(steps):
    """From `received`, any sequence of calls stays in STATES; a refused call leaves the state unchanged."""
    state = states.INITIAL_STATE
    for action, by in steps:
        try:
            state = states.next_state(state, action, by=by)
        except (Conflict, BadRequest) as err:
            assert err.message and not err.message.isascii()
        assert state in states.STATES
        assert set(states.allowed_actions(state)) <= set(states.ACTIONS)


@pytest.mark.parametrize("state", sorted(states.TERMINAL_STATES))
def test_terminal_states_have_no_exits(state):
    """Nothing leads out of a terminal state, for staff or reporter."""
    assert states.allowed_actions(state) == [] and states.allowed_actions(state, by="reporter") == []
    for action in states.ACTIONS:
        with pytest.raises(Conflict):
            states.next_state(state, action)


def test_every_state_is_reachable_and_every_other_state_has_an_exit():
    """The table has no dead corners: all states reachable from received, only terminal states are sinks."""
    seen, queue = {states.INITIAL_STATE}, deque([states.INITIAL_STATE])
    while queue:
        for action in states.allowed_actions(current := queue.popleft()):
            target = states.next_state(current, action)
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert seen == set(states.STATES)
    sinks = {s for s in states.STATES if not states.allowed_actions(s)}
    assert sinks == set(states.TERMINAL_STATES)
