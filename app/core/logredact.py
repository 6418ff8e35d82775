"""Log redaction: no log line, at any level and from any logger, carries a secret code or a reporter's details.

What is scrubbed from every record (message, arguments, traceback):
- 16-digit runs, also grouped 4-4-4-4 with spaces, dashes or %20 (receipt codes, later booking codes);
- mainland mobile numbers (11 digits starting 13-19, optionally +86 and grouped 3-4-4);
- WeChat openid-shaped tokens (28 characters starting with "o");
- the secret segment of the retired `/reports/track/<code>` URL forms, and query strings of any `.../track` path
  (werkzeug's and gunicorn's access lines);
- credentials in query strings (`secret=`, `access_token=`, `js_code=`, `session_key=`, `password=`), as
  urllib3 logs the WeChat API calls at DEBUG;
- SQLAlchemy's logged statement parameters and result rows (DEBUG/INFO echo), and the `[parameters: ...]` part of
  database error messages: they may hold an openid, a name or a phone before it is encrypted.

It is installed once per process (`install()`, called from app/core/hooks.py:configure_logging) as a log-record
factory, so it holds for every handler, including ones added later (gunicorn's, pytest's caplog); `RedactFilter`
does the same job for handlers or loggers configured elsewhere (e.g. a gunicorn logconfig).
"""

import logging
import re

MASK = "[redacted]"
_SEP = r"(?:[ \-]|%20|\+)?"
SIXTEEN_DIGITS = re.compile(rf"(?<![0-9０-９])[0-9０-９]{{4}}(?:{_SEP}[0-9０-９]{{4}}){{3}}(?![0-9０-９])")
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}(?![0-9])")
OPENID = re.compile(r"(?<![A-Za-z0-9_\-])o[A-Za-z0-9_\-]{27}(?![A-Za-z0-9_\-])")
OLD_TRACK_PATH = re.compile(r"(/reports/track/)(?!(?:messages|dispute)(?=[\s\"'?#]|$))[^\s\"'?#/]+")
TRACK_QUERY = re.compile(r"(/track[^\s\"'?#]*)\?[^\s\"'#]*")
SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
CREDENTIAL_PARAMS = re.compile(r"\b(secret|access_token|js_code|session_key|password)=[^&\s\"']+")
SQL_LOGGER = "sqlalchemy.engine"
_MARK = "_mss_redacting_factory"


def redact(text):
    """The text with secret codes, mobile numbers, openids and secret URL parts masked."""
    if not text:
        return text
    text = SQL_PARAMETERS.sub("[parameters: " + MASK + "]", text)
    text = CREDENTIAL_PARAMS.sub(r"\1=" + MASK, text)
    text = OLD_TRACK_PATH.sub(r"\1" + MASK, text)
    text = TRACK_QUERY.sub(r"\1?" + MASK, text)
    text = SIXTEEN_DIGITS.sub(MASK, text)
    text = MOBILE.sub(MASK, text)
    return OPENID.sub(MASK, text)


def _hide_sql_values(record):
    """SQLAlchemy echo: keep the statement, hide its parameters and the rows it returned."""
    if not record.name.startswith(SQL_LOGGER) or not isinstance(record.args, tuple):
        return
    if record.msg == "[%s] %r" and len(record.args) == 2:
        record.args = (record.args[0], "[SQL parameters hidden]")
    elif record.msg == "Row %r":
        record.args = ("[row hidden]",)


def scrub(record):
    """Redact one record in place: its formatted message, traceback and stack (arguments are folded in)."""
    _hide_sql_values(record)
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed call: keep what can be shown, redacted
        parts = record.args if isinstance(record.args, tuple) else (record.args,)
        message = " ".join(str(part) for part in (record.msg, *parts))
    record.msg, record.args = redact(str(message)), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactFilter(logging.Filter):
    """A filter that redacts each record it sees (never drops one)."""

    def filter(self, record):
        """Redact the record in place and keep it."""
        scrub(record)
        return True


def install():
    """Wrap the process's log-record factory once so that every record is redacted as it is made."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def factory(*args, **kwargs):
        return scrub(previous(*args, **kwargs))

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):  # also if someone swaps the factory later
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())
