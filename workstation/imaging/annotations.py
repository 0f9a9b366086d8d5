"""Annotation objects a viewport draws and edits: text, arrows and measurement shapes.

Pure Python (no Qt) so selection, moving and deleting are testable; the viewport turns
each :class:`Annotation` into graphics items and forwards mouse events here. Points are in
image coordinates (see :mod:`workstation.imaging.measure`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum

from workstation.errors import MeasurementError

Point = tuple[float, float]


class AnnotationKind(Enum):
    """What an annotation is, and so how many points it needs."""

    TEXT = "text"  # 1 point: text anchor
    ARROW = "arrow"  # 2 points: tail, head
    DISTANCE = "distance"  # 2 points
    ANGLE = "angle"  # 3 points: arm end, vertex, arm end
    RECTANGLE = "rectangle"  # 2 points: opposite corners
    ELLIPSE = "ellipse"  # 2 points: centre, (centre x + rx, centre y + ry)
    PROBE = "probe"  # 1 point


POINT_COUNT = {
    AnnotationKind.TEXT: 1,
    AnnotationKind.ARROW: 2,
    AnnotationKind.DISTANCE: 2,
    AnnotationKind.ANGLE: 3,
    AnnotationKind.RECTANGLE: 2,
    AnnotationKind.ELLIPSE: 2,
    AnnotationKind.PROBE: 1,
}


@dataclass(frozen=True)
class Annotation:
    """One drawn object; edits return a new value with the same ``id``."""

    id: str
    kind: AnnotationKind
    points: tuple[Point, ...]
    text: str = ""

    def moved(self, dx: float, dy: float) -> Annotation:
        return replace(self, points=tuple((x + dx, y + dy) for x, y in self.points))


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    bx, by = b
    px, py = p
    length2 = (bx - ax) ** 2 + (by - ay) ** 2
    if length2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length2))
    return math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)))


def hit_distance(annotation: Annotation, p: Point) -> float:
    """How far ``p`` is from the drawn outline (0 inside filled shapes)."""
    pts = annotation.points
    kind = annotation.kind
    if kind in (AnnotationKind.TEXT, AnnotationKind.PROBE):
        return math.hypot(p[0] - pts[0][0], p[1] - pts[0][1])
    if kind in (AnnotationKind.ARROW, AnnotationKind.DISTANCE):
        return _segment_distance(p, pts[0], pts[1])
    if kind is AnnotationKind.ANGLE:
        return min(_segment_distance(p, pts[0], pts[1]), _segment_distance(p, pts[1], pts[2]))
    if kind is AnnotationKind.RECTANGLE:
        x0, x1 = sorted((pts[0][0], pts[1][0]))
        y0, y1 = sorted((pts[0][1], pts[1][1]))
        dx = max(x0 - p[0], 0.0, p[0] - x1)
        dy = max(y0 - p[1], 0.0, p[1] - y1)
        return math.hypot(dx, dy)
    (cx, cy), (ex, ey) = pts
    rx, ry = abs(ex - cx) or 1e-9, abs(ey - cy) or 1e-9
    r = math.hypot((p[0] - cx) / rx, (p[1] - cy) / ry)
    return max(0.0, (r - 1.0) * min(rx, ry))


class AnnotationSet:
    """The annotations on one image, with a single selection; not thread-safe (GUI thread)."""

    def __init__(self) -> None:
        self._items: dict[str, Annotation] = {}
        self._ids = itertools.count(1)
        self.selected_id: str | None = None

    def add(
        self, kind: AnnotationKind, points: list[Point] | tuple[Point, ...], text: str = ""
    ) -> Annotation:
        if len(points) != POINT_COUNT[kind]:
            raise MeasurementError(
                what=kind.value, reason=f"needs {POINT_COUNT[kind]} points, got {len(points)}"
            )
        if kind is AnnotationKind.TEXT and not text:
            raise MeasurementError(what="text annotation", reason="the text is empty")
        annotation = Annotation(
            f"a{next(self._ids)}", kind, tuple((float(x), float(y)) for x, y in points), text
        )
        self._items[annotation.id] = annotation
        return annotation

    def __iter__(self) -> Iterator[Annotation]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def get(self, annotation_id: str) -> Annotation:
        try:
            return self._items[annotation_id]
        except KeyError:
            raise MeasurementError(
                what="annotation", reason=f"no annotation {annotation_id}"
            ) from None

    def select(self, annotation_id: str | None) -> None:
        if annotation_id is not None:
            self.get(annotation_id)
        self.selected_id = annotation_id

    def select_at(self, p: Point, tolerance: float) -> Annotation | None:
        """Select the nearest annotation within ``tolerance`` of ``p`` (newest wins ties)."""
        best: Annotation | None = None
        best_distance = tolerance
        for annotation in reversed(list(self._items.values())):
            d = hit_distance(annotation, p)
            if d <= best_distance and (best is None or d < best_distance):
                best, best_distance = annotation, d
        self.selected_id = best.id if best else None
        return best

    @property
    def selected(self) -> Annotation | None:
        return self._items.get(self.selected_id) if self.selected_id else None

    def move(self, annotation_id: str, dx: float, dy: float) -> Annotation:
        moved = self.get(annotation_id).moved(dx, dy)
        self._items[annotation_id] = moved
        return moved

    def set_text(self, annotation_id: str, text: str) -> Annotation:
        changed = replace(self.get(annotation_id), text=text)
        self._items[annotation_id] = changed
        return changed

    def delete(self, annotation_id: str) -> None:
        self.get(annotation_id)
        del self._items[annotation_id]
        if self.selected_id == annotation_id:
            self.selected_id = None

    def delete_selected(self) -> bool:
        if self.selected_id is None:
            return False
        self.delete(self.selected_id)
        return True
