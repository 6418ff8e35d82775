"""Schema comparison helpers shared by migrations/env.py and the migration test."""


def ddl_applies(obj, dialect_name):
    """Whether a table/index declared with .ddl_if(dialect=...) exists on this dialect (Alembic ignores ddl_if)."""
    condition = getattr(obj, "_ddl_if", None)
    if condition is None or condition.dialect is None:
        return True
    dialects = (condition.dialect,) if isinstance(condition.dialect, str) else tuple(condition.dialect)
    return dialect_name in dialects


def include_object_for(dialect_name):
    """An Alembic include_object hook that skips objects not created on dialect_name."""

    def include_object(obj, name, type_, reflected, compare_to):
        return reflected or ddl_applies(obj, dialect_name)

    return include_object
