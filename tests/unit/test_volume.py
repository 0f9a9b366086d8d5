"""Volume: a series stack as voxels plus the affine that places them in the patient, and a
clear error for a stack that is not one regular block of parallel slices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_modality_lut
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from workstation.errors import PixelDataError
from workstation.imaging.geometry import ImagePlane
from workstation.imaging.stack import ImageStack
from workstation.imaging.volume import (
    NotAVolumeError,
    Volume,
    VolumeProblem,
    volume_geometry,
)


def ct_series(folder: Path, positions: list[list[float]], orientations=None) -> list[Path]:
    """The shipped CT_small.dcm at ``positions`` (files written in reverse, instance
    numbers counting down, so neither gives the volume its order)."""
    paths = []
    series_uid = generate_uid()
    for n, position in enumerate(positions):
        ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.InstanceNumber = len(positions) - n
        ds.ImagePositionPatient = list(position)
        if orientations is not None:
            ds.ImageOrientationPatient = list(orientations[n])
        path = folder / f"{len(positions) - n:03d}.dcm"
        ds.save_as(path)
        paths.append(path)
    return paths


def synthetic(folder: Path, name: str, position, orientation, spacing, pixels) -> Path:
    """A tiny CT slice written from scratch: every geometry value chosen by the test."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
    ds.Modality = "CT"
    ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.77"
    ds.ImagePositionPatient = list(position)
    ds.ImageOrientationPatient = list(orientation)
    ds.PixelSpacing = list(spacing)
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.RescaleSlope, ds.RescaleIntercept = 2, -1000
    ds.PixelData = pixels.astype("<i2").tobytes()
    path = folder / name
    ds.save_as(path, enforce_file_format=True)
    return path


# -- real data ---------------------------------------------------------------------------
def test_enhanced_ct_frames_make_a_volume_placed_by_their_functional_groups() -> None:
    path = get_testdata_file("eCT_Supplemental.dcm")
    ds = pydicom.dcmread(path)
    shared = ds.SharedFunctionalGroupsSequence[0]
    iop = np.array(shared.PlaneOrientationSequence[0].ImageOrientationPatient, dtype=float)
    row_mm, col_mm = (float(v) for v in shared.PixelMeasuresSequence[0].PixelSpacing)
    frames = [
        np.array(f.PlanePositionSequence[0].ImagePositionPatient, dtype=float)
        for f in ds.PerFrameFunctionalGroupsSequence
    ]

    volume = Volume.from_stack(ImageStack([path]))

    assert volume.shape == (2, int(ds.Rows), int(ds.Columns))
    assert volume.voxels.dtype == np.float32
    # slices run along row x column direction: here (0, 0, -1), so frame 2 (z -149) first
    assert volume.order == (1, 0)
    np.testing.assert_allclose(volume.affine[:3, 0], iop[:3] * col_mm)
    np.testing.assert_allclose(volume.affine[:3, 1], iop[3:] * row_mm)
    np.testing.assert_allclose(volume.affine[:3, 2], frames[0] - frames[1])
    np.testing.assert_allclose(volume.affine[3], [0, 0, 0, 1])
    for k, frame in enumerate(volume.order):
        np.testing.assert_allclose(volume.to_patient((0, 0, k)), frames[frame])
    assert volume.spacing == pytest.approx((10.0, row_mm, col_mm))
    assert np.linalg.det(volume.affine[:3, :3]) > 0  # right-handed
    rescale = shared.PixelValueTransformationSequence[0]  # Enhanced CT: in the shared group
    hu = ds.pixel_array * float(rescale.RescaleSlope) + float(rescale.RescaleIntercept)
    for k, frame in enumerate(volume.order):
        np.testing.assert_allclose(volume.voxels[k], hu[frame])
    assert volume.voxels.min() == -1024.0


def test_a_shipped_ct_at_even_positions_is_a_volume_in_position_order(tmp_path: Path) -> None:
    x, y = -158.135803, -179.035797
    zs = [-75.7, -73.2, -70.7, -68.2, -65.7]  # 2.5 mm apart
    paths = ct_series(tmp_path, [[x, y, z] for z in zs])
    source = pydicom.dcmread(paths[0])
    hu = apply_modality_lut(source.pixel_array, source)

    volume = Volume.from_stack(ImageStack(paths))

    assert volume.shape == (5, 128, 128)
    expected = np.eye(4)
    expected[:3, 0] = [0.661468, 0, 0]  # row direction x column spacing
    expected[:3, 1] = [0, 0.661468, 0]  # column direction x row spacing
    expected[:3, 2] = [0, 0, 2.5]
    expected[:3, 3] = [x, y, zs[0]]
    np.testing.assert_allclose(volume.affine, expected, atol=1e-9)
    assert volume.frame_of_reference_uid == source.FrameOfReferenceUID
    for k in range(5):  # the same image at every position
        np.testing.assert_array_equal(volume.voxels[k], hu)
    np.testing.assert_allclose(volume.to_index(volume.to_patient((3, 7, 2))), (3, 7, 2))


def test_one_shipped_image_is_not_a_volume() -> None:
    with pytest.raises(NotAVolumeError) as caught:
        Volume.from_stack(ImageStack([get_testdata_file("CT_small.dcm")]))
    assert caught.value.problem is VolumeProblem.TOO_FEW_SLICES
    assert isinstance(caught.value, PixelDataError)  # the GUI already words its code
    assert caught.value.code == "imaging.pixels"


def test_the_shipped_mr_series_repeats_one_position_so_it_is_not_a_volume() -> None:
    # MR_small*.dcm: one series, the same slice in several transfer syntaxes
    names = ["MR_small.dcm", "MR_small_RLE.dcm", "MR_small_bigendian.dcm"]
    stack = ImageStack([get_testdata_file(n) for n in names])
    with pytest.raises(NotAVolumeError) as caught:
        Volume.from_stack(stack)
    assert caught.value.problem is VolumeProblem.DUPLICATE_POSITION


def test_mixed_orientation_is_not_a_volume(tmp_path: Path) -> None:
    axial, tilted = [1, 0, 0, 0, 1, 0], [1, 0, 0, 0, 0.9950042, -0.0998334]  # ~5.7 degrees
    paths = ct_series(tmp_path, [[0, 0, 0], [0, 0, 5], [0, 0, 10]], [axial, tilted, axial])
    with pytest.raises(NotAVolumeError) as caught:
        Volume.from_stack(ImageStack(paths))
    assert caught.value.problem is VolumeProblem.MIXED_ORIENTATION


def test_uneven_spacing_beyond_the_tolerance_is_not_a_volume(tmp_path: Path) -> None:
    paths = ct_series(tmp_path, [[0, 0, z] for z in (0.0, 5.0, 10.0, 20.0)])  # a slice missing
    with pytest.raises(NotAVolumeError) as caught:
        Volume.from_stack(ImageStack(paths))
    assert caught.value.problem is VolumeProblem.UNEVEN_SPACING
    assert caught.value.values["largest_mm"] == 10.0
    assert "evenly spaced" in str(caught.value)


def test_spacing_within_the_tolerance_is_a_volume_with_the_mean_step(tmp_path: Path) -> None:
    paths = ct_series(tmp_path, [[0, 0, z] for z in (0.0, 5.0, 10.02, 15.0)])  # 0.02 mm off
    volume = Volume.from_stack(ImageStack(paths))
    np.testing.assert_allclose(volume.affine[:3, 2], [0, 0, 5.0])
    with pytest.raises(NotAVolumeError):
        Volume.from_stack(ImageStack(paths), spacing_tolerance=0.001)


def test_an_image_without_position_is_not_a_volume(tmp_path: Path) -> None:
    paths = ct_series(tmp_path, [[0, 0, 0], [0, 0, 5], [0, 0, 10]])
    ds = pydicom.dcmread(paths[1])
    del ds.ImagePositionPatient
    ds.save_as(paths[1])
    with pytest.raises(NotAVolumeError) as caught:
        Volume.from_stack(ImageStack(paths))
    assert caught.value.problem is VolumeProblem.NO_GEOMETRY


def test_colour_images_are_not_a_volume() -> None:
    stack = ImageStack([get_testdata_file("SC_rgb_2frame.dcm")])
    with pytest.raises(NotAVolumeError) as caught:
        Volume.from_stack(stack)
    assert caught.value.problem is VolumeProblem.COLOUR


# -- synthetic: every geometry value known ----------------------------------------------
def test_an_oblique_tilted_synthetic_stack_has_the_affine_it_was_built_with(tmp_path) -> None:
    row_dir = np.array([np.cos(0.3), np.sin(0.3), 0.0])  # rotated 0.3 rad about z
    col_dir = np.array([0.0, 0.0, -1.0])  # rows run towards the feet: a coronal-ish slice
    normal = np.cross(row_dir, col_dir)
    row_mm, col_mm = 0.8, 0.5  # between rows, between columns (DICOM's order)
    step = 3.0 * normal + 0.4 * col_dir  # a 3 mm step with a gantry-tilt shift
    origin = np.array([-10.0, 20.0, 30.0])
    rng = np.random.default_rng(7)
    images = [rng.integers(0, 2000, size=(3, 4)) for _ in range(4)]
    paths = [
        synthetic(tmp_path, f"{name}.dcm", origin + k * step,
                  [*row_dir, *col_dir], [row_mm, col_mm], images[k])
        for k, name in zip(range(4), "dbca", strict=True)
    ]  # fmt: skip

    volume = Volume.from_stack(ImageStack(paths))

    expected = np.eye(4)
    expected[:3, 0] = row_dir * col_mm
    expected[:3, 1] = col_dir * row_mm
    expected[:3, 2] = step
    expected[:3, 3] = origin
    np.testing.assert_allclose(volume.affine, expected, atol=1e-6)
    assert volume.shape == (4, 3, 4)
    for k in range(4):
        np.testing.assert_array_equal(volume.voxels[k], images[k] * 2 - 1000)
    # voxel (i=column 3, j=row 2, slice 1) lies where the header geometry says
    np.testing.assert_allclose(
        volume.to_patient((3, 2, 1)), origin + step + 3 * col_mm * row_dir + 2 * row_mm * col_dir,
        atol=1e-6,
    )  # fmt: skip
    assert volume.spacing == pytest.approx((np.linalg.norm(step), row_mm, col_mm), abs=1e-6)


def plane(z: float, rows: int = 4, spacing=(1.0, 1.0), uid: str = "1.2.3") -> ImagePlane:
    return ImagePlane((0.0, 0.0, z), (1, 0, 0), (0, 1, 0), spacing, rows, 4, uid)


def test_volume_geometry_sorts_by_position_along_the_normal() -> None:
    shape = volume_geometry([plane(4.0), plane(0.0), plane(2.0)])
    assert shape.order == (1, 2, 0)
    np.testing.assert_allclose(shape.affine[:3, 2:], [[0, 0], [0, 0], [2, 0]])


@pytest.mark.parametrize(
    ("planes", "problem"),
    [
        ([plane(0.0), plane(1.0, rows=5)], VolumeProblem.MIXED_SIZE),
        ([plane(0.0), plane(1.0, spacing=(1.0, 1.2))], VolumeProblem.MIXED_PIXEL_SPACING),
        ([plane(0.0), plane(1.0, uid="1.2.4")], VolumeProblem.MIXED_FRAME_OF_REFERENCE),
        ([plane(0.0), None, plane(2.0)], VolumeProblem.NO_GEOMETRY),
        ([plane(0.0), plane(0.0), plane(1.0)], VolumeProblem.DUPLICATE_POSITION),
        ([], VolumeProblem.TOO_FEW_SLICES),
    ],
)
def test_volume_geometry_names_the_problem(planes, problem) -> None:
    with pytest.raises(NotAVolumeError) as caught:
        volume_geometry(planes)
    assert caught.value.problem is problem
