"""Demo contact-point members and informants in 竹山县 (idempotent), for `flask demo seed`."""

import sqlalchemy as sa

from app.auth.models import User, WechatIdentity
from app.contacts import service
from app.contacts.layers import LAYERS, TYPES
from app.contacts.models import ContactMember
from app.core.timeutil import utcnow
from app.extensions import db
from app.regions.models import Region

# (name, type, layer, region code, phone) — phone numbers in a range no real subscriber holds in the demo
DEMO_MEMBERS = [
    ("王德福", "contact_point", "farmer", "420323103211", "13900000001"),
    ("陈秀英", "contact_point", "retired_cadre", "420323102203", "13900000002"),
    ("刘建国", "contact_point", "self_employed", "420323103000", "13900000003"),
    ("周海燕", "contact_point", "official", "420323000000", "13900000004"),
    ("赵志强", "informant", None, "420323103211", "13900000005"),
    ("孙玉兰", "informant", "community", "420323102000", "13900000006"),
]
# The demo resident the first member is bound to, when the demo data has one.
DEMO_RESIDENT_USERNAME = "resident"
DEMO_RESIDENT_OPENID = "demo-resident"


def demo_resident():
    """The demo resident account (username `resident` or WeChat openid `demo-resident`), or None."""
    user = db.session.scalar(sa.select(User).where(User.username == DEMO_RESIDENT_USERNAME))
    if user is None:
        user = db.session.scalar(sa.select(User).join(WechatIdentity).where(
            WechatIdentity.openid == DEMO_RESIDENT_OPENID))
    return user if user is not None and not user.is_staff else None


def seed_members(echo=print):
    """Register the demo members that are missing; print a fresh invite code for every unbound one."""
    if db.session.get(Region, "420323000000") is None:
        return
    resident = demo_resident()
    lines = []
    for index, (name, kind, layer, code, phone) in enumerate(DEMO_MEMBERS):
        key = service.phone_key(phone)
        member = db.session.scalar(sa.select(ContactMember).where(ContactMember.phone_key == key,
                                                                  ContactMember.is_active.is_(True)))
        if member is None:
            region = db.session.get(Region, code)
            member = service.new_member({"name": name, "type": kind, "layer": layer, "phone": phone}, region)
            db.session.add(member)
            db.session.flush()
        if index == 0 and resident is not None and member.user_id is None:
            member.user_id, member.bound_at = resident.id, utcnow()
        label = f"{name}（{TYPES[kind]}{'·' + LAYERS[layer] if layer else ''}）"
        if member.user_id is not None:
            lines.append(f"  {label}：已绑定演示群众账号")
        else:
            invite_code, _ = service.issue_invite(member, None)
            lines.append(f"  {label}：邀请码 {invite_code}")
    db.session.commit()
    echo(f"联系点成员与信访情报员：{len(DEMO_MEMBERS)} 名")
    for line in lines:
        echo(line)
