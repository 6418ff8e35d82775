"""Triage endpoints for cases (merging), warnings to units, the 台账 and the figures."""

from app.core.api import ApiBlueprint
from app.triage import case_schemas as schemas
from app.triage import cases, exports, ledger_book, stats, warnings

bp = ApiBlueprint("triage_case_routes", __name__, tag="问题线索处置")

DOWNLOADS = "application/json, text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

@bp.op("/triage/cases", "POST", summary="合并反映为一个问题", body=schemas.CaseCreateSchema(),
       response=schemas.CaseSchema(), status=201, auth="required", errors=(403, 404, 409))
def create_case(user, data):
    """Merge reports into a new case."""
    return cases.with_reports(user, cases.create_case(user, data["report_ids"], data["title"]))


@bp.op("/triage/cases", summary="问题列表", query=schemas.CasesQuery(), response=schemas.CaseSchema(),
       paginated=True, auth="required", errors=(403,))
def list_cases(user, args):
    """Cases in the caller's scope."""
    return cases.list_cases(user, args["status"], args["limit"], args["cursor"])


@bp.op("/triage/cases/<int:case_id>", summary="问题详情", response=schemas.CaseSchema(), auth="required",
       errors=(403, 404))
def get_case(user, case_id):
    """A case with the reports the caller may see."""
    return cases.with_reports(user, cases.get_case(user, case_id))


@bp.op("/triage/cases/<int:case_id>/reports", "POST", summary="向问题并入反映", body=schemas.CaseReportsSchema(),
       response=schemas.CaseSchema(), auth="required", errors=(403, 404, 409))
def add_reports(user, case_id, data):
    """Merge more reports into a case."""
    return cases.with_reports(user, cases.add_reports(user, case_id, data["report_ids"]))


@bp.op("/triage/cases/<int:case_id>/conclude", "POST", summary="办结问题（同时办结其中每条反映）",
       body=schemas.CaseConcludeSchema(), response=schemas.CaseSchema(), auth="required", errors=(403, 404, 409))
def conclude_case(user, case_id, data):
    """Conclude a case and every report in it."""
    return cases.with_reports(user, cases.conclude_case(user, case_id, data["result"], data.get("reason")))


@bp.op("/triage/warnings", "POST", summary="向单位发出预警", body=schemas.WarningCreateSchema(),
       response=schemas.WarningSchema(), status=201, auth="required", errors=(403, 404, 409))
def create_warning(user, data):
    """Send a warning to a unit."""
    return warnings.create_warning(user, data)


@bp.op("/triage/warnings", summary="预警列表", query=schemas.WarningsQuery(), response=schemas.WarningSchema(),
       paginated=True, auth="required", errors=(403,))
def list_warnings(user, args):
    """Warnings to units in the caller's scope."""
    return warnings.list_warnings(user, args)


@bp.op("/triage/ledger", summary="问题与预警台账（format=xlsx|csv 下载）", query=schemas.LedgerQuery(),
       response=schemas.LedgerSchema(), auth="required", errors=(403,), produces=DOWNLOADS)
def ledger(user, args):
    """The 台账 of cases and warnings."""
    book = ledger_book.ledger(user, args)
    return book if args["format"] == "json" else exports.ledger_download(book, args["format"])


@bp.op("/triage/stats", summary="统计（format=xlsx|csv 下载）", query=schemas.StatsQuery(),
       response=schemas.StatsSchema(), auth="required", errors=(403,), produces=DOWNLOADS)
def figures(user, args):
    """Figures for a period, grouped."""
    result = stats.compute(user, args)
    return result if args["format"] == "json" else exports.stats_download(result, args["format"])
