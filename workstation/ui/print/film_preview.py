"""The film preview: the raster that is printed, shown as it is, with the image boxes.

The widget paints the sheet's film raster (``SheetRaster.film``, the printer's matrix,
8 or 12 bit grey or RGB) scaled to fit, or at the printer's own pixels (1:1 inside a
scroll area). Nothing is drawn into the raster: the selection outline, the "drop here"
hints and the live values of a drag are painted over it on screen only.

Mouse, as in the viewer: a click selects a box; left drag windows (across: width, up and
down: centre), middle drag (or Shift + left) pans, right drag zooms, the wheel zooms,
a double click resets the box; Delete removes its image. A drag is applied when the
button is released (the box is then rendered again at the printer's matrix); while it
lasts a pan moves the box's pixels and a window or zoom drag shows its values.
Series dragged from the browser or the viewer drop onto a box.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from workstation.printing.film import BoxRect, FilmSpec
from workstation.ui.browser.thumbnail_strip import to_qimage
from workstation.ui.viewer.series_strip import series_uid_of

WHEEL_STEP = 1.1  # zoom per wheel notch
ZOOM_PER_PIXEL = 1.01  # zoom per pixel of a right drag
WINDOW_PER_PIXEL = 2.0  # window units per pixel of a left drag (scaled by the width)
FILM_BACKGROUND = QColor(48, 48, 52)


def film_qimage(film: np.ndarray, bits: int) -> QImage:
    """A deep-copied QImage of a film raster: 8-bit grey or RGB as the browser's
    thumbnails are made, 12-bit grey (0..4095) shown as 16 bit."""
    if film.dtype != np.uint16:
        return to_qimage(film)
    rows, cols = film.shape[:2]
    wide = np.ascontiguousarray(film << np.uint16(max(0, 16 - bits)))
    return QImage(wide.data, cols, rows, 2 * cols, QImage.Format.Format_Grayscale16).copy()


class FilmPreview(QWidget):
    """One sheet's film raster with its boxes; signals carry box indices (0-based)."""

    box_clicked = Signal(int)  # -1: outside every box
    window_dragged = Signal(int, float, float)  # box, d(width), d(centre) in drag pixels
    pan_dragged = Signal(int, float, float)  # box, dx, dy in film pixels
    zoom_changed = Signal(int, float)  # box, factor
    reset_requested = Signal(int)
    delete_requested = Signal(int)
    series_dropped = Signal(int, str)  # box, Series Instance UID

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filmPreview")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setMinimumSize(240, 280)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.spec: FilmSpec | None = None
        self.rects: list[BoxRect] = []
        self.used: list[bool] = []
        self.selected = -1
        self.busy_text = ""
        self.hint = ""
        self.actual_pixels = False
        self._image: QImage | None = None
        self._scaled: QPixmap | None = None
        self._drag: tuple[Qt.MouseButton, QPointF, int] | None = None
        self._drag_now: QPointF | None = None
        self._drop_box = -1

    # -- what is shown ---------------------------------------------------------------------
    def show_film(self, spec: FilmSpec, film: np.ndarray | None, used: list[bool]) -> None:
        """Show ``film`` (the raster printed; None: the layout only, while rendering)."""
        self.spec = spec
        self.rects = spec.boxes()
        self.used = list(used) + [False] * (len(self.rects) - len(used))
        if film is not None:
            self._image = film_qimage(film, 8 if spec.color else spec.bits)
        elif self._image is not None and self._image.size() != QSize(*spec.film_px):
            self._image = None
        self._scaled = None
        if self.selected >= len(self.rects):
            self.selected = -1
        self._fit_size()
        self.update()

    def shown_image(self) -> QImage | None:
        """The raster being shown (at the printer's matrix), as a QImage."""
        return self._image

    def set_selected(self, box: int) -> None:
        self.selected = box
        self.update()

    def set_busy(self, text: str) -> None:
        self.busy_text = text
        self.update()

    def set_hint(self, text: str) -> None:
        self.hint = text
        self.update()

    def set_actual_pixels(self, on: bool) -> None:
        """1:1 printer pixels (the parent scroll area scrolls) or fitted."""
        self.actual_pixels = on
        self._scaled = None
        self._fit_size()
        self.update()

    def _fit_size(self) -> None:
        if self.actual_pixels and self.spec is not None:
            self.setFixedSize(*self.spec.film_px)
        else:
            self.setMinimumSize(240, 280)
            self.setMaximumSize(16_777_215, 16_777_215)

    # -- geometry --------------------------------------------------------------------------
    def film_rect(self) -> QRectF:
        """Where the film is drawn in the widget."""
        if self.spec is None:
            return QRectF()
        cols, rows = self.spec.film_px
        if self.actual_pixels:
            return QRectF(0, 0, cols, rows)
        margin = 8
        w, h = max(1, self.width() - 2 * margin), max(1, self.height() - 2 * margin)
        scale = min(w / cols, h / rows)
        dw, dh = cols * scale, rows * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def scale(self) -> float:
        """Widget pixels per film pixel."""
        if self.spec is None:
            return 1.0
        return self.film_rect().width() / self.spec.film_px[0]

    def box_rect(self, box: int) -> QRectF:
        """Box ``box`` in widget coordinates."""
        r, f, s = self.rects[box], self.film_rect(), self.scale()
        return QRectF(f.x() + r.x * s, f.y() + r.y * s, r.width * s, r.height * s)

    def box_at(self, pos: QPointF) -> int:
        for i in range(len(self.rects)):
            if self.box_rect(i).contains(pos):
                return i
        return -1

    # -- painting --------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        self._scaled = None
        super().resizeEvent(event)

    def _pixmap(self) -> QPixmap | None:
        if self._image is None:
            return None
        if self._scaled is None:
            target = self.film_rect().size().toSize()
            if self.actual_pixels or target == self._image.size():
                self._scaled = QPixmap.fromImage(self._image)
            else:
                self._scaled = QPixmap.fromImage(self._image.scaled(
                    target, Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.SmoothTransformation))  # fmt: skip
        return self._scaled

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if self.spec is None:
            painter.end()
            return
        film = self.film_rect()
        pixmap = self._pixmap()
        if pixmap is not None:
            painter.drawPixmap(film.topLeft(), pixmap)
            self._paint_pan(painter, pixmap)
        else:
            painter.fillRect(film, FILM_BACKGROUND)
        self._paint_boxes(painter, pixmap is None)
        self._paint_texts(painter, film)
        painter.end()

    def _paint_pan(self, painter: QPainter, pixmap: QPixmap) -> None:
        """While a pan drag lasts: the box's pixels moved with the mouse."""
        if self._drag is None or self._drag_now is None or not self._is_pan(self._drag[0]):
            return
        box = self._drag[2]
        rect = self.box_rect(box)
        delta = self._drag_now - self._drag[1]
        painter.save()
        painter.setClipRect(rect)
        painter.fillRect(rect, Qt.GlobalColor.black)
        source = rect.translated(-self.film_rect().topLeft())
        painter.drawPixmap(rect.translated(delta), pixmap, source)
        painter.restore()

    def _paint_boxes(self, painter: QPainter, outlines: bool) -> None:
        for i in range(len(self.rects)):
            rect = self.box_rect(i)
            if outlines:
                painter.setPen(QPen(QColor(110, 110, 120), 1, Qt.PenStyle.DashLine))
                painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
            if i == self._drop_box:
                painter.fillRect(rect, QColor(60, 140, 255, 70))
            if i == self.selected:
                painter.setPen(QPen(QColor(255, 196, 0), 2))
                painter.drawRect(rect.adjusted(1, 1, -1, -1))

    def _paint_texts(self, painter: QPainter, film: QRectF) -> None:
        painter.setPen(QColor(230, 230, 230))
        if self.hint and not any(self.used):
            painter.drawText(film.toRect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.hint)  # fmt: skip
        if self.busy_text:
            self._label(painter, film.toRect(), self.busy_text, Qt.AlignmentFlag.AlignTop)
        if self._drag is not None and self._drag_now is not None:
            text = self._drag_text()
            if text:
                self._label(painter, self.box_rect(self._drag[2]).toRect(), text,
                            Qt.AlignmentFlag.AlignBottom)  # fmt: skip

    def _label(self, painter: QPainter, within: QRect, text: str, where) -> None:
        metrics = painter.fontMetrics()
        w, h = metrics.horizontalAdvance(text) + 16, metrics.height() + 8
        x = within.x() + (within.width() - w) // 2
        y = within.y() + 6 if where == Qt.AlignmentFlag.AlignTop else within.bottom() - h - 6
        box = QRect(x, y, w, h)
        painter.fillRect(box, QColor(0, 0, 0, 180))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _drag_text(self) -> str:
        assert self._drag is not None and self._drag_now is not None
        button, start, _ = self._drag
        delta = self._drag_now - start
        if button == Qt.MouseButton.LeftButton:
            return self.tr("Window: width %1, centre %2").replace(
                "%1", f"{delta.x() * WINDOW_PER_PIXEL:+.0f}").replace(
                "%2", f"{-delta.y() * WINDOW_PER_PIXEL:+.0f}")  # fmt: skip
        if button == Qt.MouseButton.RightButton:
            return self.tr("Zoom ×%1").replace("%1", f"{ZOOM_PER_PIXEL ** -delta.y():.2f}")
        return ""

    # -- mouse and keys --------------------------------------------------------------------
    @staticmethod
    def _is_pan(button: Qt.MouseButton) -> bool:
        return button == Qt.MouseButton.MiddleButton

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        box = self.box_at(event.position())
        self.box_clicked.emit(box)
        button = event.button()
        if button == Qt.MouseButton.LeftButton and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            button = Qt.MouseButton.MiddleButton
        if box >= 0 and box < len(self.used) and self.used[box]:
            self._drag = (button, event.position(), box)
            self._drag_now = event.position()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag_now = event.position()
            self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        button, start, box = self._drag
        self._drag, self._drag_now = None, None
        delta = event.position() - start
        self.update()
        if abs(delta.x()) < 2 and abs(delta.y()) < 2:
            return  # a click
        if button == Qt.MouseButton.LeftButton:
            self.window_dragged.emit(box, delta.x() * WINDOW_PER_PIXEL, -delta.y() * WINDOW_PER_PIXEL)
        elif button == Qt.MouseButton.RightButton:
            self.zoom_changed.emit(box, ZOOM_PER_PIXEL ** -delta.y())
        elif self._is_pan(button):
            s = self.scale()
            self.pan_dragged.emit(box, delta.x() / s, delta.y() / s)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        box = self.box_at(event.position())
        if box >= 0:
            self.reset_requested.emit(box)
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        box = self.box_at(event.position())
        steps = event.angleDelta().y() / 120.0
        if box >= 0 and box < len(self.used) and self.used[box] and steps:
            self.box_clicked.emit(box)
            self.zoom_changed.emit(box, WHEEL_STEP**steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected >= 0:
            self.delete_requested.emit(self.selected)
            event.accept()
            return
        super().keyPressEvent(event)

    # -- drops -----------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if series_uid_of(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: ANN001 - QDragMoveEvent
        if series_uid_of(event.mimeData()):
            self._drop_box = self.box_at(event.position())
            self.update()
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: ANN001 - QDragLeaveEvent
        self._drop_box = -1
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        uid = series_uid_of(event.mimeData())
        self._drop_box = -1
        self.update()
        if uid:
            self.series_dropped.emit(self.box_at(event.position()), uid)
            event.acceptProposedAction()
