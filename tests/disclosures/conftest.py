"""Fixtures of the disclosure tests: the demo county and staff of two villages."""

from types import SimpleNamespace

import pytest

from tests.disclosures.factories import BAOFENG, LONGJING, LUOJIAPO


@pytest.fixture
def staff(county, make_user, token_for):
    """Bearer headers: publisher/reviewer of 龙井村, publisher of 罗家坡村, a resident, an inspector, an admin."""
    ids = SimpleNamespace(
        publisher=make_user(("publisher", LONGJING)), reviewer=make_user(("reviewer", LONGJING)),
        other_publisher=make_user(("publisher", LUOJIAPO)), other_reviewer=make_user(("reviewer", LUOJIAPO)),
        resident=make_user(), inspector=make_user(("inspector", BAOFENG)), admin=make_user(("admin",)),
        both=make_user(("publisher", LONGJING), ("reviewer", LONGJING)),
    )
    return SimpleNamespace(ids=ids, **{name: token_for(uid) for name, uid in vars(ids).items()})
