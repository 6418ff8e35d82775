"""Accounts, roles and scopes, tokens, WeChat login, passwords and TOTP."""
