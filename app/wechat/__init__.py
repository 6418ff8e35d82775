"""The one place that talks to WeChat, through wechatpy."""
