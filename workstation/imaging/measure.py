"""Measurements on a 2D image: calibrated distance, angle, ROI statistics and pixel probe.

Qt-free so the viewport only draws; every number a user reads comes from here.

Image coordinates follow the viewer (pyqtgraph ``ImageItem``): ``x`` runs along columns,
``y`` along rows, and pixel ``(row, col)`` covers ``[col, col + 1) x [row, row + 1)``, so
its centre is ``(col + 0.5, row + 0.5)``. A pixel belongs to an ROI when its centre does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import MeasurementError
from workstation.imaging.luts import modality_lut

Point = tuple[float, float]


class SpacingSource(Enum):
    """Where the pixel size of a measurement came from (PS3.3 10.7.1.3)."""

    PIXEL_SPACING = "pixel_spacing"
    PIXEL_MEASURES = "pixel_measures"  # Enhanced multi-frame functional groups
    IMAGER_CORRECTED = "imager_corrected"  # Imager Pixel Spacing / magnification factor
    IMAGER_PIXEL_SPACING = "imager_pixel_spacing"  # at the detector, not the patient
    NOMINAL_SCANNED = "nominal_scanned"  # Secondary Capture scanner nominal
    NONE = "none"


@dataclass(frozen=True)
class Spacing:
    """Physical size of one pixel: ``row_mm`` between rows (y), ``col_mm`` between columns (x)."""

    row_mm: float | None
    col_mm: float | None
    source: SpacingSource
    note: str

    @property
    def calibrated(self) -> bool:
        return self.row_mm is not None and self.col_mm is not None

    @classmethod
    def pixels(cls, note: str = "no pixel spacing: values in pixels") -> Spacing:
        return cls(None, None, SpacingSource.NONE, note)


@dataclass(frozen=True)
class Measurement:
    """One number for the user with its unit and how far to trust its calibration."""

    value: float
    unit: str
    calibration_note: str

    def text(self, digits: int = 1) -> str:
        return f"{self.value:.{digits}f} {self.unit}".rstrip()


@dataclass(frozen=True)
class RoiStatistics:
    """Statistics of the modality values inside an ROI.

    ``sd`` is the sample standard deviation (n - 1): ROI pixels are used as a sample of
    the tissue or noise beneath them (e.g. the noise SD of a CT water phantom), which is
    also what ImageJ reports. A one-pixel ROI has ``sd == 0.0``.
    """

    mean: float
    sd: float
    minimum: float
    maximum: float
    pixel_count: int
    area: Measurement
    value_unit: str


def _pair(value: object) -> tuple[float, float] | None:
    try:
        row, col = (float(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return None
    if row <= 0 or col <= 0 or not math.isfinite(row) or not math.isfinite(col):
        return None
    return row, col


def _functional_group_spacing(ds: Dataset, frame: int) -> tuple[float, float] | None:
    """Pixel Measures Sequence: per-frame group overrides the shared group."""
    groups = []
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    if per_frame is not None and 0 <= frame < len(per_frame):
        groups.append(per_frame[frame])
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared:
        groups.append(shared[0])
    for group in groups:
        measures = group.get("PixelMeasuresSequence")
        if measures:
            pair = _pair(measures[0].get("PixelSpacing"))
            if pair is not None:
                return pair
    return None


def resolve_spacing(ds: Dataset, frame: int = 0) -> Spacing:
    """Pixel size for measurements on ``frame`` of ``ds``, with a note saying what it means.

    Order: Pixel Measures (Enhanced), Pixel Spacing (patient plane, or calibrated for
    projection images), Imager Pixel Spacing (detector plane; divided by Estimated
    Radiographic Magnification Factor when present), Nominal Scanned Pixel Spacing,
    else pixels.
    """
    pair = _functional_group_spacing(ds, frame)
    if pair is not None:
        return Spacing(*pair, SpacingSource.PIXEL_MEASURES, "")
    pair = _pair(ds.get("PixelSpacing"))
    if pair is not None:
        note = ""
        if "ImagerPixelSpacing" in ds:
            kind = str(ds.get("PixelSpacingCalibrationType", "") or "").strip()
            desc = str(ds.get("PixelSpacingCalibrationDescription", "") or "").strip()
            note = "calibrated" + (f" ({kind.lower()})" if kind else "")
            note += f": {desc}" if desc else ""
        return Spacing(*pair, SpacingSource.PIXEL_SPACING, note)
    pair = _pair(ds.get("ImagerPixelSpacing"))
    if pair is not None:
        try:
            factor = float(ds.get("EstimatedRadiographicMagnificationFactor") or 0)
        except (TypeError, ValueError):
            factor = 0.0
        if factor > 0 and math.isfinite(factor):
            return Spacing(
                pair[0] / factor,
                pair[1] / factor,
                SpacingSource.IMAGER_CORRECTED,
                f"corrected for estimated magnification {factor:g}",
            )
        return Spacing(*pair, SpacingSource.IMAGER_PIXEL_SPACING, "measured at the detector")
    pair = _pair(ds.get("NominalScannedPixelSpacing"))
    if pair is not None:
        return Spacing(*pair, SpacingSource.NOMINAL_SCANNED, "nominal scanned pixel spacing")
    return Spacing.pixels()


def _scaled(p: Point, spacing: Spacing) -> tuple[float, float]:
    if spacing.calibrated:
        return p[0] * spacing.col_mm, p[1] * spacing.row_mm  # type: ignore[operator]
    return p[0], p[1]


def distance(p1: Point, p2: Point, spacing: Spacing) -> Measurement:
    """Length of the segment ``p1``-``p2`` in mm, or in pixels when uncalibrated."""
    (x1, y1), (x2, y2) = _scaled(p1, spacing), _scaled(p2, spacing)
    unit = "mm" if spacing.calibrated else "px"
    return Measurement(math.hypot(x2 - x1, y2 - y1), unit, spacing.note)


def angle(a: Point, vertex: Point, b: Point, spacing: Spacing | None = None) -> Measurement:
    """Angle a-vertex-b in degrees (0..180), in physical space when pixels are not square."""
    spacing = spacing or Spacing.pixels(note="")
    ax, ay = _scaled(a, spacing)
    vx, vy = _scaled(vertex, spacing)
    bx, by = _scaled(b, spacing)
    u, v = (ax - vx, ay - vy), (bx - vx, by - vy)
    if math.hypot(*u) == 0 or math.hypot(*v) == 0:
        raise MeasurementError(what="angle", reason="an arm has zero length")
    radians = math.atan2(abs(u[0] * v[1] - u[1] * v[0]), u[0] * v[0] + u[1] * v[1])
    return Measurement(math.degrees(radians), "°", spacing.note)


def _check_plane(values: np.ndarray) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 2:
        raise MeasurementError(what="ROI", reason=f"expected a 2D frame, got shape {arr.shape}")
    return arr


def _pixel_area(spacing: Spacing) -> tuple[float, str]:
    if spacing.calibrated:
        return spacing.row_mm * spacing.col_mm, "mm²"  # type: ignore[operator]
    return 1.0, "px²"


def roi_statistics(
    values: np.ndarray, mask: np.ndarray, spacing: Spacing, value_unit: str = ""
) -> RoiStatistics:
    """Statistics of ``values[mask]``; ``values`` should already be in modality units."""
    arr = _check_plane(values)
    selected = arr[mask].astype(np.float64)
    if selected.size == 0:
        raise MeasurementError(what="ROI", reason="it contains no pixel centre")
    count = int(selected.size)
    sd = float(selected.std(ddof=1)) if count > 1 else 0.0
    pixel_area, area_unit = _pixel_area(spacing)
    return RoiStatistics(
        mean=float(selected.mean()),
        sd=sd,
        minimum=float(selected.min()),
        maximum=float(selected.max()),
        pixel_count=count,
        area=Measurement(count * pixel_area, area_unit, spacing.note),
        value_unit=value_unit,
    )


def rectangle_mask(shape: tuple[int, int], corner1: Point, corner2: Point) -> np.ndarray:
    """Pixels whose centres lie inside the axis-aligned rectangle with these corners."""
    rows, cols = shape
    x0, x1 = sorted((corner1[0], corner2[0]))
    y0, y1 = sorted((corner1[1], corner2[1]))
    cx = np.arange(cols) + 0.5
    cy = np.arange(rows) + 0.5
    in_x = (cx >= x0) & (cx <= x1)
    in_y = (cy >= y0) & (cy <= y1)
    return in_y[:, None] & in_x[None, :]


def ellipse_mask(shape: tuple[int, int], center: Point, radii: tuple[float, float]) -> np.ndarray:
    """Pixels whose centres lie inside the axis-aligned ellipse (radii in pixels: x, y)."""
    rx, ry = radii
    if rx <= 0 or ry <= 0:
        raise MeasurementError(what="ellipse ROI", reason="radii must be positive")
    rows, cols = shape
    dx = (np.arange(cols) + 0.5 - center[0]) / rx
    dy = (np.arange(rows) + 0.5 - center[1]) / ry
    return (dy[:, None] ** 2 + dx[None, :] ** 2) <= 1.0


def rectangle_roi(
    values: np.ndarray,
    corner1: Point,
    corner2: Point,
    spacing: Spacing,
    value_unit: str = "",
) -> RoiStatistics:
    arr = _check_plane(values)
    return roi_statistics(arr, rectangle_mask(arr.shape, corner1, corner2), spacing, value_unit)


def ellipse_roi(
    values: np.ndarray,
    center: Point,
    radii: tuple[float, float],
    spacing: Spacing,
    value_unit: str = "",
) -> RoiStatistics:
    arr = _check_plane(values)
    return roi_statistics(arr, ellipse_mask(arr.shape, center, radii), spacing, value_unit)


@dataclass(frozen=True)
class ProbeResult:
    """The pixel under the cursor: its indices and modality value (None outside the image)."""

    row: int
    col: int
    value: float | None
    unit: str


def probe(values: np.ndarray, x: float, y: float, value_unit: str = "") -> ProbeResult:
    arr = _check_plane(values)
    col, row = math.floor(x), math.floor(y)
    if 0 <= row < arr.shape[0] and 0 <= col < arr.shape[1]:
        return ProbeResult(row, col, float(arr[row, col]), value_unit)
    return ProbeResult(row, col, None, value_unit)


def modality_unit(ds: Dataset) -> str:
    """Unit of modality values: HU for CT, Rescale Type or PET Units when given, else ''."""
    rescale_type = str(ds.get("RescaleType", "") or "").strip()
    shared = ds.get("SharedFunctionalGroupsSequence")
    if not rescale_type and shared:
        transform = shared[0].get("PixelValueTransformationSequence")
        if transform:
            rescale_type = str(transform[0].get("RescaleType", "") or "").strip()
    if ds.get("Modality") == "CT" and rescale_type in ("", "HU", "US"):
        return "HU"
    if rescale_type and rescale_type != "US":
        return rescale_type
    if ds.get("Modality") == "PT":
        return str(ds.get("Units", "") or "")
    return ""


def modality_values(ds: Dataset, stored: np.ndarray, frame: int = 0) -> np.ndarray:
    """Stored pixel values of one frame to modality values: the pipeline's modality LUT
    (Modality LUT Sequence, or rescale from the top level or the functional groups)."""
    return modality_lut(np.asarray(stored), ds, frame)
