"""Mailings of 情况反馈表 to contact-point members (the return rate's denominator) and the yearly petition volume
(信访总量) staff record for a region (the base of "petitions down 50 % year on year")."""

import sqlalchemy as sa

from app.contacts.layers import LAYERS, layer_label
from app.core.permissions import can, require_anywhere, scoped
from app.core.timeutil import today_cst, utcnow
from app.errors import BadRequest, Forbidden, NotFound
from app.extensions import db
from app.regions.models import Region
from app.security.service import audit
from app.triage.network_models import Mailing, PetitionVolume


def _region(user, code, action):
    region = db.session.get(Region, code) if code else None
    if region is None or region.level not in ("county", "township", "village"):
        raise NotFound("未找到该行政区划", code="region_not_found", fields={"region_code": ["未找到该行政区划"]})
    require_anywhere(user, action)
    if not can(user, action, region_code=region.code):
        raise Forbidden("只能登记本人管辖范围内的数据", code="region_out_of_scope")
    return region


def record_mailing(user, data):
    """Record forms posted to members: date, region and forms per layer (the total is their sum)."""
    region = _region(user, data["region_code"], "contact.manage")
    if data["mailed_on"] > today_cst():
        raise BadRequest("寄发日期不能晚于今天", code="date_in_future", fields={"mailed_on": ["寄发日期不能晚于今天"]})
    layers = {code: int(n) for code, n in (data.get("layers") or {}).items() if n}
    unknown = [code for code in layers if code not in LAYERS]
    if unknown or any(n < 0 for n in layers.values()) or not layers:
        raise BadRequest("请按界别填写寄发的反馈表份数", code="layers_invalid", fields={"layers": ["请按界别填写份数"]})
    mailing = Mailing(region_code=region.code, mailed_on=data["mailed_on"], forms=sum(layers.values()),
                      layers={code: layers[code] for code in LAYERS if code in layers},
                      note=(data.get("note") or "").strip() or None, created_by_id=user.id, created_at=utcnow())
    db.session.add(mailing)
    db.session.flush()
    audit("mailing.record", user, "mailing", mailing.id, {"region_code": region.code, "forms": mailing.forms})
    db.session.commit()
    return mailing


def list_mailings(user, region=None):
    """Mailings within the user's scope, newest first."""
    require_anywhere(user, "contact.manage")
    stmt = scoped(sa.select(Mailing), Mailing.region_code, user, "contact.manage")
    if region:
        stmt = stmt.where(Mailing.region_code == region)
    return list(db.session.scalars(stmt.order_by(Mailing.mailed_on.desc(), Mailing.id.desc()).limit(200)))


def mailing_layers(mailing):
    """[(layer label, forms)] of a mailing in the form's order."""
    return [(layer_label(code), n) for code, n in (mailing.layers or {}).items()]


def record_petitions(user, data):
    """Record (or correct) a region's petition volume of a year."""
    region = _region(user, data["region_code"], "report.enter")
    if data["year"] > today_cst().year:
        raise BadRequest("年度不能晚于今年", code="year_in_future", fields={"year": ["年度不能晚于今年"]})
    row = db.session.scalar(sa.select(PetitionVolume).where(PetitionVolume.region_code == region.code,
                                                            PetitionVolume.year == data["year"]))
    before = row.volume if row is not None else None
    if row is None:
        row = PetitionVolume(region_code=region.code, year=data["year"])
        db.session.add(row)
    row.volume, row.recorded_by_id, row.recorded_at = data["volume"], user.id, utcnow()
    db.session.flush()
    audit("petitions.record", user, "region", region.code, {"year": row.year, "volume": row.volume, "before": before})
    db.session.commit()
    return row


def list_petitions(user, region=None):
    """Recorded petition volumes within the user's stats scope, newest year first."""
    require_anywhere(user, "stats.view")
    stmt = scoped(sa.select(PetitionVolume), PetitionVolume.region_code, user, "stats.view")
    if region:
        stmt = stmt.where(PetitionVolume.region_code == region)
    return list(db.session.scalars(stmt.order_by(PetitionVolume.year.desc(), PetitionVolume.region_code)))
