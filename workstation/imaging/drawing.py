"""What the mouse does in a viewport with each tool: drawing, selecting and moving.

The viewport hands over presses, moves and releases in image coordinates; this object
keeps the shape being drawn and edits the image's :class:`AnnotationSet`. Two-point
shapes are drawn by dragging or by two clicks; an angle by three clicks (or a drag for the
first arm and a click for the second).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum

from workstation.imaging.annotations import POINT_COUNT, AnnotationKind, AnnotationSet

Point = tuple[float, float]


class Tool(Enum):
    """The left mouse button's job in a viewport."""

    WINDOW = "window"
    PAN = "pan"
    ZOOM = "zoom"
    SELECT = "select"
    DISTANCE = "distance"
    ANGLE = "angle"
    RECTANGLE = "rectangle"
    ELLIPSE = "ellipse"
    PROBE = "probe"
    ARROW = "arrow"
    TEXT = "text"

    @property
    def kind(self) -> AnnotationKind | None:
        """The annotation this tool draws (None for window, pan, zoom and select)."""
        try:
            return AnnotationKind(self.value)
        except ValueError:
            return None


class DrawingController:
    """Turns mouse input into annotations on the set ``annotations()`` returns."""

    def __init__(
        self,
        annotations: Callable[[], AnnotationSet | None],
        ask_text: Callable[[], str | None],
        changed: Callable[[], None],
    ) -> None:
        self.annotations = annotations
        self.ask_text = ask_text
        self.changed = changed
        self.tool = Tool.WINDOW
        self.pending: tuple[AnnotationKind, list[Point]] | None = None
        self._moving: tuple[str, Point] | None = None

    def set_tool(self, tool: Tool) -> None:
        self.tool = tool
        self.cancel()

    def cancel(self) -> None:
        """Drop the shape being drawn (Escape, another image, another tool)."""
        if self.pending is not None or self._moving is not None:
            self.pending = None
            self._moving = None
            self.changed()

    @property
    def draws(self) -> bool:
        return self.tool.kind is not None

    def press(self, pt: Point, tolerance: float) -> bool:
        """Handle a left press; False when this tool does not use the left button."""
        target = self.annotations()
        if target is None:
            return False
        if self.tool is Tool.SELECT:
            hit = target.select_at(pt, tolerance)
            self._moving = (hit.id, pt) if hit else None
            self.changed()
            return True
        kind = self.tool.kind
        if kind is None:
            return False
        needed = POINT_COUNT[kind]
        if needed == 1:
            self._commit(kind, [pt])
            return True
        if self.pending is None:
            self.pending = (kind, [pt, pt])
        else:
            points = self.pending[1]
            points[-1] = pt
            if len(points) == needed:
                self._commit(kind, points)
                return True
            points.append(pt)
        self.changed()
        return True

    def move(self, pt: Point) -> None:
        """The mouse moved (button held or not): the floating point follows it."""
        if self._moving is not None:
            target = self.annotations()
            annotation_id, last = self._moving
            if target is not None:
                target.move(annotation_id, pt[0] - last[0], pt[1] - last[1])
            self._moving = (annotation_id, pt)
            self.changed()
        elif self.pending is not None:
            self.pending[1][-1] = pt
            self.changed()

    def release(self, pt: Point, tolerance: float) -> None:
        """A left release: a drag long enough completes the segment being drawn."""
        self._moving = None
        if self.pending is None:
            return
        kind, points = self.pending
        if len(points) < 2:
            return
        points[-1] = pt
        dragged = math.dist(points[-2], points[-1]) > tolerance
        if not dragged:
            return  # a click: wait for the next one
        if len(points) == POINT_COUNT[kind]:
            self._commit(kind, points)
        else:
            points.append(pt)
            self.changed()

    def delete_selected(self) -> bool:
        target = self.annotations()
        if target is not None and target.delete_selected():
            self.changed()
            return True
        return False

    def _commit(self, kind: AnnotationKind, points: list[Point]) -> None:
        self.pending = None
        target = self.annotations()
        if target is None:
            return
        text = ""
        if kind is AnnotationKind.TEXT:
            text = (self.ask_text() or "").strip()
            if not text:
                self.changed()
                return
        annotation = target.add(kind, list(points), text)
        target.select(annotation.id)
        self.changed()
