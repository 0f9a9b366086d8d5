"""The examination screen's parts: the MPPS state badge and the thread that adds files to
the step (``backend.add_files`` off the GUI thread)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QLabel, QWidget

from workstation.errors import WorkstationError
from workstation.store.procedure_steps import MppsState
from workstation.ui.worklist.exam_backend import ExamBackend

log = logging.getLogger(__name__)

MPPS_LABELS: dict[MppsState, str] = {
    MppsState.NOT_SENT: QT_TRANSLATE_NOOP("ExamScreen", "MPPS not sent"),
    MppsState.IN_PROGRESS: QT_TRANSLATE_NOOP("ExamScreen", "MPPS in progress"),
    MppsState.COMPLETED: QT_TRANSLATE_NOOP("ExamScreen", "MPPS completed"),
    MppsState.DISCONTINUED: QT_TRANSLATE_NOOP("ExamScreen", "MPPS discontinued"),
    MppsState.FAILED: QT_TRANSLATE_NOOP("ExamScreen", "MPPS failed"),
}
MPPS_COLOURS: dict[MppsState, str] = {
    MppsState.NOT_SENT: "#6b6b6b",
    MppsState.IN_PROGRESS: "#1565c0",
    MppsState.COMPLETED: "#2e7d32",
    MppsState.DISCONTINUED: "#b26a00",
    MppsState.FAILED: "#b00020",
}
def _tr(text: str) -> str:
    return QCoreApplication.translate("ExamScreen", text)


def mpps_label(state: MppsState) -> str:
    return _tr(MPPS_LABELS[state])


class AddFilesThread(QThread):
    """``backend.add_files`` off the GUI thread; ``done(result, error)``."""

    done = Signal(object, object)

    def __init__(self, backend: ExamBackend, step_id: str, paths: list[Path],
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.backend, self.step_id, self.paths = backend, step_id, paths

    def run(self) -> None:
        try:
            result = self.backend.add_files(self.step_id, self.paths)
        except WorkstationError as err:
            self.done.emit(None, err)
            return
        except Exception as exc:
            log.exception("adding files to the step failed")
            self.done.emit(None, exc)
            return
        self.done.emit(result, None)


class MppsBadge(QLabel):
    """The MPPS state as a coloured badge; the reason of a failure in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mppsBadge")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumWidth(170)
        self.state: MppsState | None = None

    def show_state(self, state: MppsState, enabled: bool = True) -> None:
        self.state = state
        text = mpps_label(state) if enabled else QCoreApplication.translate("ExamScreen", "MPPS off")
        colour = MPPS_COLOURS[state] if enabled else "#6b6b6b"
        self.setText(text)
        self.setStyleSheet(f"QLabel {{ background: {colour}; color: white; font-weight: bold;"
                           " border-radius: 10px; padding: 5px 12px; }")  # fmt: skip


