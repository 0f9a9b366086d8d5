"""Where an image lies in the patient: planes, slice sync, reference lines, orientation labels.

Qt-free so the viewer only draws what these functions compute. Patient coordinates are
DICOM's (mm, x towards the patient's left, y posterior, z head). Image coordinates are
the viewer's (see :mod:`workstation.imaging.measure`): ``x`` along columns, ``y`` along
rows, pixel ``(row, col)`` covers ``[col, col + 1) x [row, row + 1)`` so its centre is
``(col + 0.5, row + 0.5)`` and the whole image is ``[0, columns] x [0, rows]``.

Typical use by a viewport::

    planes = [plane_of(ds) for ds in series]            # or plane_of(ds, f) per frame
    index = nearest_slice(planes, planes_of_other[i])   # synchronised scrolling
    line = reference_line(other_plane, planes[index])   # draw from line[0] to line[1]
    labels = orientation_labels(ds, rotation_deg=90)    # labels["left"], ...
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

Vector = tuple[float, float, float]
Point2D = tuple[float, float]

# nearest_slice: planes whose normals differ by at most this many degrees count as parallel
# (gantry-tilted CT against an axial MR still syncs; axial against sagittal never does).
SYNC_PARALLEL_TOLERANCE_DEG = 15.0
# reference_line: planes closer than this to parallel have no meaningful line (None).
REFERENCE_LINE_MIN_ANGLE_DEG = 1.0
# orientation_labels: a direction cosine below this adds no letter (about 5.7 degrees),
# so a nearly axial image reads "L", not "LAH"; above it the minor letters follow.
OBLIQUE_LETTER_MIN = 0.1

_EPS = 1e-9
_HUMAN_LETTERS = {"L": "R", "R": "L", "A": "P", "P": "A", "H": "F", "F": "H"}


def _unit(values: Sequence[float], what: str) -> Vector:
    v = np.asarray(values, dtype=float)
    norm = float(np.linalg.norm(v))
    if v.shape != (3,) or not np.all(np.isfinite(v)) or norm < 1e-6:
        raise ValueError(f"{what} must be three finite numbers, not all zero: {values!r}")
    return tuple(float(c) for c in v / norm)  # type: ignore[return-value]


@dataclass(frozen=True)
class ImagePlane:
    """The patient-space geometry of one image (or one frame of a multi-frame image).

    ``position``: centre of the first transmitted pixel (row 0, column 0), mm
    (Image Position (Patient)). ``row_direction``: unit vector of increasing column
    index, i.e. along a row (first triplet of Image Orientation (Patient));
    ``column_direction``: of increasing row index, down a column (second triplet).
    ``pixel_spacing``: (between rows, between columns) mm, DICOM's order.
    Directions are normalised on construction; ValueError for degenerate values.
    """

    position: Vector
    row_direction: Vector
    column_direction: Vector
    pixel_spacing: tuple[float, float]
    rows: int
    columns: int
    frame_of_reference_uid: str = ""

    def __post_init__(self) -> None:
        position = np.asarray(self.position, dtype=float)
        if position.shape != (3,) or not np.all(np.isfinite(position)):
            raise ValueError(f"position must be three finite numbers: {self.position!r}")
        row = _unit(self.row_direction, "row direction")
        col = _unit(self.column_direction, "column direction")
        if float(np.linalg.norm(np.cross(row, col))) < 1e-3:
            raise ValueError("row and column directions are parallel")
        spacing = tuple(float(s) for s in self.pixel_spacing)
        if len(spacing) != 2 or not all(math.isfinite(s) and s > 0 for s in spacing):
            raise ValueError(f"pixel spacing must be two positive numbers: {self.pixel_spacing!r}")
        if int(self.rows) < 1 or int(self.columns) < 1:
            raise ValueError(f"image size {self.columns}x{self.rows}")
        object.__setattr__(self, "position", tuple(float(c) for c in position))
        object.__setattr__(self, "row_direction", row)
        object.__setattr__(self, "column_direction", col)
        object.__setattr__(self, "pixel_spacing", spacing)
        object.__setattr__(self, "rows", int(self.rows))
        object.__setattr__(self, "columns", int(self.columns))
        object.__setattr__(self, "frame_of_reference_uid", str(self.frame_of_reference_uid or ""))

    @property
    def normal(self) -> np.ndarray:
        """Unit normal: row direction x column direction (the slice stacking direction)."""
        n = np.cross(self.row_direction, self.column_direction)
        return n / np.linalg.norm(n)

    def _axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Origin and steps of the viewer's image coordinates: P = A + x * U + y * V."""
        u = np.asarray(self.row_direction) * self.pixel_spacing[1]
        v = np.asarray(self.column_direction) * self.pixel_spacing[0]
        return np.asarray(self.position) - 0.5 * u - 0.5 * v, u, v

    def to_patient(self, x: float, y: float) -> Vector:
        """Patient coordinates (mm) of the image point ``(x, y)`` in viewer coordinates."""
        origin, u, v = self._axes()
        return tuple(float(c) for c in origin + x * u + y * v)  # type: ignore[return-value]

    def to_image(self, point: Sequence[float]) -> Point2D:
        """Viewer coordinates of a patient point projected onto this plane."""
        d = np.asarray(point, dtype=float) - np.asarray(self.position)
        x = float(np.dot(d, self.row_direction)) / self.pixel_spacing[1] + 0.5
        y = float(np.dot(d, self.column_direction)) / self.pixel_spacing[0] + 0.5
        return x, y

    @property
    def center(self) -> Vector:
        """Patient coordinates of the middle of the image."""
        return self.to_patient(self.columns / 2, self.rows / 2)

    def distance_to(self, point: Sequence[float]) -> float:
        """Signed distance (mm) of a patient point from this plane, along :attr:`normal`."""
        d = np.asarray(point, dtype=float) - np.asarray(self.position)
        return float(np.dot(d, self.normal))


# -- reading headers -------------------------------------------------------------------
def _numbers(value: object, count: int) -> tuple[float, ...] | None:
    if value is None:
        return None
    items = list(value) if isinstance(value, MultiValue | list | tuple) else [value]
    try:
        numbers = tuple(float(v) for v in items)
    except (TypeError, ValueError):
        return None
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        return None
    return numbers


def _functional_value(ds: Dataset, frame: int, sequence: str, keyword: str) -> object:
    """``keyword`` from the frame's functional group, else the shared one, else the header.

    The per-frame group overrides the shared group (PS3.3 C.7.6.16); classic images
    carry the attribute in the top-level dataset.
    """
    groups = []
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    if per_frame and 0 <= frame < len(per_frame):
        groups.append(per_frame[frame])
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared:
        groups.append(shared[0])
    for group in groups:
        items = group.get(sequence)
        if items and keyword in items[0]:
            return items[0].get(keyword)
    return ds.get(keyword)


def _orientation(ds: Dataset, frame: int) -> tuple[float, ...] | None:
    value = _functional_value(ds, frame, "PlaneOrientationSequence", "ImageOrientationPatient")
    return _numbers(value, 6)


def plane_of(ds: Dataset, frame: int = 0) -> ImagePlane | None:
    """The plane of ``frame`` (0-based) of ``ds``, or None when its geometry is missing.

    Reads Image Position/Orientation (Patient) and Pixel Spacing from the classic header,
    or for Enhanced CT/MR (and other functional-group objects) from the Plane Position,
    Plane Orientation and Pixel Measures Sequences of the frame's Per-frame group or the
    Shared group. Missing, malformed or degenerate values, or a frame out of range, give
    None (the viewer then shows no reference lines and does not sync that image).
    """
    try:
        frames = max(int(ds.get("NumberOfFrames") or 1), 1)
    except (TypeError, ValueError):
        frames = 1
    if not 0 <= frame < frames:
        return None
    try:
        position = _numbers(
            _functional_value(ds, frame, "PlanePositionSequence", "ImagePositionPatient"), 3
        )
        orientation = _orientation(ds, frame)
        spacing = _numbers(_functional_value(ds, frame, "PixelMeasuresSequence", "PixelSpacing"), 2)
        rows, columns = int(ds.get("Rows") or 0), int(ds.get("Columns") or 0)
    except (TypeError, ValueError, AttributeError):
        return None
    if position is None or orientation is None or spacing is None:
        return None
    try:
        return ImagePlane(
            position=position,  # type: ignore[arg-type]
            row_direction=orientation[:3],  # type: ignore[arg-type]
            column_direction=orientation[3:],  # type: ignore[arg-type]
            pixel_spacing=spacing,  # type: ignore[arg-type]
            rows=rows,
            columns=columns,
            frame_of_reference_uid=str(ds.get("FrameOfReferenceUID", "") or "").strip(),
        )
    except ValueError:
        return None


# -- several planes --------------------------------------------------------------------
def slice_position(plane: ImagePlane) -> float:
    """Position of the plane along its own normal (mm): sorts a stack, labels a slice."""
    return float(np.dot(plane.position, plane.normal))


def same_frame_of_reference(a: ImagePlane, b: ImagePlane) -> bool:
    """True when both planes name the same, non-empty Frame of Reference UID."""
    return bool(a.frame_of_reference_uid) and a.frame_of_reference_uid == b.frame_of_reference_uid


def nearest_slice(
    planes: Sequence[ImagePlane | None],
    reference: ImagePlane | Sequence[float],
    frame_of_reference_uid: str | None = None,
    max_distance_mm: float | None = None,
) -> int | None:
    """Index in ``planes`` of the slice closest to ``reference``, for synchronised scrolling.

    ``reference`` is the plane shown in the other viewport (its centre is used) or a
    patient point (mm). A candidate must be in the same non-empty Frame of Reference
    (the reference plane's, or ``frame_of_reference_uid`` when a point is given and
    the UID is passed) and, for a plane, parallel to it within
    :data:`SYNC_PARALLEL_TOLERANCE_DEG`. The distance is from the point to each
    candidate's plane along that plane's normal. None when no candidate qualifies or
    the nearest is farther than ``max_distance_mm`` (e.g. the other series covers
    another body region). Entries of ``planes`` may be None (images without geometry).
    """
    if isinstance(reference, ImagePlane):
        point = np.asarray(reference.center)
        uid: str | None = reference.frame_of_reference_uid
        normal: np.ndarray | None = reference.normal
        if not uid:
            return None
    else:
        point = np.asarray(reference, dtype=float)
        if point.shape != (3,):
            raise ValueError(f"a reference point needs three coordinates: {reference!r}")
        uid, normal = frame_of_reference_uid, None
    min_cos = math.cos(math.radians(SYNC_PARALLEL_TOLERANCE_DEG))
    best: int | None = None
    best_distance = math.inf
    for index, plane in enumerate(planes):
        if plane is None:
            continue
        if uid is not None and (not uid or plane.frame_of_reference_uid != uid):
            continue
        if normal is not None and abs(float(np.dot(normal, plane.normal))) < min_cos:
            continue
        distance = abs(plane.distance_to(point))
        if distance < best_distance - _EPS:
            best, best_distance = index, distance
    if best is not None and max_distance_mm is not None and best_distance > max_distance_mm:
        return None
    return best


def reference_line(source: ImagePlane, target: ImagePlane) -> tuple[Point2D, Point2D] | None:
    """Where the source image's plane cuts the target image, as a segment in target
    viewer coordinates ``((x0, y0), (x1, y1))`` (end points sorted, x first).

    The segment is clipped to the target image (``[0, columns] x [0, rows]``) and to the
    source image's own extent, so it shows exactly the part both images share. None when
    the frames of reference differ (or are unknown), the planes are within
    :data:`REFERENCE_LINE_MIN_ANGLE_DEG` of parallel, or the images do not meet.
    """
    if not same_frame_of_reference(source, target):
        return None
    n_source = source.normal
    if abs(float(np.dot(n_source, target.normal))) > math.cos(
        math.radians(REFERENCE_LINE_MIN_ANGLE_DEG)
    ):
        return None
    origin, u, v = target._axes()
    # the source plane in target image coordinates: a*x + b*y + d = 0
    a, b = float(np.dot(u, n_source)), float(np.dot(v, n_source))
    d = float(np.dot(origin - np.asarray(source.position), n_source))
    norm2 = a * a + b * b
    if norm2 < _EPS:
        return None
    q0 = np.array([-d * a / norm2, -d * b / norm2])
    e = np.array([-b, a]) / math.sqrt(norm2)
    # each constraint: g0 + g1 * t must lie in [lo, hi] along q(t) = q0 + t * e
    start = origin + q0[0] * u + q0[1] * v - np.asarray(source.position)
    step = e[0] * u + e[1] * v
    s_row, s_col = np.asarray(source.row_direction), np.asarray(source.column_direction)
    row_mm, col_mm = source.pixel_spacing
    constraints = (
        (q0[0], e[0], 0.0, float(target.columns)),
        (q0[1], e[1], 0.0, float(target.rows)),
        (np.dot(start, s_row) / col_mm + 0.5, np.dot(step, s_row) / col_mm, 0.0, source.columns),
        (np.dot(start, s_col) / row_mm + 0.5, np.dot(step, s_col) / row_mm, 0.0, source.rows),
    )
    t_lo, t_hi = -math.inf, math.inf
    for g0, g1, lo, hi in constraints:
        g0, g1 = float(g0), float(g1)
        if abs(g1) < _EPS:
            if not lo - 1e-6 <= g0 <= hi + 1e-6:
                return None
            continue
        t1, t2 = (lo - g0) / g1, (hi - g0) / g1
        t_lo, t_hi = max(t_lo, min(t1, t2)), min(t_hi, max(t1, t2))
    if not t_hi - t_lo > 1e-6:
        return None
    p0, p1 = q0 + t_lo * e, q0 + t_hi * e
    ends = sorted([(float(p0[0]), float(p0[1])), (float(p1[0]), float(p1[1]))])
    return ends[0], ends[1]


# -- orientation labels ----------------------------------------------------------------
def direction_letters(vector: Sequence[float]) -> str:
    """Patient direction letters of a unit vector, major axis first, up to three
    (``(1, 0, 0)`` -> "L", ``(-0.8, -0.6, 0)`` -> "RA"); components below
    :data:`OBLIQUE_LETTER_MIN` add no letter."""
    letters = (("L", "R"), ("P", "A"), ("H", "F"))
    order = sorted(range(3), key=lambda i: -abs(float(vector[i])))
    return "".join(
        letters[i][0] if vector[i] > 0 else letters[i][1]
        for i in order
        if abs(float(vector[i])) >= OBLIQUE_LETTER_MIN
    )


def _opposite(letters: str) -> str:
    return "".join(_HUMAN_LETTERS[c] for c in letters)


def _patient_orientation(ds: Dataset) -> tuple[str, str]:
    """Row and column direction letters from Patient Orientation (0020,0020).

    Only the human letters L R A P H F are understood; anything else (quadruped terms,
    a malformed value) gives empty strings for that image.
    """
    value = ds.get("PatientOrientation")
    if value is None:
        return "", ""
    items = list(value) if isinstance(value, MultiValue | list | tuple) else str(value).split("\\")
    texts = [str(v).strip().upper() for v in items]
    if len(texts) != 2 or not all(t and set(t) <= set(_HUMAN_LETTERS) for t in texts):
        return "", ""
    return texts[0], texts[1]


def orientation_labels(
    image: Dataset | ImagePlane,
    rotation_deg: int = 0,
    flip_horizontal: bool = False,
    frame: int = 0,
) -> dict[str, str]:
    """Letters for the four edges of the displayed image: keys left, right, top, bottom.

    From Image Orientation (Patient) (classic, or the frame's functional groups), else
    from Patient Orientation (a mammogram's "A\\R": right edge A, bottom R). The display
    is rotated clockwise by ``rotation_deg`` (a multiple of 90; ValueError otherwise),
    then flipped horizontally, as in the Spatial Transformation Module (PS3.3 C.10.6:
    Image Rotation is applied before Image Horizontal Flip)
    and :class:`~workstation.dicom.display_state.DisplayState`. Unknown: empty strings.
    """
    if rotation_deg % 90:
        raise ValueError(f"rotation must be a multiple of 90 degrees, not {rotation_deg}")
    if isinstance(image, ImagePlane):
        row, col = direction_letters(image.row_direction), direction_letters(image.column_direction)
    else:
        orientation = _orientation(image, frame)
        row = col = ""
        if orientation is not None:
            try:
                r, c = _unit(orientation[:3], "row"), _unit(orientation[3:], "column")
                row, col = direction_letters(r), direction_letters(c)
            except ValueError:
                pass
        if not row and not col:
            row, col = _patient_orientation(image)
    labels = {"left": _opposite(row), "right": row, "top": _opposite(col), "bottom": col}
    for _ in range((rotation_deg // 90) % 4):
        # a clockwise quarter turn: the left edge goes to the top, the top to the right ...
        labels = {
            "top": labels["left"],
            "right": labels["top"],
            "bottom": labels["right"],
            "left": labels["bottom"],
        }
    if flip_horizontal:
        labels["left"], labels["right"] = labels["right"], labels["left"]
    return labels
