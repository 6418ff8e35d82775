"""The console's navigation registry: entries contributed by view modules, shown by permission."""

from dataclasses import dataclass

from flask import current_app

from app.core.permissions import can_anywhere

NAV_KEY = "mss_console_nav"
# Sections in display order; a section not listed here is shown after these.
SECTIONS = ("公开与审核", "监督执纪", "单位整改", "身份保管与审计", "系统管理")


@dataclass(frozen=True)
class NavEntry:
    """One link of the left navigation and the dashboard: shown when can_anywhere(user, action) holds."""

    label: str
    endpoint: str
    action: str | None  # None: every logged-in staff member
    section: str
    description: str = ""
    order: int = 100


def add_nav(app, *entries):
    """Add entries to app.extensions["mss_console_nav"] (once per endpoint)."""
    registry = app.extensions.setdefault(NAV_KEY, [])
    known = {entry.endpoint for entry in registry}
    for entry in entries:
        if entry.endpoint not in known:
            registry.append(entry)
            known.add(entry.endpoint)


def visible_nav(user):
    """[(section, [entries])] the user's roles allow, in section and entry order."""
    if user is None:
        return []
    entries = [e for e in current_app.extensions.get(NAV_KEY, []) if e.action is None or can_anywhere(user, e.action)]
    if not user.is_staff:
        entries = []
    rank = {name: index for index, name in enumerate(SECTIONS)}
    sections = {}
    for entry in sorted(entries, key=lambda e: (rank.get(e.section, len(SECTIONS)), e.section, e.order, e.label)):
        sections.setdefault(entry.section, []).append(entry)
    return list(sections.items())
