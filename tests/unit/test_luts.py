"""Modality LUT, VOI window/LUT and presentation LUT values (PS3.3 C.11)."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from tests.unit.test_pixels import find
from workstation.imaging import luts, pixels
from workstation.imaging.luts import Window

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_ct_rescale_gives_hounsfield_units_at_known_pixels() -> None:
    ds = pydicom.dcmread(find("CT_small.dcm"))
    stored = pixels.decode_frame(ds, 0)
    hu = luts.modality_lut(stored, ds)
    slope, intercept = float(ds.RescaleSlope), float(ds.RescaleIntercept)
    for r, c in [(0, 0), (64, 64), (100, 27)]:
        assert hu[r, c] == int(stored[r, c]) * slope + intercept


def test_modality_lut_sequence_maps_through_its_table() -> None:
    ds = pydicom.dcmread(find("mlut_18.dcm"))
    item = ds.ModalityLUTSequence[0]
    entries, first, bits = (int(v) for v in item.LUTDescriptor)
    table = list(item.LUTData)
    stored = pixels.decode_frame(ds, 0)
    out = luts.modality_lut(stored, ds)
    for r, c in [(0, 0), (256, 256), (300, 100), (511, 511)]:
        index = min(max(int(stored[r, c]) - first, 0), entries - 1)
        assert out[r, c] == table[index]
    assert (entries, first, bits) == (4096, -2048, 16)


def test_enhanced_ct_takes_rescale_and_window_from_the_functional_groups() -> None:
    ds = pydicom.dcmread(find("eCT_Supplemental.dcm"))
    item = ds.SharedFunctionalGroupsSequence[0].PixelValueTransformationSequence[0]
    assert luts.rescale(ds, 1) == (float(item.RescaleSlope), float(item.RescaleIntercept))
    voi = ds.SharedFunctionalGroupsSequence[0].FrameVOILUTSequence[0]
    window = luts.file_window(ds, 1)
    assert window is not None
    assert (window.center, window.width) == (
        float(luts.first_number(voi.WindowCenter)),
        float(luts.first_number(voi.WindowWidth)),
    )


def test_linear_window_boundaries_follow_the_standard() -> None:
    w = Window(40, 400)  # x <= -160 -> 0, x > 239 -> 1, linear in between
    x = np.array([-1000.0, -160.0, -159.0, 39.5, 239.0, 239.5, 3000.0])
    y = luts.apply_window(x, w)
    assert y[0] == 0.0 and y[1] == 0.0
    assert y[2] == pytest.approx(1 / 399)
    assert y[3] == pytest.approx(0.5)
    assert y[4] == pytest.approx(1.0) and y[5] == 1.0 and y[6] == 1.0


def test_linear_window_of_width_one_is_a_threshold() -> None:
    y = luts.apply_window(np.array([99.0, 99.5, 100.0]), Window(100, 1))
    assert list(y) == [0.0, 0.0, 1.0]


def test_linear_exact_and_sigmoid_windows() -> None:
    exact = luts.apply_window(
        np.array([-160.0, 40.0, 240.0, 140.0]), Window(40, 400, "LINEAR_EXACT")
    )
    assert list(exact) == [0.0, 0.5, 1.0, 0.75]
    sig = luts.apply_window(np.array([40.0, 140.0]), Window(40, 400, "SIGMOID"))
    assert sig[0] == 0.5 and sig[1] == pytest.approx(1 / (1 + np.exp(-1.0)))


def test_voi_lut_sequence_maps_and_scales_by_its_bit_depth() -> None:
    ds = pydicom.dcmread(find("vlut_04.dcm"))
    lut = luts.file_voi_lut(ds)
    assert lut is not None and lut.bits == 16 and lut.first == 0
    table = list(ds.VOILUTSequence[0].LUTData)
    values = np.array([0.0, 10.0, 255.0, 400.0])
    out = luts.apply_voi_lut(values, lut)
    assert list(out) == [
        table[0] / 65535,
        table[10] / 65535,
        table[255] / 65535,
        table[255] / 65535,
    ]


def test_file_window_reads_the_first_of_several() -> None:
    ds = pydicom.dcmread(find("MR-SIEMENS-DICOM-WithOverlays.dcm"))
    window = luts.file_window(ds)
    assert window == Window(450.0, 790.0, "LINEAR", "WINDOW1")


def test_auto_window_spans_min_to_max_without_padding() -> None:
    values = np.array([-2000.0, -1000.0, 0.0, 1000.0])
    w = luts.auto_window(values, padding=-2000.0)
    assert (w.center, w.width) == (0.0, 2000.0)
    assert list(luts.apply_window(values[1:], w)) == [0.0, 0.5, 1.0]


def test_presentation_lut_inversion_rules() -> None:
    assert luts.inverts("MONOCHROME1") and not luts.inverts("MONOCHROME2")
    assert luts.inverts("MONOCHROME2", "INVERSE")
    assert not luts.inverts("MONOCHROME1", "IDENTITY")
    assert list(luts.to_uint8(np.array([0.0, 0.5, 1.0]))) == [0, 128, 255]
    assert list(luts.to_uint8(np.array([0.0, 1.0]), invert=True)) == [255, 0]
