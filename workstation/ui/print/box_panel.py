"""The composer's controls for the selected box: window, zoom, rotation, flip, invert,
order, reset and remove. The panel only shows a box and says what the user asked for;
the composer tab changes the composition."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from workstation.printing.film import BoxContent

MAX_ZOOM = 20.0
MIN_ZOOM = 0.1


class BoxPanel(QGroupBox):
    """``edited(changes)``: BoxContent fields to change (window None: the image's own);
    ``rotated(degrees)``, ``moved(step)``, ``reset_requested()``, ``remove_requested()``."""

    edited = Signal(dict)
    rotated = Signal(int)
    moved = Signal(int)
    reset_requested = Signal()
    remove_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Selected box"), parent)
        self._showing = False
        form = QFormLayout(self)
        self.box_label = QLabel(self)
        self.box_label.setWordWrap(True)
        self.centre_spin = QDoubleSpinBox(self)
        self.width_spin = QDoubleSpinBox(self)
        for spin in (self.centre_spin, self.width_spin):
            spin.setRange(-100_000.0, 100_000.0)
            spin.setDecimals(0)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._window_typed)
        self.width_spin.setMinimum(1.0)
        self.default_window_button = QPushButton(self.tr("Image's window"), self)
        self.default_window_button.clicked.connect(lambda: self.edited.emit({"window": None}))
        self.zoom_spin = QDoubleSpinBox(self)
        self.zoom_spin.setRange(MIN_ZOOM, MAX_ZOOM)
        self.zoom_spin.setSingleStep(0.1)
        self.zoom_spin.setDecimals(2)
        self.zoom_spin.setSuffix(" ×")
        self.zoom_spin.setKeyboardTracking(False)
        self.zoom_spin.valueChanged.connect(lambda v: self._emit(zoom=float(v)))
        self.rotate_left = QPushButton("⟲", self)
        self.rotate_left.setToolTip(self.tr("Rotate 90° to the left"))
        self.rotate_right = QPushButton("⟳", self)
        self.rotate_right.setToolTip(self.tr("Rotate 90° to the right"))
        self.flip_check = QCheckBox(self.tr("Flip"), self)
        self.invert_check = QCheckBox(self.tr("Invert"), self)
        self.rotate_left.clicked.connect(lambda: self.rotated.emit(-90))
        self.rotate_right.clicked.connect(lambda: self.rotated.emit(90))
        self.flip_check.toggled.connect(lambda on: self._emit(flip_h=bool(on)))
        self.invert_check.toggled.connect(lambda on: self._emit(invert=bool(on)))
        self.earlier_button = QPushButton(self.tr("Earlier"), self)
        self.later_button = QPushButton(self.tr("Later"), self)
        self.reset_button = QPushButton(self.tr("Reset"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.earlier_button.clicked.connect(lambda: self.moved.emit(-1))
        self.later_button.clicked.connect(lambda: self.moved.emit(1))
        self.reset_button.clicked.connect(self.reset_requested.emit)
        self.remove_button.clicked.connect(self.remove_requested.emit)
        form.addRow(self.box_label)
        form.addRow(self.tr("Window centre"), self.centre_spin)
        form.addRow(self.tr("Window width"), self.width_spin)
        form.addRow(self.default_window_button)
        form.addRow(self.tr("Zoom"), self.zoom_spin)
        form.addRow(_row(self.rotate_left, self.rotate_right, self.flip_check, self.invert_check))
        form.addRow(_row(self.earlier_button, self.later_button, self.reset_button,
                         self.remove_button))  # fmt: skip
        self.show_nothing()

    def _emit(self, **changes: object) -> None:
        if not self._showing:
            self.edited.emit(changes)

    def _window_typed(self, *_args: object) -> None:
        self._emit(window=(self.centre_spin.value(), self.width_spin.value()))

    def _enable(self, on: bool) -> None:
        for w in self.findChildren(QWidget):
            if w is not self.box_label:
                w.setEnabled(on)

    def show_nothing(self) -> None:
        self._enable(False)
        self.box_label.setText(self.tr("Click a box on the film to change how it shows its "
                                       "image."))  # fmt: skip

    def show_box(self, sheet: int, box: int, what: str, content: BoxContent,
                 window: tuple[float, float] | None) -> None:  # fmt: skip
        """Show box ``box`` of film ``sheet`` (0-based): ``what`` it holds, how it shows
        it, and the window it is shown with (None: colour, no window)."""
        self._enable(True)
        self.box_label.setText(self.tr("Film %1, box %2: %3").replace("%1", str(sheet + 1))
                               .replace("%2", str(box + 1)).replace("%3", what))  # fmt: skip
        self._showing = True
        for w in (self.centre_spin, self.width_spin, self.default_window_button):
            w.setEnabled(window is not None)
        if window is not None:
            self.centre_spin.setValue(window[0])
            self.width_spin.setValue(window[1])
        self.zoom_spin.setValue(content.zoom)
        self.flip_check.setChecked(content.flip_h)
        self.invert_check.setChecked(content.invert)
        self._showing = False


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for w in widgets:
        row.addWidget(w)
    return row
