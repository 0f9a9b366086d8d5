"""A tab for a series of non-image objects: SR as text, PDF, CDA, ECG waveforms.

One object is shown at a time; a box chooses among the series' objects; the registry
(:mod:`workstation.ui.viewers.registry`) chooses each object's view. ``take_focus`` and
``shutdown`` match the viewer tab's so the main window handles both kinds the same way.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pydicom
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from workstation.errors import WorkstationError
from workstation.store import LocalStore
from workstation.store.series_info import SeriesInfo, header_title
from workstation.ui.messages import error_text
from workstation.ui.viewers.registry import view_for, viewable_objects

log = logging.getLogger(__name__)


class ObjectTab(QWidget):
    """The objects in ``paths`` (each an SR, encapsulated document or waveform)."""

    #: a line for the status bar (the viewer tab's signal; nothing here sends one yet)
    message = Signal(str)

    def __init__(self, paths: list[Path], title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("objectTab")
        self.title = title
        self.paths = paths
        self.view: QWidget | None = None
        self.chooser = QComboBox(self)
        self.chooser.setObjectName("objectChooser")
        for number, path in enumerate(paths, start=1):
            self.chooser.addItem(self.tr("Object %1").replace("%1", str(number)), str(path))
        self.chooser.setVisible(len(paths) > 1)
        self.error = QLabel(self)
        self.error.setObjectName("objectError")
        self.error.setWordWrap(True)
        self.error.hide()
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.chooser)
        self._layout.addWidget(self.error)
        # a tall view (twelve ECG leads) scrolls instead of stretching the window
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self._layout.addWidget(self.scroll, 1)
        self.chooser.currentIndexChanged.connect(self.show_object)
        self.show_object(0)

    def show_object(self, index: int) -> bool:
        """Show object ``index``; an unreadable one is explained in place."""
        if self.view is not None:
            self.scroll.takeWidget()
            self.view.deleteLater()
            self.view = None
        self.error.hide()
        try:
            ds = pydicom.dcmread(self.paths[index])
            view = view_for(ds, None)
        except WorkstationError as exc:
            return self._explain(error_text(exc))
        except Exception as exc:  # unreadable file
            log.warning("object not shown: %s", exc)
            return self._explain(self.tr("This object cannot be read: %1").replace("%1", str(exc)))
        if view is None:
            return self._explain(self.tr("No view for this kind of object."))
        self.view = view
        self.scroll.setWidget(view)
        return True

    def _explain(self, text: str) -> bool:
        self.error.setText(text)
        self.error.show()
        return False

    def take_focus(self) -> None:
        """Nothing to focus: the main window shows the tab as it is."""

    def shutdown(self) -> None:
        """Nothing runs in the background here."""


def open_object_series(
    store: LocalStore, info: SeriesInfo, title: str, parent: QWidget
) -> ObjectTab:
    """The registry's opener for a series of reports, documents or waveforms."""
    paths = viewable_objects(info)
    if not title:
        title = header_title(pydicom.dcmread(paths[0], stop_before_pixels=True))
    # the main window's words, kept in its translation context
    return ObjectTab(paths, title or QCoreApplication.translate("MainWindow", "Objects"), parent)
