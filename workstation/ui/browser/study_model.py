"""The study table model: a lazy, paged view of the store's studies.

Rows come a page at a time (``canFetchMore`` / ``fetchMore``), so the view asks for more
only while the user scrolls; a filter or sort change costs one count and one page, at
any store size. :meth:`refresh` re-reads what is loaded (new arrivals, deletions) and
resets the model only when the order of studies changed; otherwise it updates cells.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from workstation.store.archive_status import ArchiveFlag, ArchiveStatus, StudyArchive
from workstation.store.browse import (
    StudyColumn,
    StudyFilter,
    StudyRow,
    count_studies,
    page_studies,
)
from workstation.store.index import StoreIndex
from workstation.ui.browser import formatting

log = logging.getLogger(__name__)

COLUMNS: list[StudyColumn] = list(StudyColumn)
NUMERIC = {StudyColumn.NUM_SERIES, StudyColumn.NUM_IMAGES}
STUDY_UID_ROLE = Qt.ItemDataRole.UserRole + 1
ARCHIVE_ROLE = Qt.ItemDataRole.UserRole + 2  # the StudyArchive of the row
# the last column: where the study stands with the archive (sent, committed, ...)
ARCHIVE_COLUMN = len(COLUMNS)
_FLAG_COLOURS = {
    ArchiveFlag.COMMITTED: QColor(0, 128, 0),
    ArchiveFlag.SENT: QColor(40, 90, 160),
    ArchiveFlag.COMMIT_PENDING: QColor(160, 110, 0),
    ArchiveFlag.PARTLY_SENT: QColor(190, 100, 0),
    ArchiveFlag.PARTLY_COMMITTED: QColor(190, 100, 0),
    ArchiveFlag.SEND_FAILED: QColor(190, 0, 0),
    ArchiveFlag.COMMIT_FAILED: QColor(190, 0, 0),
}


def flag_text(flag: ArchiveFlag) -> str:
    return {
        ArchiveFlag.COMMITTED: QCoreApplication.translate("StudyTableModel", "Committed"),
        ArchiveFlag.SENT: QCoreApplication.translate("StudyTableModel", "Sent"),
        ArchiveFlag.COMMIT_PENDING: QCoreApplication.translate("StudyTableModel", "Commit pending"),
        ArchiveFlag.PARTLY_SENT: QCoreApplication.translate("StudyTableModel", "Partly sent"),
        ArchiveFlag.PARTLY_COMMITTED: QCoreApplication.translate(
            "StudyTableModel", "Partly committed"
        ),
        ArchiveFlag.SEND_FAILED: QCoreApplication.translate("StudyTableModel", "Send failed"),
        ArchiveFlag.COMMIT_FAILED: QCoreApplication.translate("StudyTableModel", "Commit failed"),
    }[flag]


def archive_text(archive: StudyArchive | None) -> str:
    """The cell: the worst node's flag and name, '+n' for more nodes; 'Not sent'."""
    if archive is None or archive.worst is None:
        return QCoreApplication.translate("StudyTableModel", "Not sent")
    worst = archive.worst
    more = f" +{len(archive.flags) - 1}" if len(archive.flags) > 1 else ""
    return f"{flag_text(worst.flag)} · {worst.node_name}{more}"


def archive_tooltip(archive: StudyArchive | None) -> str:
    if archive is None or not archive.flags:
        return QCoreApplication.translate("StudyTableModel", "Not sent to any node")
    return "\n".join(f"{f.node_name}: {flag_text(f.flag)}" for f in archive.flags)


_Index = QModelIndex | QPersistentModelIndex


def _headers() -> dict[StudyColumn, str]:
    return {
        StudyColumn.PATIENT_NAME: QCoreApplication.translate("StudyTableModel", "Patient name"),
        StudyColumn.PATIENT_ID: QCoreApplication.translate("StudyTableModel", "Patient ID"),
        StudyColumn.BIRTH_DATE: QCoreApplication.translate("StudyTableModel", "Birth date"),
        StudyColumn.SEX: QCoreApplication.translate("StudyTableModel", "Sex"),
        StudyColumn.STUDY_DATE: QCoreApplication.translate("StudyTableModel", "Study date"),
        StudyColumn.STUDY_TIME: QCoreApplication.translate("StudyTableModel", "Time"),
        StudyColumn.DESCRIPTION: QCoreApplication.translate("StudyTableModel", "Study description"),
        StudyColumn.MODALITIES: QCoreApplication.translate("StudyTableModel", "Modalities"),
        StudyColumn.ACCESSION: QCoreApplication.translate("StudyTableModel", "Accession no."),
        StudyColumn.NUM_SERIES: QCoreApplication.translate("StudyTableModel", "Series"),
        StudyColumn.NUM_IMAGES: QCoreApplication.translate("StudyTableModel", "Images"),
    }


def display_value(row: StudyRow, column: StudyColumn) -> str:
    value = row.value(column)
    if column is StudyColumn.PATIENT_NAME:
        return formatting.person_name(str(value))
    if column in (StudyColumn.BIRTH_DATE, StudyColumn.STUDY_DATE):
        return formatting.dicom_date(str(value))
    if column is StudyColumn.STUDY_TIME:
        return formatting.dicom_time(str(value))
    if column is StudyColumn.SEX:
        return formatting.sex(str(value))
    return str(value)


class StudyTableModel(QAbstractTableModel):
    """Studies matching :attr:`filter`, sorted by one column, loaded a page at a time."""

    PAGE_SIZE = 200

    #: the number of matching studies changed (after a filter, sort or refresh)
    total_changed = Signal(int)

    def __init__(self, index: StoreIndex, parent: Any = None) -> None:
        super().__init__(parent)
        self._index = index
        self._filter = StudyFilter()
        self._sort = StudyColumn.STUDY_DATE
        self._descending = True
        self._rows: list[StudyRow] = []
        self._total = 0
        self._headers = _headers()
        self.archive_status = ArchiveStatus(index)
        self._archive: dict[str, StudyArchive] = {}
        self.reload()

    # -- what is shown ---------------------------------------------------------------
    @property
    def filter(self) -> StudyFilter:
        return self._filter

    @property
    def sort_column(self) -> StudyColumn:
        return self._sort

    @property
    def descending(self) -> bool:
        return self._descending

    def total(self) -> int:
        """Studies matching the filter (loaded or not)."""
        return self._total

    def set_filter(self, flt: StudyFilter) -> None:
        self._filter = flt
        self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = COLUMNS[column]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def reload(self) -> None:
        """Forget the loaded rows; count again and load the first page."""
        self.beginResetModel()
        self._total = count_studies(self._index, self._filter)
        self._rows = self._page(0, self.PAGE_SIZE)
        self._archive = self._read_archive(self._rows)
        self.endResetModel()
        self.total_changed.emit(self._total)

    def refresh(self) -> None:
        """Re-read the loaded range (at least a page): the store changed underneath.

        Cells are updated in place when the same studies are still in the same order,
        so the view keeps its selection and scroll position; otherwise the model resets
        (the browser restores the selection by Study Instance UID).
        """
        total = count_studies(self._index, self._filter)
        rows = self._page(0, max(len(self._rows), self.PAGE_SIZE))
        old_uids = [r.study_uid for r in self._rows]
        new_uids = [r.study_uid for r in rows]
        archive = self._read_archive(rows)
        archive_changed = archive != self._archive
        self._archive = archive
        if new_uids[: len(old_uids)] == old_uids and len(new_uids) == len(old_uids):
            changed = [i for i, (a, b) in enumerate(zip(self._rows, rows, strict=True)) if a != b]
            self._rows = rows
            if changed:
                top = self.index(min(changed), 0)
                bottom = self.index(max(changed), len(COLUMNS) - 1)
                self.dataChanged.emit(top, bottom)
            if archive_changed and rows:
                self._archive_cells_changed()
        else:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
        if total != self._total:
            self._total = total
            self.total_changed.emit(total)

    def _page(self, offset: int, limit: int) -> list[StudyRow]:
        return page_studies(
            self._index, self._filter, self._sort, self._descending, offset=offset, limit=limit
        )

    # -- lazy loading ----------------------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        rows = self._page(len(self._rows), self.PAGE_SIZE)
        if not rows:
            self._total = len(self._rows)  # the store shrank meanwhile
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._archive.update(self._read_archive(rows))
        self.endInsertRows()

    def fetch_all(self) -> None:
        """Load every matching row (select all, delete all)."""
        while self.canFetchMore():
            self.fetchMore()

    # -- access ------------------------------------------------------------------------
    def row_at(self, row: int) -> StudyRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, study_uid: str) -> int:
        """Position of a loaded study, or -1."""
        for i, r in enumerate(self._rows):
            if r.study_uid == study_uid:
                return i
        return -1

    def loaded_rows(self) -> list[StudyRow]:
        return list(self._rows)

    # -- archive flags -------------------------------------------------------------------
    def _read_archive(self, rows: list[StudyRow]) -> dict[str, StudyArchive]:
        try:
            return self.archive_status.studies([r.study_uid for r in rows])
        except Exception:  # the flags must never stop the list from showing
            log.exception("send/commit state not read")
            return {}

    def _archive_cells_changed(self) -> None:
        self.dataChanged.emit(
            self.index(0, ARCHIVE_COLUMN), self.index(len(self._rows) - 1, ARCHIVE_COLUMN)
        )

    def refresh_archive(self) -> None:
        """Re-read the send and commitment flags of the loaded studies (a send or commit
        job ended, a commitment report came)."""
        archive = self._read_archive(self._rows)
        if archive != self._archive:
            self._archive = archive
            if self._rows:
                self._archive_cells_changed()

    def archive_of(self, study_uid: str) -> StudyArchive | None:
        return self._archive.get(study_uid)

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS) + 1

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is not None and index.column() == ARCHIVE_COLUMN:
            return self._archive_data(row, role)
        if row is None or not 0 <= index.column() < len(COLUMNS):
            return None
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_value(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is StudyColumn.PATIENT_NAME:
                return row.patient_name.replace("^", " ")
            text = display_value(row, column)
            return text or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == STUDY_UID_ROLE:
            return row.study_uid
        return None

    def _archive_data(self, row: StudyRow, role: int) -> Any:
        archive = self._archive.get(row.study_uid)
        if role == Qt.ItemDataRole.DisplayRole:
            return archive_text(archive)
        if role == Qt.ItemDataRole.ToolTipRole:
            return archive_tooltip(archive)
        if role == Qt.ItemDataRole.ForegroundRole:
            worst = archive.worst if archive is not None else None
            return _FLAG_COLOURS[worst.flag] if worst is not None else QColor(120, 120, 120)
        if role == STUDY_UID_ROLE:
            return row.study_uid
        if role == ARCHIVE_ROLE:
            return archive
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and section == ARCHIVE_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return QCoreApplication.translate("StudyTableModel", "Archive")
            if role == Qt.ItemDataRole.ToolTipRole:
                return QCoreApplication.translate(
                    "StudyTableModel", "Sent to and committed by the archive nodes"
                )
            return None
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[COLUMNS[section]]
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section] in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def column_of(self, column: StudyColumn) -> int:
        return COLUMNS.index(column)
