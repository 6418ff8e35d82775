"""Posted letters (情况反馈表) entered by staff and credited to the member who posted them.

A letter becomes an ordinary report (kind contact_point, channel letter) through reports.service.submit_report,
credited to the member: his layer, his place, his bound account (which is told through WeChat like any
reporter). Its own record (`Letter`: member, postmark, the form's other fields) is written in the same
transaction, so nothing is half-saved.
"""

import hashlib
import re
import unicodedata

import sqlalchemy as sa

from app.contacts.layers import LEVELS, TYPES, layer_label
from app.contacts.models import ContactMember
from app.contacts.service import phone_key
from app.core.permissions import require, require_anywhere, scoped
from app.core.timeutil import today_cst, utcnow
from app.errors import BadRequest, Conflict, NotFound
from app.extensions import db
from app.reports.service import load_submission, submit_report
from app.security.masking import mask_phone
from app.security.service import audit
from app.triage.network_models import Letter

MEMBER_NO = re.compile(r"^(?:No\.?|NO\.?|编号)?\s*(\d{1,9})$")
PHONE_LIKE = re.compile(r"^[+\d][\d\s\-—－]{6,}$")
MAX_NAME_SCAN = 20000
FORM_FIELDS = {"subject": "反映事项", "involved": "涉及单位或人员", "suggestion": "意见建议", "remark": "备注"}


def _scoped(stmt, user):
    return scoped(stmt, ContactMember.region_code, user, "report.enter")


def find_members(user, q, limit=20):
    """Members (both types, deactivated ones marked) the user may enter letters for, by member number, phone or
    exact name (names are encrypted: compared after decryption within his scope)."""
    require_anywhere(user, "report.enter")
    text = unicodedata.normalize("NFKC", (q or "")).strip()
    if not text:
        return []
    stmt = _scoped(sa.select(ContactMember), user)
    number = MEMBER_NO.match(text)
    if number and len(number.group(1)) < 7:
        found = list(db.session.scalars(stmt.where(ContactMember.id == int(number.group(1)))))
    elif PHONE_LIKE.match(text):
        found = list(db.session.scalars(stmt.where(ContactMember.phone_key == phone_key(text))))
    else:
        wanted = "".join(text.split())
        found = [m for m in db.session.scalars(stmt.order_by(ContactMember.id).limit(MAX_NAME_SCAN))
                 if "".join((m.name or "").split()) == wanted]
    found.sort(key=lambda m: (not m.is_active, m.id))
    return [member_brief(m) for m in found[:limit]]


def member_brief(member):
    """A member as the letter form shows him: number, name, type, layer, place, masked phone, state."""
    region = member.region
    place = region.display_name if region is not None else member.region_code
    if region is not None and region.level == "village" and region.parent is not None:
        place = region.parent.display_name + region.display_name
    return {"id": member.id, "name": member.name, "type": member.type, "type_label": TYPES.get(member.type, ""),
            "layer": member.layer, "layer_label": layer_label(member.layer), "level": member.level,
            "level_label": LEVELS.get(member.level, ""), "region_code": member.region_code, "place": place,
            "phone": mask_phone(member.phone), "is_active": member.is_active, "bound": member.user_id is not None}


def content_key(text):
    """The duplicate key of a letter's text: NFKC, whitespace and punctuation removed, hashed."""
    normal = unicodedata.normalize("NFKC", text or "")
    kept = "".join(ch for ch in normal if ch.isalnum())
    return hashlib.sha256(kept.encode("utf-8")).hexdigest()


def credited_member(user, member_id):
    """The active member a letter is credited to: 404 unknown, 403 outside the user's scope, 409 deactivated."""
    member = db.session.get(ContactMember, member_id) if member_id else None
    if member is None:
        raise NotFound("未找到该联系点成员，请按姓名、成员编号或电话重新查找", code="member_not_found",
                       fields={"member_id": ["未找到该成员"]})
    require(user, "report.enter", region_code=member.region_code)
    if not member.is_active:
        raise Conflict("该成员已停用，不能再为其登记来信", code="member_inactive",
                       fields={"member_id": ["该成员已停用"]})
    return member


def duplicate_of(member_id, postmarked_on, key):
    """The letter already entered for this member with this postmark and text, if any."""
    return db.session.scalar(sa.select(Letter).where(
        Letter.member_id == member_id, Letter.postmarked_on == postmarked_on, Letter.content_key == key))


def enter_letter(user, data, *, client_key, idempotency_key=None):
    """Enter a posted letter for a member; returns (report, receipt code or None, created)."""
    require_anywhere(user, "report.enter")
    member = credited_member(user, data["member_id"])
    if data["postmarked_on"] > today_cst():
        raise BadRequest("邮戳日期不能晚于今天", code="postmark_in_future",
                         fields={"postmarked_on": ["邮戳日期不能晚于今天"]})
    key = content_key(data["content"])
    existing = duplicate_of(member.id, data["postmarked_on"], key)
    if existing is not None and not idempotency_key:
        raise _duplicate(existing)
    place = {"village_code": member.region_code} if member.level == "village" else {"region_code": member.region_code}
    body = {"kind": "contact_point", "channel": "letter", "topic": data["topic"], "content": data["content"],
            "anonymous": False, "reporter": {"name": member.name, "phone": member.phone},
            "attachment_ids": data.get("attachment_ids") or [], **place}
    if data.get("target"):
        body["target"] = data["target"]
    form = {k: v for k, v in (data.get("form") or {}).items() if v}

    def attach(report):
        db.session.add(Letter(report_id=report.id, member_id=member.id, postmarked_on=data["postmarked_on"],
                              form=form or None, content_key=key, entered_by_id=user.id, entered_at=utcnow()))
        audit("letter.enter", user, "report", report.id, {"member_id": member.id, "layer": member.layer,
                                                          "postmarked_on": data["postmarked_on"].isoformat()})

    if existing is not None:  # a retry with an Idempotency-Key replays the original; anything else is a duplicate
        from app.reports.models import Report

        replayed = db.session.get(Report, existing.report_id)
        if replayed.idempotency_key != str(idempotency_key).strip():
            raise _duplicate(existing)
    credited = {"member_id": member.id, "layer": member.layer, "type": member.type, "user_id": member.user_id,
                "attach": attach}
    return submit_report(load_submission(body), user=user, client_key=client_key, idempotency_key=idempotency_key,
                         credited=credited)


def _duplicate(existing):
    number = existing.report.tracking_no
    return Conflict(f"该成员同一邮戳日期、内容相同的来信已登记（受理编号 {number}），请勿重复登记；"
                    "如为同一问题的补充材料，可将本件与已登记的来信合并办理", code="duplicate_letter",
                    fields={"duplicate_of": [number], "duplicate_report_id": [str(existing.report_id)]})


def letter_of(report_id):
    """The letter record of a report, or None."""
    return db.session.get(Letter, report_id)


def form_lines(letter):
    """[(label, value)] of a letter's other form fields, in the form's order."""
    form = (letter.form or {}) if letter is not None else {}
    return [(label, form[name]) for name, label in FORM_FIELDS.items() if form.get(name)]
