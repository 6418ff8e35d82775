"""Inspector: the 台账 of cases and warnings for a period, on the page and as an xlsx or csv download."""

from flask import request

from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, validate_form
from app.console.layout import render
from app.console.nav import NavEntry
from app.errors import BadRequest
from app.triage import exports, ledger_book
from app.triage.case_schemas import LedgerQuery

NAV = [NavEntry("台账", "console.ledger", "report.triage", "监督执纪",
                "全部办理事项台账（单件反映、问题、预警）：承办单位、期限、各次反馈、结果，可下载 Excel", 40)]
TYPES = [("report", "单件反映"), ("case", "问题"), ("warning", "预警")]


def period_args(schema):
    """The period form (from, to, ...) of the query string, loaded by the API's schema; 400 in Chinese."""
    raw = {k: v for k in ("from", "to", "type", "by", "region", "format") if (v := clean(request.args.get(k)))}
    args, errors = validate_form(schema, raw)
    if errors:
        named = {"from": "开始日期", "to": "结束日期", "type": "类型", "by": "分组", "region": "区划", "format": "格式"}
        raise BadRequest("查询条件有误：" + "；".join(f"{named.get(k, k)}：{'、'.join(v)}" for k, v in errors.items()),
                         fields=errors)
    return raw, args


@bp.route("/ledger")
def ledger():
    """The 台账 for a period (default: this quarter); ?format=xlsx|csv downloads it."""
    user = staff("report.triage")
    raw, args = period_args(LedgerQuery())
    book = ledger_book.ledger(user, args)
    if args["format"] in ("xlsx", "csv"):
        return exports.ledger_download(book, args["format"])
    shown = {k: v for k, v in raw.items() if k != "format"}
    shown.update({"from": book["from"].isoformat(), "to": book["to"].isoformat()})
    return render("ledger/ledger.html", book=book, filters=shown, types=TYPES)
