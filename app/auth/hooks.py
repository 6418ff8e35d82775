"""Start-up wiring of the accounts domain: the API layer (app.core.api) asks it who is calling."""


def register(app):
    """Offer the current-user callables to the foundation's ApiBlueprint, which may not import a domain."""
    from app.auth.current import current_user, require_user

    app.extensions["mss_accounts"] = {"current": current_user, "require": require_user}
