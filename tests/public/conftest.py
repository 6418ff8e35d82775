"""Fixtures of the H5 page tests: the demo county with its rosters and published demo disclosures."""

import pytest


@pytest.fixture
def demo_county(app):
    """The demo county, rosters, accounts and both demo villages' published disclosures."""
    seed_demo(app)


def seed_demo(app):
    """Seed the demo county, rosters, accounts and both demo villages' published disclosures."""
    from app.demo.seed import seed_accounts, seed_regions, seed_rosters, seed_units
    from app.disclosures.demo import seed_disclosures

    with app.app_context():
        seed_regions()
        seed_units()
        seed_rosters()
        seed_accounts()
        seed_disclosures(lambda *args: None)


def disclosure_ids(app, village_code):
    """{kind: id} of a village's published disclosures."""
    import sqlalchemy as sa

    from app.disclosures.models import Disclosure
    from app.extensions import db

    with app.app_context():
        rows = db.session.execute(sa.select(Disclosure.kind, Disclosure.id).where(
            Disclosure.village_code == village_code))
        return dict(rows.all())
