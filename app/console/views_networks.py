"""Inspector and admin: the networks' year as two SVG funnels (each step down to its reports for those who may see
them), and staff entry of a posted letter credited to a member."""

from flask import flash, redirect, request, url_for

from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, validate_form
from app.console.layout import render
from app.console.nav import NavEntry
from app.core.ratelimit import client_address
from app.core.svg import funnel
from app.errors import BadRequest, DomainError
from app.extensions import db
from app.reports.models import Report
from app.reports.topics import topics
from app.triage import exports, stats_networks
from app.triage import letters as letter_service
from app.triage.access import visibility_clause
from app.triage.network_schemas import LetterCreateSchema, NetworksQuery
from app.triage.states import STATE_LABELS

NAV = [NavEntry("联系点与情报网", "console.networks", "stats.view", "监督执纪",
                "千人联系点、千人情报网全年链条（漏斗图），可逐级查看反映、下载 Excel", 55),
       NavEntry("登记联系点来信", "console.letters", "report.enter", "监督执纪",
                "把邮寄回来的情况反馈表登记到成员名下，计入其界别", 15)]
MAX_LISTED = 500


def _args():
    raw = {k: v for k in ("region_code", "from", "to", "format") if (v := clean(request.args.get(k)))}
    args, errors = validate_form(NetworksQuery(), raw)
    if errors:
        raise BadRequest("查询条件有误：" + "；".join(f"{k}：{'、'.join(v)}" for k, v in errors.items()), fields=errors)
    return raw, args


def _step(result, chain, name, filters, clickable=True, note=None):
    value = result[chain][name]
    href = url_for("console.network_reports", step=name, **filters) if clickable and value else None
    return {"label": stats_networks.LABELS[name], "value": value or 0, "href": href, "note": note}


@bp.route("/stats/networks")
def networks():
    """Both chains of a region and period as funnels and a table with the previous year; xlsx/csv downloads."""
    user = staff("stats.view")
    raw, args = _args()
    result = stats_networks.compute(user, args)
    if args["format"] in ("xlsx", "csv"):
        return exports.networks_download(result, args["format"])
    filters = {"region_code": result["region_code"], "from": result["from"].isoformat(),
               "to": result["to"].isoformat()}
    cp, inf = result["contact_point"], result["informant"]
    rate = f"回收率 {cp['letters'] * 100 / cp['forms_mailed']:.1f}%" if cp["forms_mailed"] else None
    contact = funnel([_step(result, "contact_point", "forms_mailed", filters, clickable=False),
                      _step(result, "contact_point", "letters", filters, note=rate),
                      *[_step(result, "contact_point", n, filters)
                        for n in ("problems", "units_warned", "problems_rectified", "proposals")]],
                     title="千人联系点：寄发反馈表到意见建议")
    informants = sum(row["count"] for row in inf["informants_by_level"])
    chain = [{"label": "信访情报员", "value": informants, "href": None,
              "note": "、".join(f"{r['label']} {r['count']}" for r in inf["informants_by_level"])},
             *[_step(result, "informant", n, filters)
               for n in ("informant_reports", "defused", "verified", "cases_filed", "disciplined")]]
    informant_funnel = funnel(chain, title="千人情报网：情报员到立案、处分")
    rows = exports.networks_rows(result)
    return render("stats/networks.html", result=result, contact=contact, informant=informant_funnel, rows=rows,
                  filters=filters)


@bp.route("/stats/networks/reports")
def network_reports():
    """The reports behind one funnel step: only those the viewer may see (scope, recusal, never about himself)."""
    user = staff("stats.view")
    step = clean(request.args.get("step"))
    if step not in stats_networks.STEPS:
        raise BadRequest("未知的统计环节", code="unknown_step")
    raw, args = _args()
    region, start, end, ids = stats_networks.step_report_ids(user, args, step)
    stmt = db.select(Report).where(Report.id.in_(ids), visibility_clause(user)).order_by(Report.id.desc())
    reports = list(db.session.scalars(stmt.limit(MAX_LISTED)))
    total = db.session.scalar(db.select(db.func.count()).select_from(ids.subquery()))
    return render("stats/network_reports.html", reports=reports, total=total, step=step,
                  label=stats_networks.LABELS[step], region=region, start=start, end=end, states=STATE_LABELS,
                  back={k: v for k, v in raw.items() if k != "format"})


@bp.route("/letters", methods=["GET", "POST"])
def letters():
    """Find the member (name, member number or phone) and enter his posted letter with its scan."""
    user = staff("report.enter")
    q = clean(request.values.get("q"))
    found = letter_service.find_members(user, q) if q else []
    form, errors, message = dict(request.form), {}, None
    if request.method == "POST":
        form.pop("csrf_token", None)
        data = {"member_id": _int(form.get("member_id")), "postmarked_on": clean(form.get("postmarked_on")),
                "topic": clean(form.get("topic")), "content": clean(form.get("content")),
                "form": {k: clean(form.get(k)) for k in letter_service.FORM_FIELDS}}
        upload = request.files.get("scan")
        loaded, errors = validate_form(LetterCreateSchema(), {k: v for k, v in data.items() if v is not None})
        if not errors:
            try:
                if upload is not None and upload.filename:
                    from app.files.service import create_upload

                    loaded["attachment_ids"] = [create_upload(upload.read(), user=user).id]
                report, _, _ = letter_service.enter_letter(user, loaded, client_key=client_address())
            except DomainError as err:
                db.session.rollback()
                message, errors = err.message, err.fields
            else:
                flash(f"已登记来信，受理编号 {report.tracking_no}，计入该成员的界别。", "success")
                return redirect(url_for("console.letters"))
        message = message or "请检查标出的内容"
    return render("letters.html", q=q, found=found, form=form, errors=errors, message=message, topics=topics(),
                  form_fields=list(letter_service.FORM_FIELDS.items()))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
