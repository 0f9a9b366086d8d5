"""From the worklist tab to the examination screen: registration, then an open step.

"Register" opens the registration form for the item (an item whose study already has an
open step offers to continue it), "Register manually…" the empty form, "Emergency"
registers at once with a generated ID and name. The step is opened through the
:class:`~workstation.ui.worklist.exam_backend.ExamBackend` and shown in its own tab;
"Complete patient data…" on an emergency step opens the form to complete it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from workstation.config.settings import Settings
from workstation.dicom.registration import Registration
from workstation.errors import WorkstationError
from workstation.ui.messages import error_text
from workstation.ui.worklist import registration_backend as rb
from workstation.ui.worklist.exam_backend import ExamBackend
from workstation.ui.worklist.exam_screen import ExamScreen
from workstation.ui.worklist.registration_dialog import RegistrationDialog, RegistrationMode
from workstation.ui.worklist.worklist_tab import WorklistTab

log = logging.getLogger(__name__)


class ExamController(QObject):
    """Answers the worklist tab's signals; ``show_tab(screen)`` puts a screen on screen."""

    def __init__(
        self,
        tab: WorklistTab,
        backend: Callable[[], ExamBackend],
        settings: Callable[[], Settings],
        show_tab: Callable[[ExamScreen], None],
        message: Callable[[str], None],
        bridge: QObject | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tab = tab
        self._backend = backend
        self.settings = settings
        self.show_tab = show_tab
        self.message = message
        self.bridge = bridge
        self.parent_widget = parent
        self.screens: dict[str, ExamScreen] = {}
        tab.register_requested.connect(self.register_item)
        tab.manual_requested.connect(self.register_manually)
        tab.emergency_requested.connect(self.register_emergency)

    @property
    def backend(self) -> ExamBackend:
        return self._backend()

    # the dialog, replaceable in tests
    def run_dialog(self, dialog: RegistrationDialog) -> Registration | None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.registration
        return None

    def _modality(self) -> str:
        return self.settings().worklist.modality

    def register_item(self, item: object) -> ExamScreen | None:
        study_uid = str(getattr(item, "study_instance_uid", "") or "")
        if study_uid:
            resumed = self._offer_resume(study_uid)
            if resumed is not None:
                return resumed
        dialog = RegistrationDialog(RegistrationMode.WORKLIST, item=item,
                                    modality=self._modality(), parent=self.parent_widget)  # fmt: skip
        reg = self.run_dialog(dialog)
        return self.open(reg) if reg is not None else None

    def register_manually(self) -> ExamScreen | None:
        dialog = RegistrationDialog(RegistrationMode.MANUAL, modality=self._modality(),
                                    parent=self.parent_widget)  # fmt: skip
        reg = self.run_dialog(dialog)
        return self.open(reg) if reg is not None else None

    def register_emergency(self) -> ExamScreen | None:
        try:
            reg = rb.emergency(self._modality())
        except WorkstationError as err:
            self.message(error_text(err))
            return None
        return self.open(reg)

    def open(self, reg: Registration) -> ExamScreen | None:
        try:
            step = self.backend.open_step(reg)
        except WorkstationError as err:
            self.message(self.tr("The examination cannot be opened: {reason}")
                         .format(reason=error_text(err)))  # fmt: skip
            return None
        return self.show_step(step.step_id)

    def show_step(self, step_id: str) -> ExamScreen:
        screen = self.screens.get(step_id)
        if screen is None:
            screen = ExamScreen(self.backend, step_id, self.bridge)
            screen.complete_registration.connect(self.complete_registration)
            screen.destroyed.connect(lambda _obj=None, sid=step_id: self.screens.pop(sid, None))
            self.screens[step_id] = screen
        self.show_tab(screen)
        return screen

    def _offer_resume(self, study_uid: str) -> ExamScreen | None:
        steps = self.backend.service.steps.open_for_study(study_uid)
        if not steps:
            return None
        step = steps[-1]
        answer = QMessageBox.question(
            self.parent_widget, self.tr("Examination already open"),
            self.tr("An examination for this order is still open (step {id}, started "
                    "{time}). Continue it?").format(
                id=step.step_id, time=step.started_at.strftime("%H:%M")),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )  # fmt: skip
        return self.show_step(step.step_id) if answer == QMessageBox.StandardButton.Yes else None

    def complete_registration(self, step_id: str) -> bool:
        step = self.backend.step(step_id)
        dialog = RegistrationDialog(RegistrationMode.COMPLETE, base=step.registration,
                                    modality=step.registration.modality,
                                    parent=self.parent_widget)  # fmt: skip
        reg = self.run_dialog(dialog)
        if reg is None:
            return False
        try:
            self.backend.update_registration(step_id, reg)
        except WorkstationError as err:
            self.message(error_text(err))
            return False
        screen = self.screens.get(step_id)
        if screen is not None:
            screen.reload()
        return True
