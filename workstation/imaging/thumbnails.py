"""Series thumbnails for the browser: one small 8-bit image from a stored instance.

Qt-free (numpy + pydicom) so it runs on a worker thread and in tests. It uses the
display pipeline's own steps (pixels.py, luts.py, pipeline.default_voi): decode one frame
(the middle one of a multi-frame image) -> modality LUT -> area-average down to the
thumbnail size -> the viewer's VOI (the file's first window, a VOI LUT, or min/max) ->
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

import numpy as np
from pydicom.dataset import Dataset

from workstation.dicom.read import read_dicom
from workstation.errors import WorkstationError
from workstation.imaging import luts, pixels
from workstation.imaging.pipeline import default_voi

log = logging.getLogger(__name__)

DEFAULT_SIZE = 128


class ThumbnailError(WorkstationError):
    """An instance that gives no thumbnail: no pixel data, or pixel data we cannot decode."""

    code = "imaging.thumbnail"
    template = "No thumbnail for {path}: {reason}"


# -- the display pipeline in miniature ------------------------------------------------
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


# -- public API -------------------------------------------------------------------------
def middle_frame(ds: Dataset) -> int:
    """Index of the frame a thumbnail shows: the middle one (0 for single-frame)."""
    try:
        frames = int(ds.get("NumberOfFrames") or 1)
    except (TypeError, ValueError):
        frames = 1
    return max(frames, 1) // 2


def _decode(path: Path, header: Dataset, frame: int) -> np.ndarray:
    """Decode only frame ``frame`` from the file (a full read when that is not possible)."""
    try:
        return pixels.decode_frame(path, frame, header=header)
    except WorkstationError as exc:
        reason = exc.values.get("reason", exc.message())
        raise ThumbnailError(path=str(path), reason=reason) from None


def render_thumbnail(path: Path, size: int = DEFAULT_SIZE) -> np.ndarray:
    """An 8-bit thumbnail of the middle frame: H x W (grey) or H x W x 3 (RGB) uint8,
    the longer side at most ``size`` (smaller images keep their size)."""
    path = Path(path)
    try:
        header = read_dicom(path, stop_before_pixels=True)
    except Exception as exc:
        raise ThumbnailError(path=str(path), reason=f"not readable: {exc}") from None
    if "Rows" not in header or "Columns" not in header:
        raise ThumbnailError(path=str(path), reason="no image in this instance")
    frame = middle_frame(header)
    arr = _decode(path, header, frame)
    if pixels.photometric(header) == "PALETTE COLOR":
        try:
            rgb = pixels.palette_to_rgb(arr, header)
        except WorkstationError as exc:
            raise ThumbnailError(path=str(path), reason=exc.values.get("reason", "")) from None
        return _shrink(rgb, size).round().astype(np.uint8)
    if arr.ndim == 3:
        rgb = pixels.colour_to_8bit(arr[..., :3], int(header.get("BitsStored", 8) or 8))
        return _shrink(rgb, size).round().astype(np.uint8)
    # grey: modality LUT at full size, averaged down, then the viewer's VOI choice
    values = _shrink(luts.modality_lut(arr, header, frame), size)
    unit = luts.apply_voi(values, default_voi(header, frame, values))
    return luts.to_uint8(unit, luts.inverts(pixels.photometric(header)))


THUMBNAIL_FOLDER = "thumbnails"  # in the store's root: the cache travels with the store


def forget_series(folder: Path, series_uid: str) -> int:
    """Remove the cached thumbnails of a series from ``folder`` (it was deleted)."""
    removed = 0
    for path in Path(folder).glob(f"{series_uid}__*.npy"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


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
        return forget_series(self.folder, series_uid)
