"""Chinese duplicate scoring: paraphrases above unrelated reports, metadata raises the score, signatures are cheap."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.reports.similarity import (
    SKETCH_SIZE,
    Candidate,
    normalize_text,
    rank,
    reason_labels,
    score,
    shingles,
    text_signature,
    text_similarity,
)

ROOT = Path(__file__).resolve().parents[2]
SAME_A = "村主任把低保名额给了自己亲戚"
SAME_B = "村委会主任优亲厚友，低保给了他亲戚"
OTHER = "村里道路坑洼无人维修"


def test_paraphrases_score_above_an_unrelated_report():
    assert text_similarity(SAME_A, SAME_B) > text_similarity(SAME_A, OTHER)
    assert score(SAME_A, SAME_B) > score(SAME_A, OTHER)
    assert score(SAME_A, SAME_B, same_village=True, same_topic=True, days_apart=3) > score(
        SAME_A, OTHER, same_village=True, same_topic=True, days_apart=3)


def test_identical_text_scores_one():
    assert text_similarity(SAME_A, SAME_A) == pytest.approx(1.0)
    full = score(SAME_A, SAME_A, same_village=True, same_topic=True, same_target=True, days_apart=0)
    assert full == pytest.approx(1.0)
    assert score(SAME_A, SAME_A) == pytest.approx(0.7)


def test_same_village_topic_target_and_time_raise_the_score():
    base = score(SAME_A, SAME_B)
    village = score(SAME_A, SAME_B, same_village=True)
    both = score(SAME_A, SAME_B, same_village=True, same_topic=True)
    assert base < village < both < score(SAME_A, SAME_B, same_village=True, same_topic=True, same_target=True)
    assert score(SAME_A, SAME_B, days_apart=1) > score(SAME_A, SAME_B, days_apart=90) > base


def test_metadata_alone_does_not_make_unrelated_texts_duplicates():
    assert score("村里道路坑洼无人维修", "合作医疗报销太慢了", same_village=True, same_topic=True, same_target=True,
                 days_apart=0) == 0.0


def test_boilerplate_does_not_make_reports_look_alike():
    a = "我要举报村会计王某挪用集体资金，请领导调查处理。"
    b = "我要举报村支书李某在工程中收受好处费，请领导调查处理。"
    assert text_similarity(a, b) < text_similarity(SAME_A, SAME_B) + 0.1
    assert text_similarity(a, b) < 0.25


def test_normalisation_of_width_case_spaces_and_punctuation():
    assert normalize_text("ＡＢＣ１２３，村 主 任！低保") == ["abc123", "村主任", "低保"]
    assert text_similarity("村主任把低保给了亲戚！！！", "村 主 任 把 低 保 给 了 亲 戚") == pytest.approx(1.0)
    assert text_similarity("ＷＸ群里说的", "wx群里说的") == pytest.approx(1.0)


def test_empty_and_tiny_texts():
    assert text_similarity("", "") == 0.0
    assert text_similarity("！！", "村") == 0.0
    assert text_similarity("村", "村") == pytest.approx(1.0)
    assert shingles("") == set()


def test_signature_is_small_json_and_deterministic():
    sig = text_signature(SAME_A)
    assert json.loads(json.dumps(sig)) == sig
    assert sig == text_signature(SAME_A)
    assert all(0 <= h < 2**32 for h in sig["h"]) and sig["h"] == sorted(sig["h"])
    long_sig = text_signature("村干部" * 50 + "".join(chr(0x4E00 + i) for i in range(600)))
    assert len(long_sig["h"]) == SKETCH_SIZE < long_sig["n"]
    assert len(json.dumps(long_sig)) < 4000


def test_signature_is_the_same_in_another_process():
    code = f"from app.reports.similarity import text_signature; print(text_signature({SAME_A!r})['h'][:5])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": ""}, cwd=ROOT)
    assert out.stdout.strip() == str(text_signature(SAME_A)["h"][:5])


def test_sketch_estimate_is_close_for_long_texts():
    body = "".join(chr(0x4E00 + (i * 37) % 2000) for i in range(900))
    a, b = body, body[:700] + "".join(chr(0x6000 + i) for i in range(200))
    exact = len(shingles(a) & shingles(b)) / (len(shingles(a)) * len(shingles(b))) ** 0.5
    assert text_similarity(a, b) == pytest.approx(exact, abs=0.1)


@given(st.text(max_size=60), st.text(max_size=60))
def test_scores_stay_in_range_and_symmetric(a, b):
    s = text_similarity(a, b)
    assert 0.0 <= s <= 1.0 and s == pytest.approx(text_similarity(b, a))
    total = score(a, b, same_village=True, same_topic=True, same_target=True, days_apart=0)
    assert 0.0 <= total <= 1.0


def test_mismatched_signatures_are_refused():
    with pytest.raises(ValueError):
        text_similarity(text_signature(SAME_A), {**text_signature(SAME_A), "v": 99})


def test_rank_best_first_with_metadata_and_limit():
    day = date(2026, 3, 2)
    query = Candidate(id=100, text=SAME_A, village_code="420323103201", topic="低保", received_on=day)
    cands = [
        Candidate(id=1, signature=text_signature(OTHER), village_code="420323103201", topic="道路", received_on=day),
        Candidate(id=2, signature=text_signature(SAME_B), village_code="420323103201", topic="低保",
                  received_on=date(2026, 2, 27)),
        Candidate(id=3, text=SAME_B, village_code="420323999999", topic="低保", received_on=date(2025, 6, 1)),
        Candidate(id=100, text=SAME_A),  # the query itself
        Candidate(id=4, signature={**text_signature(SAME_B), "v": 0}),  # stale signature, no text: skipped
    ]
    ranked = rank(cands, query, limit=2)
    assert [m.candidate.id for m in ranked] == [2, 3]
    assert ranked[0].score > ranked[1].score and ranked[0].reasons[:2] == ("village", "topic")
    assert reason_labels(ranked[0])[1:] == ["同一村", "同一类别", "时间相近"]
    assert reason_labels(ranked[0])[0].startswith("文本相似度 ")
    assert [m.candidate.id for m in rank(cands, query, limit=10)][-1] == 1
    assert rank(cands, query, limit=10, min_score=0.99) == []


def test_rank_ties_prefer_the_closer_report():
    query = Candidate(id=None, text=SAME_A, received_on=date(2026, 3, 10))
    old = Candidate(id=1, text=SAME_A, received_on=date(2026, 1, 1))
    near = Candidate(id=2, text=SAME_A, received_on=date(2026, 3, 9))
    assert [m.candidate.id for m in rank([old, near], query)] == [2, 1]


def test_jieba_words_are_optional_and_lazy():
    code = ("import sys; import app.reports.similarity as s; assert 'jieba' not in sys.modules; "
            "s.text_signature('村主任'); assert 'jieba' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert out.stdout.strip() == "ok"
    with_words = text_signature(SAME_B, words=True)
    assert with_words["w"] is True and with_words["n"] > text_signature(SAME_B)["n"]
    assert text_similarity(text_signature(SAME_A, words=True), with_words) > text_similarity(
        text_signature(SAME_A, words=True), text_signature(OTHER, words=True))
    with pytest.raises(ValueError):
        text_similarity(text_signature(SAME_A), with_words)
