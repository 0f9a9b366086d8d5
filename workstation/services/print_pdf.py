"""Film sheets to PDF at the film's physical size: one page per sheet, lossless.

Each page's MediaBox is the film size (mm * 72 / 25.4 points, after orientation); the
sheet's raster (the printer's matrix, as rendered for the printer by
:func:`workstation.imaging.film_render.render_sheet`) is drawn at its physical size,
``pixel_mm`` per pixel, centred on the page. So a length of L mm on film is L mm on paper
when the PDF is printed at 100 %.

The image is stored with /FlateDecode (zlib), 8 bits per sample, DeviceGray or DeviceRGB.
Pillow's PDF driver is not used because it stores grey and RGB images as JPEG
(DCTDecode, quality 75): lossy, which diagnostic images must not be silently made.
12-bit grey rasters are scaled to 8 bit (0..4095 -> 0..255, rounded).
:func:`read_pdf` reads such a file back (MediaBox, image placement, the decoded raster):
the check that the file says what was meant.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workstation.errors import PrintOutputError
from workstation.printing.film import Sheet

PT_PER_MM = 72.0 / 25.4
FLATE_LEVEL = 6


@dataclass(frozen=True)
class PdfPage:
    """One page: the raster (uint8/uint16 H x W grey or uint8 H x W x 3 RGB), the film
    millimetres per raster pixel, the page (film) size in mm and the raster's bit depth
    (8, or 12 for 12-bit values in uint16)."""

    raster: np.ndarray
    pixel_mm: float
    page_mm: tuple[float, float]
    bits: int = 8


@dataclass(frozen=True)
class PdfPageInfo:
    """A page as read back: MediaBox (points), the image's placement on it (x, y, width,
    height in points, from the content stream's ``cm``) and the decoded raster."""

    media_box: tuple[float, float, float, float]
    placement: tuple[float, float, float, float]
    raster: np.ndarray

    @property
    def page_mm(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.media_box
        return ((x1 - x0) / PT_PER_MM, (y1 - y0) / PT_PER_MM)

    @property
    def pixel_mm(self) -> tuple[float, float]:
        """Millimetres on the page per raster pixel (x, y)."""
        rows, cols = self.raster.shape[:2]
        return (self.placement[2] / cols / PT_PER_MM, self.placement[3] / rows / PT_PER_MM)


def to_8bit(raster: np.ndarray, bits: int) -> np.ndarray:
    """``raster`` as uint8: 12-bit values (0..4095) scaled to 0..255, rounded; 8-bit as is."""
    if raster.dtype == np.uint8:
        return raster
    top = (1 << bits) - 1
    wide = np.clip(raster.astype(np.uint32), 0, top)
    return ((wide * 255 + top // 2) // top).astype(np.uint8)


def _num(value: float) -> bytes:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").encode()


class _Writer:
    def __init__(self, fh) -> None:
        self.fh = fh
        self.offsets: dict[int, int] = {}
        self.pos = 0

    def raw(self, data: bytes) -> None:
        self.fh.write(data)
        self.pos += len(data)

    def obj(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.pos
        self.raw(b"%d 0 obj\n" % number + body)
        if stream is not None:
            self.raw(b"\nstream\n")
            self.raw(stream)
            self.raw(b"\nendstream")
        self.raw(b"\nendobj\n")


def write_pdf(path: Path | str, pages: Sequence[PdfPage], *, title: str = "") -> Path:
    """Write ``pages`` to a new PDF at ``path`` (replaced if it exists).

    Raises :class:`PrintOutputError` when there is no page, a raster is not grey or RGB,
    or the file cannot be written."""
    path = Path(path)
    if not pages:
        raise PrintOutputError(path=str(path), reason="there is no sheet to write")
    count = len(pages)
    kids = b" ".join(b"%d 0 R" % (3 + 3 * i) for i in range(count))
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            w = _Writer(fh)
            w.raw(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
            w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
            w.obj(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count))
            for i, page in enumerate(pages):
                _write_page(w, 3 + 3 * i, page)
            info = 3 + 3 * count
            safe = re.sub(r"[^\x20-\x7e]", "?", title).replace("\\", "\\\\")
            safe = safe.replace("(", "\\(").replace(")", "\\)")
            w.obj(info, b"<< /Producer (workstation) /Title (%s) >>" % safe.encode())
            xref = w.pos
            w.raw(b"xref\n0 %d\n0000000000 65535 f \n" % (info + 1))
            for n in range(1, info + 1):
                w.raw(b"%010d 00000 n \n" % w.offsets[n])
            w.raw(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (info + 1, info))
            w.raw(b"startxref\n%d\n%%%%EOF\n" % xref)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PrintOutputError(path=str(path), reason=str(exc)) from None
    except BaseException:  # stopped (cancelled) or a page that cannot be drawn
        tmp.unlink(missing_ok=True)
        raise
    return path


def _write_page(w: _Writer, number: int, page: PdfPage) -> None:
    raster = page.raster
    if raster.ndim == 3 and raster.shape[2] == 3:
        space = b"/DeviceRGB"
    elif raster.ndim == 2:
        space = b"/DeviceGray"
    else:
        raise PrintOutputError(path="PDF", reason=f"a raster of shape {raster.shape}")
    data = np.ascontiguousarray(to_8bit(raster, page.bits))
    rows, cols = data.shape[:2]
    page_w, page_h = (v * PT_PER_MM for v in page.page_mm)
    img_w, img_h = cols * page.pixel_mm * PT_PER_MM, rows * page.pixel_mm * PT_PER_MM
    x, y = (page_w - img_w) / 2, (page_h - img_h) / 2
    content = b"q %s 0 0 %s %s %s cm /Im0 Do Q" % (_num(img_w), _num(img_h), _num(x), _num(y))
    w.obj(number, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources "
          b"<< /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
          % (_num(page_w), _num(page_h), number + 2, number + 1))  # fmt: skip
    w.obj(number + 1, b"<< /Length %d >>" % len(content), content)
    packed = zlib.compress(data.tobytes(), FLATE_LEVEL)
    w.obj(number + 2, b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s"
          b" /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>"
          % (cols, rows, space, len(packed)), packed)  # fmt: skip


# -- reading back ------------------------------------------------------------------------
_CM = re.compile(rb"q ([-\d.]+) 0 0 ([-\d.]+) ([-\d.]+) ([-\d.]+) cm /Im0 Do Q")


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Each object's dictionary and stream, found through the xref table."""
    xref = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    lines = data[xref:].split(b"trailer")[0].splitlines()
    first, count = (int(v) for v in lines[1].split())
    objects = {}
    for n, line in enumerate(lines[2 : 2 + count], start=first):
        offset, _gen, kind = line.split()
        if kind != b"n":
            continue
        start = int(offset) + len(b"%d 0 obj\n" % n)
        end_obj = data.index(b"\nendobj\n", start)
        end_head = data.find(b"\nstream\n", start, end_obj)
        if end_head < 0:
            objects[n] = (data[start:end_obj], None)
            continue
        head = data[start:end_head]
        length = int(re.search(rb"/Length (\d+)", head).group(1))
        body = end_head + len(b"\nstream\n")
        objects[n] = (head, data[body : body + length])
    return objects


def _int(head: bytes, pattern: bytes) -> int:
    return int(re.search(pattern, head).group(1))


def read_pdf(path: Path | str) -> list[PdfPageInfo]:
    """The pages of a PDF written by :func:`write_pdf`, in order (not a general reader)."""
    objects = _objects(Path(path).read_bytes())
    kids = re.findall(rb"(\d+) 0 R", objects[2][0].split(b"/Kids")[1].split(b"]")[0])
    out = []
    for kid in (int(k) for k in kids):
        head = objects[kid][0]
        box = re.search(rb"/MediaBox \[([^\]]*)\]", head).group(1).split()
        contents = objects[_int(head, rb"/Contents (\d+) 0 R")][1] or b""
        w_pt, h_pt, x, y = (float(v) for v in _CM.search(contents).groups())
        ihead, stream = objects[_int(head, rb"/Im0 (\d+) 0 R")]
        cols, rows = _int(ihead, rb"/Width (\d+)"), _int(ihead, rb"/Height (\d+)")
        shape = (rows, cols, 3) if b"/DeviceRGB" in ihead else (rows, cols)
        pixels = np.frombuffer(zlib.decompress(stream or b""), dtype=np.uint8).reshape(shape)
        media = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
        out.append(PdfPageInfo(media, (x, y, w_pt, h_pt), pixels))
    return out


# -- sheets ------------------------------------------------------------------------------
def film_raster(rendered: object) -> np.ndarray:
    """The whole film's raster of a rendered sheet (``SheetRaster``)."""
    for name in ("film", "raster", "film_raster"):
        value = getattr(rendered, name, None)
        if isinstance(value, np.ndarray):
            return value
    raise PrintOutputError(path="PDF", reason="the rendered sheet has no film raster")


def sheet_page(sheet: Sheet, rendered: object | None = None) -> PdfPage:
    """The PDF page of ``sheet``: rendered at the printer's matrix (unless given)."""
    from workstation.imaging.film_render import render_sheet

    if rendered is None:
        rendered = render_sheet(sheet)
    spec = sheet.spec
    return PdfPage(film_raster(rendered), spec.pixel_mm, spec.film_mm,
                   8 if spec.color else spec.bits)  # fmt: skip


def write_sheets_pdf(
    path: Path | str,
    sheets: Sequence[Sheet],
    *,
    title: str = "",
    rendered: Mapping[int, object] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> Path:
    """Render each sheet and write them to ``path``, one page per sheet at film size.

    ``rendered``: sheets already rendered (index -> ``SheetRaster``, e.g. the preview's),
    used as they are. Pages are rendered one at a time while the file is written, so
    memory holds one sheet's raster (and its compressed image) at a time. ``on_page``
    (pages done, total) is called before each page: it may raise to stop (the partial
    file is removed)."""
    return write_pdf(path, _LazyPages(sheets, rendered or {}, on_page), title=title)


class _LazyPages(Sequence):
    def __init__(self, sheets: Sequence[Sheet], rendered: Mapping[int, object],
                 on_page: Callable[[int, int], None] | None) -> None:  # fmt: skip
        self.sheets = list(sheets)
        self.rendered = rendered
        self.on_page = on_page

    def __len__(self) -> int:
        return len(self.sheets)

    def __getitem__(self, index):  # type: ignore[override]
        if self.on_page is not None:
            self.on_page(index, len(self.sheets))
        return sheet_page(self.sheets[index], self.rendered.get(index))
