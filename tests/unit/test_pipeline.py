"""The display pipeline on shipped files: windows, photometrics, overlays, shutters."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_color_lut

from tests.unit.test_pixels import find
from workstation.imaging import pipeline
from workstation.imaging.frame_cache import FrameCache
from workstation.imaging.luts import VoiLut, Window
from workstation.imaging.pipeline import FrameSource, render

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def windowed(values: np.ndarray, c: float, w: float) -> np.ndarray:
    unit = np.clip((values - (c - 0.5)) / (w - 1) + 0.5, 0, 1)
    return np.rint(unit * 255).astype(np.uint8)


def test_file_window_is_the_default() -> None:
    ds = pydicom.dcmread(find("MR_small.dcm"))
    expected = windowed(ds.pixel_array.astype(float), float(ds.WindowCenter), float(ds.WindowWidth))
    assert np.array_equal(render(ds), expected)


def test_explicit_window_replaces_the_files_and_applies_to_hounsfield_units() -> None:
    ds = pydicom.dcmread(find("CT_small.dcm"))
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    assert np.array_equal(render(ds, 0, (40, 400)), windowed(hu, 40, 400))
    assert np.array_equal(render(ds, 0, Window(40, 400)), windowed(hu, 40, 400))


def test_auto_window_when_the_file_has_none() -> None:
    source = FrameSource(find("CT_small.dcm"))
    window = source.default_window(0)
    ds = source.ds
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    assert window == Window((hu.min() + hu.max()) / 2, hu.max() - hu.min(), "LINEAR_EXACT")


def test_voi_lut_is_the_default_without_a_window() -> None:
    source = FrameSource(find("vlut_04.dcm"))
    assert isinstance(source.default_window(0), VoiLut)
    table = np.array(list(source.ds.VOILUTSequence[0].LUTData), dtype=float)
    stored = source.ds.pixel_array
    expected = np.rint(table[stored] / 65535 * 255).astype(np.uint8)
    assert np.array_equal(source.render(0), expected)


def test_monochrome1_is_shown_inverted_and_presentation_lut_overrides() -> None:
    ds = pydicom.dcmread(find("RG3_UNCR.dcm"))
    inverted = render(ds)
    mono2 = pydicom.dcmread(find("RG3_UNCR.dcm"))
    mono2.PhotometricInterpretation = "MONOCHROME2"
    plain = render(mono2)
    assert np.array_equal(inverted.astype(int) + plain.astype(int), np.full(plain.shape, 255))
    assert np.array_equal(render(ds, presentation_lut="IDENTITY"), plain)


def test_ybr_full_and_422_become_rgb() -> None:
    rgb = render(pydicom.dcmread(find("SC_rgb.dcm"))).astype(int)
    for name in ("SC_ybr_full_uncompressed.dcm", "SC_ybr_full_422_uncompressed.dcm"):
        out = render(pydicom.dcmread(find(name)))
        assert out.shape == (100, 100, 3) and out.dtype == np.uint8, name
        assert np.abs(out.astype(int) - rgb).mean() < 2, name
    assert tuple(rgb[5, 50]) == (255, 0, 0)


def test_palette_colour_goes_through_its_lut() -> None:
    ds = pydicom.dcmread(find("OBXXXX1A.dcm"))
    lut = apply_color_lut(ds.pixel_array, ds)
    expected = np.rint(lut.astype(float) * 255 / 65535).astype(np.uint8)
    out = render(ds)
    assert out.shape == (600, 800, 3) and np.array_equal(out, expected)


def test_16_bit_rgb_is_scaled_to_8_bits() -> None:
    out = render(pydicom.dcmread(find("SC_rgb_16bit.dcm")))
    assert out.dtype == np.uint8 and tuple(out[5, 50]) == (255, 0, 0)


def test_multi_frame_renders_the_asked_frame() -> None:
    source = FrameSource(find("SC_rgb_2frame.dcm"))
    assert source.frame_count == 2
    assert np.array_equal(source.render(1), source.ds.pixel_array[1])
    assert np.array_equal(source.render(0), source.ds.pixel_array[0])


def test_overlay_is_burned_in_white() -> None:
    ds = pydicom.dcmread(find("MR-SIEMENS-DICOM-WithOverlays.dcm"))
    masks = pipeline.overlay_masks(ds, 0, (ds.Rows, ds.Columns))
    assert len(masks) == 1 and masks[0].any()
    shown, hidden = render(ds), render(ds, overlays=False)
    assert (shown[masks[0]] == 255).all()
    assert np.array_equal(shown[~masks[0]], hidden[~masks[0]])
    assert not np.array_equal(shown, hidden)


def test_overlay_origin_moves_the_plane() -> None:
    ds = pydicom.dcmread(find("MR-SIEMENS-DICOM-WithOverlays.dcm"))
    base = pipeline.overlay_masks(ds, 0, (ds.Rows, ds.Columns))[0]
    ds[0x60000050].value = [11, 21]  # 1-based row, column: 10 down, 20 right
    moved = pipeline.overlay_masks(ds, 0, (ds.Rows, ds.Columns))[0]
    assert np.array_equal(moved[10:, 20:], base[: ds.Rows - 10, : ds.Columns - 20])


def shuttered(**attrs) -> pydicom.Dataset:
    ds = pydicom.dcmread(find("MR_small.dcm"))  # 64 x 64
    for keyword, value in attrs.items():
        setattr(ds, keyword, value)
    return ds


def test_rectangular_shutter_paints_its_presentation_value() -> None:
    ds = shuttered(
        ShutterShape="RECTANGULAR",
        ShutterLeftVerticalEdge=11,
        ShutterRightVerticalEdge=50,
        ShutterUpperHorizontalEdge=5,
        ShutterLowerHorizontalEdge=40,
        ShutterPresentationValue=65535,
    )
    out, plain = render(ds), render(ds, shutters=False)
    assert (out[:4, :] == 255).all() and (out[40:, :] == 255).all()
    assert (out[:, :10] == 255).all() and (out[:, 50:] == 255).all()
    assert np.array_equal(out[4:40, 10:50], plain[4:40, 10:50])


def test_circular_and_polygonal_shutters_combine() -> None:
    ds = shuttered(
        ShutterShape=["CIRCULAR", "POLYGONAL"],
        CenterOfCircularShutter=[33, 33],
        RadiusOfCircularShutter=20,
        VerticesOfThePolygonalShutter=[1, 1, 1, 64, 64, 64, 64, 1],
    )
    mask = pipeline.shutter_mask(ds, (64, 64))
    assert mask[32, 32] and not mask[0, 0] and not mask[32, 60]
    out = render(ds)
    assert out[0, 0] == 0 and out[63, 63] == 0  # black without a presentation value
    triangle = shuttered(
        ShutterShape="POLYGONAL", VerticesOfThePolygonalShutter=[1, 1, 64, 1, 64, 64]
    )
    tri = pipeline.shutter_mask(triangle, (64, 64))
    assert tri[50, 5] and not tri[5, 50]


def test_frame_source_caches_decoded_frames() -> None:
    cache = FrameCache(budget_bytes=1 << 20)
    source = FrameSource(find("emri_small.dcm"), cache=cache)
    first = source.stored(3)
    assert source.stored(3) is first and len(cache) == 1
    assert np.array_equal(first, source.ds.pixel_array[3])
