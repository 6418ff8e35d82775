"""Duplicate scoring for Chinese reports without any network model.

Text is normalised (NFKC: full-width to half-width; lower case; whitespace removed; punctuation splits clauses),
cut into characters, character bigrams and trigrams (optionally jieba words), and each feature hashed to 32 bits with
BLAKE2b. A signature keeps at most SKETCH_SIZE of the smallest hashes (a bottom-k sketch): exact for texts up
to ~90 characters, a uniform sample beyond, so cosine similarity stays cheap and the signature fits a JSON
column. `score` mixes text similarity with village, topic, target and time; weights are in WEIGHTS and
docs/intake-and-triage-rules.md.
"""

import hashlib
import math
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

SIGNATURE_VERSION = 1
SKETCH_SIZE = 256
WEIGHTS = {"text": 0.70, "context": 0.30}  # score = text·0.70 + context·0.30·gate(text)
CONTEXT_WEIGHTS = {"village": 0.35, "topic": 0.25, "target": 0.25, "recent": 0.15}
TEXT_GATE = 0.20  # context counts fully once text similarity reaches this, proportionally below it
RECENT_HALF_LIFE_DAYS = 30
SUGGEST_THRESHOLD = 0.40  # a starting point for "possible duplicate"; tune on real data
REASON_LABELS = {"village": "同一村", "topic": "同一类别", "target": "同一被反映对象", "recent": "时间相近"}

# boilerplate that nearly every report contains; dropped so it does not make unrelated reports look alike
STOP_BIGRAMS = frozenset(
    "你好 您好 领导 举报 反映 投诉 问题 情况 希望 请求 要求 请问 谢谢 感谢 我们 我要 本人 现在 处理 调查 解决 相关 "
    "有关 部门 这个 那个 一个 没有 就是 还是 但是 因为 所以 如果 已经 他们 你们".split()
)
STOP_CHARS = frozenset("的了是在我你他她它有和就也都把被给要请这那个们一不对说着过吗呢吧啊呀么与及或而")
_CLAUSE = re.compile(r"[^\w]+")  # anything not a letter, digit or CJK character ends a clause
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Candidate:
    """A report as seen by ranking: its signature (or text) and metadata."""

    id: object
    signature: dict | None = None
    text: str | None = None
    village_code: str | None = None
    topic: str | None = None
    target_key: str | None = None
    received_on: date | None = None


@dataclass(frozen=True)
class Match:
    """A ranked candidate with its combined score, text similarity and the reasons that applied."""

    candidate: Candidate
    score: float
    text_score: float
    reasons: tuple[str, ...]


def normalize_text(text: str) -> list[str]:
    """Return the clauses of a text: NFKC, lower case, whitespace removed, split at punctuation."""
    flat = _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).lower()
    return [clause for clause in _CLAUSE.split(flat.replace("_", " ")) if clause]


def shingles(text: str, *, words: bool = False) -> set[str]:
    """Return the features of a text: characters, character bigrams and trigrams (and jieba words when asked)."""
    feats: set[str] = set()
    for clause in normalize_text(text):
        if len(clause) <= 2 and clause not in STOP_BIGRAMS:
            feats.add(clause)
        # positions inside boilerplate bigrams give no unigram or trigram, so "请领导调查处理" adds nothing
        covered = {j for i in range(len(clause) - 1) if clause[i:i + 2] in STOP_BIGRAMS for j in (i, i + 1)}
        feats.update("u:" + ch for i, ch in enumerate(clause) if ch not in STOP_CHARS and i not in covered)
        feats.update(g for i in range(len(clause) - 1) if (g := clause[i:i + 2]) not in STOP_BIGRAMS)
        feats.update(clause[i:i + 3] for i in range(len(clause) - 2) if not {i, i + 1, i + 2} & covered)
    if words:
        feats.update("w:" + w for w in _jieba_words(text))
    return feats


def text_signature(text: str, *, words: bool = False) -> dict:
    """Return a JSON-storable signature: {"v", "n": feature count, "h": smallest SKETCH_SIZE 32-bit hashes}."""
    hashes = sorted({_hash32(f) for f in shingles(text, words=words)})
    return {"v": SIGNATURE_VERSION, "w": bool(words), "n": len(hashes), "h": hashes[:SKETCH_SIZE]}


def text_similarity(a: dict | str, b: dict | str) -> float:
    """Cosine similarity of two feature sets in [0, 1], estimated from their sketches."""
    sa, sb = _signature(a), _signature(b)
    if not compatible(sa, sb):
        raise ValueError("signatures of different versions or settings; recompute them from the text")
    na, nb, ha, hb = sa["n"], sb["n"], sa["h"], sb["h"]
    if not na or not nb:
        return 0.0
    # bottom-k: every element of A∪B at or below the threshold is in one of the sketches, so that part of the
    # union is a uniform sample in which the intersection is counted exactly
    limit = min(ha[-1] if na > len(ha) else math.inf, hb[-1] if nb > len(hb) else math.inf)
    set_a, set_b = set(ha), set(hb)
    sample = {h for h in set_a | set_b if h <= limit}
    if not sample:
        return 0.0
    jaccard = sum(1 for h in sample if h in set_a and h in set_b) / len(sample)
    inter = jaccard * (na + nb) / (1 + jaccard)
    return min(1.0, inter / math.sqrt(na * nb))


def compatible(a: dict, b: dict) -> bool:
    """Whether two signatures were made the same way (version and jieba setting) and can be compared."""
    return a.get("v") == b.get("v") and bool(a.get("w")) == bool(b.get("w"))


def score(a: dict | str, b: dict | str, *, same_village: bool = False, same_topic: bool = False,
          same_target: bool = False, days_apart: float | None = None) -> float:
    """Combined duplicate score in [0, 1]: text similarity plus metadata, gated by the text (see WEIGHTS)."""
    return _combine(text_similarity(a, b), same_village, same_topic, same_target, days_apart)[0]


def rank(candidates: Iterable[Candidate], query: Candidate, limit: int = 10, *,
         min_score: float = 0.0) -> list[Match]:
    """Score candidates against a query and return the best `limit` (best first, then closest in time)."""
    q_sig = query.signature or text_signature(query.text or "")
    matches = []
    for cand in candidates:
        if query.id is not None and cand.id == query.id:
            continue
        days = (abs((cand.received_on - query.received_on).days)
                if cand.received_on and query.received_on else None)
        c_sig = cand.signature
        if c_sig is None or not compatible(q_sig, c_sig):
            if cand.text is None:
                continue  # an old signature and no text to rebuild it from
            c_sig = text_signature(cand.text, words=bool(q_sig.get("w")))
        text = text_similarity(q_sig, c_sig)
        total, reasons = _combine(text, _same(cand.village_code, query.village_code), _same(cand.topic, query.topic),
                                  _same(cand.target_key, query.target_key), days)
        if total >= min_score:
            matches.append((total, -(days if days is not None else math.inf), Match(cand, total, text, reasons)))
    matches.sort(key=lambda m: (m[0], m[1]), reverse=True)
    return [m[2] for m in matches[:max(0, limit)]]


def reason_labels(match: Match) -> list[str]:
    """Chinese labels for a match's reasons, for the staff console."""
    return [f"文本相似度 {round(match.text_score * 100)}%"] + [REASON_LABELS[r] for r in match.reasons]


def _combine(text: float, village: bool, topic: bool, target: bool, days: float | None) -> tuple[float, tuple]:
    recent = 0.5 ** (max(0.0, days) / RECENT_HALF_LIFE_DAYS) if days is not None else 0.0
    parts = {"village": float(village), "topic": float(topic), "target": float(target), "recent": recent}
    context = sum(CONTEXT_WEIGHTS[k] * v for k, v in parts.items())
    gate = min(1.0, text / TEXT_GATE)
    total = WEIGHTS["text"] * text + WEIGHTS["context"] * context * gate
    reasons = tuple(k for k, v in parts.items() if v >= 0.5)
    return round(min(1.0, max(0.0, total)), 4), reasons


def _same(x: object, y: object) -> bool:
    return x is not None and x == y


def _signature(value: dict | str) -> dict:
    return text_signature(value) if isinstance(value, str) else value


def _hash32(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=4).digest(), "big")


_jieba = None
_jieba_lock = threading.Lock()


def _jieba_words(text: str) -> list[str]:
    """Words of two or more characters from jieba; the dictionary loads on first use, never at import."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    flat = _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).lower()
    return [w for w in _jieba.lcut(flat) if len(w) >= 2 and w not in STOP_BIGRAMS and not _CLAUSE.fullmatch(w)]
