"""The graphics layer over a viewport's image: measurements, notes and GSPS graphics.

One :class:`AnnotationOverlay` item sits in the view box with the image's transform
(rotation/flip), so points are image coordinates. It paints in device pixels: lines stay
one pixel wide at any zoom and labels are never rotated or mirrored with the image.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from workstation.dicom.display_state import Graphic, GraphicLayer, GraphicType
from workstation.imaging.annotation_graphics import arrow_head, label_anchor
from workstation.imaging.annotations import Annotation, AnnotationKind, AnnotationSet

NORMAL = QColor(255, 215, 0)  # measurement yellow
SELECTED = QColor(0, 230, 255)
PENDING = QColor(120, 255, 120)
PRESENTATION = QColor(255, 140, 0)  # graphics from a received presentation state
REFERENCE = QColor(80, 200, 255)
HANDLE_PX = 4.0

Point = tuple[float, float]


class AnnotationOverlay(QGraphicsObject):
    """Draws an :class:`AnnotationSet`, the shape being drawn, GSPS layers and reference
    lines. ``label_of(annotation)`` gives each annotation's label text."""

    def __init__(self, label_of: Callable[[Annotation], str]) -> None:
        super().__init__()
        self.label_of = label_of
        self.annotations: AnnotationSet | None = None
        self.pending: tuple[AnnotationKind, list[Point]] | None = None
        self.layers: tuple[GraphicLayer, ...] = ()
        self.reference_lines: list[tuple[Point, Point]] = []
        self.image_size = (0, 0)  # columns, rows
        self.font = QFont()
        self.font.setPointSize(9)

    def set_image_size(self, columns: int, rows: int) -> None:
        if (columns, rows) != self.image_size:
            self.prepareGeometryChange()
            self.image_size = (columns, rows)

    def boundingRect(self) -> QRectF:
        w, h = self.image_size
        # labels may stand beside the image; leave them room
        return QRectF(-w, -h, 3 * max(w, 1), 3 * max(h, 1))

    # -- painting ----------------------------------------------------------------------------
    def paint(
        self, p: QPainter, _option: QStyleOptionGraphicsItem, _widget: QWidget | None = None
    ) -> None:
        to_device: QTransform = p.transform()
        self._bounds = QRectF(_widget.rect()) if _widget is not None else None
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(self.font)

        def dev(pt: Point) -> QPointF:
            return to_device.map(QPointF(*pt))

        for a, b in self.reference_lines:
            p.setPen(QPen(REFERENCE, 1, Qt.PenStyle.DashLine))
            p.drawLine(QLineF(dev(a), dev(b)))
        for layer in sorted(self.layers, key=lambda la: la.order):
            self._paint_layer(p, layer, dev, to_device)
        if self.annotations is not None:
            selected = self.annotations.selected_id
            for annotation in self.annotations:
                colour = SELECTED if annotation.id == selected else NORMAL
                self._paint_annotation(p, annotation, colour, dev, to_device)
                label = self.label_of(annotation)
                if label:
                    self._label(p, dev(label_anchor(annotation)), label, colour)
        if self.pending is not None:
            kind, points = self.pending
            if len(points) >= 2 or kind in (AnnotationKind.PROBE, AnnotationKind.TEXT):
                preview = Annotation("pending", kind, tuple(points))
                self._paint_annotation(p, preview, PENDING, dev, to_device)
            else:
                for pt in points:
                    self._handle(p, dev(pt), PENDING)
        p.restore()

    @staticmethod
    def _handle(p: QPainter, at: QPointF, colour: QColor) -> None:
        p.setPen(QPen(colour, 1))
        p.drawRect(QRectF(at.x() - HANDLE_PX / 2, at.y() - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX))

    def _label(self, p: QPainter, at: QPointF, text: str, colour: QColor) -> None:
        metrics = QFontMetricsF(self.font)
        lines = text.split("\n")
        width = max(metrics.horizontalAdvance(line) for line in lines) + 6
        height = metrics.height() * len(lines) + 4
        box = QRectF(at.x() + 6, at.y() + 4, width, height)
        bounds = getattr(self, "_bounds", None)
        if bounds is not None:  # keep the label on screen: beside the point, else inside
            if box.right() > bounds.right() - 2:
                box.moveRight(min(at.x() - 6, bounds.right() - 2))
            if box.bottom() > bounds.bottom() - 2:
                box.moveBottom(min(at.y() - 4, bounds.bottom() - 2))
            box.moveLeft(max(box.left(), bounds.left() + 2))
            box.moveTop(max(box.top(), bounds.top() + 2))
        p.fillRect(box, QColor(0, 0, 0, 150))
        p.setPen(QPen(colour, 1))
        p.drawText(box.adjusted(3, 2, -3, -2), Qt.AlignmentFlag.AlignLeft, text)

    def _paint_annotation(
        self,
        p: QPainter,
        a: Annotation,
        colour: QColor,
        dev: Callable[[Point], QPointF],
        to_device: QTransform,
    ) -> None:
        p.setPen(QPen(colour, 1.5))
        pts = [dev(pt) for pt in a.points]
        kind = a.kind
        if kind in (AnnotationKind.DISTANCE, AnnotationKind.ANGLE):
            for i in range(len(pts) - 1):
                p.drawLine(QLineF(pts[i], pts[i + 1]))
            for pt in pts:
                self._handle(p, pt, colour)
        elif kind is AnnotationKind.ARROW and len(pts) == 2:
            p.drawLine(QLineF(pts[0], pts[1]))
            tail = (pts[0].x(), pts[0].y())
            head = (pts[1].x(), pts[1].y())
            for wing in arrow_head(tail, head):
                p.drawLine(QLineF(pts[1], QPointF(*wing)))
        elif kind is AnnotationKind.RECTANGLE and len(pts) == 2:
            (x0, y0), (x1, y1) = a.points
            corners = [dev(c) for c in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
            p.drawPolygon(corners)
        elif kind is AnnotationKind.ELLIPSE and len(pts) == 2:
            (cx, cy), (ex, ey) = a.points
            rx, ry = abs(ex - cx), abs(ey - cy)
            path = QPainterPath()
            path.addEllipse(QPointF(cx, cy), rx, ry)
            p.drawPath(to_device.map(path))
        elif kind is AnnotationKind.PROBE:
            c = pts[0]
            p.drawLine(QLineF(c.x() - 6, c.y(), c.x() + 6, c.y()))
            p.drawLine(QLineF(c.x(), c.y() - 6, c.x(), c.y() + 6))
        elif kind is AnnotationKind.TEXT:
            self._handle(p, pts[0], colour)

    def _paint_layer(
        self,
        p: QPainter,
        layer: GraphicLayer,
        dev: Callable[[Point], QPointF],
        to_device: QTransform,
    ) -> None:
        p.setPen(QPen(PRESENTATION, 1.5))
        for graphic in layer.graphics:
            self._paint_graphic(p, graphic, dev, to_device)
        for text in layer.texts:
            at = text.anchor or (text.bounding_box[0] if text.bounding_box else None)
            if at is None:
                continue
            if text.anchor is not None and text.anchor_visible and text.bounding_box:
                p.setPen(QPen(PRESENTATION, 1))
                p.drawLine(QLineF(dev(text.anchor), dev(text.bounding_box[0])))
            self._label(p, dev(at), text.text, PRESENTATION)

    @staticmethod
    def _paint_graphic(
        p: QPainter, g: Graphic, dev: Callable[[Point], QPointF], to_device: QTransform
    ) -> None:
        pts = [dev(pt) for pt in g.points]
        if g.type is GraphicType.POINT and pts:
            c = pts[0]
            p.drawEllipse(c, 2.0, 2.0)
        elif g.type in (GraphicType.POLYLINE, GraphicType.INTERPOLATED):
            for i in range(len(pts) - 1):
                p.drawLine(QLineF(pts[i], pts[i + 1]))
        elif g.type is GraphicType.CIRCLE and len(g.points) == 2:
            (cx, cy), (ex, ey) = g.points
            r = math.hypot(ex - cx, ey - cy)
            path = QPainterPath()
            path.addEllipse(QPointF(cx, cy), r, r)
            p.drawPath(to_device.map(path))
        elif g.type is GraphicType.ELLIPSE and len(g.points) == 4:
            (ax, ay), (bx, by), (mx, my), (nx, ny) = g.points
            cx, cy = (ax + bx) / 2, (ay + by) / 2
            rx = math.hypot(bx - ax, by - ay) / 2
            ry = math.hypot(nx - mx, ny - my) / 2
            angle = math.degrees(math.atan2(by - ay, bx - ax))
            path = QPainterPath()
            path.addEllipse(QPointF(0, 0), rx, ry)
            placed = QTransform().translate(cx, cy).rotate(angle)
            p.drawPath(to_device.map(placed.map(path)))
