"""Tools > Storage cleanup: disk space, studies by size and age, protect, delete, auto policy.

Deletion runs on a worker thread (storage_deletion.py, joined before the dialog goes
away) behind a progress dialog that can cancel between studies; every deletion is logged
by the store layer. The policy box is storage_policy.py.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import Settings
from workstation.errors import WorkstationError
from workstation.store.cleanup import (
    CleanupPolicy,
    DeleteReport,
    IsProtectedFn,
    StudyUsage,
    disk_usage,
    is_protected,
    set_protected,
    study_usage,
)
from workstation.store.local_store import LocalStore
from workstation.ui.storage_deletion import DeletionRun
from workstation.ui.storage_model import (
    UID_ROLE,
    Column,
    StudyUsageFilter,
    StudyUsageModel,
    format_da,
    format_mb,
    format_person_name,
    format_size,
)
from workstation.ui.storage_policy import CleanupPolicyBox, PolicyCallback

log = logging.getLogger(__name__)

_JOIN_TIMEOUT_S = 60.0
_CONFIRM_LIST_MAX = 5


class StorageCleanupDialog(QDialog):
    """Lists stored studies with their size; protects and deletes them; edits the policy."""

    deletion_finished = Signal(object)  # DeleteReport

    def __init__(
        self,
        store: LocalStore,
        settings: Settings | None = None,
        on_policy_changed: PolicyCallback | None = None,
        is_protected_fn: IsProtectedFn | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings or Settings()
        self._is_protected_fn = is_protected_fn
        self._run: DeletionRun | None = None
        self._progress: QProgressDialog | None = None
        self.setWindowTitle(self.tr("Storage cleanup"))
        self.resize(1100, 700)

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_disk_box())
        layout.addLayout(self._build_filter_row())
        self.table = self._build_table()
        layout.addWidget(self.table, 1)
        layout.addLayout(self._build_action_row())
        self.policy_box = CleanupPolicyBox(
            CleanupPolicy.from_settings(self._settings),
            self._settings.storage.min_free_space_mb,
            on_policy_changed,
        )
        layout.addWidget(self.policy_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    # -- building ----------------------------------------------------------------------
    def _build_disk_box(self) -> QWidget:
        box = QGroupBox(self.tr("Disk space"))
        row = QVBoxLayout(box)
        self.disk_bar = QProgressBar()
        self.disk_bar.setRange(0, 1000)
        self.disk_bar.setTextVisible(False)
        self.disk_label = QLabel()
        self.refuse_label = QLabel()
        self.refuse_label.setWordWrap(True)
        row.addWidget(self.disk_label)
        row.addWidget(self.disk_bar)
        row.addWidget(self.refuse_label)
        return box

    def _build_filter_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.older_check = QCheckBox(self.tr("Older than"))
        self.older_days = QSpinBox()
        self.older_days.setRange(1, 36_500)
        self.older_days.setValue(365)
        self.older_days.setSuffix(self.tr(" days"))
        self.larger_check = QCheckBox(self.tr("Larger than"))
        self.larger_mb = QDoubleSpinBox()
        self.larger_mb.setDecimals(1)
        self.larger_mb.setRange(0, 10_000_000)
        self.larger_mb.setValue(100)
        self.larger_mb.setSuffix(self.tr(" MB"))
        self.order_combo = QComboBox()
        self.order_combo.addItem(self.tr("Oldest study date first"), Column.STUDY_DATE)
        self.order_combo.addItem(self.tr("Largest first"), Column.SIZE)
        self.order_combo.addItem(self.tr("Least recently opened first"), Column.LAST_ACCESS)
        for w in (self.older_check, self.older_days, self.larger_check, self.larger_mb):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(QLabel(self.tr("Order:")))
        row.addWidget(self.order_combo)
        self.older_check.toggled.connect(self._apply_filters)
        self.older_days.valueChanged.connect(self._apply_filters)
        self.larger_check.toggled.connect(self._apply_filters)
        self.larger_mb.valueChanged.connect(self._apply_filters)
        self.order_combo.currentIndexChanged.connect(self._apply_order)
        return row

    def _build_table(self) -> QTableView:
        self.model = StudyUsageModel(self)
        self.proxy = StudyUsageFilter(self)
        self.proxy.setSourceModel(self.model)
        table = QTableView()
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        table.sortByColumn(Column.STUDY_DATE, Qt.SortOrder.AscendingOrder)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        return table

    def _build_action_row(self) -> QVBoxLayout:
        row = QHBoxLayout()
        self.selection_label = QLabel()
        self.protect_button = QPushButton(self.tr("Protect"))
        self.protect_button.setToolTip(self.tr("Never delete these studies"))
        self.unprotect_button = QPushButton(self.tr("Unprotect"))
        self.delete_button = QPushButton(self.tr("Delete selected…"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.protect_button.clicked.connect(lambda: self.set_selected_protected(True))
        self.unprotect_button.clicked.connect(lambda: self.set_selected_protected(False))
        self.delete_button.clicked.connect(self.delete_selected)
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.selection_label, 1)
        for b in (self.protect_button, self.unprotect_button, self.delete_button):
            row.addWidget(b)
        row.addSpacing(24)
        row.addWidget(self.refresh_button)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        outer = QVBoxLayout()
        outer.addLayout(row)
        outer.addWidget(self.result_label)
        return outer

    # -- data ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the studies and the disk space again, keeping the selection where possible."""
        keep = {u.study_uid for u in self.selected_studies()}
        self.model.set_studies(study_usage(self._store.index))
        self.select_studies(keep)
        self._show_disk()
        self._selection_changed()

    def _show_disk(self) -> None:
        du = disk_usage(self._store)
        self.policy_box.set_free_mb(du.free_mb)
        used = 1.0 - du.free_mb / du.total_mb if du.total_mb > 0 else 0.0
        self.disk_bar.setValue(round(used * 1000))
        n = self.model.rowCount()
        self.disk_label.setText(
            self.tr("%1 free of %2 (%3 % used) · Store: %4 in %5")
            .replace("%1", format_mb(du.free_mb))
            .replace("%2", format_mb(du.total_mb))
            .replace("%3", f"{used * 100:.0f}")
            .replace("%4", format_mb(du.store_mb))
            .replace("%5", self._studies_text(n))
        )
        refuse = self._settings.storage.min_free_space_mb
        text = self.tr("New images are refused when less than %1 is free.").replace(
            "%1", format_mb(refuse)
        )
        if du.free_mb < refuse:
            text = "<b>" + self.tr("Images are being refused now: free space is too low.") + "</b> "
            text += self.tr("Delete studies to receive images again.")
        self.refuse_label.setText(text)

    def _studies_text(self, n: int) -> str:
        return self.tr("1 study") if n == 1 else self.tr("%1 studies").replace("%1", str(n))

    def _apply_filters(self) -> None:
        older = None
        if self.older_check.isChecked():
            older = date.today() - timedelta(days=self.older_days.value())
        self.proxy.set_older_than(older)
        self.proxy.set_larger_than_mb(
            float(self.larger_mb.value()) if self.larger_check.isChecked() else None
        )
        self._selection_changed()

    def _apply_order(self) -> None:
        column = self.order_combo.currentData()
        order = Qt.SortOrder.AscendingOrder
        if column == Column.SIZE:
            order = Qt.SortOrder.DescendingOrder
        self.table.sortByColumn(column, order)

    # -- selection -----------------------------------------------------------------------
    def selected_studies(self) -> list[StudyUsage]:
        if not hasattr(self, "table"):
            return []
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [self.model.study(self.proxy.mapToSource(i).row()) for i in rows]

    def select_studies(self, uids: set[str]) -> None:
        sel = self.table.selectionModel()
        sel.clearSelection()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(UID_ROLE) in uids:
                sel.select(
                    index,
                    sel.SelectionFlag.Select | sel.SelectionFlag.Rows,
                )

    def _selection_changed(self, *args: object) -> None:
        chosen = self.selected_studies()
        shown = self.proxy.rowCount()
        if chosen:
            size = sum(u.size_bytes for u in chosen)
            text = self.tr("%1 selected (%2)").replace("%1", self._studies_text(len(chosen)))
            text = text.replace("%2", format_size(size))
        else:
            text = self.tr("%1 shown").replace("%1", self._studies_text(shown))
        self.selection_label.setText(text)
        busy = self._run is not None
        self.protect_button.setEnabled(not busy and any(not u.protected for u in chosen))
        self.unprotect_button.setEnabled(not busy and any(u.protected for u in chosen))
        self.delete_button.setEnabled(not busy and bool(chosen))

    # -- protect -------------------------------------------------------------------------
    def set_selected_protected(self, protected: bool) -> None:
        for u in self.selected_studies():
            try:
                set_protected(self._store.index, u.study_uid, protected)
            except WorkstationError:
                pass  # deleted meanwhile: the refresh drops it from the table
        self.refresh()

    # -- delete --------------------------------------------------------------------------
    def delete_selected(self) -> None:
        """Ask, then delete the selected unprotected studies on a worker thread."""
        chosen = self.selected_studies()
        if not chosen or self._run is not None:
            return
        deletable = [u for u in chosen if not is_protected(u, self._is_protected_fn)]
        kept = len(chosen) - len(deletable)
        title = self.tr("Delete studies")
        if not deletable:
            QMessageBox.information(
                self, title, self.tr("The selected studies are protected. Unprotect them first.")
            )
            return
        size = sum(u.size_bytes for u in deletable)
        text = (
            self.tr("Permanently delete %1 (%2) from this workstation?")
            .replace("%1", self._studies_text(len(deletable)))
            .replace("%2", format_size(size))
        )
        lines = [
            f"• {format_person_name(u.patient_name)} ({u.patient_id}) · {format_da(u.study_date)}"
            f" · {u.modalities} · {format_size(u.size_bytes)}"
            for u in deletable[:_CONFIRM_LIST_MAX]
        ]
        if len(deletable) > _CONFIRM_LIST_MAX:
            lines.append(
                self.tr("… and %1 more").replace("%1", str(len(deletable) - _CONFIRM_LIST_MAX))
            )
        text += "\n\n" + "\n".join(lines)
        if kept:
            text += "\n\n" + self.tr("%1 protected in the selection will be kept.").replace(
                "%1", self._studies_text(kept)
            )
        text += "\n\n" + self.tr("Images not stored elsewhere (PACS) are lost.")
        action = self.tr("Delete %1").replace("%1", self._studies_text(len(deletable)))
        if not self._confirm(title, text, action):
            return
        self._start_deletion([u.study_uid for u in deletable])

    def _confirm(self, title: str, text: str, action: str) -> bool:
        """A warning box whose destructive button names the action; Cancel is the default."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        delete = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        confirmed = box.clickedButton() is delete
        box.deleteLater()
        return confirmed

    def _start_deletion(self, uids: list[str]) -> None:
        self._run = DeletionRun(self._store, uids, self._is_protected_fn)
        self._progress = QProgressDialog(
            self.tr("Deleting studies…"), self.tr("Cancel"), 0, len(uids), self
        )
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(400)
        self._progress.setAutoClose(False)
        self._progress.setAutoReset(False)
        self._progress.canceled.connect(self._run.cancel)
        self._run.progress.connect(self._deletion_progress)
        self._run.finished.connect(self._deletion_done)
        self._selection_changed()
        self._run.start()

    @property
    def deleting(self) -> bool:
        return self._run is not None

    def _deletion_progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.setValue(done)

    def _deletion_done(self, report: DeleteReport) -> None:
        if self._run is not None:
            self._run.join(_JOIN_TIMEOUT_S)
            self._run = None
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        parts = [
            self.tr("Deleted %1, %2 freed.")
            .replace("%1", self._studies_text(len(report.deleted)))
            .replace("%2", format_size(report.freed_bytes))
        ]
        if report.cancelled:
            parts.append(self.tr("Cancelled before the end."))
        if report.skipped_protected:
            parts.append(
                self.tr("%1 kept: protected.").replace(
                    "%1", self._studies_text(len(report.skipped_protected))
                )
            )
        if report.failed:
            parts.append(
                self.tr("%1 could not be deleted (see the log).").replace(
                    "%1", self._studies_text(len(report.failed))
                )
            )
        self.result_label.setText(" ".join(parts))
        self.refresh()
        self.deletion_finished.emit(report)

    def done(self, result: int) -> None:
        """Closing while deleting: stop after the current study and wait for the thread."""
        if self._run is not None:
            self._run.cancel()
            if not self._run.join(_JOIN_TIMEOUT_S):
                log.error("study deletion thread did not stop within %.0f s", _JOIN_TIMEOUT_S)
            self._run = None
        super().done(result)


def open_storage_cleanup(
    parent: QWidget | None,
    store: LocalStore,
    settings: Settings,
    on_policy_changed: PolicyCallback | None,
    is_protected_fn: IsProtectedFn | None = None,
) -> None:
    """Show the storage cleanup dialog modally (Tools > Storage cleanup…)."""
    dialog = StorageCleanupDialog(store, settings, on_policy_changed, is_protected_fn, parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
