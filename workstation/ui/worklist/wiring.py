"""The worklist tab and the examination screens in the main window (one call).

:func:`install` adds the "Worklist" tab after the fixed tabs and connects it to an
:class:`~workstation.ui.worklist.controller.ExamController` whose examination screens
open as closable tabs. The examination service is the window's ``exam_service`` when
the app set one (the runtime's), else one over the window's store and job queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMainWindow, QTabBar, QTabWidget

from workstation.services.exam import ExamService
from workstation.store.procedure_steps import StepState
from workstation.ui.worklist.controller import ExamController
from workstation.ui.worklist.exam_backend import ExamBackend
from workstation.ui.worklist.exam_screen import ExamScreen
from workstation.ui.worklist.worklist_tab import WorklistTab


def install(window: QMainWindow, tabs: QTabWidget) -> tuple[WorklistTab, ExamController]:
    """Add the worklist tab to ``tabs`` (not closable) and its controller; ``window``
    has ``settings``, ``store``, ``queue``, ``worker``, ``bridge``."""
    tab = WorklistTab(lambda: window.settings, parent=window)
    index = tabs.addTab(tab, QCoreApplication.translate("MainWindow", "Worklist"))
    tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, None)
    backends: list[ExamBackend] = []

    def backend() -> ExamBackend:
        if not backends:
            service = getattr(window, "exam_service", None)
            if service is None:
                service = ExamService(window.store, _submit(window), lambda: window.settings)
                window.exam_service = service
            backends.append(ExamBackend(service, lambda: window.settings))
        return backends[0]

    def show_tab(screen: ExamScreen) -> None:
        at = tabs.indexOf(screen)
        if at < 0:
            at = tabs.addTab(screen, screen.title)
            screen.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
            screen.title_changed.connect(
                lambda title, s=screen: tabs.setTabText(tabs.indexOf(s), title))
            screen.ended.connect(lambda _sid: tab.mark_open_steps())
        tab.mark_open_steps()
        tabs.setCurrentIndex(at)
        screen.take_focus()

    tab.open_studies = lambda: {
        s.study_uid for s in backend().service.steps.list([StepState.OPEN])}  # fmt: skip
    controller = ExamController(tab, backend, lambda: window.settings, show_tab,
                                lambda text: window.statusBar().showMessage(text, 10_000),
                                window.bridge, window)  # fmt: skip
    return tab, controller


def _submit(window: QMainWindow):  # noqa: ANN202 - the ExamService's Submit
    def submit(kind: str, params: Mapping[str, Any], max_attempts: int = 3) -> int:
        job_id = window.queue.submit(kind, params, max_attempts=max_attempts)
        worker = getattr(window, "worker", None)
        if worker is not None:
            worker.wake()
        return job_id

    return submit
