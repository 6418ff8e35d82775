"""Look at a PDF the way a print shop does, with poppler: fonts, text, pages rasterised at a given resolution."""

import io
import re
import subprocess
import tempfile
from pathlib import Path

from PIL import Image


def _run(tool, pdf, *args):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.pdf"
        path.write_bytes(pdf)
        after = {"pdftoppm": [str(Path(tmp) / "page")], "pdftotext": ["-"]}.get(tool, [])
        out = subprocess.run([tool, *args, str(path), *after], capture_output=True, check=True, timeout=120)
        if tool != "pdftoppm":
            return out.stdout.decode("utf-8")
        pages = sorted(Path(tmp).glob("page*.png"), key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))
        return [Image.open(io.BytesIO(p.read_bytes())) for p in pages]


def fonts(pdf):
    """[{name, type, encoding, emb, sub, uni}] as pdffonts lists them."""
    lines = _run("pdffonts", pdf).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name, type (may be two words: "CID Type 0C"), encoding, emb, sub, uni, object, gen
        rows.append({"name": parts[0], "type": " ".join(parts[1:-6]), "encoding": parts[-6], "emb": parts[-5],
                     "sub": parts[-4], "uni": parts[-3]})
    return rows


def text(pdf):
    """The text pdftotext extracts (what a reader can select and search)."""
    return _run("pdftotext", pdf, "-enc", "UTF-8")


def pages(pdf, dpi, first=None, last=None):
    """Pages rendered at dpi as PIL images (first/last: 1-based page range)."""
    args = ["-r", str(dpi), "-png"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return _run("pdftoppm", pdf, *args)


def page_count(pdf):
    """Pages as pdfinfo counts them."""
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", pdf), re.M).group(1))


def image_count(pdf):
    """How many image objects the file holds (the art: shared by every page, never the QR or the text)."""
    return len(re.findall(rb"/Subtype /Image", pdf))
