"""Contact-point rules: register, list, invite, deactivate, bind and the membership of an account."""

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.auth import tokens
from app.auth.models import Invite
from app.contacts.layers import LEVELS, TYPES, layer_label
from app.contacts.models import ContactMember
from app.contacts.schemas import normalise_phone
from app.core.pagination import Page, keyset_page
from app.core.permissions import can, region_prefix, require, require_anywhere, scoped
from app.core.timeutil import utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.extensions import db
from app.regions.models import Region
from app.security.crypto import keyed_hash
from app.security.masking import mask_phone
from app.security.service import audit

INVITE_PURPOSE = "contact_point"


def phone_key(phone):
    """The keyed hash that finds a member by phone without decrypting (normalised digits only)."""
    digits = "".join(ch for ch in normalise_phone(phone) if ch.isdigit())
    return keyed_hash(digits, "contact.phone")


def invite_days():
    """How long a member's invite code stays valid (CONTACT_INVITE_DAYS, default 30)."""
    return int(current_app.config.get("CONTACT_INVITE_DAYS", 30))


def member_region(code):
    """A county, township or village a member may be registered in; 404 or 400 with the field named."""
    region = db.session.get(Region, code) if code else None
    if region is None:
        raise NotFound("未找到该行政区划", code="region_not_found", fields={"region_code": ["未找到该行政区划"]})
    if region.level not in LEVELS:
        raise BadRequest("只能登记到县、乡镇或村（社区）", code="region_level_invalid",
                         fields={"region_code": ["只能登记到县、乡镇或村（社区）"]})
    return region


def member_view(viewer, member):
    """A member as a dict for the viewer: the phone in full only for those allowed (contact.view_phone)."""
    full = viewer is not None and (viewer.id == member.user_id
                                   or can(viewer, "contact.view_phone", region_code=member.region_code))
    region = member.region
    return {
        "id": member.id, "name": member.name, "type": member.type, "type_label": TYPES.get(member.type, member.type),
        "layer": member.layer, "layer_label": layer_label(member.layer), "level": member.level,
        "level_label": LEVELS.get(member.level, member.level),
        "region": {"code": member.region_code, "name": _region_name(region)},
        "phone": member.phone if full else mask_phone(member.phone), "phone_masked": not full,
        "bound": member.user_id is not None, "bound_at": member.bound_at, "is_active": member.is_active,
        "created_at": member.created_at, "deactivated_at": member.deactivated_at,
    }


def _region_name(region):
    if region is None:
        return ""
    if region.level == "village" and region.parent is not None:
        return region.parent.display_name + region.display_name  # village names repeat across townships
    return region.display_name


def new_member(data, region, created_by=None):
    """A ContactMember row from loaded MemberCreateSchema data (not added to the session)."""
    return ContactMember(type=data["type"], name=data["name"], phone=data["phone"], phone_key=phone_key(data["phone"]),
                         layer=data.get("layer"), level=region.level, region_code=region.code,
                         created_by_id=created_by.id if created_by is not None else None)


def active_phone_taken(key):
    """Whether an active member already has this phone (by keyed hash)."""
    return db.session.scalar(sa.select(ContactMember.id).where(
        ContactMember.phone_key == key, ContactMember.is_active.is_(True))) is not None


def _duplicate_phone():
    return Conflict("该电话号码已登记为联系点成员或信访情报员", code="duplicate_phone",
                    fields={"phone": ["该电话号码已登记"]})


def issue_invite(member, actor):
    """Revoke the member's unused invites and create a new one; returns (display code, Invite). Caller commits."""
    now = utcnow()
    db.session.execute(sa.update(Invite).where(
        Invite.purpose == INVITE_PURPOSE, Invite.target_id == member.id, Invite.used_at.is_(None),
        Invite.expires_at > now).values(expires_at=now))
    return tokens.create_invite(INVITE_PURPOSE, member.id, actor, days=invite_days())


def register(user, data):
    """Register a member within the user's scope; returns the member and a one-time invite code."""
    require_anywhere(user, "contact.manage")
    region = member_region(data["region_code"])
    if not can(user, "contact.manage", region_code=region.code):
        raise Forbidden("只能在本人管辖范围内登记联系点成员", code="region_out_of_scope")
    member = new_member(data, region, user)
    if active_phone_taken(member.phone_key):
        raise _duplicate_phone()
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _duplicate_phone() from None
    code, invite = issue_invite(member, user)
    audit("contact.create", user, "contact_member", member.id,
          {"type": member.type, "layer": member.layer, "region_code": member.region_code})
    db.session.commit()
    return {"member": member_view(user, member), "invite_code": code, "expires_at": invite.expires_at}


def list_members(user, args, limit=20, cursor=None):
    """A page of members within the user's scopes, newest first, filtered by layer, type, region and state."""
    require_anywhere(user, "contact.manage")
    stmt = scoped(sa.select(ContactMember), ContactMember.region_code, user, "contact.manage")
    if args.get("region"):
        stmt = stmt.where(ContactMember.region_code.startswith(region_prefix(args["region"]), autoescape=True))
    for name in ("layer", "type"):
        if args.get(name):
            stmt = stmt.where(getattr(ContactMember, name) == args[name])
    if args.get("active") is not None:
        stmt = stmt.where(ContactMember.is_active.is_(args["active"]))
    if args.get("bound") is not None:
        stmt = stmt.where(ContactMember.user_id.is_not(None) if args["bound"] else ContactMember.user_id.is_(None))
    if args.get("phone"):
        stmt = stmt.where(ContactMember.phone_key == phone_key(args["phone"]))
    page = keyset_page(db.session, stmt, [(ContactMember.id, True)], limit, cursor)
    return Page(items=[member_view(user, m) for m in page.items], next_cursor=page.next_cursor)


def _member(user, member_id):
    member = db.session.get(ContactMember, member_id)
    if member is None:
        raise NotFound("未找到该联系点成员", code="member_not_found")
    require(user, "contact.manage", region_code=member.region_code)
    return member


def get_member(user, member_id):
    """One member the user manages."""
    return member_view(user, _member(user, member_id))


def reinvite(user, member_id):
    """A new invite code for an active member; the previous unused one stops working."""
    member = _member(user, member_id)
    if not member.is_active:
        raise Conflict("该成员已停用，不能生成邀请码", code="member_inactive")
    code, invite = issue_invite(member, user)
    db.session.flush()
    audit("contact.invite", user, "contact_member", member.id, {"invite_id": invite.id})
    db.session.commit()
    return {"member": member_view(user, member), "invite_code": code, "expires_at": invite.expires_at}


def deactivate(user, member_id):
    """Stop a membership: no new contact-point reports, unused invites revoked; history kept."""
    member = _member(user, member_id)
    if not member.is_active:
        raise Conflict("该成员已停用", code="member_inactive")
    member.is_active, member.deactivated_at, member.deactivated_by_id = False, utcnow(), user.id
    now = utcnow()
    db.session.execute(sa.update(Invite).where(
        Invite.purpose == INVITE_PURPOSE, Invite.target_id == member.id, Invite.used_at.is_(None),
        Invite.expires_at > now).values(expires_at=now))
    audit("contact.deactivate", user, "contact_member", member.id)
    db.session.commit()
    return member_view(user, member)


def bind_member(user, member_id):
    """mss_bind_handlers entry: link the member to the caller's WeChat account (a newer invite rebinds)."""
    member = db.session.get(ContactMember, member_id)
    if member is None or not member.is_active:
        raise NotFound("邀请码无效或已过期", code="invalid_invite")
    if not list(user.identities):
        raise BadRequest("请先用微信登录后再绑定", code="wechat_login_required")
    other = db.session.scalar(sa.select(ContactMember.id).where(
        ContactMember.user_id == user.id, ContactMember.is_active.is_(True), ContactMember.id != member.id))
    if other is not None:
        raise Conflict("您的微信已绑定为其他联系点成员或信访情报员", code="already_member")
    previous = member.user_id
    member.user_id, member.bound_at = user.id, utcnow()
    audit("contact.bind", user, "contact_member", member.id, {"rebound": previous not in (None, user.id)})
    return {"membership_id": member.id, "layer": member.layer, "type": member.type}


def active_membership(user):
    """The active member bound to this account, or None."""
    if user is None:
        return None
    return db.session.scalar(sa.select(ContactMember).where(
        ContactMember.user_id == user.id, ContactMember.is_active.is_(True)).order_by(ContactMember.id.desc()))


def reporter_membership(user):
    """mss_reporter_membership entry: {member_id, layer, type} of the caller's active membership, or None."""
    member = active_membership(user)
    if member is None:
        return None
    return {"member_id": member.id, "layer": member.layer, "type": member.type}


def my_membership(user):
    """The caller's own membership as {member: ... | None}."""
    member = active_membership(user)
    return {"member": member_view(user, member) if member is not None else None}

