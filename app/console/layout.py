"""Layout helpers: labels in Chinese, template context, rendering and the console's error pages."""

import json

from flask import make_response, redirect, render_template, url_for

from app.auth.current import current_user
from app.console.csrf import csrf_token
from app.console.nav import visible_nav
from app.core.timeutil import to_cst
from app.errors import DomainError, Unauthorized
from app.extensions import db

ROLE_LABELS = {
    "resident": "群众", "publisher": "村务公开员", "reviewer": "村务监督委员会", "inspector": "纪检监察干部",
    "custodian": "身份保管员", "unit_handler": "单位经办人", "admin": "系统管理员",
}
LEVEL_LABELS = {
    "province": "省", "city": "市", "county": "县（区）", "township": "乡镇（街道）", "village": "村（社区）",
}
# Audit actions in words; actions not listed are shown by their code alone.
ACTION_LABELS = {
    "auth.login": "登录", "auth.login_failed": "登录失败", "auth.logout": "退出登录",
    "auth.console_idle_logout": "超时退出", "auth.totp_enabled": "启用动态口令", "auth.bind": "绑定微信",
    "auth.resident_created": "新群众账号", "account.create": "新建账号", "account.grant": "授予角色",
    "account.revoke": "撤销角色", "account.invite": "生成邀请码", "account.grant_requested": "提交授权（待确认）",
    "account.grant_confirmed": "确认授权", "account.grant_withdrawn": "撤回待确认授权",
    "account.disable_demo": "停用演示账号",
    "region.import": "导入区划", "unit.create": "新建单位", "roster.replace": "更新村干部名单",
    # reports, triage, casework, custody, contacts, files
    "report.enter": "代录反映", "report.view": "查看反映", "report.identity_view": "查看实名身份",
    "report.accept": "受理", "report.refuse": "不予受理", "report.merge": "合并", "report.assign": "交办",
    "report.hold": "暂缓办理", "report.resume": "恢复办理", "report.conclude": "办结", "report.close": "归档",
    "report.reopen": "重新办理", "report.respond": "单位反馈", "report.message": "留言或备注",
    "report.dispute": "反映人提出异议", "identity.request": "申请查看身份", "identity.approve": "批准查看身份",
    "identity.deny": "驳回查看身份", "case.create": "合并为问题", "case.add_reports": "并入问题",
    "case.conclude": "办结问题", "warning.create": "发出预警", "warning.respond": "反馈预警整改",
    "triage.recusal_add": "设置回避", "triage.recusal_remove": "取消回避", "upload.view": "查看附件",
    "contact.create": "登记联系点成员", "contact.import": "导入联系点名单", "contact.invite": "生成联系点邀请码",
    "contact.deactivate": "停用联系点成员", "contact.bind": "联系点成员绑定微信",
    "roster.link": "公示人员关联账号", "report.conflict_moved": "因利益冲突移出经办人",
    "report.conflict_shared": "合并后同步利益冲突", "report.conflict_clear": "排除误匹配",
    "report.conflict_added": "新授权或关联后补记利益冲突",
}
UNIT_KIND_LABELS = {"department": "职能部门", "township_gov": "乡镇政府", "commission": "纪委监委"}


def fmt_time(value, with_seconds=False):
    """A datetime as China Standard Time, e.g. 2026-05-01 14:03."""
    if value is None:
        return "—"
    return to_cst(value).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def scope_label(grant):
    """Where a role grant applies, in words: a region's name, a unit's name, or 全域."""
    from app.regions.models import Region, Unit

    if grant.unit_id is not None:
        unit = db.session.get(Unit, grant.unit_id)
        return unit.name if unit else f"单位 #{grant.unit_id}"
    if grant.region_code:
        region = db.session.get(Region, grant.region_code)
        if region is None:
            return grant.region_code
        if region.level == "village" and region.parent is not None:
            return region.parent.display_name + region.display_name  # 宝丰镇龙井村: village names repeat
        return region.display_name
    return "全域"


def role_summary(user):
    """The user's staff roles as Chinese labels, without duplicates."""
    roles = sorted({g.role for g in user.grants}, key=list(ROLE_LABELS).index) if user else []
    return [ROLE_LABELS.get(role, role) for role in roles]


def compact_json(value, limit=300):
    """A short one-line JSON rendering for tables (escaped by the template like any text)."""
    if value in (None, {}, []):
        return ""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def template_context():
    """Variables every console template sees."""
    try:
        user = current_user()
    except DomainError:  # an error page for a request whose credentials were refused
        user = None
    return {
        "console_user": user, "nav_sections": visible_nav(user), "csrf_token": csrf_token,
        "role_labels": ROLE_LABELS, "action_labels": ACTION_LABELS, "level_labels": LEVEL_LABELS,
        "unit_kind_labels": UNIT_KIND_LABELS,
        "fmt_time": fmt_time, "scope_label": scope_label, "role_summary": role_summary, "compact_json": compact_json,
    }


def render(template, status=200, headers=None, **context):
    """Render a console template with its status; pages behind login are never cached."""
    response = make_response(render_template(f"console/{template}", **context), status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def no_store(response):
    """Keep console pages out of shared and browser caches (they show personal and internal data)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Pragma", "no-cache")
    return response


def split_errors(errors, placed):
    """Field errors shown next to their fields vs. the rest, shown above the form."""
    general = []
    for key, messages in (errors or {}).items():
        if key not in placed:
            general.extend(messages if isinstance(messages, list) else [str(messages)])
    return general


def domain_error_page(err):
    """Render a service error inside the console layout (login page for 401)."""
    if isinstance(err, Unauthorized):
        return redirect(url_for("console.login"))
    return render("error.html", status=err.status, headers=err.headers, message=err.message, code=err.code)


def rate_limited_page(err):
    """The console's page for a 429 from the rate limiter."""
    return render("error.html", status=429, headers={"Retry-After": "60"}, message="操作过于频繁，请稍后再试",
                  code="rate_limited")
