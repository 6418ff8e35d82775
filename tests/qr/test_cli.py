"""`flask qr export`: a township's posters as one vector PDF (or a zip of PNGs) with a progress bar."""

import io
import zipfile

from PIL import Image

from tests.qr import pdftools
from tests.qr.test_api_codes import BASE, decoded

BAOFENG = "420323103000"


def test_export_writes_a_zip_of_decodable_posters(app, county, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["qr", "export", "--township", BAOFENG, "--template", "a4_notice",
                                 "--out", str(tmp_path), "--processes", "2", "--format", "png"])
    assert result.exit_code == 0, result.output
    assert "已生成 29 张海报" in result.output and "生成海报" in result.output
    [archive_path] = list(tmp_path.glob("*.zip"))
    with zipfile.ZipFile(archive_path) as archive:
        names = archive.namelist()
        assert len(names) == 29 and any(name.endswith("_龙井村.png") for name in names)
        png = archive.read(next(name for name in names if name.endswith("_龙井村.png")))
    [url] = decoded(png)
    assert url.startswith(f"{BASE}/v/420323103211?s=")
    assert Image.open(io.BytesIO(png)).size == (2480, 3508)


def test_export_as_pdf_is_named_in_chinese_and_is_vector(app, county, tmp_path):
    result = app.test_cli_runner().invoke(args=["qr", "export", "--township", BAOFENG, "--template", "table_card",
                                                "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "宝丰镇" in result.output and "警告" not in result.output  # the test config's address is public
    [path] = list(tmp_path.iterdir())
    assert path.name.startswith("宝丰镇-桌牌（100×70 毫米，横版）-") and path.suffix == ".pdf"
    pdf = path.read_bytes()
    assert pdftools.page_count(pdf) == 29 and "龙井村" in pdftools.text(pdf)
    assert pdftools.fonts(pdf)[0]["emb"] == "yes"


def test_export_warns_in_red_about_a_loopback_address(make_app, county, tmp_path):
    local = make_app(PUBLIC_BASE_URL="http://127.0.0.1:5000")
    result = local.test_cli_runner().invoke(args=["qr", "export", "--township", BAOFENG, "--template", "table_card",
                                                  "--out", str(tmp_path)], color=True)
    assert result.exit_code == 0, result.output
    assert "\x1b[31m" in result.output  # red
    assert "警告：PUBLIC_BASE_URL（http://127.0.0.1:5000）是本机回环地址" in result.output


def test_export_errors_are_clear(app, county, tmp_path):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["qr", "export", "--township", "420323999000", "--out", str(tmp_path)])
    assert unknown.exit_code != 0 and "未找到该行政区划" in unknown.output
    template = runner.invoke(args=["qr", "export", "--township", BAOFENG, "--template", "nope",
                                   "--out", str(tmp_path)])
    assert template.exit_code != 0 and "未知的海报模板：nope" in template.output
    assert not list(tmp_path.glob("*.zip"))
