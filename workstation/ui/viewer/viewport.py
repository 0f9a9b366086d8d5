"""One viewport: a stack of images shown through the display pipeline with pyqtgraph.

Mouse: wheel scrolls, left-drag windows (horizontal = width, vertical = centre), right-drag
zooms, middle-drag (or Shift + left-drag) pans, double-click fits. Keys: PageUp/PageDown and
the arrow keys scroll, Home/End jump, F fits, +/- zoom. Four corners show patient, study,
series, image n/N, window and zoom, with a red "LOSSY" mark for lossy compressed images; a
scale bar shows millimetres when the pixel spacing is known. The :class:`Prefetcher`
decodes ahead in the scroll direction; call :meth:`shutdown` to stop it.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QLabel, QWidget

from workstation.imaging import measure
from workstation.imaging.frame_cache import Prefetcher
from workstation.imaging.luts import VoiLut, Window
from workstation.ui.viewer.stack import ImageStack, is_lossy

ZOOM_PER_PIXEL = 1.01  # right-drag: zoom factor per pixel of vertical movement
WHEEL_STEP = 120  # one notch
PREFETCH_DEPTH = 8


def _text(value: object) -> str:
    return str(value or "").replace("^", " ").strip()


def _date(value: object) -> str:
    s = str(value or "")
    return f"{s[:4]}-{s[4:6]}-{s[6:8]}" if len(s) == 8 and s.isdigit() else s


def nice_length(target: float) -> float:
    """The largest 1/2/5 x 10^n not above ``target`` (> 0)."""
    exp = math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * 10**exp <= target:
            return m * 10**exp
    return 10**exp


class ScaleBar(QWidget):
    """A horizontal bar of a round length in millimetres, drawn bottom centre."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.length_px = 0.0
        self.label = ""

    def set_bar(self, length_px: float, label: str) -> None:
        self.length_px, self.label = length_px, label
        self.setVisible(length_px > 0)
        self.update()

    def paintEvent(self, _event) -> None:
        if self.length_px <= 0:
            return
        p = QPainter(self)
        p.setPen(QPen(QColor("yellow"), 2))
        x0 = (self.width() - self.length_px) / 2
        y = self.height() - 4
        p.drawLine(QPointF(x0, y), QPointF(x0 + self.length_px, y))
        for x in (x0, x0 + self.length_px):
            p.drawLine(QPointF(x, y - 6), QPointF(x, y))
        p.drawText(self.rect().adjusted(0, 0, 0, -10), Qt.AlignmentFlag.AlignHCenter
                   | Qt.AlignmentFlag.AlignBottom, self.label)  # fmt: skip
        p.end()


class Viewport(pg.GraphicsView):
    """Shows one image of an :class:`ImageStack` at a time."""

    # the image index changed
    index_changed = Signal(int)
    # the window changed (centre, width)
    window_changed = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="k")
        self.setObjectName("viewport")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.view.setMouseEnabled(False, False)
        self.setCentralItem(self.view)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image_item)
        self.stack: ImageStack | None = None
        self.index = 0
        self.window: Window | VoiLut | None = None
        self.wl_sensitivity = 1.0  # modality units per pixel of mouse movement
        self.lossy = False
        self.spacing = measure.Spacing.pixels()
        self.prefetcher: Prefetcher | None = None
        self._drag: tuple[Qt.MouseButton, QPointF, object] | None = None
        self._direction = 1
        self._fitted = True  # refit on resize until the user zooms or pans

        font = QFont()
        font.setPointSize(9)
        self.corners: dict[str, QLabel] = {}
        for name, align in (
            ("top_left", Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
            ("top_right", Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
            ("bottom_left", Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
            ("bottom_right", Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
        ):
            label = QLabel(self)
            label.setObjectName(name)
            label.setAlignment(align)
            label.setFont(font)
            label.setStyleSheet("color: white; background: transparent;")
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self.corners[name] = label
        self.lossy_label = QLabel(self.tr("LOSSY"), self)
        self.lossy_label.setObjectName("lossyMark")
        self.lossy_label.setStyleSheet(
            "color: white; background: #c00000; font-weight: bold; padding: 1px 4px;"
        )
        self.lossy_label.setToolTip(
            self.tr("Lossy compressed image: not every detail of the original is preserved")
        )
        self.lossy_label.hide()
        self.scale_bar = ScaleBar(self)
        self.scale_bar.hide()
        self.view.sigRangeChanged.connect(self._on_range_changed)

    # -- content ---------------------------------------------------------------------------
    def set_stack(self, stack: ImageStack, index: int = 0) -> None:
        """Show ``stack`` from ``index`` with the file's default window."""
        self.stop_prefetch()
        self.stack = stack
        self.index = max(0, min(index, len(stack) - 1))
        header = stack.header(self.index)
        self.lossy = any(is_lossy(stack.header(i)) for i in {0, len(stack) - 1, self.index})
        self.spacing = measure.resolve_spacing(header, stack.slices[self.index].frame)
        self.window = stack.default_window(self.index)
        if isinstance(self.window, Window):
            self.wl_sensitivity = max(abs(self.window.width) / 256.0, 1e-6)
        self.prefetcher = Prefetcher(stack.cache, stack.decode, depth=PREFETCH_DEPTH)
        self.prefetcher.start()
        self._show(fit=True)
        self._prefetch()

    def shutdown(self) -> None:
        """Stop the prefetch thread (the viewport can be shown again with set_stack)."""
        self.stop_prefetch()

    def stop_prefetch(self) -> None:
        if self.prefetcher is not None:
            self.prefetcher.stop()
            self.prefetcher = None

    def count(self) -> int:
        return len(self.stack) if self.stack is not None else 0

    def set_index(self, index: int) -> None:
        if self.stack is None:
            return
        index = max(0, min(index, len(self.stack) - 1))
        if index == self.index:
            return
        self._direction = 1 if index > self.index else -1
        self.index = index
        self._show()
        self._prefetch()
        self.index_changed.emit(index)

    def scroll(self, steps: int) -> None:
        self.set_index(self.index + steps)

    def set_window(self, center: float, width: float) -> None:
        """Window in modality units (width at least 1e-3); no effect on colour images."""
        if self.stack is None or self.window is None:
            return
        function = self.window.function if isinstance(self.window, Window) else "LINEAR"
        self.window = Window(float(center), max(float(width), 1e-3), function)
        self._show()
        self.window_changed.emit(self.window.center, self.window.width)

    def reset_window(self) -> None:
        """Back to the file's window (or the auto window) of the current image."""
        if self.stack is not None:
            self.window = self.stack.default_window(self.index)
            self._show()

    def window_center_width(self) -> tuple[float, float] | None:
        w = self.window
        if isinstance(w, Window):
            return (w.center, w.width)
        if isinstance(w, VoiLut):
            return (w.first + len(w.data) / 2.0, float(len(w.data)))
        return None

    def _prefetch(self) -> None:
        if self.prefetcher is not None and self.stack is not None:
            self.prefetcher.request(
                self.stack.cache_source, self.index, self._direction, len(self.stack)
            )

    # -- display ---------------------------------------------------------------------------
    def _show(self, fit: bool = False) -> None:
        assert self.stack is not None
        image = self.stack.render(self.index, self.window)
        self.image_item.setImage(image, autoLevels=False, levels=(0, 255))
        sp = self.spacing
        if sp.calibrated and sp.col_mm and sp.row_mm != sp.col_mm:  # non-square pixels
            height = image.shape[0] * sp.row_mm / sp.col_mm
            self.image_item.setRect(0, 0, image.shape[1], height)
        if fit:
            self.fit()
        self._update_overlay()

    def fit(self) -> None:
        self.view.autoRange(padding=0.0)
        self._fitted = True

    def sizeHint(self) -> QSize:
        return QSize(256, 256)

    def minimumSizeHint(self) -> QSize:
        return QSize(64, 64)

    def zoom_factor(self) -> float:
        """Screen pixels per image pixel."""
        sx, _sy = self.view.viewPixelSize()
        return 1.0 / sx if sx > 0 else 1.0

    def zoom_by(self, factor: float) -> None:
        self._fitted = False
        self.view.scaleBy((1.0 / factor, 1.0 / factor))

    def _on_range_changed(self, *_args) -> None:
        self._update_overlay()

    def _update_overlay(self) -> None:
        if self.stack is None:
            return
        ds = self.stack.header(self.index)
        self.corners["top_left"].setText(
            "\n".join(
                [
                    _text(ds.get("PatientName")),
                    _text(ds.get("PatientID")),
                    _date(ds.get("StudyDate")),
                ]
            )
        )
        self.corners["top_right"].setText(
            "\n".join(
                [
                    _text(ds.get("InstitutionName")),
                    _text(ds.get("StudyDescription")),
                    _text(ds.get("SeriesDescription")),
                ]
            )  # fmt: skip
        )
        image_text = (
            self.tr("Image %1/%2")
            .replace("%1", str(self.index + 1))
            .replace("%2", str(len(self.stack)))
        )
        self.corners["bottom_left"].setText("\n".join([_text(ds.get("Modality")), image_text]))
        lines = []
        cw = self.window_center_width()
        if cw is not None:
            lines.append(
                self.tr("C %1 / W %2").replace("%1", f"{cw[0]:g}").replace("%2", f"{cw[1]:g}")
            )
        lines.append(self.tr("Zoom %1%").replace("%1", f"{self.zoom_factor() * 100:.0f}"))
        self.corners["bottom_right"].setText("\n".join(lines))
        self.lossy_label.setVisible(self.lossy)
        self._update_scale_bar()
        self._place()

    def _update_scale_bar(self) -> None:
        if not self.spacing.calibrated or not self.spacing.col_mm:
            self.scale_bar.set_bar(0, "")
            return
        px_per_mm = self.zoom_factor() / self.spacing.col_mm
        target_mm = self.viewport().width() / 4 / px_per_mm if px_per_mm > 0 else 0
        if target_mm <= 0:
            self.scale_bar.set_bar(0, "")
            return
        mm = nice_length(target_mm)
        label = f"{mm / 10:g} cm" if mm >= 10 else f"{mm:g} mm"
        self.scale_bar.set_bar(mm * px_per_mm, label)

    def _place(self) -> None:
        w, h = self.width(), self.height()
        margin = 6
        half_w, half_h = w // 2 - margin, h // 2 - margin
        tl, tr_, bl, br = (
            self.corners[n] for n in ("top_left", "top_right", "bottom_left", "bottom_right")
        )
        tl.setGeometry(margin, margin, half_w, half_h)
        tr_.setGeometry(w // 2, margin, half_w, half_h)
        bl.setGeometry(margin, h // 2, half_w, half_h)
        br.setGeometry(w // 2, h // 2, half_w, half_h)
        self.lossy_label.adjustSize()
        self.lossy_label.move((w - self.lossy_label.width()) // 2, margin)
        self.scale_bar.setGeometry(0, h - 40, w, 34)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not hasattr(self, "scale_bar"):  # pyqtgraph resizes during __init__
            return
        if self._fitted and self.stack is not None:
            self.view.autoRange(padding=0.0)
        self._update_overlay()
        self._place()

    # -- input -----------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = -round(event.angleDelta().y() / WHEEL_STEP) or (
            -1 if event.angleDelta().y() > 0 else 1 if event.angleDelta().y() < 0 else 0
        )
        self.scroll(steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        K = Qt.Key
        if key in (K.Key_PageDown, K.Key_Down, K.Key_Right):
            self.scroll(1)
        elif key in (K.Key_PageUp, K.Key_Up, K.Key_Left):
            self.scroll(-1)
        elif key == K.Key_Home:
            self.set_index(0)
        elif key == K.Key_End:
            self.set_index(self.count() - 1)
        elif key == K.Key_F:
            self.fit()
        elif key in (K.Key_Plus, K.Key_Equal):
            self.zoom_by(1.25)
        elif key == K.Key_Minus:
            self.zoom_by(1 / 1.25)
        elif key == K.Key_R:
            self.reset_window()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        button = event.button()
        if (
            button == Qt.MouseButton.LeftButton
            and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            button = Qt.MouseButton.MiddleButton
        start = self.window_center_width() if button == Qt.MouseButton.LeftButton else None
        self._drag = (button, event.position(), start)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        button, last, start = self._drag
        pos = event.position()
        if button == Qt.MouseButton.LeftButton:
            if start is not None:
                origin = last
                dx, dy = pos.x() - origin.x(), pos.y() - origin.y()
                c, w = start
                self.set_window(c + dy * self.wl_sensitivity, w + dx * self.wl_sensitivity)
            return  # the window is relative to the press position
        if button == Qt.MouseButton.RightButton:
            dy = pos.y() - last.y()
            self.zoom_by(ZOOM_PER_PIXEL ** (-dy))
        elif button == Qt.MouseButton.MiddleButton:
            a = self.view.mapSceneToView(self.mapToScene(last.toPoint()))
            b = self.view.mapSceneToView(self.mapToScene(pos.toPoint()))
            self._fitted = False
            self.view.translateBy(x=a.x() - b.x(), y=a.y() - b.y())
        self._drag = (button, pos, start)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag = None
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit()
        event.accept()

    def rendered_image(self) -> np.ndarray | None:
        """The 8-bit image shown now (for tests and exports)."""
        return self.image_item.image
