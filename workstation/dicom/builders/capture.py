"""Photographs and scanned documents (JPEG, PNG, TIFF) as Secondary Capture Image
(PS3.3 A.8.1) or VL Photographic Image (A.32.4) objects of a procedure step, with the
registration's worklist attributes (extract-001 A.10).

Pixels are decoded with Pillow and stored uncompressed: RGB (Planar Configuration 0)
or MONOCHROME2 for grey images, 8 bits; the EXIF orientation is applied; transparency
is composed onto white. A multi-page TIFF gives one object per page (``page``; see
:func:`page_count`). A JPEG source is marked as lossy compressed (ISO_10918_1).
"""

from __future__ import annotations

import datetime as dt
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from pydicom.dataset import Dataset

from workstation.dicom.builders.common import with_file_meta
from workstation.dicom.builders.secondary_capture import SC_SOP_CLASS, pixel_module
from workstation.dicom.registration import Registration
from workstation.dicom.restamp import settle_character_set, stamped_object
from workstation.errors import BuildError

VL_PHOTOGRAPHIC_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.77.1.4"
CaptureKind = Literal["sc", "vl_photo"]
_IODS = {"sc": "Secondary Capture Image", "vl_photo": "VL Photographic Image"}
# extract-001 A.2: a Secondary Capture is Modality OT; a VL photograph must be XC (the
# enumerated value of PS3.3 A.32.4; dciodvfy reports any other as an error)
_MODALITY = {"sc": "OT", "vl_photo": "XC"}
_LOSSY_SOURCES = {"JPEG", "MPO"}
_LOSSY_TIFF = {"jpeg", "tiff_jpeg"}


def _open(path: Path, iod: str) -> Image.Image:
    try:
        return Image.open(path)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
        raise BuildError(iod=iod, reason=f"{path.name} is not a readable image: {exc}") from None


def page_count(path: str | PathLike) -> int:
    """Number of pages (frames) of the image file: more than one for a multi-page TIFF."""
    with _open(Path(path), "image") as img:
        return int(getattr(img, "n_frames", 1) or 1)


def _on_white(img: Image.Image, mode: str) -> Image.Image:
    background = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, img.convert("RGBA")).convert(mode)


def pixels_of(img: Image.Image) -> np.ndarray:
    """8-bit pixels: HxW for grey modes, HxWx3 RGB for everything else."""
    mode = img.mode
    if mode in ("1", "L"):
        return np.asarray(img.convert("L"), dtype=np.uint8)
    if mode in ("LA", "La"):
        return np.asarray(_on_white(img, "L"), dtype=np.uint8)
    if mode.startswith("I;16"):
        return (np.asarray(img).astype(np.uint32) >> 8).astype(np.uint8)
    if mode in ("I", "F"):
        values = np.asarray(img, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255.0 / (high - low)) if high > low else values * 0
        return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    if mode in ("RGBA", "RGBa", "PA") or (mode == "P" and "transparency" in img.info):
        return np.asarray(_on_white(img, "RGB"), dtype=np.uint8)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def image_to_dicom(
    path: str | PathLike,
    reg: Registration,
    *,
    series_uid: str,
    instance_number: int,
    kind: CaptureKind = "sc",
    page: int = 0,
    series_number: int = 1,
    burned_in_annotation: bool | None = None,
    started: dt.datetime | None = None,
    org_root: str | None = None,
) -> Dataset:
    """One page of a JPEG, PNG or TIFF file as an SC (``kind="sc"``) or VL Photographic
    Image (``"vl_photo"``) object of the registration's study, in series ``series_uid``.

    Conversion Type: SI (scanned image) for TIFF, WSD (workstation) otherwise. Burned In
    Annotation: NO (extract-001 A.1) unless ``burned_in_annotation``; a scanned TIFF
    document defaults to YES, since it may show the patient's name."""
    path = Path(path)
    if kind not in _IODS:
        raise BuildError(iod="capture", reason=f"unknown kind {kind!r}")
    iod = _IODS[kind]
    with _open(path, iod) as img:
        source_format = img.format or ""
        pages = int(getattr(img, "n_frames", 1) or 1)
        if not 0 <= page < pages:
            raise BuildError(iod=iod, reason=f"{path.name} has no page {page + 1}")
        img.seek(page)
        lossy = source_format in _LOSSY_SOURCES or (
            source_format == "TIFF" and str(img.info.get("compression", "")) in _LOSSY_TIFF
        )
        try:
            pixels = pixels_of(ImageOps.exif_transpose(img))
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise BuildError(iod=iod, reason=f"{path.name} cannot be decoded: {exc}") from None
    scanned = source_format == "TIFF"
    ds = stamped_object(
        reg,
        sop_class_uid=SC_SOP_CLASS if kind == "sc" else VL_PHOTOGRAPHIC_SOP_CLASS,
        modality=_MODALITY[kind],
        series_uid=series_uid,
        instance_number=instance_number,
        series_number=series_number,
        started=started,
        org_root=org_root,
    )
    ds.PatientOrientation = ""  # General Image Type 2C: no patient orientation known
    ds.Laterality = ""  # General Series Type 2C, zero length when unknown (A.1)
    burned = scanned if burned_in_annotation is None else burned_in_annotation
    ds.BurnedInAnnotation = "YES" if burned else "NO"
    if lossy:
        ds.LossyImageCompression = "01"
        ds.LossyImageCompressionMethod = "ISO_10918_1"
    else:
        ds.LossyImageCompression = "00"
    if kind == "sc":
        ds.ImageType = ["DERIVED", "SECONDARY"]
        ds.ConversionType = "SI" if scanned else "WSD"
        ds.DateOfSecondaryCapture = ds.ContentDate
        ds.TimeOfSecondaryCapture = ds.ContentTime
        ds.SecondaryCaptureDeviceManufacturer = ds.Manufacturer
        ds.SecondaryCaptureDeviceManufacturerModelName = ds.ManufacturerModelName
        ds.SecondaryCaptureDeviceSoftwareVersions = ds.SoftwareVersions
    else:
        ds.ImageType = ["ORIGINAL", "PRIMARY"]
        ds.AcquisitionContextSequence = []  # Acquisition Context module, Type 2
        ds.AcquisitionDateTime = ds.ContentDate + ds.ContentTime
    ds.DerivationDescription = f"Converted from {source_format or 'image'} file {path.name}"[:1024]
    pixel_module(ds, np.ascontiguousarray(pixels), iod)
    settle_character_set(ds, reg.specific_character_set)
    return with_file_meta(ds)
