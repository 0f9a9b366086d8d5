"""The bridge from the DICOM node's threads to the GUI thread, with burst coalescing.

:class:`~workstation.net.scp.node.StorageNode` calls its listeners on pynetdicom's
association threads. The bridge's listener does almost nothing there: it notes the
study UID under a lock and, when no wake-up is pending yet, posts one queued signal.
On the GUI thread the events are re-emitted (``node_event``) and store changes are
handed out at most once per interval (``studies_changed``), so a burst of a thousand
instances costs the browser a few refreshes, not a thousand.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from workstation.net.scp.node import NodeEvent, NodeEventKind, StorageNode

log = logging.getLogger(__name__)

COALESCE_MS = 400

_STORE_KINDS = {NodeEventKind.STORED}
_ASSOCIATION_KINDS = {
    NodeEventKind.ASSOCIATION_ACCEPTED,
    NodeEventKind.ASSOCIATION_CLOSED,
    NodeEventKind.ASSOCIATION_REJECTED,
}


class NodeBridge(QObject):
    """Re-emits node events on the GUI thread; coalesces store changes."""

    #: every NodeEvent, on the GUI thread, in arrival order
    node_event = Signal(object)
    #: an association opened, closed or was rejected
    associations_changed = Signal()
    #: studies gained or lost instances: frozenset of Study Instance UIDs (may be empty
    #: when the change came from elsewhere, e.g. an import job)
    studies_changed = Signal(object)

    _wake = Signal()

    def __init__(self, interval_ms: int = COALESCE_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._events: list[NodeEvent] = []
        self._wake_pending = False
        self._changed: set[str] = set()
        self._attached: StorageNode | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._flush_changes)
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    # -- attaching ---------------------------------------------------------------------
    def attach(self, node: StorageNode) -> None:
        """Listen to ``node`` (before it starts, so no event is missed)."""
        self._attached = node
        node.add_listener(self.on_node_event)

    def detach(self) -> None:
        """Ignore further events (the node has no remove; the listener goes quiet)."""
        self._attached = None

    # -- any thread ----------------------------------------------------------------------
    def on_node_event(self, event: NodeEvent) -> None:
        """The node's listener: runs on an association thread, so it only queues."""
        if self._attached is None:
            return
        with self._lock:
            self._events.append(event)
            if self._wake_pending:
                return
            self._wake_pending = True
        try:
            self._wake.emit()
        except RuntimeError:  # the QObject is gone: the window closed
            self._attached = None

    def mark_changed(self, study_uids: frozenset[str] | set[str] = frozenset()) -> None:
        """Report a store change made outside the node (import, delete); GUI thread."""
        self._changed.update(study_uids)
        self._changed.add("")  # an empty marker: "something changed" even without UIDs
        self._start_timer()

    # -- GUI thread -----------------------------------------------------------------------
    @Slot()
    def _drain(self) -> None:
        with self._lock:
            events, self._events = self._events, []
            self._wake_pending = False
        associations = False
        for event in events:
            self.node_event.emit(event)
            if event.kind in _STORE_KINDS and event.study_uid:
                self._changed.add(event.study_uid)
            elif event.kind in _ASSOCIATION_KINDS:
                associations = True
        if associations:
            self.associations_changed.emit()
        if self._changed:
            self._start_timer()

    def _start_timer(self) -> None:
        # not restarted by later events: during a long burst the browser still
        # refreshes every interval instead of waiting for the burst to end
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _flush_changes(self) -> None:
        changed, self._changed = self._changed, set()
        changed.discard("")
        self.studies_changed.emit(frozenset(changed))

    def flush_now(self) -> None:
        """Deliver pending changes immediately (tests, shutdown)."""
        self._timer.stop()
        if self._changed:
            self._flush_changes()
