"""Poster templates: the shipped ones are valid; every kind of broken template is refused by name."""

import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from app.errors import BadRequest, Unprocessable
from app.qr.templates import SLOT_NAMES, list_templates, load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "qr_templates"


@pytest.fixture
def root(tmp_path):
    """A template root holding a copy of a4_notice as `poster`, and a helper to edit its template.json."""
    shutil.copytree(TEMPLATES / "a4_notice", tmp_path / "poster")
    return tmp_path


def edit(root, change, name="poster"):
    """Load the copied template.json, let change(spec) alter it, write it back."""
    path = root / name / "template.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    change(spec)
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")


def slot(spec, name):
    """The slot called name in spec."""
    return next(s for s in spec["slots"] if s["name"] == name)


def refused(root, name, error=Unprocessable):
    """The error load_template raises for name under root."""
    with pytest.raises(error) as err:
        load_template(root, name)
    return err.value


def test_shipped_templates_load():
    names = [t.name for t in list_templates(TEMPLATES)]
    assert names == ["a4_notice", "table_card"]
    a4 = load_template(TEMPLATES, "a4_notice")
    assert (a4.width_mm, a4.height_mm, a4.dpi) == (210, 297, 300)  # print shops ask for 300 DPI
    assert (a4.width_px, a4.height_px) == (2480, 3508)
    assert a4.qr.logo_path.name == "logo.png"
    assert a4.label == "A4 公开栏海报（竖版）" and "公开栏" in a4.description
    assert {s.name for s in a4.slots} >= {"title", "village_name", "region_line", "supervision_phone", "instructions"}
    instructions = next(s for s in a4.slots if s.name == "instructions")
    assert instructions.text.startswith("用微信或手机相机扫描二维码")
    card = load_template(TEMPLATES, "table_card")
    assert (card.width_mm, card.height_mm, card.dpi) == (100, 70, 300)
    assert card.qr.logo_path is None


@pytest.mark.parametrize("name", ["a4_notice", "table_card"])
def test_shipped_artwork_is_small_and_matches_the_page(name):
    template = load_template(TEMPLATES, name)
    assert template.background_path.stat().st_size < 200 * 1024
    with Image.open(template.background_path) as img:
        assert img.size == (template.width_px, template.height_px)
    assert all(s.name in SLOT_NAMES for s in template.slots)


@pytest.mark.parametrize("name", ["../a4_notice", "a4_notice/", "a/b", "..", ".", "/etc", "A4", "", "x" * 65,
                                  "a4_notice\x00", "a4 notice", None, 7])
def test_bad_names_are_refused_before_touching_the_disk(name):
    err = refused(TEMPLATES, name, BadRequest)
    assert err.status == 400 and "海报模板名称不合法" in err.message


def test_unknown_name(root):
    err = refused(root, "nope", BadRequest)
    assert err.message == "未知的海报模板：nope"
    assert err.fields == {"template": "nope"}


def test_symlink_out_of_the_root_is_not_followed(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    shutil.copytree(TEMPLATES / "table_card", outside / "evil")
    (root / "evil").symlink_to(outside / "evil")
    assert "未知的海报模板" in refused(root, "evil", BadRequest).message


def test_missing_template_json(root):
    (root / "poster" / "template.json").unlink()
    err = refused(root, "poster")
    assert err.status == 422 and err.message == "海报模板 poster 有误：缺少 template.json"


def test_malformed_json(root):
    (root / "poster" / "template.json").write_text('{"page": {"width_mm": 210,}', encoding="utf-8")
    assert "template.json 不是合法的 JSON（第 1 行" in refused(root, "poster").message


def test_missing_background_file(root):
    (root / "poster" / "background.png").unlink()
    assert "缺少背景图片文件：background.png" in refused(root, "poster").message


def test_background_outside_the_template_is_refused(root):
    edit(root, lambda spec: spec.update(background="../poster/background.png"))
    assert "背景图片的文件名不合法：../poster/background.png" in refused(root, "poster").message


def test_background_with_the_wrong_shape(root):
    Image.new("RGB", (300, 300), "white").save(root / "poster" / "background.png")
    assert "宽高比" in refused(root, "poster").message


def test_qr_off_the_page(root):
    edit(root, lambda spec: spec["qr"].update(x_mm=150))
    assert "二维码超出页面范围" in refused(root, "poster").message


def test_missing_logo_file(root):
    (root / "poster" / "logo.png").unlink()
    assert "缺少二维码中心标志文件：logo.png" in refused(root, "poster").message


def test_qr_too_small(root):
    edit(root, lambda spec: spec["qr"].update(size_mm=10))
    assert "二维码尺寸过小" in refused(root, "poster").message


def test_text_slot_off_the_page(root):
    edit(root, lambda spec: slot(spec, "village_name").update(width_mm=250))
    assert "文字区域 village_name 超出页面范围" in refused(root, "poster").message


def test_text_slot_below_the_page(root):
    edit(root, lambda spec: slot(spec, "footer").update(y_mm=294))
    assert "文字区域 footer 超出页面范围" in refused(root, "poster").message


def test_unknown_slot_name(root):
    edit(root, lambda spec: spec["slots"].append({"name": "mayor", "x_mm": 10, "y_mm": 10, "width_mm": 50,
                                                  "font_pt": 12}))
    assert "未知的文字区域名称：mayor" in refused(root, "poster").message


@pytest.mark.parametrize("color", ["red", "#12345", "#GGGGGG", 255, None])
def test_bad_colour(root, color):
    edit(root, lambda spec: slot(spec, "title").update(color=color))
    assert "文字区域 title 的颜色不合法" in refused(root, "poster").message


def test_bad_alignment(root):
    edit(root, lambda spec: slot(spec, "title").update(align="middle"))
    assert "文字区域 title 的对齐方式不合法：middle" in refused(root, "poster").message


def test_missing_number(root):
    edit(root, lambda spec: spec["page"].pop("dpi"))
    assert "page.dpi 缺失或不是整数" in refused(root, "poster").message


def test_short_colour_is_expanded(root):
    edit(root, lambda spec: slot(spec, "title").update(color="#FfF"))
    title = next(s for s in load_template(root, "poster").slots if s.name == "title")
    assert title.color == "#ffffff"


def test_list_templates_leaves_broken_ones_out(root):
    shutil.copytree(root / "poster", root / "broken")
    edit(root, lambda spec: spec["qr"].update(y_mm=290), name="broken")
    assert [t.name for t in list_templates(root)] == ["poster"]
    assert list_templates(root / "missing") == []


def test_editing_a_template_changes_its_cache_key(root):
    before = load_template(root, "poster")
    edit(root, lambda spec: spec.update(label="改过的"))
    after = load_template(root, "poster")
    assert before != after and after.label == "改过的"


def test_a_new_template_is_only_a_folder_the_readme_example(tmp_path):
    """The worked example of qr_templates/README.md, as written there, renders with its own fields."""
    import re

    from app.qr.render import poster_png
    from app.qr.vector import poster_pdf
    from tests.qr import pdftools
    from tests.qr.test_render import decoded

    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    spec = re.search(r"<!-- worked-example[^>]*-->\n```json\n(.*?)\n```", readme, re.S).group(1)
    folder = tmp_path / "service_post_card"
    folder.mkdir()
    (folder / "template.json").write_text(spec, encoding="utf-8")
    Image.new("RGB", (1063, 638), "white").save(folder / "background.png")
    [template] = list_templates(tmp_path)
    assert template.name == "service_post_card" and template.fields == ("member_name", "post")
    fields = {"member_name": "张建国", "post": "村党支部书记", "village_name": "龙井村",
              "supervision_phone": "0719-4200000"}
    url = "https://jd.example.gov.cn/v/420323103211"
    pdf = poster_pdf(template, fields, url)
    shown = pdftools.text(pdf)
    for value in ("党员服务监督岗", "张建国", "村党支部书记", "龙井村", "监督电话：0719-4200000"):
        assert value in shown
    assert decoded(Image.open(io.BytesIO(poster_png(template, fields, url)))) == [url]


def test_own_fields_must_be_declared_and_well_named(root):
    edit(root, lambda spec: spec["slots"].append({"name": "member_name", "x_mm": 10, "y_mm": 10, "width_mm": 50,
                                                  "font_pt": 12}))
    assert "模板自己的字段请在 fields 中声明" in refused(root, "poster").message
    edit(root, lambda spec: spec.update(fields=["member_name"]))
    assert load_template(root, "poster").fields == ("member_name",)
    edit(root, lambda spec: spec.update(fields=["village_name"]))
    assert "与内置文字区域重名：village_name" in refused(root, "poster").message
    edit(root, lambda spec: spec.update(fields=["Bad-Name"]))
    assert "字段名不合法" in refused(root, "poster").message
