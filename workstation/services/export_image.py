"""``workstation export-image``: one frame rendered by the display pipeline, saved as PNG.

The PNG is what the viewport shows at 1:1 (8-bit grey or RGB): the given window, else
the file's first window (or its VOI LUT, or a min/max window). PNG is written with zlib
here (no Qt, no imaging library), so the command runs on a headless server.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom

from workstation.errors import PixelDataError
from workstation.imaging import pixels
from workstation.imaging.luts import VoiLut, Window
from workstation.imaging.pipeline import FrameSource


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, the 1-based frame, its size and the VOI used."""

    path: Path
    frame: int
    rows: int
    columns: int
    colour: bool
    window: Window | VoiLut | None


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def encode_png(image: np.ndarray) -> bytes:
    """An 8-bit grey (H x W) or RGB (H x W x 3) uint8 image as PNG bytes (filter 0)."""
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError("encode_png takes uint8 H x W or H x W x 3")
    rows, cols = image.shape[:2]
    colour_type = 2 if image.ndim == 3 else 0
    raw = np.ascontiguousarray(image).reshape(rows, -1)
    scanlines = np.hstack([np.zeros((rows, 1), dtype=np.uint8), raw]).tobytes()
    header = struct.pack(">IIBBBBB", cols, rows, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(scanlines, 6))
        + _chunk(b"IEND", b"")
    )


def export_image(
    source: Path,
    out: Path,
    frame: int = 1,
    window: tuple[float, float] | None = None,
) -> ExportResult:
    """Render ``frame`` (1-based, as DICOM numbers frames) of ``source`` and write a PNG.

    Raises :class:`PixelDataError` for a file that is not an image and
    :class:`FrameNumberError` for a frame it does not have."""
    source = Path(source)
    try:
        ds = pydicom.dcmread(source)
    except Exception as exc:
        raise PixelDataError(
            source=str(source), reason=f"not a readable DICOM file: {exc}"
        ) from None
    if not pixels.has_pixels(ds):
        raise PixelDataError(source=str(source), reason="the instance has no pixel data")
    pixels.check_frame(ds, frame - 1, str(source))
    frames = FrameSource(ds, key=str(source))
    frames.name = str(source)
    index = frame - 1
    used = None
    if not frames.is_colour:
        used = Window(*window) if window is not None else frames.default_window(index)
    image = frames.render(index, used)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(encode_png(image))
    return ExportResult(out, frame, image.shape[0], image.shape[1], image.ndim == 3, used)
