"""What the mouse and keys do in a viewport (see the viewport module's docstring).

A mix-in of :class:`~workstation.ui.viewer.viewport.Viewport`: the left button does the
current tool, right-drag zooms, middle-drag (or Shift + left) pans, the wheel scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent

from workstation.imaging.drawing import Tool

ZOOM_PER_PIXEL = 1.01  # right-drag: zoom factor per pixel of vertical movement
WHEEL_STEP = 120  # one notch


class ViewportInput:
    """Mouse and keyboard handlers of a viewport."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = -round(event.angleDelta().y() / WHEEL_STEP) or (
            -1 if event.angleDelta().y() > 0 else 1 if event.angleDelta().y() < 0 else 0
        )
        self.scroll(steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        K = Qt.Key
        actions = {
            K.Key_PageDown: lambda: self.scroll(1), K.Key_Down: lambda: self.scroll(1),
            K.Key_Right: lambda: self.scroll(1), K.Key_PageUp: lambda: self.scroll(-1),
            K.Key_Up: lambda: self.scroll(-1), K.Key_Left: lambda: self.scroll(-1),
            K.Key_Home: lambda: self.set_index(0),
            K.Key_End: lambda: self.set_index(self.count() - 1),
            K.Key_F: self.fit, K.Key_Plus: lambda: self.zoom_by(1.25),
            K.Key_Equal: lambda: self.zoom_by(1.25), K.Key_Minus: lambda: self.zoom_by(0.8),
            K.Key_R: self.reset_window, K.Key_I: self.toggle_invert,
            K.Key_Delete: self.drawing.delete_selected,
            K.Key_Backspace: self.drawing.delete_selected, K.Key_Escape: self.drawing.cancel,
            K.Key_Space: lambda: self.stop_cine() if self.playing else self.start_cine(),
        }  # fmt: skip
        action = actions.get(key)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        button = event.button()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if button == Qt.MouseButton.LeftButton and not shift:
            tool = self.drawing.tool
            if tool is Tool.PAN:
                button = Qt.MouseButton.MiddleButton
            elif tool is Tool.ZOOM:
                button = Qt.MouseButton.RightButton
            elif tool is not Tool.WINDOW and self.stack is not None:
                self.drawing.press(self._image_point(event.position()), self._tolerance())
                self._drag = (Qt.MouseButton.LeftButton, event.position(), "tool")
                event.accept()
                return
        elif button == Qt.MouseButton.LeftButton:
            button = Qt.MouseButton.MiddleButton
        start = self.window_center_width() if button == Qt.MouseButton.LeftButton else None
        self._drag = (button, event.position(), start)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self.stack is not None and (self._drag is None or self._drag[2] == "tool"):
            if self.drawing.pending is not None or (self._drag and self._drag[2] == "tool"):
                self.drawing.move(self._image_point(pos))
            return
        if self._drag is None:
            return
        button, last, start = self._drag
        if button == Qt.MouseButton.LeftButton:
            if isinstance(start, tuple):
                dx, dy = pos.x() - last.x(), pos.y() - last.y()
                c, w = start
                self.set_window(c + dy * self.wl_sensitivity, w + dx * self.wl_sensitivity)
            return  # the window is relative to the press position
        if button == Qt.MouseButton.RightButton:
            self.zoom_by(ZOOM_PER_PIXEL ** (-(pos.y() - last.y())))
        elif button == Qt.MouseButton.MiddleButton:
            a = self.view.mapSceneToView(self.mapToScene(last.toPoint()))
            b = self.view.mapSceneToView(self.mapToScene(pos.toPoint()))
            self._fitted = False
            self.view.translateBy(x=a.x() - b.x(), y=a.y() - b.y())
        self._drag = (button, pos, start)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None and self._drag[2] == "tool" and self.stack is not None:
            self.drawing.release(self._image_point(event.position()), self._tolerance())
        self._drag = None
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.drawing.draws:  # a double click while drawing is two clicks
            self.mousePressEvent(event)
            return
        self.fit()
        event.accept()

