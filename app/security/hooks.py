"""Start-up wiring of the security domain."""

from app.security.service import install_append_only_guard


def register(app):
    """Guard the audit log against ORM updates and deletes."""
    install_append_only_guard()
