"""`flask qr export`: a township's posters into a zip with a progress bar, on two processes."""

import io
import zipfile

from PIL import Image

from tests.qr.test_api_codes import BASE, decoded

BAOFENG = "420323103000"


def test_export_writes_a_zip_of_decodable_posters(app, county, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["qr", "export", "--township", BAOFENG, "--template", "a4_notice",
                                 "--out", str(tmp_path), "--processes", "2"])
    assert result.exit_code == 0, result.output
    assert "已生成 29 张海报" in result.output and "生成海报" in result.output
    [archive_path] = list(tmp_path.glob("*.zip"))
    with zipfile.ZipFile(archive_path) as archive:
        names = archive.namelist()
        assert len(names) == 29 and any(name.endswith("_龙井村.png") for name in names)
        png = archive.read(next(name for name in names if name.endswith("_龙井村.png")))
    [url] = decoded(png)
    assert url.startswith(f"{BASE}/v/420323103211?s=")
    assert Image.open(io.BytesIO(png)).size == (1240, 1754)


def test_export_as_pdf(app, county, tmp_path):
    result = app.test_cli_runner().invoke(args=["qr", "export", "--township", BAOFENG, "--template", "table_card",
                                                "--out", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    [archive_path] = list(tmp_path.glob("*.zip"))
    with zipfile.ZipFile(archive_path) as archive:
        assert archive.namelist() == ["posters.pdf"]


def test_export_errors_are_clear(app, county, tmp_path):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["qr", "export", "--township", "420323999000", "--out", str(tmp_path)])
    assert unknown.exit_code != 0 and "未找到该行政区划" in unknown.output
    template = runner.invoke(args=["qr", "export", "--township", BAOFENG, "--template", "nope",
                                   "--out", str(tmp_path)])
    assert template.exit_code != 0 and "未知的海报模板：nope" in template.output
    assert not list(tmp_path.glob("*.zip"))
