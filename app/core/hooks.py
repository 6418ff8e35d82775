"""Per-request plumbing: request ids, security headers, logging."""

import logging
import secrets

from flask import g, request

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


MAX_PATH_INT = 2**31 - 1  # ids are 32-bit INTEGER columns


def assign_request_id():
    """Take a sane X-Request-ID from the client or make one; refuse ids no row can have."""
    incoming = request.headers.get("X-Request-ID", "")
    ok = 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum()
    g.request_id = incoming if ok else secrets.token_hex(8)
    refuse_out_of_range_ids()


def refuse_out_of_range_ids():
    """404 for an <int:...> path value past 32 bits: no row has it, and SQLite cannot even bind it (a 500)."""
    if any(type(value) is int and value > MAX_PATH_INT for value in (request.view_args or {}).values()):
        from app.errors import NotFound

        raise NotFound()


def security_headers(response):
    """Add the security headers every response carries."""
    from flask import current_app

    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CSP)
    if current_app.config.get("ENV_NAME") == "production":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    rid = getattr(g, "request_id", None)
    if rid:
        response.headers["X-Request-ID"] = rid
    if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


class RequestIdFilter(logging.Filter):
    """Put the request id on every log record."""

    def filter(self, record):
        """Attach request_id (or '-') to the record."""
        try:
            record.request_id = getattr(g, "request_id", "-")
        except RuntimeError:
            record.request_id = "-"
        return True


def configure_logging(app):
    """Log to stderr with the request id; every record of the process is redacted (app/core/logredact.py)."""
    from app.core.logredact import RedactFilter, install

    install()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger("app")
    if not any(isinstance(h, logging.StreamHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
