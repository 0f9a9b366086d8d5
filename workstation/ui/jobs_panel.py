"""The job panel: every job, newest first, with its state, progress and last error.

A table over :class:`JobsTableModel`; Cancel, Retry, Remove and Log act on the selected
jobs and are enabled only where the state allows it. The panel follows the queue through
:class:`QueueSignals`, so changes made on the worker thread arrive on the GUI thread.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.jobs import INTERRUPTED, Job, JobQueue, JobState
from workstation.ui.job_worker import JobWorker, QueueSignals

Index = QModelIndex | QPersistentModelIndex

JOB_ROLE = Qt.ItemDataRole.UserRole + 1  # the Job itself
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2  # (done, total, state) for the delegate

COLUMNS = ("kind", "description", "state", "progress", "attempts", "error", "updated")
KIND, DESCRIPTION, STATE, PROGRESS, ATTEMPTS, ERROR, UPDATED = range(len(COLUMNS))

STATE_COLOURS = {
    JobState.QUEUED: QColor("#5a6470"),  # slate: waiting its turn
    JobState.RUNNING: QColor("#1565c0"),  # blue: working
    JobState.SUCCEEDED: QColor("#2e7d32"),  # green: done
    JobState.FAILED: QColor("#c62828"),  # red: needs attention
    JobState.CANCELLED: QColor("#757575"),  # grey: stopped by the user
}


class JobsTableModel(QAbstractTableModel):
    """All jobs of a queue, newest first; :meth:`refresh_job` follows one change."""

    def __init__(self, queue: JobQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self._jobs: list[Job] = []
        self.reload()

    # -- keeping up with the queue --------------------------------------------------------
    def reload(self) -> None:
        self.beginResetModel()
        self._jobs = sorted(self.queue.list(), key=lambda j: j.id, reverse=True)
        self.endResetModel()

    def row_of(self, job_id: int) -> int | None:
        for row, job in enumerate(self._jobs):
            if job.id == job_id:
                return row
        return None

    def job_at(self, row: int) -> Job | None:
        return self._jobs[row] if 0 <= row < len(self._jobs) else None

    def refresh_job(self, job_id: int) -> None:
        job = self.queue.get(job_id)
        row = self.row_of(job_id)
        if job is None:
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._jobs[row]
                self.endRemoveRows()
        elif row is None:
            at = next((r for r, j in enumerate(self._jobs) if j.id < job.id), len(self._jobs))
            self.beginInsertRows(QModelIndex(), at, at)
            self._jobs.insert(at, job)
            self.endInsertRows()
        else:
            self._jobs[row] = job
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("Job"),
                self.tr("What"),
                self.tr("State"),
                self.tr("Progress"),
                self.tr("Attempts"),
                self.tr("Last error"),
                self.tr("Updated"),
            )[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        job = self.job_at(index.row()) if index.isValid() else None
        if job is None:
            return None
        col = index.column()
        if role == JOB_ROLE:
            return job
        if role == PROGRESS_ROLE:
            return (job.done, job.total, job.state)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(job, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(job)
        if col == STATE and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(STATE_COLOURS[job.state])
        if col == STATE and role == Qt.ItemDataRole.FontRole and job.state is JobState.FAILED:
            font = QFont()
            font.setBold(True)
            return font
        if col in (ATTEMPTS, PROGRESS) and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    # -- words a technologist understands ------------------------------------------------
    def kind_text(self, kind: str) -> str:
        return {
            "import": self.tr("Import"),
            "send": self.tr("Send"),
            "retrieve": self.tr("Retrieve"),
            "commit": self.tr("Storage commitment"),
            "commit-report": self.tr("Commitment report"),
            "commit-expiry": self.tr("Commitment deadline"),
            "mpps-create": self.tr("Procedure step started (MPPS)"),
            "mpps-set": self.tr("Procedure step ended (MPPS)"),
            "storage_cleanup": self.tr("Storage cleanup"),
            "print": self.tr("Print"),
            "burn": self.tr("Burn media"),
        }.get(kind, kind)

    def state_text(self, job: Job) -> str:
        if job.state is JobState.RUNNING and job.cancel_requested:
            return self.tr("Cancelling…")
        if job.state is JobState.QUEUED and job.attempts > 0 and job.next_attempt_at > time.time():
            return self.tr("Retry at %1").replace("%1", _when(job.next_attempt_at))
        return {
            JobState.QUEUED: self.tr("Waiting"),
            JobState.RUNNING: self.tr("Running"),
            JobState.SUCCEEDED: self.tr("Done"),
            JobState.FAILED: self.tr("Failed"),
            JobState.CANCELLED: self.tr("Cancelled"),
        }[job.state]

    def description(self, job: Job) -> str:
        paths = job.params.get("paths") if job.kind == "import" else None
        if isinstance(paths, list) and paths:
            if len(paths) == 1:
                return str(paths[0])
            return self.tr("%1 and %n more", "", len(paths) - 1).replace("%1", str(paths[0]))
        if job.result and job.state is JobState.SUCCEEDED:
            return job.result
        described = self._network_description(job)
        if described:
            return described
        return ", ".join(f"{k}={v}" for k, v in sorted(job.params.items()))

    def _network_description(self, job: Job) -> str:
        """Send, retrieve and commit jobs in words: what goes where."""
        p = job.params
        node = p.get("node")
        name = node.get("name", "") if isinstance(node, dict) else str(node or "")
        if job.kind == "send":
            count = len(p.get("uids") or [])
            return self.tr("%1 item(s) to %2").replace("%1", str(count)).replace("%2", name)
        if job.kind == "retrieve":
            uids = [*(p.get("study_uids") or []), *(p.get("series_uids") or [])]
            what = str(p.get("level", "")).lower()
            method = "C-GET" if p.get("method") == "get" else "C-MOVE"
            return (
                self.tr("%1 %2 from %3 (%4)")
                .replace("%1", str(max(len(uids), 1)))
                .replace("%2", what)
                .replace("%3", name)
                .replace("%4", method)
            )
        if job.kind == "commit":
            count = len(p.get("references") or [])
            return self.tr("%1 instance(s) at %2").replace("%1", str(count)).replace("%2", name)
        if job.kind == "commit-report":
            return self.tr("report owed to %1").replace("%1", str(p.get("calling_ae", "")))
        if job.kind == "commit-expiry":
            return self.tr("waiting for the report of %1").replace(
                "%1", str(p.get("transaction_uid", ""))
            )
        return ""

    def progress_text(self, job: Job) -> str:
        if job.total > 0:
            return self.tr("%1 of %2").replace("%1", str(job.done)).replace("%2", str(job.total))
        return "" if job.state is not JobState.RUNNING else self.tr("starting…")

    def error_text(self, job: Job) -> str:
        if not job.last_error:
            return ""
        if job.last_error == INTERRUPTED:
            return self.tr("Interrupted by a restart")
        return job.last_error

    def _text(self, job: Job, col: int) -> str:
        if col == KIND:
            return self.kind_text(job.kind)
        if col == DESCRIPTION:
            return self.description(job)
        if col == STATE:
            return self.state_text(job)
        if col == PROGRESS:
            return self.progress_text(job)
        if col == ATTEMPTS:
            return (
                self.tr("%1 of %2")
                .replace("%1", str(job.attempts))
                .replace("%2", str(job.max_attempts))
            )
        if col == ERROR:
            return self.error_text(job)
        if col == UPDATED:
            return _when(job.updated_at)
        return ""

    def _tooltip(self, job: Job) -> str:
        lines = [f"{self.kind_text(job.kind)} #{job.id}: {self.state_text(job)}"]
        if job.message and job.state is JobState.RUNNING:
            lines.append(job.message)
        if job.result:
            lines.append(job.result)
        if job.last_error:
            lines.append(self.tr("Last error: %1").replace("%1", self.error_text(job)))
        return "\n".join(lines)


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a progress bar (a busy bar while the total is unknown)."""

    def paint(self, painter, option: QStyleOptionViewItem, index: Index) -> None:
        value = index.data(PROGRESS_ROLE)
        if not value:
            return super().paint(painter, option, index)
        done, total, state = value
        if total <= 0 and state is not JobState.RUNNING:
            return super().paint(painter, option, index)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum = 0
        bar.maximum = max(0, total)  # 0..0: Qt's busy indicator
        bar.progress = max(0, min(done, total))
        bar.text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)


class JobLogDialog(QDialog):
    """The job's short log, read-only."""

    def __init__(self, job: Job, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setPlainText("\n".join(job.log))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(760, 420)


class JobsPanel(QWidget):
    """The job panel over ``queue``; with ``worker`` it also wakes the runner on a retry."""

    def __init__(
        self, queue: JobQueue, worker: JobWorker | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.queue = queue
        self.worker = worker
        self.model = JobsTableModel(queue, self)
        self.signals = QueueSignals(queue, self)
        self.signals.changed.connect(self.model.refresh_job)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ERROR, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(PROGRESS, 160)
        header.resizeSection(STATE, 130)
        self.table.doubleClicked.connect(self._on_double_click)

        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.retry_button = QPushButton(self.tr("Retry"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.log_button = QPushButton(self.tr("Log…"), self)
        self.cancel_button.setToolTip(self.tr("Stop the selected jobs"))
        self.retry_button.setToolTip(self.tr("Run the selected failed or cancelled jobs again"))
        self.remove_button.setToolTip(self.tr("Remove the selected jobs from the list"))
        self.log_button.setToolTip(self.tr("Show what the selected job did"))
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.retry_button.clicked.connect(self.retry_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.log_button.clicked.connect(self._on_log_button)

        buttons = QHBoxLayout()
        for b in (self.cancel_button, self.retry_button, self.remove_button, self.log_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

        self.table.selectionModel().selectionChanged.connect(self.update_buttons)
        for sig in (self.model.dataChanged, self.model.rowsInserted, self.model.rowsRemoved):
            sig.connect(self.update_buttons)
        self.model.modelReset.connect(self.update_buttons)
        self._dialogs: list[JobLogDialog] = []
        self.update_buttons()

    # -- selection -------------------------------------------------------------------------
    def selected_jobs(self) -> list[Job]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [j for j in (self.model.job_at(r) for r in rows) if j is not None]

    def select_job(self, job_id: int) -> bool:
        row = self.model.row_of(job_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def update_buttons(self, *_: object) -> None:
        jobs = self.selected_jobs()
        self.cancel_button.setEnabled(any(j.can_cancel for j in jobs))
        self.retry_button.setEnabled(any(j.can_retry for j in jobs))
        self.remove_button.setEnabled(any(j.can_remove for j in jobs))
        self.log_button.setEnabled(len(jobs) == 1)

    # -- actions ---------------------------------------------------------------------------
    def cancel_selected(self) -> None:
        for job in self.selected_jobs():
            if job.can_cancel:
                self.queue.cancel(job.id)

    def retry_selected(self) -> None:
        retried = [job.id for job in self.selected_jobs() if job.can_retry]
        for job_id in retried:
            self.queue.retry(job_id)
        if retried and self.worker is not None:
            self.worker.wake()

    def remove_selected(self) -> None:
        for job in self.selected_jobs():
            if job.can_remove:
                self.queue.remove(job.id)

    def show_log(self, job_id: int) -> JobLogDialog | None:
        job = self.queue.get(job_id)
        if job is None:
            return None
        title = self.tr("Log of %1 #%2").replace("%1", self.model.kind_text(job.kind))
        dialog = JobLogDialog(job, title.replace("%2", str(job.id)), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda *_: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        dialog.open()
        return dialog

    def _on_log_button(self) -> None:
        jobs = self.selected_jobs()
        if len(jobs) == 1:
            self.show_log(jobs[0].id)

    def _on_double_click(self, index: QModelIndex) -> None:
        job = self.model.job_at(index.row())
        if job is not None:
            self.show_log(job.id)

    def detach(self) -> None:
        """Stop following the queue (call before the queue is closed)."""
        self.signals.detach()


def _when(epoch: float) -> str:
    moment = QDateTime.fromMSecsSinceEpoch(int(epoch * 1000))
    if moment.date() == QDateTime.currentDateTime().date():
        return moment.toString("HH:mm:ss")
    return moment.toString("yyyy-MM-dd HH:mm")
