"""Table model and filter for the storage cleanup dialog: one row per stored study.

Display texts are formatted here; sorting uses the raw values (bytes, dates, epoch
seconds) through ``SORT_ROLE`` so that "9 MB" sorts below "10 MB".
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from workstation.store.cleanup import MB, StudyUsage, parse_da

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
UID_ROLE = Qt.ItemDataRole.UserRole + 2
_ModelIndex = QModelIndex | QPersistentModelIndex
_PROTECTED_BACKGROUND = QColor(255, 244, 214)


def _tr(text: str) -> str:
    return QCoreApplication.translate("StudyUsageModel", text)


def format_size(size_bytes: int, locale: QLocale | None = None) -> str:
    """Bytes as "38.6 KB" / "1.2 GB" (base 1024, the user's decimal separator)."""
    locale = locale or QLocale()
    scaled = float(size_bytes)
    while scaled >= 1024:
        scaled /= 1024
    # one decimal where it carries information ("38.4 kB"), none from 100 up ("500 MB")
    precision = 1 if round(scaled, 1) < 100 and size_bytes >= 1024 else 0
    return locale.formattedDataSize(
        size_bytes, precision, QLocale.DataSizeFormat.DataSizeTraditionalFormat
    )


def format_mb(mb: float, locale: QLocale | None = None) -> str:
    return format_size(int(mb * MB), locale)


def format_person_name(pn: str) -> str:
    """DICOM PN ``Family^Given^Middle^Prefix^Suffix`` as "Family, Given Middle"."""
    alphabetic = pn.split("=")[0]
    parts = [p.strip() for p in alphabetic.split("^")]
    family = parts[0] if parts else ""
    given = " ".join(p for p in parts[1:3] if p)
    if family and given:
        return f"{family}, {given}"
    return family or given


def format_da(value: str) -> str:
    """A DICOM date as ISO 8601 (unambiguous in every locale); the raw text if invalid."""
    parsed = parse_da(value)
    return parsed.isoformat() if parsed else value.strip()


def format_epoch(seconds: float | None, never: str) -> str:
    if seconds is None:
        return never
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


class Column:
    PROTECTED, PATIENT, PATIENT_ID, STUDY_DATE, DESCRIPTION, MODALITY = range(6)
    IMAGES, SIZE, LAST_ACCESS = range(6, 9)
    COUNT = 9


class StudyUsageModel(QAbstractTableModel):
    """Studies with their disk usage, protection and last access."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[StudyUsage] = []
        self._headers = [
            self.tr("Protected"),
            self.tr("Patient"),
            self.tr("Patient ID"),
            self.tr("Study date"),
            self.tr("Description"),
            self.tr("Modality"),
            self.tr("Images"),
            self.tr("Size"),
            self.tr("Last opened"),
        ]

    def set_studies(self, rows: list[StudyUsage]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def study(self, row: int) -> StudyUsage:
        return self._rows[row]

    def studies(self) -> list[StudyUsage]:
        return list(self._rows)

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else Column.COUNT

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        u = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(u, col)
        if role == SORT_ROLE:
            return self._sort_value(u, col)
        if role == UID_ROLE:
            return u.study_uid
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.IMAGES, Column.SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and u.protected:
            return QBrush(_PROTECTED_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and col == Column.PROTECTED and u.protected:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Column.STUDY_DATE and not parse_da(u.study_date):
                return self.tr("No valid study date: the day it was received counts")
            if col == Column.SIZE:
                return self.tr("%1 bytes").replace("%1", QLocale().toString(u.size_bytes))
            if col == Column.PROTECTED and u.protected:
                return self.tr("Never deleted, neither automatically nor by Delete selected")
        return None

    def _display(self, u: StudyUsage, col: int) -> str:
        if col == Column.PROTECTED:
            return self.tr("Protected") if u.protected else ""
        if col == Column.PATIENT:
            return format_person_name(u.patient_name)
        if col == Column.PATIENT_ID:
            return u.patient_id
        if col == Column.STUDY_DATE:
            return format_da(u.study_date) or self.tr("(none)")
        if col == Column.DESCRIPTION:
            return u.description
        if col == Column.MODALITY:
            return u.modalities.replace(",", ", ")
        if col == Column.IMAGES:
            return QLocale().toString(u.instances)
        if col == Column.SIZE:
            return format_size(u.size_bytes)
        if col == Column.LAST_ACCESS:
            return format_epoch(u.last_access, self.tr("never"))
        return ""

    @staticmethod
    def _sort_value(u: StudyUsage, col: int):
        if col == Column.PROTECTED:
            return int(u.protected)
        if col == Column.PATIENT:
            return format_person_name(u.patient_name).casefold()
        if col == Column.PATIENT_ID:
            return u.patient_id
        if col == Column.STUDY_DATE:
            return u.age_date.isoformat()
        if col == Column.DESCRIPTION:
            return u.description.casefold()
        if col == Column.MODALITY:
            return u.modalities
        if col == Column.IMAGES:
            return u.instances
        if col == Column.SIZE:
            return u.size_bytes
        if col == Column.LAST_ACCESS:
            return u.last_access if u.last_access is not None else -1.0
        return None


class StudyUsageFilter(QSortFilterProxyModel):
    """Keeps studies older than N days and/or larger than N MB; sorts by raw values."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._older_than: date | None = None
        self._larger_than_mb: float | None = None

    def set_older_than(self, day: date | None) -> None:
        self._begin_change()
        self._older_than = day
        self._end_change()

    def set_larger_than_mb(self, mb: float | None) -> None:
        self._begin_change()
        self._larger_than_mb = mb
        self._end_change()

    # Qt 6.10 deprecates invalidateFilter() for begin/endFilterChange(); 6.8 lacks the latter.
    def _begin_change(self) -> None:
        if hasattr(self, "endFilterChange"):
            self.beginFilterChange()

    def _end_change(self) -> None:
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _ModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, StudyUsageModel):
            return True
        u = model.study(source_row)
        if self._older_than is not None and not u.age_date < self._older_than:
            return False
        return self._larger_than_mb is None or u.size_mb > self._larger_than_mb
