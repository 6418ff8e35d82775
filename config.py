"""Settings from environment variables, one class per environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def normalise_database_url(url):
    """`postgresql://` (or `postgres://`) means psycopg2, the driver we ship; SQLAlchemy 2.1 would pick psycopg 3."""
    for scheme in ("postgresql://", "postgres://"):
        if url and url.startswith(scheme):
            return "postgresql+psycopg2://" + url[len(scheme):]
    return url


def _env(name, default=None):
    return os.environ.get(name, default)


def _int(name, default):
    return int(os.environ.get(name, default))


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    INSTANCE_PATH = str(INSTANCE_DIR)  # create_app's instance folder (dev secrets, SQLite file, uploads)
    SECRET_KEY = _env("SECRET_KEY")
    DATA_KEYS = _env("DATA_KEYS")  # comma-separated Fernet keys, newest first
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'mss.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = _env("REDIS_URL")
    JOBS_INLINE = _env("JOBS_INLINE", "") == "1"
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
    MAX_JSON_BYTES = _int("MAX_JSON_BYTES", 2 * 1024 * 1024)
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    PUBLIC_CACHE_SECONDS = float(_env("PUBLIC_CACHE_SECONDS", "5"))  # per-worker cache of anonymous public pages
    SCAN_FLUSH_SECONDS = float(_env("SCAN_FLUSH_SECONDS", "10"))  # scans gathered per worker, written this often
    SCAN_FLUSH_MAX = _int("SCAN_FLUSH_MAX", 200)  # ... or once this many are gathered
    UPLOAD_DIR = _env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    QR_TEMPLATE_DIR = _env("QR_TEMPLATE_DIR", str(BASE_DIR / "qr_templates"))
    QR_FONT_PATH = _env("QR_FONT_PATH")
    QR_EXPORT_DIR = _env("QR_EXPORT_DIR")  # batch zips; unset = instance/exports
    QR_BATCH_PROCESSES = _env("QR_BATCH_PROCESSES")  # poster processes per batch; unset = every core
    QR_BATCH_MAX_VILLAGES = _int("QR_BATCH_MAX_VILLAGES", 20000)
    WECHAT_VILLAGE_PAGE = _env("WECHAT_VILLAGE_PAGE")  # mini-program page a wxacode opens; unset = home page
    TOKEN_TTL_HOURS = _int("TOKEN_TTL_HOURS", 24 * 7)
    STAFF_TOKEN_TTL_HOURS = _int("STAFF_TOKEN_TTL_HOURS", 12)
    # failed logins slow down per account name AND address (app/auth/throttle.py), never lock the account
    LOGIN_FREE_FAILURES = _int("LOGIN_FREE_FAILURES", 3)  # then that address waits 2, 4, 8 ... seconds
    LOGIN_DELAY_MAX_SECONDS = _int("LOGIN_DELAY_MAX_SECONDS", 900)
    LOGIN_FAILURE_WINDOW_HOURS = float(_env("LOGIN_FAILURE_WINDOW_HOURS", "24"))  # forgotten after a quiet day
    REFUSE_DEMO_ACCOUNTS = False  # production: the demo password and `flask demo seed` accounts are refused
    TOTP_REQUIRED_ROLES = tuple(filter(None, _env("TOTP_REQUIRED_ROLES", "").split(",")))
    AUDIT_ADDRESS_SALT = _env("AUDIT_ADDRESS_SALT", "")
    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_HEADERS_ENABLED = True
    WECHAT_APPID = _env("WECHAT_APPID")
    WECHAT_SECRET = _env("WECHAT_SECRET")
    WECHAT_API_BASE = _env("WECHAT_API_BASE", "https://api.weixin.qq.com/")
    WECHAT_TIMEOUT = float(_env("WECHAT_TIMEOUT", "5"))
    WECHAT_VERIFY_FILE_NAME = _env("WECHAT_VERIFY_FILE_NAME")
    WECHAT_VERIFY_FILE_CONTENT = _env("WECHAT_VERIFY_FILE_CONTENT")
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    PROXY_COUNT = _int("PROXY_COUNT", 0)  # reverse proxies in front (nginx: 1) whose X-Forwarded-For to trust
    # intake: uploads, receipt codes, rate limits
    MAX_UPLOAD_BYTES = _int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    MAX_UPLOAD_PIXELS = _int("MAX_UPLOAD_PIXELS", 40_000_000)
    RECEIPT_PEPPERS = _env("RECEIPT_PEPPERS")  # comma-separated, newest first
    RECEIPT_LOOKUP_LIMIT = _env("RECEIPT_LOOKUP_LIMIT", "10 per hour;30 per day")
    WECHAT_TEXT_CHECK = _env("WECHAT_TEXT_CHECK", "") == "1"  # msgSecCheck flags (never drops) risky reports
    REPORT_TOPICS = _env("REPORT_TOPICS")  # comma- or 、-separated; unset = the ten built-in topics
    REPORT_LIMIT_ADDRESS = _env("REPORT_LIMIT_ADDRESS", "30 per hour;100 per day")
    REPORT_LIMIT_ACCOUNT = _env("REPORT_LIMIT_ACCOUNT", "10 per hour;30 per day")
    UPLOAD_LIMIT_ADDRESS = _env("UPLOAD_LIMIT_ADDRESS", "30 per hour;100 per day")
    UPLOAD_LIMIT_ACCOUNT = _env("UPLOAD_LIMIT_ACCOUNT", "60 per hour;200 per day")
    RECEIPT_MESSAGE_LIMIT = _env("RECEIPT_MESSAGE_LIMIT", "10 per hour;30 per day")
    RECEIPT_MISS_ALERT = _env("RECEIPT_MISS_ALERT", "200 per hour")
    NOTIFY_MAX_ATTEMPTS = _int("NOTIFY_MAX_ATTEMPTS", 8)
    NOTIFY_RETRY_BASE_SECONDS = _int("NOTIFY_RETRY_BASE_SECONDS", 60)
    NOTIFY_RETRY_MAX_SECONDS = _int("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600)
    NOTIFY_LEASE_SECONDS = _int("NOTIFY_LEASE_SECONDS", 600)
    WECHAT_REPORT_PAGE = _env("WECHAT_REPORT_PAGE", "pages/reports/mine")
    WECHAT_TEMPLATE_REPORT_UPDATE_FIELDS = _env("WECHAT_TEMPLATE_REPORT_UPDATE_FIELDS")
    WECHAT_TEMPLATE_REPORT_UPDATE = _env("WECHAT_TEMPLATE_REPORT_UPDATE")
    CONTACT_INVITE_DAYS = _int("CONTACT_INVITE_DAYS", 30)  # how long a contact-point member's invite code is valid
    # triage: legal time limits in working days
    TRIAGE_ACCEPT_DAYS = _int("TRIAGE_ACCEPT_DAYS", 15)  # accept or refuse a report
    TRIAGE_FORWARD_DAYS = _int("TRIAGE_FORWARD_DAYS", 5)
    TRIAGE_ACCEPT_NOTICE_DAYS = _int("TRIAGE_ACCEPT_NOTICE_DAYS", 15)
    TRIAGE_RESULT_NOTICE_DAYS = _int("TRIAGE_RESULT_NOTICE_DAYS", 15)
    TRIAGE_CONCLUDE_DAYS = _int("TRIAGE_CONCLUDE_DAYS", 90)
    DUE_SOON_WORKDAYS = _int("DUE_SOON_WORKDAYS", 3)
    WORKDAY_EXTRA_HOLIDAYS = _env("WORKDAY_EXTRA_HOLIDAYS", "")
    WORKDAY_EXTRA_WORKDAYS = _env("WORKDAY_EXTRA_WORKDAYS", "")
    REPORT_DISPUTE_DAYS = _int("REPORT_DISPUTE_DAYS", 30)
    REPORT_IDENTITY_RETENTION_DAYS = _int("REPORT_IDENTITY_RETENTION_DAYS", 1095)  # after closing; then erased
    SIMILARITY_USE_JIEBA = _env("SIMILARITY_USE_JIEBA", "") == "1"
    DUPLICATE_SUGGEST_THRESHOLD = float(_env("DUPLICATE_SUGGEST_THRESHOLD", "0.40"))
    DUPLICATE_WINDOW_DAYS = _int("DUPLICATE_WINDOW_DAYS", 180)
    DUPLICATE_CANDIDATES = _int("DUPLICATE_CANDIDATES", 500)  # newest reports scored for `similar`
    # posts (matched as the ending of the accused's post) whose reports only the level above sees; unset = built-in
    TRIAGE_HEAD_POSTS = _env("TRIAGE_HEAD_POSTS")
    STATS_WORK_MEM = _env("STATS_WORK_MEM", "64MB")  # PostgreSQL work_mem for the figures' GROUP BY queries


class DevelopmentConfig(Config):
    """Local development: SQLite in instance/, jobs inline, keys generated into instance/."""

    ENV_NAME = "development"
    DEBUG = False
    JOBS_INLINE = _env("JOBS_INLINE", "1") != "0"  # inline unless JOBS_INLINE=0 (and REDIS_URL) asks for RQ
    GENERATE_DEV_KEYS = True


class TestingConfig(Config):
    """The test suite: TEST_DATABASE_URL or a temporary SQLite file."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    DATA_KEYS = "dGVzdGluZy1rZXktdGVzdGluZy1rZXktdGVzdGluZy0="
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
    JOBS_INLINE = True
    RATELIMIT_ENABLED = False
    AUDIT_ADDRESS_SALT = "testing-salt"
    RECEIPT_PEPPERS = "testing-receipt-pepper-0123456789"
    PUBLIC_BASE_URL = "https://jd.example.gov.cn"
    SCAN_FLUSH_SECONDS = 0  # each scan written at once (tests/qr/test_api_scans.py tests the gathering)
    PUBLIC_CACHE_SECONDS = 0  # tests empty the database between them; tests/core/test_response_cache.py turns it on
    WECHAT_APPID = None
    WECHAT_SECRET = None


class ProductionConfig(Config):
    """Production: every secret must come from the environment."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    REFUSE_DEMO_ACCOUNTS = True

    DEFAULT_SECRETS = {None, "", "change-me", "changeme", "dev", "secret", TestingConfig.SECRET_KEY}

    @classmethod
    def check(cls, config):
        """Refuse to start with a missing or default secret or data key, or with demo accounts enabled."""
        problems = []
        if config.get("SECRET_KEY") in cls.DEFAULT_SECRETS or len(config.get("SECRET_KEY") or "") < 32:
            problems.append("SECRET_KEY is missing, default or shorter than 32 characters")
        problems += cls._data_key_problems(config.get("DATA_KEYS"))
        if not config.get("AUDIT_ADDRESS_SALT"):
            problems.append("AUDIT_ADDRESS_SALT is missing")
        if len((config.get("RECEIPT_PEPPERS") or "").split(",")[0]) < 16:
            problems.append("RECEIPT_PEPPERS is missing or shorter than 16 characters")
        problems += cls._demo_account_problems(config.get("SQLALCHEMY_DATABASE_URI"))
        problems += cls._public_base_url_problems(config.get("PUBLIC_BASE_URL"))
        problems += cls._wechat_standin_problems(config)
        if problems:
            raise RuntimeError("Production configuration refused: " + "; ".join(problems))

    @classmethod
    def _public_base_url_problems(cls, base_url):
        """Every printed QR code carries PUBLIC_BASE_URL: a loopback, private or missing one cannot be scanned."""
        from app.qr.codes import address_problem

        problem = address_problem(base_url)
        return [f"PUBLIC_BASE_URL must be the public address villagers' phones reach ({problem})"] if problem else []

    @classmethod
    def _wechat_standin_problems(cls, config):
        """The development WeChat stand-in (app/wechat/standin.py): its credentials or a loopback WeChat host."""
        from urllib.parse import urlsplit

        from app.wechat.standin import APPID, LOOPBACK, SECRET

        problems = []
        if config.get("WECHAT_APPID") == APPID or config.get("WECHAT_SECRET") == SECRET:
            problems.append("WECHAT_APPID/WECHAT_SECRET are the development WeChat stand-in's")
        host = (urlsplit(str(config.get("WECHAT_API_BASE") or "")).hostname or "").lower()
        if host in LOOPBACK or host.startswith("127.") or host.endswith(".localhost"):
            problems.append(f"WECHAT_API_BASE ({config.get('WECHAT_API_BASE')}) is on this machine: "
                            "the development WeChat stand-in, not WeChat")
        return problems

    @classmethod
    def _demo_account_problems(cls, url):
        """Enabled accounts made by `flask demo seed` (users.is_demo) refuse the start of the server.

        `flask` commands still run (that is how an operator migrates and runs `flask accounts disable-demo`), with a
        warning; a database not yet migrated or not reachable is left to the migration and to the login refusal.
        """
        import logging

        import sqlalchemy as sa

        if not url:
            return []
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                columns = {c["name"] for c in sa.inspect(conn).get_columns("users")} \
                    if sa.inspect(conn).has_table("users") else set()
                if "is_demo" not in columns:
                    return []
                names = list(conn.scalars(sa.text(
                    "SELECT username FROM users WHERE is_demo = :yes AND is_active = :yes ORDER BY id"),
                    {"yes": True}))
        except sa.exc.SQLAlchemyError as err:
            logging.getLogger(__name__).warning("demo-account check skipped: %s", err)
            return []
        finally:
            engine.dispose()
        if not names:
            return []
        problem = (f"{len(names)} demo account(s) from `flask demo seed` are enabled ({', '.join(names[:9])}): "
                   "run `flask accounts disable-demo`")
        if os.environ.get("FLASK_RUN_FROM_CLI"):
            logging.getLogger(__name__).warning("%s; the server will refuse to start", problem)
            return []
        return [problem]

    @classmethod
    def _data_key_problems(cls, raw):
        keys = [k.strip() for k in (raw or "").split(",") if k.strip()]
        if not keys or raw in cls.DEFAULT_SECRETS:
            return ["DATA_KEYS (Fernet keys for personal data) is missing"]
        from cryptography.fernet import Fernet

        problems = []
        for number, key in enumerate(keys, start=1):
            if key in TestingConfig.DATA_KEYS.split(","):
                problems.append(f"DATA_KEYS key {number} is the public testing key")
                continue
            try:
                Fernet(key.encode())
            except ValueError:
                problems.append(f"DATA_KEYS key {number} is not a valid Fernet key")
        return problems


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    """Return the config class for a name (default from APP_ENV, else development)."""
    return CONFIGS[name or os.environ.get("APP_ENV", "development")]
