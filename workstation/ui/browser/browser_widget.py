"""The patient browser, the home screen: search bar, studies, thumbnails, series.

Studies of the local store in a lazily paged table (sortable by any column, multi-
select), the selected study's series as thumbnails and as a table. Changes in the
store (instances arriving over the network, an import, a delete) come in through
:meth:`on_studies_changed`, already coalesced by the node bridge: the table updates in
place and keeps the user's selection and scroll position.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.imaging.thumbnails import ThumbnailCache
from workstation.store.browse import (
    StudyColumn,
    StudyFilter,
    modalities_in_store,
)
from workstation.store.cleanup import delete_studies, study_usage
from workstation.store.local_store import LocalStore
from workstation.ui.browser.search_bar import SearchBar
from workstation.ui.browser.series_model import SeriesTableModel
from workstation.ui.browser.study_model import (
    ARCHIVE_COLUMN,
    COLUMNS,
    StudyTableModel,
    archive_tooltip,
    display_value,
)
from workstation.ui.browser.thumbnail_strip import ThumbnailLoader, ThumbnailStrip

log = logging.getLogger(__name__)

THUMBNAIL_FOLDER = "thumbnails"
CONFIRM_LIST_MAX = 10

_WIDTHS = {
    StudyColumn.PATIENT_NAME: 210,
    StudyColumn.PATIENT_ID: 110,
    StudyColumn.BIRTH_DATE: 95,
    StudyColumn.SEX: 40,
    StudyColumn.STUDY_DATE: 95,
    StudyColumn.STUDY_TIME: 55,
    StudyColumn.DESCRIPTION: 230,
    StudyColumn.MODALITIES: 90,
    StudyColumn.ACCESSION: 115,
    StudyColumn.NUM_SERIES: 60,
    StudyColumn.NUM_IMAGES: 65,
}


def _table(parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setHighlightSections(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class PatientBrowser(QWidget):
    """The browser over ``store``; thumbnails cached under ``<store root>/thumbnails``."""

    #: the current study changed ('' when none)
    current_study_changed = Signal(str)
    #: a study was double-clicked or Return was pressed on it (for the viewer)
    study_activated = Signal(str)
    #: a series was double-clicked or Return was pressed on it (opens it in a viewer)
    series_activated = Signal(str)
    #: studies or series were deleted (their Study Instance UIDs)
    deleted = Signal(object)

    def __init__(self, store: LocalStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.thumbnail_cache = ThumbnailCache(store.root / THUMBNAIL_FOLDER)
        self.loader = ThumbnailLoader(self.thumbnail_cache, self)

        self.search = SearchBar(self)
        self.count_label = QLabel(self)
        self.study_model = StudyTableModel(store.index, self)
        self.series_model = SeriesTableModel(store.index, self)

        self.study_table = _table(self)
        self.study_table.setObjectName("studyTable")
        self.study_table.setModel(self.study_model)
        header = self.study_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, column in enumerate(COLUMNS):
            header.resizeSection(i, _WIDTHS[column])
        header.resizeSection(ARCHIVE_COLUMN, 170)
        # the description takes the spare width, not the last (numeric) column
        header.setStretchLastSection(False)
        header.setSectionResizeMode(
            self.study_model.column_of(StudyColumn.DESCRIPTION), QHeaderView.ResizeMode.Stretch
        )
        header.setSortIndicator(
            self.study_model.column_of(StudyColumn.STUDY_DATE), Qt.SortOrder.DescendingOrder
        )
        header.setSortIndicatorShown(True)
        self.study_table.setSortingEnabled(True)  # sorts now: loads the first page

        self.strip = ThumbnailStrip(self.loader, store.root, self)
        self.series_table = _table(self)
        self.series_table.setObjectName("seriesTable")
        self.series_table.setModel(self.series_model)
        series_header = self.series_table.horizontalHeader()
        for i, width in enumerate((45, 75, 300, 110, 140, 65)):
            series_header.resizeSection(i, width)
        series_header.setStretchLastSection(False)
        series_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.strip)
        lower_layout.addWidget(self.series_table)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.study_table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([480, 400])  # the study list, and strip + series below

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.count_label)
        layout.addWidget(self.splitter, 1)

        self._selection_before_reset: list[str] = []
        self._current_before_reset = ""
        self._scroll_before_reset = 0
        self._current_study = ""

        self.search.filter_changed.connect(self.set_filter)
        self.study_model.total_changed.connect(self._show_count)
        self.study_model.modelAboutToBeReset.connect(self._remember_selection)
        self.study_model.modelReset.connect(self._restore_selection)
        self.study_table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.study_table.selectionModel().selectionChanged.connect(self._on_selection)
        self.study_table.doubleClicked.connect(self._on_activated)
        self.strip.series_clicked.connect(self._select_series_row)
        self.series_table.selectionModel().currentRowChanged.connect(self._on_series_row)
        self.series_table.activated.connect(self._on_series_activated)
        self._show_count(self.study_model.total())
        self.search.set_modalities(modalities_in_store(store.index))

    # -- filter and refresh --------------------------------------------------------------
    def set_filter(self, flt: StudyFilter) -> None:
        self.study_model.set_filter(flt)

    def refresh(self) -> None:
        """Re-read everything shown from the index (the View > Refresh action)."""
        self.on_studies_changed(frozenset())

    def on_studies_changed(self, study_uids: frozenset[str]) -> None:
        """The store changed (``study_uids`` touched; empty = unknown which)."""
        self.study_model.refresh()
        current = self._current_study
        if current and (not study_uids or current in study_uids):
            self._show_study(current)
        self.search.set_modalities(modalities_in_store(self.store.index))

    def _show_count(self, total: int) -> None:
        text = self.tr("1 study") if total == 1 else self.tr("%1 studies")
        self.count_label.setText(text.replace("%1", f"{total:,}"))

    # -- selection -----------------------------------------------------------------------
    def selected_study_uids(self) -> list[str]:
        rows = sorted({i.row() for i in self.study_table.selectionModel().selectedRows()})
        return [r.study_uid for r in (self.study_model.row_at(i) for i in rows) if r is not None]

    def selected_series_uids(self) -> list[str]:
        rows = sorted({i.row() for i in self.series_table.selectionModel().selectedRows()})
        return [r.series_uid for r in (self.series_model.row_at(i) for i in rows) if r is not None]

    def current_study_uid(self) -> str:
        return self._current_study

    def select_study(self, study_uid: str) -> bool:
        row = self.study_model.row_of(study_uid)
        if row < 0:
            return False
        self.study_table.selectRow(row)
        return True

    def select_all(self) -> None:
        """Select every matching study (loading the rows not yet fetched)."""
        self.study_model.fetch_all()
        self.study_table.selectAll()

    def _on_current_row(self, current, _previous) -> None:
        row = self.study_model.row_at(current.row()) if current.isValid() else None
        self._show_study(row.study_uid if row else "")

    def _on_selection(self, *_args) -> None:
        if not self.study_table.selectionModel().hasSelection():
            self._show_study("")

    def _show_study(self, study_uid: str) -> None:
        changed = study_uid != self._current_study
        self._current_study = study_uid
        self.series_model.set_study(study_uid)
        self.strip.show_series(self.series_model.rows())
        if changed:
            self.current_study_changed.emit(study_uid)

    def _select_series_row(self, series_uid: str) -> None:
        row = self.series_model.row_of(series_uid)
        if row >= 0:
            self.series_table.selectRow(row)

    def _on_series_row(self, current, _previous) -> None:
        row = self.series_model.row_at(current.row()) if current.isValid() else None
        if row is not None:
            self.strip.select_series(row.series_uid)

    def _on_activated(self, index) -> None:
        row = self.study_model.row_at(index.row())
        if row is not None:
            self.study_activated.emit(row.study_uid)

    def _on_series_activated(self, index) -> None:
        row = self.series_model.row_at(index.row())
        if row is not None:
            self.series_activated.emit(row.series_uid)

    def _remember_selection(self) -> None:
        self._selection_before_reset = self.selected_study_uids()
        self._current_before_reset = self._current_study
        self._scroll_before_reset = self.study_table.verticalScrollBar().value()

    def _restore_selection(self) -> None:
        selection = self.study_table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        wanted = set(self._selection_before_reset)
        selection.blockSignals(True)
        for i, row in enumerate(self.study_model.loaded_rows()):
            if row.study_uid in wanted:
                selection.select(self.study_model.index(i, 0), flags.Select | flags.Rows)
        current = self.study_model.row_of(self._current_before_reset)
        if current >= 0:
            selection.setCurrentIndex(self.study_model.index(current, 0), flags.NoUpdate)
        selection.blockSignals(False)
        self.study_table.viewport().update()
        self.study_table.verticalScrollBar().setValue(self._scroll_before_reset)
        if current < 0 and self._current_before_reset:
            # the current study left the list (filtered out or deleted)
            self._show_study("")

    # -- delete --------------------------------------------------------------------------
    def delete_selected(self) -> int:
        """Delete the selected series (when the series table has focus) or studies, after
        the user confirms; returns the number of instances deleted."""
        series = self.selected_series_uids() if self.series_table.hasFocus() else []
        if series:
            return self._delete_series(series)
        selected = self.selected_study_uids()
        if not selected:
            return 0
        protected = {u.study_uid for u in study_usage(self.store.index, selected) if u.protected}
        studies = [uid for uid in selected if uid not in protected]
        kept = [uid for uid in selected if uid in protected]
        if not studies:
            QMessageBox.information(
                self,
                self.tr("Protected studies"),
                self.tr("The selected studies are protected and are not deleted. Remove "
                        "their protection first.") + "\n\n" + "\n".join(self._study_lines(kept)),
            )  # fmt: skip
            return 0
        names = self._study_lines(studies)
        if kept:
            names += ["", self.tr("Protected, not deleted (remove their protection first):"),
                      *self._study_lines(kept)]  # fmt: skip
        if len(studies) == 1:
            text = self.tr(
                "Delete this study from the local store? Its images are removed from this "
                "computer; this cannot be undone."
            )
        else:
            text = self.tr(
                "Delete %1 studies from the local store? Their images are removed from this "
                "computer; this cannot be undone."
            ).replace("%1", str(len(studies)))
        if not self._confirm(self.tr("Delete studies"), text, "\n".join(names)):
            return 0
        if not self._confirm_uncommitted(studies):
            return 0
        with _WaitCursor():  # never a protected one (checked again); thumbnails go too
            report = delete_studies(self.store, studies)
        removed = sum(u.instances for u in report.deleted)
        self.on_studies_changed(frozenset(studies))
        self.deleted.emit(frozenset(studies))
        return removed

    def _study_lines(self, study_uids: list[str]) -> list[str]:
        """The studies as the confirmation lists them (name, ID, date, description)."""
        lines = []
        for uid in study_uids[:CONFIRM_LIST_MAX]:
            row = self.study_model.row_at(self.study_model.row_of(uid))
            if row is not None:
                lines.append(
                    f"{display_value(row, StudyColumn.PATIENT_NAME)} ({row.patient_id}), "
                    f"{display_value(row, StudyColumn.STUDY_DATE)} {row.description}".strip()
                )
        if len(study_uids) > CONFIRM_LIST_MAX:
            more = str(len(study_uids) - CONFIRM_LIST_MAX)
            lines.append(self.tr("… and %1 more").replace("%1", more))
        return lines

    def _delete_series(self, series: list[str]) -> int:
        if len(series) == 1:
            text = self.tr("Delete this series from the local store? This cannot be undone.")
        else:
            text = self.tr("Delete %1 series from the local store? This cannot be undone.").replace(
                "%1", str(len(series))
            )
        details = "\n".join(
            f"{r.series_number or ''} {r.modality} {r.description}".strip()
            for r in self.series_model.rows()
            if r.series_uid in series
        )
        if not self._confirm(self.tr("Delete series"), text, details):
            return 0
        study = self._current_study
        if not self._confirm_uncommitted([study]):
            return 0
        removed = 0
        with _WaitCursor():
            for uid in series:
                removed += self.store.delete_series(uid)
                self.thumbnail_cache.forget_series(uid)
        self.on_studies_changed(frozenset({study}))
        self.deleted.emit(frozenset({study}))
        return removed

    def _confirm_uncommitted(self, study_uids: list[str]) -> bool:
        """A second question when a study was sent but the archive has not committed it:
        deleting it may lose the only safe copy."""
        try:
            risky = self.study_model.archive_status.uncommitted(study_uids)
        except Exception:  # unknown state: ask, as for an uncommitted one
            log.exception("send/commit state not read before delete")
            risky = []
        if not risky:
            return True
        lines = []
        for archive in risky[:CONFIRM_LIST_MAX]:
            row = self.study_model.row_at(self.study_model.row_of(archive.study_uid))
            name = display_value(row, StudyColumn.PATIENT_NAME) if row else archive.study_uid
            lines.append(f"{name}: {archive_tooltip(archive).replace(chr(10), '; ')}")
        answer = QMessageBox.warning(
            self,
            self.tr("Not committed by the archive"),
            self.tr(
                "%1 of these studies were sent but the archive has not confirmed (storage "
                "commitment) that it keeps them safely. Deleting them may lose the only "
                "copy.\n\nDelete anyway?"
            ).replace("%1", str(len(risky)))
            + "\n\n"
            + "\n".join(lines),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _confirm(self, title: str, text: str, details: str) -> bool:
        message = f"{text}\n\n{details}" if details else text
        answer = QMessageBox.question(
            self,
            title,
            message,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- state and shutdown ----------------------------------------------------------------
    def save_state(self, settings: QSettings) -> None:
        settings.setValue("browser/study_header", self.study_table.horizontalHeader().saveState())
        settings.setValue("browser/series_header", self.series_table.horizontalHeader().saveState())
        settings.setValue("browser/splitter", self.splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        for key, target in (
            ("browser/study_header", self.study_table.horizontalHeader()),
            ("browser/series_header", self.series_table.horizontalHeader()),
            ("browser/splitter", self.splitter),
        ):
            value = settings.value(key)
            if isinstance(value, QByteArray | bytes) and value:
                target.restoreState(QByteArray(value))

    def shutdown(self) -> None:
        """Stop the thumbnail thread (the window is closing)."""
        self.loader.stop()


class _WaitCursor:
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()


def thumbnail_folder(store_root: Path) -> Path:
    return Path(store_root) / THUMBNAIL_FOLDER
