"""Grayscale Softcopy Presentation State (PS3.3 A.33.1) of the viewer's current display.

One state for all images, or one per SOP Instance UID. Window, displayed area and
graphics may differ per image (each item lists the images it applies to); rotation,
flip and the presentation LUT are single values in the IOD, so they must agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from pydicom.dataset import Dataset

from workstation.dicom.builders.common import (
    frame_count,
    new_object,
    now,
    require_uid,
    sop_reference,
    with_file_meta,
)
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

GSPS_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.11.1"
_IOD = "Grayscale Softcopy Presentation State"
_CS_ALLOWED = re.compile(r"[^A-Z0-9 _]")


def cs_label(text: str, default: str = "PRESENTATION") -> str:
    """A Content Label / Graphic Layer value: uppercase, A-Z 0-9 space _, at most 16 chars.

    Accents are dropped (Größe -> GROSSE); other characters become underscores.
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    cleaned = _CS_ALLOWED.sub("_", plain.upper().strip())[:16].strip()
    return cleaned or default


def _fmt(value: float) -> str:
    """A DS string of at most 16 characters."""
    text = f"{value:.10g}"
    return text if len(text) <= 16 else f"{value:.8g}"


def _image_refs(images: list[Dataset]) -> list[Dataset]:
    return [
        sop_reference(require_uid(i, "SOPClassUID", _IOD), require_uid(i, "SOPInstanceUID", _IOD))
        for i in images
    ]


def _grouped(images: list[Dataset], states: dict[str, DisplayState], part: str) -> list:
    """(value, images) pairs: images sharing an equal ``part`` of their state go together."""
    groups: list[tuple[object, list[Dataset]]] = []
    for image in images:
        value = getattr(states[image.SOPInstanceUID], part)
        for known, members in groups:
            if known == value:
                members.append(image)
                break
        else:
            groups.append((value, [image]))
    return groups


def _referenced_series(images: list[Dataset]) -> list[Dataset]:
    series: dict[str, list[Dataset]] = {}
    for image in images:
        series.setdefault(require_uid(image, "SeriesInstanceUID", _IOD), []).append(image)
    items = []
    for uid, members in series.items():
        item = Dataset()
        item.SeriesInstanceUID = uid
        item.ReferencedImageSequence = _image_refs(members)
        items.append(item)
    return items


def _voi_item(window: Window) -> Dataset:
    item = Dataset()
    item.WindowCenter = _fmt(window.center)
    item.WindowWidth = _fmt(max(window.width, 1.0))
    if window.explanation:
        item.WindowCenterWidthExplanation = window.explanation[:64]
    item.VOILUTFunction = str(window.function)
    return item


def _area_item(area: DisplayedArea | None, image: Dataset, state: DisplayState) -> Dataset:
    if area is None:  # the whole image, scaled to fit, corners as shown after rotation/flip
        area = DisplayedArea.oriented(
            ((1, 1), (int(image.Columns), int(image.Rows))), state.rotation, state.flip_horizontal
        )
    item = Dataset()
    item.DisplayedAreaTopLeftHandCorner = list(area.top_left)
    item.DisplayedAreaBottomRightHandCorner = list(area.bottom_right)
    item.PresentationSizeMode = str(area.size_mode)
    if area.size_mode is PresentationSizeMode.TRUE_SIZE:
        spacing = area.pixel_spacing or tuple(float(v) for v in image.get("PixelSpacing", []))
        if len(spacing) != 2:
            raise BuildError(iod=_IOD, reason="TRUE SIZE needs a pixel spacing")
        item.PresentationPixelSpacing = [_fmt(v) for v in spacing]
    else:
        item.PresentationPixelAspectRatio = list(area.pixel_aspect_ratio)
    if area.size_mode is PresentationSizeMode.MAGNIFY:
        item.PresentationPixelMagnificationRatio = area.magnification or 1.0
    return item


def _graphic_item(graphic: Graphic) -> Dataset:
    wanted = {GraphicType.POINT: 1, GraphicType.CIRCLE: 2, GraphicType.ELLIPSE: 4}
    count = len(graphic.points)
    if count != wanted.get(graphic.type, count) or count == 0:
        raise BuildError(iod=_IOD, reason=f"{graphic.type} with {count} points")
    item = Dataset()
    item.GraphicAnnotationUnits = "PIXEL"
    item.GraphicDimensions = 2
    item.NumberOfGraphicPoints = count
    item.GraphicData = [float(c) for point in graphic.points for c in point]
    item.GraphicType = str(graphic.type)
    closed = graphic.type in (GraphicType.CIRCLE, GraphicType.ELLIPSE) or (
        count > 2 and graphic.points[0] == graphic.points[-1]
    )
    if closed:
        item.GraphicFilled = "Y" if graphic.filled else "N"
    return item


def _text_item(text: TextAnnotation) -> Dataset:
    if text.anchor is None and text.bounding_box is None:
        raise BuildError(iod=_IOD, reason="a text annotation needs an anchor or a box")
    item = Dataset()
    item.UnformattedTextValue = text.text
    if text.bounding_box is not None:
        item.BoundingBoxAnnotationUnits = "PIXEL"
        item.BoundingBoxTopLeftHandCorner = [float(c) for c in text.bounding_box[0]]
        item.BoundingBoxBottomRightHandCorner = [float(c) for c in text.bounding_box[1]]
        item.BoundingBoxTextHorizontalJustification = str(text.justification)
    if text.anchor is not None:
        item.AnchorPointAnnotationUnits = "PIXEL"
        item.AnchorPoint = [float(c) for c in text.anchor]
        item.AnchorPointVisibility = "Y" if text.anchor_visible else "N"
    return item


def _layer_definitions(states: list[DisplayState]) -> list[GraphicLayer]:
    """Each layer name once, with the order and description it first appears with."""
    layers: dict[str, GraphicLayer] = {}
    for state in states:
        for layer in state.layers:
            layers.setdefault(cs_label(layer.name, "LAYER"), layer)
    return list(layers.values())


def _annotations(images: list[Dataset], states: dict[str, DisplayState]) -> list[Dataset]:
    """One Graphic Annotation item per image and non-empty layer."""
    items = []
    for image in images:
        for layer in states[image.SOPInstanceUID].layers:
            if not layer.graphics and not layer.texts:
                continue
            item = Dataset()
            item.ReferencedImageSequence = _image_refs([image])
            item.GraphicLayer = cs_label(layer.name, "LAYER")
            if layer.texts:
                item.TextObjectSequence = [_text_item(t) for t in layer.texts]
            if layer.graphics:
                item.GraphicObjectSequence = [_graphic_item(g) for g in layer.graphics]
            items.append(item)
    return items


def _modality_lut(images: list[Dataset]) -> None | tuple[str, str, str]:
    """(slope, intercept, type) shared by all images, None when none has a rescale."""
    values = {(str(i.get("RescaleSlope", "")), str(i.get("RescaleIntercept", ""))) for i in images}
    if values == {("", "")}:
        return None
    if len(values) > 1:
        raise BuildError(iod=_IOD, reason="the images have different rescale values")
    slope, intercept = values.pop()
    kind = str(images[0].get("RescaleType", "") or "")
    if not kind:
        kind = "HU" if images[0].get("Modality") == "CT" else "US"
    return slope or "1", intercept or "0", kind


def build_gsps(
    source_images: list[Dataset],
    state: DisplayState | Mapping[str, DisplayState],
    label: str = "PRESENTATION",
    creator: str = "",
    description: str = "",
    org_root: str | None = None,
) -> Dataset:
    """A GSPS applying ``state`` (or the state of each SOP Instance UID) to the images."""
    if not source_images:
        raise BuildError(iod=_IOD, reason="no images")
    if isinstance(state, DisplayState):
        states = {require_uid(i, "SOPInstanceUID", _IOD): state for i in source_images}
    else:
        states = dict(state)
        missing = [i.SOPInstanceUID for i in source_images if i.SOPInstanceUID not in states]
        if missing:
            raise BuildError(iod=_IOD, reason=f"no display state for {missing[0]}")
    used = [states[i.SOPInstanceUID] for i in source_images]
    spatial = {(s.rotation, s.flip_horizontal, s.invert) for s in used}
    if len(spatial) > 1:
        raise BuildError(iod=_IOD, reason="rotation, flip or inversion differ between images")
    rotation, flip, invert = spatial.pop()

    ds = new_object(source_images[0], GSPS_SOP_CLASS, "PR", "Presentation States", _IOD, org_root)
    date, time = now()
    ds.ContentLabel = cs_label(label)
    ds.ContentDescription = description[:64]
    ds.PresentationCreationDate = date
    ds.PresentationCreationTime = time
    ds.ContentCreatorName = creator
    ds.ReferencedSeriesSequence = _referenced_series(source_images)

    rescale = _modality_lut(source_images)
    if rescale is not None:
        ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = rescale

    whole = len(source_images)
    voi = []
    for window, members in _grouped(source_images, states, "window"):
        if window is None:
            continue
        item = _voi_item(window)
        if len(members) < whole or len(voi) or any(s.window is None for s in used):
            item.ReferencedImageSequence = _image_refs(members)
        voi.append(item)
    if voi:
        ds.SoftcopyVOILUTSequence = voi

    areas = []
    for image in source_images:  # per image: a default area depends on the image's size
        state = states[image.SOPInstanceUID]
        item = _area_item(state.displayed_area, image, state)
        if frame_count(image) > 1:
            item.PixelOriginInterpretation = "FRAME"
        item.ReferencedImageSequence = _image_refs([image])
        areas.append(item)
    if whole == 1:
        del areas[0].ReferencedImageSequence
    ds.DisplayedAreaSelectionSequence = areas

    annotations = _annotations(source_images, states)
    if annotations:
        ds.GraphicAnnotationSequence = annotations
        layers = []
        for number, layer in enumerate(_layer_definitions(used), start=1):
            item = Dataset()
            item.GraphicLayer = cs_label(layer.name, "LAYER")
            item.GraphicLayerOrder = layer.order if layer.order > 0 else number
            if layer.description:
                item.GraphicLayerDescription = layer.description[:64]
            layers.append(item)
        ds.GraphicLayerSequence = layers

    ds.ImageRotation = rotation
    ds.ImageHorizontalFlip = "Y" if flip else "N"
    ds.PresentationLUTShape = "INVERSE" if invert else "IDENTITY"
    return with_file_meta(ds)
