"""`flask demo seed` adds demo members in 竹山县, prints their invite codes, and binds the demo resident."""

import re

import sqlalchemy as sa

from app.auth.models import User, WechatIdentity
from app.contacts.demo import DEMO_MEMBERS
from app.contacts.models import ContactMember
from app.extensions import db


def test_demo_members_are_seeded_once_with_printed_codes(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert f"联系点成员与信访情报员：{len(DEMO_MEMBERS)} 名" in first.output
    codes = re.findall(r"邀请码 ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", first.output)
    assert len(codes) == len(DEMO_MEMBERS)
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactMember)) == len(DEMO_MEMBERS)


def test_the_demo_resident_is_bound_to_the_first_member(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        resident = User(display_name="演示群众")
        db.session.add(resident)
        db.session.flush()
        db.session.add(WechatIdentity(openid="demo-resident", user_id=resident.id))
        db.session.commit()
        resident_id = resident.id
    again = runner.invoke(args=["demo", "seed"])
    assert "已绑定演示群众账号" in again.output
    with app.app_context():
        first = db.session.scalar(sa.select(ContactMember).order_by(ContactMember.id))
        assert first.user_id == resident_id and first.layer == "farmer"
