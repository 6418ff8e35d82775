"""POST /disclosures/{id}/finance-import and GET /disclosures/{id}/finance-export."""

import io
from pathlib import Path

import sqlalchemy as sa

from app.disclosures.finance_io import read_ledger
from app.disclosures.models import DisclosureVersion
from app.extensions import db
from tests.conftest import error_of
from tests.disclosures.factories import act, create, publish_new

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _upload(client, headers, disclosure_id, data, name="ledger.xlsx"):
    return client.post(f"/api/v1/disclosures/{disclosure_id}/finance-import", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _draft(client, staff, kind="finance"):
    return create(client, staff.publisher, kind).get_json()["id"]


def _content(app, disclosure_id):
    with app.app_context():
        return db.session.scalar(sa.select(DisclosureVersion.content)
                                 .where(DisclosureVersion.disclosure_id == disclosure_id))


def test_import_csv_fills_the_draft(app, client, staff):
    disclosure_id = _draft(client, staff)
    response = _upload(client, staff.publisher, disclosure_id, (FIXTURES / "finance_sample.csv").read_bytes(),
                       "收支.csv")
    assert response.status_code == 200
    content = response.get_json()["versions"][0]["content"]
    assert content["line_count"] == 29 and content["opening_balance_fen"] == 18642035
    assert content["income_total"]["display"] == "117,917.42"


def test_a_bad_row_is_422_and_nothing_is_saved(app, client, staff):
    disclosure_id = _draft(client, staff)
    before = _content(app, disclosure_id)
    data = ("日期,凭证号,收支,科目,金额(元),对方单位,备注\n"
            "2026-03-01,1,收入,租金,5,,\n2026-03-02,2,支出,办公费,5.555,,\n")
    response = _upload(client, staff.publisher, disclosure_id, data.encode(), "a.csv")
    assert response.status_code == 422
    error = error_of(response)
    assert error["fields"] == {"row": 3, "column": "金额(元)"} and "第 3 行" in error["message"]
    assert _content(app, disclosure_id) == before
    outside = data.replace("2026-03-02", "2026-05-02").replace("5.555", "5")
    assert error_of(_upload(client, staff.publisher, disclosure_id, outside.encode(), "a.csv"))["fields"] == {
        "row": 3, "column": "日期"}


def test_import_refusals(client, staff):
    disclosure_id = _draft(client, staff)
    no_file = client.post(f"/api/v1/disclosures/{disclosure_id}/finance-import", headers=staff.publisher,
                          data={"other": "x"}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and error_of(no_file)["code"] == "file_missing"
    as_json = client.post(f"/api/v1/disclosures/{disclosure_id}/finance-import", headers=staff.publisher, json={})
    assert as_json.status_code == 415
    big = _upload(client, staff.publisher, disclosure_id, b"a" * (5 * 1024 * 1024 + 10), "big.csv")
    assert big.status_code == 413 and error_of(big)["code"] == "ledger_too_large"
    pdf = _upload(client, staff.publisher, disclosure_id, (FIXTURES / "tiny.pdf").read_bytes(), "ledger.xlsx")
    assert pdf.status_code == 415
    assert _upload(client, staff.publisher, disclosure_id, b"", "empty.csv").status_code == 422


def test_import_permissions_and_states(client, staff):
    data = (FIXTURES / "finance_sample.xlsx").read_bytes()
    disclosure_id = _draft(client, staff)
    assert _upload(client, {}, disclosure_id, data).status_code == 401
    for headers in (staff.resident, staff.other_publisher, staff.reviewer):
        assert _upload(client, headers, disclosure_id, data).status_code == 403
    assert _upload(client, staff.publisher, 999, data).status_code == 404
    affairs_id = _draft(client, staff, "affairs")
    assert error_of(_upload(client, staff.publisher, affairs_id, data))["code"] == "not_finance"
    act(client, staff.publisher, disclosure_id, "submit")
    locked = _upload(client, staff.publisher, disclosure_id, data)
    assert locked.status_code == 409 and error_of(locked)["code"] == "not_editable"


def test_export_published_for_everyone_drafts_for_staff(client, staff):
    disclosure_id = publish_new(client, staff, "finance")
    csv = client.get(f"/api/v1/disclosures/{disclosure_id}/finance-export?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    lines = read_ledger(csv.data, "x.csv").lines
    assert len(lines) == 3 and lines[0]["amount_fen"] == 1005
    xlsx = client.get(f"/api/v1/disclosures/{disclosure_id}/finance-export")
    assert xlsx.data[:2] == b"PK" and read_ledger(xlsx.data, "x.xlsx").lines == lines
    act(client, staff.publisher, disclosure_id, "corrections", {"content": {"opening_balance_fen": 0, "lines": []},
                                                                "reason": "重新录入"})
    assert client.get(f"/api/v1/disclosures/{disclosure_id}/finance-export?version=2").status_code == 404
    staff_copy = client.get(f"/api/v1/disclosures/{disclosure_id}/finance-export?version=2&format=csv",
                            headers=staff.reviewer)
    assert staff_copy.status_code == 200 and "期初余额,,,,0.00" in staff_copy.data.decode("utf-8-sig")
    assert error_of(client.get(f"/api/v1/disclosures/{disclosure_id}/finance-export?format=pdf"))["fields"]
    draft_id = _draft(client, staff)
    assert client.get(f"/api/v1/disclosures/{draft_id}/finance-export").status_code == 404
    assert client.get("/api/v1/disclosures/999/finance-export").status_code == 404
