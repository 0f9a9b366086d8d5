"""The read-only list tables of the service pages (remote nodes, printers, after-exam
rules): one row per entry, whole rows selected one at a time, a double click edits."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)


class ListTable(QTableWidget):
    """``headers`` as columns, ``stretch`` the column that takes the spare width;
    ``on_select`` after every selection change, ``on_open`` on a double click."""

    def __init__(self, headers: Sequence[str], stretch: int, on_select: Callable[[], None],
                 on_open: Callable[[], None], parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.itemSelectionChanged.connect(on_select)
        self.doubleClicked.connect(lambda _index: on_open())

    def show_rows(self, rows: Sequence[Sequence[str]], select: int | None = None, *,
                  tooltips: bool = False, right_aligned: Sequence[int] = ()) -> None:  # fmt: skip
        """One row of texts per entry; ``select`` that row afterwards."""
        self.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if tooltips:
                    item.setToolTip(text)  # a column may be cut short
                if col in right_aligned:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, col, item)
        if select is not None and 0 <= select < len(rows):
            self.selectRow(select)

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None
