"""Image geometry: planes from classic and Enhanced headers, slice sync, reference lines,
orientation labels under rotation and flip."""

from __future__ import annotations

import math

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.imaging.geometry import (
    ImagePlane,
    direction_letters,
    nearest_slice,
    orientation_labels,
    plane_of,
    reference_line,
    slice_position,
)

FOR = "1.2.826.0.1.3680043.8.498.1"


def shipped(name: str) -> Dataset:
    return pydicom.dcmread(get_testdata_file(name), stop_before_pixels=True)


def axial(z: float, uid: str = FOR, size: int = 200) -> ImagePlane:
    """Axial 1 mm plane whose image spans x, y in [-100, 100] (pixel edges)."""
    return ImagePlane((-99.5, -99.5, z), (1, 0, 0), (0, 1, 0), (1.0, 1.0), size, size, uid)


def sagittal(x: float, y0: float, z0: float, rows: int, cols: int, uid: str = FOR) -> ImagePlane:
    """Sagittal 1 mm plane at ``x``: columns run posterior from y0, rows run down from z0
    (the image edges are y0 .. y0 + cols and z0 .. z0 - rows)."""
    return ImagePlane((x, y0 + 0.5, z0 - 0.5), (0, 1, 0), (0, 0, -1), (1.0, 1.0), rows, cols, uid)


# -- plane_of ------------------------------------------------------------------------------
def test_plane_of_a_classic_ct_reads_position_orientation_spacing_and_frame_of_reference():
    ds = shipped("CT_small.dcm")
    plane = plane_of(ds)
    assert plane is not None
    assert plane.position == pytest.approx((-158.135803, -179.035797, -75.699997))
    assert plane.row_direction == (1.0, 0.0, 0.0)
    assert plane.column_direction == (0.0, 1.0, 0.0)
    assert plane.pixel_spacing == pytest.approx((0.661468, 0.661468))
    assert (plane.rows, plane.columns) == (128, 128)
    assert plane.frame_of_reference_uid == ds.FrameOfReferenceUID
    assert slice_position(plane) == pytest.approx(-75.699997)
    assert plane_of(ds, frame=1) is None  # a single-frame image has no second frame


def test_plane_of_an_oblique_mr_has_the_iop_directions_as_unit_vectors():
    plane = plane_of(shipped("MR2_UNCR.dcm"))
    assert plane is not None
    assert plane.row_direction == pytest.approx((0.569486, 0.822001, 0.0), abs=1e-5)
    assert plane.column_direction == pytest.approx((0.0, 0.0, -1.0))
    assert np.linalg.norm(plane.normal) == pytest.approx(1.0)
    # the first pixel's centre maps back to Image Position (Patient)
    assert plane.to_patient(0.5, 0.5) == pytest.approx(plane.position)
    assert plane.to_image(plane.position) == pytest.approx((0.5, 0.5))


def test_plane_of_an_enhanced_ct_reads_per_frame_position_and_shared_orientation():
    ds = shipped("eCT_Supplemental.dcm")
    first, second = plane_of(ds, 0), plane_of(ds, 1)
    assert first is not None and second is not None
    assert first.position == pytest.approx((99.5, -301.5, -159.0))
    assert second.position == pytest.approx((99.5, -301.5, -149.0))
    assert first.row_direction == (-1.0, 0.0, 0.0)  # from the Shared Functional Groups
    assert first.pixel_spacing == pytest.approx((0.388672, 0.388672))
    assert first.frame_of_reference_uid == ds.FrameOfReferenceUID
    # normal = (-1,0,0) x (0,1,0) = (0,0,-1): positions along it are -z
    assert slice_position(second) - slice_position(first) == pytest.approx(-10.0)
    assert plane_of(ds, 2) is None


def test_per_frame_orientation_overrides_the_shared_one():
    ds = shipped("eCT_Supplemental.dcm")
    item = Dataset()
    item.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]
    ds.PerFrameFunctionalGroupsSequence[1].PlaneOrientationSequence = [item]
    assert plane_of(ds, 0).row_direction == (-1.0, 0.0, 0.0)
    assert plane_of(ds, 1).row_direction == (0.0, 1.0, 0.0)


def test_plane_of_is_none_without_geometry():
    assert plane_of(shipped("emri_small.dcm")) is None  # Enhanced MR stripped of its groups
    assert plane_of(shipped("RG1_UNCI.dcm")) is None  # a projection radiograph
    broken = shipped("CT_small.dcm")
    broken.ImageOrientationPatient = [1, 0, 0, 1, 0, 0]  # rows and columns parallel
    assert plane_of(broken) is None
    broken = shipped("CT_small.dcm")
    broken.ImagePositionPatient = [0, 0]
    assert plane_of(broken) is None


# -- nearest_slice -------------------------------------------------------------------------
def test_nearest_slice_picks_the_closest_parallel_plane_of_the_same_frame_of_reference():
    stack = [axial(z) for z in np.arange(10) * 2.5]  # 0, 2.5, ..., 22.5
    assert nearest_slice(stack, axial(7.4)) == 3
    assert nearest_slice(stack, axial(-50.0)) == 0  # clamps to the end of the stack
    assert nearest_slice(stack, axial(-50.0), max_distance_mm=5.0) is None
    with_gaps = [None, *stack]  # images without geometry are skipped, indexes kept
    assert nearest_slice(with_gaps, axial(7.4)) == 4


def test_nearest_slice_accepts_a_tilted_plane_but_not_an_orthogonal_one():
    stack = [axial(z) for z in range(0, 50, 5)]
    tilt = math.radians(10)  # within the 15 degree tolerance
    tilted = ImagePlane(
        (-99.5, -99.5, 30.0),
        (1, 0, 0),
        (0, math.cos(tilt), math.sin(tilt)),
        (1.0, 1.0),
        200,
        200,
        FOR,
    )
    centre_z = tilted.center[2]
    assert nearest_slice(stack, tilted) == round(centre_z / 5)
    assert nearest_slice(stack, sagittal(0, -100, 100, 200, 200)) is None


def test_nearest_slice_is_none_for_another_frame_of_reference():
    stack = [axial(z) for z in range(5)]
    assert nearest_slice(stack, axial(2.0, uid="1.2.3.4")) is None
    assert nearest_slice(stack, axial(2.0, uid="")) is None  # unknown is not the same
    # shipped CT and MR: different frames of reference
    ct, mr = plane_of(shipped("CT_small.dcm")), plane_of(shipped("MR_small.dcm"))
    assert nearest_slice([ct], mr) is None


def test_nearest_slice_of_a_point_checks_the_frame_of_reference_only_when_given():
    stack = [axial(z) for z in range(5)]
    assert nearest_slice(stack, (0.0, 0.0, 3.2)) == 3
    assert nearest_slice(stack, (0.0, 0.0, 3.2), frame_of_reference_uid=FOR) == 3
    assert nearest_slice(stack, (0.0, 0.0, 3.2), frame_of_reference_uid="1.2.3") is None


def test_nearest_slice_between_the_frames_of_an_enhanced_ct():
    ds = shipped("eCT_Supplemental.dcm")
    frames = [plane_of(ds, f) for f in range(2)]
    assert nearest_slice(frames, frames[1]) == 1
    assert nearest_slice(frames, (0.0, 0.0, -158.0), ds.FrameOfReferenceUID) == 0


# -- reference_line ------------------------------------------------------------------------
def test_reference_line_of_a_sagittal_on_an_axial_is_a_vertical_segment():
    # sagittal at x = 10 mm, covering y in [-50, 50] and z in [50, -50]
    line = reference_line(sagittal(10.0, -50.0, 50.0, 100, 100), axial(0.0))
    assert line is not None
    # axial image edges start at -100 mm: x = 110, y from 50 to 150 (clipped to the sagittal)
    assert line[0] == pytest.approx((110.0, 50.0))
    assert line[1] == pytest.approx((110.0, 150.0))


def test_reference_line_is_clipped_to_the_target_image():
    line = reference_line(sagittal(10.0, -300.0, 50.0, 100, 600), axial(0.0))
    assert line == (pytest.approx((110.0, 0.0)), pytest.approx((110.0, 200.0)))


def test_reference_line_of_an_axial_on_a_sagittal_is_a_horizontal_segment():
    target = sagittal(10.0, -50.0, 50.0, 100, 100)
    line = reference_line(axial(20.0), target)
    # z = 20 is 30 mm below the top edge z = 50: y = 30 across the whole width
    assert line == (pytest.approx((0.0, 30.0)), pytest.approx((100.0, 30.0)))


def test_reference_line_is_none_for_parallel_other_frame_or_no_overlap():
    assert reference_line(axial(5.0), axial(0.0)) is None  # parallel
    assert reference_line(sagittal(10.0, -50.0, 50.0, 100, 100, uid="1.2.3"), axial(0.0)) is None
    # the sagittal covers z in [100, 60]: it does not reach the axial at z = 0
    assert reference_line(sagittal(10.0, -50.0, 100.0, 40, 100), axial(0.0)) is None
    # the sagittal at x = 150 lies beside the axial image (x in [-100, 100])
    assert reference_line(sagittal(150.0, -50.0, 50.0, 100, 100), axial(0.0)) is None


def test_reference_line_of_an_oblique_shipped_mr_lies_in_both_planes():
    source = plane_of(shipped("MR2_UNCR.dcm"))
    centre = np.asarray(source.center)
    uid = source.frame_of_reference_uid
    target = ImagePlane(
        tuple(centre - [99.5, 99.5, 0]), (1, 0, 0), (0, 1, 0), (1.0, 1.0), 200, 200, uid
    )
    line = reference_line(source, target)
    assert line is not None
    for x, y in line:
        assert 0 <= x <= 200 and 0 <= y <= 200
        point = target.to_patient(x, y)
        assert source.distance_to(point) == pytest.approx(0.0, abs=1e-6)
        sx, sy = source.to_image(point)
        assert -1e-6 <= sx <= source.columns + 1e-6 and -1e-6 <= sy <= source.rows + 1e-6
    # the row direction (0.57, 0.82, 0) cuts the axial along a line of that slope
    (x0, y0), (x1, y1) = line
    assert (y1 - y0) / (x1 - x0) == pytest.approx(0.822001 / 0.569486, rel=1e-4)


# -- orientation labels --------------------------------------------------------------------
def test_labels_of_an_axial_ct_and_an_oblique_mr():
    assert orientation_labels(shipped("CT_small.dcm")) == {
        "left": "R",
        "right": "L",
        "top": "A",
        "bottom": "P",
    }
    assert orientation_labels(shipped("MR2_UNCR.dcm")) == {
        "left": "AR",
        "right": "PL",
        "top": "H",
        "bottom": "F",
    }
    assert orientation_labels(plane_of(shipped("MR2_UNCR.dcm")))["right"] == "PL"


def test_labels_of_an_enhanced_ct_come_from_its_functional_groups():
    labels = orientation_labels(shipped("eCT_Supplemental.dcm"), frame=1)
    assert labels == {"left": "L", "right": "R", "top": "A", "bottom": "P"}


def test_labels_from_patient_orientation_of_radiographs_and_a_mammogram():
    assert orientation_labels(shipped("RG1_UNCI.dcm")) == {
        "left": "R",
        "right": "L",
        "top": "H",
        "bottom": "F",
    }
    mammo = shipped("RG3_UNCR.dcm")
    mammo.PatientOrientation = ["A", "R"]
    assert orientation_labels(mammo) == {"left": "P", "right": "A", "top": "L", "bottom": "R"}
    mammo.PatientOrientation = ["P", "FL"]
    assert orientation_labels(mammo) == {"left": "A", "right": "P", "top": "HR", "bottom": "FL"}


def test_labels_are_empty_when_unknown():
    empty = {"left": "", "right": "", "top": "", "bottom": ""}
    assert orientation_labels(shipped("emri_small.dcm")) == empty
    assert orientation_labels(shipped("SC_rgb.dcm")) == empty  # Patient Orientation empty
    quadruped = shipped("RG1_UNCI.dcm")
    quadruped.PatientOrientation = ["CR", "V"]  # veterinary terms are not understood
    assert orientation_labels(quadruped) == empty


def test_labels_follow_rotation_and_flip():
    ct = shipped("CT_small.dcm")  # left R, right L, top A, bottom P
    assert orientation_labels(ct, rotation_deg=90) == {
        "top": "R",
        "right": "A",
        "bottom": "L",
        "left": "P",
    }
    assert orientation_labels(ct, rotation_deg=180) == {
        "top": "P",
        "right": "R",
        "bottom": "A",
        "left": "L",
    }
    assert orientation_labels(ct, rotation_deg=270) == orientation_labels(ct, rotation_deg=-90)
    assert orientation_labels(ct, flip_horizontal=True) == {
        "top": "A",
        "right": "R",
        "bottom": "P",
        "left": "L",
    }
    # the clockwise turn comes first, then the flip (PS3.3 C.10.6: Image Rotation is
    # applied before Image Horizontal Flip)
    assert orientation_labels(ct, rotation_deg=90, flip_horizontal=True) == {
        "top": "R",
        "right": "P",
        "bottom": "L",
        "left": "A",
    }
    with pytest.raises(ValueError):
        orientation_labels(ct, rotation_deg=45)


def test_direction_letters_major_axis_first_and_small_components_ignored():
    assert direction_letters((1, 0, 0)) == "L"
    assert direction_letters((-0.8, -0.6, 0)) == "RA"
    assert direction_letters((0.2, -0.3, -0.93)) == "FAL"
    assert direction_letters((0.999, 0.04, 0)) == "L"  # a 2 degree tilt is not oblique
