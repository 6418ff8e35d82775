"""The dashboard: a greeting, the account's roles and scopes, and a card for each page its roles allow."""

from app.auth.current import current_user
from app.console.blueprint import bp
from app.console.layout import render


@bp.route("/")
def dashboard():
    """The console's home page."""
    user = current_user()
    grants = sorted(user.grants, key=lambda g: (g.role, g.region_code or "", g.unit_id or 0))
    return render("dashboard.html", grants=grants)
