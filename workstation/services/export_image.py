"""``workstation export-image``: one frame rendered by the display pipeline, saved as PNG.

The PNG is what the viewport shows at 1:1 (8-bit grey or RGB): the given window, else
the file's first window (or its VOI LUT, or a min/max window). PNG is written with zlib
here (no Qt, no imaging library), so the command runs on a headless server. The source
is read by :func:`workstation.dicom.read.read_dicom`, as import and the viewer read it:
Part 10, or a data set without preamble or file meta.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom

from workstation.dicom.display_state import DisplayState, Graphic, GraphicType
from workstation.dicom.read import read_dicom
from workstation.errors import PixelDataError, PresentationStateError, WorkstationError
from workstation.imaging import pixels
from workstation.imaging.gsps import read_presentation_state
from workstation.imaging.luts import VoiLut, Window
from workstation.imaging.pipeline import FrameSource

CURVE_SEGMENTS = 64  # line segments per circle or ellipse outline


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


# -- presentation state -----------------------------------------------------------------
def _segment(image: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> None:
    """Burn a white 1-pixel line from ``a`` to ``b`` ((column, row), 1-based pixel centres)."""
    (x0, y0), (x1, y1) = (a[0] - 1, a[1] - 1), (b[0] - 1, b[1] - 1)
    steps = int(np.ceil(max(abs(x1 - x0), abs(y1 - y0)))) + 1
    xs = np.rint(np.linspace(x0, x1, steps)).astype(int)
    ys = np.rint(np.linspace(y0, y1, steps)).astype(int)
    inside = (xs >= 0) & (xs < image.shape[1]) & (ys >= 0) & (ys < image.shape[0])
    image[ys[inside], xs[inside]] = 255


def _outline(graphic: Graphic) -> list[tuple[float, float]]:
    """The points joined by straight segments that draw ``graphic``."""
    points = [(float(x), float(y)) for x, y in graphic.points]
    if graphic.type == GraphicType.CIRCLE and len(points) >= 2:
        (cx, cy), (px, py) = points[:2]
        radius = float(np.hypot(px - cx, py - cy))
        centre, major, minor = np.array([cx, cy]), np.array([radius, 0.0]), np.array([0.0, radius])
    elif graphic.type == GraphicType.ELLIPSE and len(points) >= 4:
        a0, a1, b0, b1 = (np.array(p) for p in points[:4])
        centre, major, minor = (a0 + a1) / 2, (a1 - a0) / 2, (b1 - b0) / 2
    else:
        return points
    angles = np.linspace(0.0, 2 * np.pi, CURVE_SEGMENTS + 1)
    return [tuple(centre + np.cos(t) * major + np.sin(t) * minor) for t in angles]


def burn_graphics(image: np.ndarray, state: DisplayState) -> np.ndarray:
    """The state's graphics burned in white, 1 pixel wide, in image pixel coordinates
    (text objects are not drawn; a visible anchor point is)."""
    image = image.copy()
    for layer in state.layers:
        for graphic in layer.graphics:
            points = _outline(graphic)
            if len(points) == 1:
                _segment(image, points[0], points[0])
            for a, b in zip(points, points[1:], strict=False):
                _segment(image, a, b)
        for text in layer.texts:
            if text.anchor is not None and text.anchor_visible:
                _segment(image, text.anchor, text.anchor)
    return image


def apply_spatial(image: np.ndarray, state: DisplayState) -> np.ndarray:
    """Crop to the displayed area (outside the image: black), rotate clockwise, then flip,
    as PS3.3 C.10.4 / C.10.6 order them. Shown at 1:1: no scaling to a display size."""
    area = state.displayed_area
    if area is not None:
        (x0, y0), (x1, y1) = area.top_left, area.bottom_right
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        out = np.zeros((y1 - y0 + 1, x1 - x0 + 1, *image.shape[2:]), dtype=image.dtype)
        rows, cols = image.shape[:2]
        sy0, sy1 = max(y0 - 1, 0), min(y1, rows)
        sx0, sx1 = max(x0 - 1, 0), min(x1, cols)
        if sy1 > sy0 and sx1 > sx0:
            out[sy0 - (y0 - 1) : sy1 - (y0 - 1), sx0 - (x0 - 1) : sx1 - (x0 - 1)] = image[
                sy0:sy1, sx0:sx1
            ]
        image = out
    image = np.rot90(image, k=-(state.rotation // 90))
    if state.flip_horizontal:
        image = image[:, ::-1]
    return np.ascontiguousarray(image)


def presentation_state_for(
    gsps_path: Path, ds: pydicom.Dataset
) -> tuple[DisplayState, pydicom.Dataset]:
    """The display state a GSPS file gives ``ds`` and the GSPS itself (overlays, shutters).

    Raises :class:`PresentationStateError` for a file that is not a GSPS or that does not
    reference the image."""
    try:
        gsps = read_dicom(gsps_path)
    except (WorkstationError, OSError) as exc:
        raise PresentationStateError(
            iod=str(gsps_path), reason=f"not a readable DICOM file: {exc}"
        ) from None
    uid = str(ds.get("SOPInstanceUID", ""))
    size = (int(ds.get("Columns", 0) or 0), int(ds.get("Rows", 0) or 0))
    states = read_presentation_state(gsps, {uid: size})
    if uid not in states:
        raise PresentationStateError(
            iod=str(gsps_path), reason=f"it does not reference the image {uid or '(no UID)'}"
        )
    return states[uid], gsps


def export_image(
    source: Path,
    out: Path,
    frame: int = 1,
    window: tuple[float, float] | None = None,
    presentation_state: Path | None = None,
) -> ExportResult:
    """Render ``frame`` (1-based, as DICOM numbers frames) of ``source`` and write a PNG.

    With ``presentation_state`` (a GSPS file) its window (unless ``window`` is given),
    inversion, overlays, shutters, graphics, displayed area, flip and rotation apply.

    Raises :class:`PixelDataError` for a file that is not an image,
    :class:`FrameNumberError` for a frame it does not have and
    :class:`PresentationStateError` for a GSPS that does not reference the image."""
    source = Path(source)
    try:
        ds = read_dicom(source)  # Part 10, or without preamble / file meta as import reads
    except (WorkstationError, OSError) as exc:
        raise PixelDataError(
            source=str(source), reason=f"not a readable DICOM file: {exc}"
        ) from None
    if not pixels.has_pixels(ds):
        raise PixelDataError(source=str(source), reason="the instance has no pixel data")
    pixels.check_frame(ds, frame - 1, str(source))
    frames = FrameSource(ds, key=str(source))
    frames.name = str(source)
    index = frame - 1
    state, options = None, {}
    if presentation_state is not None:
        state, gsps = presentation_state_for(Path(presentation_state), ds)
        options = {"display_source": gsps, "presentation_lut": "INVERSE" if state.invert else None}
    used = None
    if not frames.is_colour:
        if window is not None:
            used = Window(*window)
        elif state is not None and state.window is not None:
            used = Window(state.window.center, state.window.width)
        else:
            used = frames.default_window(index)
    image = frames.render(index, used, **options)
    if state is not None:
        image = apply_spatial(burn_graphics(image, state), state)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(encode_png(image))
    return ExportResult(out, frame, image.shape[0], image.shape[1], image.ndim == 3, used)
