"""The examination screen: the open procedure step of the registered patient.

A banner with the patient and the order, the MPPS state badge (not sent / in progress /
completed / discontinued / failed with the reason), the objects in the step as
thumbnails (images a modality sends for the study appear as they arrive: the node
bridge's events and a one-second poll re-read the step), and the buttons "Add files…"
(DICOM, JPEG/PNG/TIFF, PDF; added on a worker thread), "Complete" and "Discontinue…"
(a CID 9300 reason). After a final state every button is locked.

The screen works on an :class:`~workstation.ui.worklist.exam_backend.ExamBackend`; it never
changes the store itself.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QObject,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import MppsCompleteMode
from workstation.errors import WorkstationError
from workstation.imaging.thumbnails import ThumbnailCache
from workstation.net.scp.node import NodeEvent, NodeEventKind
from workstation.store.procedure_steps import MppsState, ProcedureStep, StepInstance, StepState
from workstation.ui.browser.browser_widget import thumbnail_folder
from workstation.ui.browser.thumbnail_strip import (
    ThumbnailLoader,
    ThumbnailRequest,
    fit_pixmap,
    placeholder_pixmap,
    to_qimage,
)
from workstation.ui.messages import error_text
from workstation.ui.worklist.discontinue_dialog import DiscontinueDialog, reason_text
from workstation.ui.worklist.exam_backend import ExamBackend, InstanceInfo
from workstation.ui.worklist.exam_widgets import AddFilesThread, MppsBadge
from workstation.ui.worklist.worklist_model import da, person_name

log = logging.getLogger(__name__)

POLL_MS = 1000
ICON = 112

STEP_LABELS: dict[StepState, str] = {
    StepState.OPEN: QT_TRANSLATE_NOOP("ExamScreen", "Examination open"),
    StepState.COMPLETED: QT_TRANSLATE_NOOP("ExamScreen", "Examination completed"),
    StepState.DISCONTINUED: QT_TRANSLATE_NOOP("ExamScreen", "Examination discontinued"),
}
FILE_FILTER = QT_TRANSLATE_NOOP(
    "ExamScreen", "DICOM, images and PDF (*.dcm *.DCM *.jpg *.jpeg *.png *.tif *.tiff *.pdf *);;"
    "All files (*)")  # fmt: skip


class ExamScreen(QWidget):
    """One procedure step; ``title`` for its tab, ``ended(step_id)`` after a final state."""

    ended = Signal(str)
    message = Signal(str)
    complete_registration = Signal(str)  # step id: the emergency data is to be completed
    title_changed = Signal(str)

    def __init__(
        self,
        backend: ExamBackend,
        step_id: str,
        bridge: QObject | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("examScreen")
        self.backend = backend
        self.step_id = step_id
        self.step: ProcedureStep = backend.step(step_id)
        self._instances: list[StepInstance] | None = None  # None: not read yet
        self._items: dict[str, QListWidgetItem] = {}
        self._adding: AddFilesThread | None = None
        self._closed = False
        # the browser's loader and disk cache: a thumbnail made here serves the browser too
        cache = ThumbnailCache(thumbnail_folder(backend.service.store.root), ICON)
        self.thumbnails = ThumbnailLoader(cache, self)
        self.thumbnails.ready.connect(self._on_thumbnail, Qt.ConnectionType.QueuedConnection)
        self._thumbnails_wanted: dict[str, ThumbnailRequest] = {}
        self._thumbnail_generation = 0
        self._title = self.title
        self._shown: tuple[ProcedureStep, bool] | None = None
        self._build()
        if bridge is not None:
            bridge.node_event.connect(self._on_node_event)
            bridge.studies_changed.connect(self._on_studies_changed)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.reload)
        self._timer.start()
        self.reload()

    @property
    def title(self) -> str:
        return person_name(self.step.registration.patient_name) or self.step.registration.patient_id

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.banner = QFrame(self)
        self.banner.setObjectName("examBanner")
        self.name_label = QLabel(self.banner)
        self.name_label.setObjectName("bannerName")
        self.patient_label = QLabel(self.banner)
        self.order_label = QLabel(self.banner)
        self.order_label.setWordWrap(True)
        self.emergency_label = QLabel(self.tr("EMERGENCY: generated patient ID and name. "
                                              "Complete the patient data before the "
                                              "examination ends."), self.banner)  # fmt: skip
        self.emergency_label.setObjectName("emergencyNote")
        self.emergency_label.setWordWrap(True)
        self.complete_data_button = QPushButton(self.tr("Complete patient data…"), self.banner)
        self.complete_data_button.clicked.connect(
            lambda: self.complete_registration.emit(self.step_id))
        self.badge = MppsBadge(self.banner)
        self.mpps_reason = QLabel(self.banner)
        self.mpps_reason.setObjectName("mppsReason")
        self.mpps_reason.setWordWrap(True)
        self.mpps_reason.setMaximumWidth(360)
        self.mpps_reason.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.state_label = QLabel(self.banner)
        self.state_label.setObjectName("stepState")

        left = QVBoxLayout()
        left.addWidget(self.name_label)
        left.addWidget(self.patient_label)
        left.addWidget(self.order_label)
        left.addWidget(self.emergency_label)
        right = QVBoxLayout()
        right.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.mpps_reason, 0, Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.state_label, 0, Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.complete_data_button, 0, Qt.AlignmentFlag.AlignRight)
        right.addStretch(1)
        banner = QHBoxLayout(self.banner)
        banner.addLayout(left, 1)
        banner.addLayout(right)

        self.objects = QListWidget(self)
        self.objects.setObjectName("stepObjects")
        self.objects.setViewMode(QListView.ViewMode.IconMode)
        self.objects.setMovement(QListView.Movement.Static)
        self.objects.setResizeMode(QListView.ResizeMode.Adjust)
        self.objects.setIconSize(QSize(ICON, ICON))
        self.objects.setGridSize(QSize(ICON + 40, ICON + 58))
        self.objects.setWordWrap(True)
        self.objects.setUniformItemSizes(True)
        self.objects.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.objects.setStyleSheet(
            "QListWidget { background: #1e1f22; color: #e8e8e8; }"
            " QListWidget::item:selected { background: #2f5d8a; color: white; }"
        )
        self.empty_hint = QLabel(self.tr("No objects yet. Add files, or send the images from "
                                         "the modality to this workstation: they appear here "
                                         "as they arrive."), self)  # fmt: skip
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("objectCount")

        self.add_button = QPushButton(self.tr("Add files…"), self)
        self.add_button.setObjectName("addFiles")
        self.add_button.setToolTip(self.tr("DICOM files (re-stamped with this patient and "
                                           "order), photographs and scans (JPEG, PNG, TIFF) "
                                           "and PDF documents"))  # fmt: skip
        self.complete_button = QPushButton(self.tr("Complete"), self)
        self.complete_button.setObjectName("completeExam")
        self.complete_button.setStyleSheet(
            "QPushButton:enabled { background: #2e7d32; color: white; font-weight: bold;"
            " padding: 5px 12px; border-radius: 3px; }")
        bold = self.complete_button.font()
        bold.setBold(True)
        self.complete_button.setMinimumWidth(
            QFontMetrics(bold).horizontalAdvance(self.complete_button.text()) + 48)
        self.discontinue_button = QPushButton(self.tr("Discontinue…"), self)
        self.discontinue_button.setObjectName("discontinueExam")
        self.status = QLabel(self)
        self.status.setObjectName("examStatus")
        self.status.setWordWrap(True)
        self.add_button.clicked.connect(self.add_files_dialog)
        self.complete_button.clicked.connect(self.complete)
        self.discontinue_button.clicked.connect(self.discontinue_dialog)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.discontinue_button)
        buttons.addWidget(self.complete_button)
        layout = QVBoxLayout(self)
        self.banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout.addWidget(self.banner)
        layout.addWidget(self.empty_hint, 1)  # in place of the empty list
        layout.addWidget(self.objects, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    # -- reading the step ------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the step and its instances (new ones get a thumbnail)."""
        if self._closed:
            return
        try:
            self.step = self.backend.step(self.step_id)
            instances = self.backend.instances(self.step_id)
        except WorkstationError as err:
            self._set_status(error_text(err), error=True)
            return
        self._show_step()
        if instances != self._instances:
            self._instances = instances
            self._show_instances()

    def _show_step(self) -> None:
        step, reg = self.step, self.step.registration
        enabled = self.backend.mpps_enabled()
        if (step, enabled) == self._shown:
            return  # nothing changed since the last poll
        self._shown = (step, enabled)
        if self.title != self._title:
            self._title = self.title
            self.title_changed.emit(self._title)
        emergency = reg.emergency
        colour = "#7a1f1f" if emergency else "#173753"
        self.banner.setStyleSheet(f"QFrame#examBanner {{ background: {colour}; border-radius: 6px; }}"
                                  " QFrame#examBanner QLabel { color: white; }")  # fmt: skip
        self.name_label.setText(person_name(reg.patient_name) or "–")
        self.name_label.setStyleSheet("font-size: 18pt; font-weight: bold;")
        sex = {"M": self.tr("male"), "F": self.tr("female"), "O": self.tr("other")}.get(reg.sex, "")
        facts = [self.tr("ID {id}").format(id=reg.patient_id)]
        if reg.birth_date:
            facts.append(self.tr("born {date}").format(date=da(reg.birth_date)))
        if sex:
            facts.append(sex)
        self.patient_label.setText("  ·  ".join(facts))
        self.patient_label.setStyleSheet("font-size: 11pt;")
        order = []
        if reg.accession_number:
            order.append(self.tr("Accession {acc}").format(acc=reg.accession_number))
        if reg.study_description:
            order.append(reg.study_description)
        if reg.modality:
            order.append(reg.modality)
        order.append(self.tr("Step {id}").format(id=step.step_id))
        order.append(self.tr("scheduled (worklist)") if reg.scheduled else self.tr("unscheduled"))
        self.order_label.setText("  ·  ".join(order))
        self.emergency_label.setVisible(emergency)
        # an emergency step may be completed after it ended too (once): its MPPS then goes
        self.complete_data_button.setVisible(emergency)

        self.badge.show_state(step.mpps_state, enabled)
        state, error = step.mpps_state, step.mpps_error
        if state is MppsState.FAILED:
            reason = error
        elif state in (MppsState.NOT_SENT, MppsState.IN_PROGRESS) and error:
            reason = self.tr("retrying: {reason}").format(reason=error)
        elif state is MppsState.NOT_SENT and emergency and enabled:
            reason = self.tr("waits until the patient data is complete")
        elif state is MppsState.DISCONTINUED and step.discontinue_code:
            reason = reason_text(step.discontinue_code)
        else:
            reason = ""
        self.mpps_reason.setText(reason)
        self.mpps_reason.setToolTip(reason)
        self.mpps_reason.setVisible(bool(reason))
        state_text = QCoreApplication.translate("ExamScreen", STEP_LABELS[step.state])
        if step.locked:
            state_text += " · " + self.tr("locked")
            if step.state is StepState.DISCONTINUED and step.discontinue_code:
                state_text += " · " + reason_text(step.discontinue_code)
        self.state_label.setText(state_text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        open_ = not self.step.locked
        busy = self._adding is not None
        self.add_button.setEnabled(open_ and not busy)
        self.complete_button.setEnabled(open_ and not busy and bool(self._instances))
        self.complete_button.setToolTip("" if self._instances or not open_ else
                                        self.tr("Nothing to complete yet: the step has no "
                                                "objects. Discontinue it instead."))  # fmt: skip
        self.discontinue_button.setEnabled(open_ and not busy)

    def _show_instances(self) -> None:
        instances = self._instances or []
        new = [i for i in instances if i.sop_instance_uid not in self._items]
        for info in self.backend.instance_infos(new):
            item = QListWidgetItem(self.objects)
            item.setText(self._caption(info))
            item.setToolTip(f"{info.kind_text}\n{info.series_description}\n{info.sop_uid}")
            item.setIcon(QIcon(placeholder_pixmap(info.kind_text, ICON)))
            item.setData(Qt.ItemDataRole.UserRole, info.sop_uid)
            self._items[info.sop_uid] = item
            if info.path is not None and info.is_image:
                self._thumbnails_wanted[info.sop_uid] = ThumbnailRequest(
                    info.series_uid, info.sop_uid, info.path)  # fmt: skip
        if new and self._thumbnails_wanted:  # a request replaces what is pending: ask for all
            self._thumbnail_generation = self.thumbnails.request(
                list(self._thumbnails_wanted.values()))  # fmt: skip
        series = {i.series_uid for i in instances}
        self.count_label.setText(
            self.tr("%n object(s)", "", len(instances))
            + " " + self.tr("in %n series", "", len(series))
        )  # fmt: skip
        self.empty_hint.setVisible(not instances)
        self.objects.setVisible(bool(instances))
        self._update_buttons()

    def _caption(self, info: InstanceInfo) -> str:
        number = f" #{info.instance_number}" if info.instance_number is not None else ""
        return f"{info.modality} {info.kind_text}{number}".strip()

    def _on_thumbnail(self, generation: int, request: object, image: object, error: str) -> None:
        if not isinstance(request, ThumbnailRequest):
            return
        self._thumbnails_wanted.pop(request.sop_uid, None)
        item = self._items.get(request.sop_uid)
        if item is not None and isinstance(image, np.ndarray) and image.size:
            item.setIcon(QIcon(fit_pixmap(to_qimage(image), ICON)))
        elif item is not None and error:
            log.debug("no thumbnail for %s: %s", request.sop_uid, error)

    def _on_node_event(self, event: NodeEvent) -> None:
        if event.kind is NodeEventKind.STORED and event.study_uid == self.step.study_uid:
            QTimer.singleShot(50, self.reload)  # after the step recorded it

    def _on_studies_changed(self, study_uids: object) -> None:
        uids = study_uids if isinstance(study_uids, frozenset) else frozenset()
        if not uids or self.step.study_uid in uids:
            self.reload()

    # -- actions -------------------------------------------------------------------------
    def add_files_dialog(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(self, self.tr("Add files to the "
                                                                    "examination"), "",
                                                      self.tr(FILE_FILTER))  # fmt: skip
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> bool:
        """Add ``paths`` on a worker thread; False when the step is locked or busy."""
        if self.step.locked or self._adding is not None or not paths:
            return False
        self._adding = AddFilesThread(self.backend, self.step_id, list(paths), self)
        self._adding.done.connect(self._added)
        self._set_status(self.tr("Adding %n file(s)…", "", len(paths)))
        self._update_buttons()
        self._adding.start()
        return True

    def adding(self) -> bool:
        return self._adding is not None

    def _added(self, result: object, error: object) -> None:
        thread, self._adding = self._adding, None
        if thread is not None:
            thread.wait(5000)
            thread.deleteLater()
        if error is not None:
            reason = error_text(error) if isinstance(error, WorkstationError) else str(error)
            self._set_status(self.tr("Files not added: {reason}").format(reason=reason), error=True)
        else:
            added = int(getattr(result, "added", 0) or 0)
            skipped = list(getattr(result, "skipped", []) or [])
            text = self.tr("%n object(s) added.", "", added)
            if skipped:
                text += " " + self.tr("Not added: {files}").format(
                    files="; ".join(str(s) for s in skipped[:5]))  # fmt: skip
            self._set_status(text, error=bool(skipped))
        self.reload()
        self._update_buttons()

    def complete(self) -> bool:
        if self.step.locked:
            return False
        try:
            self.backend.complete(self.step_id)
        except WorkstationError as err:
            self._set_status(error_text(err), error=True)
            return False
        self._set_status(self.tr("The examination is completed and locked. The MPPS and the "
                                 "after-exam rules run in the job queue."))  # fmt: skip
        self.reload()
        self.ended.emit(self.step_id)
        return True

    # the dialog, replaceable in tests
    def make_discontinue_dialog(self) -> DiscontinueDialog:
        return DiscontinueDialog(parent=self)

    def discontinue_dialog(self) -> bool:
        if self.step.locked:
            return False
        dialog = self.make_discontinue_dialog()
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.code:
            return False
        return self.discontinue(dialog.code)

    def discontinue(self, code: str) -> bool:
        try:
            self.backend.discontinue(self.step_id, code)
        except WorkstationError as err:
            self._set_status(error_text(err), error=True)
            return False
        self._set_status(self.tr("The examination is discontinued ({reason}) and locked.")
                         .format(reason=reason_text(code)))  # fmt: skip
        self.reload()
        self.ended.emit(self.step_id)
        return True

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color: #b00020; font-weight: bold;" if error else "")
        self.status.setText(text)
        if text:
            self.message.emit(text)

    # -- ending on close (settings.exam.complete_mode, extract-001 5.3) ---------------------
    def close_choice(self) -> str:
        """Ask how to leave an open step: "complete", "keep", "discontinue" or "cancel"."""
        box, choices = self.close_box()
        box.exec()
        return choices.get(box.clickedButton(), "cancel")

    def close_box(self) -> tuple[QMessageBox, dict[object, str]]:
        """The question :meth:`close_choice` asks, and what each button means."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Close the examination"),
                          self.tr("The examination of {name} is still open. How should it "
                                  "end?").format(name=self.title), parent=self)  # fmt: skip
        complete = box.addButton(self.tr("Complete"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Keep open (IN PROGRESS)"), QMessageBox.ButtonRole.NoRole)
        stop = box.addButton(self.tr("Discontinue…"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        complete.setEnabled(bool(self._instances))
        box.setDefaultButton(complete if self._instances else keep)
        return box, {complete: "complete", keep: "keep", stop: "discontinue"}

    def confirm_close(self) -> bool:
        """Closing the screen of an open step ends it as the settings say: completed at
        once ("automatic", when it has objects), or as the technologist chooses ("dialog":
        complete, keep it open, discontinue). False keeps the screen."""
        if self.step.locked:
            return True
        if self._adding is not None:
            self._set_status(self.tr("Files are still being added: close the examination when "
                                     "they are in."), error=True)  # fmt: skip
            return False
        automatic = self.backend.settings().exam.complete_mode is MppsCompleteMode.AUTOMATIC
        if automatic:
            return self.complete() if self._instances else True
        choice = self.close_choice()
        if choice == "complete":
            return self.complete()
        if choice == "discontinue":
            return self.discontinue_dialog()
        return choice == "keep"

    # -- as a main-window tab (viewers/registry.SeriesTab) ---------------------------------
    def take_focus(self) -> None:
        self.add_button.setFocus()

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        if self._adding is not None:
            self._adding.wait(60_000)
        self.thumbnails.stop()

