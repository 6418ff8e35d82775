"""Benchmark plumbing: a throwaway PostgreSQL database, gunicorn on loopback, wrk, and figures."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from config import normalise_database_url  # psycopg2 for postgresql:// (SQLAlchemy 2.1 defaults to psycopg 3)

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"

PG_ADMIN = normalise_database_url(os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"))


def ensure_tool(name, package=None):
    """Install a Debian package when its command is missing (benchmarks only)."""
    if shutil.which(name):
        return
    subprocess.run(["apt-get", "install", "-y", "-qq", package or name], check=True, stdout=subprocess.DEVNULL)


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_pg_database(name):
    """Drop and create a PostgreSQL database; returns its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def flask(args, env):
    """Run a `flask` command of the project with env."""
    subprocess.run([str(VENV_BIN / "flask"), *args], cwd=ROOT, env=env, check=True)


def bench_env(database_url, **extra):
    """Environment for the app under test (production-like settings, throwaway secrets)."""
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update({
        "FLASK_APP": "wsgi:app", "APP_ENV": "development", "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(ROOT / "instance" / "bench"), "SECRET_KEY": "bench-" + "x" * 40,
        "DATA_KEYS": Fernet.generate_key().decode(), "AUDIT_ADDRESS_SALT": "bench-salt",
        "RECEIPT_PEPPERS": "bench-pepper-0123456789abcdef", "JOBS_INLINE": "1",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextmanager
def gunicorn(app_spec, workers, env, port=None):
    """Serve app_spec with gunicorn on 127.0.0.1; yields the base URL; stops it afterwards."""
    port = port or free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--worker-class", "sync", app_spec],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/api/v1/openapi.json" if "wsgi" in app_spec else base + "/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("gunicorn exited: " + proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.1)
        yield base, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


LAT = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def _ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, seconds=10, connections=32, threads=2, headers=None):
    """Run wrk --latency against url; returns {rps, p50_ms, p99_ms, non_2xx, socket_errors}."""
    ensure_tool("wrk")
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    lat = {p: _ms(v, u) for p, v, u in LAT.findall(out)}
    errs = ERRORS.search(out)
    return {
        "rps": float(RPS.search(out).group(1)),
        "p50_ms": round(lat.get("50", 0), 2), "p99_ms": round(lat.get("99", 0), 2),
        "non_2xx": int(NON2XX.search(out).group(1)) if NON2XX.search(out) else 0,
        "socket_errors": sum(int(x) for x in errs.groups()) if errs else 0,
    }


def peak_rss_mb(pid):
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                   text=True).stdout.split()]
    per = {}
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    per[p] = int(line.split()[1]) / 1024
        except OSError:
            continue
    total = max(per.values()) if per else 0
    return round(total, 1)


def machine():
    """A one-line description of this machine."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) // 1024 // 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB, Python {sys.version.split()[0]}"


def emit(name, figures):
    """Print figures as one JSON line (and a readable table) and save them under bench/results/."""
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    record = {"bench": name, "at": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(), **figures}
    (out / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2))
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return record
