"""The stand-in's development pages: type a login code and get a token (through the app's real
POST /api/v1/auth/wechat), and see the subscribe messages the app sent."""

import json
import time
from html import escape

PREFIX = "/dev/wechat/"

_STYLE = """body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
color:#222}h1{font-size:1.4rem}.note{background:#fff6d6;padding:.6rem .8rem;border-radius:6px}
input{font-size:1rem;padding:.3rem}pre{background:#f4f4f4;padding:.6rem;overflow-x:auto;white-space:pre-wrap;
word-break:break-all}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;
text-align:left;vertical-align:top}nav a{margin-right:1rem}.error{color:#b00020}"""


def _page(title, body, status=200):
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>"
            f'<nav><a href="{PREFIX}">登录</a><a href="{PREFIX}messages">订阅消息</a></nav>'
            f'<h1>{escape(title)}</h1><p class="note">开发专用的微信替身，不是真实的微信服务；生产环境拒绝使用。</p>'
            f"{body}</body></html>")
    return status, "text/html; charset=utf-8", html.encode("utf-8")


def _login_form(state, code=""):
    return (f'<form method="post" action="{PREFIX}login">'
            f'<p>输入一个登录凭证（相当于小程序里 wx.login() 得到的 code）。同一个凭证总是同一位群众；'
            f"以 bad 开头模拟无效凭证，以 busy 开头模拟微信限流。</p>"
            f'<p><label>登录凭证 <input name="code" required maxlength="64" value="{escape(code)}" '
            f'placeholder="例如 zhangsan"></label> <button type="submit">以群众身份登录</button></p></form>'
            f"<p>登录请求发往 {escape(state.app_url or '（未设置 --app-url）')}/api/v1/auth/wechat。</p>")


def _index(state):
    return _page("微信登录（开发替身）", _login_form(state))


def _login(state, code):
    import requests

    code = (code or "").strip()
    if not code:
        return _page("微信登录（开发替身）", '<p class="error">请输入登录凭证</p>' + _login_form(state), 400)
    url = f"{state.app_url}/api/v1/auth/wechat"
    try:
        res = requests.post(url, json={"code": code}, timeout=10)
        body = res.json()
    except (requests.RequestException, ValueError):
        failed = f'<p class="error">无法连接应用 {escape(url)}，请确认 make run 已启动</p>'
        return _page("微信登录（开发替身）", failed + _login_form(state, code), 502)
    if res.status_code != 200:
        error = (body.get("error") or {}) if isinstance(body, dict) else {}
        failed = f'<p class="error">登录失败（{res.status_code}）：{escape(str(error.get("message", "")))}</p>'
        return _page("微信登录（开发替身）", failed + _login_form(state, code), res.status_code)
    token, user = body["token"], body.get("user") or {}
    base = escape(state.app_url)
    shown = (f"<p>已登录：账号 {escape(str(user.get('id')))}，角色 {escape('、'.join(user.get('roles') or []))}，"
             f"有效期至 {escape(str(body.get('expires_at')))}。</p>"
             f'<p>令牌（Bearer token），复制后用于下面的请求：</p><pre id="token">{escape(token)}</pre>'
             f"<p>查看自己的账号：</p><pre>curl -s {base}/api/v1/me -H 'Authorization: Bearer {escape(token)}'</pre>"
             f"<p>用邀请码绑定为千人联系点成员：</p><pre>curl -s -X POST {base}/api/v1/auth/bind "
             f"-H 'Authorization: Bearer {escape(token)}' -H 'Content-Type: application/json' "
             f"-d '{{\"invite_code\": \"邀请码\"}}'</pre>")
    return _page("登录成功", shown + "<hr>" + _login_form(state))


def _messages(state):
    rows = "".join(
        f"<tr><td>{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(m['at']))}</td>"
        f"<td>{escape(m.get('code') or '')}<br><small>{escape(str(m.get('touser')))}</small></td>"
        f"<td>{escape(str(m.get('template_id')))}<br><small>{escape(str(m.get('page') or ''))}</small></td>"
        f"<td><pre>{escape(json.dumps(m.get('data'), ensure_ascii=False, indent=1))}</pre></td></tr>"
        for m in state.messages())
    table = ("<table><tr><th>时间</th><th>接收人（登录凭证 / openid）</th><th>模板 / 页面</th><th>内容</th></tr>"
             f"{rows}</table>") if rows else "<p>还没有收到订阅消息。提交一条实名反映后，这里会出现进展通知。</p>"
    return _page("订阅消息（开发替身收到的）", table)


def answer(state, method, path, params):
    """The (status, content type, bytes) of a development page."""
    if path in (PREFIX, PREFIX.rstrip("/")) and method == "GET":
        return _index(state)
    if path == PREFIX + "login" and method == "POST":
        return _login(state, params.get("code"))
    if path == PREFIX + "messages" and method == "GET":
        return _messages(state)
    if path == PREFIX + "messages.json" and method == "GET":
        return 200, "application/json", json.dumps(state.messages(), ensure_ascii=False).encode("utf-8")
    return _page("页面不存在", f'<p><a href="{PREFIX}">返回登录页</a></p>', 404)
