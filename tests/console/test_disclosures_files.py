"""Console: the finance ledger upload (preview, then confirm), ledger downloads and attachments of texts."""

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.disclosures.models import Disclosure
from app.extensions import db
from app.files.models import Upload
from tests.console.conftest import csrf_of, text
from tests.console.test_disclosures import clients_of_two_villages, make_draft
from tests.disclosures.factories import finance


@pytest.fixture
def village_staff(county, console_as):
    """Publisher and reviewer of 龙井村, publisher of 罗家坡村 (logged in)."""
    return clients_of_two_villages(console_as)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def lines_of(app, disclosure_id):
    with app.app_context():
        return db.session.get(Disclosure, disclosure_id).latest.content["lines"]


def upload(client, url, name, data, page_url=None):
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_of(page), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_xlsx_upload_is_previewed_with_totals_then_saved_on_confirm(app, village_staff):
    pub, _, _ = village_staff
    did = make_draft(app, pub.user_id, content=finance(lines=3))
    url = f"/console/disclosures/{did}/import"
    preview = upload(pub, url, "ledger.xlsx", (FIXTURES / "finance_sample.xlsx").read_bytes())
    body = text(preview)
    assert preview.status_code == 200, body
    assert "尚未保存" in body and "29 行" in body and "199,618.59" in body
    assert len(lines_of(app, did)) == 3  # nothing saved by the preview
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)
    done = pub.post(f"{url}/confirm", data={"csrf_token": csrf_of(preview), "token": token,
                                            "filename": "ledger.xlsx"})
    assert done.status_code == 302
    assert len(lines_of(app, did)) == 29
    assert "已导入 29 行收支明细" in text(pub.get(done.headers["Location"]))
    again = pub.post(f"{url}/confirm", data={"csrf_token": csrf_of(preview), "token": token})
    assert again.status_code == 400 and "预览已过期" in text(again)


def test_a_bad_row_is_named_and_nothing_is_imported(app, village_staff):
    pub, _, _ = village_staff
    did = make_draft(app, pub.user_id, content=finance(lines=3))
    url = f"/console/disclosures/{did}/import"
    csv = "日期,凭证号,收支,科目,金额(元),对方单位,备注\n2026-03-02,记-01,收入,补助,100.00,财政局,\n" \
          "2026-03-03,记-02,支出,办公费,abc,文印店,\n"
    bad = upload(pub, url, "ledger.csv", csv.encode("utf-8"))
    assert bad.status_code == 422
    assert "第 3 行“金额(元)”列：金额格式无效" in text(bad) and "整个文件未导入" in text(bad)
    missing = pub.post(url, data={"csrf_token": csrf_of(pub.get(url))}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "请选择要导入的台账文件" in text(missing)
    picture = upload(pub, url, "ledger.xlsx", (FIXTURES / "tiny.pdf").read_bytes())
    assert picture.status_code == 415
    assert len(lines_of(app, did)) == 3


def test_only_the_villages_publisher_may_import(app, village_staff):
    pub, rev, other = village_staff
    did = make_draft(app, pub.user_id)
    data = (FIXTURES / "finance_sample.csv").read_bytes()
    assert rev.get(f"/console/disclosures/{did}/import").status_code == 403
    refused = other.post(f"/console/disclosures/{did}/import",
                         data={"csrf_token": csrf_of(other.get("/console/")), "file": (io.BytesIO(data), "x.csv")},
                         content_type="multipart/form-data")
    assert refused.status_code == 403
    power = make_draft(app, pub.user_id, "power")
    assert pub.get(f"/console/disclosures/{power}/import").status_code == 400


def test_ledger_download(app, village_staff):
    pub, rev, other = village_staff
    did = make_draft(app, pub.user_id)
    xlsx = rev.get(f"/console/disclosures/{did}/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "attachment" in xlsx.headers["Content-Disposition"]
    csv = pub.get(f"/console/disclosures/{did}/export?format=csv")
    assert csv.status_code == 200 and "期末余额" in csv.data.decode("utf-8-sig")
    assert pub.get(f"/console/disclosures/{did}/export?format=pdf").status_code == 400
    assert other.get(f"/console/disclosures/{did}/export?format=csv").status_code == 404


def test_attachments_are_uploaded_linked_and_served_to_village_staff(app, village_staff):
    pub, rev, other = village_staff
    did = make_draft(app, pub.user_id, "party")
    url = f"/console/disclosures/{did}"
    done = upload(pub, f"{url}/attachments", "会议纪要.pdf", (FIXTURES / "tiny.pdf").read_bytes(), url)
    assert done.status_code == 302, text(done)
    with app.app_context():
        ids = db.session.get(Disclosure, did).latest.content["attachment_ids"]
        assert len(ids) == 1 and db.session.get(Upload, ids[0]).mime == "application/pdf"
    assert "附件 1（PDF" in text(pub.get(url))
    served = rev.get(f"{url}/attachments/{ids[0]}")
    assert served.status_code == 200 and served.data.startswith(b"%PDF")
    assert other.get(f"{url}/attachments/{ids[0]}").status_code == 403
    assert pub.get(f"{url}/attachments/{'0' * 32}").status_code == 404

    bad = upload(pub, f"{url}/attachments", "photo.png", (FIXTURES / "renamed_exe.png").read_bytes(), url)
    assert bad.status_code == 415 and "仅支持 JPG、PNG、WebP 图片和 PDF 文件" in text(bad)
    with app.app_context():
        assert db.session.get(Disclosure, did).latest.content["attachment_ids"] == ids
    assert rev.post(f"{url}/attachments", data={"csrf_token": csrf_of(rev.get(url))}).status_code == 403
    edit = pub.get(f"{url}/edit")
    removed = pub.post(f"{url}/edit", data={"csrf_token": csrf_of(edit), "title": "党务", "period": "2026-Q1",
                                            "body": "正文", "attachment-0": ids[0], "attachment-0-remove": "1"})
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(Disclosure, did).latest.content["attachment_ids"] == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Upload)) == 1
