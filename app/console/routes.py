"""The staff console Blueprint `bp` (/console/): session, CSRF, navigation and every view module.

To add pages: write a views_<area>.py that attaches routes to app.console.blueprint.bp and declares
`NAV = [NavEntry(...)]`, then list the module in VIEW_MODULES below (see docs/console.md).
"""

from flask import flash, redirect, request, url_for

from app.auth.current import current_user
from app.console import (
    auth,
    csrf,
    layout,
    views_accounts,
    views_audit,
    views_auth,
    views_cases,
    views_compliance,
    views_contacts,
    views_custody,
    views_disclosures,
    views_disclosures_edit,
    views_disclosures_files,
    views_home,
    views_ledger,
    views_network_outcomes,
    views_network_proposals,
    views_network_records,
    views_networks,
    views_poster,
    views_qr_batches,
    views_regions,
    views_roster,
    views_stats,
    views_triage,
    views_triage_report,
    views_unit,
    views_warnings,
)
from app.console.blueprint import bp
from app.console.nav import add_nav
from app.errors import BadRequest, DomainError

VIEW_MODULES = (views_auth, views_home, views_regions, views_roster, views_accounts, views_audit,
                views_contacts, views_disclosures, views_disclosures_edit, views_disclosures_files,
                views_compliance, views_poster,
                # inspector, custodian, unit handler, QR batches
                views_triage, views_triage_report, views_cases, views_warnings, views_ledger, views_stats,
                views_networks, views_network_records, views_network_proposals, views_network_outcomes,
                views_custody, views_unit, views_qr_batches)

__all__ = ["bp"]


@bp.record_once
def _setup(state):
    """Session cookie defaults and the navigation entries, once per app."""
    app = state.app
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("CONSOLE_IDLE_MINUTES", 30)
    for module in VIEW_MODULES:
        add_nav(app, *getattr(module, "NAV", ()))


@bp.before_request
def _guard():
    """CSRF on every form, then the session: login, idle timeout and TOTP enrolment come before any page."""
    if request.headers.get("Authorization", "").lower().startswith("bearer"):
        raise BadRequest("控制台使用登录会话，不接受 Bearer 令牌", code="bearer_not_accepted")
    csrf.check_csrf()
    ended = auth.load_session()
    if request.endpoint in auth.OPEN_ENDPOINTS:
        return None
    if current_user() is None:
        if ended == "idle":
            flash("长时间未操作，已自动退出，请重新登录。", "warning")
        elif ended == "expired":
            flash("登录已失效，请重新登录。", "warning")
        return redirect(url_for("console.login", next=auth.login_target()))
    token = auth.console_token()
    if token.restricted and request.endpoint not in auth.ENROLMENT_ENDPOINTS:
        flash("您的岗位要求使用动态口令（TOTP），请先完成绑定。", "warning")
        return redirect(url_for("console.totp"))
    return None


bp.context_processor(layout.template_context)
bp.after_request(layout.no_store)
bp.register_error_handler(DomainError, layout.domain_error_page)
bp.register_error_handler(429, layout.rate_limited_page)
