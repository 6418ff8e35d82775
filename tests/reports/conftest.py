"""Helpers of the report tests: a valid submission body, members through the real extension point."""

import pytest

LONGJING, LUOJIAPO = "420323103211", "420323102203"
BAOFENG, MAJIADU = "420323103000", "420323102000"


def body(**changes):
    """A valid anonymous tip-off for 龙井村, with changes."""
    data = {"village_code": LONGJING, "kind": "tipoff", "topic": "强农惠农政策落实", "anonymous": True,
            "content": "村里低保评定没有开村民代表会议，有车的人家也评上了，请核查。"}
    data.update(changes)
    return data


def real_name(**changes):
    """A valid real-name question."""
    return body(**{"kind": "question", "anonymous": False, "reporter": {"name": "陈德明", "phone": "13907191234"},
                   **changes})


def submit(client, data=None, headers=None, key=None, **kwargs):
    """POST /reports."""
    headers = dict(headers or {})
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/reports", json=data if data is not None else body(), headers=headers, **kwargs)


@pytest.fixture
def members(app):
    """Register account ids as contact-point members through mss_reporter_membership (as app.contacts does)."""
    registry = {}

    def lookup(user):
        return registry.get(user.id)

    app.extensions.setdefault("mss_reporter_membership", []).append(lookup)
    yield registry
    app.extensions["mss_reporter_membership"].remove(lookup)
