"""THE declared table of who may call what: one row per (method, Flask rule) under /api/v1.

Personas (tests/hardening/world.py): anonymous, resident, member (contact point), publisher_other and
reviewer_other (another village), inspector_other (another county), handler_other (another unit), custodian,
admin. Every object in `w` belongs to the home village 龙井村 / the home unit, so only global roles reach it.

A row: `allowed` personas must never get 401/403 (nor 5xx); every other persona must get 401/403, or 404 when
`hides=True` (the endpoint hides that the object exists). `sample(w)` is a VALID JSON body, `path(w)` the path
parameters, `query(w)` the query string, `upload(w)` a multipart file (name, bytes): a refused persona must be
refused for who it is, never merely for a bad request. Adding a route: copy the nearest row (docs/security.md).
"""

from collections.abc import Callable
from dataclasses import dataclass

from tests.disclosures import factories as f
from tests.hardening.world import ALL, SIGNED_IN

NOBODY = frozenset()  # only the home village's own staff (not a persona here) may call it


@dataclass(frozen=True)
class Rule:
    """Who may call one operation, and a request that is valid for whoever may."""

    allowed: frozenset
    sample: Callable | None = None
    path: Callable = lambda w: {}
    query: Callable = lambda w: {}
    upload: Callable | None = None
    hides: bool = False


def S(*names):  # noqa: N802 - reads like a set literal in the table
    """A frozenset of persona names."""
    return frozenset(names)


ADMIN = S("admin")
DISCLOSURE_READERS = S("publisher_other", "reviewer_other", "inspector_other", "admin")


def _draft(w):
    return {"disclosure_id": w.draft}


def _unique(w, prefix):
    return f"{prefix}{next(w.counter)}"


TABLE = {
    # --- auth -------------------------------------------------------------------------------------------
    ("POST", "/api/v1/auth/login"): Rule(ALL, sample=lambda w: {"username": "publisher_home", "password": w.password}),
    ("POST", "/api/v1/auth/wechat"): Rule(ALL, sample=lambda w: {"code": "0a1b2c3d4e5f"}),
    ("POST", "/api/v1/auth/logout"): Rule(SIGNED_IN),
    ("POST", "/api/v1/auth/bind"): Rule(SIGNED_IN, sample=lambda w: {"invite_code": "ABCD-EFGH-JKMN"}),
    ("POST", "/api/v1/auth/totp/setup"): Rule(SIGNED_IN),
    ("POST", "/api/v1/auth/totp/enable"): Rule(SIGNED_IN, sample=lambda w: {"otp": "123456"}),
    ("GET", "/api/v1/me"): Rule(SIGNED_IN),
    ("GET", "/api/v1/admin/users"): Rule(ADMIN),
    ("POST", "/api/v1/admin/users"): Rule(ADMIN, sample=lambda w: {
        "username": _unique(w, "matrix_user"), "display_name": "矩阵测试账号", "password": "Matrix-pass-2026",
        "grants": [{"role": "publisher", "region_code": w.home}]}),
    ("POST", "/api/v1/admin/users/<int:user_id>/grants"): Rule(
        ADMIN, path=lambda w: {"user_id": w.resident_target},
        sample=lambda w: {"role": "reviewer", "region_code": w.home}),
    ("DELETE", "/api/v1/admin/users/<int:user_id>/grants/<int:grant_id>"): Rule(
        ADMIN, path=lambda w: {"user_id": w.publisher_home, "grant_id": w.grant}),
    ("POST", "/api/v1/admin/users/<int:user_id>/invites"): Rule(ADMIN, path=lambda w: {"user_id": w.publisher_home}),
    ("GET", "/api/v1/admin/grants/pending"): Rule(ADMIN),
    ("POST", "/api/v1/admin/grants/<int:grant_id>/confirm"): Rule(ADMIN, path=lambda w: {"grant_id": w.grant}),
    # --- regions, units, audit --------------------------------------------------------------------------
    ("GET", "/api/v1/villages"): Rule(ALL),
    ("GET", "/api/v1/villages/<code>"): Rule(ALL, path=lambda w: {"code": w.home}),
    ("GET", "/api/v1/regions"): Rule(ALL),
    ("PUT", "/api/v1/villages/<code>/roster"): Rule(ADMIN, path=lambda w: {"code": w.home}, sample=lambda w: {
        "cadres": [{"name": "张建国", "post": "村党支部书记", "is_party_member": True}]}),
    ("GET", "/api/v1/villages/<code>/units"): Rule(ALL, path=lambda w: {"code": w.home}),
    ("PUT", "/api/v1/admin/cadres/<int:cadre_id>/account"): Rule(
        ADMIN, path=lambda w: {"cadre_id": w.cadre}, sample=lambda w: {"user_id": w.inspector_home}),
    ("GET", "/api/v1/units"): Rule(SIGNED_IN - S("resident", "member")),
    ("POST", "/api/v1/admin/units"): Rule(ADMIN, sample=lambda w: {
        "name": _unique(w, "矩阵测试单位"), "kind": "department", "region_code": w.county}),
    ("GET", "/api/v1/admin/audit"): Rule(S("custodian", "admin")),
    # --- uploads ----------------------------------------------------------------------------------------
    ("POST", "/api/v1/uploads"): Rule(ALL, upload=lambda w: ("photo.png", w.png)),
    ("GET", "/api/v1/uploads/<upload_id>"): Rule(NOBODY, path=lambda w: {"upload_id": w.upload}, hides=True),
    # --- disclosures: public reads ----------------------------------------------------------------------
    ("GET", "/api/v1/villages/<code>/disclosures"): Rule(ALL, path=lambda w: {"code": w.home}),
    ("GET", "/api/v1/disclosures/<int:disclosure_id>"): Rule(ALL, path=lambda w: {"disclosure_id": w.published}),
    ("GET", "/api/v1/disclosures/<int:disclosure_id>/versions/<int:number>"): Rule(
        ALL, path=lambda w: {"disclosure_id": w.published, "number": 1}),
    ("GET", "/api/v1/villages/<code>/ledger"): Rule(
        ALL, path=lambda w: {"code": w.home}, query=lambda w: {"verify": 1}),
    ("GET", "/api/v1/villages/<code>/ledger/<int:seq>"): Rule(ALL, path=lambda w: {"code": w.home, "seq": 1}),
    # --- disclosures: the home village's publisher and reviewer only --------------------------------------
    ("POST", "/api/v1/disclosures"): Rule(NOBODY, sample=lambda w: {
        "village_code": w.home, "kind": "finance", "period": "2026-04", "title": "矩阵测试", "content": f.finance()}),
    ("PATCH", "/api/v1/disclosures/<int:disclosure_id>"): Rule(NOBODY, path=_draft, sample=lambda w: {"title": "改"}),
    ("POST", "/api/v1/disclosures/<int:disclosure_id>/submit"): Rule(NOBODY, path=_draft),
    ("POST", "/api/v1/disclosures/<int:disclosure_id>/approve"): Rule(
        NOBODY, path=lambda w: {"disclosure_id": w.submitted}, sample=lambda w: {}),
    ("POST", "/api/v1/disclosures/<int:disclosure_id>/reject"): Rule(
        NOBODY, path=lambda w: {"disclosure_id": w.submitted}, sample=lambda w: {"reason": "数据有误，请核对"}),
    ("POST", "/api/v1/disclosures/<int:disclosure_id>/publish"): Rule(
        NOBODY, path=lambda w: {"disclosure_id": w.approved}),
    ("POST", "/api/v1/disclosures/<int:disclosure_id>/corrections"): Rule(
        NOBODY, path=lambda w: {"disclosure_id": w.published},
        sample=lambda w: {"content": f.finance(2), "reason": "更正金额录入错误"}),
    ("POST", "/api/v1/disclosures/<int:disclosure_id>/withdraw"): Rule(
        NOBODY, path=lambda w: {"disclosure_id": w.withdrawable}, sample=lambda w: {"reason": "重复发布"}),
    ("POST", "/api/v1/disclosures/<int:disclosure_id>/finance-import"): Rule(
        NOBODY, path=_draft, upload=lambda w: ("ledger.csv", w.finance_csv)),
    # a draft's export: staff who may see the village's drafts (admin), hidden from everyone else
    ("GET", "/api/v1/disclosures/<int:disclosure_id>/finance-export"): Rule(
        ADMIN, path=_draft, query=lambda w: {"format": "csv"}, hides=True),
    ("GET", "/api/v1/staff/disclosures"): Rule(DISCLOSURE_READERS),
    ("GET", "/api/v1/staff/disclosures/<int:disclosure_id>"): Rule(ADMIN, path=_draft, hides=True),
    ("GET", "/api/v1/admin/disclosure-compliance"): Rule(ADMIN, query=lambda w: {"township": w.township}),
    # --- QR codes, posters, batches, scans --------------------------------------------------------------
    ("GET", "/api/v1/villages/<code>/qr.png"): Rule(ALL, path=lambda w: {"code": w.home}, query=lambda w: {"size": 64}),
    ("GET", "/api/v1/villages/<code>/qr.svg"): Rule(ALL, path=lambda w: {"code": w.home}),
    ("GET", "/api/v1/villages/<code>/wxacode.png"): Rule(ALL, path=lambda w: {"code": w.home}),
    ("GET", "/api/v1/villages/<code>/poster.png"): Rule(ADMIN, path=lambda w: {"code": w.home}),
    ("GET", "/api/v1/villages/<code>/poster.pdf"): Rule(ADMIN, path=lambda w: {"code": w.home}),
    ("PUT", "/api/v1/admin/regions/<code>/print-name"): Rule(
        ADMIN, path=lambda w: {"code": w.home}, sample=lambda w: {"print_name": "龙井村"}),
    ("GET", "/api/v1/qr/batches"): Rule(S("publisher_other", "admin")),  # each sees his own and his scope's
    ("POST", "/api/v1/villages/<code>/posters"): Rule(
        ADMIN, path=lambda w: {"code": w.home}, sample=lambda w: {"template": "table_card", "label": "村委会门口"}),
    ("GET", "/api/v1/villages/<code>/posters"): Rule(ADMIN, path=lambda w: {"code": w.home}),
    ("GET", "/api/v1/qr/templates"): Rule(DISCLOSURE_READERS),
    ("POST", "/api/v1/qr/batches"): Rule(ADMIN, sample=lambda w: {"village_codes": [w.home], "format": "png"}),
    ("GET", "/api/v1/qr/batches/<int:batch_id>"): Rule(ADMIN, path=lambda w: {"batch_id": w.batch}, hides=True),
    ("GET", "/api/v1/qr/batches/<int:batch_id>/download"): Rule(
        ADMIN, path=lambda w: {"batch_id": w.batch}, hides=True),
    ("GET", "/api/v1/admin/scans"): Rule(ADMIN, query=lambda w: {"township": w.township}),
    # --- contact points -----------------------------------------------------------------------------------
    ("POST", "/api/v1/admin/contact-points"): Rule(ADMIN, sample=lambda w: {
        "name": "联系点成员乙", "type": "contact_point", "layer": "farmer", "region_code": w.home,
        "phone": f"1370000{next(w.counter):04d}"}),
    ("GET", "/api/v1/admin/contact-points"): Rule(S("inspector_other", "admin")),
    ("GET", "/api/v1/admin/contact-points/<int:member_id>"): Rule(
        ADMIN, path=lambda w: {"member_id": w.home_member}, hides=True),
    ("POST", "/api/v1/admin/contact-points/<int:member_id>/invite"): Rule(
        ADMIN, path=lambda w: {"member_id": w.home_member}, hides=True),
    ("POST", "/api/v1/admin/contact-points/<int:member_id>/deactivate"): Rule(
        ADMIN, path=lambda w: {"member_id": w.home_member}, hides=True),
    ("GET", "/api/v1/contact-points/layers"): Rule(ALL),
    ("GET", "/api/v1/me/contact-point"): Rule(SIGNED_IN),
    # --- the document itself ------------------------------------------------------------------------------
    ("GET", "/api/v1/openapi.json"): Rule(ALL),
}

try:  # intake and triage: their own file (and world objects) for length; absent until those domains exist
    from tests.hardening.authz_intake import rows as _intake_rows
except ImportError:  # pragma: no cover
    _intake_rows = None
if _intake_rows is not None:
    TABLE.update(_intake_rows(Rule, S))
    from tests.hardening.authz_networks import rows as _network_rows  # the networks' year and print

    TABLE.update(_network_rows(Rule, S))
