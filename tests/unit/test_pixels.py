"""Every transfer syntax decodes to the pixels of its uncompressed twin (shipped pairs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.conftest import sample_roots
from workstation.errors import FrameNumberError, PixelDataError
from workstation.imaging import pixels

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def find(name: str) -> Path:
    """A shipped file by name, found by scanning the sample folders (never downloaded)."""
    for root in sample_roots():
        hits = sorted(root.rglob(name))
        if hits:
            return hits[0]
    raise AssertionError(f"{name} is not shipped")


# (reference, variant): the variant is a lossless encoding of the reference
LOSSLESS = [
    ("MR_small.dcm", "MR_small_RLE.dcm"),
    ("MR_small.dcm", "MR_small_bigendian.dcm"),
    ("MR_small.dcm", "MR_small_expb.dcm"),
    ("MR_small.dcm", "MR_small_implicit.dcm"),
    ("MR_small.dcm", "MR_small_jp2klossless.dcm"),
    ("MR_small.dcm", "MR_small_jpeg_ls_lossless.dcm"),
    ("emri_small.dcm", "emri_small_RLE.dcm"),
    ("emri_small.dcm", "emri_small_big_endian.dcm"),
    ("emri_small.dcm", "emri_small_jpeg_2k_lossless.dcm"),
    ("emri_small.dcm", "emri_small_jpeg_ls_lossless.dcm"),
    ("693_UNCR.dcm", "693_J2KR.dcm"),
    ("MR2_UNCR.dcm", "MR2_J2KR.dcm"),
    ("RG1_UNCR.dcm", "RG1_J2KR.dcm"),
    ("RG3_UNCR.dcm", "RG3_J2KR.dcm"),
    ("US1_UNCR.dcm", "US1_J2KR.dcm"),  # YBR_RCT -> RGB
    ("JPEG2000_UNC.dcm", "JPEG2000.dcm"),
    ("SC_rgb.dcm", "SC_rgb_rle.dcm"),
    ("SC_rgb.dcm", "SC_rgb_expb.dcm"),
    ("SC_rgb.dcm", "SC_rgb_jpeg_gdcm.dcm"),  # JPEG lossless (.70), colour
    ("SC_rgb.dcm", "SC_rgb_gdcm_KY.dcm"),
    ("SC_rgb_2frame.dcm", "SC_rgb_rle_2frame.dcm"),
    ("SC_rgb_2frame.dcm", "SC_rgb_expb_2frame.dcm"),
    ("SC_rgb_16bit.dcm", "SC_rgb_rle_16bit.dcm"),
    ("SC_rgb_16bit.dcm", "SC_rgb_expb_16bit.dcm"),
    ("SC_rgb_16bit_2frame.dcm", "SC_rgb_rle_16bit_2frame.dcm"),
    ("SC_rgb_32bit.dcm", "SC_rgb_rle_32bit.dcm"),
    ("SC_rgb_32bit.dcm", "SC_rgb_expb_32bit.dcm"),
    ("SC_rgb_small_odd.dcm", "SC_rgb_small_odd_big_endian.dcm"),
    ("OBXXXX1A.dcm", "OBXXXX1A_rle.dcm"),
    ("OBXXXX1A.dcm", "OBXXXX1A_expb.dcm"),
    ("OBXXXX1A_2frame.dcm", "OBXXXX1A_rle_2frame.dcm"),
    ("OBXXXX1A_2frame.dcm", "OBXXXX1A_expb_2frame.dcm"),
    ("rtdose.dcm", "rtdose_rle.dcm"),
    ("rtdose.dcm", "rtdose_expb.dcm"),
    ("liver.dcm", "liver_expb.dcm"),
    ("gdcm-US-ALOKA-16.dcm", "gdcm-US-ALOKA-16_big.dcm"),
]

# (reference, lossy variant, largest allowed mean |difference| in stored units)
LOSSY = [
    ("693_UNCI.dcm", "693_J2KI.dcm", 8.0),
    ("MR2_UNCI.dcm", "MR2_J2KI.dcm", 8.0),
    ("RG1_UNCI.dcm", "RG1_J2KI.dcm", 8.0),
    ("RG3_UNCI.dcm", "RG3_J2KI.dcm", 8.0),
    ("US1_UNCI.dcm", "US1_J2KI.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_jpeg_dcmtk.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_dcmtk_+eb+cr.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_dcmtk_+eb+cy+n1.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_dcmtk_+eb+cy+n2.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_dcmtk_+eb+cy+np.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_dcmtk_+eb+cy+s2.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_dcmtk_+eb+cy+s4.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_jpeg_lossy_gdcm.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_jls_lossy_line.dcm", 4.0),
    ("SC_rgb.dcm", "SC_rgb_jls_lossy_sample.dcm", 4.0),
    ("SC_rgb_small_odd.dcm", "SC_rgb_small_odd_jpeg.dcm", 8.0),
    # DCMTK's own decompression of its lossy files: a second decoder, nearly equal
    ("SC_rgb_dcmtk_ebcr_dcmd.dcm", "SC_rgb_dcmtk_+eb+cr.dcm", 1.0),
    ("SC_rgb_dcmtk_ebcyn1_dcmd.dcm", "SC_rgb_dcmtk_+eb+cy+n1.dcm", 1.0),
    ("SC_rgb_dcmtk_ebcynp_dcmd.dcm", "SC_rgb_dcmtk_+eb+cy+np.dcm", 1.0),
]


def all_frames(path: Path) -> list[np.ndarray]:
    ds = pydicom.dcmread(path)
    return [pixels.decode_frame(ds, i) for i in range(pixels.frame_count(ds))]


@pytest.mark.parametrize(("reference", "variant"), LOSSLESS, ids=[v for _, v in LOSSLESS])
def test_lossless_transfer_syntax_decodes_to_the_uncompressed_pixels(reference, variant) -> None:
    expected, got = all_frames(find(reference)), all_frames(find(variant))
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert have.dtype.isnative
        assert have.shape == want.shape
        assert np.array_equal(have.astype(np.int64), want.astype(np.int64))


@pytest.mark.parametrize(("reference", "variant", "limit"), LOSSY, ids=[v for _, v, _ in LOSSY])
def test_lossy_transfer_syntax_decodes_close_to_the_uncompressed_pixels(
    reference, variant, limit
) -> None:
    expected, got = all_frames(find(reference)), all_frames(find(variant))
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert have.shape == want.shape
        diff = np.abs(have.astype(np.float64) - want.astype(np.float64))
        assert diff.mean() <= limit, diff.mean()


def test_other_transfer_syntaxes_decode() -> None:
    """Files without a twin: deflate, JPEG extended 12-bit, JPEG lossless, JPEG-LS near-lossless."""
    for name, shape in [
        ("image_dfl.dcm", (512, 512)),
        ("JPGExtended.dcm", (1024, 256)),
        ("JPEG-LL.dcm", (1024, 256)),  # JPEG lossless SV1 (.70); no uncompressed twin
        ("JPEGLSNearLossless_16.dcm", (50, 10)),
        ("JPGLosslessP14SV1_1s_1f_8b.dcm", (768, 1024)),
    ]:
        arr = pixels.decode_frame(pydicom.dcmread(find(name)), 0)
        assert arr.shape == shape and arr.dtype.isnative, name
        assert arr.max() > arr.min(), name


def test_rle_lossless_made_by_pydicom_round_trips(tmp_path: Path) -> None:
    """pydicom encodes RLE Lossless itself; JPEG Lossless .57 it cannot encode (no encoder
    in pydicom 3 or the pylibjpeg plugins), so .57 is covered only by decoding."""
    from pydicom.uid import RLELossless

    ds = pydicom.dcmread(find("CT_small.dcm"))
    original = pixels.decode_frame(ds, 0)
    ds.compress(RLELossless)
    ds.save_as(tmp_path / "ct_rle.dcm")
    again = pixels.decode_frame(pydicom.dcmread(tmp_path / "ct_rle.dcm"), 0)
    assert np.array_equal(again, original)


def test_decode_frame_from_path_reads_one_frame() -> None:
    path = find("emri_small.dcm")
    ds = pydicom.dcmread(path)
    assert np.array_equal(pixels.decode_frame(path, 7), ds.pixel_array[7])


def test_planar_configuration_is_undone() -> None:
    planar = pixels.decode_frame(pydicom.dcmread(find("color-pl.dcm")), 0)
    interleaved = pixels.decode_frame(pydicom.dcmread(find("color-px.dcm")), 0)
    assert planar.shape == (120, 256, 3)
    assert np.array_equal(planar, interleaved)


def test_signed_pixels_stay_signed() -> None:
    for name in ("JPEG2000_UNC.dcm", "JPEG2000.dcm"):  # native and JPEG 2000, both signed
        arr = pixels.decode_frame(pydicom.dcmread(find(name)), 0)
        assert arr.dtype == np.int16 and arr.min() == -30, name


def test_bad_frame_number_and_missing_pixels_are_typed_errors() -> None:
    with pytest.raises(FrameNumberError) as err:
        pixels.decode_frame(pydicom.dcmread(find("emri_small.dcm")), 10)
    assert err.value.values["count"] == 10 and err.value.values["frame"] == 11
    with pytest.raises(PixelDataError):
        pixels.decode_frame(pydicom.dcmread(find("rtplan.dcm")), 0)
