"""The display pipeline: one frame of a dataset -> the 8-bit image the viewport shows at 1:1.

stored values (pixels.py) -> modality LUT -> VOI (given window, the file's first window,
the frame's functional-group window, a VOI LUT, or an auto window) -> presentation LUT
(MONOCHROME1 inverted) -> uint8; colour images go to 8-bit RGB without VOI. Overlays
(60xx) are burned in white, display shutters paint their presentation value. The viewer,
thumbnails and ``workstation export-image`` all go through here, so they agree.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from workstation.dicom.read import read_dicom
from workstation.errors import PixelDataError
from workstation.imaging import luts, pixels
from workstation.imaging.frame_cache import FrameCache
from workstation.imaging.luts import VoiLut, Window

WindowLike = Window | VoiLut | tuple[float, float]
OVERLAY_GROUPS = tuple(range(0x6000, 0x6020, 2))


# -- VOI selection -----------------------------------------------------------------------
def padding_value(ds: Dataset, frame: int = 0) -> float | None:
    """Pixel Padding Value in modality units (left out of the auto window)."""
    padding = luts.first_number(ds.get("PixelPaddingValue"))
    if padding is None:
        return None
    return float(luts.modality_lut(np.array([padding]), ds, frame)[0])


def default_voi(ds: Dataset, frame: int, values: np.ndarray) -> Window | VoiLut:
    """The file's first window, else the frame's functional-group window, else the first
    VOI LUT, else a min/max window over ``values`` (modality units)."""
    return (
        luts.file_window(ds, frame)
        or luts.file_voi_lut(ds)
        or luts.auto_window(values, padding_value(ds, frame))
    )


def as_voi(window: WindowLike) -> Window | VoiLut:
    if isinstance(window, Window | VoiLut):
        return window
    center, width = window
    return Window(float(center), float(width))


def grey_unit(
    stored: np.ndarray, ds: Dataset, frame: int, window: WindowLike | None = None
) -> np.ndarray:
    """Stored grey values -> 0..1 after the modality LUT and VOI (no presentation LUT)."""
    values = luts.modality_lut(stored, ds, frame)
    voi = as_voi(window) if window is not None else default_voi(ds, frame, values)
    return luts.apply_voi(values, voi)


# -- overlays ----------------------------------------------------------------------------
def overlay_masks(source: Dataset, frame: int, shape: tuple[int, int], stored=None) -> list:
    """Boolean H x W masks of the overlay planes shown on ``frame`` (0-based): bit-packed
    Overlay Data placed at its origin, or (retired) bits embedded in the stored values."""
    masks = []
    rows_img, cols_img = shape
    for group in OVERLAY_GROUPS:
        if (group << 16 | 0x0010) not in source:
            continue
        rows = int(source[group << 16 | 0x0010].value)
        cols = int(source[group << 16 | 0x0011].value)
        origin = source.get(group << 16 | 0x0050)
        r0, c0 = (int(origin.value[0]), int(origin.value[1])) if origin is not None else (1, 1)
        if (group << 16 | 0x3000) in source:
            try:
                plane = np.asarray(source.overlay_array(group))
            except Exception:  # a malformed plane costs the overlay, not the image
                continue
            if plane.ndim == 3:
                first = source.get(group << 16 | 0x0051)
                index = frame - (int(first.value) - 1 if first is not None else 0)
                if not 0 <= index < plane.shape[0]:
                    continue
                plane = plane[index]
        elif stored is not None and (group << 16 | 0x0102) in source:
            bit = int(source[group << 16 | 0x0102].value)
            if bit == 0 or stored.ndim != 2:
                continue
            plane = (stored.astype(np.int64) >> bit) & 1
        else:
            continue
        plane = plane[:rows, :cols].astype(bool)
        mask = np.zeros(shape, dtype=bool)
        top, left = r0 - 1, c0 - 1
        t0, l0 = max(top, 0), max(left, 0)
        b, r = min(top + plane.shape[0], rows_img), min(left + plane.shape[1], cols_img)
        if b > t0 and r > l0:
            mask[t0:b, l0:r] = plane[t0 - top : b - top, l0 - left : r - left]
        masks.append(mask)
    return masks


# -- shutters ----------------------------------------------------------------------------
def _inside_polygon(vertices: list[float], rows: int, cols: int) -> np.ndarray:
    """Even-odd test of pixel centres against a polygon given as (row, col) pairs, 1-based."""
    pts = np.asarray(vertices, dtype=np.float64).reshape(-1, 2) - 1.0
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    inside = np.zeros((rows, cols), dtype=bool)
    n = len(pts)
    for i in range(n):
        (y1, x1), (y2, x2) = pts[i], pts[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (y1 > yy) != (y2 > yy)
        x_at = x1 + (yy - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (xx < x_at)
    return inside


def shutter_mask(source: Dataset, shape: tuple[int, int]) -> np.ndarray | None:
    """True where a display shutter (rectangular, circular, polygonal; combined) lets the
    image through; None when there is no shutter."""
    shapes = source.get("ShutterShape")
    if not shapes:
        return None
    names = [str(s).upper() for s in (shapes if not isinstance(shapes, str) else [shapes])]
    rows, cols = shape
    yy, xx = np.mgrid[1 : rows + 1, 1 : cols + 1]
    open_ = np.ones(shape, dtype=bool)
    if "RECTANGULAR" in names:
        left = int(source.get("ShutterLeftVerticalEdge", 1))
        right = int(source.get("ShutterRightVerticalEdge", cols))
        upper = int(source.get("ShutterUpperHorizontalEdge", 1))
        lower = int(source.get("ShutterLowerHorizontalEdge", rows))
        open_ &= (xx >= left) & (xx <= right) & (yy >= upper) & (yy <= lower)
    if "CIRCULAR" in names and "CenterOfCircularShutter" in source:
        cy, cx = (float(v) for v in source.CenterOfCircularShutter)
        radius = float(source.get("RadiusOfCircularShutter", 0))
        open_ &= (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
    if "POLYGONAL" in names and "VerticesOfThePolygonalShutter" in source:
        open_ &= _inside_polygon(list(source.VerticesOfThePolygonalShutter), rows, cols)
    return open_


def shutter_grey(source: Dataset) -> int:
    """The Shutter Presentation Value (a 16-bit P-value) as an 8-bit grey; black if absent."""
    value = luts.first_number(source.get("ShutterPresentationValue"))
    return 0 if value is None else int(round(value / 65535.0 * 255.0))


# -- render ------------------------------------------------------------------------------
def render_stored(
    stored: np.ndarray,
    ds: Dataset,
    frame: int = 0,
    window: WindowLike | None = None,
    *,
    presentation_lut: str | None = None,
    overlays: bool = True,
    shutters: bool = True,
    display_source: Dataset | None = None,
) -> np.ndarray:
    """Already decoded stored values of ``frame`` -> uint8 H x W (grey) or H x W x 3 (RGB).

    ``display_source`` supplies overlays and shutters (a GSPS); the image itself when None.
    ``presentation_lut`` ("IDENTITY"/"INVERSE") overrides the MONOCHROME1 rule."""
    photometric = pixels.photometric(ds)
    if photometric == "PALETTE COLOR":
        image = pixels.palette_to_rgb(stored, ds)
    elif stored.ndim == 3:
        image = pixels.colour_to_8bit(stored[..., :3], int(ds.get("BitsStored", 8) or 8))
    else:
        unit = grey_unit(stored, ds, frame, window)
        image = luts.to_uint8(unit, luts.inverts(photometric, presentation_lut))
    source = display_source if display_source is not None else ds
    shape = image.shape[:2]
    if overlays:
        for mask in overlay_masks(source, frame, shape, stored if source is ds else None):
            image = image.copy() if not image.flags.writeable else image
            image[mask] = 255
    if shutters:
        mask = shutter_mask(source, shape)
        if mask is not None:
            image = image.copy()
            image[~mask] = shutter_grey(source)
    return image


def render(ds: Dataset, frame: int = 0, window: WindowLike | None = None, **options) -> np.ndarray:
    """Decode ``frame`` (0-based) of ``ds`` and render it; see :func:`render_stored`."""
    return render_stored(pixels.decode_frame(ds, frame), ds, frame, window, **options)


class FrameSource:
    """One image instance for the viewer: decoded frames from a shared cache, the default
    window per frame, and rendering. Safe to decode from a prefetch thread."""

    def __init__(
        self, source: Dataset | Path | str, cache: FrameCache | None = None, key: Hashable = None
    ) -> None:
        self.ds = source if isinstance(source, Dataset) else read_dicom(source)
        self.name = "the image" if isinstance(source, Dataset) else str(source)
        if not pixels.has_pixels(self.ds):
            raise PixelDataError(source=self.name, reason="the instance has no pixel data")
        for keyword in pixels.PIXEL_KEYWORDS:  # convert the raw element once, before threads
            if keyword in self.ds:
                _ = self.ds[keyword].value
        self.cache = cache if cache is not None else FrameCache()
        self.key = key if key is not None else str(self.ds.get("SOPInstanceUID", id(self)))
        self.frame_count = pixels.frame_count(self.ds)
        self.is_colour = pixels.is_colour(self.ds)

    def decode(self, frame: int) -> np.ndarray:
        """Stored values of ``frame``, decoded (no cache); what the prefetcher calls."""
        pixels.check_frame(self.ds, frame, self.name)
        return pixels.decode_frame(self.ds, frame)

    def stored(self, frame: int) -> np.ndarray:
        """Stored values of ``frame`` through the cache."""
        return self.cache.get_or_load((self.key, frame), lambda: self.decode(frame))

    def default_window(self, frame: int = 0) -> Window | VoiLut | None:
        """The window the viewer opens with; None for colour images (no VOI)."""
        if self.is_colour:
            return None
        values = luts.modality_lut(self.stored(frame), self.ds, frame)
        return default_voi(self.ds, frame, values)

    def render(self, frame: int = 0, window: WindowLike | None = None, **options) -> np.ndarray:
        pixels.check_frame(self.ds, frame, self.name)
        return render_stored(self.stored(frame), self.ds, frame, window, **options)
