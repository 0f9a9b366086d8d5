"""Print Management data sets (PS3.4 Annex H; target extract-001 5.4, extract-000 5.4).

- Basic Film Session N-CREATE (``film_session``): copies, priority, medium, destination,
  label.
- Basic Film Box N-CREATE (``film_box``): display format, orientation, film size,
  magnification, smoothing, densities, the Referenced Film Session Sequence, the
  Referenced Presentation LUT Sequence when a LUT is used, the Annotation Display Format
  ID when annotations are used.
- Basic Grayscale / Color Image Box N-SET (``image_box``): Image Position and the pixels,
  MONOCHROME2 8 bit (8/8/7) or 12 bit (16/12/11), or RGB (8/8/7, colour by plane).
- Presentation LUT N-CREATE (``presentation_lut``): IDENTITY.
- Basic Annotation Box N-SET (``annotation_box``).

Optional attributes left ``None`` are not sent: the printer's defaults apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import BuildError

# SOP classes (PS3.4 Annex H)
GRAYSCALE_META_SOP_CLASS = "1.2.840.10008.5.1.1.9"
COLOR_META_SOP_CLASS = "1.2.840.10008.5.1.1.18"
FILM_SESSION_SOP_CLASS = "1.2.840.10008.5.1.1.1"
FILM_BOX_SOP_CLASS = "1.2.840.10008.5.1.1.2"
GRAYSCALE_IMAGE_BOX_SOP_CLASS = "1.2.840.10008.5.1.1.4"
COLOR_IMAGE_BOX_SOP_CLASS = "1.2.840.10008.5.1.1.4.1"
ANNOTATION_BOX_SOP_CLASS = "1.2.840.10008.5.1.1.15"
PRINT_JOB_SOP_CLASS = "1.2.840.10008.5.1.1.14"
PRINTER_SOP_CLASS = "1.2.840.10008.5.1.1.16"
PRINTER_SOP_INSTANCE = "1.2.840.10008.5.1.1.17"
PRESENTATION_LUT_SOP_CLASS = "1.2.840.10008.5.1.1.23"

PRINT_ACTION = 1  # N-ACTION Action Type ID: print (film session or film box)
MAX_COPIES = 9  # extract-001 5.4
PRIORITIES = ("HIGH", "MED", "LOW")
ORIENTATIONS = ("PORTRAIT", "LANDSCAPE")


@dataclass(frozen=True, slots=True)
class FilmSessionValues:
    """Basic Film Session attributes (Table H.4-1 subset)."""

    copies: int = 1
    priority: str = "MED"
    medium: str | None = None
    destination: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class FilmBoxValues:
    """Basic Film Box attributes (Table H.4-2 subset). Densities are in hundredths of OD
    (an int) or a defined term (BLACK, WHITE) for border/empty densities."""

    display_format: str = "STANDARD\\1,1"
    film_size_id: str | None = None
    orientation: str | None = None
    magnification: str | None = None
    smoothing: str | None = None
    border_density: str | int | None = None
    empty_image_density: str | int | None = None
    min_density: int | None = None
    max_density: int | None = None
    annotation_format_id: str | None = None


def film_session(values: FilmSessionValues) -> Dataset:
    """The Basic Film Session N-CREATE attribute list."""
    if not 1 <= values.copies <= MAX_COPIES:
        raise BuildError(iod="Basic Film Session", reason=f"number of copies {values.copies} is not 1..{MAX_COPIES}")
    if values.priority not in PRIORITIES:
        raise BuildError(iod="Basic Film Session", reason=f"print priority {values.priority!r} is not one of {PRIORITIES}")
    ds = Dataset()
    ds.NumberOfCopies = str(values.copies)
    ds.PrintPriority = values.priority
    if values.medium:
        ds.MediumType = values.medium
    if values.destination:
        ds.FilmDestination = values.destination
    if values.label:
        ds.FilmSessionLabel = values.label[:64]
    return ds


def film_box(
    values: FilmBoxValues, film_session_uid: str, presentation_lut_uid: str | None = None
) -> Dataset:
    """The Basic Film Box N-CREATE attribute list for the session ``film_session_uid``."""
    if values.orientation is not None and values.orientation not in ORIENTATIONS:
        raise BuildError(iod="Basic Film Box", reason=f"film orientation {values.orientation!r} is not {ORIENTATIONS}")
    ds = Dataset()
    ds.ImageDisplayFormat = values.display_format
    if values.annotation_format_id:
        ds.AnnotationDisplayFormatID = values.annotation_format_id
    if values.orientation:
        ds.FilmOrientation = values.orientation
    if values.film_size_id:
        ds.FilmSizeID = values.film_size_id
    if values.magnification:
        ds.MagnificationType = values.magnification
    if values.smoothing:
        ds.SmoothingType = values.smoothing
    if values.border_density is not None:
        ds.BorderDensity = str(values.border_density)
    if values.empty_image_density is not None:
        ds.EmptyImageDensity = str(values.empty_image_density)
    if values.min_density is not None:
        ds.MinDensity = int(values.min_density)
    if values.max_density is not None:
        ds.MaxDensity = int(values.max_density)
    session = Dataset()
    session.ReferencedSOPClassUID = FILM_SESSION_SOP_CLASS
    session.ReferencedSOPInstanceUID = film_session_uid
    ds.ReferencedFilmSessionSequence = [session]
    if presentation_lut_uid:
        lut = Dataset()
        lut.ReferencedSOPClassUID = PRESENTATION_LUT_SOP_CLASS
        lut.ReferencedSOPInstanceUID = presentation_lut_uid
        ds.ReferencedPresentationLUTSequence = [lut]
    return ds


def image_box(position: int, pixels: np.ndarray, *, bits: int = 8) -> Dataset:
    """The Image Box N-SET attribute list for box ``position`` (1-based).

    ``pixels``: (rows, cols) grey, uint8 for ``bits`` 8 or uint16 with values < 4096 for
    ``bits`` 12 (MONOCHROME2); (rows, cols, 3) uint8 RGB for a colour box."""
    ds = Dataset()
    ds.ImageBoxPosition = int(position)
    item = Dataset()
    if pixels.ndim == 3:
        if pixels.shape[2] != 3 or pixels.dtype != np.uint8:
            raise BuildError(iod="Image Box", reason=f"colour box pixels must be (rows, cols, 3) uint8, got "
                                    f"{pixels.shape} {pixels.dtype}")  # fmt: skip
        item.SamplesPerPixel = 3
        item.PhotometricInterpretation = "RGB"
        item.PlanarConfiguration = 1  # colour by plane (PS3.4 H.4.1.2.3)
        _geometry(item, pixels.shape[0], pixels.shape[1], 8, 8)
        planes = np.ascontiguousarray(np.moveaxis(pixels, 2, 0))
        item.PixelData = _even(planes.tobytes())
        item["PixelData"].VR = "OB"
        ds.BasicColorImageSequence = [item]
        return ds
    if pixels.ndim != 2:
        raise BuildError(iod="Image Box", reason=f"grey box pixels must be (rows, cols), got {pixels.shape}")
    item.SamplesPerPixel = 1
    item.PhotometricInterpretation = "MONOCHROME2"
    if bits == 8:
        if pixels.dtype != np.uint8:
            raise BuildError(iod="Image Box", reason=f"8 bit box pixels must be uint8, got {pixels.dtype}")
        _geometry(item, pixels.shape[0], pixels.shape[1], 8, 8)
        item.PixelData = _even(np.ascontiguousarray(pixels).tobytes())
        item["PixelData"].VR = "OB"
    elif bits == 12:
        if pixels.dtype != np.uint16 or (pixels.size and int(pixels.max()) > 4095):
            raise BuildError(iod="Image Box", reason="12 bit box pixels must be uint16 values 0..4095")
        _geometry(item, pixels.shape[0], pixels.shape[1], 16, 12)
        item.PixelData = np.ascontiguousarray(pixels, dtype="<u2").tobytes()
        item["PixelData"].VR = "OW"
    else:
        raise BuildError(iod="Image Box", reason=f"box bit depth {bits} is not 8 or 12")
    ds.BasicGrayscaleImageSequence = [item]
    return ds


def presentation_lut(shape: str = "IDENTITY") -> Dataset:
    """The Presentation LUT N-CREATE attribute list: a Presentation LUT Shape."""
    ds = Dataset()
    ds.PresentationLUTShape = shape
    return ds


def annotation_box(position: int, text: str) -> Dataset:
    """The Basic Annotation Box N-SET attribute list: position (1-based) and text (LO)."""
    ds = Dataset()
    ds.AnnotationPosition = int(position)
    ds.TextString = text[:64]
    return ds


def _geometry(item: Dataset, rows: int, cols: int, allocated: int, stored: int) -> None:
    item.Rows = int(rows)
    item.Columns = int(cols)
    item.PixelAspectRatio = [1, 1]
    item.BitsAllocated = allocated
    item.BitsStored = stored
    item.HighBit = stored - 1
    item.PixelRepresentation = 0


def _even(data: bytes) -> bytes:
    return data + b"\0" if len(data) % 2 else data
