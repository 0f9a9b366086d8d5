"""The worklist tab: the day's scheduled procedure steps, their details, registration.

"Refresh" (and the automatic refresh every ``worklist.refresh_minutes``) sends the broad
query of the settings; the query row sends a patient query (name with wildcards, ID,
accession, requested procedure ID, referring physician). Each query runs on a
:class:`~workstation.ui.worklist.query_thread.WorklistQuery` thread; a newer query
cancels an older one, and each answer replaces the rows (never merged). A failure keeps
the rows shown and says so. "Register" (or a double click), "Register manually…" and
"Emergency" are signals the examination controller answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import Settings
from workstation.errors import WorkstationError
from workstation.ui.messages import error_text
from workstation.ui.worklist import backend
from workstation.ui.worklist.backend import WorklistRequest
from workstation.ui.worklist.query_thread import RunFn, WorklistQuery
from workstation.ui.worklist.worklist_model import ITEM_ROLE, SORT_ROLE, WorklistModel, fill_details

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020; font-weight: bold;"
WARN_STYLE = "color: #8a5a00; font-weight: bold;"
OK_STYLE = ""


class WorklistTab(QWidget):
    """The worklist; ``register_requested(item)``, ``manual_requested()``,
    ``emergency_requested()`` for the controller; ``answered()`` after each query."""

    register_requested = Signal(object)
    manual_requested = Signal()
    emergency_requested = Signal()
    answered = Signal()

    def __init__(
        self,
        settings: Callable[[], Settings],
        run: RunFn = backend.run_query,
        now: Callable[[], datetime] = datetime.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("worklistTab")
        self.settings = settings
        self._run = run
        self._now = now
        # how requests are built (replaceable in tests)
        self.broad_request = backend.broad_request
        self.patient_request = backend.patient_request
        # the Study Instance UIDs with an open step on this station (set by the wiring)
        self.open_studies: Callable[[], set[str]] | None = None
        self._number = 0
        self._current: WorklistQuery | None = None
        self._threads: set[WorklistQuery] = set()
        self._shown_once = False
        self._sized = False  # columns fitted to the first answer
        self._closed = False
        self.last_answer: object | None = None
        self.last_error: WorkstationError | None = None
        self._build()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._auto_refresh)

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.name_edit = QLineEdit(self, placeholderText=self.tr("e.g. MÜLLER* or *hans*"))
        self.id_edit = QLineEdit(self)
        self.accession_edit = QLineEdit(self)
        self.procedure_id_edit = QLineEdit(self)
        self.referring_edit = QLineEdit(self)
        for edit in (self.name_edit, self.id_edit, self.accession_edit,
                     self.procedure_id_edit, self.referring_edit):  # fmt: skip
            edit.returnPressed.connect(self.search)
        self.search_button = QPushButton(self.tr("Search"), self)
        self.search_button.setObjectName("worklistSearch")
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setEnabled(False)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setObjectName("worklistRefresh")
        self.refresh_button.setToolTip(self.tr("Ask the worklist again with the query of the "
                                               "settings (date, station, modality)"))  # fmt: skip
        self.status = QLabel(self)
        self.status.setObjectName("worklistStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        query = QGridLayout()
        labels = (self.tr("Patient name:"), self.tr("Patient ID:"), self.tr("Accession:"),
                  self.tr("Requested procedure ID:"), self.tr("Referring physician:"))  # fmt: skip
        edits = (self.name_edit, self.id_edit, self.accession_edit, self.procedure_id_edit,
                 self.referring_edit)  # fmt: skip
        for col, (label, edit) in enumerate(zip(labels, edits, strict=True)):
            query.addWidget(QLabel(label, self), 0, col)
            query.addWidget(edit, 1, col)
        query.addWidget(self.search_button, 1, len(edits))
        query.addWidget(self.stop_button, 1, len(edits) + 1)

        self.model = WorklistModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setObjectName("worklistTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # scheduled time
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((125, 200, 110, 95, 60, 100, 220, 70, 90, 90)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.register_selected())

        self.details = QTreeWidget(self)
        self.details.setObjectName("worklistDetails")
        self.details.setHeaderLabels([self.tr("Attribute"), self.tr("Value")])
        self.details.setColumnWidth(0, 330)
        self.details.setIndentation(14)
        self.details.setAlternatingRowColors(True)
        self.details_hint = QLabel(self.tr("Select an item to see all its attributes."), self)
        self.details_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details_hint.setWordWrap(True)
        details = QWidget(self)
        box = QVBoxLayout(details)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel(self.tr("Item details"), self))
        box.addWidget(self.details_hint)
        box.addWidget(self.details, 1)
        self.details.hide()

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)  # the list gets the width
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.register_button = QPushButton(self.tr("Register"), self)
        self.register_button.setObjectName("registerButton")
        self.register_button.setEnabled(False)
        self.register_button.setToolTip(self.tr("Register the patient of the selected item "
                                                "and start the examination"))  # fmt: skip
        self.manual_button = QPushButton(self.tr("Register manually…"), self)
        self.emergency_button = QPushButton(self.tr("Emergency"), self)
        self.emergency_button.setObjectName("emergencyButton")
        self.emergency_button.setStyleSheet("QPushButton { color: #b00020; font-weight: bold; }")
        self.emergency_button.setToolTip(self.tr("Start at once with a generated patient ID and "
                                                 "name; complete the data later"))  # fmt: skip
        top = QHBoxLayout()
        top.addWidget(self.refresh_button)
        top.addWidget(self.status, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.register_button)
        bottom.addStretch(1)
        bottom.addWidget(self.manual_button)
        bottom.addWidget(self.emergency_button)

        outer = QVBoxLayout(self)
        outer.addLayout(query)
        outer.addLayout(top)
        outer.addWidget(self.splitter, 1)
        outer.addLayout(bottom)

        self.search_button.clicked.connect(self.search)
        self.stop_button.clicked.connect(self.stop)
        self.refresh_button.clicked.connect(self.refresh)
        self.register_button.clicked.connect(self.register_selected)
        self.manual_button.clicked.connect(self.manual_requested)
        self.emergency_button.clicked.connect(self.emergency_requested)

    # -- queries -------------------------------------------------------------------------
    def refresh(self) -> bool:
        """The broad query of the settings; False when it could not start."""
        return self._start(broad=True)

    def search(self) -> bool:
        """The patient query of the query row (only entered values match)."""
        if not any(e.text().strip() for e in (self.name_edit, self.id_edit, self.accession_edit,
                                              self.procedure_id_edit, self.referring_edit)):  # fmt: skip
            return self.refresh()
        return self._start(broad=False)

    def patient_keys(self) -> dict[str, str]:
        return {
            "patient_name": self.name_edit.text().strip(),
            "patient_id": self.id_edit.text().strip(),
            "accession_number": self.accession_edit.text().strip(),
            "requested_procedure_id": self.procedure_id_edit.text().strip(),
            "referring_physician": self.referring_edit.text().strip(),
        }

    def _start(self, broad: bool) -> bool:
        settings = self.settings()
        node = backend.worklist_node(settings)
        if node is None:
            name = settings.worklist.node
            text = (self.tr("The worklist node '{name}' is not among the remote nodes.")
                    .format(name=name) if name else
                    self.tr("No worklist node is configured (service mode: a remote node "
                            "with the Worklist role)."))  # fmt: skip
            self._set_status(text, ERROR_STYLE)
            return False
        try:
            request: WorklistRequest = (
                self.broad_request(settings, node, self._now()) if broad
                else self.patient_request(settings, node, self.patient_keys())
            )  # fmt: skip
        except WorkstationError as err:
            self._set_status(self.tr("The query cannot be sent: {reason}")
                             .format(reason=error_text(err)), ERROR_STYLE)  # fmt: skip
            return False
        self._cancel_current()
        self._number += 1
        thread = WorklistQuery(self._number, request, self._run, self)
        thread.answered.connect(self._on_answered)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(lambda t=thread: self._thread_done(t))
        self._threads.add(thread)
        self._current = thread
        self._refresh_timer.stop()
        self.stop_button.setEnabled(True)
        self._set_status(self.tr("Asking {aet} at {host}:{port}…").format(
            aet=node.ae_title, host=node.host, port=node.port), OK_STYLE)  # fmt: skip
        thread.start()
        return True

    def running(self) -> bool:
        return self._current is not None

    def stop(self) -> None:
        """Cancel the running query (C-CANCEL); the rows shown stay."""
        if self._current is not None:
            self._current.cancel()
            self._set_status(self.tr("Stopping the query…"), OK_STYLE)

    def _cancel_current(self) -> None:
        if self._current is not None:
            self._current.cancel()
            self._current = None

    def _thread_done(self, thread: WorklistQuery) -> None:
        self._threads.discard(thread)
        thread.deleteLater()

    def _on_answered(self, number: int, answer: object) -> None:
        if self._current is None or number != self._current.number:
            return  # an older query that was replaced
        request = self._current.request
        self._current = None
        self.stop_button.setEnabled(False)
        self.last_answer, self.last_error = answer, None
        items = list(getattr(answer, "items", []))
        if getattr(answer, "cancelled", False) and not items:
            # stopped before anything came: the rows shown stay
            self._set_status(self.tr("Stopped: nothing received; the list shown is unchanged."),
                             WARN_STYLE)  # fmt: skip
            self._arm_refresh()
            self.answered.emit()
            return
        selected = self.selected_key()
        self.model.station_aet = self.settings().node.ae_title
        self.model.set_items(items)
        self.mark_open_steps()
        if items and not self._sized:
            self._sized = True
            self.table.resizeColumnsToContents()
            for col, cap in ((1, 240), (6, 240)):
                self.table.setColumnWidth(col, min(self.table.columnWidth(col), cap))
        self._select_key(selected)
        at = self._now().strftime("%H:%M")
        text = self.tr("%n item(s) from {aet} at {time}", "", len(items)).format(
            aet=request.node.ae_title, time=at)  # fmt: skip
        style = OK_STYLE
        if getattr(answer, "cancelled", False):
            text += ". " + self.tr("Stopped: the list may be incomplete.")
            style = WARN_STYLE
        elif getattr(answer, "truncated", False):
            text += ". " + self.tr("Limit of {limit} reached: query cancelled, the list is "
                                  "incomplete. Narrow the search.").format(limit=request.limit)  # fmt: skip
            style = WARN_STYLE
        self._set_status(text, style)
        self._arm_refresh()
        self.answered.emit()

    def _on_failed(self, number: int, error: object) -> None:
        if self._current is None or number != self._current.number:
            return
        request = self._current.request
        self._current = None
        self.stop_button.setEnabled(False)
        self.last_error = error if isinstance(error, WorkstationError) else None
        reason = error_text(error) if isinstance(error, WorkstationError) else str(error)
        text = self.tr("Worklist query to {aet} failed: {reason}").format(
            aet=request.node.ae_title, reason=reason)  # fmt: skip
        if self.model.items:
            text += " " + self.tr("The list shown is from the last successful query.")
        self._set_status(text, ERROR_STYLE)
        self._arm_refresh()
        self.answered.emit()

    def _set_status(self, text: str, style: str) -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)

    def mark_open_steps(self) -> None:
        """Mark the items whose study has an open examination here."""
        if self.open_studies is not None:
            try:
                self.model.set_open_here(self.open_studies())
            except WorkstationError as err:
                log.warning("open steps not known: %s", err.message())

    # -- automatic refresh ---------------------------------------------------------------
    def _arm_refresh(self) -> None:
        minutes = self.settings().worklist.refresh_minutes
        if minutes > 0 and not self._closed:
            self._refresh_timer.start(minutes * 60_000)
        else:
            self._refresh_timer.stop()

    def _auto_refresh(self) -> None:
        if self._current is None and not self._closed:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            height = max(self.splitter.height(), 400)
            self.splitter.setSizes([int(height * 0.6), height - int(height * 0.6)])
            if backend.worklist_node(self.settings()) is not None:
                QTimer.singleShot(0, self.refresh)
            else:
                self._start(broad=True)  # says what is missing

    # -- selection -----------------------------------------------------------------------
    def selected_item(self) -> object | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ITEM_ROLE) if rows else None

    def selected_key(self) -> object | None:
        item = self.selected_item()
        return getattr(item, "key", None) if item is not None else None

    def _select_key(self, key: object | None) -> None:
        if key is None:
            self._selection_changed()
            return
        for row, item in enumerate(self.model.items):
            if getattr(item, "key", None) == key:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
                return
        self._selection_changed()

    def _selection_changed(self, *_args: object) -> None:
        item = self.selected_item()
        self.register_button.setEnabled(item is not None)
        fill_details(self.details, getattr(item, "dataset", None) if item is not None else None)
        self.details.setVisible(item is not None)
        self.details_hint.setVisible(item is None)

    def register_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.register_requested.emit(item)

    # -- closing -------------------------------------------------------------------------
    def shutdown(self) -> None:
        self._closed = True
        self._refresh_timer.stop()
        self._current = None
        for thread in list(self._threads):
            thread.stop()
