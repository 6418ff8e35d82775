"""Page-level permission checks, all through app.core.permissions (the API's module, never a copy)."""

from app.auth.current import current_user
from app.core.permissions import region_scopes, require
from app.errors import Forbidden


def staff(action, region_code=None, unit_id=None):
    """The current user, when allowed to perform action (on the region or unit); else 403."""
    user = current_user()
    require(user, action, region_code=region_code, unit_id=unit_id)
    return user


def everywhere(action, message):
    """The current user, when allowed to perform action without a scope limit (a global grant); else 403."""
    user = staff(action)
    if None not in region_scopes(user, action):
        raise Forbidden(message)
    return user
