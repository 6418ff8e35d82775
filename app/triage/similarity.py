"""Re-export of app.reports.similarity (moved there: reports store the signature at submission, and reports
comes before triage in the domain order). Import from app.reports.similarity in new code."""

from app.reports.similarity import (  # noqa: F401
    CONTEXT_WEIGHTS,
    REASON_LABELS,
    RECENT_HALF_LIFE_DAYS,
    SIGNATURE_VERSION,
    SKETCH_SIZE,
    STOP_BIGRAMS,
    STOP_CHARS,
    SUGGEST_THRESHOLD,
    TEXT_GATE,
    WEIGHTS,
    Candidate,
    Match,
    compatible,
    normalize_text,
    rank,
    reason_labels,
    score,
    shingles,
    text_signature,
    text_similarity,
)
