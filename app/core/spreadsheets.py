"""Reading the first sheet of an uploaded .xlsx safely (zip bombs, non-workbooks, broken files refused)."""

import io
import zipfile

from app.errors import PayloadTooLarge, Unprocessable, UnsupportedMedia

MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024  # all parts of an .xlsx together, after decompression
MAX_COMPRESSION_RATIO = 200


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
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [[cell(value) for value in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    except (KeyError, ValueError, TypeError, IndexError, zipfile.BadZipFile, OSError) as err:
        raise Unprocessable("Excel 文件无法读取" + suffix, code=f"{code}_invalid") from err
    return rows
