"""A viewer tab: a grid of viewports (1x1, 1x2, 2x1, 2x2) over one series, window presets.

Every viewport shows the same stack (one shared frame cache), each scrolls on its own; the
preset applies to the active viewport (the one clicked or scrolled last). ``shutdown``
stops every prefetch thread; the main window calls it when the tab closes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from workstation.imaging import luts
from workstation.imaging.frame_cache import FrameCache
from workstation.imaging.pipeline import padding_value
from workstation.ui.viewer.stack import ImageStack, IndexedImage
from workstation.ui.viewer.viewport import Viewport

# (rows, columns) of the layouts offered
LAYOUTS = ((1, 1), (1, 2), (2, 1), (2, 2))

# CT window presets: key -> (centre, width) in HU
CT_PRESETS = {
    "lung": (-600.0, 1500.0),
    "mediastinum": (50.0, 350.0),
    "bone": (400.0, 1800.0),
    "brain": (40.0, 80.0),
    "abdomen": (40.0, 400.0),
}


class ViewerTab(QWidget):
    """Viewports over the images in ``paths`` (one series)."""

    def __init__(
        self,
        paths: list[Path | str],
        title: str = "",
        parent: QWidget | None = None,
        cache: FrameCache | None = None,
        indexed: list[IndexedImage] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("viewerTab")
        self.title = title
        self.stack = ImageStack(paths, cache, indexed)
        self.viewports: list[Viewport] = []
        self.active: Viewport | None = None

        self.layout_combo = QComboBox(self)
        self.layout_combo.setObjectName("layoutCombo")
        for rows, cols in LAYOUTS:
            self.layout_combo.addItem(f"{rows} × {cols}", f"{rows}x{cols}")
        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("presetCombo")
        self.preset_combo.addItem(self.tr("File window"), "file")
        self.preset_combo.addItem(self.tr("Auto"), "auto")
        names = {
            "lung": self.tr("Lung"),
            "mediastinum": self.tr("Mediastinum"),
            "bone": self.tr("Bone"),
            "brain": self.tr("Brain"),
            "abdomen": self.tr("Abdomen"),
        }
        for key, (c, w) in CT_PRESETS.items():
            self.preset_combo.addItem(f"{names[key]} ({c:g}/{w:g})", key)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Layout:"), self))
        bar.addWidget(self.layout_combo)
        bar.addSpacing(12)
        bar.addWidget(QLabel(self.tr("Window:"), self))
        bar.addWidget(self.preset_combo)
        bar.addStretch(1)
        self.grid = QGridLayout()
        self.grid.setSpacing(2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        outer.addLayout(bar)
        outer.addLayout(self.grid, 1)

        self.set_layout(1, 1)
        self.layout_combo.currentIndexChanged.connect(lambda i: self.set_layout(*LAYOUTS[i]))
        self.preset_combo.activated.connect(
            lambda i: self.apply_preset(self.preset_combo.itemData(i))
        )

    # -- layout ------------------------------------------------------------------------------
    def set_layout(self, rows: int, cols: int) -> None:
        """Show rows x cols viewports; new ones start where the previous one ends."""
        wanted = rows * cols
        while len(self.viewports) > wanted:
            vp = self.viewports.pop()
            vp.shutdown()
            self.grid.removeWidget(vp)
            vp.setParent(None)
            vp.deleteLater()
        while len(self.viewports) < wanted:
            vp = Viewport(self)
            vp.installEventFilter(self)
            start = (self.viewports[-1].index + 1) if self.viewports else 0
            vp.set_stack(self.stack, min(start, len(self.stack) - 1))
            self.viewports.append(vp)
        for i, vp in enumerate(self.viewports):
            self.grid.addWidget(vp, i // cols, i % cols)
        for i in range(max(LAYOUTS)[0] + 1):  # equal cells, nothing left of a bigger layout
            self.grid.setRowStretch(i, 1 if i < rows else 0)
            self.grid.setColumnStretch(i, 1 if i < cols else 0)
        if self.active not in self.viewports:
            self.active = self.viewports[0]
        self.layout_shape = (rows, cols)
        combo_index = LAYOUTS.index((rows, cols)) if (rows, cols) in LAYOUTS else -1
        if combo_index >= 0 and self.layout_combo.currentIndex() != combo_index:
            self.layout_combo.blockSignals(True)
            self.layout_combo.setCurrentIndex(combo_index)
            self.layout_combo.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.Wheel, QEvent.Type.FocusIn):
            if isinstance(watched, Viewport):
                self.active = watched
        return super().eventFilter(watched, event)

    # -- window ------------------------------------------------------------------------------
    def apply_preset(self, key: str) -> None:
        """ "file": the file's window; "auto": min/max of the image; else a CT preset."""
        vp = self.active or self.viewports[0]
        if key == "file":
            vp.reset_window()
        elif key == "auto":
            ds, frame = self.stack.header(vp.index), self.stack.slices[vp.index].frame
            values = luts.modality_lut(self.stack.stored(vp.index), ds, frame)
            w = luts.auto_window(values, padding_value(ds, frame))
            vp.set_window(w.center, w.width)
        else:
            vp.set_window(*CT_PRESETS[key])

    def shutdown(self) -> None:
        for vp in self.viewports:
            vp.shutdown()
