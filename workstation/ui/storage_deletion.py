"""Study deletion off the GUI thread for the storage cleanup dialog.

A plain Python thread (not a QThread: the test suite checks that no Python thread
outlives a test, and the owner joins this one), reporting through queued Qt signals.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from workstation.store.cleanup import DeleteReport, IsProtectedFn, delete_studies
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)

THREAD_NAME = "storage-delete"


class DeletionRun(QObject):
    """Deletes studies on a worker thread; cancel stops it between studies."""

    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # DeleteReport

    def __init__(
        self, store: LocalStore, uids: list[str], is_protected_fn: IsProtectedFn | None
    ) -> None:
        super().__init__()
        self._store, self._uids, self._is_protected_fn = store, list(uids), is_protected_fn
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float) -> bool:
        """Wait for the thread; True when it has ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            report = delete_studies(
                self._store,
                self._uids,
                self._is_protected_fn,
                progress=self.progress.emit,
                cancelled=self._cancel.is_set,
            )
        except Exception as exc:  # the GUI must hear of it rather than wait forever
            log.exception("study deletion failed")
            report = DeleteReport(failed=[("", str(exc))])
        self.finished.emit(report)
