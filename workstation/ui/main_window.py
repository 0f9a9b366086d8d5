"""The main window: the patient browser as home screen, the job panel, menus, status bar.

It owns no services: ``app.py`` builds the store, the node, the job queue and worker and
hands them in. The window remembers its geometry, dock layout and the browser's
columns in ``ui_state`` (a QSettings file); closing it calls ``shutdown`` once, which
stops the threads (see :mod:`workstation.app`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTabBar,
    QTabWidget,
    QWidget,
)

from workstation import __version__
from workstation.config.settings import Settings
from workstation.jobs import JobQueue
from workstation.net.scp.node import NodeEventKind
from workstation.store.local_store import LocalStore
from workstation.store.series_info import series_info
from workstation.ui.browser.browser_widget import PatientBrowser
from workstation.ui.browser.importing import ImportController
from workstation.ui.browser.send_actions import SendController
from workstation.ui.job_worker import JobWorker
from workstation.ui.jobs_panel import JobsPanel
from workstation.ui.node_bridge import NodeBridge
from workstation.ui.node_status import NodeState, NodeStatusLabel
from workstation.ui.print import wiring as print_wiring
from workstation.ui.qr.query_panel import QueryPanel
from workstation.ui.storage_status import FreeSpaceIndicator
from workstation.ui.viewer.series_strip import series_uid_of
from workstation.ui.viewer.viewer_tab import ViewerTab
from workstation.ui.viewers.registry import SeriesTab, series_viewer_for
from workstation.ui.worklist import wiring as worklist_wiring

log = logging.getLogger(__name__)

STATUS_INTERVAL_MS = 1000
DISK_INTERVAL_MS = 10_000
SAMPLES_OFFERED_KEY = "first_start/samples_offered"

ToolHandler = Callable[[QWidget], object]


class MainWindow(QMainWindow):
    """The workstation's window. ``shown`` fires once, after the first show."""

    shown = Signal()

    def __init__(
        self,
        settings: Settings,
        store: LocalStore,
        bridge: NodeBridge,
        queue: JobQueue,
        worker: JobWorker | None,
        node_state: Callable[[], NodeState],
        ui_state: QSettings,
        sample_paths: Callable[[], list[Path]] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.bridge = bridge
        self.queue = queue
        self.worker = worker
        self.ui_state = ui_state
        self.sample_paths = sample_paths
        self.shutdown_hook: Callable[[], None] | None = None
        # Tools > Service mode… / Storage cleanup…: the lead wires the dialogs in
        self.service_mode_handler: ToolHandler | None = None
        self.storage_cleanup_handler: ToolHandler | None = None
        self._shown_once = False
        self._closed = False

        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("Workstation — %1").replace("%1", settings.node.ae_title))
        self.browser = PatientBrowser(store, self)
        # the browser is the first, fixed tab; each opened series a closable viewer tab
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(self.browser, self.tr("Patients"))
        self.tabs.tabBar().setTabButton(0, QTabBar.ButtonPosition.RightSide, None)
        self.query_panel = QueryPanel(lambda: self.settings, queue, self)
        self.tabs.addTab(self.query_panel, self.tr("Query/Retrieve"))
        self.tabs.tabBar().setTabButton(1, QTabBar.ButtonPosition.RightSide, None)
        self.exam_service = None  # the runtime's ExamService when the app sets it
        self.worklist_tab, self.exam_controller = worklist_wiring.install(self, self.tabs)
        self.composer_tab = print_wiring.install(self, self.tabs)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        # a series dragged from the browser: over a tab it shows that tab (to drop on a
        # viewport); dropped on the tab bar it opens in a new tab
        self._tab_bar = self.tabs.tabBar()
        self._tab_bar.setChangeCurrentOnDrag(True)
        self._tab_bar.setAcceptDrops(True)
        self._tab_bar.installEventFilter(self)
        self.setCentralWidget(self.tabs)
        self.browser.series_activated.connect(self.open_series)

        self.jobs_panel = JobsPanel(queue, worker, self)
        self.jobs_dock = QDockWidget(self.tr("Jobs"), self)
        self.jobs_dock.setObjectName("jobsDock")
        self.jobs_dock.setWidget(self.jobs_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_dock)

        self.importer = ImportController(queue, worker, self, ui_state)
        self.importer.progress.connect(self._on_import_progress)
        self.importer.running_changed.connect(self._on_import_running)
        self.importer.import_ended.connect(lambda _id: self.bridge.mark_changed())
        if worker is not None:
            # imported files show up while the import runs, coalesced like arrivals
            self.importer.progress.connect(lambda *_: self.bridge.mark_changed())

        self._build_actions()
        self.send_controller = SendController(
            self.browser, queue, lambda: self.settings,
            lambda text: self.statusBar().showMessage(text, 8000), self,
        )  # fmt: skip
        if worker is not None:  # a send or commit job moved on: re-read the Archive column
            worker.job_changed.connect(self.send_controller.schedule_refresh)
        bridge.node_event.connect(self._on_node_event)
        self._build_menus()
        self._build_status_bar(node_state)

        bridge.studies_changed.connect(self.browser.on_studies_changed)
        bridge.associations_changed.connect(self.node_label.refresh)
        self.browser.study_table.selectionModel().selectionChanged.connect(self._update_actions)
        self.browser.study_model.modelReset.connect(self._update_actions)
        self._update_actions()
        self._restore_state()

    # -- actions and menus -----------------------------------------------------------------
    def _action(self, text: str, slot: Callable, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        Key = QKeySequence.StandardKey
        self.action_import_files = self._action(
            self.tr("Import &files…"), self.importer.import_files, Key.Open,
            self.tr("Import DICOM files into the local store"),
        )  # fmt: skip
        self.action_import_folder = self._action(
            self.tr("Import f&older…"), self.importer.import_folder, "Ctrl+Shift+O",
            self.tr("Import every DICOM file in a folder and its subfolders"),
        )  # fmt: skip
        self.action_import_dicomdir = self._action(
            self.tr("Import &DICOMDIR…"), self.importer.import_dicomdir, "Ctrl+Shift+D",
            self.tr("Import the studies of a CD, DVD or USB medium"),
        )  # fmt: skip
        self.action_quit = self._action(self.tr("&Quit"), self.close, "Ctrl+Q")
        self.action_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.action_delete = self._action(
            self.tr("&Delete…"), self.browser.delete_selected, Key.Delete,
            self.tr("Delete the selected studies (or series) from the local store"),
        )  # fmt: skip
        self.action_select_all = self._action(
            self.tr("Select &all"), self.browser.select_all, Key.SelectAll
        )
        self.action_find = self._action(
            self.tr("&Find…"), self.browser.search.focus_search, Key.Find,
            self.tr("Search by patient name, ID, accession number, date or modality"),
        )  # fmt: skip
        self.action_refresh = self._action(self.tr("&Refresh"), self.browser.refresh, Key.Refresh)
        self.action_show_jobs = self.jobs_dock.toggleViewAction()
        self.action_show_jobs.setText(self.tr("&Job panel"))
        self.action_show_jobs.setShortcut(QKeySequence("Ctrl+J"))
        self.action_service_mode = self._action(
            self.tr("&Service mode…"), self.open_service_mode, None,
            self.tr("Settings of the DICOM node, remote nodes and storage (service engineer)"),
        )  # fmt: skip
        self.action_storage_cleanup = self._action(
            self.tr("Storage &cleanup…"), self.open_storage_cleanup, None,
            self.tr("See what fills the disk and delete old studies"),
        )  # fmt: skip
        self.action_about = self._action(self.tr("&About Workstation"), self.show_about)
        self.action_about.setMenuRole(QAction.MenuRole.AboutRole)
        for action in (self.action_delete, self.action_refresh):
            self.browser.study_table.addAction(action)
            self.browser.series_table.addAction(action)
        for table in (self.browser.study_table, self.browser.series_table):
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for a in (self.action_import_files, self.action_import_folder, self.action_import_dicomdir):
            file_menu.addAction(a)
        file_menu.addSeparator()
        self.send_menu = file_menu.addMenu(self.tr("&Send to"))
        self.send_menu.setObjectName("sendMenu")
        self.send_menu.aboutToShow.connect(
            lambda: self.send_controller.fill_send_menu(
                self.send_menu, self.browser.series_table.hasFocus()
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.action_find)
        edit_menu.addAction(self.action_select_all)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_delete)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.action_refresh)
        view_menu.addAction(self.action_show_jobs)
        tools_menu = bar.addMenu(self.tr("&Tools"))
        tools_menu.addAction(self.action_service_mode)
        tools_menu.addAction(self.action_storage_cleanup)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.action_about)

    def _update_actions(self, *_args: object) -> None:
        self.action_delete.setEnabled(bool(self.browser.selected_study_uids()))
        self.action_service_mode.setEnabled(self.service_mode_handler is not None)
        self.action_storage_cleanup.setEnabled(self.storage_cleanup_handler is not None)

    # -- status bar ------------------------------------------------------------------------
    def _build_status_bar(self, node_state: Callable[[], NodeState]) -> None:
        bar = self.statusBar()
        self.import_progress = QProgressBar(self)
        self.import_progress.setMaximumWidth(220)
        self.import_progress.setFormat(self.tr("Import %v / %m"))
        self.import_progress.hide()
        self.node_label = NodeStatusLabel(node_state, self)
        s = self.settings
        self.disk_label = FreeSpaceIndicator(
            store_free_mb(self.store),
            refuse_below_mb=s.storage.min_free_space_mb,
            low_water_mb=s.storage.cleanup_low_water_mb if s.storage.cleanup_enabled else None,
            interval_ms=DISK_INTERVAL_MS,
            parent=self,
        )
        bar.addPermanentWidget(self.import_progress)
        bar.addPermanentWidget(self.node_label)
        bar.addPermanentWidget(self.disk_label)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_INTERVAL_MS)
        self._status_timer.timeout.connect(self.node_label.refresh)
        self._status_timer.start()

    def _on_import_progress(self, done: int, total: int, name: str) -> None:
        self.import_progress.setMaximum(max(total, 1))
        self.import_progress.setValue(done)
        self.import_progress.setToolTip(name)
        self.import_progress.show()

    def _on_import_running(self, running: bool) -> None:
        if running:
            self.import_progress.setMaximum(0)  # busy until the first progress arrives
            self.import_progress.show()
        else:
            self.import_progress.hide()

    # -- tools -----------------------------------------------------------------------------
    def set_tool_handlers(
        self, service_mode: ToolHandler | None = None, storage_cleanup: ToolHandler | None = None
    ) -> None:
        """Connect Tools > Service mode… / Storage cleanup… to their dialogs."""
        self.service_mode_handler = service_mode
        self.storage_cleanup_handler = storage_cleanup
        self._update_actions()

    def open_service_mode(self) -> None:
        if self.service_mode_handler is not None:
            self.service_mode_handler(self)

    def open_storage_cleanup(self) -> None:
        if self.storage_cleanup_handler is not None:
            self.storage_cleanup_handler(self)
            self.browser.refresh()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Workstation"),
            self.tr(
                "Workstation %1\n\nA DICOM workstation: local store, DICOM node, "
                "import and job queue.\nLocal AE title: %2, port %3.\nData folder: %4"
            )
            .replace("%1", __version__)
            .replace("%2", self.settings.node.ae_title)
            .replace("%3", str(self.settings.node.port))
            .replace("%4", str(self.settings.storage.data_dir)),
        )

    # -- viewer tabs -----------------------------------------------------------------------
    def viewer_tabs(self) -> list[ViewerTab]:
        widgets = (self.tabs.widget(i) for i in range(self.tabs.count()))
        return [w for w in widgets if isinstance(w, ViewerTab)]

    def open_series(self, series_uid: str) -> SeriesTab | None:
        """Open a series in a new tab (and show it), in the viewer the registry chooses
        (:mod:`workstation.ui.viewers.registry`): images in a viewer tab; reports,
        documents and waveforms in an object tab."""
        info = series_info(self.store, series_uid)
        viewer = series_viewer_for(info)
        if viewer is None:
            self.statusBar().showMessage(
                self.tr("This series holds nothing the viewer can show."), 8000
            )
            return None
        row = self.browser.series_model.row_at(self.browser.series_model.row_of(series_uid))
        title = " ".join(x for x in (row.modality, row.description) if x) if row else ""
        try:
            tab = viewer.build(self.store, info, title, self)
        except Exception as exc:  # no image in the series, or unreadable files
            log.warning("cannot open series %s: %s", series_uid, exc)
            self.statusBar().showMessage(self.tr("This series has no image to show."), 8000)
            return None
        tab.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        print_wiring.connect_viewer(tab, self.composer_tab)
        self._add_tab(tab)
        tab.take_focus()
        return tab

    def _add_tab(self, tab: QWidget) -> None:
        index = self.tabs.addTab(tab, tab.title)
        self.tabs.setCurrentIndex(index)

    def _on_node_event(self, event: object) -> None:
        if getattr(event, "kind", None) == NodeEventKind.COMMITMENT:
            self.send_controller.schedule_refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is getattr(self, "_tab_bar", None) and event.type() in (
            QEvent.Type.DragEnter,
            QEvent.Type.DragMove,
            QEvent.Type.Drop,
        ):
            uid = series_uid_of(event.mimeData())
            if not uid:
                return False
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                self.open_series(uid)
            return True
        return super().eventFilter(watched, event)

    def close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, SeriesTab):
            confirm = getattr(widget, "confirm_close", None)  # an examination may ask first
            if confirm is not None and not confirm():
                return
            widget.shutdown()
            self.tabs.removeTab(index)
            widget.deleteLater()

    # -- first start ---------------------------------------------------------------------------
    def offer_samples(self) -> int | None:
        """On a first start with an empty store, offer to import the shipped sample studies.

        Asked once (remembered in the UI state); returns the import job id if accepted.
        """
        if self.sample_paths is None or self.ui_state.value(SAMPLES_OFFERED_KEY, False, bool):
            return None
        if self.store.index.count("study") > 0:
            return None
        self.ui_state.setValue(SAMPLES_OFFERED_KEY, True)
        answer = QMessageBox.question(
            self,
            self.tr("Empty local store"),
            self.tr(
                "The local store holds no studies yet.\n\nLoad the sample studies shipped "
                "with the program (CT, MR, CR, US and more, anonymous test data)? They are "
                "imported as a job; you can delete them later."
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return self.importer.submit(self.sample_paths())

    # -- state and closing ---------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.ui_state.value("main_window/geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1400, 900)
        state = self.ui_state.value("main_window/state")
        if isinstance(state, QByteArray | bytes) and state:
            self.restoreState(QByteArray(state))
        else:  # first start: the browser gets the room, the job panel a strip
            self.resizeDocks([self.jobs_dock], [190], Qt.Orientation.Vertical)
        self.browser.restore_state(self.ui_state)

    def save_state(self) -> None:
        self.ui_state.setValue("main_window/geometry", self.saveGeometry())
        self.ui_state.setValue("main_window/state", self.saveState())
        self.browser.save_state(self.ui_state)
        self.ui_state.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self.shown.emit)  # after the first paint is queued

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self.save_state()
            self.importer.close_dialogs()
            self.browser.shutdown()
            self.query_panel.shutdown()
            self.worklist_tab.shutdown()
            self.composer_tab.shutdown()
            for i in range(self.tabs.count()):
                tab = self.tabs.widget(i)
                if isinstance(tab, SeriesTab):
                    tab.shutdown()
            self.jobs_panel.detach()
            self._status_timer.stop()
            if self.shutdown_hook is not None:
                self.shutdown_hook()
        event.accept()


def store_free_mb(store: LocalStore) -> Callable[[], float]:
    return store.free_space_mb
