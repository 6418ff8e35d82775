"""The compliance view: which villages under a township or county are late with which disclosures."""

import sqlalchemy as sa
from flask import request

from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, validate_form
from app.console.layout import render
from app.console.nav import NavEntry
from app.core.permissions import region_scopes
from app.disclosures import compliance as d_compliance
from app.disclosures import schemas as d_schemas
from app.disclosures.models import KINDS
from app.disclosures.reads import KIND_LABELS
from app.extensions import db
from app.regions.models import Region

NAV = [NavEntry("逾期未公开", "console.compliance", "compliance.view", "公开与审核",
                "按乡镇或县查看哪些村哪些期间未按时公开", 30)]
STATUS_LABELS = {"missing": "未公开", "late": "逾期公开", "approved_unpublished": "审核通过未发布"}


def _scope_codes(user):
    """The region codes the user's compliance scopes start at (a global scope: the top regions)."""
    scopes = region_scopes(user, "compliance.view")
    if None in scopes:
        return list(db.session.scalars(sa.select(Region.code).where(Region.parent_code.is_(None))
                                       .order_by(Region.code).limit(20)))
    return sorted({p.ljust(12, "0") for p in scopes if p})


def _region_options(codes):
    """[(code, name)] of the scope regions, each followed by its townships."""
    options = []
    for region in db.session.scalars(sa.select(Region).where(Region.code.in_(codes)).order_by(Region.code)):
        options.append((region.code, region.display_name))
        if region.level not in ("township", "village"):
            townships = (sa.select(Region).where(Region.parent_code == region.code, Region.level == "township")
                         .order_by(Region.code))
            options += [(t.code, "\u3000" + t.display_name) for t in db.session.scalars(townships)]
    return options


@bp.route("/compliance")
def compliance():
    """Late and missing disclosures per village, kind and period, within the user's regions."""
    user = staff("compliance.view")
    options = _region_options(_scope_codes(user))
    raw = {"township": clean(request.args.get("region")) or (options[0][0] if options else None),
           "as_of": clean(request.args.get("as_of")), "kind": clean(request.args.get("kind")),
           "lookback": clean(request.args.get("lookback"))}
    args, errors = validate_form(d_schemas.ComplianceQuery(), {k: v for k, v in raw.items() if v})
    report = None
    if not errors:
        report = d_compliance.compliance_report(user, args["township"], args["as_of"], args["kind"],
                                                args["lookback"])
    if "township" in errors:
        errors["region"] = errors.pop("township")
    return render("compliance.html", status=400 if errors else 200, report=report, errors=errors, options=options,
                  form={**raw, "region": raw["township"]}, kinds=[(k, KIND_LABELS[k]) for k in KINDS],
                  status_labels=STATUS_LABELS)
