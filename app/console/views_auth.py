"""Login with password and TOTP, TOTP enrolment with a QR code, and logout."""

import base64
import io

import pyotp
import qrcode
from flask import flash, redirect, request, url_for

from app.auth import schemas as auth_schemas
from app.auth import service as auth_service
from app.auth.current import current_user
from app.console.auth import console_token, end_session, safe_next, start_session
from app.console.blueprint import bp
from app.console.forms import clean, validate_form
from app.console.layout import render
from app.core.ratelimit import client_address
from app.errors import DomainError
from app.extensions import limiter

# The same bucket as POST /api/v1/auth/login: one address cannot try more passwords through the console.
login_limit = limiter.shared_limit("20 per minute;200 per hour", scope="login", methods=["POST"])
TOTP_ISSUER = "码上监督"


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login():
    """The login form: username, password and, when enabled, the TOTP code."""
    next_url = safe_next(request.values.get("next"))
    if current_user() is not None:
        return redirect(next_url)
    if request.method == "GET":
        return render("login.html", form={}, errors={}, next_url=next_url)
    form = {"username": clean(request.form.get("username")), "password": request.form.get("password") or None,
            "otp": clean(request.form.get("otp"))}
    data, errors = validate_form(auth_schemas.LoginSchema(), {k: v for k, v in form.items() if v is not None})
    if errors:
        return render("login.html", status=400, form=form, errors=errors, next_url=next_url)
    try:
        result = auth_service.login(data["username"], data["password"], data["otp"], address=client_address(),
                                    console=True)
    except DomainError as err:
        return render("login.html", status=err.status, headers=err.headers, form=form, errors={},
                      message=err.message, next_url=next_url)
    start_session(result["token"])
    if result["totp_enrollment_required"]:
        flash("您的岗位要求使用动态口令（TOTP），请先完成绑定。", "warning")
        return redirect(url_for("console.totp"))
    flash(f"欢迎回来，{result['user'].display_name}。", "success")
    return redirect(next_url)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session: the token is revoked on the server, not only forgotten by the browser."""
    auth_service.logout(current_user(), console_token())
    end_session()
    flash("您已安全退出。", "success")
    return redirect(url_for("console.login"))


def _qr_data_uri(text):
    """A PNG QR code of text as a data: URI (CSP allows img-src data:) and its pixel size."""
    image = qrcode.make(text, box_size=5, border=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), image.pixel_size


def _totp_page(user, status=200, errors=None):
    pending = bool(user.totp_secret) and not user.totp_enabled
    context = {"pending": pending, "errors": errors or {}}
    if pending:
        uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username or str(user.id),
                                                             issuer_name=TOTP_ISSUER)
        qr, qr_size = _qr_data_uri(uri)
        context.update(qr=qr, qr_size=qr_size, secret=user.totp_secret)
    return render("totp.html", status=status, **context)


@bp.route("/totp")
def totp():
    """TOTP status and enrolment: the QR code to scan and the form to confirm a first code."""
    return _totp_page(current_user())


@bp.route("/totp/start", methods=["POST"])
def totp_start():
    """Create a new (not yet active) TOTP secret."""
    auth_service.totp_setup(current_user())
    return redirect(url_for("console.totp"))


@bp.route("/totp/enable", methods=["POST"])
def totp_enable():
    """Confirm enrolment with a current code."""
    user = current_user()
    data, errors = validate_form(auth_schemas.OtpSchema(), {"otp": clean(request.form.get("otp")) or ""})
    if errors:
        return _totp_page(user, 400, errors)
    try:
        auth_service.totp_enable(user, console_token(), data["otp"])
    except DomainError as err:
        if err.status != 400:
            raise
        return _totp_page(user, 400, err.fields or {"otp": [err.message]})
    flash("动态口令已启用，今后登录时请输入手机上显示的 6 位数字。", "success")
    return redirect(url_for("console.dashboard"))
