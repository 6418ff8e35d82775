"""Auth API: login, logout, WeChat login, bind, TOTP, me, and account administration."""

from app.auth import accounts, grants, schemas, service
from app.auth.current import current_token
from app.core.api import ApiBlueprint
from app.core.pagination import PageQuery
from app.core.ratelimit import client_address
from app.extensions import limiter

bp = ApiBlueprint("auth", __name__, tag="账号与登录")
login_limit = limiter.shared_limit("20 per minute;200 per hour", scope="login")
# wx.login() codes are single-use and unguessable, and a village meeting logs in from one NAT address at once:
# WeChat login gets its own, wider per-address limit (WeChat's own quota protects code2session as well).
wechat_limit = limiter.shared_limit("120 per minute;2000 per hour", scope="wechat_login")


@bp.op("/auth/login", "POST", summary="工作人员密码登录", body=schemas.LoginSchema(),
       response=schemas.SessionSchema(), errors=(401, 429), limits=(login_limit,))
def login(data):
    """Log in with username, password and optional TOTP."""
    return service.login(data["username"], data["password"], data["otp"], address=client_address())


@bp.op("/auth/wechat", "POST", summary="微信登录", body=schemas.WechatLoginSchema(),
       response=schemas.SessionSchema(), errors=(401, 429, 503), limits=(wechat_limit,))
def wechat_login(data):
    """Log in with a wx.login() code."""
    return service.wechat_login(data["code"])


@bp.op("/auth/logout", "POST", summary="退出登录", status=204, auth="required")
def logout(user):
    """Revoke this token."""
    service.logout(user, current_token())


@bp.op("/auth/bind", "POST", summary="使用邀请码绑定", body=schemas.BindSchema(),
       response=schemas.BindResultSchema(), auth="required", errors=(404, 409), limits=(login_limit,))
def bind(user, data):
    """Bind this account with a one-time invite code."""
    return service.bind(user, data["invite_code"])


@bp.op("/auth/totp/setup", "POST", summary="开始绑定动态口令", response=schemas.TotpSetupSchema(),
       auth="required", errors=(409,))
def totp_setup(user):
    """Start TOTP enrolment."""
    return service.totp_setup(user)


@bp.op("/auth/totp/enable", "POST", summary="确认动态口令", body=schemas.OtpSchema(),
       response=schemas.TotpEnabledSchema(), auth="required", errors=(409,))
def totp_enable(user, data):
    """Confirm TOTP enrolment."""
    return service.totp_enable(user, current_token(), data["otp"])


@bp.op("/me", summary="当前账号", response=schemas.UserSchema(), auth="required")
def me(user):
    """The account, its roles and scopes."""
    return user


@bp.op("/admin/users", summary="账号列表", query=schemas.UsersQuery(), response=schemas.UserSchema(),
       paginated=True, auth="required", errors=(403,))
def list_users(user, args):
    """List staff accounts."""
    return accounts.list_users(user, args["q"], args["limit"], args["cursor"])


@bp.op("/admin/users", "POST", summary="新建工作人员账号", body=schemas.CreateUserSchema(),
       response=schemas.UserSchema(), status=201, auth="required", errors=(403, 404))
def create_user(user, data):
    """Create a staff account."""
    return accounts.create_user(user, data)


@bp.op("/admin/users/<int:user_id>/grants", "POST", summary="授予角色（身份保管员、纪检监察干部须另一名管理员确认）",
       body=schemas.GrantSchema(), response=schemas.UserSchema(), status=201, auth="required",
       errors=(403, 404, 409))
def add_grant(user, user_id, data):
    """Grant a role on a scope; custodian and inspector grants stay pending until a second admin confirms."""
    return grants.add_grant(user, user_id, data)


@bp.op("/admin/grants/pending", summary="待确认的授权", query=PageQuery(), response=schemas.PendingGrantSchema(),
       paginated=True, auth="required", errors=(403,))
def pending_grants(user, args):
    """Grants awaiting a second admin's confirmation, within the caller's scope."""
    return grants.list_pending(user, args["limit"], args["cursor"])


@bp.op("/admin/grants/<int:grant_id>/confirm", "POST", summary="确认授权（须另一名管理员）",
       response=schemas.UserSchema(), auth="required", errors=(403, 404, 409))
def confirm_grant(user, grant_id):
    """Confirm a pending grant made by another admin."""
    return grants.confirm_grant(user, grant_id)


@bp.op("/admin/users/<int:user_id>/grants/<int:grant_id>", "DELETE", summary="撤销角色",
       response=schemas.UserSchema(), auth="required", errors=(403, 404))
def remove_grant(user, user_id, grant_id):
    """Revoke a role grant."""
    return grants.remove_grant(user, user_id, grant_id)


@bp.op("/admin/users/<int:user_id>/invites", "POST", summary="生成微信绑定邀请码",
       response=schemas.InviteSchema(), status=201, auth="required", errors=(403, 404))
def staff_invite(user, user_id):
    """Create a one-time invite code for binding WeChat to this staff account."""
    return accounts.staff_invite(user, user_id)
