"""Inspector: one report — timeline, attachments, similar reports, transitions, messages, identity request."""

from flask import Response, flash, redirect, request, url_for

from app.console import confirm as confirmation
from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.core.permissions import can, region_prefix
from app.errors import DomainError, NotFound
from app.extensions import db
from app.files.service import open_upload
from app.reports.models import Report
from app.reports.topics import CHANNEL_LABELS, EVENT_LABELS
from app.triage import cases as case_service
from app.triage import conflicts, identity, queue, service
from app.triage.case_models import CaseReport
from app.triage.schemas import (
    AcceptSchema,
    AssignSchema,
    ConcludeSchema,
    IdentityRequestSchema,
    MessageSchema,
    NoteSchema,
    TriageReasonSchema,
)
from app.triage.states import DISPOSITION_LABELS

# the fields each transition form sends, and the API's schema that validates them
ACTION_FORMS = {
    "accept": (AcceptSchema, ("disposition", "note", "visibility")),
    "refuse": (TriageReasonSchema, ("reason",)),
    "assign": (AssignSchema, ("unit_id", "due_date", "disposition", "note", "visibility")),
    "hold": (NoteSchema, ("disposition", "note", "visibility")),
    "resume": (NoteSchema, ("note", "visibility")),
    "conclude": (ConcludeSchema, ("result", "disposition", "note")),
    "close": (NoteSchema, ("note", "visibility")),
    "reopen": (TriageReasonSchema, ("reason",)),
}
DONE = {"accept": "已受理", "refuse": "已决定不予受理，理由已告知反映人", "assign": "已交办", "hold": "已暂缓办理",
        "resume": "已恢复办理", "conclude": "已办结，办理结果已告知反映人", "close": "已归档", "reopen": "已重新办理"}
EVENT_NAMES = {**EVENT_LABELS, "note": "内部备注", "reminder": "到期提醒", "outcome": "登记办理结果"}


def _unit_options(region_code):
    """Active units that serve the report's region (county departments, its township's government)."""
    return [(u.id, u.name) for u in queries.unit_choices()
            if u.region_code and region_code.startswith(region_prefix(u.region_code))]


def report_page(user, report_id, status=200, errors=None, message=None, form=None, active=None, confirm=None):
    """Render the report page (the detail view is audited and committed as in the API); `confirm` is the
    confirmation step of the `active` action."""
    detail = queue.report_detail(user, report_id)
    db.session.commit()
    region = db.session.get(Report, report_id).region_code  # a village, or a township or county for a unit's matter
    can_triage = bool(detail["allowed_actions"])
    similar = queue.similar_reports(user, report_id) if can_triage else []
    link = db.session.get(CaseReport, report_id)
    open_cases = case_service.list_cases(user, "open", 100, None).items if can_triage else []
    errors = errors or {}
    placed = {f"{a}-{f}" for a, (_, names) in ACTION_FORMS.items() for f in names}
    placed |= {"msg-content", "msg-visibility", "idr-reason"} | {k for k in errors if k.startswith("outcome-")}
    return render("triage/report.html", status=status, r=detail, similar=similar, case_link=link,
                  open_cases=open_cases, units=_unit_options(region) if can_triage else [],
                  dispositions=list(DISPOSITION_LABELS.items()), event_names=EVENT_NAMES,
                  channel_labels=CHANNEL_LABELS, errors=errors, general=split_errors(errors, placed),
                  message=message, form=form or {}, active=active, confirm=confirm,
                  may_request=can(user, "identity.request", region_code=region),
                  may_triage=can(user, "report.triage", region_code=region),
                  may_clear=can_triage and conflicts.may_clear(user, db.session.get(Report, report_id)))


@bp.route("/triage/reports/<int:report_id>")
def triage_report(report_id):
    """The report page."""
    return report_page(staff("report.view"), report_id)


def _prefixed(errors, prefix):
    return {f"{prefix}-{key}": messages for key, messages in (errors or {}).items()}


@bp.route("/triage/reports/<int:report_id>/act/<action>", methods=["POST"])
def triage_act(report_id, action):
    """Run one transition from its form; bad input re-renders the page with the reasons and saves nothing."""
    user = staff("report.triage")
    if action not in ACTION_FORMS:
        raise NotFound("未知的操作", code="unknown_action")
    schema, names = ACTION_FORMS[action]
    form = {f"{action}-{name}": clean(request.form.get(f"{action}-{name}")) for name in names}
    raw = {name: form[f"{action}-{name}"] for name in names if form[f"{action}-{name}"] is not None}
    if isinstance(raw.get("unit_id"), str):
        raw["unit_id"] = int(raw["unit_id"]) if raw["unit_id"].isdigit() else raw["unit_id"]
    data, errors = validate_form(schema(), raw)
    if errors:
        return report_page(user, report_id, 400, _prefixed(errors, action), "请按提示修改后再提交", form, action)
    try:
        if action in confirmation.TRIAGE_ACTIONS and not confirmation.confirmed(request.form):
            preview = confirmation.triage_preview(user, report_id, action, data)
            return report_page(user, report_id, form=form, active=action, confirm=preview)
        report = service.get_report_for(user, report_id)
        service.apply_action(user, report, action, **data)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return report_page(user, report_id, err.status, _prefixed(errors_of(err), action), err.message, form, action)
    flash(DONE[action], "success")
    return redirect(url_for("console.triage_report", report_id=report_id))


@bp.route("/triage/reports/<int:report_id>/messages", methods=["POST"])
def triage_message(report_id):
    """An internal note, or a message to the reporter when 举报人可见 was chosen (internal unless said)."""
    user = staff("report.triage")
    form = {"msg-content": clean(request.form.get("msg-content")),
            "msg-visibility": clean(request.form.get("msg-visibility"))}
    raw = {k[4:]: v for k, v in form.items() if v is not None}
    data, errors = validate_form(MessageSchema(), raw)
    if errors:
        return report_page(user, report_id, 400, _prefixed(errors, "msg"), "请按提示修改后再提交", form, "msg")
    try:
        report = service.get_report_for(user, report_id)
        service.add_message(user, report, data["content"], data["visibility"])
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return report_page(user, report_id, err.status, _prefixed(errors_of(err), "msg"), err.message, form, "msg")
    flash("留言已发送给反映人" if data["visibility"] == "public" else "内部备注已保存", "success")
    return redirect(url_for("console.triage_report", report_id=report_id) + "#timeline")


@bp.route("/triage/reports/<int:report_id>/identity-request", methods=["POST"])
def triage_identity_request(report_id):
    """A written request to see a real-name reporter's identity (a custodian decides)."""
    user = staff("identity.request")
    form = {"idr-reason": clean(request.form.get("idr-reason"))}
    data, errors = validate_form(IdentityRequestSchema(), {"reason": form["idr-reason"] or ""})
    if errors:
        return report_page(user, report_id, 400, _prefixed(errors, "idr"), "请写明申请理由", form, "idr")
    try:
        report = service.get_report_for(user, report_id)
        identity.file_request(user, report, data["reason"])
        configured = identity.custodian_configured(report)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return report_page(user, report_id, err.status, _prefixed(errors_of(err), "idr"), err.message, form, "idr")
    flash("申请已提交，等待身份保管员审批" if configured else "申请已提交；当前未配置身份保管员，申请将保持待审批状态",
          "success" if configured else "warning")
    return redirect(url_for("console.triage_report", report_id=report_id))


@bp.route("/triage/reports/<int:report_id>/conflicts/<int:conflict_id>/clear", methods=["POST"])
def triage_conflict_clear(report_id, conflict_id):
    """A county-level inspector clears a false possible match (audited), with a written reason."""
    user = staff("report.triage")
    form = {"reason": clean(request.form.get("reason"))}
    try:
        conflicts.clear_conflict(user, report_id, conflict_id, form["reason"])
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return report_page(user, report_id, err.status, errors_of(err), err.message, form)
    flash("已排除误匹配，并记入审计日志", "success")
    return redirect(url_for("console.triage_report", report_id=report_id) + "#conflicts")


@bp.route("/triage/reports/<int:report_id>/attachments/<upload_id>")
def triage_attachment(report_id, upload_id):
    """An attachment of a report the inspector sees (served like the API: sandboxed, never cached)."""
    user = staff("report.view")
    report = service.get_report_for(user, report_id)
    if upload_id not in {a.id for a in report.attachments}:
        raise NotFound("未找到该文件", code="upload_not_found")
    upload, data, _ = open_upload(upload_id, user)
    response = Response(data, mimetype=upload.mime)
    kind = "attachment" if upload.mime == "application/pdf" else "inline"
    ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(upload.mime, "bin")
    response.headers["Content-Disposition"] = f'{kind}; filename="{upload.id}.{ext}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
