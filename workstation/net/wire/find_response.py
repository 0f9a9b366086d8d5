"""Pending C-FIND responses written straight onto the association's socket, many a write.

pynetdicom sends each match as its own DIMSE message: a command set encoded with
pydicom, two P-DATA primitives through the DUL reactor's queue and state machine, and
one socket send per PDU (about 0.45 ms a match here). The command set of a pending
C-FIND-RSP (PS3.7 9.3.2.2, Table 9.3-2) is the same for every match of a request, so it
is encoded once; each already encoded identifier follows in P-DATA-TF PDUs of one PDV
each (PS3.8 9.3.5, E.2), as pynetdicom sends them, and a batch of whole messages goes
out in one ``sendall``. The final response is still pynetdicom's.

Nothing is queued for the DUL reactor meanwhile, so it keeps reading the socket and a
C-CANCEL is decoded while we write; it is looked for after every batch. The reactor's
own sends (an A-ABORT, an N-EVENT-REPORT from another thread) and ours are kept apart
by a lock around the association socket's ``send`` (:func:`install_send_lock`).
"""

from __future__ import annotations

import logging
import select
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import evt

log = logging.getLogger(__name__)

C_FIND_RSP = 0x8020
DATA_SET_PRESENT = 0x0001  # anything but 0x0101; 0x0001 as pynetdicom sends it
PENDING = 0xFF00
PDV_HEADER = 6  # PDV item length (4), presentation context ID (1), message control header (1)
MAX_BATCH_MATCHES = 64  # whole responses a write, at most
MAX_BATCH_BYTES = 64 * 1024
# An SCU that cancels after its first few matches (findscu --cancel N, a result limit)
# needs a round trip to say so, while a big answer is written in a few milliseconds. An
# answer of more than BIG_ANSWER matches waits up to PAUSE_S for a C-CANCEL after its
# first PAUSE_AFTER responses, and its last batch goes out no sooner than MIN_ANSWER_S
# after its first (real waits, so that an SCU in this process gets the GIL too).
BIG_ANSWER = 32
PAUSE_AFTER = 3
PAUSE_S = 0.005
MIN_ANSWER_S = 0.010  # times the CPU stretch (_BusyClock): longer on a busy machine
MAX_STRETCH = 6.0
STRETCH_MIN_CPU_S = 0.001  # less work than this says nothing about the machine
HEAR_TIMEOUT_S = 0.05  # how long the peer's bytes may take to be decoded as a C-CANCEL
WAIT_POLL_S = 0.001
HEAR_POLL_S = 0.0002
DECODE_GRACE_S = 0.005  # after the reactor read them, for decoding
LOCK_ATTRIBUTE = "_ws_send_lock"
WATCHED_EVENTS = (evt.EVT_DIMSE_SENT, evt.EVT_PDU_SENT, evt.EVT_DATA_SENT)


class ResponseWriteError(OSError):
    """The socket failed in the middle of a batch: the association carries half a
    message and must be aborted."""


def install_send_lock(assoc: Any) -> threading.Lock | None:
    """A lock every send on ``assoc``'s socket and its closing take (the DUL reactor's
    too), so that a batch is never cut by another PDU nor written to a closed (and maybe
    reused) descriptor; the same lock on later calls. Best installed when the connection
    opens, before any PDU."""
    sock = getattr(getattr(assoc, "dul", None), "socket", None)
    if sock is None:
        return None
    lock = getattr(sock, LOCK_ATTRIBUTE, None)
    if lock is not None:
        return lock
    lock = threading.Lock()
    send, close = sock.send, sock.close

    def locked_send(data: bytes) -> None:
        with lock:
            send(data)

    def locked_close() -> None:
        with lock:
            close()

    sock.send, sock.close = locked_send, locked_close
    setattr(sock, LOCK_ATTRIBUTE, lock)
    return lock


def _element(element: int, value: bytes) -> bytes:
    if len(value) % 2:
        value += b"\x00"  # UI values are padded with a NUL
    return struct.pack("<HHI", 0x0000, element, len(value)) + value


def pending_command_set(sop_class_uid: str, message_id: int) -> bytes:
    """The encoded command set of a pending C-FIND-RSP with an identifier (Implicit VR
    Little Endian, PS3.7 6.3.1), group length first."""
    body = b"".join(
        (
            _element(0x0002, sop_class_uid.encode("ascii")),
            _element(0x0100, struct.pack("<H", C_FIND_RSP)),
            _element(0x0120, struct.pack("<H", message_id)),
            _element(0x0800, struct.pack("<H", DATA_SET_PRESENT)),
            _element(0x0900, struct.pack("<H", PENDING)),
        )
    )
    return _element(0x0000, struct.pack("<I", len(body))) + body


def p_data_pdus(context_id: int, command: bool, data: bytes, max_pdu: int) -> bytes:
    """``data`` as P-DATA-TF PDUs of one PDV each, within the peer's maximum PDU length
    (0: unlimited); fragments of even length (DCMTK refuses odd ones)."""
    size = (max_pdu - PDV_HEADER) & ~1 if max_pdu > PDV_HEADER + 1 else 0
    pieces = [data[k : k + size] for k in range(0, len(data), size)] if size else [data]
    out = []
    for n, piece in enumerate(pieces):
        control = (1 if command else 0) | (2 if n == len(pieces) - 1 else 0)
        item_length = 2 + len(piece)
        out.append(
            struct.pack(">BBIIBB", 0x04, 0x00, 4 + item_length, item_length, context_id, control)
        )
        out.append(piece)
    return b"".join(out)


class _BusyClock:
    """How much CPU this thread got while it worked (waits left out). On a busy machine
    the peer gets as little, so its C-CANCEL takes that much longer to come."""

    def __init__(self) -> None:
        self.wall = time.monotonic()
        self.cpu = time.thread_time()
        self.waited = 0.0

    @contextmanager
    def waiting(self) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.waited += time.monotonic() - began

    def stretch(self) -> float:
        """Working wall time over CPU time, from 1 (the CPU was ours) to MAX_STRETCH."""
        cpu = time.thread_time() - self.cpu
        if cpu < STRETCH_MIN_CPU_S:
            return 1.0
        wall = time.monotonic() - self.wall - self.waited
        return min(max(wall / cpu, 1.0), MAX_STRETCH)


class FindResponseWriter:
    """Writes the pending responses of one C-FIND request on its association."""

    def __init__(self, assoc: Any, raw_socket: Any, lock: threading.Lock, context_id: int,
                 sop_class_uid: str, message_id: int, implicit: bool) -> None:  # fmt: skip
        self.assoc = assoc
        self.raw = raw_socket
        self.lock = lock
        self.context_id = context_id
        self.implicit = implicit
        self.max_pdu = int(getattr(assoc.requestor, "maximum_length", 0) or 0)
        self.clock = _BusyClock()
        self.command = p_data_pdus(
            context_id, True, pending_command_set(sop_class_uid, message_id), self.max_pdu
        )

    @classmethod
    def for_event(cls, event: Any) -> FindResponseWriter | None:
        """A writer for ``event``'s request; None when pynetdicom should send: a Big
        Endian or deflated context, no socket to write to, or handlers watching what is
        sent (pynetdicom's debug logging binds some), which direct writes would bypass."""
        syntax = str(event.context.transfer_syntax)
        if syntax not in (ExplicitVRLittleEndian, ImplicitVRLittleEndian):
            return None
        assoc = event.assoc
        if any(assoc.get_handlers(watched) for watched in WATCHED_EVENTS):
            return None
        raw = getattr(getattr(assoc.dul, "socket", None), "socket", None)
        lock = install_send_lock(assoc)
        if raw is None or lock is None:
            return None
        return cls(assoc, raw, lock, int(event.context.context_id),
                   str(event.request.AffectedSOPClassUID), int(event.request.MessageID),
                   syntax == ImplicitVRLittleEndian)  # fmt: skip

    def message(self, identifier: bytes) -> bytes:
        """One pending C-FIND-RSP carrying the encoded ``identifier``."""
        return self.command + p_data_pdus(self.context_id, False, identifier, self.max_pdu)

    def send_all(
        self, identifiers: Iterable[bytes], cancelled: Callable[[], bool], big: bool = False
    ) -> int:
        """Send a pending response per identifier, in batches that grow from one; stops
        early when ``cancelled()``. A ``big`` answer waits for a C-CANCEL after its first
        few responses and before its last batch (see PAUSE_S). Returns how many were sent."""
        sent = 0
        batch: list[bytes] = []
        size = 0
        limit = 1
        paused = not big
        started = 0.0
        self.clock = _BusyClock()
        remaining = iter(identifiers)
        following = next(remaining, None)
        while following is not None:
            identifier, following = following, next(remaining, None)
            if not paused and sent >= PAUSE_AFTER:
                paused = True
                if self._wait_for_peer(PAUSE_S, cancelled):
                    return sent
            message = self.message(identifier)
            batch.append(message)
            size += len(message)
            if following is None or (len(batch) < limit and size < MAX_BATCH_BYTES):
                continue  # the last batch is written below
            self._write(batch)
            started = started or time.monotonic()
            sent += len(batch)
            batch, size, limit = [], 0, min(limit * 2, MAX_BATCH_MATCHES)
            if self._heard_cancel(cancelled):
                return sent
        if big and started:
            stretch = self.clock.stretch()
            log.debug("C-FIND: %d matches sent, CPU stretch %.2f", sent, stretch)
            hold = started + MIN_ANSWER_S * stretch - time.monotonic()
            if self._wait_for_peer(hold, cancelled):
                return sent
        if batch and not cancelled():
            self._write(batch)
            sent += len(batch)
        return sent

    def _write(self, batch: list[bytes]) -> None:
        data = b"".join(batch)
        try:
            with self.lock:
                self.raw.sendall(data)
        except OSError as exc:
            raise ResponseWriteError(f"sending C-FIND responses failed: {exc}") from exc

    def _readable(self) -> bool:
        try:
            ready, _, _ = select.select([self.raw], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(ready)

    def _wait_for_peer(self, seconds: float, cancelled: Callable[[], bool]) -> bool:
        """Wait up to ``seconds`` for a C-CANCEL (the reactor decodes it meanwhile);
        True when one came."""
        deadline = time.monotonic() + seconds
        with self.clock.waiting():
            while not cancelled() and self.assoc.is_established:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                time.sleep(min(left, WAIT_POLL_S))
        return self._heard_cancel(cancelled)

    def _heard_cancel(self, cancelled: Callable[[], bool]) -> bool:
        """True once a C-CANCEL came. Mid-answer the peer sends nothing else, so bytes
        waiting on the socket are given a bounded moment to be read and decoded."""
        if cancelled():
            return True
        if not self._readable():
            return False
        with self.clock.waiting():
            return self._hear(cancelled)

    def _hear(self, cancelled: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + HEAR_TIMEOUT_S
        drained = 0.0  # when the reactor had read the bytes
        while self.assoc.is_established:
            time.sleep(HEAR_POLL_S)
            now = time.monotonic()
            if cancelled():
                return True
            if now > deadline or (drained and now - drained > DECODE_GRACE_S):
                return False
            if not drained and not self._readable():
                drained = now
        return cancelled()
