"""The GUI wiring: the Qt-free runtime (``runtime.py``) -> main window.

The window comes up first, on an unchecked store, so a large store does not delay it;
the store's start-up check (temp files, rows without files, files without rows) runs
on a thread meanwhile, and only after it do the node start listening and the job worker
start (the check must not race with new files). Closing the window shuts down in the
order DESIGN.md asks for: cancel tokens and the job thread, then the node (open
associations get a grace period), then the databases.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from workstation.config.persistence import default_config_path, save_settings
from workstation.config.settings import Settings, needs_node_restart
from workstation.errors import WorkstationError
from workstation.jobs import JobQueue, JobState
from workstation.net.scp.node import StorageNode
from workstation.runtime import Runtime
from workstation.services.cleanup_job import KIND as CLEANUP_KIND
from workstation.store.cleanup import CleanupPolicy
from workstation.store.local_store import LocalStore, ReconcileReport
from workstation.ui.job_worker import JobWorker
from workstation.ui.main_window import MainWindow
from workstation.ui.messages import error_text
from workstation.ui.node_bridge import NodeBridge
from workstation.ui.node_status import NodeState
from workstation.ui.service import ServiceContext, open_service_mode
from workstation.ui.storage_dialog import open_storage_cleanup

log = logging.getLogger(__name__)

UI_STATE_FILE = "gui.ini"
EXIT_WHEN_SHOWN_ENV = "WORKSTATION_EXIT_WHEN_SHOWN"
SHOWN_MARKER = "main-window-shown"
READY_MARKER = "node-ready"
CLEANUP_INTERVAL_MS = 60_000


class StoreCheck(QThread):
    """The store's start-up check on its own thread; ``report`` or ``error`` when done."""

    def __init__(self, store: LocalStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("store-check")
        self.store = store
        self.report: ReconcileReport | None = None
        self.error = ""

    def run(self) -> None:
        try:
            self.report = self.store.reconcile()
        except Exception as exc:  # reported in the status bar; the GUI still opens
            log.exception("store check failed")
            self.error = str(exc)


class Workstation(QObject):
    """The running application: its services and its window, wired; one per process."""

    #: the store check is done, the node listens (or failed to) and the job worker runs
    ready = Signal()

    def __init__(
        self,
        settings: Settings,
        ui_state_path: Path,
        offer_samples: bool = True,
        sample_paths: Callable[[], list[Path]] | None = None,
        config_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.config_path = config_path or default_config_path()
        self.offer_samples = offer_samples
        # StoreCheck runs the store's check once the window is up; the worker hosts the
        # runtime's handlers on its QThread
        self.runtime = Runtime(settings, check_store=False)
        self.worker = JobWorker(self.runtime.queue, self.runtime.handlers)
        self.bridge = NodeBridge(parent=self)
        self.bridge.attach(self.node)
        self.runtime.event_sinks.append(self.bridge.on_node_event)
        self.node_error = ""
        self.checking = True
        self._stopped = False
        self.ui_state = QSettings(str(ui_state_path), QSettings.Format.IniFormat)
        self.window = MainWindow(
            settings,
            self.store,
            self.bridge,
            self.queue,
            self.worker,
            self.node_state,
            self.ui_state,
            sample_paths=sample_paths,
        )
        self.window.shutdown_hook = self.shutdown
        # one examination service: the runtime's, which the node's arrivals reach
        self.window.exam_service = self.runtime.exam
        self.window.set_tool_handlers(
            service_mode=self.open_service_mode, storage_cleanup=self.open_storage_cleanup
        )
        self._cleanup_timer = QTimer(self)
        self._cleanup_timer.setInterval(CLEANUP_INTERVAL_MS)
        self._cleanup_timer.timeout.connect(self.schedule_cleanup)
        self._check = StoreCheck(self.store, self)
        self._check.finished.connect(self._on_checked)

    # -- the runtime's parts, as the window and the tests know them ----------------------
    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self.runtime.settings = value

    @property
    def store(self) -> LocalStore:
        return self.runtime.store

    @property
    def queue(self) -> JobQueue:
        return self.runtime.queue

    @property
    def node(self) -> StorageNode:
        return self.runtime.node

    # -- start-up ----------------------------------------------------------------------
    def start(self) -> None:
        """Show the window and start the store check (then the node and the worker)."""
        self.window.show()
        self._check.start()

    def _on_checked(self) -> None:
        self.checking = False
        if self._stopped:
            return
        if self._check.error:
            self.node_error = self._check.error
        report = self._check.report
        if report is not None and not report.clean:
            self.window.statusBar().showMessage(
                QCoreApplication.translate(
                    "Workstation",
                    "Store check: %1 temp files removed, %2 missing files dropped, "
                    "%3 files indexed, %4 unreadable files moved to quarantine",
                )
                .replace("%1", str(len(report.temp_files_removed)))
                .replace("%2", str(len(report.rows_without_file)))
                .replace("%3", str(len(report.files_indexed)))
                .replace("%4", str(len(report.files_quarantined))),
                15_000,
            )
        self._start_node()
        self.worker.start()
        self._cleanup_timer.start()
        self.schedule_cleanup()
        self.bridge.mark_changed()
        self.window.node_label.refresh()
        if self.offer_samples:
            self.window.offer_samples()
        self.ready.emit()

    def _start_node(self) -> None:
        try:
            self.runtime.start_node()
        except OSError as exc:
            self.node_error = (
                QCoreApplication.translate("Workstation", "cannot listen on port %1: %2")
                .replace("%1", str(self.settings.node.port))
                .replace("%2", exc.strerror or str(exc))
            )
            log.error("node not started: %s", exc)
        except WorkstationError as exc:
            self.node_error = error_text(exc)
            log.error("node not started: %s", exc.message())

    def node_state(self) -> NodeState:
        running = self.node.running
        port = self.node.address[1] if running else self.settings.node.port
        return NodeState(
            ae_title=self.settings.node.ae_title,
            port=port,
            listening=running,
            associations=self.node.active_associations() if running else 0,
            starting=self.checking and not self._stopped,
            error=self.node_error,
        )

    # -- tools: service mode, storage ----------------------------------------------------
    def open_service_mode(self, parent: QWidget) -> None:
        open_service_mode(
            parent, ServiceContext(self.settings, self.config_path, self.apply_settings)
        )

    def apply_settings(self, new: Settings) -> None:
        """Put saved settings into effect; the node restarts when its settings changed."""
        old, self.settings = self.settings, new
        self.window.settings = new
        self.window.query_panel.refresh_nodes()
        self.window.composer_tab.reload_printers()
        self.store.duplicate_policy = new.storage.duplicate_policy
        self.store.min_free_space_mb = new.storage.min_free_space_mb
        if needs_node_restart(old, new):
            self._restart_node()
        if old.storage.data_dir != new.storage.data_dir:
            QMessageBox.information(
                self.window,
                QCoreApplication.translate("Workstation", "Restart needed"),
                QCoreApplication.translate(
                    "Workstation",
                    "The new data directory is used after the program is restarted.",
                ),
            )

    def _restart_node(self) -> None:
        self.bridge.attach(self.runtime.restart_node())
        self.node_error = ""
        self._start_node()
        self.window.node_label.refresh()

    def open_storage_cleanup(self, parent: QWidget) -> None:
        open_storage_cleanup(parent, self.store, self.settings, self._policy_changed)

    def _policy_changed(self, policy: CleanupPolicy) -> None:
        new = self.settings.updated(
            cleanup_enabled=policy.enabled,
            cleanup_low_water_mb=policy.low_water_mb,
            cleanup_high_water_mb=policy.high_water_mb,
        )
        save_settings(new, self.config_path)
        self.settings = new
        self.window.settings = new
        self.window.query_panel.refresh_nodes()
        self.window.composer_tab.reload_printers()
        self.schedule_cleanup()

    def schedule_cleanup(self) -> None:
        """Queue the automatic policy when it is on and free space is under its mark."""
        s = self.settings
        if not s.storage.cleanup_enabled or self.store.free_space_mb() >= s.storage.cleanup_low_water_mb:
            return
        busy = (JobState.QUEUED, JobState.RUNNING)
        if any(job.kind == CLEANUP_KIND for job in self.queue.list(busy)):
            return
        self.queue.submit(CLEANUP_KIND, {}, max_attempts=1)
        self.worker.wake()

    # -- shutdown ------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop everything this object started; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._cleanup_timer.stop()
        self._check.wait()  # the check cannot be interrupted; it never runs long twice
        self.worker.stop()
        # deliver the worker's last queued signals while the queue is still open
        QCoreApplication.sendPostedEvents()
        self.bridge.detach()
        self.runtime.stop()  # the node, then the databases (the worker stopped above)
        log.info("workstation stopped")


def ui_state_path(config_path: Path | None) -> Path:
    """The window state file: next to the settings file."""
    return (config_path or default_config_path()).with_name(UI_STATE_FILE)


def run_gui(settings: Settings, config_path: Path | None = None) -> int:
    """Run the desktop application until the window closes; the process exit code."""
    from workstation.samples import sample_paths

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Workstation")
    app.setOrganizationName("workstation")
    try:
        from workstation.ui.i18n import install_translators

        install_translators(settings.viewer.language, app)
    except Exception as exc:  # a missing translation never stops the program
        log.warning("translations not loaded: %s", exc)
    try:
        station = Workstation(settings, ui_state_path(config_path), sample_paths=sample_paths)
    except WorkstationError as exc:  # e.g. an index written by a newer version
        log.error("cannot start: %s", exc.message())
        QMessageBox.critical(
            None,
            QCoreApplication.translate("Workstation", "Workstation cannot start"),
            error_text(exc),
        )
        return 2
    exit_when = os.environ.get(EXIT_WHEN_SHOWN_ENV, "")
    if exit_when:
        # benchmarks/startup.py: print wall-clock times of "window shown" (and, with the
        # value "ready", of "store checked, node listening"), then close the window
        def report(marker: str, close: bool) -> None:
            print(f"{marker} {time.time():.6f}", flush=True)
            if close:
                station.window.close()

        station.window.shown.connect(lambda: report(SHOWN_MARKER, exit_when != "ready"))
        if exit_when == "ready":
            station.ready.connect(lambda: report(READY_MARKER, True))
        station.offer_samples = False
    app.setQuitOnLastWindowClosed(True)
    station.start()
    code = app.exec()
    station.shutdown()
    return code
