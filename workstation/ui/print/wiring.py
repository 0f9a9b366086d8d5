"""The film composer in the main window (one call).

:func:`install` adds the "Film" tab after the fixed tabs, connects the job worker's
changes to it (so a refused print is said where it was started) and gives viewer tabs
opened later a way to put their image on the film (:func:`connect_viewer`).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMainWindow, QTabBar, QTabWidget, QWidget

from workstation.ui.print.composer_tab import ComposerTab


def install(window: QMainWindow, tabs: QTabWidget) -> ComposerTab:
    """Add the composer tab to ``tabs`` (not closable); ``window`` has ``settings``,
    ``store``, ``queue``, ``worker``."""
    worker = getattr(window, "worker", None)
    tab = ComposerTab(window.store, lambda: window.settings, window.queue,
                      worker.wake if worker is not None else None, window)  # fmt: skip
    index = tabs.addTab(tab, QCoreApplication.translate("MainWindow", "Film"))
    tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, None)
    tab.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
    if worker is not None:
        worker.job_changed.connect(tab.on_job_changed)
    return tab


def connect_viewer(viewer: QWidget, composer: ComposerTab) -> None:
    """A viewer tab's ``film_requested(sop_uid, frame, display)`` adds that image, shown
    as the viewer shows it, to the films."""
    signal = getattr(viewer, "film_requested", None)
    if signal is not None:
        signal.connect(lambda uid, frame, display: composer.add_image(uid, frame, **display))
