"""An accepted association run without pynetdicom's polling, its C-STORE messages coded
directly: the Storage SCP's receive path.

pynetdicom 3.0.4's association thread sleeps 1 ms before each look at its message queue
and its DUL thread polls the socket every ``_run_loop_delay``: most of a small
C-STORE's round trip was spent waiting (benchmarks/RESULTS.md, ingest). Here both
threads block until there is work: the association thread on an event that its queues
set, the DUL thread in ``select`` on the socket and a wake-up socket that its queues
write to. Each loop keeps pynetdicom's own checks in pynetdicom's order (association:
message, release, abort, DUL alive, network timeout; DUL: kill, ARTIM, outgoing
primitive, incoming PDU, state machine event), so every outcome stays pynetdicom's.

C-STORE requests are decoded and responses encoded without pydicom (store_commands)
while no handler watches DIMSE messages (pynetdicom's debug logging binds some, and the
commitment SCP for a moment); anything else goes through pynetdicom unchanged. Another
thread that sends on the association (pynetdicom's send_*) clears the checkpoint, which
wakes the association thread to pause there at once.
"""

from __future__ import annotations

import logging
import queue
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pynetdicom
from pynetdicom import _config, evt
from pynetdicom.association import Association
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.pdu import A_ABORT_RQ
from pynetdicom.pdu_primitives import P_DATA

from workstation.net.wire.find_response import install_send_lock, p_data_pdus
from workstation.net.wire.store_commands import (
    PRIMITIVE_KEYWORDS,
    decode_store_request,
    encode_store_response,
)

log = logging.getLogger(__name__)

ASSOC_IDLE_CHECK_S = 0.02  # how often an idle association looks at its timers and flags
DUL_IDLE_CHECK_S = 0.005  # the same for the DUL (ARTIM timer, kill flag)
PDV_HEADER = 6  # PDV item length (4), context ID (1), message control header (1)
# the loops mirror pynetdicom 3.0's internals: any other version runs its own
SUPPORTED_PYNETDICOM = pynetdicom.__version__.startswith("3.0.")


class _WakingQueue(queue.Queue):
    """A queue that calls ``on_put`` after each item is added."""

    def __init__(self, on_put: Callable[[], None]) -> None:
        super().__init__()
        self._on_put = on_put

    def _put(self, item: Any) -> None:
        super()._put(item)
        self._on_put()


class _WakingCheckpoint(threading.Event):
    """The association thread's checkpoint: another thread clears it before it sends on
    the association (pynetdicom's send_*), then waits for the thread to pause there;
    clearing also wakes the thread, which pauses at once instead of after its wait."""

    def __init__(self, wake: threading.Event) -> None:
        super().__init__()
        self._wake = wake
        self.set()

    def clear(self) -> None:
        super().clear()
        self._wake.set()


def _waking(old: queue.Queue, on_put: Callable[[], None]) -> _WakingQueue:
    """A waking queue holding what ``old`` holds (its threads are not running yet)."""
    new = _WakingQueue(on_put)
    new.queue.extend(old.queue)
    return new


def accelerate(assoc: Association, after_store: Callable[[], None] | None = None) -> None:
    """Install the blocking loops (and the C-STORE coding) on an acceptor ``assoc``;
    call from EVT_CONN_OPEN, before its threads start. ``after_store`` runs on the
    association thread after each C-STORE response is queued, while the peer prepares
    its next request (its errors are logged and ignored)."""
    if not assoc.is_acceptor or assoc.is_alive() or not SUPPORTED_PYNETDICOM:
        return
    wake = threading.Event()
    assoc.dimse.msg_queue = _waking(assoc.dimse.msg_queue, wake.set)
    assoc.dul.to_user_queue = _waking(assoc.dul.to_user_queue, wake.set)
    assoc._reactor_checkpoint = _WakingCheckpoint(wake)
    assoc._run_reactor = lambda: _association_loop(assoc, wake, after_store)  # type: ignore[method-assign]
    sock = getattr(assoc.dul.socket, "socket", None)
    if type(sock) is socket.socket:  # not TLS: select() sees all buffered data
        _DulLoop(assoc).install()
    if not _config.STORE_RECV_CHUNKED_DATASET:
        dimse = assoc.dimse
        dimse.receive_primitive = RequestReader(assoc, dimse.receive_primitive)  # type: ignore[method-assign]
        dimse.send_msg = ResponseWriter(assoc, dimse.send_msg)  # type: ignore[method-assign]


# -- the association thread -------------------------------------------------------------
def _association_loop(
    assoc: Association, wake: threading.Event, after_store: Callable[[], None] | None
) -> None:
    """pynetdicom's acceptor reactor, waiting on ``wake`` instead of sleeping 1 ms."""
    dimse, acse, dul = assoc.dimse, assoc.acse, assoc.dul
    assoc._is_paused = False
    while not assoc._kill:
        wake.clear()
        # paused while another thread sends on this association (pynetdicom's send_*);
        # as in pynetdicom, _is_paused is True only here and while a request is served
        assoc._is_paused = True
        assoc._reactor_checkpoint.wait()
        assoc._is_paused = False

        context_id, msg = dimse.get_msg(block=False)
        if msg:
            assoc._serve_request(msg, context_id)  # type: ignore[arg-type]
            if after_store is not None and isinstance(msg, C_STORE):
                try:
                    after_store()
                except Exception:
                    log.debug("work after a C-STORE failed", exc_info=True)

        if assoc.is_established and acse.is_release_requested():
            acse.send_release(is_response=True)
            log.debug("association released by the peer")
            assoc.is_released = True
            assoc.is_established = False
            evt.trigger(assoc, evt.EVT_RELEASED, {})
            assoc.kill()
            return

        if acse.is_aborted():
            log.debug("association aborted")
            dul.receive_pdu(wait=False)  # EVT_ACSE_RECV for its subscribers
            assoc.is_aborted = True
            assoc.is_established = False
            evt.trigger(assoc, evt.EVT_ABORTED, {})
            assoc.kill()
            return

        if not dul.is_alive():
            assoc.kill()
            return

        if dul.idle_timer_expired():
            log.error("network timeout reached")
            if assoc.network_timeout_response == "A-RELEASE":
                assoc._is_paused = True
                assoc._reactor_checkpoint.wait()
                assoc.release()
                assoc._is_paused = False
            else:
                assoc.abort()
            assoc.kill()
            return

        if not msg:
            wake.wait(ASSOC_IDLE_CHECK_S)


# -- the DUL thread ---------------------------------------------------------------------
class _DulLoop:
    """pynetdicom's DUL reactor, waiting in select() instead of polling."""

    def __init__(self, assoc: Association) -> None:
        self.assoc = assoc
        self.dul = assoc.dul
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._thread_id: int | None = None

    def install(self) -> None:
        dul = self.dul
        dul.to_provider_queue = _waking(dul.to_provider_queue, self.wake)
        dul.event_queue = _waking(dul.event_queue, self.wake)
        dul.run = self.run  # type: ignore[method-assign]  # the thread's body

    def wake(self) -> None:
        if threading.get_ident() == self._thread_id:
            return  # the loop itself: it looks at its queues before it waits
        try:
            self._writer.send(b"\0")
        except OSError:  # full (a wake-up is pending anyway) or closed (loop ended)
            pass

    def _wait(self) -> None:
        dul = self.dul
        waitables: list[Any] = [self._reader]
        sock = dul.socket.socket if dul.socket is not None else None
        if sock is not None and dul.socket._is_connected:
            waitables.append(sock)
        closing = dul.state_machine.current_state == "Sta1"
        try:
            readable, _, _ = select.select(
                waitables, [], [], dul._run_loop_delay if closing else DUL_IDLE_CHECK_S
            )
        except (OSError, ValueError):  # the socket closed under us: the next read says so
            return
        if self._reader in readable:
            try:
                while self._reader.recv(4096):
                    pass
            except OSError:
                pass

    def run(self) -> None:
        self._thread_id = threading.get_ident()
        try:
            self._loop()
        finally:
            self._reader.close()
            self._writer.close()

    def _loop(self) -> None:
        dul, assoc = self.dul, self.assoc
        dul._idle_timer.start()
        while True:
            if not assoc._dul_ready.is_set():
                assoc._dul_ready.set()
            if dul._kill_thread:
                break
            if dul.artim_timer.expired:
                dul.event_queue.put("Evt18")
            try:
                if dul._process_recv_primitive():  # a primitive to send
                    pass
                elif dul._is_transport_event():  # a PDU received
                    dul._idle_timer.restart()
            except Exception:
                # as pynetdicom: the state machine cannot be trusted, send A-ABORT directly
                log.exception("DUL failed, aborting the association")
                abort_pdu = A_ABORT_RQ()
                abort_pdu.source = 0x02
                abort_pdu.reason_diagnostic = 0x00
                if dul.socket is not None:
                    dul.socket.send(abort_pdu.encode())
                assoc.is_aborted = True
                assoc.is_established = False
                assoc._kill = True
                dul._kill_thread = True
                return
            try:
                event = dul.event_queue.get(block=False)
            except queue.Empty:
                self._wait()
                continue
            dul.state_machine.do_action(event)


# -- C-STORE coding -------------------------------------------------------------------
@dataclass
class _Pending:
    context_id: int
    values: dict[str, int | str]
    chunks: list[bytes] = field(default_factory=list)


class RequestReader:
    """``DIMSEServiceProvider.receive_primitive`` for C-STORE-RQs with a data set whose
    command set fits one fragment; every other message goes to pynetdicom's."""

    def __init__(self, assoc: Association, original: Callable[[P_DATA], None]) -> None:
        self.assoc = assoc
        self.original = original
        self.pending: _Pending | None = None

    def __call__(self, primitive: P_DATA) -> None:
        dimse = self.assoc.dimse
        if self.pending is None and (
            dimse.message is not None  # pynetdicom is in the middle of a message
            or self.assoc.get_handlers(evt.EVT_DIMSE_RECV)  # someone watches: theirs
        ):
            self.original(primitive)
            return
        pdvs = primitive.presentation_data_value_list
        start = 0
        if self.pending is None:
            first = pdvs[0][1] if pdvs else b""
            values = decode_store_request(first[1:]) if first[:1] and first[0] & 3 == 3 else None
            if values is None:
                self.original(primitive)
                return
            self.pending = _Pending(pdvs[0][0], values)
            start = 1
        for _cx, data in pdvs[start:]:
            if data[0] & 1:
                # a command fragment inside a data set: no valid DIMSE message (Evt19
                # is "invalid PDU": pynetdicom then aborts, as it does on a bad message)
                self.pending = None
                dimse.dul.event_queue.put("Evt19")
                return
            self.pending.chunks.append(data[1:])
            if data[0] & 2:
                pending, self.pending = self.pending, None
                self._deliver(pending)
                return  # as pynetdicom: fragments after a message's last are not read

    def _deliver(self, pending: _Pending) -> None:
        request = C_STORE()
        try:
            for keyword in PRIMITIVE_KEYWORDS:
                if keyword in pending.values:
                    setattr(request, keyword, pending.values[keyword])
            request.DataSet = BytesIO(b"".join(pending.chunks))
        except Exception:
            log.exception("received an invalid C-STORE request")
            self.assoc.dimse.dul.event_queue.put("Evt19")
            return
        request._context_id = pending.context_id
        self.assoc.dimse.msg_queue.put((pending.context_id, request))


class ResponseWriter:
    """``DIMSEServiceProvider.send_msg`` writing C-STORE-RSPs directly: onto the socket
    from the association thread when nothing waits in the DUL's queue (the DUL would
    only pass them through its state machine, Sta6 to Sta6: DT-1), else queued."""

    def __init__(self, assoc: Association, original: Callable[[Any, int], None]) -> None:
        self.assoc = assoc
        self.original = original
        # a send lock (find_response.py) keeps the DUL's own sends and ours whole
        self.direct = install_send_lock(assoc) is not None

    def __call__(self, primitive: Any, context_id: int) -> None:
        command = None
        if (
            type(primitive) is C_STORE
            and not self.assoc.get_handlers(evt.EVT_DIMSE_SENT)
            and primitive.MessageIDBeingRespondedTo is not None
            and primitive.Status is not None
            and primitive.OffendingElement is None
        ):
            command = encode_store_response(
                primitive.AffectedSOPClassUID,
                primitive.AffectedSOPInstanceUID,
                primitive.MessageIDBeingRespondedTo,
                primitive.Status,
                primitive.ErrorComment,
            )
        peer_max = int(self.assoc.dimse.maximum_pdu_size or 0)
        if command is None or 0 < peer_max <= PDV_HEADER + 1:
            self.direct = False  # from now on in order behind pynetdicom's queue
            self.original(primitive, context_id)
            return
        dul = self.assoc.dul
        if (
            self.direct
            and dul.to_provider_queue.empty()
            and _in_sta6(dul)
            and not self.assoc.get_handlers(evt.EVT_PDU_SENT)
        ):
            dul.socket.send(p_data_pdus(context_id, True, command, peer_max))
            return
        self.direct = False
        size = (peer_max - PDV_HEADER) & ~1 if peer_max else len(command)
        for start in range(0, len(command), size):
            last = start + size >= len(command)
            pdata = P_DATA()
            pdata.presentation_data_value_list.append(
                (context_id, (b"\x03" if last else b"\x01") + command[start : start + size])
            )
            dul.send_pdu(pdata)


def _in_sta6(dul: Any) -> bool:
    """Association established, transport up: where DT-1 sends a P-DATA-TF as it is."""
    return dul.state_machine.current_state == "Sta6" and dul.socket is not None
