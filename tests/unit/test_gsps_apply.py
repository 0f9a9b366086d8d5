"""Reading a GSPS back into display states (ours and foreign ones) and finding it by series."""

from __future__ import annotations

import pydicom
import pytest
from iod_check import reread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from test_builders_gsps import FULL_STATE, MEASUREMENTS, NOTES

from workstation.dicom.builders.gsps import GSPS_SOP_CLASS, build_gsps
from workstation.dicom.builders.kos import build_kos
from workstation.dicom.display_state import (
    DisplayedArea,
    DisplayState,
    Graphic,
    GraphicLayer,
    GraphicType,
    PresentationSizeMode,
    TextAnnotation,
    VoiFunction,
    Window,
)
from workstation.errors import PresentationStateError
from workstation.imaging.gsps import read_kos, read_presentation_state, references_series


def shipped(name: str) -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file(name))


def test_built_gsps_read_back_gives_the_same_display_state() -> None:
    source = shipped("CT_small.dcm")
    states = read_presentation_state(reread(build_gsps([source], FULL_STATE, label="x")))
    assert states == {source.SOPInstanceUID: FULL_STATE}


def test_inexact_float_coordinates_and_inverse_lut_round_trip() -> None:
    source = shipped("MR_small.dcm")
    state = DisplayState(
        window=Window(123.45, 678.9, VoiFunction.SIGMOID),
        invert=True,
        displayed_area=DisplayedArea(
            (1, 1), (64, 64), PresentationSizeMode.TRUE_SIZE, pixel_spacing=(0.3125, 0.3125)
        ),
        rotation=270,
        layers=(
            GraphicLayer(
                "M",
                3,
                graphics=(
                    Graphic(GraphicType.INTERPOLATED, ((12.3, 45.67), (33.3, 1.1), (60.01, 2.2))),
                    Graphic(
                        GraphicType.POLYLINE,
                        ((1.1, 1.1), (9.9, 1.1), (9.9, 9.9), (1.1, 1.1)),
                        filled=True,
                    ),
                ),
            ),
        ),
    )
    back = read_presentation_state(reread(build_gsps([source], state)))
    assert back[source.SOPInstanceUID] == state


def test_per_image_states_round_trip_for_two_series() -> None:
    images = [shipped("MR_small.dcm"), shipped("emri_small.dcm")]
    states = {
        images[0].SOPInstanceUID: DisplayState(
            window=Window(600.0, 1200.0),
            displayed_area=DisplayedArea((1, 1), (64, 64)),
            layers=(MEASUREMENTS, NOTES),
        ),
        images[1].SOPInstanceUID: DisplayState(
            window=None,
            displayed_area=DisplayedArea((5, 5), (40, 40)),
            layers=(NOTES,),
        ),
    }
    assert read_presentation_state(reread(build_gsps(images, states))) == states


def foreign_gsps(image: Dataset, other: Dataset) -> Dataset:
    """A GSPS shaped as another vendor might write it: shared items without image
    references, DISPLAY-unit graphics, layers listed out of order."""
    ds = Dataset()
    ds.SOPClassUID = GSPS_SOP_CLASS
    series = Dataset()
    series.SeriesInstanceUID = image.SeriesInstanceUID
    series.ReferencedImageSequence = []
    for source in (image, other):
        ref = Dataset()
        ref.ReferencedSOPClassUID = source.SOPClassUID
        ref.ReferencedSOPInstanceUID = source.SOPInstanceUID
        series.ReferencedImageSequence.append(ref)
    ds.ReferencedSeriesSequence = [series]
    voi = Dataset()
    voi.WindowCenter = ["50", "300"]  # two windows: the first is the default
    voi.WindowWidth = ["350", "1500"]
    ds.SoftcopyVOILUTSequence = [voi]
    area = Dataset()
    # rotated 90 degrees: TLHC/BRHC name the pixels shown top left and bottom right after
    # the rotation (PS3.3 C.10.4): the image's bottom left and top right
    area.DisplayedAreaTopLeftHandCorner = [1, 201]
    area.DisplayedAreaBottomRightHandCorner = [101, 1]
    area.PresentationSizeMode = "SCALE TO FIT"
    area.PresentationPixelAspectRatio = [1, 1]
    ds.DisplayedAreaSelectionSequence = [area]
    ds.ImageRotation = 90
    ds.ImageHorizontalFlip = "N"
    ds.PresentationLUTShape = "IDENTITY"
    graphic = Dataset()
    graphic.GraphicAnnotationUnits = "DISPLAY"
    graphic.GraphicDimensions = 2
    graphic.NumberOfGraphicPoints = 2
    graphic.GraphicData = [0.0, 0.0, 0.5, 1.0]
    graphic.GraphicType = "POLYLINE"
    text = Dataset()
    text.UnformattedTextValue = "Note"
    text.AnchorPointAnnotationUnits = "PIXEL"
    text.AnchorPoint = [10.0, 20.0]
    text.AnchorPointVisibility = "N"
    annotation = Dataset()
    annotation.GraphicLayer = "SECOND"
    annotation.GraphicObjectSequence = [graphic]
    first = Dataset()
    first.GraphicLayer = "FIRST"
    first.TextObjectSequence = [text]
    ds.GraphicAnnotationSequence = [annotation, first]
    layers = []
    for name, order in (("SECOND", 7), ("FIRST", 2)):
        layer = Dataset()
        layer.GraphicLayer = name
        layer.GraphicLayerOrder = order
        layers.append(layer)
    ds.GraphicLayerSequence = layers
    return ds


def test_foreign_gsps_items_without_image_references_apply_to_every_image() -> None:
    image, other = shipped("CT_small.dcm"), shipped("MR_small.dcm")
    states = read_presentation_state(foreign_gsps(image, other))
    assert set(states) == {image.SOPInstanceUID, other.SOPInstanceUID}
    for state in states.values():
        assert state.window == Window(50.0, 350.0)
        assert state.displayed_area == DisplayedArea((1, 201), (101, 1))
        assert (state.rotation, state.flip_horizontal, state.invert) == (90, False, False)


def test_foreign_gsps_layers_sorted_by_order_and_display_units_converted_to_pixels() -> None:
    image, other = shipped("CT_small.dcm"), shipped("MR_small.dcm")
    state = read_presentation_state(foreign_gsps(image, other))[image.SOPInstanceUID]
    assert [layer.name for layer in state.layers] == ["FIRST", "SECOND"]
    assert state.layers[0].texts == (TextAnnotation("Note", anchor=(10.0, 20.0)),)
    # rotated 90 degrees clockwise: the shown top left is the image's bottom left, and
    # the middle of the shown bottom edge is the middle of the image's right edge
    line = state.layers[1].graphics[0]
    assert line.points == ((1.0, 201.0), (101.0, 101.0))


def test_reading_something_else_as_gsps_or_kos_raises_presentation_state_error() -> None:
    with pytest.raises(PresentationStateError):
        read_presentation_state(shipped("CT_small.dcm"))
    with pytest.raises(PresentationStateError):
        read_kos(shipped("CT_small.dcm"))


def test_gsps_and_kos_are_found_by_the_series_they_reference() -> None:
    ct, mr = shipped("CT_small.dcm"), shipped("MR_small.dcm")
    gsps = build_gsps([ct], DisplayState())
    kos = build_kos([mr])
    assert references_series(gsps, ct.SeriesInstanceUID)
    assert not references_series(gsps, mr.SeriesInstanceUID)
    assert references_series(kos, mr.SeriesInstanceUID)
    assert not references_series(kos, ct.SeriesInstanceUID)
