"""The one permission module: which role may do what, and on which scope."""

import sqlalchemy as sa

from app.errors import Forbidden, Unauthorized

# action -> roles that may perform it (within the scope of their grant)
ACTIONS = {
    "disclosure.edit": {"publisher"},
    "disclosure.review": {"reviewer"},
    "disclosure.view_staff": {"publisher", "reviewer", "inspector", "admin"},
    "roster.edit": {"publisher", "admin"},
    "poster.view": {"publisher", "reviewer", "inspector", "admin"},
    "qr.batch": {"admin", "publisher"},
    "compliance.view": {"inspector", "admin", "reviewer"},
    "scans.view": {"inspector", "admin", "publisher", "reviewer"},
    "report.view": {"inspector"},
    "report.triage": {"inspector"},
    "report.enter": {"inspector", "admin"},
    "identity.request": {"inspector"},
    "identity.custody": {"custodian"},
    "audit.view": {"admin", "custodian"},
    "unit.respond": {"unit_handler"},
    "region.manage": {"admin"},
    "account.manage": {"admin"},
    "contact.manage": {"admin", "inspector"},
    "contact.view_phone": {"admin"},
    "stats.view": {"inspector", "admin"},
    "triage.recusal": {"admin"},
}

REGION_LEVEL_DIGITS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


def region_prefix(code):
    """The code prefix shared by a region's whole subtree (420323000000 -> '420323')."""
    code = (code or "").strip()
    if len(code) != 12 or not code.isdigit():
        return code
    for digits in (2, 4, 6, 9):
        if code[digits:] == "0" * (12 - digits):
            return code[:digits]
    return code


def in_subtree(scope_code, region_code):
    """Whether region_code lies in the subtree of scope_code (an empty scope contains nothing)."""
    prefix = region_prefix(scope_code)
    return bool(prefix) and bool(region_code) and region_code.startswith(prefix)


def _grants(user, action):
    roles = ACTIONS.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action}")
    if user is None:
        return []
    # a pending grant (awaiting a second admin's confirmation) confers nothing
    return [g for g in user.grants if g.role in roles and not getattr(g, "pending", False)]


def can(user, action, region_code=None, unit_id=None):
    """Whether user may perform action on region_code (a subtree check) or unit_id."""
    for grant in _grants(user, action):
        if grant.region_code is None and grant.unit_id is None:
            return True
        if region_code is not None and grant.region_code and in_subtree(grant.region_code, region_code):
            return True
        if unit_id is not None and grant.unit_id == unit_id:
            return True
        if region_code is None and unit_id is None:
            return True
    return False


def can_anywhere(user, action):
    """Whether user may perform action somewhere: any grant of it, whatever its region or unit."""
    return bool(_grants(user, action))


def require(user, action, region_code=None, unit_id=None):
    """Raise 401/403 unless can(...)."""
    if user is None:
        raise Unauthorized()
    if not can(user, action, region_code, unit_id):
        raise Forbidden()


def require_anywhere(user, action):
    """Raise 401/403 unless can_anywhere(user, action)."""
    require(user, action)


def region_scopes(user, action):
    """Region prefixes the user may act on for action; None in the list means everywhere."""
    scopes = []
    for grant in _grants(user, action):
        if grant.region_code is None and grant.unit_id is None:
            return [None]
        if grant.region_code:
            scopes.append(region_prefix(grant.region_code))
    return scopes


def in_scopes(code, scopes):
    """Whether a region code lies under one of the prefixes of region_scopes (None: everywhere)."""
    return None in scopes or any(code.startswith(p) for p in scopes if p)


def scope_filter(column, scopes):
    """SQL: column (a region code) lies under one of the prefixes of region_scopes; None: true, none: false."""
    if None in scopes:
        return sa.true()
    return sa.or_(sa.false(), *(column.startswith(p, autoescape=True) for p in scopes))


def scoped(stmt, column, user, action):
    """stmt narrowed to the rows whose column lies in the user's region scopes for action."""
    scopes = region_scopes(user, action)
    return stmt if None in scopes else stmt.where(scope_filter(column, scopes))


def narrow_scopes(scopes, region_code):
    """The part of the scopes within region_code's subtree, as prefixes: [its prefix] when a scope covers it, else
    the deeper scopes under it (empty: none reaches it)."""
    wanted = region_prefix(region_code)
    if any(p is None or wanted.startswith(p) for p in scopes):
        return [wanted]
    return sorted(p for p in scopes if p.startswith(wanted))


def deepest_scope(scopes, region_code):
    """The longest prefix among the scopes that covers region_code (a global scope has none), or None."""
    covering = [p for p in scopes if p is not None and region_code.startswith(p)]
    return max(covering, key=len, default=None)


def unit_scopes(user, action):
    """Unit ids the user may act for under action."""
    return sorted({g.unit_id for g in _grants(user, action) if g.unit_id is not None})


def roles_of(user):
    """The distinct role names a user holds (resident for everyone logged in)."""
    if user is None:
        return set()
    return {"resident"} | {g.role for g in user.grants}
