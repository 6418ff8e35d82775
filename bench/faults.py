"""Faults on gunicorn + PostgreSQL: PostgreSQL stopped mid-run, workers SIGKILLed mid-submission, WeChat hanging,
Redis down. Counts lost/duplicate/half reports (all must be 0) and answers that are not the JSON envelope.

Usage: .venv/bin/python -m bench.faults   (stops and restarts the local PostgreSQL cluster for ~10 s)
"""

import io
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests
import sqlalchemy as sa

from bench.common import ROOT, VENV_BIN, bench_env, emit, free_port, fresh_pg_database, gunicorn
from bench.common import flask as run_flask

VILLAGES = ["420323103211", "420323102203"]
REDIS = "redis://127.0.0.1:6379/9"
PG_VERSION = os.listdir("/etc/postgresql")[0] if os.path.isdir("/etc/postgresql") else "15"


def drain(proc):
    """Read gunicorn's stderr in the background (the app logs every 503; a full pipe would block workers)."""
    tail = []

    def run():
        for line in proc.stderr:
            tail.append(line.decode(errors="replace").rstrip())
            del tail[:-50]

    threading.Thread(target=run, daemon=True).start()
    return tail


def is_envelope(resp):
    """Whether an error answer is the API's JSON envelope."""
    try:
        error = resp.json().get("error")
    except ValueError:
        return False
    return isinstance(error, dict) and {"code", "message"} <= set(error)


def report_body(n, **extra):
    """A valid anonymous submission."""
    return {"village_code": VILLAGES[n % 2], "kind": "suggestion" if n % 3 else "tipoff", "topic": "村级债务",
            "content": f"第{n}号故障测试反映：村里的道路维修款使用情况需要公开说明。", "anonymous": True,
            "channel": "h5", **extra}


def call(session, method, url, **kwargs):
    """(status or 0 for a socket error, response or None, milliseconds)."""
    start = time.perf_counter()
    try:
        resp = session.request(method, url, timeout=kwargs.pop("timeout", 30), **kwargs)
    except requests.RequestException:
        return 0, None, (time.perf_counter() - start) * 1000
    return resp.status_code, resp, (time.perf_counter() - start) * 1000


def pct(values, q):
    """The q-quantile (0..1) of values, in ms, rounded."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


def stored(database_url):
    """{idempotency_key: number of reports}, reports without their `submitted` event, orphan attachment links."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        keys = dict(conn.execute(sa.text(
            "SELECT idempotency_key, count(*) FROM reports WHERE idempotency_key IS NOT NULL GROUP BY 1")).all())
        no_event = conn.scalar(sa.text(
            "SELECT count(*) FROM reports r WHERE NOT EXISTS "
            "(SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action = 'submitted')"))
        orphans = conn.scalar(sa.text(
            "SELECT count(*) FROM report_attachments a "
            "WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = a.report_id)"))
        links = dict(conn.execute(sa.text(
            "SELECT r.idempotency_key, count(a.upload_id) FROM reports r "
            "LEFT JOIN report_attachments a ON a.report_id = r.id GROUP BY r.idempotency_key")).all())
    engine.dispose()
    return keys, no_event, orphans, links


class Submitters:
    """Client threads submitting reports with Idempotency-Keys, retrying the same key until it succeeds."""

    def __init__(self, base, clients, with_upload=False):
        self.base, self.clients, self.with_upload = base, clients, with_upload
        self.phase, self.stop = "before", threading.Event()
        self.answers = []  # (phase, status, envelope_ok, ms)
        self.ok, self.retried_ok = {}, 0  # key -> status of the success; successes after a failed try
        self.lock = threading.Lock()

    def _record(self, status, resp, ms):
        with self.lock:
            self.answers.append((self.phase, status, status < 400 or (resp is not None and is_envelope(resp)), ms))

    def _upload(self, session):
        from tests.fake_wechat import _png

        while True:
            status, resp, ms = call(session, "POST", self.base + "/api/v1/uploads",
                                    files={"file": ("p.png", io.BytesIO(_png("现场")), "image/png")})
            if status == 201:
                return resp.json()["id"]
            time.sleep(0.2)

    def _one(self, session, n, deadline):
        key = uuid.uuid4().hex
        body = report_body(n, attachment_ids=[self._upload(session)] if self.with_upload else [])
        failed = False
        while time.time() < deadline:
            status, resp, ms = call(session, "POST", self.base + "/api/v1/reports", json=body,
                                    headers={"Idempotency-Key": key})
            self._record(status, resp, ms)
            if status in (200, 201):
                with self.lock:
                    self.ok[key] = status
                    self.retried_ok += failed
                return
            failed = True
            time.sleep(0.2)
        with self.lock:
            self.ok.setdefault(key, None)  # gave up (counted as unfinished, not lost)

    def _loop(self, index):
        session, n = requests.Session(), index * 100000
        while not self.stop.is_set():
            n += 1
            self._one(session, n, time.time() + 120)

    def __enter__(self):
        self.threads = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(self.clients)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=180)

    def figures(self, database_url):
        """Answers per phase and the database check."""
        keys, no_event, orphans, links = stored(database_url)
        per_phase = {}
        for phase, status, envelope_ok, _ in self.answers:
            row = per_phase.setdefault(phase, Counter())
            row[str(status) if status else "socket_error"] += 1
            row["not_envelope"] += not envelope_ok
        succeeded = [k for k, v in self.ok.items() if v]
        keys = {k: v for k, v in keys.items() if k in self.ok}
        return {
            "answers": {p: dict(c) for p, c in per_phase.items()},
            "http_500": sum(1 for _, s, *_ in self.answers if s == 500),
            "not_envelope": sum(1 for _, _, ok, _ in self.answers if not ok),
            "keys_succeeded": len(succeeded), "keys_unfinished": sum(1 for v in self.ok.values() if not v),
            "succeeded_after_a_failed_try": self.retried_ok,
            "lost": sum(1 for k in succeeded if k not in keys),
            "duplicated": sum(v - 1 for v in keys.values() if v > 1),
            "reports_without_first_event": no_event, "orphan_attachment_links": orphans,
            "reports_missing_their_attachment":
                sum(1 for k in keys if links.get(k) != 1) if self.with_upload else None,
        }


def pg_ctl(action):
    """Stop or start the local PostgreSQL cluster."""
    cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", action]
    # starting a cluster that already runs fails harmlessly; wait_pg_ready() is the real check
    subprocess.run(cmd + (["-m", "fast"] if action == "stop" else []), check=action == "stop", capture_output=True)


def wait_pg_ready(seconds=120):
    """Block until pg_isready answers."""
    for _ in range(seconds * 2):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not come back")


def postgres_stopped(env, url, down_seconds=10):
    """1. Submissions while PostgreSQL is stopped and restarted."""
    with gunicorn("wsgi:app", 4, env) as (base, proc):
        drain(proc)
        with Submitters(base, 8) as clients:
            time.sleep(5)
            try:
                clients.phase = "stopping"  # pg_ctl waits for the fast shutdown: in-flight commits may still win
                pg_ctl("stop")
                clients.phase = "down"
                time.sleep(down_seconds)
            finally:
                clients.phase = "starting"
                pg_ctl("start")
                wait_pg_ready()
            clients.phase = "after_restart"
            time.sleep(10)
    down = [status for phase, status, *_ in clients.answers if phase == "down"]
    return {"down_seconds": down_seconds, "down_answers_not_503": sum(1 for s in down if s != 503),
            **clients.figures(url)}


def worker_killed(env, url, kills=12):
    """2. Gunicorn workers SIGKILLed while clients submit reports with one attachment each."""
    done = 0
    with gunicorn("wsgi:app", 3, env) as (base, proc):
        tail = drain(proc)
        with Submitters(base, 8, with_upload=True) as clients:
            time.sleep(3)
            clients.phase = "killing"
            for _ in range(kills):
                workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
                if workers:
                    os.kill(int(random.choice(workers)), signal.SIGKILL)
                    done += 1
                time.sleep(random.uniform(0.5, 1.5))
            clients.phase = "after"
            time.sleep(8)
    return {"workers_killed": done, "gunicorn_log_lines_about_kills": sum("SIGKILL" in t for t in tail),
            **clients.figures(url)}


def _latency(base, count, clients, token_headers=()):
    """p50/p99 of `count` anonymous submissions (plus one real-name one per token) from `clients` threads."""
    lat, slow, statuses, lock = [], [], Counter(), threading.Lock()
    jobs = [(n, None) for n in range(count)] + [(count + i, h) for i, h in enumerate(token_headers)]

    def worker(part):
        session = requests.Session()
        for n, headers in part:
            body = report_body(n) if headers is None else {
                **report_body(n), "anonymous": False, "kind": "question", "channel": "miniprogram",
                "reporter": {"name": "陈德明", "phone": "13907191234"}}
            status, _, ms = call(session, "POST", base + "/api/v1/reports", json=body, headers=headers or {})
            with lock:
                lat.append(ms)
                slow.append((round(ms), "anonymous" if headers is None else "real_name"))
                statuses[status] += 1

    threads = [threading.Thread(target=worker, args=(jobs[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"requests": len(lat), "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99), "max_ms": round(max(lat), 1),
            "statuses": {str(k): v for k, v in statuses.items()}, "slowest": sorted(slow, reverse=True)[:3]}


def _dispatch(env):
    out = subprocess.run([str(VENV_BIN / "flask"), "notify", "dispatch", "--limit", "500"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    return out.splitlines()[-1] if out else ""


def wechat_hanging(env, count=60, residents=10):
    """3. Intake latency with WeChat unconfigured, healthy, and hanging past WECHAT_TIMEOUT; then the outbox."""
    from tests.fake_wechat import APPID, SECRET, start_fake_wechat

    result = {}
    with gunicorn("wsgi:app", 4, env) as (base, proc):
        drain(proc)
        result["unconfigured"] = _latency(base, count, 4)
    fake = start_fake_wechat()
    wenv = {**env, "WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET, "WECHAT_API_BASE": fake.base_url,
            "WECHAT_TIMEOUT": "1", "WECHAT_TEXT_CHECK": "1", "WECHAT_TEMPLATE_REPORT_UPDATE": "TPL-REPORT-UPDATE",
            "NOTIFY_RETRY_BASE_SECONDS": "2", "REDIS_URL": REDIS}
    # APP_ENV=development runs jobs inline (as a deployment without Redis does): a real-name submission's
    # dispatcher kick then runs inside the request, so its latency shows that path too
    try:
        with gunicorn("wsgi:app", 4, wenv) as (base, proc):
            drain(proc)
            result["healthy"] = _latency(base, count, 4)
            tokens = [requests.post(base + "/api/v1/auth/wechat", json={"code": f"user:faults-{i}"}, timeout=30)
                      .json()["token"] for i in range(residents)]
            fake.hang_seconds = 5.0
            result["hanging"] = _latency(base, count, 4, [{"Authorization": f"Bearer {t}"} for t in tokens])
        start = time.perf_counter()
        result["dispatch_while_hanging"] = {"output": _dispatch(wenv), "seconds": round(time.perf_counter() - start, 1)}
        fake.hang_seconds = 0.0
        time.sleep(5)
        result["dispatch_after_return"] = {"output": _dispatch(wenv)}
        result["sent_to_wechat"] = len(fake.calls_to("/cgi-bin/message/subscribe/send"))
    finally:
        fake.hang_seconds = 0.0
        fake.stop()
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        outbox = conn.execute(sa.text("SELECT status, count(*) FROM notification_outbox GROUP BY 1")).all()
    result["outbox"] = dict(outbox)
    engine.dispose()
    return result


def redis_down(env, tries=30):
    """4. Redis unreachable: receipt lookups fail closed (503), public reads and submissions stay open."""
    down = f"redis://127.0.0.1:{free_port()}/9"
    denv = {**env, "REDIS_URL": down, "RATELIMIT_ENABLED": "1"}
    with gunicorn("wsgi:app", 2, denv) as (base, proc):
        drain(proc)
        session = requests.Session()
        filed = session.post(base + "/api/v1/reports", json=report_body(1), timeout=30)
        code = filed.json().get("receipt_code", "0000 0000 0000 0000").replace(" ", "")
        paths = {"receipt_lookup": "/api/v1/reports/track", "village": f"/api/v1/villages/{VILLAGES[0]}",
                 "disclosures": f"/api/v1/villages/{VILLAGES[0]}/disclosures", "h5_village": f"/v/{VILLAGES[0]}"}
        out = {"submission": filed.status_code}
        for name, path in paths.items():
            how = ("POST", {"json": {"receipt_code": code}}) if name == "receipt_lookup" else ("GET", {})
            answers = [call(session, how[0], base + path, **how[1]) for _ in range(tries)]
            out[name] = {"statuses": dict(Counter(str(s) for s, _, _ in answers)),
                         "p50_ms": pct([ms for *_, ms in answers], 0.5)}
            if name == "receipt_lookup":
                out[name]["envelope_codes"] = dict(Counter(r.json()["error"]["code"] for s, r, _ in answers
                                                           if r is not None and is_envelope(r)))
    return out


def main():
    """Run the four fault scenarios and print the figures."""
    url = fresh_pg_database("mss_bench_faults")
    env = bench_env(url, RATELIMIT_ENABLED="0", REDIS_URL=REDIS)
    Path(env["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    run_flask(["db", "upgrade"], env)
    run_flask(["demo", "seed"], env)
    figures = {"postgres_stopped": postgres_stopped(env, url)}
    figures["worker_killed"] = worker_killed(env, url)
    figures["wechat"] = wechat_hanging(env)
    figures["redis_down"] = redis_down(env)
    emit("faults", figures)
    pg, kill, wx, rd = (figures[k] for k in ("postgres_stopped", "worker_killed", "wechat", "redis_down"))
    rows = [("PostgreSQL stopped: non-503 while down / 500 / not envelope", pg["down_answers_not_503"],
             pg["http_500"], pg["not_envelope"]),
            ("PostgreSQL stopped: lost / duplicated", pg["lost"], pg["duplicated"]),
            ("worker killed: lost / duplicated / no first event / orphan links / missing attachment", kill["lost"],
             kill["duplicated"], kill["reports_without_first_event"], kill["orphan_attachment_links"],
             kill["reports_missing_their_attachment"]),
            *((f"WeChat {n}: p50 / p99 / max ms", wx[n]["p50_ms"], wx[n]["p99_ms"], wx[n]["max_ms"])
              for n in ("unconfigured", "healthy", "hanging")),
            ("outbox: while hanging / after return", wx["dispatch_while_hanging"]["output"],
             wx["dispatch_after_return"]["output"]),
            *((f"Redis down: {n}", rd[n]["statuses"]) for n in ("receipt_lookup", "village", "disclosures",
                                                                 "h5_village"))]
    for label, *values in rows:
        print(f"{label:90} " + " / ".join(str(v) for v in values))

if __name__ == "__main__":
    main()
