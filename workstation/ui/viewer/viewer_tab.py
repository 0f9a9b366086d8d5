"""A viewer tab: a series strip, a tool bar and a grid of viewports (1x1 .. 4x4 or custom).

A tab opens on one series; with a store it also lists the study's other series (and a
compared study's) in the strip, to drag into any viewport. Each viewport scrolls on its
own or, with Sync on, follows the active one by slice position (same frame of
reference); reference lines show where the active image cuts the others. The tool bar
acts on the active viewport (the one clicked or scrolled last, framed in blue).
Presentation states, key images and captures: see :class:`PresentationActions`.
``shutdown`` stops every thread; the main window calls it when the tab closes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workstation.imaging import geometry, luts
from workstation.imaging.frame_cache import FrameCache
from workstation.imaging.luts import CT_PRESETS
from workstation.imaging.pipeline import padding_value
from workstation.imaging.stack import ImageStack, IndexedImage
from workstation.imaging.thumbnails import ThumbnailCache
from workstation.store import LocalStore
from workstation.store.browse import SeriesRow, series_of_study, study_of_series
from workstation.store.series_info import SeriesInfo, header_title, indexed_images
from workstation.ui.browser.thumbnail_strip import ThumbnailLoader
from workstation.ui.viewer.presentation_actions import PresentationActions
from workstation.ui.viewer.series_strip import SeriesStrip, series_uid_of
from workstation.ui.viewer.viewer_toolbar import LAYOUTS, MAX_GRID, ViewerToolbar
from workstation.ui.viewer.viewport import Viewport

__all__ = ["LAYOUTS", "ViewerTab", "open_image_series"]

ACTIVE_STYLE = "QGraphicsView { border: 2px solid #2f8ad0; }"
INACTIVE_STYLE = "QGraphicsView { border: 2px solid #202020; }"
THUMBNAIL_FOLDER = "thumbnails"


class LayoutDialog(QDialog):
    """Rows and columns of a custom layout."""

    def __init__(self, rows: int, cols: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Custom layout"))
        self.rows, self.cols = QSpinBox(self), QSpinBox(self)
        for box, value in ((self.rows, rows), (self.cols, cols)):
            box.setRange(1, MAX_GRID)
            box.setValue(value)
        form = QFormLayout(self)
        form.addRow(self.tr("Rows:"), self.rows)
        form.addRow(self.tr("Columns:"), self.cols)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ViewerTab(PresentationActions, QWidget):
    """Viewports over the images in ``paths`` (one series), or over a stored series."""

    #: a line for the status bar
    message = Signal(str)
    #: (SOP Instance UID, frame, display: window / rotate / flip_h / invert) for the films
    film_requested = Signal(str, int, object)

    def __init__(
        self,
        paths: list[Path | str],
        title: str = "",
        parent: QWidget | None = None,
        cache: FrameCache | None = None,
        indexed: list[IndexedImage] | None = None,
        store: LocalStore | None = None,
        series_uid: str = "",
    ) -> None:
        QWidget.__init__(self, parent)
        self.setObjectName("viewerTab")
        self.title = title
        self.store = store
        self.cache = cache if cache is not None else FrameCache()
        self.stack = ImageStack(paths, self.cache, indexed)
        self.stacks: dict[str, ImageStack] = {series_uid: self.stack}
        self.series_uid = series_uid
        self.study_uid = (study_of_series(store.index, series_uid) or "") if store else ""
        self.viewports: list[Viewport] = []
        self.active: Viewport | None = None
        self.layout_shape = (1, 1)
        self._syncing = False
        self._compared: list[tuple[str, list[SeriesRow]]] = []

        self.toolbar = ViewerToolbar(self)
        self.addActions(list(self.toolbar.actions_by_name.values()))
        self.grid = QGridLayout()
        self.grid.setSpacing(2)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        self.strip: SeriesStrip | None = None
        self.loader: ThumbnailLoader | None = None
        if store is not None and self.study_uid:
            self.loader = ThumbnailLoader(ThumbnailCache(store.root / THUMBNAIL_FOLDER), self)
            self.strip = SeriesStrip(self.loader, store.root, self)
            self.strip.itemDoubleClicked.connect(
                lambda item: self.show_series(self.strip_uid(item), self.active)
            )
            body.addWidget(self.strip)
        body.addLayout(self.grid, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        outer.addWidget(self.toolbar)
        outer.addLayout(body, 1)

        self.set_layout(1, 1)
        self._wire_toolbar()
        self.init_presentation()
        self.refresh_strip()
        self._sync_controls()

    # -- series ------------------------------------------------------------------------------
    def strip_uid(self, item) -> str:
        from workstation.ui.browser.thumbnail_strip import SERIES_UID_ROLE

        return str(item.data(SERIES_UID_ROLE))

    def refresh_strip(self, compared: list[tuple[str, list[SeriesRow]]] | None = None) -> None:
        """The strip: this study's series, then those of compared studies (labelled)."""
        if self.strip is None or self.store is None:
            return
        rows = series_of_study(self.store.index, self.study_uid)
        titles: dict[str, str] = {}
        for label, other in compared or self._compared:
            rows = rows + other
            titles.update({r.series_uid: label for r in other})
        self._compared = compared or self._compared
        self.strip.show_rows(rows, titles)
        self.strip.select_series(self.series_uid)

    def stack_for(self, series_uid: str) -> ImageStack | None:
        """The stack of a stored series (made once per tab; None when it has no image)."""
        found = self.stacks.get(series_uid)
        if found is not None or self.store is None:
            return found
        try:
            stack = ImageStack([], self.cache, indexed_images(self.store, series_uid))
        except Exception as exc:  # no image in the series, or unreadable files
            self.message.emit(
                self.tr("This series cannot be shown here: %1").replace("%1", str(exc))
            )
            return None
        self.stacks[series_uid] = stack
        self.load_key_images(series_uid, stack)
        return stack

    def series_of(self, stack: ImageStack) -> str:
        return next((uid for uid, s in self.stacks.items() if s is stack), "")

    def show_series(self, series_uid: str, viewport: Viewport | None = None) -> bool:
        """Show a stored series in ``viewport`` (the active one by default)."""
        vp = viewport or self.active or self.viewports[0]
        stack = self.stack_for(series_uid)
        if stack is None:
            return False
        vp.set_stack(stack, 0)
        self.set_active(vp)
        return True

    # -- layout ------------------------------------------------------------------------------
    def set_layout(self, rows: int, cols: int) -> None:
        """Show rows x cols viewports; new ones continue the previous viewport's series."""
        rows, cols = max(1, min(rows, MAX_GRID)), max(1, min(cols, MAX_GRID))
        wanted = rows * cols
        while len(self.viewports) > wanted:
            vp = self.viewports.pop()
            vp.shutdown()
            self.grid.removeWidget(vp)
            vp.setParent(None)
            vp.deleteLater()
        while len(self.viewports) < wanted:
            vp = self._new_viewport()
            previous = self.viewports[-1] if self.viewports else None
            stack = previous.stack if previous is not None and previous.stack else self.stack
            start = previous.index + 1 if previous is not None else 0
            vp.set_stack(stack, min(start, len(stack) - 1))
            self.viewports.append(vp)
        for i, vp in enumerate(self.viewports):
            self.grid.addWidget(vp, i // cols, i % cols)
        for i in range(MAX_GRID):  # equal cells, nothing left of a bigger layout
            self.grid.setRowStretch(i, 1 if i < rows else 0)
            self.grid.setColumnStretch(i, 1 if i < cols else 0)
        self.set_active(self.active if self.active in self.viewports else self.viewports[0])
        self.layout_shape = (rows, cols)
        combo = self.toolbar.layout_combo
        index = LAYOUTS.index((rows, cols)) if (rows, cols) in LAYOUTS else combo.count() - 1
        combo.blockSignals(True)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)
        self.update_reference_lines()

    def _new_viewport(self) -> Viewport:
        vp = Viewport(self)
        vp.installEventFilter(self)
        vp.setStyleSheet(INACTIVE_STYLE)
        vp.index_changed.connect(lambda _i, v=vp: self._on_index_changed(v))
        vp.cine_changed.connect(lambda _on, v=vp: self._sync_controls() if v is self.active
                                else None)  # fmt: skip
        vp.dragEnterEvent = self._drag_enter  # type: ignore[method-assign]
        vp.dragMoveEvent = self._drag_enter  # type: ignore[method-assign]
        vp.dropEvent = lambda e, v=vp: self._drop(e, v)  # type: ignore[method-assign]
        return vp

    def _choose_layout(self, combo_index: int) -> None:
        data = str(self.toolbar.layout_combo.itemData(combo_index))
        if data != "custom":
            rows, _x, cols = data.partition("x")
            shape = (int(rows), int(cols))
        else:
            dialog = LayoutDialog(*self.layout_shape, parent=self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                self.set_layout(*self.layout_shape)  # the combo shows the layout again
                return
            shape = (dialog.rows.value(), dialog.cols.value())
        self.set_layout(*shape)

    def set_active(self, vp: Viewport) -> None:
        if vp is self.active:
            return
        if self.active is not None and self.active in self.viewports:
            self.active.setStyleSheet(INACTIVE_STYLE)
        self.active = vp
        vp.setStyleSheet(ACTIVE_STYLE)
        vp.set_tool(self.current_tool())
        self._sync_controls()
        self.update_reference_lines()
        self.refresh_presentations()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.Wheel, QEvent.Type.FocusIn):
            if isinstance(watched, Viewport) and watched in self.viewports:
                self.set_active(watched)
        return super().eventFilter(watched, event)

    # -- drag and drop from the strip --------------------------------------------------------
    def _drag_enter(self, event: QDragEnterEvent) -> None:
        if series_uid_of(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def _drop(self, event: QDropEvent, vp: Viewport) -> None:
        uid = series_uid_of(event.mimeData())
        if uid and self.show_series(uid, vp):
            event.acceptProposedAction()
        else:
            event.ignore()

    # -- tool bar ----------------------------------------------------------------------------
    def _wire_toolbar(self) -> None:
        tb = self.toolbar
        tb.tool_group.triggered.connect(lambda _a: self._apply_tool())
        on = {
            "rotate_left": lambda: self._each_active(lambda v: v.rotate(270)),
            "rotate_right": lambda: self._each_active(lambda v: v.rotate(90)),
            "flip": lambda: self._each_active(Viewport.flip),
            "invert": lambda: self._each_active(Viewport.toggle_invert),
            "reset": self.reset_view,
            "cine": self.toggle_cine,
            "key_image": self.toggle_key_image,
            "sync": self._on_sync_toggled,
            "reference_lines": self.update_reference_lines,
            "save_kos": self.save_key_images,
            "save_gsps": self.save_presentation_state,
            "save_sc": self.save_secondary_capture,
            "compare": self.compare_dialog,
            "film_image": self.film_current_image,
            "film_keys": self.film_key_images,
        }
        for name, slot in on.items():
            tb.action(name).triggered.connect(lambda _checked=False, f=slot: f())
        tb.fps.valueChanged.connect(lambda fps: self.active and self.active.set_cine_rate(fps))
        tb.layout_combo.activated.connect(self._choose_layout)
        tb.preset_combo.activated.connect(lambda i: self.apply_preset(tb.preset_combo.itemData(i)))
        tb.presentation_combo.activated.connect(self.apply_presentation_choice)
        tb.action("compare").setEnabled(self.store is not None and bool(self.study_uid))
        for name in ("save_kos", "save_gsps", "save_sc", "film_image", "film_keys"):
            tb.action(name).setEnabled(self.store is not None)

    def current_tool(self):
        action = self.toolbar.tool_group.checkedAction()
        return action.data() if action is not None else None

    def _apply_tool(self) -> None:
        tool = self.current_tool()
        if tool is not None:
            for vp in self.viewports:
                vp.set_tool(tool)

    def _each_active(self, f) -> None:
        if self.active is not None and self.active.stack is not None:
            f(self.active)
            self._sync_controls()

    def reset_view(self) -> None:
        vp = self.active
        if vp is None or vp.stack is None:
            return
        vp.rotation, vp.flip_horizontal, vp.invert = 0, False, False
        vp.reset_window()
        vp.fit()
        self._sync_controls()

    def toggle_cine(self) -> None:
        vp = self.active
        if vp is None:
            return
        if vp.playing:
            vp.stop_cine()
        else:
            vp.start_cine(self.toolbar.fps.value())
        self._sync_controls()

    def _sync_controls(self) -> None:
        """Tool bar state from the active viewport (checked buttons, fps, presets)."""
        vp = self.active
        if vp is None or vp.stack is None or not hasattr(self, "toolbar"):
            return
        tb = self.toolbar
        tb.action("invert").setChecked(vp.invert)
        tb.action("cine").setChecked(vp.playing)
        tb.action("cine").setEnabled(vp.count() > 1)
        tb.fps.blockSignals(True)
        tb.fps.setValue(vp.cine_fps)
        tb.fps.blockSignals(False)
        tb.action("key_image").setChecked(vp.stack.sop_uid(vp.index) in vp.stack.key_images)
        self._fill_presets(vp)

    def _fill_presets(self, vp: Viewport) -> None:
        """File window and auto for every grey image; the CT presets only for CT."""
        assert vp.stack is not None
        combo = self.toolbar.preset_combo
        colour = vp.stack.is_colour(vp.index)
        ct = str(vp.stack.header(vp.index).get("Modality", "")) == "CT"
        wanted = [] if colour else [("file", self.tr("File window")), ("auto", self.tr("Auto"))]
        if ct and not colour:
            names = {
                "lung": self.tr("Lung"),
                "mediastinum": self.tr("Mediastinum"),
                "bone": self.tr("Bone"),
                "brain": self.tr("Brain"),
                "abdomen": self.tr("Abdomen"),
            }
            for key, (c, w) in CT_PRESETS.items():
                wanted.append((key, f"{names[key]} ({c:g}/{w:g})"))
        current = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
        if current != wanted:
            combo.clear()
            for key, text in wanted:
                combo.addItem(text, key)
        combo.setEnabled(bool(wanted))

    # -- window ------------------------------------------------------------------------------
    def apply_preset(self, key: str) -> None:
        """ "file": the file's window; "auto": min/max of the image; else a CT preset."""
        vp = self.active or self.viewports[0]
        if vp.stack is None:
            return
        if key == "file":
            vp.reset_window()
        elif key == "auto":
            ds, frame = vp.stack.header(vp.index), vp.stack.frame(vp.index)
            values = luts.modality_lut(vp.stack.stored(vp.index), ds, frame)
            w = luts.auto_window(values, padding_value(ds, frame))
            vp.set_window(w.center, w.width)
        else:
            vp.set_window(*CT_PRESETS[key])

    # -- synchronisation and reference lines -------------------------------------------------
    def _on_index_changed(self, vp: Viewport) -> None:
        if vp is self.active:
            self._sync_controls()
        if self.toolbar.action("sync").isChecked() and not self._syncing and vp is self.active:
            self.sync_from(vp)
        self.update_reference_lines()

    def _on_sync_toggled(self) -> None:
        if self.toolbar.action("sync").isChecked() and self.active is not None:
            self.sync_from(self.active)

    def sync_from(self, source: Viewport) -> None:
        """Every viewport on another series in the same frame of reference goes to the slice
        nearest the source's."""
        if source.stack is None:
            return
        plane = source.stack.plane(source.index)
        if plane is None:
            return
        self._syncing = True
        try:
            for vp in self.viewports:
                if vp is source or vp.stack is None or vp.stack is source.stack:
                    continue
                index = geometry.nearest_slice(vp.stack.planes(), plane)
                if index is not None:
                    vp.set_index(index)
        finally:
            self._syncing = False

    def update_reference_lines(self) -> None:
        show = hasattr(self, "toolbar") and self.toolbar.action("reference_lines").isChecked()
        source = self.active
        plane = (
            source.stack.plane(source.index)
            if show and source is not None and source.stack is not None
            else None
        )
        for vp in self.viewports:
            lines = []
            if plane is not None and vp is not source and vp.stack is not None:
                target = vp.stack.plane(vp.index)
                line = geometry.reference_line(plane, target) if target is not None else None
                if line is not None:
                    lines.append(line)
            vp.set_reference_lines(lines)

    # -- closing -----------------------------------------------------------------------------
    def take_focus(self) -> None:
        """Keyboard to the first viewport (the main window calls this once the tab shows)."""
        self.viewports[0].setFocus()

    def shutdown(self) -> None:
        for vp in self.viewports:
            vp.shutdown()
        if self.loader is not None:
            self.loader.stop()


def open_image_series(store: LocalStore, info: SeriesInfo, title: str, parent: QWidget) -> ViewerTab:
    """The registry's opener for a series of images (raises when none can be shown)."""
    tab = ViewerTab([i.path for i in info.images], title, parent, indexed=list(info.images),
                    store=store, series_uid=info.series_uid)  # fmt: skip
    # not the browser's current study: name it from the first image, else the main
    # window's word (kept in its translation context)
    tab.title = title or header_title(tab.stack.header(0))
    tab.title = tab.title or QCoreApplication.translate("MainWindow", "Series")
    return tab
