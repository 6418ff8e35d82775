"""Browser: the H5 pages a QR code opens on a phone-sized screen: village, disclosures, report, receipt, track."""

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError

from app.extensions import db
from app.reports.models import Report
from tests.browser.conftest import DOCS_SCREENSHOTS
from tests.public.conftest import disclosure_ids, seed_demo

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="浏览器测试需要 Playwright").expect
LONGJING = "420323103211"
PHONE = {"width": 390, "height": 844}
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def demo_county(app):
    """The demo county with rosters and the demo villages' published disclosures."""
    seed_demo(app)


def with_packaged_font(context):
    """Give the test browser the project's Noto Sans SC through our own stylesheet (the CI image has no CJK font).

    Phones have Chinese system fonts; Debian's Chromium here has none, so screenshots would show boxes. The
    stylesheet is extended in flight with an @font-face served from the same origin, which keeps the page's CSP.
    """
    from app.qr.fonts import resolve_font_path

    font = resolve_font_path()

    def stylesheet(route):
        try:
            response = route.fetch()
        except PlaywrightError:  # the page went away while its stylesheet was in flight (test teardown)
            return
        face = "@font-face { font-family: 'Noto Sans SC'; src: url('/__test-fonts/NotoSansSC.otf'); }\n"
        route.fulfill(response=response, body=face + response.text())

    context.route("**/static/public/h5.css", stylesheet)
    context.route("**/__test-fonts/NotoSansSC.otf", lambda route: route.fulfill(path=font, content_type="font/otf"))


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser context in Chinese, relative URLs on the live server."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15000)
    with_packaged_font(context)
    tab = context.new_page()
    yield tab
    context.unroute_all(behavior="ignoreErrors")  # a stylesheet still in flight must not fail the next test
    context.close()


@pytest.fixture
def shot(phone, tmp_path):
    """shot("name") saves the whole page as h5-name.png (into docs/screenshots/ with MSS_SCREENSHOTS=1)."""
    folder = DOCS_SCREENSHOTS if os.environ.get("MSS_SCREENSHOTS") == "1" else tmp_path

    def take(name, full_page=True):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"h5-{name}.png"
        phone.evaluate("document.fonts.ready.then(() => true)")
        phone.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def test_village_page_lists_roster_and_disclosures(app, demo_county, phone, shot):
    phone.goto(f"/v/{LONGJING}?s=1")
    expect(phone.get_by_role("heading", name="龙井村")).to_be_visible()
    expect(phone.get_by_role("heading", name="村干部公示（服务监督岗）")).to_be_visible()
    expect(phone.get_by_text("村党支部书记、村委会主任")).to_be_visible()
    expect(phone.get_by_role("heading", name=re.compile("财务公开"))).to_be_visible()
    expect(phone.locator(".ledger .hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    shot("village")


def test_finance_disclosure_shows_totals_and_history(app, demo_county, phone, shot):
    phone.goto(f"/v/{LONGJING}")
    phone.get_by_role("link", name=re.compile("财务收支公开")).click()
    phone.wait_for_url(re.compile(rf"/v/{LONGJING}/d/\d+$"))
    expect(phone.get_by_text("期末余额").first).to_be_visible()
    expect(phone.locator("tfoot").get_by_text("合计")).to_be_visible()
    expect(phone.get_by_role("heading", name="防篡改校验")).to_be_visible()
    shot("finance")


def test_power_and_funds_pages(app, demo_county, phone, shot):
    ids = disclosure_ids(app, LONGJING)
    phone.goto(f"/v/{LONGJING}/d/{ids['power']}")
    expect(phone.locator(".steps li").first).to_be_visible()
    shot("power")
    phone.goto(f"/v/{LONGJING}/d/{ids['funds']}")
    expect(phone.get_by_text(re.compile("本版更正了第 1 版"))).to_be_visible()
    assert "*" in phone.locator("tbody tr").first.inner_text()  # masked names and ID numbers
    shot("funds")


def test_unknown_village_is_a_friendly_404(app, demo_county, phone, shot):
    response = phone.goto("/v/420323999999")
    assert response.status == 404
    expect(phone.get_by_role("heading", name="页面不存在")).to_be_visible()
    shot("not-found", full_page=False)


def test_report_form_submits_and_receipt_code_tracks_it(app, demo_county, phone, shot):
    phone.goto(f"/v/{LONGJING}")
    phone.get_by_role("link", name="我要反映问题").click()
    phone.get_by_label("检举控告").check()
    phone.get_by_label("问题类别").select_option("村级债务")
    phone.get_by_label("具体内容").fill("村里修路欠施工队的工程款一直没有结清，希望公开村级债务情况。")
    phone.get_by_label("或填写被反映人姓名").fill("张三")
    phone.get_by_label("职务", exact=True).fill("村报账员")
    phone.get_by_label("涉及单位").select_option(label="竹山县交通运输局")
    phone.locator("#f-photo").set_input_files(str(FIXTURES / "gps_photo.jpg"))
    shot("report")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("heading", name="已收到您的反映")).to_be_visible()
    receipt = phone.locator("#receipt-code").inner_text()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt)
    box = phone.locator("#receipt-code").bounding_box()
    assert box["height"] < 60  # the 16 digits stay on one line on a phone
    expect(phone.locator("#promise-anonymous")).to_contain_text("15 个工作日内决定是否受理")
    expect(phone.get_by_role("button", name="复制")).to_be_visible()
    tracking = phone.locator("#tracking-no").inner_text()
    shot("report-done", full_page=False)
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == tracking))
        assert report.channel == "h5" and report.anonymous and report.kind == "tipoff" and report.topic == "村级债务"
        assert len(report.attachments) == 1 and report.attachments[0].mime == "image/jpeg"
        assert report.target_person_post == "村报账员" and report.target_unit_id is not None

    requests = []
    phone.on("request", lambda request: requests.append(request))
    phone.get_by_role("button", name="查询办理进度").click()  # POSTs the code: the track page opens with it
    expect(phone.locator("#t-tracking")).to_have_text(tracking)
    expect(phone.locator("#t-status")).not_to_be_empty()
    digits = receipt.replace(" ", "")
    assert all(digits not in request.url for request in requests)
    assert any(request.method == "POST" and digits in (request.post_data or "") for request in requests)
    phone.get_by_label("补充的情况或线索（1000 字以内）").fill("补充：欠款合同在村委会档案室。")
    phone.get_by_role("button", name="提交补充情况").click()
    expect(phone.get_by_text("已收到您的补充情况")).to_be_visible()
    expect(phone.get_by_text("补充：欠款合同在村委会档案室。")).to_be_visible()
    shot("track")

    phone.goto("/v/track")
    phone.get_by_label("回执码（16 位数字）").fill(receipt)
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator("#t-tracking")).to_have_text(tracking)
    assert digits not in phone.url


def test_real_name_reporter_gets_a_receipt_code_and_field_errors_show_beside_fields(app, demo_county, phone):
    phone.goto(f"/v/{LONGJING}/report")
    phone.get_by_label("具体内容").fill("太短")  # under 5 characters: refused by the intake validation
    phone.get_by_label("或填写被反映人姓名").fill("王五")
    phone.get_by_label("职务", exact=True).fill("村委会主任")
    phone.get_by_label("实名（信息加密保存，依规保密；同样凭回执码查询进度）").check()
    phone.get_by_label("姓名", exact=True).fill("陈德明")
    phone.get_by_label("手机号码").fill("13907191234")
    phone.get_by_role("button", name="提交").click()
    slot = phone.locator('.field-error[data-field="content"]')
    expect(slot).to_be_visible()
    expect(slot).to_contain_text("5 到 5000")
    phone.get_by_label("具体内容").fill("村委会账目公开不及时，请督促按月公开。")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("heading", name="已收到您的反映")).to_be_visible()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", phone.locator("#receipt-code").inner_text())
    expect(phone.locator("#promise-real-name")).to_contain_text("告知您")
    phone.get_by_role("button", name="查询办理进度").click()
    expect(phone.locator("#t-status")).to_have_text("待受理")
