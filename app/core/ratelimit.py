"""Rate-limit keys and limiter storage selection."""

from flask import current_app, request


def client_address():
    """The client's address; behind a proxy the app is wrapped with ProxyFix by config."""
    return request.remote_addr or "unknown"


def configure_limiter_storage(app):
    """Use Redis for rate limits when REDIS_URL is set, memory otherwise."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url and "RATELIMIT_STORAGE_URI" not in app.config:
        app.config["RATELIMIT_STORAGE_URI"] = redis_url
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)


def limits_enabled():
    """Whether rate limits apply in this app."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def limits_disabled():
    """Limiter request filter: exempt every request of an app built with RATELIMIT_ENABLED=False."""
    return not limits_enabled()
