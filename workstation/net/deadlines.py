"""Deadlines on a peer's whole conversation with the node, its slot freed when the
connection ends, and a cut-off that works whatever the peer does.

pynetdicom 3.0.4 bounds none of this on an accepted connection: the socket blocks in
``recv`` without a timeout, so a peer that sends a PDU header and then nothing (or one
byte a second) holds its DUL thread, its slot and the process's exit for good; and the
association thread waits out the whole ACSE timeout for an A-ASSOCIATE-RQ even after the
connection has gone. :func:`install` (from the node's EVT_CONN_OPEN, before the
association's threads start) puts on each association, wire fast paths on or off (both
read PDUs through ``AssociationSocket.recv`` and wait for the request in pynetdicom's
``Association.run_reactor``):

- the association request: from accept to a complete first PDU, the ACSE timeout;
- every PDU: from its first byte to its last, the network timeout;
- between PDUs: pynetdicom's own timers, unchanged (ARTIM, the ACSE timeout, before the
  request and after an abort or a rejection; the network idle timer once established);
- every send on the socket waits at most the network timeout for the peer to read;
- the wait for the A-ASSOCIATE-RQ, and ``Association.kill``, end as soon as the DUL has
  ended (connection closed, garbage aborted), so the slot (``AE.maximum_associations``
  counts live association threads) is free again at once, in whatever state it ended.

A peer past a deadline, or every peer at shutdown (:func:`cut_off`), gets an A-ABORT
(source: service provider) unless one cannot be sent any more, and its socket is shut
down: a thread blocked in ``recv`` or ``send`` returns at once and pynetdicom's state
machine ends the association as for a closed connection.
"""

from __future__ import annotations

import logging
import math
import select
import socket
import threading
import time
from typing import Any

from pynetdicom.association import Association
from pynetdicom.pdu import A_ABORT_RQ

from workstation.net.wire.find_response import install_send_lock

log = logging.getLogger(__name__)

RECV_CHUNK = 65536  # bytes asked of the socket per call (pynetdicom asks 4096)
REQUEST_POLL_S = 0.1  # the wait for the A-ASSOCIATE-RQ looks at the DUL (else woken by it)
KILL_POLL_S = 0.0005  # kill(): between the DUL's end and its state machine's Sta1
KILL_WAIT_S = 0.01  # kill(): pynetdicom's look while the DUL runs (woken by its end)
_DUL_ENDED = object()  # put on the DUL's to_user_queue: wakes the wait for the request
ABORT_LOCK_S = 0.2  # how long a cut-off waits for a send in progress before it skips the A-ABORT
# the DUL state after we sent an A-ABORT, A-ASSOCIATE-RJ or A-RELEASE-RP: no A-ABORT more
# (Sta1 is no sign of a closed connection: the first PDU is read before Evt5 is handled)
AWAITING_CLOSE = "Sta13"
ABORT_PDU_TYPE = b"\x07"
PROVIDER_SOURCE = 0x02  # A-ABORT source: DICOM UL service-provider (PS3.8 9.3.8)
REASON_NOT_SPECIFIED = 0x00

GUARD_ATTRIBUTE = "_ws_conversation_guard"  # where an association keeps its guard
_INSTALL_LOCK = threading.Lock()


def abort_pdu() -> bytes:
    """An A-ABORT PDU from the service provider, reason not specified."""
    pdu = A_ABORT_RQ()
    pdu.source = PROVIDER_SOURCE
    pdu.reason_diagnostic = REASON_NOT_SPECIFIED
    return bytes(pdu.encode())


class ConversationGuard:
    """The deadlines of one association's connection (see the module docstring)."""

    def __init__(self, assoc: Association) -> None:
        self.assoc = assoc
        self.asock = assoc.dul.socket
        self.network_s = float(assoc.network_timeout or math.inf)
        self.acse_s = float(assoc.acse_timeout or math.inf)
        self.opened = time.monotonic()
        # until the first PDU is complete, every read is bounded by accept + ACSE timeout
        self.request_end = self.opened + self.acse_s if assoc.is_acceptor else math.inf
        self.pdu_end = math.inf  # the PDU being read must be complete by then
        self.closing = False
        self._cut_lock = threading.Lock()
        self.abort_written = False
        self.cut_reason = ""
        self.lock = install_send_lock(assoc)  # kept whole by the A-ABORT of a cut-off
        self._request_waited = False
        self._waiting = False  # in the wait for the A-ASSOCIATE-RQ
        self._wait_lock = threading.Lock()
        self._kill_dul = assoc.dul.kill_dul
        self._dul_ended = threading.Event()
        self._poller: Any = None
        self._polled: Any = None
        self._read_pdu = assoc.dul._read_pdu_data
        self._receive_pdu = assoc.dul.receive_pdu

    # -- installation ------------------------------------------------------------------
    def install(self) -> None:
        dul = self.assoc.dul
        raw = self.asock.socket if self.asock is not None else None
        if raw is not None and math.isfinite(self.network_s):
            raw.settimeout(self.network_s)  # bounds every send (and any other read)
        self.asock.recv = self.recv  # type: ignore[method-assign]
        self._send = self.asock.send
        self.asock.send = self.send  # type: ignore[method-assign]
        dul._read_pdu_data = self.read_pdu  # type: ignore[method-assign]
        if self.assoc.is_acceptor:
            dul.receive_pdu = self.receive_pdu  # type: ignore[method-assign]
            dul.kill_dul = self.kill_dul  # type: ignore[method-assign]
            self.assoc.kill = self.kill  # type: ignore[method-assign]
        if dul.ident is None:
            # nothing a peer does may keep the process from exiting (the association
            # thread itself is a daemon in pynetdicom already)
            dul.daemon = True

    def send(self, data: bytes) -> None:
        """``AssociationSocket.send``, noting an A-ABORT on its way to the peer (one queued
        by pynetdicom's ``abort()`` may never leave a DUL stuck in ``recv``)."""
        self._send(data)
        if data[:1] == ABORT_PDU_TYPE:
            self.abort_written = True

    # -- reading PDUs (the DUL thread) ---------------------------------------------------
    def read_pdu(self) -> None:
        """pynetdicom's ``_read_pdu_data`` with the whole PDU under one deadline."""
        self.pdu_end = min(time.monotonic() + self.network_s, self.request_end)
        try:
            self._read_pdu()
        finally:
            self.pdu_end = math.inf
            self.request_end = math.inf  # past the first PDU: the request is in (or refused)

    def recv(self, nr_bytes: int) -> bytearray:
        """``AssociationSocket.recv``: ``nr_bytes`` or, if the connection closed or the
        deadline passed first (the peer is then cut off), what came before."""
        data = bytearray()
        sock = self.asock.socket
        if sock is None:
            return data
        end = self.pdu_end
        if end == math.inf:
            end = time.monotonic() + self.network_s
        while len(data) < nr_bytes and not self.closing:
            left = end - time.monotonic()
            if left <= 0 or not self._readable(sock, left):
                self._expired()
                break
            try:
                chunk = sock.recv(min(nr_bytes - len(data), RECV_CHUNK))
            except TimeoutError:
                continue  # the deadline decides, on the next turn
            except OSError:
                break  # as a closed connection: the state machine sees Evt17
            if not chunk:
                break
            data += chunk
        return data

    def _readable(self, sock: Any, left: float) -> bool:
        pending = getattr(sock, "pending", None)  # TLS: bytes decrypted already
        if pending is not None and pending():
            return True
        if self._polled is not sock:
            self._poller = select.poll()
            self._poller.register(sock, select.POLLIN)
            self._polled = sock
        timeout_ms = None if math.isinf(left) else max(1, math.ceil(left * 1000))
        try:
            return bool(self._poller.poll(timeout_ms))
        except (OSError, ValueError):
            return True  # the socket is gone: recv says so

    def _expired(self) -> None:
        if self.closing:
            return
        if self.request_end != math.inf and time.monotonic() >= self.request_end:
            why = f"A-ASSOCIATE-RQ not complete within the ACSE timeout ({self.acse_s:g} s)"
        else:
            why = f"PDU not complete within the network timeout ({self.network_s:g} s)"
        self.cut_off(why)

    # -- waiting for the A-ASSOCIATE-RQ (the association thread) -------------------------
    def receive_pdu(self, wait: bool = False, timeout: float | None = None) -> Any:
        """``DULServiceProvider.receive_pdu``; the acceptor's first wait (for the
        A-ASSOCIATE-RQ) ends with None as soon as the DUL has ended."""
        assoc = self.assoc
        if not wait or self._request_waited or assoc.requestor.primitive is not None:
            return self._receive_pdu(wait, timeout)
        self._request_waited = True
        end = self.opened + self.acse_s
        if timeout is not None:
            end = min(end, time.monotonic() + timeout)
        with self._wait_lock:
            self._waiting = True
        try:
            return self._wait_for_request(end)
        finally:
            with self._wait_lock:
                self._waiting = False
            queue = assoc.dul.to_user_queue
            with queue.mutex:  # a wake-up left behind a primitive that came first
                for entry in [e for e in queue.queue if e is _DUL_ENDED]:
                    queue.queue.remove(entry)

    def _wait_for_request(self, end: float) -> Any:
        dul = self.assoc.dul
        while True:
            if dul._kill_thread or not dul.is_alive():
                # the connection is gone; a primitive it left still counts
                primitive = self._receive_pdu(False, None)
                return None if primitive is _DUL_ENDED else primitive
            left = end - time.monotonic()
            if left <= 0:
                return None
            primitive = self._receive_pdu(True, min(left, REQUEST_POLL_S))
            if primitive is _DUL_ENDED:
                return None
            if primitive is not None:
                return primitive

    def kill_dul(self) -> None:
        """``DULServiceProvider.kill_dul`` (the state machine's end of a connection),
        waking the wait for the A-ASSOCIATE-RQ and :meth:`kill` at once."""
        self._kill_dul()
        self._dul_ended.set()
        with self._wait_lock:
            if self._waiting:
                self.assoc.dul.to_user_queue.put(_DUL_ENDED)

    def kill(self) -> None:
        """``Association.kill`` as pynetdicom's, but woken by the DUL's end instead of
        looking every 10 ms: the association thread, and so its slot, ends at once."""
        assoc = self.assoc
        assoc._reactor_checkpoint.set()
        assoc._kill = True
        assoc.is_established = False
        assoc._is_paused = True
        dul = assoc.dul
        while dul.is_alive() and not dul.stop_dul():
            # after kill_dul, the state machine enters Sta1 in a moment: look again soon
            if self._dul_ended.is_set():
                time.sleep(KILL_POLL_S)
            else:
                self._dul_ended.wait(KILL_WAIT_S)

    # -- cutting off ---------------------------------------------------------------------
    def cut_off(self, why: str) -> None:
        """A-ABORT (where one can still be sent) and shut the socket down; any thread."""
        with self._cut_lock:
            if self.closing:
                return
            self.closing = True
        self.cut_reason = why
        assoc = self.assoc
        address = getattr(assoc.requestor if assoc.is_acceptor else assoc.acceptor,
                          "address", "?")  # fmt: skip
        log.warning("association with %s cut off: %s", address, why)
        raw = self.asock.socket if self.asock is not None else None
        if raw is None:
            return
        if self._may_abort():
            self._send_abort(raw)
        try:
            raw.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _may_abort(self) -> bool:
        assoc = self.assoc
        if self.abort_written or assoc.is_released or assoc.is_rejected:
            return False
        return assoc.dul.state_machine.current_state != AWAITING_CLOSE

    def _send_abort(self, raw: Any) -> None:
        lock = self.lock
        if lock is not None and not lock.acquire(timeout=ABORT_LOCK_S):
            return  # a send hangs on a peer that does not read: no A-ABORT, just close
        try:
            # the socket has a timeout: MSG_DONTWAIT would not keep send() from waiting
            if not _writable(raw):
                return  # the peer reads nothing: its buffers are full
            raw.send(abort_pdu())
            self.abort_written = True
            self.assoc._sent_abort = True  # pynetdicom's abort() queues no second one
        except OSError:
            pass
        finally:
            if lock is not None:
                lock.release()


def _writable(raw: Any) -> bool:
    """Whether ``raw`` takes bytes now (a send would not wait)."""
    poller = select.poll()
    poller.register(raw, select.POLLOUT)
    return any(events & select.POLLOUT for _, events in poller.poll(0))


def guard_of(assoc: Association) -> ConversationGuard | None:
    """The guard installed on ``assoc``, if any."""
    return getattr(assoc, GUARD_ATTRIBUTE, None)


def install(assoc: Association) -> ConversationGuard | None:
    """Put the deadlines on ``assoc``'s connection (once; from EVT_CONN_OPEN)."""
    if assoc.dul.socket is None:
        return None
    with _INSTALL_LOCK:
        guard = guard_of(assoc)
        if guard is not None:
            return guard
        guard = ConversationGuard(assoc)
        setattr(assoc, GUARD_ATTRIBUTE, guard)  # a cycle the garbage collector takes
    guard.install()
    return guard


def cut_off(assoc: Association, why: str) -> None:
    """Cut ``assoc``'s peer off now (A-ABORT where possible, socket shut down)."""
    guard = guard_of(assoc)
    if guard is not None:
        guard.cut_off(why)
        return
    raw = getattr(getattr(assoc.dul, "socket", None), "socket", None)
    if raw is not None:
        try:
            raw.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

