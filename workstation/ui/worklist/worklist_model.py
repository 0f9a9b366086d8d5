"""The worklist table model and the details tree of one item.

Rows are ``WorklistItem`` objects (:mod:`workstation.dicom.worklist`: display properties
with names already decoded by the item's Specific Character Set). A new answer replaces
every row (``set_items``); sorting goes through a proxy on :data:`SORT_ROLE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ITEM_ROLE = Qt.ItemDataRole.UserRole + 2

#: (attribute of the item, header)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("scheduled", QT_TRANSLATE_NOOP("WorklistModel", "Scheduled")),
    ("patient_name", QT_TRANSLATE_NOOP("WorklistModel", "Patient name")),
    ("patient_id", QT_TRANSLATE_NOOP("WorklistModel", "Patient ID")),
    ("birth_date", QT_TRANSLATE_NOOP("WorklistModel", "Birth date")),
    ("sex", QT_TRANSLATE_NOOP("WorklistModel", "Sex")),
    ("accession_number", QT_TRANSLATE_NOOP("WorklistModel", "Accession")),
    ("requested_procedure_description", QT_TRANSLATE_NOOP("WorklistModel", "Requested procedure")),
    ("modality", QT_TRANSLATE_NOOP("WorklistModel", "Modality")),
    ("station_aet", QT_TRANSLATE_NOOP("WorklistModel", "Station")),
    ("status", QT_TRANSLATE_NOOP("WorklistModel", "Status")),
)

STATUS_LABELS: dict[str, str] = {
    "SCHEDULED": QT_TRANSLATE_NOOP("WorklistModel", "scheduled"),
    "ARRIVED": QT_TRANSLATE_NOOP("WorklistModel", "patient arrived"),
    "READY": QT_TRANSLATE_NOOP("WorklistModel", "ready"),
    "STARTED": QT_TRANSLATE_NOOP("WorklistModel", "started"),
    "IN PROGRESS": QT_TRANSLATE_NOOP("WorklistModel", "in progress"),
    "COMPLETED": QT_TRANSLATE_NOOP("WorklistModel", "completed"),
    "DISCONTINUED": QT_TRANSLATE_NOOP("WorklistModel", "discontinued"),
}
IN_EXAM_HERE = QT_TRANSLATE_NOOP("WorklistModel", "in examination here")
SEX_LABELS = {"M": QT_TRANSLATE_NOOP("WorklistModel", "male"),
              "F": QT_TRANSLATE_NOOP("WorklistModel", "female"),
              "O": QT_TRANSLATE_NOOP("WorklistModel", "other")}  # fmt: skip


def _tr(text: str) -> str:
    return QCoreApplication.translate("WorklistModel", text)


def person_name(value: Any) -> str:
    """``Family^Given^Middle^Prefix^Suffix`` as "Family, Given Middle"; the alphabetic group."""
    text = str(value or "").split("=")[0]
    parts = [p for p in text.split("^")]
    family = parts[0].strip() if parts else ""
    rest = " ".join(p.strip() for p in parts[1:] if p.strip())
    return f"{family}, {rest}" if family and rest else (family or rest)


def da(value: Any) -> str:
    s = str(value or "")
    return f"{s[:4]}-{s[4:6]}-{s[6:8]}" if len(s) == 8 and s.isdigit() else s


def tm(value: Any) -> str:
    s = str(value or "").split(".")[0]
    return f"{s[:2]}:{s[2:4]}" if len(s) >= 4 and s[:4].isdigit() else s


def attr(item: object, name: str) -> str:
    value = getattr(item, name, "")
    return "" if value is None else str(value)


def cell_text(item: object, column: str) -> str:
    if column == "patient_name":
        return person_name(attr(item, "patient_name"))
    if column == "birth_date":
        return da(attr(item, "birth_date"))
    if column == "sex":
        sex = attr(item, "sex").upper()
        return _tr(SEX_LABELS[sex]) if sex in SEX_LABELS else sex
    if column == "scheduled":
        return " ".join(x for x in (da(attr(item, "start_date")), tm(attr(item, "start_time"))) if x)
    if column == "status":
        status = attr(item, "status").upper()
        return _tr(STATUS_LABELS[status]) if status in STATUS_LABELS else status.lower()
    if column == "requested_procedure_description":
        return attr(item, column) or attr(item, "sps_description")
    return attr(item, column)


def sort_key(item: object, column: str) -> str:
    if column == "scheduled":
        return attr(item, "start_date") + attr(item, "start_time")
    if column == "birth_date":
        return attr(item, "birth_date")
    return cell_text(item, column).casefold()


class WorklistModel(QAbstractTableModel):
    """The items of the last answer, one row each."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.items: list[object] = []
        self.station_aet = ""  # rows for another station are shown in grey
        self.open_here: set[str] = set()  # Study Instance UIDs with an open step here

    def set_open_here(self, study_uids: set[str]) -> None:
        if study_uids != self.open_here:
            self.open_here = set(study_uids)
            if self.items:
                column = len(COLUMNS) - 1
                self.dataChanged.emit(self.index(0, column), self.index(len(self.items) - 1, column))

    def set_items(self, items: Sequence[object]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _tr(COLUMNS[section][1])
        return None

    def data(self, index: Index,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = COLUMNS[index.column()][0]
        here = column == "status" and attr(item, "study_instance_uid") in self.open_here
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _tr(IN_EXAM_HERE) if here else cell_text(item, column)
        if role == Qt.ItemDataRole.FontRole and here:
            font = QFont()
            font.setBold(True)
            return font
        if role == SORT_ROLE:
            return sort_key(item, column)
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.ForegroundRole:
            other = self.station_aet and attr(item, "station_aet") not in ("", self.station_aet)
            return QBrush(QColor("#707070")) if other else None
        return None


# -- details -------------------------------------------------------------------------------
def element_value(elem: DataElement) -> str:
    if elem.VR == "SQ":
        return QCoreApplication.translate("WorklistModel", "items: {n}").format(n=len(elem.value))
    if elem.VR in ("OB", "OW", "UN", "OF", "OD", "OL", "OV"):
        return QCoreApplication.translate("WorklistModel", "(binary, {n} bytes)").format(n=len(elem.value or b""))
    value = elem.value
    if value is None or value == "":
        return ""
    if elem.VM > 1:
        return "\\".join(str(v) for v in value)
    return str(value)


def fill_details(tree: QTreeWidget, dataset: Dataset | None) -> None:
    """Every attribute of ``dataset`` that has a value, with its sequences, expanded."""
    tree.clear()
    if dataset is None:
        return
    _add_elements(tree.invisibleRootItem(), dataset)
    tree.expandAll()


def _add_elements(parent: QTreeWidgetItem, ds: Dataset) -> None:
    for elem in ds:
        if elem.VR == "SQ" and not elem.value or elem.VR != "SQ" and elem.value in (None, "", b""):
            continue  # a return key the provider left empty: nothing to read
        name = elem.name if elem.keyword else str(elem.tag)
        row = QTreeWidgetItem(parent, [name, element_value(elem)])
        row.setToolTip(0, f"({elem.tag.group:04X},{elem.tag.element:04X}) {elem.keyword} {elem.VR}")
        row.setToolTip(1, row.text(1))
        if elem.VR == "SQ":
            for n, child in enumerate(elem.value, start=1):
                node = QTreeWidgetItem(row, [QCoreApplication.translate("WorklistModel", "Item {n}").format(n=n), ""])
                _add_elements(node, child)
