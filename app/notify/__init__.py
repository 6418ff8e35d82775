"""Notification outbox and its dispatcher (WeChat subscribe messages)."""
