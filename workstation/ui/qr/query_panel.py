"""The Query/Retrieve panel: search a remote node, drill down, retrieve the selection.

The user picks a node and the information model, types keys (name with wildcards, ID,
birth date, accession, modality, a study date preset or range, description, referring
physician) and searches at the patient or study level. Matches stream into a tree as they
arrive; expanding a row asks the node for its studies, series or images. A result limit
(from the settings) sends C-CANCEL and says the list is incomplete; a failed query keeps
what came and shows the error. Retrieve submits one job per level of the selected rows
(C-MOVE to this workstation, or C-GET) on the job queue, where progress and cancel live.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from pydicom.dataset import Dataset
from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import Role, Settings
from workstation.dicom.qr_identifier import QRLevel, QRModel
from workstation.dicom.query_form import DatePreset, QueryForm, build_query, children_query
from workstation.errors import WorkstationError
from workstation.jobs import JobQueue
from workstation.net.association import LocalAE
from workstation.net.scu.find import FindOutcome
from workstation.services.retrieve_job import KIND as RETRIEVE_KIND
from workstation.services.retrieve_job import retrieve_params
from workstation.ui.messages import error_text
from workstation.ui.qr.find_worker import FindRequest, FindWorker

log = logging.getLogger(__name__)

LEVEL_ROLE = Qt.ItemDataRole.UserRole + 1
KEYS_ROLE = Qt.ItemDataRole.UserRole + 2
LOADED_ROLE = Qt.ItemDataRole.UserRole + 3
CHILD = {QRLevel.PATIENT: QRLevel.STUDY, QRLevel.STUDY: QRLevel.SERIES,
         QRLevel.SERIES: QRLevel.IMAGE}  # fmt: skip


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword, "")
    if value is None:
        return ""
    if keyword.endswith("Name"):
        return str(value).replace("^", " ").strip()
    if keyword.endswith("Date") and len(str(value)) == 8:
        s = str(value)
        return f"{s[:4]}-{s[4:6]}-{s[6:]}"
    if isinstance(value, list | tuple) or hasattr(value, "__iter__") and not isinstance(value, str):
        return "/".join(str(v) for v in value)
    return str(value)


class QueryPanel(QWidget):
    """Search, drill down and retrieve; ``retrieve_submitted(job_ids)`` after Retrieve."""

    retrieve_submitted = Signal(list)

    COLUMNS = ("name", "id", "birth", "date", "modality", "description", "accession", "count")

    def __init__(
        self,
        settings: Callable[[], Settings],
        queue: JobQueue,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("queryPanel")
        self.settings = settings
        self.queue = queue
        self.worker = FindWorker(self)
        self.worker.match.connect(self._on_match)
        self.worker.done.connect(self._on_done)
        self._search: int | None = None  # the running top-level search
        self._parents: dict[int, QStandardItem | None] = {}  # request -> parent row
        self._counts: dict[int, int] = {}
        self.last_outcome: FindOutcome | None = None
        self._build()
        self.refresh_nodes()

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.node_combo = QComboBox(self)
        self.node_combo.setObjectName("nodeCombo")
        self.model_combo = QComboBox(self)
        self.model_combo.addItem(self.tr("Study Root"), QRModel.STUDY.value)
        self.model_combo.addItem(self.tr("Patient Root"), QRModel.PATIENT.value)
        self.level_combo = QComboBox(self)
        self.level_combo.addItem(self.tr("Studies"), QRLevel.STUDY.value)
        self.level_combo.addItem(self.tr("Patients"), QRLevel.PATIENT.value)
        self.name_edit = QLineEdit(self, placeholderText=self.tr("e.g. SMITH* or *ann*"))
        self.id_edit = QLineEdit(self)
        self.birth_edit = QLineEdit(self, placeholderText=self.tr("YYYYMMDD"))
        self.accession_edit = QLineEdit(self)
        self.modality_edit = QLineEdit(self, placeholderText=self.tr("CT, MR, ..."))
        self.description_edit = QLineEdit(self, placeholderText=self.tr("words in the description"))
        self.referring_edit = QLineEdit(self)
        self.date_combo = QComboBox(self)
        presets = (
            (DatePreset.ANY, self.tr("Any date")), (DatePreset.TODAY, self.tr("Today")),
            (DatePreset.YESTERDAY, self.tr("Yesterday")), (DatePreset.LAST_7_DAYS, self.tr("Last 7 days")),
            (DatePreset.LAST_30_DAYS, self.tr("Last 30 days")), (DatePreset.CUSTOM, self.tr("From … to …")),
        )  # fmt: skip
        for preset, text in presets:
            self.date_combo.addItem(text, preset.value)
        self.date_from = QDateEdit(self, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date_to = QDateEdit(self, calendarPopup=True, displayFormat="yyyy-MM-dd")
        today = QDate.currentDate()
        self.date_from.setDate(today.addMonths(-1))
        self.date_to.setDate(today)
        self.date_combo.currentIndexChanged.connect(self._date_mode)
        self._date_mode()

        self.search_button = QPushButton(self.tr("Search"), self)
        self.search_button.setObjectName("searchButton")
        self.search_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Stop"), self)
        self.cancel_button.setEnabled(False)
        self.clear_button = QPushButton(self.tr("Clear"), self)
        self.method_combo = QComboBox(self)
        self.method_combo.addItem(self.tr("C-MOVE to this workstation"), "move")
        self.method_combo.addItem(self.tr("C-GET"), "get")
        self.retrieve_button = QPushButton(self.tr("Retrieve"), self)
        self.retrieve_button.setObjectName("retrieveButton")
        self.retrieve_button.setEnabled(False)
        self.status = QLabel(self)
        self.status.setObjectName("queryStatus")
        self.status.setWordWrap(True)

        form = QGridLayout()
        left, right = QFormLayout(), QFormLayout()
        left.addRow(self.tr("Node:"), self.node_combo)
        left.addRow(self.tr("Model:"), self.model_combo)
        left.addRow(self.tr("Search for:"), self.level_combo)
        left.addRow(self.tr("Patient name:"), self.name_edit)
        left.addRow(self.tr("Patient ID:"), self.id_edit)
        left.addRow(self.tr("Birth date:"), self.birth_edit)
        right.addRow(self.tr("Accession:"), self.accession_edit)
        right.addRow(self.tr("Modality:"), self.modality_edit)
        dates = QHBoxLayout()
        for w in (self.date_combo, self.date_from, QLabel("–", self), self.date_to):
            dates.addWidget(w)
        right.addRow(self.tr("Study date:"), dates)
        right.addRow(self.tr("Description:"), self.description_edit)
        right.addRow(self.tr("Referring physician:"), self.referring_edit)
        form.addLayout(left, 0, 0)
        form.addLayout(right, 0, 1)
        buttons = QHBoxLayout()
        for w in (self.search_button, self.cancel_button, self.clear_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(QLabel(self.tr("Retrieve by:"), self))
        buttons.addWidget(self.method_combo)
        buttons.addWidget(self.retrieve_button)

        self.model = QStandardItemModel(0, len(self.COLUMNS), self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("Patient / study / series / image"), self.tr("Patient ID"), self.tr("Birth date"),
             self.tr("Date"), self.tr("Modality"), self.tr("Description"), self.tr("Accession"), self.tr("Images")]
        )  # fmt: skip
        self.tree = QTreeView(self)
        self.tree.setObjectName("queryResults")
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 260)
        self.tree.expanded.connect(self._on_expanded)
        self.tree.selectionModel().selectionChanged.connect(self._selection_changed)

        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addLayout(buttons)
        outer.addWidget(self.status)
        outer.addWidget(self.tree, 1)

        self.search_button.clicked.connect(self.search)
        self.cancel_button.clicked.connect(self.stop)
        self.clear_button.clicked.connect(self.clear)
        self.retrieve_button.clicked.connect(self.retrieve_selected)
        for edit in (
            self.name_edit,
            self.id_edit,
            self.birth_edit,
            self.accession_edit,
            self.modality_edit,
            self.description_edit,
            self.referring_edit,
        ):
            edit.returnPressed.connect(self.search)  # fmt: skip

    def _date_mode(self) -> None:
        custom = self.date_combo.currentData() == DatePreset.CUSTOM.value
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)

    def refresh_nodes(self) -> None:
        """The nodes configured for query (or retrieve); every node when none has a role."""
        nodes = self.settings().remote_nodes
        wanted = [n for n in nodes if {Role.QUERY, Role.RETRIEVE} & set(n.roles)] or list(nodes)
        current = self.node_combo.currentData()
        self.node_combo.clear()
        for node in wanted:
            label = f"{node.name} ({node.ae_title}@{node.host}:{node.port})"
            self.node_combo.addItem(label, node.name)
        index = self.node_combo.findData(current)
        self.node_combo.setCurrentIndex(max(index, 0))
        self.search_button.setEnabled(bool(wanted))
        if not wanted:
            self.status.setText(
                self.tr("No remote node is configured: add one in Service mode → Remote nodes.")
            )

    # -- the form ----------------------------------------------------------------------------
    def form(self) -> QueryForm:
        preset = DatePreset(self.date_combo.currentData())
        modalities = tuple(
            m.strip().upper() for m in self.modality_edit.text().replace("\\", ",").split(",")
        )
        return QueryForm(
            patient_name=self.name_edit.text(),
            patient_id=self.id_edit.text(),
            birth_date=self.birth_edit.text(),
            accession=self.accession_edit.text(),
            modalities=tuple(m for m in modalities if m),
            study_date=preset,
            date_from=self.date_from.date().toPython() if preset is DatePreset.CUSTOM else None,
            date_to=self.date_to.date().toPython() if preset is DatePreset.CUSTOM else None,
            description=self.description_edit.text(),
            referring_physician=self.referring_edit.text(),
        )

    def _node(self):
        name = self.node_combo.currentData()
        return self.settings().find_node(name) if name else None

    def _model(self) -> QRModel:
        return QRModel(self.model_combo.currentData())

    def _local(self) -> LocalAE:
        return LocalAE.from_settings(self.settings())

    # -- searching ---------------------------------------------------------------------------
    def search(self) -> int | None:
        """Start a search with the typed keys; returns the request number (None: refused)."""
        node = self._node()
        if node is None:
            self.status.setText(self.tr("Choose a node to search."))
            return None
        level = QRLevel(self.level_combo.currentData())
        try:
            identifier = build_query(self.form(), self._model(), level, dt.date.today())
        except WorkstationError as exc:
            self.status.setText(error_text(exc))
            return None
        self.stop()
        self.model.removeRows(0, self.model.rowCount())
        limit = self.settings().services.query_result_limit
        request = FindRequest(node, identifier, self._model(), self._local(), limit)
        number = self.worker.start(request)
        self._search = number
        self._parents[number] = None
        self._counts[number] = 0
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Searching %1 …").replace("%1", node.name))
        return number

    def stop(self) -> None:
        if self._search is not None:
            self.worker.cancel(self._search)

    def clear(self) -> None:
        self.stop()
        self.model.removeRows(0, self.model.rowCount())
        self.status.clear()

    def _on_expanded(self, index: QModelIndex) -> None:
        item = self.model.itemFromIndex(index.siblingAtColumn(0))
        if item is None or item.data(LOADED_ROLE):
            return
        item.setData(True, LOADED_ROLE)
        level = QRLevel(item.data(LEVEL_ROLE))
        keys = dict(item.data(KEYS_ROLE) or {})
        node = self._node()
        if node is None or level not in CHILD:
            return
        try:
            identifier = children_query(
                self._model(), CHILD[level], keys.get("patient_id", ""),
                keys.get("study_uid", ""), keys.get("series_uid", ""),
            )  # fmt: skip
        except WorkstationError as exc:
            item.removeRows(0, item.rowCount())
            item.appendRow(self._note(error_text(exc)))
            return
        number = self.worker.start(FindRequest(node, identifier, self._model(), self._local()))
        self._parents[number] = item
        self._counts[number] = 0

    def _note(self, text: str) -> list[QStandardItem]:
        note = QStandardItem(text)
        note.setEnabled(False)
        return [note] + [QStandardItem("") for _ in self.COLUMNS[1:]]

    def _row(self, ds: Dataset, parent_keys: dict) -> list[QStandardItem]:
        level = QRLevel(str(ds.get("QueryRetrieveLevel", "") or "STUDY").strip().upper())
        keys = dict(parent_keys)
        keys.update(
            {k: str(ds.get(kw, "") or keys.get(k, "")) for k, kw in (
                ("patient_id", "PatientID"), ("study_uid", "StudyInstanceUID"),
                ("series_uid", "SeriesInstanceUID"), ("sop_uid", "SOPInstanceUID"))}
        )  # fmt: skip
        if level is QRLevel.PATIENT:
            first = _text(ds, "PatientName") or self.tr("(no name)")
            count = _text(ds, "NumberOfPatientRelatedInstances")
            date, modality, description = "", "", ""
        elif level is QRLevel.STUDY:
            name = _text(ds, "PatientName")
            first = f"{name} — {_text(ds, 'StudyDescription')}".strip(" —") or self.tr("Study")
            date, modality = _text(ds, "StudyDate"), _text(ds, "ModalitiesInStudy")
            description, count = (
                _text(ds, "StudyDescription"),
                _text(ds, "NumberOfStudyRelatedInstances"),
            )
        elif level is QRLevel.SERIES:
            first = self.tr("Series %1").replace("%1", _text(ds, "SeriesNumber"))
            date, modality = _text(ds, "SeriesDate"), _text(ds, "Modality")
            description = _text(ds, "SeriesDescription")
            count = _text(ds, "NumberOfSeriesRelatedInstances")
        else:
            first = self.tr("Image %1").replace("%1", _text(ds, "InstanceNumber"))
            date, modality, description = _text(ds, "ContentDate"), "", ""
            count = _text(ds, "NumberOfFrames")
        values = [first, _text(ds, "PatientID"), _text(ds, "PatientBirthDate"), date, modality,
                  description, _text(ds, "AccessionNumber"), count]  # fmt: skip
        items = [QStandardItem(v) for v in values]
        items[0].setData(level.value, LEVEL_ROLE)
        items[0].setData(keys, KEYS_ROLE)
        items[0].setData(False, LOADED_ROLE)
        if level in CHILD:
            items[0].appendRow(self._note(self.tr("Loading …")))
        return items

    def _on_match(self, number: int, ds: object) -> None:
        if number not in self._parents or not isinstance(ds, Dataset):
            return
        parent = self._parents[number]
        if parent is not None and self._counts[number] == 0:
            parent.removeRows(0, parent.rowCount())  # the "Loading …" line
        parent_keys = dict(parent.data(KEYS_ROLE) or {}) if parent is not None else {}
        row = self._row(ds, parent_keys)
        (parent or self.model.invisibleRootItem()).appendRow(row)
        self._counts[number] += 1
        if number == self._search:
            self.status.setText(self.tr("%1 matches so far …").replace("%1",
                                str(self._counts[number])))  # fmt: skip

    def _on_done(self, number: int, outcome: object) -> None:
        parent = self._parents.pop(number, None)
        count = self._counts.pop(number, 0)
        if not isinstance(outcome, FindOutcome):
            return
        if parent is not None:
            if count == 0:
                parent.removeRows(0, parent.rowCount())
                text = error_text(outcome.error) if outcome.error else self.tr("Nothing found.")
                parent.appendRow(self._note(text))
            elif outcome.error is not None:
                parent.appendRow(self._note(error_text(outcome.error)))
            return
        if number != self._search:
            return
        self._search = None
        self.last_outcome = outcome
        self.cancel_button.setEnabled(False)
        self.status.setText(self._summary(count, outcome))
        self.tree.resizeColumnToContents(3)

    def _summary(self, count: int, outcome: FindOutcome) -> str:
        found = self.tr("%1 matches.").replace("%1", str(count))
        if outcome.error is not None:
            return self.tr("The query failed after %1 matches: %2").replace(
                "%1", str(count)).replace("%2", error_text(outcome.error))  # fmt: skip
        if outcome.limit_reached:
            return (
                found
                + " "
                + self.tr(
                    "The list is incomplete: the limit of %1 results was reached. Narrow the search."
                ).replace("%1", str(count))
            )
        if outcome.cancelled:
            return found + " " + self.tr("Stopped: the list is incomplete.")
        return found

    # -- retrieving --------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        self.retrieve_button.setEnabled(bool(self.selected_rows()))

    def selected_rows(self) -> list[tuple[QRLevel, dict]]:
        rows = []
        for index in self.tree.selectionModel().selectedRows(0):
            item = self.model.itemFromIndex(index)
            if item is not None and item.data(LEVEL_ROLE):
                rows.append((QRLevel(item.data(LEVEL_ROLE)), dict(item.data(KEYS_ROLE) or {})))
        return rows

    def retrieve_selected(self) -> list[int]:
        """One retrieve job per level of the selected rows; returns the job ids."""
        node = self._node()
        rows = self.selected_rows()
        if node is None or not rows:
            return []
        method = str(self.method_combo.currentData())
        model = self._model()
        by_level: dict[QRLevel, list[dict]] = {}
        for level, keys in rows:
            by_level.setdefault(level, []).append(keys)
        jobs = []
        for level, group in by_level.items():
            if level is QRLevel.PATIENT:  # a patient: all its studies, by patient ID
                for keys in group:
                    params = retrieve_params(
                        node.name, method, QRLevel.PATIENT, model=QRModel.PATIENT,
                        patient_id=keys.get("patient_id", ""),
                    )  # fmt: skip
                    jobs.append(self.queue.submit(RETRIEVE_KIND, params))
                continue
            params = retrieve_params(
                node.name, method, level, model=model,
                study_uids=sorted({k["study_uid"] for k in group if k.get("study_uid")}),
                series_uids=sorted({k["series_uid"] for k in group if k.get("series_uid")})
                if level in (QRLevel.SERIES, QRLevel.IMAGE) else (),
                sop_uids=[k["sop_uid"] for k in group if k.get("sop_uid")]
                if level is QRLevel.IMAGE else (),
                patient_id=group[0].get("patient_id", ""),
            )  # fmt: skip
            jobs.append(self.queue.submit(RETRIEVE_KIND, params))
        self.status.setText(
            self.tr("Retrieve started (%1 jobs): see the job panel for progress.").replace(
                "%1", str(len(jobs))
            )
        )
        self.retrieve_submitted.emit(jobs)
        return jobs

    def shutdown(self) -> None:
        self.worker.shutdown()
