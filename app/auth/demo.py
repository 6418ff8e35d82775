"""Demo accounts and the demo password: refused wherever REFUSE_DEMO_ACCOUNTS is on (production)."""

from flask import current_app

# The password `flask demo seed` gives its accounts (published in the README): never a real credential.
DEMO_PASSWORD = "Demo-2026-mss"


def refusing():
    """Whether this app refuses demo accounts and the demo password (ProductionConfig turns it on)."""
    return bool(current_app.config.get("REFUSE_DEMO_ACCOUNTS"))


def refused_account(user):
    """Whether this account may not be used here: a demo account in production."""
    return user is not None and bool(user.is_demo) and refusing()


def refused_password(password):
    """Whether this password may not be used here: the published demo password in production."""
    return refusing() and password == DEMO_PASSWORD
