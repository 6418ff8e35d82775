"""The one safe .xlsx reader: sheet XML with a DTD (billion laughs, external entity) is 422 "文件格式不受支持".

Each hostile workbook is a real one written by openpyxl whose parts are then rewritten with zipfile, as an
attacker would; it goes through the reader itself, the finance import API, and the contact-point and region
imports of the console.
"""

import io
import zipfile

import openpyxl
import pytest

from app.core.spreadsheets import xlsx_rows
from app.errors import Unprocessable
from tests.conftest import error_of
from tests.console.conftest import csrf_of, login, text
from tests.disclosures.conftest import staff  # noqa: F401 (fixture)
from tests.disclosures.factories import create

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(2, 10))
          .replace("&lol1;", "&lol;") + "]>")
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PARAMETER = '<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'


def workbook():
    """A small, valid workbook: a header and one row, strings shared."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["日期", "凭证号", "收支", "科目", "金额（元）", "对方单位", "备注"])
    sheet.append(["2026-04-01", "记-001", "收入", "上级补助收入", 100.0, "宝丰镇财政所", "marker"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data, member, change):
    """The workbook with one part's XML passed through change(text) -> text."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == member:
                body = change(body.decode("utf-8")).encode("utf-8")
            target.writestr(info, body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SHARED = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>'


def with_doctype(doctype, member=SHEET, entity=None, encoding=None):
    """The workbook with `doctype` after the XML declaration of `member` (and `entity` in place of "marker")."""
    def change(xml):
        head, sep, rest = xml.partition("?>")
        if not sep:
            head, sep, rest = "", "", xml
        rest = rest.replace("marker", entity) if entity else rest
        return head + sep + doctype + rest

    data = rewritten(workbook(), member, change)
    if encoding:  # the same part saved in another encoding, as a bypass attempt
        data = _reencode(data, member, encoding)
    return data


def with_part(name, xml):
    """The workbook with one more XML part (openpyxl writes inline strings: no sharedStrings.xml of its own)."""
    source, out = zipfile.ZipFile(io.BytesIO(workbook())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(name, xml)
    return out.getvalue()


def _reencode(data, member, encoding):
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == member:
                text_ = body.decode("utf-8").replace('encoding="UTF-8"', f'encoding="{encoding}"')
                body = text_.encode(encoding)
            target.writestr(info, body)
    return out.getvalue()


HOSTILE = {
    "billion_laughs_in_sheet": lambda: with_doctype(LAUGHS, entity="&lol9;"),
    "external_entity_in_sheet": lambda: with_doctype(EXTERNAL, entity="&xxe;"),
    "external_entity_in_shared_strings": lambda: with_part("xl/sharedStrings.xml", EXTERNAL + SHARED),
    "parameter_entity_in_workbook": lambda: with_doctype(PARAMETER, "xl/workbook.xml"),
    "doctype_in_content_types": lambda: with_doctype("<!DOCTYPE Types>", "[Content_Types].xml"),
    "utf16_sheet_with_dtd": lambda: with_doctype(EXTERNAL, entity="&xxe;", encoding="UTF-16"),
    "lowercase_doctype": lambda: with_doctype(EXTERNAL.replace("DOCTYPE", "doctype"), entity="&xxe;"),
}


def test_the_clean_workbook_reads():
    """The fixture itself is fine: the refusals below are for the DTD alone."""
    rows = xlsx_rows(workbook(), code="ledger", suffix="")
    assert rows[1][6] == "marker"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_reader_refuses_dtds_and_entities(name):
    """Every XML part is looked at, in any case and in UTF-16, before openpyxl parses anything."""
    with pytest.raises(Unprocessable) as err:
        xlsx_rows(HOSTILE[name](), code="ledger", suffix="，整个文件未导入")
    assert err.value.status == 422 and err.value.code == "ledger_unsupported"
    assert err.value.message.startswith("文件格式不受支持") and err.value.message.endswith("，整个文件未导入")


def test_openpyxl_parses_with_defusedxml():
    """defusedxml is installed, so openpyxl itself refuses entities too (the second line of defence)."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_a_dtd_the_check_misses_is_still_refused_by_defusedxml(monkeypatch):
    """With the explicit check switched off, defusedxml's refusal is still a 422 "文件格式不受支持"."""
    from app.core import spreadsheets

    monkeypatch.setattr(spreadsheets, "refuse_dtds", lambda archive, **kwargs: None)
    with pytest.raises(Unprocessable) as err:
        xlsx_rows(HOSTILE["billion_laughs_in_sheet"](), code="ledger", suffix="")
    assert err.value.message.startswith("文件格式不受支持")


def test_malformed_sheet_xml_is_a_422_not_a_500():
    """A sheet that is not well-formed XML (ParseError is a SyntaxError, not a ValueError) is 422."""
    data = rewritten(workbook(), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(Unprocessable) as err:
        xlsx_rows(data, code="ledger", suffix="")
    assert err.value.code == "ledger_invalid"


@pytest.mark.parametrize("name", ["billion_laughs_in_sheet", "external_entity_in_shared_strings"])
def test_finance_import_answers_422(client, staff, name):  # noqa: F811 (fixture)
    """Replay: POST /api/v1/disclosures/{id}/finance-import with a DTD in the sheet XML."""
    draft = create(client, staff.publisher, "finance").get_json()["id"]
    response = client.post(f"/api/v1/disclosures/{draft}/finance-import", headers=staff.publisher,
                           data={"file": (io.BytesIO(HOSTILE[name]()), "台账.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    assert error_of(response)["message"].startswith("文件格式不受支持")


def _console_upload(app, make_user, page, data, extra=None):
    make_user(("admin",), username="sheet_admin")
    console = app.test_client()
    assert login(console, "sheet_admin").status_code == 302
    token = csrf_of(console.get(page))
    return console.post(page, content_type="multipart/form-data",
                        data={"csrf_token": token, "file": (io.BytesIO(data), "名单.xlsx"), **(extra or {})})


def test_contact_point_import_answers_422(app, county, make_user):
    """The console's contact-point import: the same refusal, on its page."""
    response = _console_upload(app, make_user, "/console/contacts/import", HOSTILE["external_entity_in_sheet"]())
    assert response.status_code == 422 and "文件格式不受支持" in text(response)


def test_region_import_answers_422(app, county, make_user):
    """The region import takes CSV only: a hostile .xlsx is refused as a file it cannot read, a 422, not a 500."""
    response = _console_upload(app, make_user, "/console/admin/regions/import",
                               HOSTILE["billion_laughs_in_sheet"]())
    assert response.status_code == 422, text(response)[:500]
