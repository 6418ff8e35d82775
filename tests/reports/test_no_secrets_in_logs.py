"""No log line, at any level, carries a receipt code, a reporter's phone or name, or his WeChat openid.

A whole submit-and-track run goes through a real werkzeug server (so its access lines are logged too), with every
logger at DEBUG (SQLAlchemy's statement echo included): WeChat login, real-name and anonymous reports from the
mini-program API and from the H5 form, a replayed submission, tracking by API and by the H5 page, 补充情况, the
retired GET path with the code in the URL, and a code typed into a query string. Then every captured record and
everything written to stdout/stderr is searched for the secrets.
"""

import hashlib
import logging
import re
import threading

import pytest
import requests
from werkzeug.serving import make_server

from app.core.logredact import redact
from tests.public.conftest import seed_demo

LONGJING = "420323103211"
PEOPLE = [("陈德明", "13907191234"), ("李秀英", "13812345678")]
WECHAT_WHO = "logtest-resident"
OPENID = "o" + hashlib.sha256(WECHAT_WHO.encode()).hexdigest()[:27]


@pytest.fixture
def served(wechat_app):
    """The WeChat-enabled test app on a real werkzeug server in a thread; yields its base URL."""
    seed_demo(wechat_app)
    server = make_server("127.0.0.1", 0, wechat_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def _report(name=None, phone=None, channel="miniprogram", **changes):
    body = {"village_code": LONGJING, "kind": "tipoff", "topic": "作风问题", "channel": channel,
            "content": "村干部在集体土地流转中优亲厚友，请核查。", "anonymous": name is None}
    if name:
        body["reporter"] = {"name": name, "phone": phone}
    body.update(changes)
    return body


def _run(base):
    """The submit-and-track story; returns the receipt codes handed out."""
    web = requests.Session()
    login = web.post(f"{base}/api/v1/auth/wechat", json={"code": f"user:{WECHAT_WHO}"})
    assert login.status_code == 200, login.text
    bearer = {"Authorization": f"Bearer {login.json()['token']}"}
    codes = []
    (name1, phone1), (name2, phone2) = PEOPLE
    keyed = {**bearer, "Idempotency-Key": "k1"}
    first = web.post(f"{base}/api/v1/reports", json=_report(name1, phone1), headers=keyed)
    assert first.status_code == 201, first.text
    replay = web.post(f"{base}/api/v1/reports", json=_report(name1, phone1), headers=keyed)
    assert replay.status_code == 200
    codes += [first.json()["receipt_code"], replay.json()["receipt_code"]]
    codes.append(web.post(f"{base}/api/v1/reports", json=_report(), headers=bearer).json()["receipt_code"])
    assert web.get(f"{base}/v/{LONGJING}/report").status_code == 200  # the H5 form, then what its script posts
    for body in (_report(name2, phone2, channel="h5"), _report(channel="h5")):
        answer = web.post(f"{base}/api/v1/reports", json=body, headers={"Idempotency-Key": "h5-" + body["channel"]
                                                                        + str(body["anonymous"])})
        assert answer.status_code == 201, answer.text
        codes.append(answer.json()["receipt_code"])
    bad = web.post(f"{base}/api/v1/reports", json=_report(name2, "12345"), headers=bearer)
    assert bad.status_code == 400  # a refused phone is not logged either
    live = codes[1:]  # the replay made the first code stale
    for code in live:
        assert web.post(f"{base}/api/v1/reports/track", json={"receipt_code": code}).status_code == 200
        page = web.post(f"{base}/v/track", data={"receipt_code": code})
        assert page.status_code == 200 and "办理进度" in page.text
        assert web.post(f"{base}/api/v1/reports/track/messages",
                        json={"receipt_code": code, "content": f"补充：联系电话 {phone1}"}).status_code == 201
        added = web.post(f"{base}/v/track/messages", data={"receipt_code": code, "content": "补充情况"})
        assert added.status_code == 200
        digits = code.replace(" ", "")
        assert web.get(f"{base}/api/v1/reports/track/{digits}").status_code == 410
        assert web.get(f"{base}/api/v1/reports/track/{code}").status_code == 410
        assert web.post(f"{base}/api/v1/reports/track/{digits}/messages", json={"content": "x"}).status_code == 410
        web.get(f"{base}/v/track", params={"receipt_code": digits})  # typed into a URL by hand: not in the log
    assert web.post(f"{base}/api/v1/reports/track", json={"receipt_code": codes[0]}).status_code == 404
    assert web.get(f"{base}/api/v1/me/reports", headers=bearer).status_code == 200
    return codes


def _everything(caplog, capfd):
    lines = []
    for record in caplog.records:
        lines += [record.name, record.getMessage(), repr(record.args), record.exc_text or "", record.stack_info or ""]
    out, err = capfd.readouterr()
    return "\n".join(lines + [out, err])


def test_a_submit_and_track_run_logs_no_code_phone_name_or_openid(served, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "sqlalchemy.engine", "app", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    codes = _run(served)
    text = _everything(caplog, capfd)
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("POST /api/v1/reports/track HTTP" in line for line in access)  # the access lines were captured
    assert any("/reports/track/[redacted]" in line and " 410 " in line for line in access)
    assert any("SELECT" in r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy"))
    for code in codes:
        digits = code.replace(" ", "")
        assert digits not in text and code not in text
        assert "%20".join(code.split(" ")) not in text
    for name, phone in PEOPLE:
        assert name not in text and phone not in text
    assert OPENID not in text


@pytest.mark.parametrize("line, secret", [
    ('127.0.0.1 - - "GET /api/v1/reports/track/9882379659490700 HTTP/1.1" 410 -', "9882379659490700"),
    ('"GET /api/v1/reports/track/9882-3796-5949-0700 HTTP/1.1"', "9882-3796-5949-0700"),
    ('"GET /api/v1/reports/track/98823796 HTTP/1.1"', "98823796"),  # a partial code still in the old path
    ('"POST /api/v1/reports/track?receipt_code=98823796594907 HTTP/1.1"', "98823796594907"),
    ("code １２３４ ５６７８ ９０１２ ３４５６ typed full-width", "１２３４ ５６７８ ９０１２ ３４５６"),
    ("call +86 139-0719-1234 back", "139-0719-1234"),
    (f"openid={OPENID}", OPENID),
    ("[SQL: SELECT 1]\n[parameters: ('陈德明', '13907191234')]", "陈德明"),
])
def test_redaction_patterns(line, secret):
    assert secret not in redact(line) and "[redacted]" in redact(line)


def test_redaction_keeps_what_operators_need():
    line = '127.0.0.1 - - "POST /api/v1/reports/track/messages HTTP/1.1" 201 - village 420323103211 report 1234567'
    assert redact(line) == line
    assert re.search(r"JB\d{8}-[0-9A-Z]{6}", redact("report JB20261122-7F3K9Q filed"))


DOC_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'


@pytest.mark.parametrize("access_format", [None, DOC_FORMAT])  # gunicorn's default, and docs/deployment.md's
def test_gunicorn_access_lines_carry_no_code(app, capsys, access_format):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    cfg.set("accesslog", "-")
    if access_format:
        cfg.set("access_log_format", access_format)
    logger = Logger(cfg)
    code = "9882379659490700"
    for uri in (f"/api/v1/reports/track/{code}", f"/v/track?receipt_code={code}", "/api/v1/reports/track"):
        path, _, query = uri.partition("?")
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": uri, "PATH_INFO": path, "QUERY_STRING": query,
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
        response = SimpleNamespace(status="410 GONE", headers=[("X-Request-ID", "abcd1234")], sent=10)
        logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    lines = capsys.readouterr().out.splitlines()  # gunicorn.access does not propagate: it writes to stdout
    assert len(lines) == 3 and all(code not in line for line in lines)
    assert "/api/v1/reports/track/[redacted]" in lines[0]
