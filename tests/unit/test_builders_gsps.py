"""GSPS builder: dciodvfy clean for a full display state, stored, and encoded as specified."""

from __future__ import annotations

import pydicom
import pytest
from iod_check import assert_iod_valid, reread, stored_and_indexed
from pydicom.data import get_charset_files, get_testdata_file

from workstation.dicom.builders.common import part10_bytes
from workstation.dicom.builders.gsps import GSPS_SOP_CLASS, build_gsps, cs_label
from workstation.dicom.display_state import (
    DisplayedArea,
    DisplayState,
    Graphic,
    GraphicLayer,
    GraphicType,
    PresentationSizeMode,
    TextAnnotation,
    Window,
)
from workstation.errors import BuildError


def shipped(name: str) -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file(name))


MEASUREMENTS = GraphicLayer(
    name="MEASUREMENTS",
    order=1,
    description="Längen und Flächen",
    graphics=(
        Graphic(GraphicType.POLYLINE, ((10.0, 10.0), (50.5, 60.25))),
        Graphic(GraphicType.ELLIPSE, ((10.0, 20.0), (30.0, 20.0), (20.0, 15.0), (20.0, 25.0))),
        Graphic(GraphicType.POINT, ((5.5, 6.5),)),
    ),
    texts=(
        TextAnnotation(
            "12.3 mm – größer",
            anchor=(50.5, 60.25),
            anchor_visible=True,
            bounding_box=((55.0, 60.0), (90.0, 70.0)),
        ),
    ),
)
NOTES = GraphicLayer(
    name="NOTES",
    order=2,
    graphics=(Graphic(GraphicType.CIRCLE, ((64.0, 64.0), (70.0, 64.0)), filled=True),),
    texts=(TextAnnotation("Zyste?", bounding_box=((1.0, 1.0), (40.0, 10.0))),),
)
FULL_STATE = DisplayState(
    window=Window(40.0, 400.0, explanation="Weichteil"),
    displayed_area=DisplayedArea(
        (10, 12), (100, 110), PresentationSizeMode.MAGNIFY, magnification=2.0
    ),
    rotation=90,
    flip_horizontal=True,
    layers=(MEASUREMENTS, NOTES),
)


def test_gsps_with_window_rotation_flip_area_and_graphics_passes_dciodvfy_and_is_stored(
    store,
) -> None:
    source = shipped("CT_small.dcm")
    gsps = build_gsps([source], FULL_STATE, label="Befund", creator="Müller^Hans")
    assert_iod_valid(gsps, "GrayscaleSoftcopyPresentationState")
    row = stored_and_indexed(store, gsps)
    assert row["study_uid"] == source.StudyInstanceUID


def test_gsps_encodes_window_area_spatial_layers_and_modality_lut() -> None:
    source = shipped("CT_small.dcm")
    gsps = reread(build_gsps([source], FULL_STATE, label="Befund", creator="Müller^Hans"))
    assert gsps.SOPClassUID == GSPS_SOP_CLASS
    assert gsps.Modality == "PR"
    ref = gsps.ReferencedSeriesSequence[0]
    assert ref.SeriesInstanceUID == source.SeriesInstanceUID
    assert ref.ReferencedImageSequence[0].ReferencedSOPInstanceUID == source.SOPInstanceUID
    voi = gsps.SoftcopyVOILUTSequence[0]
    assert (float(voi.WindowCenter), float(voi.WindowWidth)) == (40.0, 400.0)
    area = gsps.DisplayedAreaSelectionSequence[0]
    assert list(area.DisplayedAreaTopLeftHandCorner) == [10, 12]
    assert area.PresentationSizeMode == "MAGNIFY"
    assert (gsps.ImageRotation, gsps.ImageHorizontalFlip) == (90, "Y")
    assert gsps.PresentationLUTShape == "IDENTITY"
    assert [layer.GraphicLayer for layer in gsps.GraphicLayerSequence] == ["MEASUREMENTS", "NOTES"]
    kinds = [g.GraphicType for g in gsps.GraphicAnnotationSequence[0].GraphicObjectSequence]
    assert kinds == ["POLYLINE", "ELLIPSE", "POINT"]
    assert gsps.GraphicAnnotationSequence[0].TextObjectSequence[0].UnformattedTextValue == (
        "12.3 mm – größer"
    )
    # CT_small has a rescale: the GSPS Modality LUT module carries it (HU)
    assert (float(gsps.RescaleSlope), float(gsps.RescaleIntercept)) == (1.0, -1024.0)
    assert gsps.RescaleType == "HU"
    assert str(gsps.ContentCreatorName) == "Müller^Hans"


def test_gsps_inverted_display_uses_inverse_presentation_lut() -> None:
    gsps = build_gsps([shipped("MR_small.dcm")], DisplayState(invert=True))
    assert gsps.PresentationLUTShape == "INVERSE"
    assert_iod_valid(gsps, "GrayscaleSoftcopyPresentationState")


def test_gsps_for_two_series_and_a_multiframe_image_passes_dciodvfy(store) -> None:
    images = [shipped("MR_small.dcm"), shipped("emri_small.dcm")]
    states = {
        images[0].SOPInstanceUID: DisplayState(window=Window(600.0, 1200.0), layers=(NOTES,)),
        images[1].SOPInstanceUID: DisplayState(window=Window(100.0, 200.0)),
    }
    gsps = build_gsps(images, states, label="two series")
    assert_iod_valid(gsps, "GrayscaleSoftcopyPresentationState")
    assert len(gsps.ReferencedSeriesSequence) == 2
    assert all("ReferencedImageSequence" in i for i in gsps.SoftcopyVOILUTSequence)
    assert gsps.DisplayedAreaSelectionSequence[1].PixelOriginInterpretation == "FRAME"
    assert "RescaleSlope" not in gsps  # neither MR image has a rescale
    stored_and_indexed(store, gsps)


def test_gsps_from_japanese_source_keeps_names_in_utf8() -> None:
    source = pydicom.dcmread(get_charset_files("chrH31.dcm")[0])
    gsps = build_gsps(
        [source],
        DisplayState(
            layers=(GraphicLayer("TEXT", texts=(TextAnnotation("所見あり", anchor=(3.0, 4.0)),)),)
        ),
        creator="山田^太郎",
    )
    assert_iod_valid(gsps, "GrayscaleSoftcopyPresentationState")
    data = part10_bytes(gsps)
    assert "山田^太郎".encode() in data and "所見あり".encode() in data
    back = reread(gsps)
    assert str(back.PatientName) == "Yamada^Tarou=山田^太郎=やまだ^たろう"
    assert str(back.ContentCreatorName) == "山田^太郎"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Befund: Größe 1!", "BEFUND_ GROSSE 1"),
        ("CT Kopf/Hals", "CT KOPF_HALS"),
        ("山田", "__"),
        ("ok", "OK"),
        ("   ", "PRESENTATION"),
        ("measurement layer one", "MEASUREMENT LAYE"),
    ],
)
def test_content_label_is_sanitized_to_cs_rules(label: str, expected: str) -> None:
    assert cs_label(label) == expected
    assert build_gsps([shipped("MR_small.dcm")], DisplayState(), label=label).ContentLabel == (
        expected
    )


def test_gsps_with_differing_rotations_raises_build_error() -> None:
    images = [shipped("MR_small.dcm"), shipped("CT_small.dcm")]
    states = {
        images[0].SOPInstanceUID: DisplayState(rotation=90),
        images[1].SOPInstanceUID: DisplayState(rotation=0),
    }
    with pytest.raises(BuildError):
        build_gsps(images, states)


def test_ellipse_with_wrong_point_count_raises_build_error() -> None:
    bad = GraphicLayer("L", graphics=(Graphic(GraphicType.ELLIPSE, ((1.0, 1.0), (2.0, 2.0))),))
    with pytest.raises(BuildError):
        build_gsps([shipped("MR_small.dcm")], DisplayState(layers=(bad,)))


def test_display_state_with_odd_rotation_raises_build_error() -> None:
    with pytest.raises(BuildError):
        DisplayState(rotation=45)


@pytest.mark.parametrize(
    ("rotation", "flip", "top_left", "bottom_right"),
    [
        (0, False, (1, 1), (128, 128)),
        (90, False, (1, 128), (128, 1)),
        (180, False, (128, 128), (1, 1)),
        (270, True, (128, 128), (1, 1)),
        (0, True, (128, 1), (1, 128)),
    ],
)
def test_whole_image_area_names_the_pixels_shown_at_the_corners(
    rotation: int, flip: bool, top_left: tuple, bottom_right: tuple
) -> None:
    """PS3.3 C.10.4: TLHC/BRHC are the pixels shown top left / bottom right after the
    rotation and then the flip; dciodvfy checks it for a whole-image area."""
    source = shipped("CT_small.dcm")  # 128 x 128
    state = DisplayState(window=Window(40.0, 400.0), rotation=rotation, flip_horizontal=flip)
    gsps = build_gsps([source], state)
    item = gsps.DisplayedAreaSelectionSequence[0]
    assert tuple(item.DisplayedAreaTopLeftHandCorner) == top_left
    assert tuple(item.DisplayedAreaBottomRightHandCorner) == bottom_right
    assert DisplayedArea.oriented(((1, 1), (128, 128)), rotation, flip).box() == (
        (1, 1),
        (128, 128),
    )
    assert_iod_valid(gsps, "GrayscaleSoftcopyPresentationState")
