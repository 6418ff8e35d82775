"""Probing one report of the conflict matrix: who tries which route, what counts as a refusal, and the routes the
matrix must classify (every report-bearing rule of app.url_map).

A refusal is 401/403/404, or 409 with a conflict code (assign_to_accused_unit …), and an answer that never carries
the report's tracking number or the marker written into its content. A list answers 403, or 200 without them.
"""

import json
import re

import sqlalchemy as sa

API = "/api/v1"
R = f"{API}/triage/reports/<int:report_id>"
DETAIL, SIMILAR, CONFLICTS = ("GET", R), ("GET", f"{R}/similar"), ("GET", f"{R}/conflicts")
CLEAR = ("POST", f"{R}/conflicts/<int:conflict_id>/clear")
MESSAGES, IDENTITY = ("POST", f"{R}/messages"), ("POST", f"{R}/identity-requests")
ACTIONS = ("accept", "refuse", "assign", "hold", "resume", "conclude", "close", "reopen")
UPLOAD = ("GET", f"{API}/uploads/<upload_id>")
CASES, CASE_LIST = ("POST", f"{API}/triage/cases"), ("GET", f"{API}/triage/cases")
CASE = ("GET", f"{API}/triage/cases/<int:case_id>")
CASE_REPORTS, CASE_CONCLUDE = ("POST", f"{CASE[1]}/reports"), ("POST", f"{CASE[1]}/conclude")
WARN, WARN_LIST = ("POST", f"{API}/triage/warnings"), ("GET", f"{API}/triage/warnings")
ASSIGNMENT_ANSWER = ("POST", f"{API}/unit/assignments/<int:assignment_id>/response")
WARNING_ANSWER = ("POST", f"{API}/unit/warnings/<int:warning_id>/response")
APPROVE = ("POST", f"{API}/custody/identity-requests/<int:request_id>/approve")
DENY = ("POST", f"{API}/custody/identity-requests/<int:request_id>/deny")
QUEUE, LEDGER, STATS = ("GET", f"{API}/triage/reports"), ("GET", f"{API}/triage/ledger"), ("GET", f"{API}/triage/stats")
UNIT_ASSIGNMENTS, UNIT_WARNINGS = ("GET", f"{API}/unit/assignments"), ("GET", f"{API}/unit/warnings")
CUSTODY_LIST = ("GET", f"{API}/custody/identity-requests")


def act(action):
    """The (method, rule) of a transition."""
    return ("POST", f"{R}/{action}")


C = "/console"
CONSOLE_REPORT = f"{C}/triage/reports/<int:report_id>"
CONSOLE = {
    "pages": [("GET", p) for p in (f"{C}/", f"{C}/triage", CONSOLE_REPORT, f"{C}/cases", f"{C}/cases/<int:case_id>",
                                    f"{C}/custody", f"{C}/warnings", f"{C}/warnings/new", f"{C}/ledger",
                                    f"{C}/unit", f"{C}/stats", f"{CONSOLE_REPORT}/attachments/<upload_id>",
                                    f"{C}/stats/networks", f"{C}/stats/networks/reports")],
    "forms": [("POST", p) for p in (f"{CONSOLE_REPORT}/act/<action>", f"{CONSOLE_REPORT}/identity-request",
                                     f"{CONSOLE_REPORT}/messages", f"{C}/cases/<int:case_id>/conclude",
                                     f"{C}/cases/merge", f"{C}/warnings/new",
                                     f"{C}/custody/<int:request_id>/<decision>",
                                     f"{C}/unit/assignments/<int:assignment_id>/response",
                                     f"{C}/unit/warnings/<int:warning_id>/response",
                                     f"{CONSOLE_REPORT}/conflicts/<int:conflict_id>/clear",
                                     f"{CONSOLE_REPORT}/outcomes", f"{C}/cases/<int:case_id>/outcomes")],
}
OUTCOMES, CASE_OUTCOMES = (f"{R}/outcomes", f"{CASE[1]}/outcomes")
RECORD_OUTCOME, READ_OUTCOMES = ("POST", OUTCOMES), ("GET", OUTCOMES)
RECORD_CASE_OUTCOME, READ_CASE_OUTCOMES = ("POST", CASE_OUTCOMES), ("GET", CASE_OUTCOMES)
WARNING_RECTIFY = ("POST", f"{API}/unit/warnings/<int:warning_id>/rectification")
NETWORK_ROUTES = {RECORD_OUTCOME, READ_OUTCOMES, RECORD_CASE_OUTCOME, READ_CASE_OUTCOMES, WARNING_RECTIFY}
# routes of work in progress: probed when the app has them, never reported stale (none now: the networks' outcomes,
# rectification states and figures pages exist and are probed for real)
PENDING = frozenset()
REAL_NAME_ONLY = {IDENTITY, APPROVE, DENY}
API_ROUTES = {DETAIL, SIMILAR, CONFLICTS, CLEAR, MESSAGES, IDENTITY, UPLOAD, CASES, CASE_LIST, CASE, CASE_REPORTS,
              CASE_CONCLUDE, WARN, WARN_LIST, ASSIGNMENT_ANSWER, WARNING_ANSWER, APPROVE, DENY, QUEUE, LEDGER, STATS,
              UNIT_ASSIGNMENTS, UNIT_WARNINGS, CUSTODY_LIST, *NETWORK_ROUTES, *PENDING, *(act(a) for a in ACTIONS)}
CLASSIFIED = API_ROUTES | set(CONSOLE["pages"]) | set(CONSOLE["forms"])

ID_PARAMS = {"report_id", "case_id", "request_id", "assignment_id", "warning_id"}
LIST_RULES = {f"{API}/triage/reports", f"{API}/triage/cases", f"{API}/triage/ledger", f"{API}/triage/warnings",
              f"{API}/unit/assignments", f"{API}/unit/warnings", f"{API}/custody/identity-requests",
              f"{API}/triage/stats"}
CONSOLE_PREFIXES = tuple(f"{C}/{p}" for p in ("triage", "cases", "custody", "warnings", "ledger", "unit", "stats"))
CONFLICT_CODES = {"assign_to_accused_unit", "accused_unit", "requester_conflicted"}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def report_bearing(app):
    """Every (method, rule) through which staff may reach a report: ids of reports, cases, requests, assignments
    and warnings in the path, the list endpoints, report attachments, and the console's triage pages."""
    found = set()
    for rule in app.url_map.iter_rules():
        text = rule.rule
        bearing = (bool(rule.arguments & ID_PARAMS) or text in LIST_RULES or text == UPLOAD[1]
                   or text == f"{C}/" or text.startswith(CONSOLE_PREFIXES))
        if bearing and (text.startswith(API) or text.startswith(C)):
            found |= {(m, text) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def _conflicts(w, report_id):
    from app.extensions import db
    from app.reports.models import ReportConflict

    with w.app.app_context():
        return list(db.session.scalars(sa.select(ReportConflict).where(ReportConflict.report_id == report_id)
                                       .order_by(ReportConflict.id)))


def first_conflict(w, report_id):
    """The id of the report's first possible match (what a party's console form tries to clear)."""
    return _conflicts(w, report_id)[0].id


def side_effects(w, report_id):
    """What a party's console form could change beyond the report's timeline: its cleared possible matches and the
    outcomes recorded anywhere (a case's outcome leaves no report timeline step)."""
    from app.extensions import db
    from app.triage.network_models import Outcome

    with w.app.app_context():
        outcomes = db.session.scalar(sa.select(sa.func.count()).select_from(Outcome))
    return sum(row.cleared_at is not None for row in _conflicts(w, report_id)), outcomes


def url(rule, params):
    """The rule with its path parameters filled in."""
    return PARAM.sub(lambda m: str(params[m.group(1)]), rule)


def leaks(response, item):
    """Whether an answer carries the report's tracking number or its content marker."""
    text = response.get_data(as_text=True)
    if response.is_json:  # JSON escapes Chinese as \uXXXX: compare the decoded text
        text = json.dumps(response.get_json(silent=True), ensure_ascii=False)
    return item.tracking_no in text or item.marker in text


def refusal_problem(response, item):
    """None when the answer is a refusal that reveals nothing, else what is wrong."""
    status = response.status_code
    body = response.get_json(silent=True) if response.is_json else None
    code = body.get("error", {}).get("code") if isinstance(body, dict) and "error" in body else None
    if leaks(response, item):
        return f"{status} {code or ''} carries the report"
    if status in (401, 403, 404) or (status == 409 and code in CONFLICT_CODES):
        return None
    return f"not refused: {status} {code or ''}".rstrip()


class Probe:
    """One report's walk: parties try routes (they must be refused), the clean inspector moves the report on."""

    def __init__(self, w, item, parties, headers):
        self.w, self.item, self.parties, self.headers = w, item, parties, headers
        self.client = w.app.test_client()
        self.problems, self.probed = [], set()

    def call(self, role, key, params=None, body=None, query=None):
        """One API request as a role."""
        method, rule = key
        return self.client.open(url(rule, params or {}), method=method, json=body, query_string=query,
                                headers=self.headers(self.w, role))

    def present(self, key):
        """Whether the app routes (method, rule) (a PENDING route may not be there yet)."""
        return any(rule.rule == key[1] and key[0] in rule.methods for rule in self.w.app.url_map.iter_rules())

    def refused(self, key, params=None, body=None, query=None, roles=None):
        """Every party (or `roles`) is refused, and nothing in the answer names the report."""
        if key in PENDING and not self.present(key):
            return
        self.probed.add(key)
        for role in roles or self.parties:
            problem = refusal_problem(self.call(role, key, params, body, query), self.item)
            if problem:
                self.problems.append(f"{role}: {key[0]} {key[1]}: {problem}")

    def hidden(self, key, query=None, roles=None, params=None):
        """A list: every party gets 403 or 404, or a 200 that does not name the report."""
        self.probed.add(key)
        for role in roles or self.parties:
            response = self.call(role, key, params, query=query)
            if response.status_code not in (200, 403, 404) or leaks(response, self.item):
                self.problems.append(f"{role}: {key[0]} {key[1]} {query or ''}: {response.status_code}, "
                                     f"{'names the report' if leaks(response, self.item) else 'unexpected'}")

    def reaches(self, key, params=None, body=None, query=None, role="clean", status=200, shows=True):
        """The clean role reaches the report (the matrix can fail); returns the JSON answer."""
        response = self.call(role, key, params, body, query)
        assert response.status_code == status, (role, key, response.status_code, response.get_data(as_text=True))
        if shows:
            assert leaks(response, self.item), (role, key, "answer does not show the report")
        return response.get_json(silent=True)
