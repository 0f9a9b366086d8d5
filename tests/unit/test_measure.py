"""Measurements, ROI statistics and the annotation model (imaging/measure, annotations)."""

from __future__ import annotations

import math

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.errors import MeasurementError
from workstation.imaging.annotations import AnnotationKind, AnnotationSet
from workstation.imaging.measure import (
    Spacing,
    SpacingSource,
    angle,
    distance,
    ellipse_roi,
    modality_unit,
    modality_values,
    probe,
    rectangle_roi,
    resolve_spacing,
)

MM = Spacing(0.5, 0.25, SpacingSource.PIXEL_SPACING, "")


def test_pixel_spacing_is_row_then_column_and_unflagged() -> None:
    ds = Dataset()
    ds.PixelSpacing = [0.5, 0.25]
    spacing = resolve_spacing(ds)
    assert (spacing.row_mm, spacing.col_mm) == (0.5, 0.25)
    assert spacing.source is SpacingSource.PIXEL_SPACING
    assert spacing.note == ""


def test_imager_pixel_spacing_alone_is_flagged_as_detector_plane() -> None:
    path = get_testdata_file("dicomdirtests/77654033/CR1/6154")
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    spacing = resolve_spacing(ds)
    assert spacing.source is SpacingSource.IMAGER_PIXEL_SPACING
    assert (spacing.row_mm, spacing.col_mm) == (0.1, 0.1)
    assert spacing.note == "measured at the detector"
    result = distance((0, 0), (30, 40), spacing)
    assert (result.value, result.unit) == (pytest.approx(5.0), "mm")
    assert result.calibration_note == "measured at the detector"


def test_magnification_factor_corrects_imager_pixel_spacing() -> None:
    ds = Dataset()
    ds.ImagerPixelSpacing = [0.2, 0.2]
    ds.EstimatedRadiographicMagnificationFactor = 1.25
    spacing = resolve_spacing(ds)
    assert spacing.source is SpacingSource.IMAGER_CORRECTED
    assert spacing.row_mm == pytest.approx(0.16)
    assert "magnification 1.25" in spacing.note


def test_pixel_spacing_beside_imager_spacing_is_noted_as_calibrated() -> None:
    ds = Dataset()
    ds.ImagerPixelSpacing = [0.2, 0.2]
    ds.PixelSpacing = [0.15, 0.15]
    ds.PixelSpacingCalibrationType = "GEOMETRY"
    spacing = resolve_spacing(ds)
    assert spacing.row_mm == 0.15
    assert spacing.note == "calibrated (geometry)"


def test_enhanced_ct_uses_pixel_measures_from_functional_groups() -> None:
    ds = pydicom.dcmread(get_testdata_file("eCT_Supplemental.dcm"), stop_before_pixels=True)
    spacing = resolve_spacing(ds, frame=1)
    assert spacing.source is SpacingSource.PIXEL_MEASURES
    assert (spacing.row_mm, spacing.col_mm) == (0.388672, 0.388672)


def test_per_frame_pixel_measures_override_shared() -> None:
    ds = Dataset()
    shared, frame0, measures, frame_measures = Dataset(), Dataset(), Dataset(), Dataset()
    measures.PixelSpacing = [1.0, 1.0]
    frame_measures.PixelSpacing = [0.7, 0.6]
    shared.PixelMeasuresSequence = [measures]
    frame0.PixelMeasuresSequence = [frame_measures]
    ds.SharedFunctionalGroupsSequence = [shared]
    ds.PerFrameFunctionalGroupsSequence = [frame0, Dataset()]
    assert (resolve_spacing(ds, 0).row_mm, resolve_spacing(ds, 0).col_mm) == (0.7, 0.6)
    assert resolve_spacing(ds, 1).row_mm == 1.0


def test_no_spacing_gives_pixels_and_a_flag() -> None:
    spacing = resolve_spacing(Dataset())
    assert not spacing.calibrated
    result = distance((0, 0), (3, 4), spacing)
    assert (result.value, result.unit) == (5.0, "px")
    assert "pixels" in result.calibration_note


def test_distance_scales_columns_and_rows_separately() -> None:
    # 12 columns * 0.25 mm = 3 mm across, 8 rows * 0.5 mm = 4 mm down -> 5 mm
    result = distance((1, 1), (13, 9), MM)
    assert result.unit == "mm"
    assert result.value == pytest.approx(5.0)


def test_angle_is_ninety_degrees_for_perpendicular_arms() -> None:
    assert angle((10, 0), (0, 0), (0, 7)).value == pytest.approx(90.0)
    assert angle((10, 0), (0, 0), (-5, 0)).value == pytest.approx(180.0)
    assert angle((1, 0), (0, 0), (1, 1)).unit == "°"


def test_angle_uses_physical_space_for_non_square_pixels() -> None:
    # (4, 2) in pixels is (1 mm, 1 mm) with 0.25 mm columns and 0.5 mm rows: 45 degrees.
    assert angle((4, 0), (0, 0), (4, 2), MM).value == pytest.approx(45.0)


def test_angle_with_zero_length_arm_raises() -> None:
    with pytest.raises(MeasurementError):
        angle((0, 0), (0, 0), (1, 1))


def test_rectangle_roi_known_mean_sample_sd_min_max_and_area() -> None:
    values = np.arange(100, dtype=np.int16).reshape(10, 10)
    stats = rectangle_roi(values, (2, 3), (5, 5), MM, "HU")
    inside = values[3:5, 2:5].astype(float)  # centres 2.5..4.5 x, 3.5..4.5 y
    assert stats.pixel_count == 6
    assert stats.mean == pytest.approx(inside.mean())
    assert stats.sd == pytest.approx(inside.std(ddof=1))
    assert (stats.minimum, stats.maximum) == (32.0, 44.0)
    assert stats.area.value == pytest.approx(6 * 0.5 * 0.25)
    assert stats.area.unit == "mm²"
    assert stats.value_unit == "HU"


def test_rectangle_roi_on_constant_image_has_zero_sd() -> None:
    stats = rectangle_roi(np.full((20, 20), 7.0), (0, 0), (20, 20), Spacing.pixels())
    assert (stats.mean, stats.sd, stats.pixel_count) == (7.0, 0.0, 400)
    assert stats.area.unit == "px²"


def test_ellipse_roi_area_is_close_to_pi_a_b() -> None:
    values = np.zeros((400, 400))
    stats = ellipse_roi(values, (200.0, 200.0), (120.0, 80.0), Spacing.pixels())
    expected = math.pi * 120 * 80
    # The pixel-centre count differs from the exact area by about the perimeter at most.
    assert abs(stats.area.value - expected) < 2 * math.pi * 120
    assert abs(stats.area.value - expected) / expected < 0.005


def test_ellipse_roi_statistics_on_two_level_image() -> None:
    values = np.zeros((100, 100))
    values[:, 50:] = 10.0
    stats = ellipse_roi(
        values, (50.0, 50.0), (20.0, 20.0), Spacing(1.0, 1.0, SpacingSource.PIXEL_SPACING, "")
    )
    # Symmetric about x = 50: half the pixels are 0 and half 10.
    assert stats.mean == pytest.approx(5.0)
    assert (stats.minimum, stats.maximum) == (0.0, 10.0)
    n = stats.pixel_count
    assert stats.sd == pytest.approx(math.sqrt(25.0 * n / (n - 1)))


def test_roi_outside_image_raises_typed_error() -> None:
    with pytest.raises(MeasurementError):
        rectangle_roi(np.zeros((10, 10)), (20, 20), (30, 30), Spacing.pixels())


def test_probe_returns_value_of_pixel_under_point_and_none_outside() -> None:
    values = np.arange(12).reshape(3, 4)
    inside = probe(values, 2.9, 1.1, "HU")
    assert (inside.row, inside.col, inside.value, inside.unit) == (1, 2, 6.0, "HU")
    assert probe(values, 4.0, 0.0).value is None
    assert probe(values, -0.5, 0.0).value is None


def test_ct_small_pixel_in_hounsfield_units() -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    hu = modality_values(ds, ds.pixel_array)
    stored = int(ds.pixel_array[10, 20])
    expected = stored * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    assert expected == 185 * 1 - 1024
    assert modality_unit(ds) == "HU"
    result = probe(hu, 20.5, 10.5, modality_unit(ds))
    assert result.value == expected
    stats = rectangle_roi(hu, (20, 10), (21, 11), resolve_spacing(ds), "HU")
    assert stats.mean == expected
    assert stats.area.value == pytest.approx(0.661468**2)


def test_enhanced_ct_rescale_comes_from_functional_groups() -> None:
    ds = pydicom.dcmread(get_testdata_file("eCT_Supplemental.dcm"), stop_before_pixels=True)
    assert modality_values(ds, np.array([[1024]]))[0, 0] == 0.0
    assert modality_unit(ds) == "HU"


def test_annotation_set_add_select_move_delete() -> None:
    annotations = AnnotationSet()
    arrow = annotations.add(AnnotationKind.ARROW, [(0, 0), (10, 0)])
    label = annotations.add(AnnotationKind.TEXT, [(50, 50)], "lesion")
    assert arrow.id != label.id
    assert annotations.select_at((5, 1), tolerance=2) == arrow
    assert annotations.selected == arrow
    moved = annotations.move(arrow.id, 3, 4)
    assert moved.points == ((3.0, 4.0), (13.0, 4.0))
    assert annotations.get(arrow.id) == moved
    assert annotations.delete_selected()
    assert [a.id for a in annotations] == [label.id]
    assert annotations.selected is None


def test_select_at_misses_when_beyond_tolerance() -> None:
    annotations = AnnotationSet()
    annotations.add(AnnotationKind.RECTANGLE, [(0, 0), (10, 10)])
    assert annotations.select_at((15, 5), tolerance=2) is None
    assert annotations.select_at((5, 5), tolerance=0) is not None


def test_annotation_with_wrong_point_count_or_empty_text_is_rejected() -> None:
    annotations = AnnotationSet()
    with pytest.raises(MeasurementError):
        annotations.add(AnnotationKind.ANGLE, [(0, 0), (1, 1)])
    with pytest.raises(MeasurementError):
        annotations.add(AnnotationKind.TEXT, [(0, 0)], "")
    with pytest.raises(MeasurementError):
        annotations.delete("a99")


def test_measurement_text_shows_value_and_unit() -> None:
    assert distance((0, 0), (3, 4), Spacing.pixels()).text() == "5.0 px"
    assert angle((1, 0), (0, 0), (0, 1)).text(0) == "90 °"
