"""The job runner in a QThread, and the bridge that turns queue changes into Qt signals.

The queue calls its listeners on whichever thread changed a job (the worker thread, or
the GUI thread for the user's cancel/retry). :class:`QueueSignals` re-emits them as a
Qt signal; receivers on the GUI thread get it through a queued connection, so views
only ever touch widgets on their own thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

from workstation.jobs import Handler, JobQueue, JobRunner, JobState

log = logging.getLogger(__name__)


class QueueSignals(QObject):
    """``changed(job_id)`` on this object's thread for every committed change of ``queue``.

    Changes made on other threads arrive as queued events; one still in flight when
    :meth:`detach` is called is dropped, so no receiver reads a queue closed meanwhile.
    """

    changed = Signal(int)
    _arrived = Signal(int)

    def __init__(self, queue: JobQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self._attached = True
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        queue.add_listener(self._on_change)

    def _on_change(self, job_id: int) -> None:
        try:
            self._arrived.emit(job_id)
        except RuntimeError:  # the C++ object is gone: stop listening
            self.queue.remove_listener(self._on_change)

    @Slot(int)
    def _deliver(self, job_id: int) -> None:
        if self._attached:
            self.changed.emit(job_id)

    def detach(self) -> None:
        """Stop listening to the queue (before the queue is closed)."""
        if self._attached:
            self._attached = False
            self.queue.remove_listener(self._on_change)


class JobWorker(QObject):
    """Hosts a :class:`JobRunner` on its own QThread; polls, and is woken on submits.

    Signals (delivered on the receiver's thread): ``job_changed(id)`` on every change,
    ``progress(id, done, total, message)`` while a job runs, ``finished(id, result)``
    when one succeeds, ``failed(id, error)`` when one fails for good.
    """

    job_changed = Signal(int)
    progress = Signal(int, int, int, str)
    finished = Signal(int, str)
    failed = Signal(int, str)
    _wake_requested = Signal()
    _stop_requested = Signal()

    def __init__(
        self,
        queue: JobQueue,
        handlers: Mapping[str, Handler],
        poll_s: float = 1.0,
        clock: Callable[[], float] = time.time,
        progress_interval_s: float = 0.2,
    ) -> None:
        super().__init__()  # no parent: it moves to its own thread
        self.queue = queue
        self.runner = JobRunner(
            queue, handlers, clock=clock, progress_interval_s=progress_interval_s
        )
        self._clock = clock
        self._states: dict[int, JobState] = {}
        self._states_lock = threading.Lock()
        self._thread = QThread()
        self._thread.setObjectName("job-worker")
        self._timer = QTimer(self)  # a child: moves with the worker, fires on its thread
        self._timer.setInterval(max(10, int(poll_s * 1000)))
        self._timer.timeout.connect(self._drain)
        self._wake_requested.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._stop_requested.connect(self._wind_down, Qt.ConnectionType.QueuedConnection)
        self._thread.started.connect(self._on_started)
        self.moveToThread(self._thread)
        self._listening = False
        self._started = False

    # -- control, from the GUI thread -------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.queue.add_listener(self._on_change)
        self._listening = True
        self._thread.start()

    def wake(self) -> None:
        """Look for due jobs now (any thread)."""
        self._wake_requested.emit()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Cancel tokens first, then quit and wait for the thread. Never terminates it.

        The running job (if any) is queued again and resumes on the next start.
        False if the handler did not return within ``timeout_s``.
        """
        self.runner.interrupt()
        stopped = True
        if self._thread.isRunning():
            self._stop_requested.emit()
            stopped = self._thread.wait(int(timeout_s * 1000))
            if not stopped:
                log.error("job worker did not stop within %.0f s", timeout_s)
        if self._listening and stopped:
            self.queue.remove_listener(self._on_change)
            self._listening = False
        return stopped

    # -- on the worker thread -------------------------------------------------------------
    @Slot()
    def _on_started(self) -> None:
        self._timer.start()
        self._drain()

    @Slot()
    def _drain(self) -> None:
        """Run due jobs until none is left (or the runner is stopping)."""
        while self.runner.run_once():
            pass

    @Slot()
    def _wind_down(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())  # so it can be deleted from the GUI thread
        self._thread.quit()

    # -- the queue's listener (any thread) ----------------------------------------------
    def _on_change(self, job_id: int) -> None:
        job = self.queue.get(job_id)
        self.job_changed.emit(job_id)
        with self._states_lock:
            before = self._states.pop(job_id, None)
            if job is not None:
                self._states[job_id] = job.state
        if job is None:
            return
        if job.state is JobState.RUNNING:
            self.progress.emit(job_id, job.done, job.total, job.message)
        elif job.state is not before:
            if job.state is JobState.SUCCEEDED:
                self.finished.emit(job_id, job.result or "")
            elif job.state is JobState.FAILED:
                self.failed.emit(job_id, job.last_error or "")
            elif job.state is JobState.QUEUED and job.next_attempt_at <= self._clock():
                self.wake()
