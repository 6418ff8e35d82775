"""Batch export: a zip with one decodable poster per job (PNG or PDF pages), progress, no half-written zip."""

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from app.errors import BadRequest
from app.qr.batch import poster_file_name, render_batch
from app.qr.codes import village_url
from tests.qr import pdftools
from tests.qr.test_render import decoded

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "qr_templates"
BASE = "https://jiandu.example.gov.cn"
NAMES = ["罗家坡村", "龙井村", "柳陂村", "茶店村", "青龙泉村", "辽瓦店村", "黄龙村", "梅铺村", "谭家湾村", "五峰村"]


def jobs(count):
    """count village jobs with distinct codes, names and poster ids."""
    return [{"village_code": f"4203041032{i:02d}", "village_name": NAMES[i % len(NAMES)],
             "township_name": "柳陂镇", "county_name": "郧阳区", "supervision_phone": "0719-7212345",
             "url": village_url(BASE, f"4203041032{i:02d}", 1000 + i)} for i in range(count)]


def recorder():
    """A progress callback and the list of (done, total) calls it records."""
    calls = []
    return calls, lambda done, total: calls.append((done, total))


def test_png_batch_on_two_processes(tmp_path):
    work, (calls, progress) = jobs(10), recorder()
    out = tmp_path / "exports" / "posters.zip"
    summary = render_batch(work, TEMPLATES, "table_card", "png", out, processes=2, progress=progress)
    assert summary.count == 10 and summary.bytes == out.stat().st_size and summary.format == "png"
    assert calls == [(done, 10) for done in range(1, 11)]
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names == [f"{job['village_code']}_{job['village_name']}.png" for job in work]
        for job, name in zip(work, names, strict=True):
            assert decoded(Image.open(io.BytesIO(archive.read(name)))) == [job["url"]]
    assert [p.name for p in out.parent.iterdir()] == ["posters.zip"]  # no temporary file left


def test_a_townships_pdf_batch_is_one_vector_pdf(tmp_path):
    work, (calls, progress) = jobs(9), recorder()
    summary = render_batch(work, TEMPLATES, "a4_notice", "pdf", tmp_path / "posters.zip", processes=2,
                           progress=progress)
    assert summary.count == 9 and calls[-1] == (9, 9) and summary.container == "pdf"
    out = tmp_path / "posters.pdf"
    assert summary.path == str(out) and [p.name for p in tmp_path.iterdir()] == ["posters.pdf"]
    pdf = out.read_bytes()
    assert pdftools.page_count(pdf) == 9
    assert pdftools.image_count(pdf) == 2  # the art and the logo, once for all pages: text and codes are vectors
    [font] = pdftools.fonts(pdf)
    assert font["type"] == "CID Type 0C" and font["emb"] == font["sub"] == font["uni"] == "yes"
    assert "罗家坡村" in pdftools.text(pdf) and "谭家湾村" in pdftools.text(pdf)
    for index in (0, 8):  # 20 % of 300 DPI: the 85 mm code as a 17 mm print still scans
        [page] = pdftools.pages(pdf, 60, index + 1, index + 1)
        assert decoded(page) == [work[index]["url"]]


def test_pdf_batch_over_townships_zips_one_pdf_each_and_per_village(tmp_path):
    work = jobs(3) + [dict(job, village_code="420304104" + job["village_code"][9:], township_name="青龙泉镇")
                      for job in jobs(2)]
    summary = render_batch(work, TEMPLATES, "table_card", "pdf", tmp_path / "x.zip")
    assert summary.container == "zip"
    with zipfile.ZipFile(summary.path) as archive:
        assert archive.namelist() == ["柳陂镇-桌牌（100×70 毫米，横版）.pdf", "青龙泉镇-桌牌（100×70 毫米，横版）.pdf"]
        assert [pdftools.page_count(archive.read(n)) for n in archive.namelist()] == [3, 2]
    summary = render_batch(work[:2], TEMPLATES, "table_card", "pdf_village", tmp_path / "y.zip")
    with zipfile.ZipFile(summary.path) as archive:
        assert archive.namelist() == ["420304103200_罗家坡村.pdf", "420304103201_龙井村.pdf"]
        [page] = pdftools.pages(archive.read("420304103201_龙井村.pdf"), 150)
        assert decoded(page) == [work[1]["url"]]


def test_small_batch_renders_inline_with_unique_names(tmp_path):
    work = jobs(2) + [dict(jobs(1)[0], url=village_url(BASE, "420304103200", 99))]
    out = tmp_path / "few.zip"
    render_batch(work, TEMPLATES, "a4_notice", "png", out)
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["420304103200_罗家坡村.png", "420304103201_龙井村.png",
                                      "420304103200_罗家坡村_2.png"]
        assert decoded(Image.open(io.BytesIO(archive.read("420304103200_罗家坡村_2.png")))) == [work[2]["url"]]


def test_a_failure_leaves_no_half_zip_and_keeps_the_old_one(tmp_path):
    out = tmp_path / "posters.zip"
    out.write_bytes(b"previous export")
    work = jobs(9)
    work[6]["url"] = BASE + "/v/" + "9" * 700  # too long to encode: the worker raises
    with pytest.raises(BadRequest, match="二维码链接过长") as err:
        render_batch(work, TEMPLATES, "table_card", "png", out, processes=2)
    assert err.value.code == "qr_url" and err.value.fields == {"village_code": "420304103206"}
    assert out.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["posters.zip"]


def test_a_progress_callback_can_abort(tmp_path):
    def stop(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_batch(jobs(3), TEMPLATES, "table_card", "pdf", tmp_path / "x.zip", progress=stop)
    assert list(tmp_path.iterdir()) == []


def test_inline_failure_names_the_village(tmp_path):
    work = jobs(2)
    work[1]["url"] = "not a link " * 80
    with pytest.raises(BadRequest) as err:
        render_batch(work, TEMPLATES, "table_card", "png", tmp_path / "x.zip", processes=1)
    assert err.value.code == "qr_url" and err.value.fields == {"village_code": "420304103201"}


@pytest.mark.parametrize(("work", "fmt", "message"), [
    ([], "png", "没有需要生成的海报"),
    (jobs(1), "gif", "不支持的海报格式：gif"),
    ([{"village_code": "1", "village_name": "", "url": "https://a.cn/v/1"}], "png", "第 1 个海报任务缺少 village_name"),
    (["x"], "png", "第 1 个海报任务格式不正确"),
])
def test_bad_batches_are_refused(tmp_path, work, fmt, message):
    with pytest.raises(BadRequest) as err:
        render_batch(work, TEMPLATES, "a4_notice", fmt, tmp_path / "x.zip")
    assert message in err.value.message
    assert list(tmp_path.iterdir()) == []


def test_file_names_are_safe():
    assert poster_file_name({"village_code": "42/03", "village_name": 'a:b*c?"<>|村\n'}) == "42_03_a_b_c_村.png"
    assert poster_file_name({"village_code": "..", "village_name": ".."}) == "_.png"  # no leading dots, no path


def test_a_worker_that_cannot_start_fails_its_jobs_instead_of_hanging(tmp_path, monkeypatch):
    import app.qr.batch as batch

    monkeypatch.setattr(batch, "_worker_state", None)
    # a raising initializer would make the Pool respawn forever
    batch._init_worker(str(tmp_path), "missing", None, "png")
    with pytest.raises(batch._Failed) as err:
        batch._render_job(jobs(1)[0])
    assert err.value.args[0] is BadRequest and err.value.args[2] == "qr_template_unknown"
