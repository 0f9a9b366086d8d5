"""The series table model: the series of one study (few rows, loaded at once)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from workstation.store.browse import SeriesRow, series_of_study
from workstation.store.index import StoreIndex
from workstation.ui.browser import formatting

SERIES_UID_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex

NUMBER, MODALITY, DESCRIPTION, BODY_PART, DATE_TIME, IMAGES = range(6)


class SeriesTableModel(QAbstractTableModel):
    """Series of the study set with :meth:`set_study`, in series-number order."""

    def __init__(self, index: StoreIndex, parent: Any = None) -> None:
        super().__init__(parent)
        self._index = index
        self._study_uid = ""
        self._rows: list[SeriesRow] = []
        self._headers = [
            QCoreApplication.translate("SeriesTableModel", "No."),
            QCoreApplication.translate("SeriesTableModel", "Modality"),
            QCoreApplication.translate("SeriesTableModel", "Series description"),
            QCoreApplication.translate("SeriesTableModel", "Body part"),
            QCoreApplication.translate("SeriesTableModel", "Date / time"),
            QCoreApplication.translate("SeriesTableModel", "Images"),
        ]

    @property
    def study_uid(self) -> str:
        return self._study_uid

    def set_study(self, study_uid: str) -> None:
        self._study_uid = study_uid
        self.refresh()

    def refresh(self) -> None:
        rows = series_of_study(self._index, self._study_uid) if self._study_uid else []
        if rows == self._rows:
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[SeriesRow]:
        return list(self._rows)

    def row_at(self, row: int) -> SeriesRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, series_uid: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.series_uid == series_uid), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == NUMBER:
                return "" if row.series_number is None else str(row.series_number)
            if col == MODALITY:
                return row.modality
            if col == DESCRIPTION:
                return row.description
            if col == BODY_PART:
                return row.body_part
            if col == DATE_TIME:
                date = formatting.dicom_date(row.series_date)
                time = formatting.dicom_time(row.series_time)
                return f"{date} {time}".strip()
            if col == IMAGES:
                return str(row.num_images)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (NUMBER, IMAGES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SERIES_UID_ROLE:
            return row.series_uid
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None
