"""The permission module: region prefixes, subtrees, can/require/region_scopes/unit_scopes."""

from types import SimpleNamespace

import pytest

from app.core.permissions import (
    ACTIONS,
    REGION_LEVEL_DIGITS,
    can,
    in_subtree,
    region_prefix,
    region_scopes,
    require,
    roles_of,
    unit_scopes,
)
from app.errors import Forbidden, Unauthorized

COUNTY, BAOFENG, LONGJING, LUOJIAPO = "420323000000", "420323103000", "420323103211", "420323102203"
OTHER_COUNTY = "420322000000"


def user(*grants):
    """A stand-in user: grants of (role, region_code, unit_id)."""
    return SimpleNamespace(grants=[SimpleNamespace(role=r, region_code=c, unit_id=u)
                                   for r, c, u in ((tuple(g) + (None, None))[:3] for g in grants)])


@pytest.mark.parametrize("code, prefix", [
    ("420000000000", "42"),          # province
    ("420300000000", "4203"),        # city
    ("420323000000", "420323"),      # county
    ("420323103000", "420323103"),   # township
    ("420323100000", "420323100"),   # township whose number ends in 0
    ("420323103211", "420323103211"),  # village
    ("420323103200", "420323103200"),  # village whose number ends in 00
    (" 420323000000 ", "420323"),
    ("4203", "4203"),                # not a 12-digit code: unchanged
    ("", ""),
    (None, ""),
])
def test_region_prefix(code, prefix):
    assert region_prefix(code) == prefix


def test_prefix_lengths_match_levels():
    assert REGION_LEVEL_DIGITS == {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


@pytest.mark.parametrize("scope, code, inside", [
    (COUNTY, LONGJING, True),
    (COUNTY, BAOFENG, True),
    (COUNTY, COUNTY, True),
    (BAOFENG, LONGJING, True),
    (BAOFENG, LUOJIAPO, False),
    (LONGJING, LONGJING, True),
    (LONGJING, BAOFENG, False),
    (OTHER_COUNTY, LONGJING, False),
    ("420000000000", LONGJING, True),
    (COUNTY, None, False),
    (COUNTY, "", False),
    ("", LONGJING, False),  # an empty scope contains nothing
    (None, LONGJING, False),
])
def test_in_subtree(scope, code, inside):
    assert in_subtree(scope, code) is inside


def test_region_grant_covers_its_subtree_only():
    publisher = user(("publisher", BAOFENG))
    assert can(publisher, "disclosure.edit", region_code=LONGJING)
    assert can(publisher, "disclosure.edit", region_code=BAOFENG)
    assert not can(publisher, "disclosure.edit", region_code=LUOJIAPO)
    assert not can(publisher, "disclosure.edit", region_code=COUNTY)
    assert not can(publisher, "disclosure.review", region_code=LONGJING)  # wrong role for the action
    assert can(publisher, "disclosure.edit")  # "somewhere": no scope asked


def test_global_grant_covers_everything():
    admin = user(("admin",))
    assert can(admin, "region.manage", region_code=LONGJING)
    assert can(admin, "region.manage", region_code=OTHER_COUNTY)
    assert can(admin, "account.manage", unit_id=7)
    assert region_scopes(admin, "region.manage") == [None]


def test_unit_grant_covers_its_unit_only():
    handler = user(("unit_handler", None, 7))
    assert can(handler, "unit.respond", unit_id=7)
    assert not can(handler, "unit.respond", unit_id=8)
    assert not can(handler, "unit.respond", region_code=COUNTY)
    assert unit_scopes(handler, "unit.respond") == [7]
    assert region_scopes(handler, "unit.respond") == []


def test_region_scopes_lists_prefixes():
    inspector = user(("inspector", BAOFENG), ("inspector", LUOJIAPO), ("publisher", COUNTY))
    assert region_scopes(inspector, "report.view") == ["420323103", LUOJIAPO]
    assert region_scopes(inspector, "identity.custody") == []
    assert region_scopes(None, "report.view") == []
    assert region_scopes(user(("inspector", COUNTY), ("inspector",)), "report.view") == [None]


def test_unit_scopes_are_sorted_and_distinct():
    handler = user(("unit_handler", None, 9), ("unit_handler", None, 3), ("unit_handler", None, 9))
    assert unit_scopes(handler, "unit.respond") == [3, 9]


def test_require_raises_401_then_403():
    with pytest.raises(Unauthorized):
        require(None, "roster.edit", region_code=LONGJING)
    with pytest.raises(Forbidden):
        require(user(("publisher", LUOJIAPO)), "roster.edit", region_code=LONGJING)
    with pytest.raises(Forbidden):
        require(user(), "roster.edit")
    require(user(("publisher", LONGJING)), "roster.edit", region_code=LONGJING)


def test_nobody_and_unknown_actions():
    assert not can(None, "audit.view")
    assert not can(user(), "audit.view")
    with pytest.raises(KeyError):
        can(user(("admin",)), "no.such.action")


def test_actions_name_known_roles():
    from app.auth.models import ROLES

    for action, roles in ACTIONS.items():
        assert roles <= set(ROLES), action
    assert ACTIONS["identity.custody"] == {"custodian"}
    assert "publisher" not in ACTIONS["report.view"] and "reviewer" not in ACTIONS["report.view"]


def test_roles_of():
    assert roles_of(None) == set()
    assert roles_of(user()) == {"resident"}
    assert roles_of(user(("publisher", LONGJING), ("reviewer", LONGJING))) == {"resident", "publisher", "reviewer"}
