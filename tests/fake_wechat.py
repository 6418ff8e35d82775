"""The tests' fake WeChat server is the development stand-in (app/wechat/standin.py): one implementation."""

from app.wechat.standin import APPID, SECRET, FakeWeChat, _png, start

__all__ = ["APPID", "SECRET", "FakeWeChat", "_png", "start_fake_wechat"]


def start_fake_wechat(app_url=None):
    """Start the stand-in on a free loopback port; returns the FakeWeChat state (call .stop())."""
    return start(0, app_url)
