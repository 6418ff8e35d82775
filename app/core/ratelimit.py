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


def _app_limiter():
    """The Flask-Limiter instance bound to this app (app.extensions holds it: no import of app.extensions)."""
    return next(iter(current_app.extensions["limiter"]))


def hit_limits(limit_string, scope, key, *, fail_closed=False, message=None):
    """Count one request of `key` against every limit in `limit_string` (e.g. "10 per hour;30 per day").

    Over a limit: 429 with Retry-After (seconds until the window resets). Storage (Redis) unreachable: 503 when
    `fail_closed` (for limits that protect secrets, such as receipt lookups), otherwise the request passes.
    """
    import logging
    import math
    import time

    from limits import parse_many

    from app.errors import ServiceUnavailable, TooManyRequests

    if not limits_enabled() or not limit_string:
        return
    try:
        strategy = _app_limiter().limiter
        for item in parse_many(limit_string):
            if not strategy.hit(item, scope, key):
                reset = strategy.get_window_stats(item, scope, key).reset_time
                retry = max(1, math.ceil(reset - time.time()))
                raise TooManyRequests(message, headers={"Retry-After": str(retry)})
    except TooManyRequests:
        raise
    except Exception as err:  # noqa: BLE001 - any storage failure
        logging.getLogger(__name__).warning("rate-limit storage unavailable (%s): %s", scope, err)
        if fail_closed:
            raise ServiceUnavailable("查询服务暂时不可用，请稍后再试", code="rate_limit_unavailable",
                                     headers={"Retry-After": "60"}) from None
