"""A small fake WeChat HTTP server on 127.0.0.1 for the tests: the real wechatpy code path, another host."""

import hashlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

APPID, SECRET = "wxfake0000000001", "fake-secret-0000000000000000"


def _png(text):
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(img).text((5, 50), text[:16], fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class FakeWeChat:
    """State and behaviour of the fake server; tests tune `failures`, `hang_seconds`, `unsubscribed`."""

    def __init__(self):
        self.calls = []
        self.failures = {}  # path -> list of planned answers: int HTTP status or dict body
        self.hang_seconds = 0.0
        self.unsubscribed = set()
        self.tokens_issued = 0
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

    def answer(self, method, path, query, body):
        """Decide the response (status, content type, bytes) for a request."""
        with self.lock:
            self.calls.append({"method": method, "path": path, "query": query, "body": body, "at": time.time()})
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
        return 200, "application/json", json.dumps(result, ensure_ascii=False).encode()

    def _cgi_bin_token(self, query, body):
        if query.get("appid") != APPID or query.get("secret") != SECRET:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        self.tokens_issued += 1
        return {"access_token": f"FAKE_TOKEN_{self.tokens_issued}", "expires_in": 7200}

    def _sns_jscode2session(self, query, body):
        code = query.get("js_code", "")
        if code.startswith("bad"):
            return {"errcode": 40029, "errmsg": "invalid code"}
        if code.startswith("busy"):
            return {"errcode": 45011, "errmsg": "api minute-quota reach limit"}
        who = code.split(":", 1)[1] if code.startswith("user:") else code
        return {"openid": "o" + hashlib.sha256(who.encode()).hexdigest()[:27], "session_key": "sk" + who[:8]}

    def _wxa_getwxacodeunlimit(self, query, body):
        return _png(body.get("scene", ""))

    def _cgi_bin_message_subscribe_send(self, query, body):
        if body.get("touser") in self.unsubscribed:
            return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self.calls)}

    def _wxa_msg_sec_check(self, query, body):
        risky = "违规测试" in body.get("content", "")
        return {"errcode": 0, "errmsg": "ok",
                "result": {"suggest": "risky" if risky else "pass", "label": 20001 if risky else 100}}


def start_fake_wechat():
    """Start the server on a free loopback port; returns the FakeWeChat state (call .stop())."""
    state = FakeWeChat()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method):
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
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

        def do_GET(self):  # noqa: N802
            self._handle("GET")

        def do_POST(self):  # noqa: N802
            self._handle("POST")

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            import sys

            if isinstance(sys.exc_info()[1], ConnectionError):
                return  # the client gave up (a timeout test): nothing to report
            super().handle_error(request, client_address)

    state.server = Server(("127.0.0.1", 0), Handler)
    state.server.daemon_threads = True
    thread = threading.Thread(target=state.server.serve_forever, daemon=True)
    thread.start()
    state.stop = lambda: (state.server.shutdown(), state.server.server_close())
    return state
