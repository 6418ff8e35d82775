"""Contact-point API: register members, list them, new invites, deactivation, layers and one's own membership."""

from app.contacts import schemas, service
from app.contacts.layers import LAYERS
from app.core.api import ApiBlueprint

bp = ApiBlueprint("contacts", __name__, tag="联系点与信访情报员")


@bp.op("/admin/contact-points", "POST", summary="登记联系点成员或信访情报员", body=schemas.MemberCreateSchema(),
       response=schemas.MemberInviteSchema(), status=201, auth="required", errors=(403, 404, 409))
def register(user, data):
    """Register a member; the response carries a one-time invite code."""
    return service.register(user, data)


@bp.op("/admin/contact-points", summary="联系点成员列表", query=schemas.MembersQuery(),
       response=schemas.MemberSchema(), paginated=True, auth="required", errors=(403,))
def list_members(user, args):
    """Members within the caller's scope."""
    return service.list_members(user, args, args["limit"], args["cursor"])


@bp.op("/admin/contact-points/<int:member_id>", summary="联系点成员详情", response=schemas.MemberSchema(),
       auth="required", errors=(403, 404))
def get_member(user, member_id):
    """One member."""
    return service.get_member(user, member_id)


@bp.op("/admin/contact-points/<int:member_id>/invite", "POST", summary="重新生成邀请码",
       response=schemas.MemberInviteSchema(), status=201, auth="required", errors=(403, 404, 409))
def reinvite(user, member_id):
    """A new one-time invite code; the previous unused one is revoked."""
    return service.reinvite(user, member_id)


@bp.op("/admin/contact-points/<int:member_id>/deactivate", "POST", summary="停用联系点成员",
       response=schemas.MemberSchema(), auth="required", errors=(403, 404, 409))
def deactivate(user, member_id):
    """Deactivate a member: no new contact-point reports."""
    return service.deactivate(user, member_id)


@bp.op("/contact-points/layers", summary="联系点界别", response=schemas.LayerSchema(many=True))
def layers():
    """The ten layers with their labels."""
    return [{"code": code, "label": label} for code, label in LAYERS.items()]


@bp.op("/me/contact-point", summary="我的联系点身份", response=schemas.MembershipSchema(), auth="required")
def my_membership(user):
    """The caller's active membership, or null."""
    return service.my_membership(user)
