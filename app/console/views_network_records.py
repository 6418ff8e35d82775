"""Inspector and admin: the networks' records staff keep by hand — mailings of 情况反馈表 (the return rate's
denominator) and the yearly petition volume (信访总量, the base of the "−50 %" figure)."""

from datetime import timedelta

from flask import flash, redirect, request, url_for

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.console.nav import NavEntry
from app.contacts.layers import LAYERS
from app.core.permissions import can, region_scopes
from app.core.timeutil import today_cst
from app.errors import DomainError
from app.extensions import db
from app.regions.models import Region
from app.triage import mailings as mailing_service
from app.triage import stats_networks
from app.triage.network_schemas import MailingCreateSchema, PetitionCreateSchema

NAV = [NavEntry("寄发记录", "console.network_mailings", "contact.manage", "监督执纪",
                "向千人联系点成员寄发情况反馈表的记录（回收率的分母）", 56),
       NavEntry("信访总量", "console.network_petitions", "stats.view", "监督执纪",
                "逐年登记本地区信访总量，用于同比变化", 57)]
MAILING_FIELDS = ("region_code", "mailed_on", "note")
PETITION_FIELDS = ("region_code", "year", "volume")
RATE_DAYS = 365  # a mailing's return rate: letters within a year of its date
RATED = 10  # the newest mailings that show their rate (each is one figures query)


def _regions(user, action):
    """Counties and townships the user may record for (villages are not offered)."""
    return [(r.code, r.display_name) for r in queries.region_choices()
            if r.level in ("county", "township") and can(user, action, region_code=r.code)]


def _names(codes):
    return {r.code: r.display_name for r in db.session.scalars(db.select(Region).where(Region.code.in_(codes)))} \
        if codes else {}


def _letters(user, mailing):
    """Letters counted since the mailing, for its return rate (None when the figures are out of the user's scope)."""
    if not can(user, "stats.view", region_code=mailing.region_code):
        return None
    end = min(today_cst(), mailing.mailed_on + timedelta(days=RATE_DAYS))
    try:
        result = stats_networks.compute(user, {"region_code": mailing.region_code, "region": None,
                                               "from_": mailing.mailed_on, "to": end, "format": "json"})
    except DomainError:
        db.session.rollback()
        return None
    return result["contact_point"]["letters"]


def _mailings_page(user, status=200, form=None, errors=None, message=None):
    items = mailing_service.list_mailings(user)
    rates = {}
    for mailing in items[:RATED]:
        letters = _letters(user, mailing)
        if letters is not None and mailing.forms:
            rates[mailing.id] = (letters, f"{letters * 100 / mailing.forms:.1f}%")
    errors = errors or {}
    placed = set(MAILING_FIELDS) | {"layers"} | {f"layer-{code}" for code in LAYERS}
    return render("networks/mailings.html", status=status, items=items, rates=rates,
                  names=_names({m.region_code for m in items}), layers=list(LAYERS.items()),
                  regions=_regions(user, "contact.manage"), form=form or {}, errors=errors,
                  general=split_errors(errors, placed), message=message,
                  layer_labels=LAYERS, today=today_cst())


@bp.route("/networks/mailings")
def network_mailings():
    """Mailings in the user's scope with the return rate, and the form to record one."""
    return _mailings_page(staff("contact.manage"))


@bp.route("/networks/mailings", methods=["POST"])
def network_mailing_create():
    """Record a mailing: date, region and how many forms went to each layer."""
    user = staff("contact.manage")
    form = {name: clean(request.form.get(name)) for name in MAILING_FIELDS}
    counts, errors = {}, {}
    for code in LAYERS:
        value = clean(request.form.get(f"layer-{code}"))
        form[f"layer-{code}"] = value
        if value is None:
            continue
        if not value.isdigit() or len(value) > 7:
            errors[f"layer-{code}"] = ["请填写不小于 0 的整数份数"]
        elif int(value):
            counts[code] = int(value)
    raw = {k: form[k] for k in MAILING_FIELDS if form[k] is not None}
    data, schema_errors = validate_form(MailingCreateSchema(), {**raw, "layers": counts})
    errors = {**schema_errors, **errors}
    if not counts and "layers" not in errors:
        errors["layers"] = ["请至少填写一个界别的寄发份数"]
    if errors:
        return _mailings_page(user, 400, form, errors, "请按提示修改后再提交")
    try:
        mailing = mailing_service.record_mailing(user, data)
    except DomainError as err:
        db.session.rollback()
        return _mailings_page(user, err.status, form, errors_of(err), err.message)
    flash(f"已登记寄发记录：{mailing.mailed_on.isoformat()} 共 {mailing.forms} 份反馈表。", "success")
    return redirect(url_for("console.network_mailings"))


def _petitions_page(user, status=200, form=None, errors=None, message=None):
    items = mailing_service.list_petitions(user)
    by_key = {(p.region_code, p.year): p.volume for p in items}
    change = {}
    for row in items:
        before = by_key.get((row.region_code, row.year - 1))
        if before:
            change[(row.region_code, row.year)] = f"{(row.volume - before) * 100 / before:+.1f}%"
    errors = errors or {}
    may_record = bool(region_scopes(user, "report.enter"))
    return render("networks/petitions.html", status=status, items=items, change=change,
                  names=_names({p.region_code for p in items}), may_record=may_record,
                  regions=_regions(user, "report.enter") if may_record else [], form=form or {}, errors=errors,
                  general=split_errors(errors, PETITION_FIELDS), message=message, year=today_cst().year)


@bp.route("/networks/petitions")
def network_petitions():
    """Recorded petition volumes per region and year, with the change on the year before."""
    return _petitions_page(staff("stats.view"))


@bp.route("/networks/petitions", methods=["POST"])
def network_petition_create():
    """Record (or correct) a region's petition volume of a year."""
    user = staff("report.enter")
    form = {name: clean(request.form.get(name)) for name in PETITION_FIELDS}
    raw = {k: (int(v) if k in ("year", "volume") and v.isdigit() and len(v) < 9 else v)
           for k, v in form.items() if v is not None}
    data, errors = validate_form(PetitionCreateSchema(), raw)
    if errors:
        return _petitions_page(user, 400, form, errors, "请按提示修改后再提交")
    try:
        row = mailing_service.record_petitions(user, data)
    except DomainError as err:
        db.session.rollback()
        return _petitions_page(user, err.status, form, errors_of(err), err.message)
    flash(f"已登记 {row.year} 年信访总量 {row.volume} 件。", "success")
    return redirect(url_for("console.network_petitions"))
