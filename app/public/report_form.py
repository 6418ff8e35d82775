"""What the H5 report form offers beyond the text: whom the report is about (roster people, units of the county)
and what the receipt page promises (the time limits of app/triage/deadlines.py)."""

import sqlalchemy as sa

from app.core.permissions import region_prefix
from app.extensions import db
from app.regions.models import Unit


def county_units(county_code):
    """Active units of the county (its departments first, then the township governments), for the unit picker."""
    if not county_code:
        return []
    stmt = (sa.select(Unit).where(Unit.is_active.is_(True),
                                  Unit.region_code.startswith(region_prefix(county_code), autoescape=True))
            .order_by(Unit.region_code, Unit.name))
    return [{"id": unit.id, "name": unit.name} for unit in db.session.scalars(stmt)]


def roster_people(cadres):
    """The village's public roster as picker options: id, name and post."""
    return [{"id": c.id, "label": f"{c.name}（{c.post}）" if c.post else c.name} for c in cadres]


def promises():
    """The answer times the receipt page states, from the triage settings (working days unless said)."""
    from app.triage.deadlines import accept_days, setting

    return {"accept_anonymous": accept_days(True), "accept_real_name": accept_days(False),
            "conclude": setting("TRIAGE_CONCLUDE_DAYS", 90), "result_notice": setting("TRIAGE_RESULT_NOTICE_DAYS", 15),
            "dispute": setting("REPORT_DISPUTE_DAYS", 30)}


def form_context(profile):
    """Template values of the report form for a village profile."""
    county = profile.get("county")
    return {"roster": roster_people(profile["cadres"]), "units": county_units(county.code if county else None),
            "promise": promises()}
