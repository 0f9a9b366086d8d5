"""The browser's search bar: name, ID, accession, date range preset, modality.

Typing filters after a short pause (no search button needed, no query per keystroke);
Return, a preset or a modality choice filter at once. The bar only builds a
:class:`StudyFilter`; the model runs it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from workstation.dicom.query_form import DatePreset
from workstation.store.browse import StudyFilter, preset_range

TYPING_PAUSE_MS = 250


class SearchBar(QWidget):
    """Emits :attr:`filter_changed` with the filter the fields describe."""

    filter_changed = Signal(object)  # StudyFilter

    def __init__(self, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(TYPING_PAUSE_MS)
        self._pause.timeout.connect(self.emit_filter)

        self.name_edit = self._line(self.tr("Patient name (e.g. smith*, mey?r)"), 220)
        self.id_edit = self._line(self.tr("Patient ID"), 120)
        self.accession_edit = self._line(self.tr("Accession no."), 120)

        self.date_combo = QComboBox(self)
        self.date_combo.setToolTip(self.tr("Study date"))
        for preset, label in (
            (DatePreset.ANY, self.tr("Any date")),
            (DatePreset.TODAY, self.tr("Today")),
            (DatePreset.YESTERDAY, self.tr("Yesterday")),
            (DatePreset.LAST_7_DAYS, self.tr("Last 7 days")),
            (DatePreset.LAST_30_DAYS, self.tr("Last 30 days")),
            (DatePreset.CUSTOM, self.tr("Date range…")),
        ):
            self.date_combo.addItem(label, preset.value)
        self.date_combo.currentIndexChanged.connect(self._on_preset)

        today_q = QDate.currentDate()
        self.from_edit = self._date(today_q.addDays(-7))
        self.to_edit = self._date(today_q)
        self.range_label = QLabel(self.tr("to"), self)

        self.modality_combo = QComboBox(self)
        self.modality_combo.setToolTip(self.tr("Modality"))
        self.set_modalities([])
        self.modality_combo.currentIndexChanged.connect(self.emit_filter)

        self.clear_button = QPushButton(self.tr("Clear"), self)
        self.clear_button.setToolTip(self.tr("Show all studies"))
        self.clear_button.clicked.connect(self.clear)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (
            self.name_edit,
            self.id_edit,
            self.accession_edit,
            self.date_combo,
            self.from_edit,
            self.range_label,
            self.to_edit,
            self.modality_combo,
            self.clear_button,
        ):
            layout.addWidget(w)
        layout.addStretch(1)
        self._show_range(False)

    def _line(self, placeholder: str, width: int) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        edit.setToolTip(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setMinimumWidth(width)
        edit.textChanged.connect(lambda _text: self._pause.start())
        edit.returnPressed.connect(self.emit_filter)
        return edit

    def _date(self, value: QDate) -> QDateEdit:
        edit = QDateEdit(value, self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.dateChanged.connect(lambda _d: self.emit_filter())
        return edit

    def _show_range(self, visible: bool) -> None:
        for w in (self.from_edit, self.range_label, self.to_edit):
            w.setVisible(visible)

    def _on_preset(self, _index: int) -> None:
        self._show_range(self.preset() is DatePreset.CUSTOM)
        self.emit_filter()

    # -- state -------------------------------------------------------------------------
    def preset(self) -> DatePreset:
        return DatePreset(self.date_combo.currentData())

    def set_preset(self, preset: DatePreset) -> None:
        self.date_combo.setCurrentIndex(self.date_combo.findData(preset.value))

    def set_modalities(self, modalities: list[str]) -> None:
        """The modality choices (from the store); keeps the current choice if still there."""
        current = self.modality_combo.currentData() or ""
        self.modality_combo.blockSignals(True)
        self.modality_combo.clear()
        self.modality_combo.addItem(self.tr("All modalities"), "")
        for m in modalities:
            self.modality_combo.addItem(m, m)
        found = self.modality_combo.findData(current)
        self.modality_combo.setCurrentIndex(max(found, 0))
        self.modality_combo.blockSignals(False)

    def set_modality(self, modality: str) -> None:
        index = self.modality_combo.findData(modality)
        if index < 0:
            self.modality_combo.addItem(modality, modality)
            index = self.modality_combo.count() - 1
        self.modality_combo.setCurrentIndex(index)

    def current_filter(self) -> StudyFilter:
        preset = self.preset()
        if preset is DatePreset.CUSTOM:
            lo, hi = self.from_edit.date(), self.to_edit.date()
            if lo > hi:
                lo, hi = hi, lo
            date_from, date_to = lo.toString("yyyyMMdd"), hi.toString("yyyyMMdd")
        else:
            date_from, date_to = preset_range(preset, self._today)
        return StudyFilter(
            patient_name=self.name_edit.text(),
            patient_id=self.id_edit.text(),
            accession_number=self.accession_edit.text(),
            date_from=date_from,
            date_to=date_to,
            modality=self.modality_combo.currentData() or "",
        )

    def emit_filter(self, *_args: Any) -> None:
        self._pause.stop()
        self.filter_changed.emit(self.current_filter())

    def clear(self) -> None:
        widgets = (self.name_edit, self.id_edit, self.accession_edit, self.date_combo)
        for w in (*widgets, self.modality_combo):
            w.blockSignals(True)
        for edit in (self.name_edit, self.id_edit, self.accession_edit):
            edit.clear()
        self.date_combo.setCurrentIndex(0)
        self.modality_combo.setCurrentIndex(0)
        for w in (*widgets, self.modality_combo):
            w.blockSignals(False)
        self._show_range(False)
        self.emit_filter()

    def focus_search(self) -> None:
        self.name_edit.setFocus()
        self.name_edit.selectAll()
