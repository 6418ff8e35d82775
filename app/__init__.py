"""码上监督: application factory."""

import importlib
import os

from flask import Flask

from config import INSTANCE_DIR, ProductionConfig, get_config, normalise_database_url

# Domain packages, in dependency order (tests/test_layers.py holds the whole order, the foundation and the top
# included). Each may have routes.py (bp), cli.py and hooks.py (register(app)).
DOMAINS = ("security", "auth", "regions", "files", "notify", "disclosures", "qr", "reports", "contacts", "triage")


def create_app(config=None):
    """Build the Flask app for a config class, name or None (APP_ENV)."""
    config_class = config if isinstance(config, type) else get_config(config)
    instance_path = getattr(config_class, "INSTANCE_PATH", None) or str(INSTANCE_DIR)
    app = Flask(__name__, instance_path=os.path.abspath(instance_path), instance_relative_config=False)
    app.config.from_object(config_class)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if config_class.ENV_NAME == "production":
        ProductionConfig.check(app.config)
    register_instance(app)
    register_proxy(app)
    register_request_hooks(app)  # first, so every response (even the limiter's 429) carries the request id
    register_extensions(app)
    register_domain_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_cli(app)
    return app


def register_instance(app):
    """Create instance/ and, in development, generate local secrets once."""
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("GENERATE_DEV_KEYS"):
        from app.security.devkeys import ensure_dev_secrets

        ensure_dev_secrets(app)


def register_proxy(app):
    """Trust X-Forwarded-For/Proto from PROXY_COUNT reverse proxies (client addresses for limits and audit)."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_prefix=0)


def register_extensions(app):
    """Bind the unbound extensions to this app."""
    from app.core.ratelimit import configure_limiter_storage
    from app.extensions import db, limiter, migrate

    for domain in DOMAINS:
        _domain_module(domain, "models")  # every table on db.metadata, for create_all and migrations
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    configure_limiter_storage(app)
    # The limiter is one object shared by every app in the process: Flask-Limiter keeps `enabled` on it, so an
    # app built with RATELIMIT_ENABLED=False would switch limits off for the others (and skip its own hooks).
    # Initialise it always enabled; each app's own RATELIMIT_ENABLED is honoured per request by a request filter.
    enabled = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True
    try:
        limiter.init_app(app)
    finally:
        app.config["RATELIMIT_ENABLED"] = enabled
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from app.core.sqlite import enable_sqlite_pragmas

        with app.app_context():
            enable_sqlite_pragmas(db.engine)


def register_request_hooks(app):
    """Request ids, security headers and logging."""
    from app.core.hooks import assign_request_id, configure_logging, security_headers
    from app.core.input_guard import register as register_input_guard

    configure_logging(app)
    app.before_request(assign_request_id)
    register_input_guard(app)  # NUL and C0 controls: a 400 before any hook or view touches the database
    app.after_request(security_headers)


def _domain_module(domain, name):
    try:
        return importlib.import_module(f"app.{domain}.{name}")
    except ModuleNotFoundError as err:
        if err.name != f"app.{domain}.{name}" and err.name != f"app.{domain}":
            raise
        return None


def register_domain_hooks(app):
    """Let each domain plug into others at start-up (hooks.py: register(app)), never at import."""
    for domain in DOMAINS:
        module = _domain_module(domain, "hooks")
        if module is not None:
            module.register(app)


def register_blueprints(app):
    """Register each domain's API blueprint, the pages and the OpenAPI document."""
    from app.core.openapi import bp as openapi_bp

    for domain in DOMAINS:
        module = _domain_module(domain, "routes")
        if module is not None:
            for bp in getattr(module, "blueprints", None) or [module.bp]:
                app.register_blueprint(bp)
    for pages in ("public", "console"):
        module = _domain_module(pages, "routes")
        if module is not None:
            app.register_blueprint(module.bp)
    app.register_blueprint(openapi_bp)


def register_errorhandlers(app):
    """One handler renders every error."""
    from app.errors import register_errorhandlers as install

    install(app)


def register_cli(app):
    """Each domain's `flask` commands (from cli.py, never from routes)."""
    for domain in (*DOMAINS, "demo"):
        module = _domain_module(domain, "cli")
        if module is not None:
            module.register(app)
