"""A viewport's display as a presentation state stores it, and an applied one taken back.

A mix-in of :class:`~workstation.ui.viewer.viewport.Viewport` (uses its stack, window,
rotation, flip, inversion, image item and view box).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF

from workstation.dicom.display_state import DisplayedArea, DisplayState, GraphicLayer
from workstation.dicom.display_state import Window as StateWindow
from workstation.imaging.annotation_graphics import to_layer
from workstation.imaging.luts import Window


class PresentationStateMixin:
    """Reading and writing the display state of the current image."""

    def _apply_presentation(self, fit: bool = False) -> None:
        """Take window, rotation, flip and inversion from an applied presentation state."""
        if self.stack is None:
            return
        state = self.stack.presentation_state(self.index)
        if state is None:
            return
        if state.window is not None:
            self.window = Window(state.window.center, state.window.width,
                                 str(state.window.function))  # fmt: skip
        self.rotation, self.flip_horizontal = state.rotation, state.flip_horizontal
        self.invert = state.invert

    def show_displayed_area(self, area: DisplayedArea) -> None:
        """Zoom to a displayed area (1-based pixel corners, in either orientation)."""
        (c0, r0), (c1, r1) = area.box()
        rect = self.image_item.mapRectToParent(QRectF(c0 - 1, r0 - 1, c1 - c0 + 1, r1 - r0 + 1))
        self.view.setRange(rect, padding=0.0)
        self._fitted = False

    def displayed_area(self) -> DisplayedArea:
        """The part of the image shown now, as a presentation state stores it: the whole
        image when fitted, else the visible part (corners as shown after rotation/flip)."""
        assert self.stack is not None
        ds = self.stack.header(self.index)
        columns, rows = int(ds.Columns), int(ds.Rows)
        if self._fitted:
            box = ((1, 1), (columns, rows))
        else:
            visible = self.image_item.mapRectFromParent(self.view.viewRect())
            box = (
                (math.floor(visible.left()) + 1, math.floor(visible.top()) + 1),
                (max(math.ceil(visible.right()), 1), max(math.ceil(visible.bottom()), 1)),
            )
        return DisplayedArea.oriented(box, self.rotation, self.flip_horizontal)

    def display_state(self) -> DisplayState:
        """The current display of the current image, as a presentation state stores it."""
        assert self.stack is not None
        window = None
        cw = self.window_center_width()
        if cw is not None and isinstance(self.window, Window):
            window = StateWindow(cw[0], cw[1])
        area = self.displayed_area()
        layers: tuple[GraphicLayer, ...] = ()
        target = self.annotations()
        if target is not None and len(target):
            layers = (to_layer(target, self.labels()),)
        return DisplayState(
            window=window,
            invert=self.invert,
            displayed_area=area,
            rotation=self.rotation,
            flip_horizontal=self.flip_horizontal,
            layers=layers,
        )

