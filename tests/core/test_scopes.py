"""The one region-scope filter (SQL and in memory) and the explicit "anywhere" checks of the permission module."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.core.permissions import (
    can_anywhere,
    deepest_scope,
    in_scopes,
    narrow_scopes,
    region_scopes,
    require_anywhere,
    scope_filter,
    scoped,
)
from app.errors import Forbidden, Unauthorized
from app.extensions import db
from app.regions.models import Region

COUNTY, BAOFENG, LONGJING, LUOJIAPO = "420323000000", "420323103000", "420323103211", "420323102203"


def user(*grants):
    """A stand-in user: grants of (role, region_code, unit_id)."""
    return SimpleNamespace(grants=[SimpleNamespace(role=r, region_code=c, unit_id=u)
                                   for r, c, u in ((tuple(g) + (None, None))[:3] for g in grants)])


def _village_codes(condition):
    stmt = sa.select(Region.code).where(Region.level == "village", condition)
    return set(db.session.scalars(stmt))


def test_can_anywhere_is_any_grant_of_the_action():
    assert can_anywhere(user(("inspector", BAOFENG)), "report.view")
    assert can_anywhere(user(("unit_handler", None, 7)), "unit.respond")
    assert can_anywhere(user(("admin",)), "region.manage")
    assert not can_anywhere(user(("publisher", LONGJING)), "report.view")
    assert not can_anywhere(None, "report.view")
    pending = user(("inspector", BAOFENG))
    pending.grants[0].pending = True
    assert not can_anywhere(pending, "report.view")
    with pytest.raises(KeyError):
        can_anywhere(user(), "no.such.action")


def test_require_anywhere_answers_401_then_403():
    require_anywhere(user(("inspector", BAOFENG)), "report.triage")
    with pytest.raises(Unauthorized):
        require_anywhere(None, "report.triage")
    with pytest.raises(Forbidden):
        require_anywhere(user(("publisher", LONGJING)), "report.triage")


@pytest.mark.parametrize("code, scopes, inside", [
    (LONGJING, [None], True),
    (LONGJING, ["420323103"], True),
    (LUOJIAPO, ["420323103"], False),
    (LUOJIAPO, ["420323103", "420323102"], True),
    (LONGJING, [], False),
])
def test_in_scopes(code, scopes, inside):
    assert in_scopes(code, scopes) is inside


def test_scope_filter_in_sql(app, county):
    with app.app_context():
        everywhere = _village_codes(sa.true())
        baofeng = _village_codes(scope_filter(Region.code, ["420323103"]))
        assert LONGJING in baofeng and LUOJIAPO not in baofeng and baofeng < everywhere
        assert all(code.startswith("420323103") for code in baofeng)
        two = _village_codes(scope_filter(Region.code, ["420323103", "420323102"]))
        assert two == baofeng | _village_codes(scope_filter(Region.code, ["420323102"])) and LUOJIAPO in two
        assert _village_codes(scope_filter(Region.code, [None])) == everywhere
        assert _village_codes(scope_filter(Region.code, [])) == set()  # no scope: nothing, never everything
        assert _village_codes(scope_filter(Region.code, ["4203231_%"])) == set()  # LIKE wildcards are escaped


def test_scoped_narrows_a_select_by_the_users_grants(app, county):
    inspector, admin = user(("inspector", BAOFENG)), user(("admin",))
    with app.app_context():
        stmt = sa.select(Region.code).where(Region.level == "village")
        mine = set(db.session.scalars(scoped(stmt, Region.code, inspector, "report.triage")))
        assert LONGJING in mine and LUOJIAPO not in mine
        assert scoped(stmt, Region.code, admin, "region.manage") is stmt  # everywhere: the select unchanged
        assert set(db.session.scalars(scoped(stmt, Region.code, inspector, "region.manage"))) == set()


def test_narrow_scopes_to_an_asked_region():
    assert narrow_scopes([None], BAOFENG) == ["420323103"]
    assert narrow_scopes(["420323"], BAOFENG) == ["420323103"]
    assert narrow_scopes(["420323103211", "420323103212", "420323102"], BAOFENG) == ["420323103211", "420323103212"]
    assert narrow_scopes(["420323102"], BAOFENG) == []
    assert narrow_scopes(region_scopes(user(("inspector", BAOFENG)), "compliance.view"), COUNTY) == ["420323103"]


def test_deepest_scope_is_the_longest_covering_prefix():
    assert deepest_scope(["420323", "420323103", "420323102"], LONGJING) == "420323103"
    assert deepest_scope([None, "420323"], LONGJING) == "420323"
    assert deepest_scope([None], LONGJING) is None and deepest_scope(["420323102"], LONGJING) is None
