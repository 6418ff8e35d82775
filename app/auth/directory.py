"""Where a grant's region and unit are: asked of the regions domain, which sits above accounts in the layer order
and registers its lookups at start-up (app.regions.hooks), so this package never imports it."""

from flask import current_app


def _directory():
    return current_app.extensions["mss_scope_directory"]


def find_unit(unit_id):
    """The unit (with .name, .region_code, .is_active) of an id, or None."""
    return _directory()["unit"](unit_id)


def find_region(code):
    """The region (with .name, .display_name, .level) of a 12-digit code, or None."""
    return _directory()["region"](code)


def unit_region_sql(unit_id_column):
    """SQL: the region code of the unit in a column (a scalar subquery)."""
    return _directory()["unit_region_sql"](unit_id_column)
