"""Reading an uploaded sheet: the first sheet of an .xlsx safely (zip bombs, non-workbooks, DTDs, broken files
refused), or a CSV as Chinese Excel and WPS save one (UTF-8 or GB18030, comma or tab)."""

import csv
import io
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from app.errors import PayloadTooLarge, Unprocessable, UnsupportedMedia

MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024  # all parts of an .xlsx together, after decompression
MAX_COMPRESSION_RATIO = 200
XML_SUFFIXES = (".xml", ".rels", ".vml")
DTD_MARKERS = (b"<!doctype", b"<!entity")
UNSUPPORTED = "文件格式不受支持（工作簿中含有文档类型定义或实体声明）"
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without a BOM), or GBK/GB18030 as Chinese Excel saves it
UNDECODABLE = "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx"
OLD_XLS = "暂不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv"
OLE2 = b"\xd0\xcf\x11\xe0"
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"MZ", b"\x7fELF", b"Rar!",
                     b"7z\xbc\xaf", b"RIFF")


def _same(value):
    return value


def sheet_rows(data, *, code, suffix, noun, only, cell=_same, max_bytes=5 * 1024 * 1024):
    """The rows of an uploaded .xlsx (by content: its first sheet) or CSV as lists of cell(value). Errors are
    `<code>_empty|_too_large|_unsupported|_invalid`; `noun` names the file ("名单文件"), `only` refuses other
    files ("仅支持 .xlsx 或 .csv 文件") and `suffix` follows the 422 messages ("，未导入任何数据")."""
    if not data:
        raise Unprocessable("文件为空" + suffix, code=f"{code}_empty")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{noun}不能超过 {max_bytes // (1024 * 1024)} MB", code=f"{code}_too_large")
    if data.startswith(b"PK\x03\x04"):
        return xlsx_rows(data, code=code, suffix=suffix, cell=cell)
    if data.startswith(OLE2):
        raise UnsupportedMedia(OLD_XLS, code=f"{code}_unsupported")
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data[:4096]:
        raise UnsupportedMedia(only, code=f"{code}_unsupported")
    text = decode_csv(data, UnsupportedMedia(UNDECODABLE, code=f"{code}_unsupported"))
    if "\x00" in text:
        raise UnsupportedMedia(only, code=f"{code}_unsupported")
    try:
        return [[cell(value) for value in row] for row in csv.reader(io.StringIO(text, newline=""),
                                                                       delimiter=csv_delimiter(text))]
    except csv.Error as err:
        raise Unprocessable(f"CSV 文件格式有误（{err}）" + suffix, code=f"{code}_invalid") from None


def decode_csv(data, error):
    """The text of an uploaded CSV (str passes through) in one of CSV_ENCODINGS; raise `error` when in neither."""
    if isinstance(data, str):
        return data
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise error


def csv_delimiter(text):
    """Tab when the first line has more tabs than commas (a sheet pasted or saved as text), else comma."""
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def xlsx_rows(data, *, code, suffix, cell=lambda value: value):
    """The rows of the first worksheet as lists of cell(value); errors are `<code>_invalid|_too_large|_unsupported`
    with the Chinese `suffix` (e.g. "，整个文件未导入") after the message."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise Unprocessable("Excel 文件已损坏，无法读取" + suffix, code=f"{code}_invalid") from None
    total = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise PayloadTooLarge("Excel 文件解压后过大，请删除无关的工作表后重试", code=f"{code}_too_large")
    if not any(info.filename.startswith("xl/worksheets/") for info in infos):
        raise UnsupportedMedia("该文件不是 Excel 工作簿（.xlsx）", code=f"{code}_unsupported")
    refuse_dtds(archive, code=code, suffix=suffix)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [[cell(value) for value in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    except (KeyError, ValueError, TypeError, IndexError, ParseError, zipfile.BadZipFile, zlib.error, EOFError,
            OSError) as err:
        if _is_defused(err):  # defusedxml's refusal of a DTD or an entity that the check above did not see
            raise Unprocessable(UNSUPPORTED + suffix, code=f"{code}_unsupported") from err
        raise Unprocessable("Excel 文件无法读取" + suffix, code=f"{code}_invalid") from err
    return rows


def refuse_dtds(archive, *, code, suffix):
    """422 "文件格式不受支持" when any XML part declares a DTD or an entity (billion laughs, external entities).

    A workbook written by Excel, WPS or LibreOffice never has one. NUL bytes are dropped before looking, so a
    part saved as UTF-16 or UTF-32 is seen too; the parts were bounded in size by the caller.
    """
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(XML_SUFFIXES):
            continue
        try:
            text = archive.read(info).replace(b"\x00", b"").lower()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as err:
            raise Unprocessable("Excel 文件已损坏，无法读取" + suffix, code=f"{code}_invalid") from err
        if any(marker in text for marker in DTD_MARKERS):
            raise Unprocessable(UNSUPPORTED + suffix, code=f"{code}_unsupported")


def _is_defused(err):
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is in requirements.txt
        return False
    seen = 0
    while err is not None and seen < 10:  # openpyxl re-raises the parser's error as a ValueError from it
        if isinstance(err, DefusedXmlException):
            return True
        err, seen = err.__cause__ or err.__context__, seen + 1
    return False
