"""One viewport: a stack of images shown through the display pipeline with pyqtgraph.

Mouse: wheel scrolls; the left button does the current :class:`Tool` (window/level by
default: horizontal = width, vertical = centre; or pan, zoom, select/move, and the
measurement and annotation tools); right-drag zooms, middle-drag (or Shift + left-drag)
pans, double-click fits. Keys: PageUp/PageDown and the arrows scroll, Home/End jump, F
fits, +/- zoom, R resets the window, I inverts, Delete removes the selected annotation,
Escape drops the shape being drawn, Space starts/stops cine. Four corners show patient,
study, series, image n/N, slice position and thickness, window and zoom, with a red
"LOSSY" mark for lossy compressed images and a "KEY" mark for key images; orientation
letters sit at the edges and a scale bar shows millimetres when the spacing is known.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QTransform
from PySide6.QtWidgets import QInputDialog, QWidget

from workstation.dicom.lossy import image_is_lossy
from workstation.imaging import geometry, measure
from workstation.imaging.annotation_graphics import measurement_text
from workstation.imaging.annotations import Annotation, AnnotationSet
from workstation.imaging.drawing import DrawingController, Tool
from workstation.imaging.frame_cache import Prefetcher
from workstation.imaging.luts import VoiLut, Window
from workstation.imaging.stack import DEFAULT_CINE_FPS, ImageStack, cine_rate
from workstation.ui.viewer import decorations as deco
from workstation.ui.viewer.overlay import AnnotationOverlay
from workstation.ui.viewer.viewport_input import ViewportInput
from workstation.ui.viewer.viewport_state import PresentationStateMixin

PREFETCH_DEPTH = 8
PICK_TOLERANCE_PX = 6.0  # screen pixels within which a click hits an annotation


class Viewport(ViewportInput, PresentationStateMixin, pg.GraphicsView):
    """Shows one image of an :class:`ImageStack` at a time."""

    # the image index changed
    index_changed = Signal(int)
    # the window changed (centre, width)
    window_changed = Signal(float, float)
    # annotations were added, moved, deleted or selected
    annotations_changed = Signal()
    # cine started (True) or stopped (False)
    cine_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="k")
        self.setObjectName("viewport")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.view = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.view.setMouseEnabled(False, False)
        self.setCentralItem(self.view)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image_item)
        self.overlay = AnnotationOverlay(self._label_of)
        self.view.addItem(self.overlay, ignoreBounds=True)
        self.stack: ImageStack | None = None
        self.index = 0
        self.window: Window | VoiLut | None = None
        self.wl_sensitivity = 1.0  # modality units per pixel of mouse movement
        self.lossy = False
        self.spacing = measure.Spacing.pixels()
        self.rotation = 0  # clockwise degrees
        self.flip_horizontal = False  # after the rotation (PS3.3 C.10.6)
        self.invert = False
        self.prefetcher: Prefetcher | None = None
        self.drawing = DrawingController(self.annotations, self._ask_text, self._changed)
        self._drag: tuple[Qt.MouseButton, QPointF, object] | None = None
        self._direction = 1
        self._fitted = True  # refit on resize until the user zooms or pans
        self._labels: dict[tuple, str] = {}
        self.viewport().setMouseTracking(True)
        self.cine_timer = QTimer(self)
        self.cine_timer.timeout.connect(self._cine_step)
        self.cine_fps = DEFAULT_CINE_FPS

        self.corners = {n: deco.overlay_label(self, n, a) for n, a in deco.CORNERS}
        centre = Qt.AlignmentFlag.AlignCenter
        self.edges = {n: deco.overlay_label(self, f"orientation_{n}", centre, 11)
                      for n in deco.EDGES}  # fmt: skip
        self.lossy_label = deco.mark_label(
            self, "lossyMark", self.tr("LOSSY"), "#c00000",
            self.tr("Lossy compressed image: not every detail of the original is preserved"),
        )  # fmt: skip
        self.key_label = deco.mark_label(
            self, "keyMark", self.tr("KEY"), "#1f6fd0", self.tr("Flagged as a key image")
        )
        self.scale_bar = deco.ScaleBar(self)
        self.scale_bar.hide()
        self.view.sigRangeChanged.connect(self._on_range_changed)

    # -- content ---------------------------------------------------------------------------
    def set_stack(self, stack: ImageStack, index: int = 0) -> None:
        """Show ``stack`` from ``index`` with the file's default window."""
        self.stop_cine()
        self.stop_prefetch()
        self.drawing.cancel()
        self.stack = stack
        self.index = max(0, min(index, len(stack) - 1))
        header = stack.header(self.index)
        self.lossy = any(image_is_lossy(stack.header(i)) for i in {0, len(stack) - 1, self.index})
        self.spacing = measure.resolve_spacing(header, stack.frame(self.index))
        self.window = stack.default_window(self.index)
        if isinstance(self.window, Window):
            self.wl_sensitivity = max(abs(self.window.width) / 256.0, 1e-6)
        self.rotation, self.flip_horizontal, self.invert = 0, False, False
        self.cine_fps = cine_rate(header)
        self.prefetcher = Prefetcher(stack.cache, stack.decode, depth=PREFETCH_DEPTH)
        self.prefetcher.start()
        self._apply_presentation(fit=True)
        self._show(fit=True)
        self._prefetch()
        self.index_changed.emit(self.index)

    def shutdown(self) -> None:
        """Stop cine and the prefetch thread (the viewport can be shown again)."""
        self.stop_cine()
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
        self.drawing.cancel()
        self._apply_presentation()
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

    # -- rotation, flip, invert ------------------------------------------------------------
    def rotate(self, degrees: int) -> None:
        """Turn what the user sees clockwise by a multiple of 90 degrees. The flip comes
        after the rotation (PS3.3 C.10.6), so on a flipped image the stored rotation turns
        the other way."""
        step = -degrees if self.flip_horizontal else degrees
        self.rotation = (self.rotation + step) % 360
        self._show(fit=self._fitted)

    def flip(self) -> None:
        """Mirror left-right as the user sees it (the last step of the display)."""
        self.flip_horizontal = not self.flip_horizontal
        self._show(fit=self._fitted)

    def toggle_invert(self) -> None:
        self.invert = not self.invert
        self._show()

    def image_transform(self, columns: int, rows: int) -> QTransform:
        """Image pixels to view coordinates: aspect, clockwise rotation, then flip, moved so
        the result starts at (0, 0)."""
        t = QTransform()
        sp = self.spacing
        if sp.calibrated and sp.col_mm and sp.row_mm != sp.col_mm:  # non-square pixels
            t.scale(1.0, sp.row_mm / sp.col_mm)  # type: ignore[operator]
        t = t * QTransform().rotate(self.rotation)
        if self.flip_horizontal:
            t = t * QTransform(-1, 0, 0, 1, 0, 0)
        bounds = t.mapRect(QRectF(0, 0, columns, rows))
        return t * QTransform().translate(-bounds.left(), -bounds.top())

    # -- cine ------------------------------------------------------------------------------
    def start_cine(self, fps: float | None = None) -> None:
        if self.stack is None or len(self.stack) < 2:
            return
        if fps is not None:
            self.cine_fps = max(0.5, min(float(fps), 120.0))
        self.cine_timer.start(max(1, round(1000.0 / self.cine_fps)))
        self.cine_changed.emit(True)

    def stop_cine(self) -> None:
        if self.cine_timer.isActive():
            self.cine_timer.stop()
            self.cine_changed.emit(False)

    def set_cine_rate(self, fps: float) -> None:
        self.cine_fps = max(0.5, min(float(fps), 120.0))
        if self.cine_timer.isActive():
            self.cine_timer.setInterval(max(1, round(1000.0 / self.cine_fps)))

    @property
    def playing(self) -> bool:
        return self.cine_timer.isActive()

    def _cine_step(self) -> None:
        if self.stack is None:
            return
        self._direction = 1
        self.set_index((self.index + 1) % len(self.stack))

    # -- tools and annotations -------------------------------------------------------------
    def set_tool(self, tool: Tool) -> None:
        self.drawing.set_tool(tool)
        self.setCursor(
            Qt.CursorShape.CrossCursor if self.drawing.draws else Qt.CursorShape.ArrowCursor
        )

    def annotations(self) -> AnnotationSet | None:
        return self.stack.annotations(self.index) if self.stack is not None else None

    def _ask_text(self) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("Annotation"), self.tr("Text:"))
        return text if ok else None

    def _changed(self) -> None:
        self._update_overlay_graphics()
        self.annotations_changed.emit()

    def _label_of(self, annotation: Annotation) -> str:
        return self.label_for(annotation, self.index)

    def label_for(self, annotation: Annotation, index: int) -> str:
        """The measurement text of an annotation on image ``index`` (cached)."""
        if self.stack is None:
            return ""
        key = (id(self.stack), index, annotation.id, annotation.points, annotation.text)
        label = self._labels.get(key)
        if label is None:
            if len(self._labels) > 512:
                self._labels.clear()
            values = None
            if annotation.kind.value in ("rectangle", "ellipse", "probe"):
                values = self.stack.modality_values(index)
            unit = measure.modality_unit(self.stack.header(index))
            label = measurement_text(annotation, values, self.spacing, unit)
            if self.spacing.source is measure.SpacingSource.IMAGER_PIXEL_SPACING and (
                annotation.kind.value in ("distance", "rectangle", "ellipse")
            ):
                label += self.tr(" (detector)")
            self._labels[key] = label
        return label

    def labels(self) -> dict[str, str]:
        """The labels of the current image's annotations, by annotation id."""
        target = self.annotations()
        return {a.id: self._label_of(a) for a in target} if target is not None else {}

    def _image_point(self, pos: QPointF) -> tuple[float, float]:
        p = self.image_item.mapFromScene(self.mapToScene(pos.toPoint()))
        return (p.x(), p.y())

    def _tolerance(self) -> float:
        return PICK_TOLERANCE_PX / max(self.zoom_factor(), 1e-6)

    # -- display ---------------------------------------------------------------------------
    def _prefetch(self) -> None:
        if self.prefetcher is not None and self.stack is not None:
            self.prefetcher.request(
                self.stack.cache_source, self.index, self._direction, len(self.stack)
            )

    def _show(self, fit: bool = False) -> None:
        assert self.stack is not None
        image = self.stack.render(self.index, self.window)
        if self.invert:
            image = 255 - image
        self.image_item.setImage(image, autoLevels=False, levels=(0, 255))
        rows, columns = image.shape[:2]
        transform = self.image_transform(columns, rows)
        if transform != self.image_item.transform():
            self.image_item.setTransform(transform)
            self.overlay.setTransform(transform)
            fit = fit or self._fitted
        self.overlay.set_image_size(columns, rows)
        self._update_overlay_graphics()
        if fit:
            self.fit()
        self._update_overlay()

    def _update_overlay_graphics(self) -> None:
        if self.stack is None:
            return
        self.overlay.annotations = self.annotations()
        self.overlay.pending = self.drawing.pending
        state = self.stack.presentation_state(self.index)
        self.overlay.layers = state.layers if state is not None else ()
        self.overlay.update()

    def set_reference_lines(self, lines: list[tuple[tuple[float, float], tuple[float, float]]]):
        """Lines (image coordinates) where the other viewports' images cut this one."""
        if lines != self.overlay.reference_lines:
            self.overlay.reference_lines = lines
            self.overlay.update()

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

    def _corner_lines(self) -> dict[str, list[str]]:
        assert self.stack is not None
        ds = self.stack.header(self.index)
        image_text = (
            self.tr("Image %1/%2").replace("%1", str(self.index + 1))
            .replace("%2", str(len(self.stack)))
        )  # fmt: skip
        bottom_left = [deco.text_of(ds.get("Modality")), image_text]
        plane = self.stack.plane(self.index)
        if plane is not None:
            position = geometry.slice_position(plane)
            bottom_left.append(self.tr("Pos %1 mm").replace("%1", f"{position:.1f}"))
        thickness = ds.get("SliceThickness")
        if thickness not in (None, ""):
            bottom_left.append(self.tr("Thick %1 mm").replace("%1", f"{float(thickness):g}"))
        bottom_right = []
        cw = self.window_center_width()
        if cw is not None:
            bottom_right.append(
                self.tr("C %1 / W %2").replace("%1", f"{cw[0]:g}").replace("%2", f"{cw[1]:g}")
            )
        bottom_right.append(self.tr("Zoom %1%").replace("%1", f"{self.zoom_factor() * 100:.0f}"))
        if self.playing:
            bottom_right.append(self.tr("Cine %1 fps").replace("%1", f"{self.cine_fps:g}"))
        if self.stack.presentation_label:
            bottom_right.append(self.tr("PR: %1").replace("%1", self.stack.presentation_label))
        return {
            "top_left": [
                deco.text_of(ds.get("PatientName")),
                deco.text_of(ds.get("PatientID")),
                deco.date_of(ds.get("StudyDate")),
            ],  # fmt: skip
            "top_right": [
                deco.text_of(ds.get("InstitutionName")),
                deco.text_of(ds.get("StudyDescription")),
                deco.text_of(ds.get("SeriesDescription")),
            ],  # fmt: skip
            "bottom_left": bottom_left,
            "bottom_right": bottom_right,
        }

    def _update_overlay(self) -> None:
        if self.stack is None:
            return
        for name, lines in self._corner_lines().items():
            self.corners[name].setText("\n".join(lines))
        ds = self.stack.header(self.index)
        try:
            letters = geometry.orientation_labels(
                ds, self.rotation, self.flip_horizontal, self.stack.frame(self.index)
            )
        except Exception:  # odd geometry: no letters rather than no image
            letters = {}
        for name, label in self.edges.items():
            label.setText(letters.get(name, ""))
        self.lossy_label.setVisible(self.lossy)
        self.key_label.setVisible(self.stack.sop_uid(self.index) in self.stack.key_images)
        self._update_scale_bar()
        self._place()

    def _update_scale_bar(self) -> None:
        if not self.spacing.calibrated or not self.spacing.col_mm:
            self.scale_bar.set_bar(0, "")
            return
        px_per_mm = self.zoom_factor() / self.spacing.col_mm  # square after aspect scaling
        target_mm = self.viewport().width() / 4 / px_per_mm if px_per_mm > 0 else 0
        if target_mm <= 0:
            self.scale_bar.set_bar(0, "")
            return
        mm = deco.nice_length(target_mm)
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
        bl.setGeometry(margin, h // 2, half_w, half_h - 36)
        br.setGeometry(w // 2, h // 2, half_w, half_h - 36)
        size = 28
        self.edges["left"].setGeometry(2, (h - size) // 2, size, size)
        self.edges["right"].setGeometry(w - size - 2, (h - size) // 2, size, size)
        self.edges["top"].setGeometry((w - 3 * size) // 2, margin + 40, 3 * size, size)
        self.edges["bottom"].setGeometry((w - 3 * size) // 2, h - size - 40, 3 * size, size)
        self.lossy_label.adjustSize()
        self.lossy_label.move((w - self.lossy_label.width()) // 2, margin)
        self.key_label.adjustSize()
        self.key_label.move((w - self.key_label.width()) // 2, margin + 22)
        self.scale_bar.setGeometry(0, h - 40, w, 34)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not hasattr(self, "scale_bar"):  # pyqtgraph resizes during __init__
            return
        if self._fitted and self.stack is not None:
            self.view.autoRange(padding=0.0)
        self._update_overlay()

    def rendered_image(self) -> np.ndarray | None:
        """The 8-bit image shown now (for tests and exports)."""
        return self.image_item.image

    def grab_rgb(self) -> np.ndarray:
        """What the viewport shows on screen (image, graphics and text) as RGB uint8."""
        image = self.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        width, height = image.width(), image.height()
        data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
        return (
            data.reshape(height, image.bytesPerLine())[:, : width * 3]
            .reshape(height, width, 3)
            .copy()
        )
