"""A series stack as one block of voxels with its affine: where MPR and 3D rendering start.

``voxels[k, j, i]`` is slice ``k`` (ordered along the slice normal, row x column
direction), row ``j``, column ``i``, in C order: the column index runs fastest, as VTK's
image data lays voxels out. ``affine @ (i, j, k, 1) = (x, y, z, 1)`` gives the centre of
that voxel in patient coordinates (DICOM LPS, mm; voxel centres at integer indices, unlike
the viewer's image coordinates in :mod:`workstation.imaging.geometry`). The affine's
columns are the row direction times the column spacing, the column direction times the
row spacing, the measured step from slice to slice (a gantry tilt shears it), and the
first slice's Image Position (Patient). A stack that is not one regular block of parallel
slices raises :class:`NotAVolumeError` saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from workstation.errors import PixelDataError
from workstation.imaging import geometry, luts
from workstation.imaging.stack import ImageStack

log = logging.getLogger(__name__)

# each slice-to-slice step may differ from the mean step by this fraction of its length
SPACING_TOLERANCE = 0.01
# direction cosines (and pixel spacings, relative) that differ by less are the same
ORIENTATION_TOLERANCE = 1e-3
PIXEL_SPACING_TOLERANCE = 1e-3
# slices closer than this (mm) along the normal sit at the same position
SAME_POSITION_MM = 1e-3


class VolumeProblem(StrEnum):
    """Why a stack is not a volume (``NotAVolumeError.values['problem']``)."""

    TOO_FEW_SLICES = "too_few_slices"
    NO_GEOMETRY = "no_geometry"
    COLOUR = "colour"
    MIXED_SIZE = "mixed_size"
    MIXED_FRAME_OF_REFERENCE = "mixed_frame_of_reference"
    MIXED_ORIENTATION = "mixed_orientation"
    MIXED_PIXEL_SPACING = "mixed_pixel_spacing"
    DUPLICATE_POSITION = "duplicate_position"
    UNEVEN_SPACING = "uneven_spacing"


class NotAVolumeError(PixelDataError):
    """A stack that cannot be one volume; ``problem`` is a :class:`VolumeProblem`.

    Same code and template as :class:`PixelDataError` (the GUI already words it)."""

    def __init__(self, problem: VolumeProblem, reason: str, **values: object) -> None:
        super().__init__(source="the series", reason=reason, problem=problem, **values)

    @property
    def problem(self) -> VolumeProblem:
        return self.values["problem"]


@dataclass(frozen=True)
class VolumeGeometry:
    """Where a volume's slices come from and where its voxels lie."""

    order: tuple[int, ...]  # stack index of each volume slice, along the normal
    affine: np.ndarray  # 4x4, voxel index (i, j, k, 1) -> patient (x, y, z, 1), mm
    rows: int
    columns: int
    frame_of_reference_uid: str = ""


@dataclass(frozen=True, eq=False)
class Volume:
    """Modality values (HU for CT) as float32 ``voxels[slice, row, column]`` and the
    affine that places them in the patient."""

    voxels: np.ndarray
    affine: np.ndarray
    frame_of_reference_uid: str = ""
    order: tuple[int, ...] = ()  # the stack index of each slice

    @property
    def shape(self) -> tuple[int, int, int]:
        """(slices, rows, columns)."""
        return tuple(int(n) for n in self.voxels.shape)  # type: ignore[return-value]

    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel size (slice step, row spacing, column spacing), mm, in array order."""
        step, row, column = (float(np.linalg.norm(self.affine[:3, c])) for c in (2, 1, 0))
        return step, row, column

    @property
    def origin(self) -> np.ndarray:
        """Patient position of voxel (0, 0, 0): the first slice's Image Position."""
        return self.affine[:3, 3].copy()

    def to_patient(self, index: Sequence[float]) -> np.ndarray:
        """Patient coordinates (mm) of voxel ``(i, j, k)`` = (column, row, slice)."""
        return (self.affine @ np.append(np.asarray(index, dtype=float), 1.0))[:3]

    def to_index(self, point: Sequence[float]) -> np.ndarray:
        """Voxel index ``(i, j, k)`` (fractional) of a patient point."""
        return (np.linalg.inv(self.affine) @ np.append(np.asarray(point, dtype=float), 1.0))[:3]

    @classmethod
    def from_stack(cls, stack: ImageStack, spacing_tolerance: float = SPACING_TOLERANCE) -> Volume:
        """The stack's images as one volume (decoded once; cached frames are reused).

        Raises :class:`NotAVolumeError` for colour images or a stack that is not one
        regular block of parallel slices (see :func:`volume_geometry`)."""
        if any(stack.is_colour(i) for i in range(len(stack))):
            raise NotAVolumeError(VolumeProblem.COLOUR, "colour images are not a volume")
        shape = volume_geometry(stack.planes(), spacing_tolerance)
        voxels = np.empty((len(shape.order), shape.rows, shape.columns), dtype=np.float32)
        for k, index in enumerate(shape.order):
            stored = (
                stack.stored(index)
                if stack.is_cached(index)
                else stack.decode(stack.cache_source, index)
            )
            voxels[k] = luts.modality_lut(stored, stack.header(index), stack.frame(index))
        log.debug("volume of %d x %d x %d voxels", *voxels.shape)
        return cls(voxels, shape.affine, shape.frame_of_reference_uid, shape.order)


def volume_geometry(
    planes: Sequence[geometry.ImagePlane | None], spacing_tolerance: float = SPACING_TOLERANCE
) -> VolumeGeometry:
    """The slice order and affine of a volume made of ``planes`` (one per stack image).

    Raises :class:`NotAVolumeError` unless there are at least two planes, all with
    geometry, the same size, frame of reference, orientation and pixel spacing, at
    distinct positions whose steps are equal within ``spacing_tolerance``."""
    if len(planes) < 2:
        raise NotAVolumeError(
            VolumeProblem.TOO_FEW_SLICES, "a volume needs at least two slices", count=len(planes)
        )
    missing = [i for i, p in enumerate(planes) if p is None]
    if missing:
        raise NotAVolumeError(
            VolumeProblem.NO_GEOMETRY,
            "an image has no position, orientation or pixel spacing",
            index=missing[0],
        )
    found: list[geometry.ImagePlane] = [p for p in planes if p is not None]
    first = found[0]
    _check_alike(found)
    normal = first.normal
    distances = [float(np.dot(p.position, normal)) for p in found]
    order = tuple(sorted(range(len(found)), key=lambda i: (distances[i], i)))
    positions = np.array([found[i].position for i in order], dtype=float)
    along = np.array([distances[i] for i in order])
    gaps = np.diff(along)
    if float(gaps.min()) < SAME_POSITION_MM:
        at = int(np.argmin(gaps))
        raise NotAVolumeError(
            VolumeProblem.DUPLICATE_POSITION,
            "two images lie at the same position",
            position_mm=round(float(along[at]), 3),
        )
    step = (positions[-1] - positions[0]) / (len(positions) - 1)
    deviation = float(np.linalg.norm(np.diff(positions, axis=0) - step, axis=1).max())
    if deviation > spacing_tolerance * float(np.linalg.norm(step)):
        raise NotAVolumeError(
            VolumeProblem.UNEVEN_SPACING,
            "the slices are not evenly spaced",
            smallest_mm=round(float(gaps.min()), 3),
            largest_mm=round(float(gaps.max()), 3),
        )
    affine = np.eye(4)
    affine[:3, 0] = np.asarray(first.row_direction) * first.pixel_spacing[1]
    affine[:3, 1] = np.asarray(first.column_direction) * first.pixel_spacing[0]
    affine[:3, 2] = step
    affine[:3, 3] = positions[0]
    return VolumeGeometry(order, affine, first.rows, first.columns, first.frame_of_reference_uid)


def _check_alike(planes: list[geometry.ImagePlane]) -> None:
    """Every plane the size, frame of reference, orientation and pixel spacing of the first."""
    first = planes[0]
    directions = np.array(first.row_direction + first.column_direction)
    for index, p in enumerate(planes[1:], start=1):
        if (p.rows, p.columns) != (first.rows, first.columns):
            raise NotAVolumeError(
                VolumeProblem.MIXED_SIZE, "the images differ in size", index=index
            )
        uids = {p.frame_of_reference_uid, first.frame_of_reference_uid} - {""}
        if len(uids) > 1:  # an image without the UID does not count against it
            raise NotAVolumeError(
                VolumeProblem.MIXED_FRAME_OF_REFERENCE,
                "the images lie in different frames of reference",
                index=index,
            )
        if np.abs(np.array(p.row_direction + p.column_direction) - directions).max() > (
            ORIENTATION_TOLERANCE
        ):
            raise NotAVolumeError(
                VolumeProblem.MIXED_ORIENTATION, "the images are not parallel", index=index
            )
        ratio = np.asarray(p.pixel_spacing) / np.asarray(first.pixel_spacing)
        if np.abs(ratio - 1.0).max() > PIXEL_SPACING_TOLERANCE:
            raise NotAVolumeError(
                VolumeProblem.MIXED_PIXEL_SPACING, "the images differ in pixel spacing",
                index=index,
            )  # fmt: skip
