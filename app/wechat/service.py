"""WeChat calls the domains use: login, mini-program codes, subscribe messages, text check."""

from app.errors import BadRequest, ServiceUnavailable, TooManyRequests
from app.wechat.client import WeChatError, get_client

LOGIN_ERRORS = {
    40029: (BadRequest, "invalid_code", "微信登录凭证无效或已过期，请重新进入小程序"),
    40163: (BadRequest, "invalid_code", "微信登录凭证已被使用，请重新进入小程序"),
    45011: (TooManyRequests, "wechat_rate_limited", "登录过于频繁，请稍后再试"),
    40226: (BadRequest, "wechat_blocked", "该微信账号存在风险，暂时无法登录"),
}


def code_to_session(js_code):
    """Exchange a wx.login() code for {openid, unionid?, session_key}."""
    client = get_client()
    try:
        result = client.code_to_session(js_code)
    except WeChatError as err:
        fallback = (ServiceUnavailable, "wechat_error", "微信登录失败，请稍后重试")
        cls, code, message = LOGIN_ERRORS.get(err.errcode, fallback)
        headers = {"Retry-After": "60"} if cls is TooManyRequests else None
        raise cls(message, code=code, headers=headers) from None
    if not result.get("openid"):
        raise ServiceUnavailable("微信登录失败，请稍后重试", code="wechat_error")
    return result


def wxacode_unlimited(scene, page=None, width=430):
    """Fetch a mini-program code image (bytes) for a scene of at most 32 visible characters."""
    if not scene or len(scene) > 32:
        raise BadRequest("小程序码场景值不能超过 32 个字符")
    client = get_client()
    try:
        content = client.wxacode_unlimited(scene, page=page, width=width)
    except WeChatError as err:
        raise ServiceUnavailable(f"微信小程序码生成失败（{err.errcode}）", code="wechat_error") from None
    if not content or not content.startswith(b"\x89PNG") and not content.startswith(b"\xff\xd8"):
        raise ServiceUnavailable("微信小程序码生成失败", code="wechat_error")
    return content


def send_subscribe_message(openid, template_id, data, page=None):
    """Send a subscribe message; WeChat errors are raised as WeChatError (errcode kept)."""
    return get_client().send_subscribe_message(openid, template_id, data, page=page)


def text_is_risky(content, openid=None, scene=2):
    """msgSecCheck v2: True when WeChat suggests review or risky; None when it cannot tell."""
    client = get_client()
    payload = {"content": content[:2500], "version": 2, "scene": scene}
    if openid:
        payload["openid"] = openid
    try:
        result = client.msg_sec_check(payload)
    except (WeChatError, ServiceUnavailable):
        return None
    suggest = (result.get("result") or {}).get("suggest")
    return None if suggest is None else suggest != "pass"
