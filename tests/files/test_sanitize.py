"""Upload sanitising: metadata really gone, bombs/executables/empty files refused, PDFs checked."""

import hashlib
import importlib.util
import io
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile

from app.errors import BadRequest, DomainError, PayloadTooLarge, Unprocessable, UnsupportedMedia
from app.files.sanitize import UNSUPPORTED_MESSAGE, configure_pillow, sanitize_upload, sniff

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
MB = 1024 * 1024
SERIAL = b"SERIAL-0042-PRIVATE"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def clean(data, filename="upload", max_bytes=10 * MB, max_pixels=40_000_000):
    return sanitize_upload(data, filename, max_bytes, max_pixels)


def png_chunks(data):
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kinds.append(data[pos + 4:pos + 8])
        pos += 12 + length
    return kinds


def encoded(im, fmt, **params):
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


# --- the GPS photo: proof that nothing identifying survives


def test_fixture_photo_really_carries_gps_and_maker_data():
    raw = fixture("gps_photo.jpg")
    exif = Image.open(io.BytesIO(raw)).getexif()
    assert exif[ExifTags.Base.Make] == "HUAWEI"
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert SERIAL in exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.MakerNote]
    assert b"Exif\x00\x00" in raw and b"xmpmeta" in raw and b"ICC_PROFILE" in raw


def test_jpeg_with_gps_comes_out_without_any_metadata():
    out = clean(fixture("gps_photo.jpg"), "IMG_0001.jpg")
    assert (out.mime, out.ext) == ("image/jpeg", "jpg")
    im = Image.open(io.BytesIO(out.data))
    assert im.format == "JPEG"
    assert len(im.getexif()) == 0
    assert not im.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    for marker in (b"Exif\x00\x00", b"HUAWEI", b"ALN-AL00", SERIAL, b"xmpmeta", b"ICC_PROFILE", b"taken at"):
        assert marker not in out.data, marker
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(im.info)


def test_exif_orientation_is_applied_before_metadata_is_dropped():
    out = clean(fixture("gps_photo.jpg"))
    assert (out.width, out.height) == (32, 64)  # stored 64x32 with Orientation 6
    im = Image.open(io.BytesIO(out.data)).convert("RGB")
    top_left, top_right = im.getpixel((2, 2)), im.getpixel((29, 2))
    assert top_right[0] > 200 and top_right[2] < 60  # the red marker turned with the photo
    assert top_left[2] > 200 and top_left[0] < 60


def test_sha256_is_of_the_stored_bytes():
    raw = fixture("gps_photo.jpg")
    out = clean(raw)
    assert out.sha256 == hashlib.sha256(out.data).hexdigest() != hashlib.sha256(raw).hexdigest()
    assert out.size == len(out.data)


def test_png_text_chunks_exif_and_icc_are_dropped_transparency_kept():
    out = clean(fixture("text_chunks.png"))
    assert (out.mime, out.ext, out.width, out.height) == ("image/png", "png", 32, 32)
    assert not {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"} & set(png_chunks(out.data))
    assert SERIAL not in out.data and "张三".encode() not in out.data
    im = Image.open(io.BytesIO(out.data))
    assert im.mode == "RGBA" and im.getpixel((0, 0))[3] == 0 and im.getpixel((0, 20))[3] == 255


def test_palette_png_keeps_its_transparency():
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    out = clean(encoded(im, "PNG", transparency=1))
    back = Image.open(io.BytesIO(out.data))
    assert back.mode == "P" and back.info.get("transparency") == 1


def test_opaque_webp_becomes_jpeg_without_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "OPPO"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    out = clean(encoded(Image.new("RGB", (20, 10), (10, 200, 10)), "WEBP", exif=exif), "a.webp")
    assert out.mime == "image/jpeg" and (out.width, out.height) == (20, 10)
    assert b"OPPO" not in out.data and len(Image.open(io.BytesIO(out.data)).getexif()) == 0


def test_transparent_webp_becomes_png():
    im = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    out = clean(encoded(im, "WEBP", lossless=True))
    assert out.mime == "image/png" and Image.open(io.BytesIO(out.data)).getpixel((5, 5))[3] == 0


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grey_and_cmyk_jpegs_are_accepted(mode):
    out = clean(encoded(Image.new(mode, (12, 12)), "JPEG"))
    assert out.mime == "image/jpeg" and Image.open(io.BytesIO(out.data)).mode in ("L", "RGB")


@pytest.mark.filterwarnings("ignore:Corrupt EXIF")
def test_broken_exif_keeps_the_photo_and_drops_the_exif():
    raw = encoded(Image.new("RGB", (8, 6)), "JPEG", exif=b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x05\x01\x12\xff")
    out = clean(raw)
    assert (out.width, out.height) == (8, 6) and b"Exif" not in out.data


def test_type_comes_from_content_not_from_the_name():
    png = encoded(Image.new("RGB", (4, 4)), "PNG")
    assert clean(png, "photo.jpg").mime == "image/png"
    assert clean(fixture("gps_photo.jpg"), "report.pdf").mime == "image/jpeg"
    with pytest.raises(UnsupportedMedia):
        clean(b"<html><script>alert(1)</script></html>", "photo.jpg")


# --- refusals


def test_empty_file_is_refused():
    with pytest.raises(BadRequest) as info:
        clean(fixture("empty.jpg"), "empty.jpg")
    assert info.value.message == "文件为空"


def test_too_many_bytes_is_refused_before_parsing():
    with pytest.raises(PayloadTooLarge) as info:
        clean(b"\xff\xd8\xff" + b"\x00" * MB, max_bytes=MB)
    assert "1 MB" in info.value.message


def test_decompression_bomb_is_refused():
    data = fixture("bomb.png")
    assert len(data) < 200_000
    with pytest.raises(PayloadTooLarge) as info:
        clean(data, "bomb.png")
    assert "图片尺寸过大" in info.value.message


def test_bomb_is_refused_from_the_header_even_without_pillows_guard(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)

    def no_decoding(self):
        raise AssertionError("decoded before the pixel check")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(PayloadTooLarge) as info:
        clean(fixture("bomb.png"), max_pixels=50_000_000)
    assert "25000×25000" in info.value.message


def test_pixel_limit_applies_to_ordinary_images():
    with pytest.raises(PayloadTooLarge) as info:
        clean(encoded(Image.new("RGB", (200, 100)), "JPEG"), max_pixels=10_000)
    assert "200×100" in info.value.message and "1 万像素" in info.value.message


def test_configure_pillow_turns_the_bomb_warning_into_a_refusal(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    with warnings.catch_warnings():
        configure_pillow(1000)
        assert Image.MAX_IMAGE_PIXELS == 1000
        with pytest.raises(PayloadTooLarge):  # 1500 px: Pillow only warns (limit ×2 errors), we refuse
            clean(encoded(Image.new("RGB", (50, 30)), "PNG"), max_pixels=10_000)


@pytest.mark.parametrize("name", ["renamed_elf.jpg", "renamed_exe.png"])
def test_renamed_executables_are_refused(name):
    with pytest.raises(UnsupportedMedia) as info:
        clean(fixture(name), name)
    assert info.value.message == UNSUPPORTED_MESSAGE == "仅支持 JPG、PNG、WebP 图片和 PDF 文件"
    assert info.value.status == 415


def _zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize("data", [
    _zip(),
    b"<!DOCTYPE html><html><body>hi</body></html>",
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    b"just some text",
    b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00",
], ids=["zip", "html", "svg", "gif", "text", "mp4"])
def test_other_types_are_refused(data):
    with pytest.raises(UnsupportedMedia) as info:
        clean(data, "photo.jpg")
    assert info.value.message == UNSUPPORTED_MESSAGE


def test_heic_is_refused_with_a_hint():
    with pytest.raises(UnsupportedMedia) as info:
        clean(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "IMG_0001.HEIC")
    assert info.value.message.startswith(UNSUPPORTED_MESSAGE) and "兼容性最佳" in info.value.message


def test_truncated_image_is_unprocessable():
    with pytest.raises(Unprocessable) as info:
        clean(fixture("truncated.jpg"))
    assert info.value.status == 422 and "损坏" in info.value.message


@pytest.mark.parametrize("data", [
    b"\xff\xd8\xff\xe0garbage", b"\x89PNG\r\n\x1a\n\x00\x00", b"RIFF\x10\x00\x00\x00WEBPVP8 ",
])
def test_magic_without_an_image_is_unprocessable(data):
    with pytest.raises(Unprocessable):
        clean(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(magic=st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b"%PDF-1.7", b""]),
       tail=st.binary(max_size=300))
def test_hostile_bytes_only_ever_raise_domain_errors(magic, tail):
    try:
        clean(magic + tail, max_pixels=1_000_000)
    except DomainError:
        pass


# --- PDFs


def test_plain_pdf_is_passed_through_unchanged():
    raw = fixture("tiny.pdf")
    out = clean(raw, "scan.jpg")
    assert (out.data, out.mime, out.ext, out.width, out.height) == (raw, "application/pdf", "pdf", None, None)
    assert out.sha256 == hashlib.sha256(raw).hexdigest()


def test_pdf_with_javascript_is_refused():
    with pytest.raises(Unprocessable) as info:
        clean(fixture("javascript.pdf"))
    assert info.value.code == "pdf_active_content" and "脚本" in info.value.message


def test_pdf_with_hex_escaped_javascript_name_is_refused():
    raw = fixture("javascript.pdf").replace(b"/S /JavaScript", b"/S /J#61vaScript").replace(b"/JS ", b"/J#53 ")
    with pytest.raises(Unprocessable):
        clean(raw)


def test_pdf_with_javascript_hidden_in_an_object_stream_is_refused():
    body = zlib.compress(b"6 0 << /S /JavaScript /JS (app.alert(1)) >>")
    objstm = b"7 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(body)
    raw = fixture("tiny.pdf").replace(b"xref\n", objstm + body + b"\nendstream\nendobj\nxref\n", 1)
    with pytest.raises(Unprocessable):
        clean(raw)


def test_pdf_text_mentioning_js_inside_a_content_stream_is_allowed():
    raw = fixture("tiny.pdf").replace(b"(Hello) Tj", b"(/JS /JavaScript) Tj")
    assert clean(raw).mime == "application/pdf"


@pytest.mark.parametrize("raw", [
    b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n",  # cut off: no end marker
    b"%PDF-1.7\n" + b"x" * 3000 + b"%%EOF" + b"\n" * 2000,  # marker not within the last KiB
])
def test_pdf_without_end_marker_is_unprocessable(raw):
    with pytest.raises(Unprocessable) as info:
        clean(raw)
    assert info.value.code == "pdf_corrupt"


def test_pdf_signature_must_be_at_the_start():
    with pytest.raises(UnsupportedMedia):
        clean(b"<html>" + fixture("tiny.pdf"))


def test_sniff_names_types_by_magic():
    assert [sniff(fixture(n)) for n in ("gps_photo.jpg", "text_chunks.png", "tiny.pdf", "renamed_elf.jpg")] == [
        "jpeg", "png", "pdf", None]


# --- the fixture script


def test_fixture_script_is_deterministic(tmp_path):
    spec = importlib.util.spec_from_file_location("make_upload_fixtures", ROOT / "tools" / "make_upload_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path / "a")
    module.build(tmp_path / "b")
    for name in module.FIXTURES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
        assert (FIXTURES / name).exists(), f"run tools/make_upload_fixtures.py and commit {name}"
    for name in ("tiny.pdf", "javascript.pdf", "bomb.png", "renamed_elf.jpg", "renamed_exe.png", "empty.jpg"):
        assert (tmp_path / "a" / name).read_bytes() == fixture(name), f"{name} is stale: rerun the script"
