"""Annotations as the user reads them and as a presentation state stores them.

:func:`measurement_text` gives the label drawn next to a measurement (mm, degrees, ROI
statistics in modality units); :func:`to_layer` turns the annotations of one image into a
GSPS graphic layer (PIXEL units, the viewer's image coordinates), each measurement with
its label as a text object, so another viewer shows the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from workstation.dicom.display_state import Graphic, GraphicLayer, GraphicType, TextAnnotation
from workstation.errors import MeasurementError
from workstation.imaging import measure
from workstation.imaging.annotations import Annotation, AnnotationKind

ARROW_HEAD = 0.25  # head length as a share of the arrow's length
ARROW_HEAD_MAX_PX = 12.0
MEASUREMENT_LAYER = "MEASUREMENTS"


def _value(v: float, unit: str) -> str:
    return f"{v:.1f} {unit}".rstrip()


def roi_text(stats: measure.RoiStatistics) -> str:
    unit = stats.value_unit
    return "\n".join(
        [
            f"mean {_value(stats.mean, unit)}  SD {stats.sd:.1f}",
            f"min {stats.minimum:g}  max {stats.maximum:g}",
            f"area {stats.area.text()}",
        ]
    )


def measurement_text(
    annotation: Annotation,
    values: np.ndarray | None,
    spacing: measure.Spacing,
    unit: str = "",
) -> str:
    """The label of ``annotation``; ``values`` are the image's modality values (for ROIs and
    the probe; colour images give None). Empty for arrows; the text for text notes."""
    kind, pts = annotation.kind, annotation.points
    try:
        if kind is AnnotationKind.TEXT:
            return annotation.text
        if kind is AnnotationKind.ARROW:
            return annotation.text
        if kind is AnnotationKind.DISTANCE:
            return measure.distance(pts[0], pts[1], spacing).text()
        if kind is AnnotationKind.ANGLE:
            return measure.angle(pts[0], pts[1], pts[2], spacing).text()
        if values is None or values.ndim != 2:
            return ""
        if kind is AnnotationKind.PROBE:
            result = measure.probe(values, pts[0][0], pts[0][1], unit)
            if result.value is None:
                return ""
            return f"({result.col}, {result.row}) {result.value:g} {unit}".rstrip()
        if kind is AnnotationKind.RECTANGLE:
            return roi_text(measure.rectangle_roi(values, pts[0], pts[1], spacing, unit))
        (cx, cy), (ex, ey) = pts
        radii = (abs(ex - cx), abs(ey - cy))
        return roi_text(measure.ellipse_roi(values, (cx, cy), radii, spacing, unit))
    except MeasurementError as exc:
        return str(exc.values.get("reason", ""))


def arrow_head(tail: tuple[float, float], head: tuple[float, float]) -> tuple:
    """The two wing points of an arrow head (image coordinates)."""
    dx, dy = head[0] - tail[0], head[1] - tail[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return (head, head)
    size = min(length * ARROW_HEAD, ARROW_HEAD_MAX_PX)
    ux, uy = dx / length, dy / length
    wings = []
    for sign in (1, -1):
        angle = math.radians(25) * sign
        cos, sin = math.cos(angle), math.sin(angle)
        wx = -(ux * cos - uy * sin) * size
        wy = -(ux * sin + uy * cos) * size
        wings.append((head[0] + wx, head[1] + wy))
    return tuple(wings)


def ellipse_axes(center: tuple[float, float], edge: tuple[float, float]) -> tuple:
    """The four ELLIPSE points of an axis-aligned ellipse: major axis ends, then minor."""
    cx, cy = center
    rx, ry = abs(edge[0] - cx), abs(edge[1] - cy)
    horizontal = ((cx - rx, cy), (cx + rx, cy))
    vertical = ((cx, cy - ry), (cx, cy + ry))
    return horizontal + vertical if rx >= ry else vertical + horizontal


def graphics_of(annotation: Annotation) -> list[Graphic]:
    """The GSPS graphic objects that draw ``annotation`` (none for a text note)."""
    kind, pts = annotation.kind, annotation.points
    if kind in (AnnotationKind.DISTANCE, AnnotationKind.ANGLE):
        return [Graphic(GraphicType.POLYLINE, tuple(pts))]
    if kind is AnnotationKind.ARROW:
        wing1, wing2 = arrow_head(pts[0], pts[1])
        return [
            Graphic(GraphicType.POLYLINE, (pts[0], pts[1])),
            Graphic(GraphicType.POLYLINE, (wing1, pts[1], wing2)),
        ]
    if kind is AnnotationKind.RECTANGLE:
        (x0, y0), (x1, y1) = pts
        corners = ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))
        return [Graphic(GraphicType.POLYLINE, corners)]
    if kind is AnnotationKind.ELLIPSE:
        return [Graphic(GraphicType.ELLIPSE, ellipse_axes(pts[0], pts[1]))]
    if kind is AnnotationKind.PROBE:
        return [Graphic(GraphicType.POINT, (pts[0],))]
    return []


def label_anchor(annotation: Annotation) -> tuple[float, float]:
    """Where the label of ``annotation`` is anchored: the last point of lines, the lower
    right corner of ROIs, the point itself for text and probe."""
    pts = annotation.points
    if annotation.kind is AnnotationKind.RECTANGLE:
        return (max(pts[0][0], pts[1][0]), max(pts[0][1], pts[1][1]))
    if annotation.kind is AnnotationKind.ELLIPSE:
        (cx, cy), (ex, ey) = pts
        return (cx + abs(ex - cx), cy + abs(ey - cy))
    if annotation.kind is AnnotationKind.ARROW:
        return pts[0]
    return pts[-1]


def to_layer(
    annotations: Iterable[Annotation],
    labels: Mapping[str, str],
    name: str = MEASUREMENT_LAYER,
    description: str = "measurements and annotations",
) -> GraphicLayer:
    """One GSPS layer drawing ``annotations``, with ``labels[annotation.id]`` as texts."""
    graphics: list[Graphic] = []
    texts: list[TextAnnotation] = []
    for annotation in annotations:
        graphics.extend(graphics_of(annotation))
        text = labels.get(annotation.id, "") or (
            annotation.text if annotation.kind is AnnotationKind.TEXT else ""
        )
        if text:
            texts.append(TextAnnotation(text=text, anchor=label_anchor(annotation)))
    return GraphicLayer(
        name=name, order=1, description=description, graphics=tuple(graphics), texts=tuple(texts)
    )
