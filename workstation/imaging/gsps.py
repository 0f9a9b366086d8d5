"""Apply a received GSPS (display state per referenced image) and list a received KOS.

Reads what ``dicom.builders.gsps`` writes back to the same ``DisplayState`` values, and
also presentation states from elsewhere: items without a Referenced Image Sequence apply
to every image, DISPLAY-unit graphics are converted to image pixels. Frame references
are not kept: a state applies to the whole image.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import numpy as np
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from workstation.dicom.builders.gsps import GSPS_SOP_CLASS
from workstation.dicom.builders.kos import KOS_SOP_CLASS
from workstation.dicom.display_state import (
    DisplayedArea,
    DisplayState,
    Graphic,
    GraphicLayer,
    GraphicType,
    Justification,
    Point,
    PresentationSizeMode,
    TextAnnotation,
    VoiFunction,
    Window,
)
from workstation.errors import PresentationStateError

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class KeyObjectReference:
    sop_class_uid: str
    sop_instance_uid: str
    frames: tuple[int, ...] = ()


@dataclass(frozen=True)
class KeyObjectList:
    """What a KOS says: its title (code value, scheme, meaning) and the images it flags."""

    title: tuple[str, str, str]
    description: str
    observer: str
    references: tuple[KeyObjectReference, ...]

    @property
    def instance_uids(self) -> tuple[str, ...]:
        return tuple(r.sop_instance_uid for r in self.references)


def _fl(value: object) -> float:
    """A stored FL value as the shortest decimal that encodes to the same float32."""
    return float(np.format_float_positional(np.float32(value), unique=True, trim="0"))


def _points(values: list, count: int | None = None) -> tuple[Point, ...]:
    flat = [_fl(v) for v in values]
    pairs = tuple((flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2))
    return pairs[:count] if count else pairs


def _applies(item: Dataset, uid: str) -> bool:
    refs = item.get("ReferencedImageSequence")
    return not refs or any(r.get("ReferencedSOPInstanceUID") == uid for r in refs)


def _enum(cls: type[E], value: object, default: E) -> E:
    """The member of a StrEnum whose value is ``value``, else ``default``."""
    try:
        return cls(str(value))
    except ValueError:
        return default


def _as_list(value: object) -> list:
    """A possibly multi-valued element value as a list (empty for None)."""
    if value is None:
        return []
    return list(value) if isinstance(value, MultiValue | list | tuple) else [value]


def _first_number(value: object) -> float:
    return float(_as_list(value)[0])


def _window(item: Dataset) -> Window | None:
    if "WindowCenter" not in item or "WindowWidth" not in item:
        return None  # a VOI LUT Sequence: not representable as a window
    function = item.get("VOILUTFunction", "")
    return Window(
        center=_first_number(item.WindowCenter),
        width=_first_number(item.WindowWidth),
        function=_enum(VoiFunction, function, VoiFunction.LINEAR),
        explanation=str(item.get("WindowCenterWidthExplanation", "") or ""),
    )


def _area(item: Dataset) -> DisplayedArea:
    mode = item.get("PresentationSizeMode", "")
    aspect = item.get("PresentationPixelAspectRatio")
    spacing = item.get("PresentationPixelSpacing")
    magnification = item.get("PresentationPixelMagnificationRatio")
    return DisplayedArea(
        top_left=tuple(int(v) for v in item.DisplayedAreaTopLeftHandCorner),  # type: ignore[arg-type]
        bottom_right=tuple(int(v) for v in item.DisplayedAreaBottomRightHandCorner),  # type: ignore[arg-type]
        size_mode=_enum(PresentationSizeMode, mode, PresentationSizeMode.SCALE_TO_FIT),
        pixel_aspect_ratio=(int(aspect[0]), int(aspect[1])) if aspect else (1, 1),
        pixel_spacing=(float(spacing[0]), float(spacing[1])) if spacing else None,
        magnification=float(magnification) if magnification is not None else None,
    )


class _ToPixels:
    """Converts DISPLAY-unit points (0..1 of the shown area) back to image pixels."""

    def __init__(self, area: DisplayedArea, rotation: int, flip: bool) -> None:
        self.area, self.rotation, self.flip = area, rotation, flip

    def __call__(self, point: Point) -> Point:
        u, v = point
        # TLHC and BRHC are the pixels shown top left and bottom right after the flip and
        # rotation (PS3.3 C.10.4): across the display runs along image columns unless the
        # image is turned by 90 or 270 degrees, when it runs along rows.
        a, b = (v, u) if self.rotation in (90, 270) else (u, v)
        (x0, y0), (x1, y1) = self.area.top_left, self.area.bottom_right
        return _fl(x0 + a * (x1 - x0)), _fl(y0 + b * (y1 - y0))


def _graphic(item: Dataset, convert: _ToPixels) -> Graphic | None:
    kind = _enum(GraphicType, item.get("GraphicType", ""), None)  # type: ignore[arg-type]
    if kind is None:
        return None
    points = _points(list(item.get("GraphicData", [])), int(item.get("NumberOfGraphicPoints", 0)))
    if item.get("GraphicAnnotationUnits") == "DISPLAY":
        points = tuple(convert(p) for p in points)
    return Graphic(kind, points, filled=item.get("GraphicFilled") == "Y")


def _text(item: Dataset, convert: _ToPixels) -> TextAnnotation:
    anchor = box = None
    if "AnchorPoint" in item:
        anchor = _points(list(item.AnchorPoint))[0]
        if item.get("AnchorPointAnnotationUnits") == "DISPLAY":
            anchor = convert(anchor)
    if "BoundingBoxTopLeftHandCorner" in item:
        corners = (
            _points(list(item.BoundingBoxTopLeftHandCorner))[0],
            _points(list(item.BoundingBoxBottomRightHandCorner))[0],
        )
        if item.get("BoundingBoxAnnotationUnits") == "DISPLAY":
            corners = convert(corners[0]), convert(corners[1])
        box = corners
    justification = item.get("BoundingBoxTextHorizontalJustification", "")
    return TextAnnotation(
        text=str(item.get("UnformattedTextValue", "")),
        anchor=anchor,
        anchor_visible=item.get("AnchorPointVisibility") == "Y",
        bounding_box=box,
        justification=_enum(Justification, justification, Justification.LEFT),
    )


def _layers(gsps: Dataset, uid: str, convert: _ToPixels) -> tuple[GraphicLayer, ...]:
    definitions = {
        str(d.GraphicLayer): (int(d.get("GraphicLayerOrder", 0) or 0), position, d)
        for position, d in enumerate(gsps.get("GraphicLayerSequence", []))
        if "GraphicLayer" in d
    }
    content: dict[str, tuple[list[Graphic], list[TextAnnotation]]] = {}
    for item in gsps.get("GraphicAnnotationSequence", []):
        if not _applies(item, uid):
            continue
        graphics, texts = content.setdefault(str(item.get("GraphicLayer", "")), ([], []))
        graphics += [
            g for g in (_graphic(o, convert) for o in item.get("GraphicObjectSequence", [])) if g
        ]
        texts += [_text(t, convert) for t in item.get("TextObjectSequence", [])]
    unknown = (10**6, 10**6, Dataset())
    names = sorted(content, key=lambda n: definitions.get(n, unknown)[:2])
    layers = []
    for name in names:
        order, _, definition = definitions.get(name, unknown)
        graphics, texts = content[name]
        layers.append(
            GraphicLayer(
                name=name,
                order=order if name in definitions else len(layers) + 1,
                description=str(definition.get("GraphicLayerDescription", "") or ""),
                graphics=tuple(graphics),
                texts=tuple(texts),
            )
        )
    return tuple(layers)


def referenced_images(gsps: Dataset) -> list[str]:
    """SOP Instance UIDs the presentation state applies to, in the order listed."""
    return [
        str(ref.ReferencedSOPInstanceUID)
        for series in gsps.get("ReferencedSeriesSequence", [])
        for ref in series.get("ReferencedImageSequence", [])
    ]


def read_presentation_state(
    gsps: Dataset, image_sizes: dict[str, tuple[int, int]] | None = None
) -> dict[str, DisplayState]:
    """The display state of every referenced image (SOP Instance UID -> DisplayState).

    ``image_sizes`` (uid -> (columns, rows)) gives the default displayed area of images
    the state gives none for; without it such images get ``displayed_area=None``.
    """
    if str(gsps.get("SOPClassUID", "")) != GSPS_SOP_CLASS:
        raise PresentationStateError(iod="presentation state", reason="not a GSPS")
    rotation = int(gsps.get("ImageRotation", 0) or 0)
    if rotation not in (0, 90, 180, 270):
        raise PresentationStateError(iod="GSPS", reason=f"image rotation {rotation}")
    flip = gsps.get("ImageHorizontalFlip") == "Y"
    invert = gsps.get("PresentationLUTShape") == "INVERSE"
    states = {}
    for uid in referenced_images(gsps):
        window = next(
            (_window(i) for i in gsps.get("SoftcopyVOILUTSequence", []) if _applies(i, uid)),
            None,
        )
        area_item = next(
            (i for i in gsps.get("DisplayedAreaSelectionSequence", []) if _applies(i, uid)),
            None,
        )
        area = _area(area_item) if area_item is not None else None
        if area is None and image_sizes and uid in image_sizes:
            area = DisplayedArea.oriented(((1, 1), image_sizes[uid]), rotation, flip)
        convert = _ToPixels(area or DisplayedArea((1, 1), (1, 1)), rotation, flip)
        states[uid] = DisplayState(
            window=window,
            invert=invert,
            displayed_area=area,
            rotation=rotation,
            flip_horizontal=flip,
            layers=_layers(gsps, uid, convert),
        )
    return states


def _code(item: Dataset, keyword: str) -> tuple[str, str, str]:
    seq = item.get(keyword) or [Dataset()]
    code = seq[0]
    return (
        str(code.get("CodeValue", "")),
        str(code.get("CodingSchemeDesignator", "")),
        str(code.get("CodeMeaning", "")),
    )


def read_kos(ds: Dataset) -> KeyObjectList:
    """Title, description, observer and referenced instances of a Key Object Selection."""
    if str(ds.get("SOPClassUID", "")) != KOS_SOP_CLASS:
        raise PresentationStateError(iod="key object selection", reason="not a KOS")
    description = observer = ""
    references: list[KeyObjectReference] = []
    for item in ds.get("ContentSequence", []):
        kind = item.get("ValueType")
        concept = _code(item, "ConceptNameCodeSequence")[0]
        if kind == "TEXT" and concept == "113012" and not description:
            description = str(item.get("TextValue", ""))
        elif kind == "PNAME" and concept == "121008" and not observer:
            observer = str(item.get("PersonName", ""))
        elif kind in ("IMAGE", "COMPOSITE", "WAVEFORM"):
            for ref in item.get("ReferencedSOPSequence", []):
                frames = _as_list(ref.get("ReferencedFrameNumber"))
                references.append(
                    KeyObjectReference(
                        str(ref.ReferencedSOPClassUID),
                        str(ref.ReferencedSOPInstanceUID),
                        tuple(int(f) for f in frames),
                    )
                )
    return KeyObjectList(
        _code(ds, "ConceptNameCodeSequence"), description, observer, tuple(references)
    )


def references_series(ds: Dataset, series_uid: str) -> bool:
    """Whether a GSPS or KOS refers to an image of the series (to apply/list it on opening)."""
    if str(ds.get("SOPClassUID", "")) == GSPS_SOP_CLASS:
        groups = ds.get("ReferencedSeriesSequence", [])
    else:
        groups = [
            series
            for study in ds.get("CurrentRequestedProcedureEvidenceSequence", [])
            for series in study.get("ReferencedSeriesSequence", [])
        ]
    return any(str(g.get("SeriesInstanceUID", "")) == series_uid for g in groups)
