"""Secondary Capture builder: grey and RGB captures pass dciodvfy, are stored, keep pixels."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from iod_check import assert_iod_valid, reread, stored_and_indexed
from pydicom.data import get_charset_files, get_testdata_file

from workstation.dicom.builders.secondary_capture import SC_SOP_CLASS, build_secondary_capture
from workstation.errors import BuildError


def ct() -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file("CT_small.dcm"))


def grey(rows: int = 97, columns: int = 121) -> np.ndarray:
    """An odd-sized ramp, so the pixel data needs its padding byte."""
    return (np.arange(rows * columns) % 251).astype(np.uint8).reshape(rows, columns)


def test_grey_capture_passes_dciodvfy_and_is_stored(store) -> None:
    source = ct()
    sc = build_secondary_capture(grey(), source, "Ansicht Größe")
    assert_iod_valid(sc, "SCImage")
    row = stored_and_indexed(store, sc)
    assert row["study_uid"] == source.StudyInstanceUID


def test_rgb_capture_passes_dciodvfy_and_is_stored(store) -> None:
    pixels = np.stack([grey(), grey()[::-1], 255 - grey()], axis=2)
    sc = build_secondary_capture(pixels, ct())
    assert_iod_valid(sc, "SCImage")
    stored_and_indexed(store, sc)


def test_grey_capture_reads_back_monochrome2_with_same_pixels_and_source_reference() -> None:
    source = ct()
    back = reread(build_secondary_capture(grey(), source))
    assert back.SOPClassUID == SC_SOP_CLASS
    assert (back.PhotometricInterpretation, back.BitsStored) == ("MONOCHROME2", 8)
    assert np.array_equal(back.pixel_array, grey())
    assert back.ConversionType == "WSD"
    assert list(back.ImageType) == ["DERIVED", "SECONDARY"]
    ref = back.SourceImageSequence[0]
    assert ref.ReferencedSOPInstanceUID == source.SOPInstanceUID
    assert ref.ReferencedSOPClassUID == source.SOPClassUID
    assert back.SeriesInstanceUID != source.SeriesInstanceUID


def test_rgb_capture_reads_back_rgb_with_same_pixels() -> None:
    pixels = np.stack([grey(), grey()[::-1], 255 - grey()], axis=2)
    back = reread(build_secondary_capture(pixels, ct()))
    assert (back.PhotometricInterpretation, back.SamplesPerPixel) == ("RGB", 3)
    assert np.array_equal(back.pixel_array, pixels)


def test_capture_of_japanese_source_passes_dciodvfy_and_keeps_name_in_utf8() -> None:
    source = pydicom.dcmread(get_charset_files("chrH31.dcm")[0])
    sc = build_secondary_capture(grey(16, 16), source, "画面")
    assert_iod_valid(sc, "SCImage")
    back = reread(sc)
    assert back.SpecificCharacterSet == "ISO_IR 192"
    assert str(back.PatientName) == "Yamada^Tarou=山田^太郎=やまだ^たろう"
    assert back.SeriesDescription == "画面"


@pytest.mark.parametrize(
    "pixels",
    [np.zeros((4, 4), np.uint16), np.zeros((4, 4, 4), np.uint8), np.zeros((0, 4), np.uint8)],
)
def test_capture_of_unsupported_pixels_raises_build_error(pixels: np.ndarray) -> None:
    with pytest.raises(BuildError):
        build_secondary_capture(pixels, ct())
