"""The report state machine: the table, Chinese refusals and properties over random action sequences."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import BadRequest, Conflict
from app.triage.states import (
    ACTION_LABELS,
    ACTIONS,
    DISPOSITION_ACTIONS,
    DISPOSITION_LABELS,
    INITIAL_STATE,
    STATE_LABELS,
    STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    allowed_actions,
    disposition_label,
    is_terminal,
    next_state,
)


def test_the_happy_path():
    state = INITIAL_STATE
    for action in ("accept", "assign", "respond", "conclude", "close"):
        state = next_state(state, action)
    assert state == "closed"


@pytest.mark.parametrize(("state", "action", "target"), [
    ("received", "accept", "accepted"), ("received", "refuse", "not_accepted"), ("received", "merge", "merged"),
    ("accepted", "assign", "assigned"), ("accepted", "hold", "on_hold"), ("accepted", "conclude", "concluded"),
    ("accepted", "merge", "merged"), ("on_hold", "resume", "accepted"), ("on_hold", "conclude", "concluded"),
    ("assigned", "respond", "responded"), ("assigned", "assign", "assigned"),
    ("responded", "conclude", "concluded"), ("responded", "assign", "assigned"),
    ("concluded", "close", "closed"), ("concluded", "reopen", "reopened"), ("closed", "reopen", "reopened"),
    ("reopened", "accept", "accepted"), ("reopened", "assign", "assigned"), ("reopened", "conclude", "concluded"),
])
def test_every_transition_of_the_brief(state, action, target):
    assert next_state(state, action) == target


def test_the_table_has_exactly_those_transitions():
    assert len(TRANSITIONS) == 19
    assert len({(t.source, t.action) for t in TRANSITIONS}) == len(TRANSITIONS)


def test_refusal_is_a_conflict_in_chinese():
    with pytest.raises(Conflict) as info:
        next_state("received", "conclude")
    assert info.value.message == "当前状态（待受理）不能执行“办结”操作"
    assert info.value.status == 409 and info.value.code == "invalid_transition"
    with pytest.raises(Conflict) as info:
        next_state("closed", "close")
    assert info.value.message == "当前状态（已归档）不能执行“归档”操作"


def test_unknown_action_and_state():
    with pytest.raises(BadRequest):
        next_state("received", "delete")
    with pytest.raises(ValueError):
        next_state("lost", "accept")
    with pytest.raises(ValueError):
        allowed_actions("lost")


def test_reporter_may_only_dispute_a_concluded_report():
    assert next_state("concluded", "reopen", by="reporter") == "reopened"
    assert allowed_actions("concluded", by="reporter") == ["reopen"]
    assert allowed_actions("closed", by="reporter") == []
    with pytest.raises(Conflict) as info:
        next_state("closed", "reopen", by="reporter")
    assert "只有工作人员" in info.value.message
    assert all(allowed_actions(s, by="reporter") == [] for s in STATES if s != "concluded")


def test_allowed_actions():
    assert allowed_actions("received") == ["accept", "refuse", "merge"]
    assert allowed_actions("assigned") == ["assign", "respond"]
    assert allowed_actions("merged") == [] and allowed_actions("not_accepted") == []


def test_labels_cover_everything_and_are_chinese():
    assert set(STATES) == {"received", "accepted", "not_accepted", "merged", "assigned", "responded", "concluded",
                           "closed", "on_hold", "reopened"}
    assert set(ACTIONS) == {"accept", "refuse", "merge", "assign", "hold", "resume", "respond", "conclude", "close",
                            "reopen"}
    for t in TRANSITIONS:
        assert t.source in STATE_LABELS and t.target in STATE_LABELS and t.action in ACTION_LABELS
    labels = list(STATE_LABELS.values()) + list(ACTION_LABELS.values()) + list(DISPOSITION_LABELS.values())
    assert all("\u4e00" <= ch <= "\u9fff" for label in labels for ch in label)
    assert len(set(STATE_LABELS.values())) == len(STATE_LABELS)


def test_every_non_terminal_state_has_a_way_out_and_every_state_is_reachable():
    for state in STATES:
        assert is_terminal(state) == (not allowed_actions(state))
    assert TERMINAL_STATES == {"not_accepted", "merged"}
    reached, frontier = {INITIAL_STATE}, [INITIAL_STATE]
    while frontier:
        state = frontier.pop()
        for action in allowed_actions(state):
            target = next_state(state, action)
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(STATES)


def test_dispositions():
    assert DISPOSITION_LABELS == {"talk_inquiry": "谈话函询", "preliminary_verification": "初步核实",
                                  "hold_pending": "暂存待查", "close_out": "予以了结"}
    assert disposition_label("close_out") == "予以了结"
    with pytest.raises(BadRequest):
        disposition_label("shred")
    assert set(DISPOSITION_ACTIONS) == set(DISPOSITION_LABELS) and set(DISPOSITION_ACTIONS.values()) <= set(ACTIONS)


@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(["staff", "reporter"])), max_size=40))
def test_no_sequence_of_actions_leaves_the_state_set(steps):
    state = INITIAL_STATE
    for action, by in steps:
        allowed = action in allowed_actions(state, by=by)
        try:
            new = next_state(state, action, by=by)
        except Conflict:
            assert not allowed
            continue
        assert allowed and state not in TERMINAL_STATES and new in STATES
        state = new
    assert state in STATES


@given(st.sampled_from(STATES))
def test_non_terminal_states_always_have_an_outgoing_transition(state):
    if state in TERMINAL_STATES:
        assert allowed_actions(state) == []
    else:
        assert allowed_actions(state)
        assert all(next_state(state, a) in STATES for a in allowed_actions(state))


def test_the_rules_document_shows_every_transition():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "intake-and-triage-rules.md").read_text(encoding="utf-8")
    for t in TRANSITIONS:
        row = (f"| `{t.source}` {STATE_LABELS[t.source]} | `{t.action}` {ACTION_LABELS[t.action]} "
               f"| `{t.target}` {STATE_LABELS[t.target]} |")
        assert row in doc, row
