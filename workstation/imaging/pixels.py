"""Decode one frame to a numpy array of stored values (pydicom + the pylibjpeg plugins).

Every transfer syntax pydicom can decode with the installed plugins (native little/big
endian, deflate, RLE, JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000) comes out the
same way: native byte order, one frame (H x W, or H x W x 3 for colour), signed when the
Pixel Representation says so. YBR_FULL/YBR_FULL_422/YBR_ICT/YBR_RCT are converted to RGB
and planar configuration undone by pydicom; PALETTE COLOR stays as indices here and goes
through :func:`palette_to_rgb` (:mod:`workstation.imaging.palette`) in the pipeline. Files
are read with :func:`workstation.dicom.read.read_dicom`, so data sets without preamble or
file meta decode too.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import pixel_array

from workstation.dicom.read import read_dicom
from workstation.errors import FrameNumberError, PixelDataError, WorkstationError
from workstation.imaging import palette

log = logging.getLogger(__name__)

PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")


def has_pixels(ds: Dataset) -> bool:
    return any(k in ds for k in PIXEL_KEYWORDS) and "Rows" in ds and "Columns" in ds


def frame_count(ds: Dataset) -> int:
    """Number of frames (1 for a single-frame image or a bad Number of Frames)."""
    try:
        return max(int(ds.get("NumberOfFrames") or 1), 1)
    except (TypeError, ValueError):
        return 1


def photometric(ds: Dataset) -> str:
    return str(ds.get("PhotometricInterpretation", "MONOCHROME2") or "MONOCHROME2").strip().upper()


def is_colour(ds: Dataset) -> bool:
    """RGB-like samples (3 per pixel) or a palette: no VOI, no grey presentation LUT."""
    return photometric(ds) == "PALETTE COLOR" or int(ds.get("SamplesPerPixel", 1) or 1) >= 3


def check_frame(ds: Dataset, frame: int, source: str = "the image") -> None:
    """Raise the user-facing errors for no pixels or a frame (0-based) out of range."""
    if not has_pixels(ds):
        raise PixelDataError(source=source, reason="the instance has no pixel data")
    count = frame_count(ds)
    if not 0 <= frame < count:
        raise FrameNumberError(frame=frame + 1, source=source, count=count)


def _native(arr: np.ndarray) -> np.ndarray:
    """Native byte order: big endian files decode to '>u2' arrays."""
    return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))


def decode_frame(
    source: Dataset | Path | str, frame: int = 0, header: Dataset | None = None
) -> np.ndarray:
    """Stored values of ``frame`` (0-based) of ``source`` (a dataset, or a file read frame
    by frame without loading the others). Raises :class:`PixelDataError`."""
    ds = header if header is not None else source
    if isinstance(ds, Path | str):
        try:
            ds = read_dicom(ds, stop_before_pixels=True)
        except (WorkstationError, OSError) as exc:
            raise PixelDataError(source=str(ds), reason=str(exc)) from None
    name = str(source) if isinstance(source, Path | str) else "the image"
    if isinstance(source, Path | str):  # a header read without pixels: the range only
        if not 0 <= frame < frame_count(ds):
            raise FrameNumberError(frame=frame + 1, source=name, count=frame_count(ds))
    else:
        check_frame(ds, frame, name)
    index = frame if "NumberOfFrames" in ds else None
    try:
        arr = pixel_array(source, index=index)
    except Exception as first:
        if not isinstance(source, Path | str):
            raise PixelDataError(
                source=name, reason=f"pixel data cannot be decoded: {first}"
            ) from None
        try:  # some files only decode through a full read (no file meta, deflate, ...)
            arr = pixel_array(read_dicom(source), index=index)
        except Exception:
            raise PixelDataError(
                source=name, reason=f"pixel data cannot be decoded: {first}"
            ) from None
    return _native(arr)


def palette_to_rgb(indices: np.ndarray, ds: Dataset) -> np.ndarray:
    """PALETTE COLOR indices -> RGB uint8 through the file's (possibly segmented) LUTs,
    read in the data set's byte order."""
    try:
        return palette.palette_to_rgb(indices, ds)
    except Exception as exc:  # a damaged palette: any error reading it
        raise PixelDataError(
            source="the image", reason=f"palette cannot be applied: {exc}"
        ) from None


def colour_to_8bit(arr: np.ndarray, bits: int) -> np.ndarray:
    """RGB samples of ``bits`` bits -> uint8 (8-bit samples pass through unchanged)."""
    if arr.dtype == np.uint8:
        return arr
    top = float(2**bits - 1) if 0 < bits <= 32 else float(arr.max() or 1)
    return np.rint(np.clip(arr.astype(np.float64) * (255.0 / top), 0, 255)).astype(np.uint8)
