"""Contact-point test helpers: regions outside 竹山县 and a registration call."""

import pytest

from app.extensions import db

COUNTY, BAOFENG, MAJIADU = "420323000000", "420323103000", "420323102000"
LONGJING, LUOJIAPO = "420323103211", "420323102203"
OTHER_COUNTY = "420322000000"


@pytest.fixture
def other_county(app, county):
    """A second county (郧西县) with no members, for out-of-scope checks."""
    from app.regions.models import Region

    with app.app_context():
        db.session.add(Region(code=OTHER_COUNTY, name="郧西县", display_name="郧西县", level="county"))
        db.session.commit()
    return OTHER_COUNTY


def member_body(**overrides):
    """A valid registration body."""
    return {"name": "张明华", "type": "contact_point", "layer": "farmer", "region_code": LONGJING,
            "phone": "13871000001", **overrides}


@pytest.fixture
def register(client):
    """POST /admin/contact-points with headers; asserts 201 and returns the body."""

    def factory(headers, **overrides):
        response = client.post("/api/v1/admin/contact-points", json=member_body(**overrides), headers=headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return factory
