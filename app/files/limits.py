"""Upload rate limits: per client address (Flask-Limiter decorator) and per account (counted after login)."""

from flask import current_app


def address_limit():
    """UPLOAD_LIMIT_ADDRESS, default 30 per hour and 100 per day per address."""
    return current_app.config.get("UPLOAD_LIMIT_ADDRESS", "30 per hour;100 per day")


def account_key(user):
    """The per-account rate-limit key."""
    return f"user:{user.id}"
