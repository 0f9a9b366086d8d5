"""The viewer tab's tool bar: tools, orientation, cine, layout, window presets, key images,
synchronisation, presentation states and saving. Built here, wired by the tab."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QMenu,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.imaging.drawing import Tool

# (rows, columns) of the layouts offered; "custom" asks for any up to MAX_GRID
LAYOUTS = ((1, 1), (1, 2), (2, 1), (2, 2), (3, 3), (4, 4))
MAX_GRID = 6


class ViewerToolbar(QWidget):
    """Every control of a viewer tab in two rows (the mouse tools and the image's
    orientation; then cine, layout, window, key images, sync, presentation states and
    saving); ``actions_by_name`` and the combo boxes are public."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("viewerToolbar")
        self.rows = [QToolBar(self), QToolBar(self)]
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for row in self.rows:
            row.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            column.addWidget(row)
        self._bar = self.rows[0]
        self.actions_by_name: dict[str, QAction] = {}
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusive(True)
        tools = (
            (Tool.WINDOW, self.tr("W/L"), self.tr("Window/level: drag left-right for width, up-down for "
                                        "centre"), "W"),
            (Tool.PAN, self.tr("Pan"), self.tr("Move the image"), "P"),
            (Tool.ZOOM, self.tr("Zoom"), self.tr("Drag up or down to zoom"), "Z"),
            (Tool.SELECT, self.tr("Select"), self.tr("Select an annotation to move it; Delete removes "
                                           "it"), "S"),
            (Tool.DISTANCE, self.tr("Distance"), self.tr("Measure a distance"), "D"),
            (Tool.ANGLE, self.tr("Angle"), self.tr("Measure an angle: three clicks"), "A"),
            (Tool.RECTANGLE, self.tr("Rect ROI"), self.tr("Rectangle ROI: mean, SD, min, max, area"),
             "O"),
            (Tool.ELLIPSE, self.tr("Ellipse ROI"), self.tr("Ellipse ROI from its centre: mean, SD, "
                                                 "min, max, area"), "E"),
            (Tool.PROBE, self.tr("Probe"), self.tr("Pixel value at a point"), "V"),
            (Tool.ARROW, self.tr("Arrow"), self.tr("Draw an arrow"), "Shift+A"),
            (Tool.TEXT, self.tr("Text"), self.tr("Place a text note"), "T"),
        )  # fmt: skip
        for tool, text, tip, key in tools:
            action = self._action(f"tool_{tool.value}", text, tip, key, checkable=True)
            action.setData(tool)
            self.tool_group.addAction(action)
        self.actions_by_name["tool_window"].setChecked(True)
        self.addSeparator()
        self._action("rotate_left", self.tr("⟲"), self.tr("Rotate 90° counter-clockwise"), "Ctrl+L")
        self._action("rotate_right", self.tr("⟳"), self.tr("Rotate 90° clockwise"), "Ctrl+R")
        self._action("flip", self.tr("Flip"), self.tr("Mirror left-right"), "Ctrl+H")
        self._action(
            "invert", self.tr("Invert"), self.tr("Invert the grey scale"), "I", checkable=True
        )
        self._action("reset", self.tr("Reset"), self.tr("Fit the image, no rotation, the file's window"),
                     "Ctrl+0")  # fmt: skip
        self._bar = self.rows[1]
        play = self._action("cine", self.tr("Cine"), self.tr("Play the series or frames as a loop"),
                            "Space", checkable=True)  # fmt: skip
        play.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.fps = QDoubleSpinBox(self)
        self.fps.setObjectName("cineRate")
        self.fps.setRange(0.5, 120.0)
        self.fps.setDecimals(1)
        self.fps.setSuffix(self.tr(" fps"))
        self.fps.setToolTip(self.tr("Cine frame rate"))
        self.addWidget(self.fps)
        self.addSeparator()

        self.addWidget(QLabel(self.tr("Layout:"), self))
        self.layout_combo = QComboBox(self)
        self.layout_combo.setObjectName("layoutCombo")
        for rows, cols in LAYOUTS:
            self.layout_combo.addItem(f"{rows} × {cols}", f"{rows}x{cols}")
        self.layout_combo.addItem(self.tr("Custom…"), "custom")
        self.addWidget(self.layout_combo)
        self.addWidget(QLabel(self.tr("Window:"), self))
        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("presetCombo")
        self.preset_combo.setToolTip(self.tr("Window presets (CT presets for CT images only)"))
        self.addWidget(self.preset_combo)
        self.addSeparator()

        self._action("key_image", self.tr("Key"), self.tr("Flag or unflag the image as a key image"),
                     "K", checkable=True)  # fmt: skip
        self._action("sync", self.tr("Sync"), self.tr("Scroll series in the same frame of reference "
                                            "together"), "Ctrl+Y", checkable=True)  # fmt: skip
        self._action("reference_lines", self.tr("Ref lines"), self.tr("Show where the active image cuts "
                                                             "the other images"), "",
                     checkable=True)  # fmt: skip
        self.addWidget(QLabel(self.tr("PR:"), self))
        self.presentation_combo = QComboBox(self)
        self.presentation_combo.setObjectName("presentationCombo")
        self.presentation_combo.setToolTip(
            self.tr("Presentation states and key object selections stored for this series")
        )
        self.presentation_combo.setMinimumContentsLength(14)
        self.addWidget(self.presentation_combo)
        self.addSeparator()

        self.save_menu = self._menu_button("save", self.tr("Save"), self.tr(
            "Save key images, the presentation state or a capture to the store"), (
            ("save_kos", self.tr("Key images (Key Object Selection)")),
            ("save_gsps", self.tr("Presentation state of this display (GSPS)")),
            ("save_sc", self.tr("Secondary capture of the active viewport")),
        ))  # fmt: skip
        self.film_menu = self._menu_button("film", self.tr("Film"), self.tr(
            "Put the image shown, or the key images, on the films of the Film tab"), (
            ("film_image", self.tr("This image, as shown")),
            ("film_keys", self.tr("Key images of this tab")),
        ))  # fmt: skip
        self._action("compare", self.tr("Compare…"), self.tr("Open another study of this patient beside "
                                                   "this one"), "")  # fmt: skip

    def _menu_button(self, name: str, text: str, tip: str,
                     entries: tuple[tuple[str, str], ...]) -> QMenu:  # fmt: skip
        """A tool button ``<name>Button`` that opens a menu ``<name>Menu`` of actions
        (each reachable by its name through :meth:`action`)."""
        menu = QMenu(self)
        menu.setObjectName(f"{name}Menu")
        for action_name, action_text in entries:
            action = QAction(action_text, self)
            action.setObjectName(action_name)
            self.actions_by_name[action_name] = action
            menu.addAction(action)
        button = QToolButton(self)
        button.setObjectName(f"{name}Button")
        button.setText(text)
        button.setToolTip(tip)
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.addWidget(button)
        return menu

    def _action(self, name: str, text: str, tip: str, key: str, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setCheckable(checkable)
        action.setToolTip(f"{tip} ({key})" if key else tip)
        if key:
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._bar.addAction(action)
        self.actions_by_name[name] = action
        return action

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 - QToolBar's name
        self._bar.addWidget(widget)

    def addSeparator(self) -> None:  # noqa: N802 - QToolBar's name
        self._bar.addSeparator()

    def action(self, name: str) -> QAction:
        return self.actions_by_name[name]
