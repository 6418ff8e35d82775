"""Start-up wiring of the regions domain: the accounts domain looks regions and units up through it."""


def find_unit(unit_id):
    """A unit by id, or None."""
    from app.extensions import db
    from app.regions.models import Unit

    return db.session.get(Unit, unit_id) if unit_id is not None else None


def find_region(code):
    """A region by code, or None."""
    from app.extensions import db
    from app.regions.models import Region

    return db.session.get(Region, code) if code else None


def unit_region_sql(unit_id_column):
    """SQL: the region code of the unit whose id is in the column."""
    import sqlalchemy as sa

    from app.regions.models import Unit

    return sa.select(Unit.region_code).where(Unit.id == unit_id_column).scalar_subquery()


def register(app):
    """Offer the lookups to the accounts domain (grants and account units name regions and units)."""
    app.extensions["mss_scope_directory"] = {"unit": find_unit, "region": find_region,
                                             "unit_region_sql": unit_region_sql}
