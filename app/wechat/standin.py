"""The development WeChat stand-in: WeChat's server API on 127.0.0.1, for `make run` and the tests.

One implementation for both: `make run` starts it (`python -m app.wechat.standin`) and points WECHAT_API_BASE at
it; tests/fake_wechat.py starts it on a free port. Never in production: ProductionConfig.check refuses its
credentials and a loopback WECHAT_API_BASE, and this module refuses to start under APP_ENV=production.
"""

import argparse
import hashlib
import io
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

APPID, SECRET = "wxstandin0000001", "standin-secret-not-for-production"
DEFAULT_PORT = 5001
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def openid_for(code):
    """The stable openid of a login code: the same code (or `user:<name>`) is always the same resident."""
    who = code.split(":", 1)[1] if code.startswith("user:") else code
    return "o" + hashlib.sha256(who.encode()).hexdigest()[:27]


def _png(text):
    """A small PNG with a label (tests use it as an upload)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(img).text((5, 50), text[:16], fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def wxacode_png(scene, page=None, width=430):
    """A real, scannable image standing in for a mini-program code: a QR code of the page and scene."""
    import qrcode

    width = max(280, min(int(width or 430), 1280))
    img = qrcode.make(f"wxacode:{page or 'pages/index/index'}?scene={scene}", border=2).convert("RGB")
    img = img.resize((width, width))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class FakeWeChat:
    """State and behaviour of the stand-in; tests tune `failures`, `hang_seconds`, `unsubscribed`."""

    def __init__(self, app_url=None):
        self.app_url = (app_url or "").rstrip("/")  # the app the login page posts codes to
        self.calls = []
        self.failures = {}  # path -> list of planned answers: int HTTP status or dict body
        self.hang_seconds = 0.0
        self.unsubscribed = set()
        self.tokens_issued = 0
        self.logins = {}  # openid -> the code typed for it (the messages page names residents by code)
        self.lock = threading.Lock()
        self.server = None

    @property
    def base_url(self):
        """The address to put in WECHAT_API_BASE."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def fail(self, path, *answers):
        """Plan the next answers for a path (e.g. 500, {'errcode': -1})."""
        self.failures.setdefault(path, []).extend(answers)

    def calls_to(self, path):
        """Calls received for a path."""
        return [c for c in self.calls if c["path"] == path]

    def reset(self):
        """Forget calls, planned failures, delays and refusals (between tests)."""
        with self.lock:
            self.calls.clear()
            self.failures.clear()
            self.hang_seconds = 0.0
            self.unsubscribed.clear()

    def messages(self):
        """Subscribe messages received, newest first, with the login code of their addressee."""
        sent = [c for c in self.calls_to("/cgi-bin/message/subscribe/send") if c.get("accepted")]
        return [{**c["body"], "at": c["at"], "code": self.logins.get(c["body"].get("touser"))}
                for c in reversed(sent)]

    def answer(self, method, path, query, body):
        """Decide the response (status, content type, bytes) for a WeChat API request."""
        call = {"method": method, "path": path, "query": query, "body": body, "at": time.time()}
        with self.lock:
            self.calls.append(call)
            planned = self.failures.get(path)
            if planned:
                answer = planned.pop(0)
                if isinstance(answer, int):
                    return answer, "text/plain", b"fail"
                return 200, "application/json", json.dumps(answer).encode()
        if self.hang_seconds:
            time.sleep(self.hang_seconds)
        handler = getattr(self, "_" + path.strip("/").replace("/", "_").replace("-", "_"), None)
        if handler is None:
            return 404, "application/json", json.dumps({"errcode": 404, "errmsg": "not found"}).encode()
        result = handler(query, body)
        if isinstance(result, bytes):
            return 200, "image/png", result
        call["accepted"] = result.get("errcode", 0) == 0
        return 200, "application/json", json.dumps(result, ensure_ascii=False).encode()

    def _credentials_problem(self, query):
        if query.get("appid") != APPID:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != SECRET:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        return None

    def _cgi_bin_token(self, query, body):
        problem = self._credentials_problem(query)
        if problem:
            return problem
        with self.lock:
            self.tokens_issued += 1
            return {"access_token": f"FAKE_TOKEN_{self.tokens_issued}", "expires_in": 7200}

    def _token_problem(self, query):
        if not str(query.get("access_token", "")).startswith("FAKE_TOKEN_"):
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        return None

    def _sns_jscode2session(self, query, body):
        problem = self._credentials_problem(query)
        code = query.get("js_code", "")
        if problem:
            return problem
        if code.startswith("bad"):
            return {"errcode": 40029, "errmsg": "invalid code"}
        if code.startswith("busy"):
            return {"errcode": 45011, "errmsg": "api minute-quota reach limit"}
        openid = openid_for(code)
        self.logins[openid] = code
        return {"openid": openid, "session_key": "sk" + hashlib.sha256(code.encode()).hexdigest()[:22]}

    def _wxa_getwxacodeunlimit(self, query, body):
        return self._token_problem(query) or wxacode_png(body.get("scene", ""), body.get("page"), body.get("width"))

    def _cgi_bin_message_subscribe_send(self, query, body):
        if body.get("touser") in self.unsubscribed:
            return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        return self._token_problem(query) or {"errcode": 0, "errmsg": "ok", "msgid": len(self.calls)}

    def _wxa_msg_sec_check(self, query, body):
        risky = "违规测试" in body.get("content", "")
        return self._token_problem(query) or {
            "errcode": 0, "errmsg": "ok",
            "result": {"suggest": "risky" if risky else "pass", "label": 20001 if risky else 100}}


def _handler_for(state):
    from app.wechat import standin_pages

    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method):
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if url.path.startswith(standin_pages.PREFIX):
                form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
                status, ctype, payload = standin_pages.answer(state, method, url.path, {**query, **form})
            else:
                try:
                    body = json.loads(raw.decode("utf-8")) if raw else {}
                except ValueError:
                    body = {}
                status, ctype, payload = state.answer(method, url.path, query, body)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):  # the name http.server calls
            self._handle("GET")

        def do_POST(self):  # the name http.server calls
            self._handle("POST")

        def log_message(self, *args):
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up (a timeout test): nothing to report
        super().handle_error(request, client_address)


def start(port=0, app_url=None, host="127.0.0.1"):
    """Start the stand-in on a loopback port in a thread; returns its FakeWeChat state (call .stop())."""
    if host not in LOOPBACK:
        raise ValueError("the WeChat stand-in listens on the loopback interface only")
    state = FakeWeChat(app_url)
    state.server = _Server((host, port), _handler_for(state))
    threading.Thread(target=state.server.serve_forever, name="wechat-standin", daemon=True).start()
    state.stop = lambda: (state.server.shutdown(), state.server.server_close())
    return state


def main(argv=None):
    """`python -m app.wechat.standin`: serve the stand-in until Ctrl+C (refused under APP_ENV=production)."""
    parser = argparse.ArgumentParser(description="码上监督：本地开发用的微信服务替身（仅限开发环境）")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WECHAT_STANDIN_PORT", DEFAULT_PORT)))
    parser.add_argument("--app-url", default=os.environ.get("WECHAT_STANDIN_APP_URL", "http://127.0.0.1:5000"))
    args = parser.parse_args(argv)
    if os.environ.get("APP_ENV") == "production":
        sys.exit("微信替身仅用于开发环境，生产环境（APP_ENV=production）拒绝启动")
    state = start(args.port, args.app_url)
    print(f"微信替身 正在 {state.base_url.rstrip('/')}{'/dev/wechat/'} 运行（开发专用）", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        state.stop()


if __name__ == "__main__":
    main()
