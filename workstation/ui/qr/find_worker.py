"""C-FIND off the GUI thread: each request runs :func:`workstation.net.scu.find.find` on a
plain thread and streams its matches back as queued Qt signals.

``match(request, dataset)`` for every match as it arrives, ``done(request, outcome)`` once
at the end (a :class:`FindOutcome`, also when the query failed or was cancelled).
``cancel(request)`` sends C-CANCEL; ``shutdown`` cancels everything and joins the threads.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from pydicom.dataset import Dataset
from PySide6.QtCore import QObject, Qt, Signal

from workstation.config.settings import RemoteNode
from workstation.dicom.qr_identifier import QRModel
from workstation.errors import NetworkError
from workstation.jobs import CancelToken
from workstation.net.association import LocalAE
from workstation.net.scu.find import FindOutcome, find

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class FindRequest:
    """One query: everything the thread needs, built on the GUI thread."""

    node: RemoteNode
    identifier: Dataset
    model: QRModel
    local: LocalAE
    limit: int | None = None


class FindWorker(QObject):
    match = Signal(int, object)
    done = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._next = 1
        self._running: dict[int, tuple[threading.Thread, CancelToken]] = {}
        self._lock = threading.Lock()
        self._relay = _Relay()  # emitted on worker threads, delivered on the GUI thread
        self._relay.match.connect(self.match, Qt.ConnectionType.QueuedConnection)
        self._relay.done.connect(self._finished, Qt.ConnectionType.QueuedConnection)

    def start(self, request: FindRequest) -> int:
        """Run ``request``; returns its number (as given in the signals)."""
        number = self._next
        self._next += 1
        cancel = CancelToken()
        thread = threading.Thread(
            target=self._run, args=(number, request, cancel), name=f"find-{number}", daemon=True
        )
        with self._lock:
            self._running[number] = (thread, cancel)
        thread.start()
        return number

    def _run(self, number: int, request: FindRequest, cancel: CancelToken) -> None:
        try:
            outcome = find(
                request.node,
                request.identifier,
                request.model,
                request.local,
                limit=request.limit,
                cancel=cancel,
                on_match=lambda ds: self._relay.match.emit(number, ds),
            )
        except Exception as exc:  # a bug must not leave the panel waiting forever
            log.exception("C-FIND failed unexpectedly")
            detail = f"{type(exc).__name__}: {exc}"
            error = NetworkError(host=request.node.host, port=request.node.port, detail=detail)
            outcome = FindOutcome((), error=error)
        self._relay.done.emit(number, outcome)

    def _finished(self, number: int, outcome: object) -> None:
        with self._lock:
            entry = self._running.pop(number, None)
        if entry is not None:
            entry[0].join(timeout=JOIN_TIMEOUT_S)
        self.done.emit(number, outcome)

    def running(self) -> bool:
        with self._lock:
            return bool(self._running)

    def cancel(self, number: int) -> None:
        with self._lock:
            entry = self._running.get(number)
        if entry is not None:
            entry[1].set()

    def shutdown(self) -> None:
        """Cancel every query and wait for its thread (bounded)."""
        with self._lock:
            entries = list(self._running.values())
            self._running.clear()
        for _thread, cancel in entries:
            cancel.set()
        for thread, _cancel in entries:
            thread.join(timeout=JOIN_TIMEOUT_S)


class _Relay(QObject):
    """Signals emitted from worker threads (queued to the GUI thread)."""

    match = Signal(int, object)
    done = Signal(int, object)
