"""Sending from the browser: the context menus of the study and series tables and the
File ▸ Send to menu, one send job per destination on the job queue.

Nodes with the "store" role are offered (every node when none has it). After a send or
commit job ends, or a commitment report arrives, the browser's Archive column is read
again (throttled, so a job's progress does not re-read it per instance).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QTableView

from workstation.config.settings import RemoteNode, Role, Settings
from workstation.jobs import JobQueue
from workstation.services.send_job import submit_send
from workstation.ui.browser.browser_widget import PatientBrowser

REFRESH_DELAY_MS = 400


def send_targets(settings: Settings) -> list[RemoteNode]:
    nodes = list(settings.remote_nodes)
    return [n for n in nodes if Role.STORE in n.roles] or nodes


class SendController(QObject):
    """Builds the send menus for ``browser`` and submits the jobs."""

    def __init__(
        self,
        browser: PatientBrowser,
        queue: JobQueue,
        settings: Callable[[], Settings],
        status: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.browser = browser
        self.queue = queue
        self.settings = settings
        self.status = status
        self.last_jobs: list[int] = []
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(REFRESH_DELAY_MS)
        self._refresh.timeout.connect(browser.study_model.refresh_archive)
        for table in (browser.study_table, browser.series_table):
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(
                lambda pos, t=table: self._context_menu(t, pos)
            )

    # -- what is selected --------------------------------------------------------------------
    def selection(self, from_series: bool = False) -> list[str]:
        """The selected series (when asked from the series table) or studies."""
        if from_series:
            return self.browser.selected_series_uids()
        return self.browser.selected_study_uids()

    # -- menus -------------------------------------------------------------------------------
    def fill_send_menu(self, menu: QMenu, from_series: bool = False) -> None:
        """One action per destination (the selection at the time of the click is sent)."""
        menu.clear()
        targets = send_targets(self.settings())
        if not targets:
            action = menu.addAction(self.tr("No node configured (Service mode → Remote nodes)"))
            action.setEnabled(False)
            return
        for node in targets:
            action = QAction(f"{node.name} ({node.ae_title}@{node.host}:{node.port})", menu)
            action.setObjectName(f"send_{node.name}")
            action.triggered.connect(
                lambda _c=False, n=node: self.send(self.selection(from_series), [n])
            )
            menu.addAction(action)
        if len(targets) > 1:
            menu.addSeparator()
            every = menu.addAction(self.tr("All of these nodes"))
            every.triggered.connect(lambda: self.send(self.selection(from_series), targets))

    def _context_menu(self, table: QTableView, pos: QPoint) -> None:
        from_series = table is self.browser.series_table
        if not self.selection(from_series):
            return
        menu = QMenu(table)
        send = menu.addMenu(self.tr("Send to"))
        self.fill_send_menu(send, from_series)
        menu.addSeparator()
        menu.addActions(table.actions())  # delete, refresh: the window's own actions
        menu.exec(table.viewport().mapToGlobal(pos))

    # -- sending -----------------------------------------------------------------------------
    def send(self, uids: list[str], nodes: list[RemoteNode]) -> list[int]:
        """Queue one send job per node for ``uids`` (studies or series)."""
        if not uids or not nodes:
            return []
        jobs = submit_send(self.queue, self.settings(), nodes, uids)
        self.last_jobs = jobs
        names = ", ".join(n.name for n in nodes)
        self.status(
            self.tr("Sending %1 item(s) to %2: see the job panel.")
            .replace("%1", str(len(uids)))
            .replace("%2", names)
        )
        return jobs

    def schedule_refresh(self, *_args: object) -> None:
        """Re-read the Archive column soon (after a job change or a commitment report)."""
        self._refresh.start()

