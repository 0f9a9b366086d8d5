"""Grey-scale transforms of the display pipeline as pure numpy functions (PS3.3 C.11).

stored values -> modality LUT (rescale or Modality LUT Sequence, per frame for enhanced
objects) -> VOI (window per C.11.2.1.2, or a VOI LUT Sequence) -> presentation LUT
(IDENTITY / INVERSE, MONOCHROME1 inverted) -> display. VOI output is a float in 0..1 so
one function serves the 8-bit viewport, thumbnails and exports alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

WINDOW_FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")

# CT window presets: key -> (centre, width) in HU
CT_PRESETS = {
    "lung": (-600.0, 1500.0),
    "mediastinum": (50.0, 350.0),
    "bone": (400.0, 1800.0),
    "brain": (40.0, 80.0),
    "abdomen": (40.0, 400.0),
}


@dataclass(frozen=True)
class Window:
    """A VOI window: center/width in modality units and the VOI LUT Function."""

    center: float
    width: float
    function: str = "LINEAR"
    explanation: str = ""


@dataclass(frozen=True)
class VoiLut:
    """A VOI LUT Sequence item: ``first`` maps to ``data[0]``; output has ``bits`` bits."""

    first: int
    data: np.ndarray = field(repr=False, compare=False)
    bits: int
    explanation: str = ""


# -- attribute helpers -------------------------------------------------------------------
def frame_item(ds: Dataset, frame: int, sequence: str) -> Dataset | None:
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


def numbers(value: Any) -> list[float]:
    """A DS/IS/US value (single or multi) as a list of floats; [] when absent or bad."""
    if value is None or value == "":
        return []
    scalar = isinstance(value, str | bytes | int | float) or not hasattr(value, "__iter__")
    values = [value] if scalar else list(value)
    out = []
    for v in values:
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            return out
    return out


def first_number(value: Any) -> float | None:
    found = numbers(value)
    return found[0] if found else None


def lut_data(item: Dataset) -> tuple[int, int, int, np.ndarray]:
    """(entries, first mapped value, bits, data) of a Modality/VOI LUT item.

    LUT Data (US or OW) arrives as a list or as raw little-endian words; the first
    mapped value is signed when the descriptor's VR says so (read as an unsigned word
    above 32767 otherwise)."""
    descriptor = [int(v) for v in item.LUTDescriptor]
    entries = descriptor[0] or 65536
    first = descriptor[1]
    bits = descriptor[2] if len(descriptor) > 2 else 16
    raw = item.LUTData
    if isinstance(raw, bytes):
        data = np.frombuffer(raw, dtype="<u2" if bits > 8 or len(raw) >= 2 * entries else "u1")
    else:
        data = np.asarray(raw if isinstance(raw, list | tuple) else [raw])
    return entries, first, bits, data[:entries].astype(np.float64)


# -- modality LUT ------------------------------------------------------------------------
def rescale(ds: Dataset, frame: int = 0) -> tuple[float, float]:
    """(slope, intercept) from the top level, else the frame's Pixel Value Transformation."""
    source: Dataset = ds
    if "RescaleSlope" not in ds and "RescaleIntercept" not in ds:
        item = frame_item(ds, frame, "PixelValueTransformationSequence")
        if item is not None:
            source = item
    slope = first_number(source.get("RescaleSlope"))
    intercept = first_number(source.get("RescaleIntercept"))
    return (1.0 if slope is None else slope), (intercept or 0.0)


def modality_lut(stored: np.ndarray, ds: Dataset, frame: int = 0) -> np.ndarray:
    """Stored values -> modality values (float64): the Modality LUT Sequence when present
    (values outside the LUT take its first/last entry), else rescale slope/intercept."""
    if "ModalityLUTSequence" in ds:
        _, first, _, lut = lut_data(ds.ModalityLUTSequence[0])
        index = np.clip(stored.astype(np.int64) - first, 0, len(lut) - 1)
        return lut[index]
    slope, intercept = rescale(ds, frame)
    out = stored.astype(np.float64)
    if slope != 1.0:
        out *= slope
    if intercept:
        out += intercept
    return out


# -- VOI ---------------------------------------------------------------------------------
def file_window(ds: Dataset, frame: int = 0, index: int = 0) -> Window | None:
    """The ``index``-th window of the file (top level), else of the frame's VOI group."""
    source = ds if "WindowCenter" in ds else frame_item(ds, frame, "FrameVOILUTSequence")
    if source is None:
        return None
    centers = numbers(source.get("WindowCenter"))
    widths = numbers(source.get("WindowWidth"))
    if len(centers) <= index or len(widths) <= index or widths[index] <= 0:
        return None
    function = str(source.get("VOILUTFunction", "") or "LINEAR").upper()
    if function not in WINDOW_FUNCTIONS:
        function = "LINEAR"
    explanations = source.get("WindowCenterWidthExplanation") or []
    if isinstance(explanations, str):
        explanations = [explanations]
    explanation = str(explanations[index]) if len(explanations) > index else ""
    return Window(centers[index], widths[index], function, explanation)


def file_voi_lut(ds: Dataset, index: int = 0) -> VoiLut | None:
    """The ``index``-th item of the VOI LUT Sequence, or None."""
    items = ds.get("VOILUTSequence")
    if not items or len(items) <= index:
        return None
    _, first, bits, data = lut_data(items[index])
    if data.size == 0:
        return None
    return VoiLut(first, data, bits, str(items[index].get("LUTExplanation", "") or ""))


def auto_window(values: np.ndarray, padding: float | None = None) -> Window:
    """A window over the value range (min to max), pixel padding left out.

    Min/max rather than percentiles: it is what DCMTK's ``+Wm`` computes, so an export
    without a window can be checked against it, and the thumbnails show the same."""
    body = values if padding is None else values[values != padding]
    if body.size == 0:
        body = values
    lo, hi = float(body.min()), float(body.max())
    return Window(center=(lo + hi) / 2.0, width=max(hi - lo, 0.0), function="LINEAR_EXACT")


def apply_window(values: np.ndarray, window: Window) -> np.ndarray:
    """Modality values -> 0..1 by PS3.3 C.11.2.1.2 (LINEAR, LINEAR_EXACT, SIGMOID)."""
    c, w = float(window.center), float(window.width)
    x = np.asarray(values, dtype=np.float64)
    if window.function == "SIGMOID":
        if w <= 0:
            return (x > c).astype(np.float64)
        return 1.0 / (1.0 + np.exp(-4.0 * (x - c) / w))
    if window.function == "LINEAR_EXACT":
        if w <= 0:
            return (x > c).astype(np.float64)
        return np.clip((x - c) / w + 0.5, 0.0, 1.0)
    # LINEAR: x <= c - 0.5 - (w-1)/2 -> 0; x > c - 0.5 + (w-1)/2 -> 1; linear between.
    if w <= 1:
        return (x > c - 0.5).astype(np.float64)
    return np.clip((x - (c - 0.5)) / (w - 1.0) + 0.5, 0.0, 1.0)


def apply_voi_lut(values: np.ndarray, lut: VoiLut) -> np.ndarray:
    """Modality values -> 0..1 through a VOI LUT (clamped to its first/last entry),
    scaled by the output range the descriptor's bit depth gives."""
    index = np.clip(np.rint(values).astype(np.int64) - lut.first, 0, len(lut.data) - 1)
    top = float(2**lut.bits - 1) if 0 < lut.bits <= 16 else float(lut.data.max() or 1.0)
    if lut.data.max() > top:  # a descriptor that understates its data
        top = float(lut.data.max())
    return np.clip(lut.data[index] / top, 0.0, 1.0)


def apply_voi(values: np.ndarray, voi: Window | VoiLut) -> np.ndarray:
    return apply_voi_lut(values, voi) if isinstance(voi, VoiLut) else apply_window(values, voi)


# -- presentation LUT --------------------------------------------------------------------
def inverts(photometric: str, presentation_shape: str | None = None) -> bool:
    """Whether P-values are inverted for display: a given Presentation LUT Shape (e.g.
    from a GSPS) decides; otherwise MONOCHROME1 is shown inverted."""
    if presentation_shape:
        return presentation_shape.strip().upper() == "INVERSE"
    return photometric.strip().upper() == "MONOCHROME1"


def to_uint8(unit: np.ndarray, invert: bool = False) -> np.ndarray:
    """0..1 -> 0..255 (rounded), inverted first when asked."""
    if invert:
        unit = 1.0 - unit
    return np.rint(np.clip(unit, 0.0, 1.0) * 255.0).astype(np.uint8)
