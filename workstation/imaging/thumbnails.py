"""Series thumbnails for the browser: one small 8-bit image from a stored instance.

Qt-free (numpy + pydicom) so it runs on a worker thread and in tests. The pipeline is
the display pipeline in miniature: decode one frame (the middle one of a multi-frame
image) -> modality LUT (rescale or LUT, per frame for enhanced objects) -> area-average
down to the thumbnail size -> VOI (the file's first window, a VOI LUT, or min/max) ->
MONOCHROME1 inverted -> uint8. Colour images (RGB, YBR converted by pydicom, PALETTE
COLOR through its LUT) are scaled to 8 bits per sample. Results are cached on disk as
``.npy`` files so the browser does not decode a study twice.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, apply_voi, pixel_array

from workstation.errors import WorkstationError

log = logging.getLogger(__name__)

DEFAULT_SIZE = 128


class ThumbnailError(WorkstationError):
    """An instance that gives no thumbnail: no pixel data, or pixel data we cannot decode."""

    code = "imaging.thumbnail"
    template = "No thumbnail for {path}: {reason}"


# -- per-frame attribute lookup (enhanced multi-frame objects) -------------------------
def _frame_item(ds: Dataset, frame: int, sequence: str) -> Dataset | None:
    """The functional-group item ``sequence`` for ``frame``: per-frame first, then shared."""
    for groups, index in (
        ("PerFrameFunctionalGroupsSequence", frame),
        ("SharedFunctionalGroupsSequence", 0),
    ):
        items = ds.get(groups)
        if not items or index >= len(items):
            continue
        seq = items[index].get(sequence)
        if seq:
            return seq[0]
    return None


def _first_number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        value = value[0] if len(value) else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


# -- pipeline steps ---------------------------------------------------------------------
def _modality_lut(arr: np.ndarray, ds: Dataset, frame: int) -> np.ndarray:
    """Stored values -> modality values (float), from the top level or the frame's group."""
    if "ModalityLUTSequence" in ds:
        item = ds.ModalityLUTSequence[0]
        descriptor = [int(v) for v in item.LUTDescriptor]
        entries, first = descriptor[0] or 65536, descriptor[1]
        lut = (
            np.frombuffer(item.LUTData, dtype="<u2")
            if isinstance(item.LUTData, bytes)
            else np.asarray(item.LUTData)
        )
        lut = lut[:entries].astype(np.float64)
        idx = np.clip(arr.astype(np.int64) - first, 0, len(lut) - 1)
        return lut[idx]
    source: Dataset = ds
    if "RescaleSlope" not in ds and "RescaleIntercept" not in ds:
        item = _frame_item(ds, frame, "PixelValueTransformationSequence")
        if item is not None:
            source = item
    slope = _first_number(source.get("RescaleSlope"))
    intercept = _first_number(source.get("RescaleIntercept"))
    out = arr.astype(np.float64)
    if slope is not None and slope != 1.0:
        out *= slope
    if intercept:
        out += intercept
    return out


def _shrink(img: np.ndarray, size: int) -> np.ndarray:
    """Area-average ``img`` (H x W or H x W x C) so its longer side is at most ``size``."""
    h, w = img.shape[:2]
    factor = math.ceil(max(h, w) / size)
    if factor <= 1:
        return img.astype(np.float64, copy=False)
    h2, w2 = h // factor, w // factor
    if h2 == 0 or w2 == 0:  # a very thin image: sample instead of averaging
        return img[::factor, ::factor].astype(np.float64)
    cropped = img[: h2 * factor, : w2 * factor].astype(np.float64)
    shape = (h2, factor, w2, factor, *img.shape[2:])
    return cropped.reshape(shape).mean(axis=(1, 3))


def _window(ds: Dataset, frame: int) -> tuple[float, float, str] | None:
    """(center, width, function) from the file: top level, then the frame's VOI group."""
    source: Dataset | None = (
        ds if "WindowCenter" in ds else _frame_item(ds, frame, "FrameVOILUTSequence")
    )
    if source is None:
        return None
    center = _first_number(source.get("WindowCenter"))
    width = _first_number(source.get("WindowWidth"))
    if center is None or width is None or width < 1:
        return None
    function = str(source.get("VOILUTFunction", "LINEAR") or "LINEAR").upper()
    return center, width, function


def _to_unit(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    if hi <= lo:
        return np.zeros_like(values, dtype=np.float64)
    return np.clip((values - lo) / (hi - lo), 0.0, 1.0)


def _voi(values: np.ndarray, ds: Dataset, frame: int, padding: float | None) -> np.ndarray:
    """Modality values -> 0..1 by the file's window, its VOI LUT, or min/max."""
    window = _window(ds, frame)
    if window is not None:
        c, w, function = window
        if function == "SIGMOID":
            return 1.0 / (1.0 + np.exp(-4.0 * (values - c) / w))
        if function == "LINEAR_EXACT":
            return _to_unit(values, c - w / 2, c + w / 2)
        # LINEAR (PS3.3 C.11.2.1.2.1): the -0.5 / (w-1) form of the standard
        lo, hi = c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2
        return _to_unit(values, lo, hi)
    if "VOILUTSequence" in ds:
        try:
            mapped = apply_voi(np.rint(values).astype(np.int64), ds, index=0).astype(np.float64)
            return _to_unit(mapped, float(mapped.min()), float(mapped.max()))
        except Exception as exc:  # an odd LUT: fall back to min/max
            log.debug("VOI LUT not applied: %s", exc)
    body = values if padding is None else values[values != padding]
    if body.size == 0:
        body = values
    return _to_unit(values, float(body.min()), float(body.max()))


def _colour_to_8bit(arr: np.ndarray, bits: int) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    top = float(2**bits - 1) if bits and bits <= 32 else float(arr.max() or 1)
    return np.clip(arr.astype(np.float64) * (255.0 / top), 0, 255).astype(np.uint8)


# -- public API -------------------------------------------------------------------------
def middle_frame(ds: Dataset) -> int:
    """Index of the frame a thumbnail shows: the middle one (0 for single-frame)."""
    try:
        frames = int(ds.get("NumberOfFrames") or 1)
    except (TypeError, ValueError):
        frames = 1
    return max(frames, 1) // 2


def _decode(path: Path, header: Dataset, frame: int) -> np.ndarray:
    """Decode only frame ``frame`` from the file; a full read when that is not possible."""
    index = frame if "NumberOfFrames" in header else None
    try:
        return pixel_array(path, index=index)
    except Exception as first:
        try:
            full = pydicom.dcmread(path)
            return pixel_array(full, index=index)
        except Exception:
            raise ThumbnailError(
                path=str(path), reason=f"pixel data cannot be decoded: {first}"
            ) from None


def render_thumbnail(path: Path, size: int = DEFAULT_SIZE) -> np.ndarray:
    """An 8-bit thumbnail of the middle frame: H x W (grey) or H x W x 3 (RGB) uint8,
    the longer side at most ``size`` (smaller images keep their size)."""
    path = Path(path)
    try:
        header = pydicom.dcmread(path, stop_before_pixels=True)
    except Exception as exc:
        raise ThumbnailError(path=str(path), reason=f"not readable: {exc}") from None
    if "Rows" not in header or "Columns" not in header:
        raise ThumbnailError(path=str(path), reason="no image in this instance")
    frame = middle_frame(header)
    arr = _decode(path, header, frame)
    photometric = str(header.get("PhotometricInterpretation", "MONOCHROME2")).upper()
    samples = int(header.get("SamplesPerPixel", 1) or 1)
    if photometric == "PALETTE COLOR":
        try:
            rgb = apply_color_lut(arr, header)
        except Exception as exc:
            raise ThumbnailError(
                path=str(path), reason=f"palette cannot be applied: {exc}"
            ) from None
        bits = 16 if rgb.dtype != np.uint8 else 8
        return _shrink(_colour_to_8bit(rgb, bits), size).round().astype(np.uint8)
    if samples >= 3 or arr.ndim == 3:
        bits = int(header.get("BitsStored", 8) or 8)
        rgb = _colour_to_8bit(arr[..., :3], bits)
        return _shrink(rgb, size).round().astype(np.uint8)
    values = _shrink(_modality_lut(arr, header, frame), size)
    padding = _first_number(header.get("PixelPaddingValue"))
    if padding is not None:
        padding = float(_modality_lut(np.array([padding]), header, frame)[0])
    unit = _voi(values, header, frame, padding)
    if photometric == "MONOCHROME1":
        unit = 1.0 - unit
    return np.rint(unit * 255.0).astype(np.uint8)


class ThumbnailCache:
    """Thumbnails on disk (``<folder>/<series>__<sop>__<size>.npy``), rebuilt when the
    source file is newer. Safe to use from one worker thread next to readers."""

    def __init__(self, folder: Path, size: int = DEFAULT_SIZE) -> None:
        self.folder = Path(folder)
        self.size = size

    def path_for(self, series_uid: str, sop_uid: str) -> Path:
        return self.folder / f"{series_uid}__{sop_uid}__{self.size}.npy"

    def get(self, series_uid: str, sop_uid: str, source: Path) -> np.ndarray:
        """The cached thumbnail of ``source``, made (and saved) when missing or stale."""
        cached = self.path_for(series_uid, sop_uid)
        try:
            if cached.stat().st_mtime_ns >= Path(source).stat().st_mtime_ns:
                return np.load(cached, allow_pickle=False)
        except (OSError, ValueError):
            pass
        image = render_thumbnail(source, self.size)
        self._save(cached, image)
        return image

    def _save(self, target: Path, image: np.ndarray) -> None:
        """Write to a temp name and rename: a reader never sees half a file."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".thumb-", suffix=".npy", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, image, allow_pickle=False)
            os.replace(tmp, target)
        except OSError as exc:  # a full or read-only disk costs the cache, not the thumbnail
            log.warning("thumbnail cache not written: %s", exc)

    def forget_series(self, series_uid: str) -> int:
        """Remove the cached thumbnails of a series (after it was deleted)."""
        removed = 0
        for path in self.folder.glob(f"{series_uid}__*.npy"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed
