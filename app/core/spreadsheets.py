"""Reading the first sheet of an uploaded .xlsx safely (zip bombs, non-workbooks, DTDs, broken files refused)."""

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
