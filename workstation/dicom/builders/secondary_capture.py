"""Secondary Capture Image (PS3.3 A.8.1) of a viewport as the user sees it."""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset

from workstation.dicom.builders.common import (
    code_item,
    new_object,
    now,
    require_uid,
    sop_reference,
    with_file_meta,
)
from workstation.errors import BuildError

SC_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.7"
_IOD = "Secondary Capture Image"


def pixel_module(ds: Dataset, pixels: np.ndarray, iod: str = _IOD) -> None:
    """Image Pixel module of 8-bit MONOCHROME2 (HxW) or RGB (HxWx3) pixels."""
    if pixels.dtype != np.uint8:
        raise BuildError(iod=iod, reason=f"pixels must be uint8, not {pixels.dtype}")
    if pixels.ndim == 2:
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
    elif pixels.ndim == 3 and pixels.shape[2] == 3:
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = "RGB"
        ds.PlanarConfiguration = 0
    else:
        raise BuildError(iod=iod, reason=f"pixels of shape {pixels.shape} (need HxW or HxWx3)")
    if pixels.shape[0] == 0 or pixels.shape[1] == 0 or max(pixels.shape[:2]) > 65535:
        raise BuildError(iod=iod, reason=f"image size {pixels.shape[1]}x{pixels.shape[0]}")
    ds.Rows, ds.Columns = int(pixels.shape[0]), int(pixels.shape[1])
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    data = np.ascontiguousarray(pixels).tobytes()
    ds.PixelData = data + b"\x00" if len(data) % 2 else data


def build_secondary_capture(
    pixels: np.ndarray,
    source: Dataset,
    description: str = "",
    burned_in_annotation: bool = True,
    org_root: str | None = None,
) -> Dataset:
    """An 8-bit MONOCHROME2 (HxW) or RGB (HxWx3) capture in a new series of the source's study.

    The source image is named in the Source Image Sequence so the capture can be traced.
    """
    ds = new_object(source, SC_SOP_CLASS, "OT", description or "Captures", _IOD, org_root)
    ds.ConversionType = "WSD"
    date, time = now()
    ds.ContentDate = date
    ds.ContentTime = time
    ds.DateOfSecondaryCapture = date
    ds.TimeOfSecondaryCapture = time
    ds.SecondaryCaptureDeviceManufacturer = ds.Manufacturer
    ds.SecondaryCaptureDeviceManufacturerModelName = ds.ManufacturerModelName
    ds.SecondaryCaptureDeviceSoftwareVersions = ds.SoftwareVersions
    ds.PatientOrientation = ""
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.DerivationDescription = (description or "Capture of a viewer display")[:1024]
    ref = sop_reference(
        require_uid(source, "SOPClassUID", _IOD), require_uid(source, "SOPInstanceUID", _IOD)
    )
    ref.PurposeOfReferenceCodeSequence = [code_item("121320", "DCM", "Uncompressed predecessor")]
    ds.SourceImageSequence = [ref]
    ds.BurnedInAnnotation = "YES" if burned_in_annotation else "NO"
    ds.LossyImageCompression = "00"
    pixel_module(ds, pixels)
    return with_file_meta(ds)
