"""Submission checks that need the database or other domains: who is reporting, about what, with which files."""

import unicodedata

import sqlalchemy as sa
from flask import current_app

from app.core.permissions import require
from app.disclosures.models import Disclosure
from app.disclosures.reads import find_power_item
from app.errors import DomainError, Forbidden, Unauthorized, ValidationFailed
from app.extensions import db
from app.files.models import Upload
from app.regions.models import Region, Unit
from app.regions.service import ancestors
from app.reports import accused
from app.reports.models import report_attachments
from app.reports.topics import RESIDENT_CHANNELS, STAFF_CHANNELS, topics
from app.security.crypto import keyed_hash


def village_codes(code):
    """(village, township, county) codes of a village; a field error when it is not a village."""
    region = db.session.get(Region, code)
    if region is None or region.level != "village":
        raise ValidationFailed(fields={"village_code": ["未找到该村（社区）"]})
    chain = ancestors(region)
    township, county = chain.get("township"), chain.get("county")
    return region.code, township.code if township else region.code, county.code if county else region.code


def report_regions(data):
    """(village or None, township or None, county) of a report: its village, else a township or county it names,
    else the region of the unit it accuses."""
    if data.get("village_code"):
        return village_codes(data["village_code"])
    code, field = data.get("region_code"), "region_code"
    if not code:
        unit = db.session.get(Unit, (data.get("target") or {}).get("unit_id"))
        if unit is None or not unit.is_active:
            raise ValidationFailed(fields={"target.unit_id": ["未找到该单位"]})
        code, field = unit.region_code, "target.unit_id"
    region = db.session.get(Region, code)
    if region is None or region.level not in ("township", "county", "village"):
        raise ValidationFailed(fields={field: ["请选择乡镇（街道）或县（市、区）"]})
    if region.level == "village":
        return village_codes(region.code)
    chain = ancestors(region)
    if region.level == "township":
        county = chain.get("county")
        return None, region.code, county.code if county else region.code
    return None, None, region.code


def check_topic(topic):
    """The topic must be one of REPORT_TOPICS."""
    if topic not in topics():
        raise ValidationFailed(fields={"topic": ["请选择列表中的反映类别：" + "、".join(topics())]})


def membership(user):
    """The contact-point / informant membership of an account, from the mss_reporter_membership callables."""
    if user is None:
        return None
    for lookup in current_app.extensions.get("mss_reporter_membership", []):
        found = lookup(user)
        if found:
            return found
    return None


def reporter_side(data, user, region_code, credited=None):
    """Who files: {reporter_user_id, operator_id, contact_member_id, contact_layer} after the channel rules.

    `credited` ({member_id, layer, type, user_id}) is the member a posted letter is credited to: staff enter it
    (channel letter) and it counts as his report, told to his bound account like one he sent himself."""
    channel, anonymous = data["channel"], data["anonymous"]
    side = {"reporter_user_id": None, "operator_id": None, "contact_member_id": None, "contact_layer": None}
    if credited is not None and (channel != "letter" or anonymous):
        raise ValidationFailed(fields={"channel": ["代成员登记的只能是实名来信"]})
    if channel in STAFF_CHANNELS:
        if user is None:
            raise Unauthorized("代为登记来信、来电、来访须由工作人员登录后操作")
        require(user, "report.enter", region_code=region_code)
        if data["kind"] == "contact_point" and credited is None:
            raise ValidationFailed(fields={"kind": ["联系点来信请通过“登记联系点来信”为成员登记"]})
        side["operator_id"] = user.id
        if credited is not None:
            side["reporter_user_id"] = credited.get("user_id")
    elif channel in RESIDENT_CHANNELS and not anonymous and user is not None:
        side["reporter_user_id"] = user.id
    member = membership(user) if channel in RESIDENT_CHANNELS and not anonymous else credited
    if data["kind"] == "contact_point":
        if user is None:
            raise Unauthorized("联系点情况反馈须先登录并绑定联系点成员身份")
        if anonymous:
            raise ValidationFailed(fields={"anonymous": ["联系点情况反馈须实名提交"]})
        if member is None:
            raise Forbidden("只有已登记并绑定的联系点成员或信访情报员才能提交联系点情况反馈", code="not_a_member")
    if member is not None:
        side["contact_member_id"], side["contact_layer"] = int(member["member_id"]), member.get("layer")
    if not anonymous and data.get("reporter") is None and member is None:
        raise ValidationFailed(fields={"reporter": ["实名反映请填写姓名和联系电话；不愿留名请选择匿名"]})
    return side


def person_key(name):
    """A keyed hash of an accused person's name (NFKC, spaces removed) for matching without decrypting."""
    normal = "".join(unicodedata.normalize("NFKC", name).split())
    return keyed_hash(normal, "report.target_person")


def target_columns(target, village_code, county_code=None):
    """Report columns for the target; the disclosure must be a published one of the same village, the roster
    person and the unit of the report's county. A roster person fills in the name and post when they are blank."""
    if not target:
        return {}
    columns = {}
    county_code = county_code or village_code
    if target.get("roster_id") is not None:
        cadre = accused.roster_person(target["roster_id"], village_code or county_code)
        columns["target_roster_id"] = cadre.id
        target = {**target, "person_name": target.get("person_name") or cadre.name,
                  "person_post": target.get("person_post") or cadre.post}
    if target.get("unit_id") is not None:
        columns["target_unit_id"] = accused.target_unit(target["unit_id"], county_code).id
    disclosure_id = target.get("disclosure_id")
    if disclosure_id is not None:
        disclosure = db.session.get(Disclosure, disclosure_id)
        if disclosure is None or village_code is None or disclosure.village_code != village_code \
                or disclosure.status == "unpublished":
            raise ValidationFailed(fields={"target.disclosure_id": ["未找到本村已公开的该事项"]})
        columns["target_disclosure_id"] = disclosure.id
        if target.get("power_item") is not None:
            try:
                find_power_item(disclosure.id, target["power_item"])
            except DomainError as err:
                raise ValidationFailed(fields={"target.power_item": [err.message]}) from None
            columns["target_power_item"] = target["power_item"]
    if target.get("person_name"):  # a post alone ("竹山县农业农村局局长") names a person too
        columns["target_person_name"] = target["person_name"]
        columns["target_person_key"] = person_key(target["person_name"])
    if target.get("person_post"):
        columns["target_person_post"] = target["person_post"]
    return columns


def attachments(ids, user):
    """The Upload rows to link: they must exist, be the submitter's own (or anonymous), and be unused."""
    if not ids:
        return []
    rows = {u.id: u for u in db.session.scalars(sa.select(Upload).where(Upload.id.in_(ids)))}
    used = set(db.session.scalars(sa.select(report_attachments.c.upload_id)
                                  .where(report_attachments.c.upload_id.in_(ids))))
    errors = {}
    for index, upload_id in enumerate(ids):
        upload = rows.get(upload_id)
        if upload is None or (upload.uploader_id is not None and (user is None or upload.uploader_id != user.id)):
            errors[f"attachment_ids.{index}"] = ["附件不存在或已过期，请重新上传"]
        elif upload_id in used:
            errors[f"attachment_ids.{index}"] = ["该附件已用于其他反映，请重新上传"]
    if errors:
        raise ValidationFailed(fields=errors)
    return [rows[i] for i in ids]
