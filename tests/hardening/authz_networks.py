"""Rows of the authorization table for the networks' year (posted letters, mailings, petition volumes, outcomes,
proposals, rectification states, the networks' figures), and the world objects they need: a proposal of the home
county drawn from the world's case, and a warning about that case. Merged into authz_table.TABLE (print's rows,
poster.pdf, GET /qr/batches and the print name, sit with the QR rows there)."""

from datetime import date

from tests.hardening.authz_intake import DUE

TODAY = date.today().isoformat()
YEAR = date.today().year


def build_networks(w, app):
    """Add a proposal (home county, from the world's case) and a warning about that case to the world."""
    client, api = app.test_client(), w.users_api
    inspector = api.headers(w.inspector_home)
    proposal = client.post("/api/v1/triage/proposals", headers=inspector, json={
        "region_code": w.county, "addressee": "both", "title": "关于规范村级修路资金管理的建议",
        "content": "建议县级层面统一村级修路资金公开格式。", "sent_on": TODAY, "case_ids": [w.case]})
    assert proposal.status_code == 201, proposal.get_json()
    w.proposal = proposal.get_json()["id"]
    warning = client.post("/api/v1/triage/warnings", headers=inspector, json={
        "unit_id": w.home_unit, "case_id": w.case, "content": "请核查修路资金并报告整改状态。", "due_date": DUE})
    assert warning.status_code == 201, warning.get_json()
    w.case_warning = warning.get_json()["id"]
    return w


def _letter(w):
    return {"member_id": w.home_member, "postmarked_on": TODAY, "topic": "村级债务",
            "content": f"来信反映：村里修路资金去向不明（第 {next(w.counter)} 封）。",
            "form": {"subject": "修路资金", "involved": "村委会", "suggestion": "请公开账目。", "remark": None}}


def rows(Rule, S):  # noqa: N803 - the table's own names
    """The networks' rows: figures and entries are the home county's, so only the admin is an insider."""
    admin, nobody = S("admin"), frozenset()
    hidden = {"hides": True}
    outcome = {"kind": "defused", "occurred_on": TODAY, "note": "经村委会当面解释并公开账目，矛盾已化解。"}

    def report(w):
        return {"report_id": w.accepted}

    def case(w):
        return {"case_id": w.case}

    return {
        # --- the networks' year -----------------------------------------------------------------------------
        ("GET", "/api/v1/triage/letters/members"): Rule(
            S("inspector_other", "admin"), query=lambda w: {"q": str(w.home_member)}),  # outsiders find nobody
        ("POST", "/api/v1/triage/letters"): Rule(admin, sample=_letter),
        ("POST", "/api/v1/triage/mailings"): Rule(admin, sample=lambda w: {
            "region_code": w.home, "mailed_on": TODAY, "layers": {"farmer": 30, "official": 5}, "note": "第一季度"}),
        ("GET", "/api/v1/triage/mailings"): Rule(S("inspector_other", "admin")),  # scoped: outsiders see none
        ("POST", "/api/v1/triage/petitions"): Rule(admin, sample=lambda w: {
            "region_code": w.county, "year": YEAR - 1, "volume": 120}),
        ("GET", "/api/v1/triage/petitions"): Rule(S("inspector_other", "admin")),
        ("POST", "/api/v1/triage/reports/<int:report_id>/outcomes"): Rule(
            nobody, path=report, sample=lambda w: outcome, **hidden),
        ("GET", "/api/v1/triage/reports/<int:report_id>/outcomes"): Rule(nobody, path=report, **hidden),
        ("POST", "/api/v1/triage/cases/<int:case_id>/outcomes"): Rule(
            nobody, path=case, sample=lambda w: outcome, **hidden),
        ("GET", "/api/v1/triage/cases/<int:case_id>/outcomes"): Rule(nobody, path=case, **hidden),
        ("POST", "/api/v1/triage/proposals"): Rule(nobody, sample=lambda w: {
            "region_code": w.county, "addressee": "government", "title": "关于村级债务公开的建议",
            "content": "建议每季度公开村级债务。", "sent_on": TODAY, "case_ids": [w.case]}),
        ("GET", "/api/v1/triage/proposals"): Rule(S("inspector_other"), query=lambda w: {"year": YEAR}),
        ("GET", "/api/v1/triage/proposals/<int:proposal_id>"): Rule(
            nobody, path=lambda w: {"proposal_id": w.proposal}, **hidden),
        ("POST", "/api/v1/triage/proposals/<int:proposal_id>/answer"): Rule(
            nobody, path=lambda w: {"proposal_id": w.proposal},
            sample=lambda w: {"answer": "县政府已责成农业农村局统一公开格式。", "answered_on": TODAY}, **hidden),
        ("POST", "/api/v1/unit/warnings/<int:warning_id>/rectification"): Rule(
            nobody, path=lambda w: {"warning_id": w.case_warning},
            sample=lambda w: {"state": "rectified", "content": "已整改完毕。", "evidence": "公开照片两张"},
            **hidden),
        ("GET", "/api/v1/triage/stats/networks"): Rule(
            admin, query=lambda w: {"region_code": w.county, "from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}),
    }
